// The machine boots from its hard disk, as a PC does: the installed system on ext2 in hda1, mounted
// read-only as the root, checked by the boot scripts' fsck, remounted read-write; what is written
// there stays on the disk (a reboot, another run on the same image), the programs are files on it,
// and the workspace (/home/lab) is never on it.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { runSh, tempWorkspace } from './helpers/machine.js';
import { runScript, type Options } from '../main/cli/driverlab.js';
import { Machine } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { newMemoryDisk } from '../emulator/disk.js';
import { readDiskText } from '../emulator/disk-inspect.js';

describe('the root file system on /dev/hda1', () => {
  it('modern: mounted read-only by the kernel, checked clean, remounted read-write; devtmpfs on /dev', async () => {
    const r = await runSh('cat /proc/mounts; df /', { config: { showBoot: true } });
    expect(r.output).toContain('VFS: Mounted root (ext2 filesystem) readonly on device 3:1.\n');
    expect(r.output).toMatch(/Checking root file system\.\.\.fsck from util-linux 2\.38\.1\n\/dev\/hda1: clean, \d+\/\d+ files, \d+\/\d+ blocks\ndone\.\n/);
    expect(r.output).toMatch(/^\/dev\/root \/ ext2 rw,relatime 0 0\ndevtmpfs \/dev devtmpfs rw/m);
    expect(r.output).toMatch(/^lab \/home\/lab hostfs rw/m);
    expect(r.output).toMatch(/^\/dev\/root +\d+ +\d+ +\d+ +\d+% \/$/m);
    expect(r.machine.rootCheck).toMatchObject({ device: '/dev/hda1', exitCode: 0, clean: true });
  });

  it('2.2: "VFS: Mounted root (ext2 filesystem) readonly.", /etc/mtab, and a static /dev on the root that keeps what mknod adds', async () => {
    const r = await runSh('cat /etc/mtab; sudo mknod /dev/mydev c 42 0; sudo reboot\nls -l /dev/mydev; dmesg | grep VFS', { config: { personality: '2.2', showBoot: false } });
    expect(r.output).toMatch(/^\/dev\/hda1 \/ ext2 rw 0 0\nproc \/proc proc rw 0 0\nlab \/home\/lab hostfs rw 0 0\n/);
    expect(r.output).toMatch(/\ncrw-r--r-- 1 root root 42, 0 .* \/dev\/mydev\n/);
    expect(r.output).toMatch(/\] VFS: Mounted root \(ext2 filesystem\) readonly\.\n$/);
  });

  it('e2fsck refuses the read-write root, and checks it once it is read-only', async () => {
    const r = await runSh('sudo e2fsck /dev/hda1; echo "status $?"; sudo mount -o remount,ro /; grep " / " /proc/mounts; sudo e2fsck -n /dev/hda1; echo "status $?"; sudo mount -o remount,rw /; touch /home/user/x && echo writable');
    expect(r.output).toMatch(/^\/dev\/hda1 is mounted\.\ne2fsck: Cannot continue, aborting\.\n\n\nstatus 8\n/);
    expect(r.output).toMatch(/\/dev\/root \/ ext2 ro,relatime 0 0\nWarning! {2}\/dev\/hda1 is mounted\.\ne2fsck 1\.47\.0 \(5-Feb-2023\)\n\/dev\/hda1: clean, .*\nstatus 0\nwritable\n$/);
  });

  it('the programs are files on the disk: a copy runs, one overwritten with junk is refused', async () => {
    const r = await runSh('ls -l /bin/ls; cp /bin/ls /tmp/x && /tmp/x -d /boot; echo junk | sudo tee /bin/true >/dev/null; /bin/true; echo "status $?"; echo ok');
    expect(r.output).toMatch(/^-rwxr-xr-x 1 root root +\d+ .* \/bin\/ls\n\/boot\n/);
    expect(r.output).toContain('/bin/true: Exec format error\nstatus 126\nok\n');
  });
});

describe('what is on the disk stays there', () => {
  it('a file under /home/user and a reboot: there after the reboot, and the workspace is not on the disk', async () => {
    const r = await runSh('echo kept > /home/user/f; echo mine > /home/lab/w; sudo reboot\ncat /home/user/f; cat /home/lab/w');
    expect(r.output).toMatch(/kept\nmine\n$/);
    expect(readDiskText(r.machine.config.disk, '/home/user/f')).toBe('kept\n');
    expect(readDiskText(r.machine.config.disk, '/home/lab/w')).toBeUndefined();
  });

  it('driverlab sh --disk: a later run sees what an earlier one wrote (the session ends with the disk unmounted); --fresh-disk starts over', async () => {
    const workspace = tempWorkspace();
    const image = path.join(workspace, 'disks', 'mine.img');
    let out = '';
    const run = (script: string, extra: Partial<Options> = {}) => {
      out = '';
      return runScript({ workspace, personality: 'modern', seed: 1, showBoot: true, disk: image, script, ...extra }, (t) => { out += t; });
    };
    expect(await run('echo "my notes" > /home/user/notes; echo driverbox | sudo tee /etc/hostname >/dev/null')).toBe(0);
    expect(await run('cat /home/user/notes; hostname')).toBe(0);
    expect(out.replace(/\r\n/g, '\n')).toMatch(/\/dev\/hda1: clean, .*\n(.*\n)*my notes\ndriverbox\n$/);
    expect(await run('cat /home/user/notes', { freshDisk: true })).toBe(1);
    expect(out).toContain('cat: /home/user/notes: No such file or directory');
  });

  it('a blank disk is installed at the first power-on: partition table, ext2 on hda1, the system, LILO', async () => {
    const disk = newMemoryDisk();
    let out = '';
    const m = new Machine(createNodeHost({ workspace: tempWorkspace() }), { disk, showBoot: false }, (t) => { out += t; });
    m.boot();
    m.endInput();
    expect(await m.runShell('ls /boot; grep -c . /etc/passwd; ls -ld /tmp /home/user')).toBe(0);
    expect(out.replace(/\r\n/g, '\n')).toMatch(/^boot\.b\tmap {2}vmlinuz {2}vmlinuz-6\.8\.0-driverlab\n2\n/);
    expect(out).toMatch(/drwxrwxrwt .* \/tmp/);
    expect(out).toMatch(/drwxr-xr-x .* user +user .* \/home\/user/);
    expect(new TextDecoder().decode(disk.readSectors(0, 1).subarray(6, 10))).toBe('LILO');
  });
});
