// ext2 on the virtual PC's real disk path: mke2fs onto /dev/hda1 through the
// kernel's buffer cache, mounted at /mnt and used with the shell's own tools,
// then a SysRq-B reset that loses what was still dirty, and e2fsck on the next
// boot repairing what the disk kept. The machines boot the rescue system (root in RAM) and mount
// the disk by hand (test/root-disk.test.ts has the disk as the root).
import { describe, expect, it } from 'vitest';
import { Machine, type MachineConfig } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { newMemoryDisk, ROOT_PARTITION_START } from '../emulator/disk.js';
import type { MemoryDisk } from '../emulator/hw/disk/memory-disk.js';
import { Ext2Fs, e2fsck, mke2fs } from '../emulator/kernel/fs/ext2/index.js';
import { MKDEV } from '../emulator/kernel/fs/types.js';
import { tempWorkspace } from './helpers/machine.js';
import { haveE2fsprogs, realE2fsck } from './helpers/e2fsprogs.js';

function machineOn(config: MachineConfig) {
  let out = '';
  const machine = new Machine(createNodeHost({ workspace: tempWorkspace() }), { rescue: true, showBoot: false, ...config }, (t) => { out += t; });
  machine.boot();
  machine.endInput();
  return {
    machine,
    async run(script: string, at: Record<number, () => void> = {}) {
      for (const [s, f] of Object.entries(at)) machine.clock.schedule(machine.clock.now + Number(s) * 1e9, f);
      out = '';
      const status = await machine.runShell(script);
      return { status, output: out.replace(/\r\n/g, '\n') };
    },
  };
}

/** Mounts hda1 at /mnt as the integration will mount it as /. */
function mountHda1(machine: Machine, style: 'modern' | '2.2' = 'modern'): Ext2Fs {
  const k = machine.kernel;
  const root = { uid: 0, gid: 0, umask: 0o022 };
  try { k.vfs.mkdir('/mnt', 0o755, '/', root); } catch { /* already there */ }
  const fs = new Ext2Fs(k.block.blockIo('hda1'), k.fsctx, (m) => k.printk(m), MKDEV(3, 1), { deviceName: 'hda1', messageStyle: style });
  k.vfs.mount('/mnt', fs.root, '/dev/hda1');
  return fs;
}

/** The partition's bytes as the disk holds them (not the cache). */
function partition(disk: MemoryDisk): Uint8Array {
  return disk.readSectors(ROOT_PARTITION_START, 31744 * 2);
}

describe('ext2 on /dev/hda1', () => {
  it('takes files from the shell, keeps them across a clean reboot, and the real e2fsck agrees', async () => {
    const disk = newMemoryDisk();
    const m = machineOn({ disk });
    const k = m.machine.kernel;
    const made = mke2fs(k.block.blockIo('hda1'), { now: Math.floor(k.wallTimeNs() / 1e9), rootUid: 1000, rootGid: 1000 });
    expect(made.output).toContain('Creating filesystem with 31744 1k blocks and 3968 inodes\n');
    const fs = mountHda1(m.machine);
    const r = await m.run([
      'echo "Hello from ext2" > /mnt/hello.txt',
      'mkdir /mnt/src && cp /mnt/hello.txt /mnt/src/copy && ln -s hello.txt /mnt/link',
      'cat /mnt/link /mnt/src/copy',
      'ls /mnt',
      'rm /mnt/src/copy && rmdir /mnt/src && ls /mnt',
    ].join('\n'));
    expect(r.output).toBe('Hello from ext2\nHello from ext2\nhello.txt  link  lost+found  src\nhello.txt  link  lost+found\n');
    fs.unmount();
    if (haveE2fsprogs) expect(realE2fsck(partition(disk)).status).toBe(0);

    m.machine.sysrq('b');
    await m.run('true');
    mountHda1(m.machine);
    expect((await m.run('cat /mnt/hello.txt')).output).toBe('Hello from ext2\n');
  });

  it('loses what was dirty at a reset, and e2fsck repairs what the disk kept', async () => {
    const disk = newMemoryDisk();
    const m = machineOn({ disk, personality: '2.2' });
    const k = m.machine.kernel;
    mke2fs(k.block.blockIo('hda1'), { now: Math.floor(k.wallTimeNs() / 1e9), rootUid: 1000, rootGid: 1000 });
    mountHda1(m.machine, '2.2');
    const reset = () => m.machine.sysrq('b');
    // The reset cuts the script's last command: the script is over once the machine is back up (status 0).
    expect((await m.run('echo kept > /mnt/kept; sync; echo lost > /mnt/lost; sleep 100', { 10: reset })).status).toBe(0);

    const next = m.machine.kernel;
    const io = next.block.blockIo('hda1');
    const r = e2fsck(io, { mode: 'preen', deviceName: '/dev/hda1', now: Math.floor(next.wallTimeNs() / 1e9) });
    expect(r.output).toMatch(/^\/dev\/hda1 was not cleanly unmounted, check forced\.\n\/dev\/hda1: 12\/3968 files/);
    expect(r.exitCode).toBe(1);
    io.close();
    mountHda1(m.machine, '2.2');
    expect((await m.run('cat /mnt/kept; ls /mnt')).output).toBe('kept\nkept  lost+found\n');
    expect(next.log.read().map((l) => l.text).join('\n')).not.toContain('EXT2-fs warning');
  });
});
