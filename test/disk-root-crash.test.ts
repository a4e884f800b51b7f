// The machine's host process killed (SIGKILL, as close to a power cut as a test gets) while the
// machine writes to its ext2 root: `driverlab sh --disk IMAGE` appending to a file under
// /home/user, syncing now and then. The image is never broken: it opens (its journal replayed),
// the next boot's fsck finds the root clean or repairs it (rebooting if it changed the mounted
// root, as init scripts do), and afterwards the file system is whole, by our e2fsck and the real
// one. Several kills land on the same image, each at a different moment.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { FileDisk } from '../main/host/disk-image.js';
import { checkDisk } from '../emulator/disk-inspect.js';
import { ROOT_PARTITION_START } from '../emulator/disk.js';
import { tempWorkspace } from './helpers/machine.js';
import { haveE2fsprogs, realE2fsck } from './helpers/e2fsprogs.js';

const CLI = path.resolve(import.meta.dirname, '../bin/driverlab.js');
const WRITER = 'i=0; while true; do echo "line $i of the notes" >> /home/user/log; i=$((i+1)); if [ $((i % 40)) -eq 0 ]; then sync; echo "synced $i"; fi; done';

/** Runs the writer in `driverlab sh --disk image` and kills the process `delayMs` after its first sync. */
function writeAndKill(image: string, workspace: string, delayMs: number): Promise<{ output: string; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'sh', '--disk', image, '--workspace', workspace, '-c', WRITER], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    const onData = (d: string) => {
      output += d;
      if (output.includes('synced')) timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    const guard = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolve({ output, signal });
    });
  });
}

/** Boots the image in this process: the boot's fsck, the log's last line, then SysRq-U so the disk is left clean. */
async function bootAndCheck(image: string, workspace: string) {
  const disk = FileDisk.open(image, { sectors: 65536 });
  try {
    let out = '';
    const machine = new Machine(createNodeHost({ workspace }), { disk, showBoot: true }, (t) => { out += t; });
    machine.boot();
    machine.endInput();
    const status = await machine.runShell('tail -c 200 /home/user/log >/dev/null && echo readable\nsudo sh -c "echo u > /proc/sysrq-trigger"; sleep 1');
    const after = checkDisk(disk);
    const partition = disk.readSectors(ROOT_PARTITION_START, disk.sectorCount - ROOT_PARTITION_START);
    return { status, output: out.replace(/\r\n/g, '\n'), after, partition };
  } finally {
    disk.close();
  }
}

describe('the host process killed while the machine writes to its ext2 root', () => {
  it('never leaves a broken image: fsck at the next boot finds it clean or repairs it, and then it is whole', async () => {
    const workspace = tempWorkspace();
    const image = path.join(workspace, 'crash.img');
    for (const delayMs of [0, 150, 400]) {
      const run = await writeAndKill(image, workspace, delayMs);
      expect(run.signal, run.output).toBe('SIGKILL');
      expect(run.output).toContain('synced');
      // The killed process held the image's lock: a later open sees that its owner is gone.
      expect(fs.existsSync(`${image}.lock`)).toBe(true);

      const boot = await bootAndCheck(image, workspace);
      expect(boot.status).toBe(0);
      expect(boot.output).toContain('readable\n');
      // The unclean root was checked; preen repaired what it found (and the machine rebooted if it changed anything).
      expect(boot.output).toContain('/dev/hda1 was not cleanly unmounted, check forced.\n');
      expect(boot.output).not.toContain('UNEXPECTED INCONSISTENCY');
      expect(boot.output).not.toMatch(/failed \(code \d+\)/);
      expect(boot.after.exitCode, boot.after.output).toBe(0);
      if (haveE2fsprogs) expect(realE2fsck(boot.partition).status).toBe(0);
    }
  }, 120_000);
});
