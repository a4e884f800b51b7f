// The disk image on the host: contents survive reopening, the journal is replayed and its torn
// tail ignored, checkpoints keep it small, a second process cannot open the same image.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DiskImageBusyError, FileDisk, crc32, disksDir, openDiskImage } from '../main/host/disk-image.js';
import { tempWorkspace } from './helpers/machine.js';

const pattern = (seed: number, sectors = 1) => Uint8Array.from({ length: 512 * sectors }, (_, i) => (seed * 37 + i) & 0xff);

describe('disk image (journaled file)', () => {
  it('creates $DRIVERLAB_HOME/disks/NAME.img of the asked size, initialised before it appears', () => {
    const home = tempWorkspace();
    const disk = openDiskImage(home, 'hda', { sectors: 4096, initialize: (d) => d.writeSectors(0, pattern(1)) });
    expect(disk.sectorCount).toBe(4096);
    const file = path.join(disksDir(home), 'hda.img');
    expect(fs.statSync(file).size).toBe(4096 * 512);
    // The initial contents were written into the image before the rename: no journal needed.
    expect(fs.readFileSync(file).subarray(0, 512)).toEqual(Buffer.from(pattern(1)));
    disk.close();
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
    expect(() => openDiskImage(home, '../evil', { sectors: 8 })).toThrow(/not a disk name/);
  });

  it('keeps what was written across close and reopen; an existing image keeps its size', () => {
    const home = tempWorkspace();
    const disk = openDiskImage(home, 'hda', { sectors: 2048 });
    disk.writeSectors(10, pattern(2, 3));
    disk.writeSectors(11, pattern(3));
    expect(disk.readSectors(10, 3)).toEqual(new Uint8Array([...pattern(2), ...pattern(3), ...pattern(2, 3).subarray(1024)]));
    disk.flush();
    disk.close();
    const again = openDiskImage(home, 'hda', { sectors: 99 });
    expect(again.sectorCount).toBe(2048);
    expect(again.readSectors(11, 1)).toEqual(pattern(3));
    expect(() => again.readSectors(2047, 2)).toThrow(/outside the disk/);
    again.close();
  });

  it('replays the journal of a process that died, up to its torn tail', () => {
    const home = tempWorkspace();
    const image = path.join(disksDir(home), 'hda.img');
    // A child writes three records and dies without closing (no checkpoint): they live only in the journal.
    const child = `const { openDiskImage } = await import(${JSON.stringify(path.resolve('dist/main/host/disk-image.js'))});
      const d = openDiskImage(process.argv[1], 'hda', { sectors: 1024 });
      for (let i = 1; i <= 3; i++) d.writeSectors(i * 10, new Uint8Array(512).fill(i));
      d.flush();
      process.kill(process.pid, 'SIGKILL');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', child, home], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    expect(fs.statSync(`${image}.journal`).size).toBe(16 + 3 * (24 + 512));
    expect(fs.readFileSync(image).subarray(5120, 5121)[0]).toBe(0);
    // Tear the last record in the middle of its data, as a write cut by the kill would be.
    fs.truncateSync(`${image}.journal`, 16 + 2 * (24 + 512) + 24 + 100);
    const disk = FileDisk.open(image, { sectors: 1024 });
    expect(disk.readSectors(10, 1)).toEqual(new Uint8Array(512).fill(1));
    expect(disk.readSectors(20, 1)).toEqual(new Uint8Array(512).fill(2));
    expect(disk.readSectors(30, 1)).toEqual(new Uint8Array(512));
    // Opening checkpointed the journal into the image.
    expect(disk.journalSize).toBe(16);
    expect(fs.readFileSync(image).subarray(5120, 5121)[0]).toBe(1);
    disk.close();
  });

  it('ignores a record whose checksum is wrong, and everything after it', () => {
    const home = tempWorkspace();
    const image = path.join(disksDir(home), 'hda.img');
    const disk = openDiskImage(home, 'hda', { sectors: 64 });
    const journal = fs.readFileSync(`${image}.journal`);
    disk.close();
    const record = (seq: number, lba: number, fill: number, corrupt = false) => {
      const data = new Uint8Array(512).fill(fill);
      const head = new Uint8Array(24);
      const v = new DataView(head.buffer);
      v.setUint32(0, 0x52444c44, true); v.setUint32(4, seq, true); v.setUint32(8, lba, true); v.setUint32(12, 1, true);
      v.setUint32(16, crc32(data, crc32(head.subarray(4, 16))) ^ (corrupt ? 1 : 0), true);
      return Buffer.concat([head, data]);
    };
    fs.writeFileSync(`${image}.journal`, Buffer.concat([journal, record(1, 1, 0x11), record(2, 2, 0x22, true), record(3, 3, 0x33)]));
    const again = FileDisk.open(image, { sectors: 64 });
    expect([again.readSectors(1, 1)[0], again.readSectors(2, 1)[0], again.readSectors(3, 1)[0]]).toEqual([0x11, 0, 0]);
    again.close();
  });

  it('checkpoints into the image when the journal passes its limit', () => {
    const home = tempWorkspace();
    const disk = openDiskImage(home, 'hda', { sectors: 4096, journalLimit: 64 * 1024 });
    for (let i = 0; i < 200; i++) disk.writeSectors(i, pattern(i));
    expect(disk.journalSize).toBeLessThan(64 * 1024 + 600);
    for (let i = 0; i < 200; i += 37) expect(disk.readSectors(i, 1)).toEqual(pattern(i));
    disk.close();
  });

  it('refuses a second opener while the first lives, takes over a lock left by a dead process', () => {
    const home = tempWorkspace();
    const disk = openDiskImage(home, 'hda', { sectors: 64 });
    expect(() => openDiskImage(home, 'hda', { sectors: 64 })).toThrow(DiskImageBusyError);
    expect(() => openDiskImage(home, 'hda', { sectors: 64 })).toThrow(/in use by another DriverLab \(process \d+\)/);
    disk.close();
    const lockFile = path.join(disksDir(home), 'hda.img.lock');
    // A pid that cannot be alive.
    fs.writeFileSync(lockFile, '2147483646\n');
    const again = openDiskImage(home, 'hda', { sectors: 64 });
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    again.close();
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  it('refuses an image that is not whole sectors, saying so', () => {
    const home = tempWorkspace();
    fs.mkdirSync(disksDir(home), { recursive: true });
    fs.writeFileSync(path.join(disksDir(home), 'odd.img'), new Uint8Array(1000));
    expect(() => openDiskImage(home, 'odd', { sectors: 8 })).toThrow(/is 1000 bytes, not a whole number of 512-byte sectors/);
    // The failed open released its lock.
    expect(fs.existsSync(path.join(disksDir(home), 'odd.img.lock'))).toBe(false);
  });
});
