// Step 5's figure: sequential write and sync through the block layer (dd to /dev/hda1, the
// buffer cache, the IDE driver's PIO, the emulated drive), in MB of disk per wall second, on the
// in-memory disk and on a disk image file (whose journal is fsynced by FLUSH CACHE).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machine, type MachineConfig } from '../emulator/machine.js';
import { writeInstalledPartitionTable } from '../emulator/disk.js';
import { openDiskImage } from '../main/host/disk-image.js';
import { createNodeHost } from '../main/host/node-host.js';
import { median, type Row } from './stats.js';

const MIB = 24;
const WRITE = `sudo dd if=/dev/zero of=/dev/hda1 bs=64k count=${MIB * 16} conv=fsync status=none`;

/** Wall ms of one write+sync of MIB MiB, the machine booted beforehand. */
async function writeAndSync(config: MachineConfig): Promise<number> {
  const m = new Machine(createNodeHost({}), config, () => undefined);
  m.boot();
  m.endInput();
  await m.runShell('sudo true');
  const t = performance.now();
  if (await m.runShell(WRITE) !== 0) throw new Error('bench: dd to /dev/hda1 failed');
  return performance.now() - t;
}

export async function benchDisk(): Promise<Row[]> {
  const rows: Row[] = [];
  const memory: number[] = [];
  for (let i = 0; i < 5; i++) memory.push(await writeAndSync({}));
  rows.push({ name: `disk write+sync, ${MIB} MiB through the block layer (memory disk)`, value: `${(MIB * 1.048576 / (median(memory) / 1000)).toFixed(1)} MB/s`, target: '> 20 MB/s', runs: memory.length });

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-bench-disk-'));
  const image: number[] = [];
  for (let i = 0; i < 5; i++) {
    const disk = openDiskImage(home, 'hda', { sectors: 65536, initialize: writeInstalledPartitionTable });
    try {
      image.push(await writeAndSync({ disk }));
    } finally {
      disk.close();
    }
  }
  fs.rmSync(home, { recursive: true, force: true });
  rows.push({ name: `disk write+sync, ${MIB} MiB (disk image file, journaled)`, value: `${(MIB * 1.048576 / (median(image) / 1000)).toFixed(1)} MB/s`, target: '> 10 MB/s', runs: image.length });
  return rows;
}
