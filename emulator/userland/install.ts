// The userland: what the distribution's installer lays down on the root file system (the system
// files, once, when a disk is installed: emulator/installer.ts), and what every boot needs of it
// (the built-in programs runnable, the loader of user programs).
//
// The root file system as installed: the programs in /bin, /sbin, /usr/bin (files that name their
// built-in: kernel/binfmt.ts), /etc (fstab, lilo.conf, passwd, group, hostname, udev's rules), /boot
// with the kernel image, /usr/src with the kernel headers (and on 2.2 the kernel tree),
// /lib/modules, /home/user (the learner's), /root, /tmp, /var, /dev (2.2: the static nodes of
// MAKEDEV; modern: the mount point of devtmpfs), and the mount points /proc, /sys, /mnt and
// /home/lab (the workspace, which is never on the disk).
import type { Kernel, ProgramMain } from '../kernel/kernel.js';
import { program, type Program, type Proc } from './libc.js';
import { shProgram } from './sh.js';
import { COREUTILS } from './commands/coreutils/index.js';
import { insmod, rmmod, lsmod, modinfo } from './commands/kmod.js';
import { dmesg, uname, sudo, id, whoami, hostname, clear, help } from './commands/system.js';
import { makeProgram } from './commands/make.js';
import { ps } from './commands/ps.js';
import { stty } from './commands/stty.js';
import { haltCommand, shutdownCommand } from './commands/shutdown.js';
import { free } from './commands/free.js';
import { df, mount, umount } from './commands/mount.js';
import { fsck, mke2fs } from './commands/e2fsprogs.js';
import { buildModules, cleanModules, headersDir, installHeaders } from '../toolchain/kbuild.js';
import { gccProgram, installUserHeaders } from '../toolchain/gcc.js';
import { wasiLoader } from './wasi.js';
import { installBootFiles, lilo } from './commands/bootcmds.js';
import { arProgram, ldProgram, nmProgram } from '../toolchain/binutils.js';
import { installKernelTree, kernelTreePrograms } from '../toolchain/linux22/tree.js';
import { MKDEV, S_IFBLK, S_IFCHR } from '../kernel/fs/types.js';
import { DISK_GID } from '../kernel/block/index.js';
import { Errno, EEXIST } from '../kernel/errno.js';

const BIN_DIRS: Record<string, string> = {
  insmod: '/sbin', rmmod: '/sbin', lsmod: '/sbin', modinfo: '/sbin', sudo: '/usr/bin', make: '/usr/bin', id: '/usr/bin',
  whoami: '/usr/bin', clear: '/usr/bin', help: '/usr/bin', gcc: '/usr/bin', cc: '/usr/bin', free: '/usr/bin',
  shutdown: '/sbin', halt: '/sbin', reboot: '/sbin', poweroff: '/sbin',
  lilo: '/sbin', ld: '/usr/bin', ar: '/usr/bin', nm: '/usr/bin',
  fsck: '/sbin', 'fsck.ext2': '/sbin', e2fsck: '/sbin', mke2fs: '/sbin', 'mkfs.ext2': '/sbin', df: '/bin', mount: '/bin', umount: '/bin',
};

/** Every built-in program and the file the installer gives it. */
export function systemPrograms(k: Kernel): [string, ProgramMain][] {
  const programs: Record<string, Program> = {
    ...COREUTILS,
    sh: shProgram(k),
    insmod: insmod(k), rmmod: rmmod(k), lsmod: lsmod(k), modinfo: modinfo(k),
    dmesg: dmesg(k), uname: uname(k), sudo, id, whoami, hostname: hostname(k), clear, help,
    make: makeProgram(k), ps: ps(k), free: free(k), stty: stty(k),
    gcc: gccProgram(k), cc: gccProgram(k),
    shutdown: shutdownCommand(k), halt: haltCommand(k), reboot: haltCommand(k), poweroff: haltCommand(k),
    lilo: lilo(k), ld: ldProgram(k), ar: arProgram, nm: nmProgram,
    mount: mount(k), umount: umount(k), df: df(k),
    fsck: fsck(k), 'fsck.ext2': fsck(k), e2fsck: fsck(k), mke2fs: mke2fs(k), 'mkfs.ext2': mke2fs(k),
  };
  const out: [string, ProgramMain][] = Object.entries(programs).map(([name, main]) => [`${BIN_DIRS[name] ?? '/bin'}/${name}`, program(main, k)]);
  out.push([`${headersDir(k)}/scripts/kbuild`, program(kbuildProgram(k), k)]);
  if (k.personality === '2.2') out.push(...kernelTreePrograms(k));
  return out;
}

/** Every boot: the built-ins answer to their files, and gcc's programs run. */
export function registerUserland(k: Kernel): void {
  for (const [path, main] of systemPrograms(k)) k.registerProgram(path.slice(path.lastIndexOf('/') + 1), main);
  k.execLoaders.push(wasiLoader(k));
}

/** The installer: the system's files on `k`'s root file system (which must be writable). */
export function installSystem(k: Kernel): void {
  installDirectories(k);
  installEtc(k);
  installDeviceNodes(k);
  for (const [path, main] of systemPrograms(k)) k.installProgram(path, main);
  k.vfs.symlink('sh', '/bin/bash', '/', { uid: 0, gid: 0 });
  installUserHeaders(k);
  installBuildTree(k);
  installBootFiles(k);
  if (k.personality === '2.2') installKernelTree(k);
}

/** The file system hierarchy: owners and modes as a distribution sets them. */
function installDirectories(k: Kernel): void {
  const modern = k.personality === 'modern';
  const dirs: [string, number, number?][] = [
    ['/bin', 0o755], ['/sbin', 0o755], ['/etc', 0o755], ['/boot', 0o755], ['/dev', 0o755], ['/lib', 0o755],
    ['/mnt', 0o755], ['/proc', 0o555], ['/root', 0o700], ['/tmp', 0o1777], ['/home', 0o755],
    ['/usr/bin', 0o755], ['/usr/sbin', 0o755], ['/usr/lib', 0o755], ['/usr/include', 0o755], ['/usr/local/bin', 0o755],
    ['/usr/src', 0o755], ['/var/log/fsck', 0o755], ['/var/tmp', 0o1777], ['/var/run', 0o755],
  ];
  if (modern) dirs.push(['/sys', 0o555], ['/etc/udev/rules.d', 0o755]);
  for (const [path, mode] of dirs) k.mkdirp(path, mode);
  k.mkdirp('/home/user', 0o755, 1000, 1000);
  // The workspace's mount point: what is in it comes from the host, never from this disk.
  k.mkdirp('/home/lab', 0o755, 1000, 1000);
}

/** /etc/fstab as the installer writes it: the root, /proc (and /sys), and the lab workspace. */
export function defaultFstab(personality: 'modern' | '2.2'): string {
  const rows = [
    ['/dev/hda1', '/', 'ext2', 'defaults', '0', '1'],
    ['proc', '/proc', 'proc', 'defaults', '0', '0'],
    ...(personality === 'modern' ? [['sysfs', '/sys', 'sysfs', 'defaults', '0', '0']] : []),
    ['lab', '/home/lab', 'hostfs', 'defaults', '0', '0'],
  ];
  const line = (r: string[]) => `${r[0]!.padEnd(15)} ${r[1]!.padEnd(15)} ${r[2]!.padEnd(7)} ${r[3]!.padEnd(15)} ${r[4]!.padEnd(7)} ${r[5]}\n`;
  return `# /etc/fstab: static file system information.
#
# The lab workspace (/home/lab) is a folder of the host: DriverLab mounts it
# at every boot, and nothing written there is ever on this disk.
#
${line(['# <file system>', '<mount point>', '<type>', '<options>', '<dump>', '<pass>'])}${rows.map(line).join('')}`;
}

function installEtc(k: Kernel): void {
  const modern = k.personality === 'modern';
  k.writeSystemFile('/etc/hostname', `${k.hostname}\n`);
  k.writeSystemFile('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:DriverLab learner:/home/user:/bin/sh\n');
  k.writeSystemFile('/etc/group', 'root:x:0:\nadm:x:4:\ntty:x:5:\ndisk:x:6:root\nkmem:x:15:\ndialout:x:20:\nuser:x:1000:\n');
  k.writeSystemFile('/etc/fstab', defaultFstab(k.personality));
  if (modern) {
    k.writeSystemFile('/etc/os-release', 'PRETTY_NAME="DriverLab Linux"\nNAME="DriverLab"\nID=driverlab\n');
    // util-linux keeps no table of its own: /etc/mtab is the kernel's.
    k.vfs.symlink('../proc/mounts', '/etc/mtab', '/', { uid: 0, gid: 0 });
    // The tutorial machine's udev rule: its advanced_dev node is world-writable, as in the seed's ls -l.
    k.writeSystemFile('/etc/udev/rules.d/99-driverlab-tutorial.rules',
      '# Device nodes of the kernel-module tutorial, readable and writable by everyone.\nKERNEL=="advanced_dev", MODE="0666"\n');
  } else {
    k.writeSystemFile('/etc/debian_version', '2.0\n');
    // mount and umount keep /etc/mtab; the boot scripts start it afresh at every boot.
    k.writeSystemFile('/etc/mtab', '');
  }
  k.writeSystemFile('/var/log/messages', '');
}

/**
 * /dev as MAKEDEV left it on a 1998 system (2.2): the static nodes of the devices the kernel has.
 * The modern kernel makes its nodes itself on devtmpfs; the rescue system's kernel made them in
 * its ramfs already.
 */
function installDeviceNodes(k: Kernel): void {
  if (k.personality !== '2.2') return;
  const node = (name: string, type: number, major: number, minor: number, mode: number, gid = 0) => {
    try {
      k.vfs.mknod(`/dev/${name}`, type | mode, MKDEV(major, minor), '/', { uid: 0, gid: 0, umask: 0 });
    } catch (e) {
      if (!(e instanceof Errno) || e.errno !== EEXIST) throw e;
      return;
    }
    if (gid) k.vfs.chown(`/dev/${name}`, 0, gid, '/', { uid: 0, gid: 0 });
  };
  const chr = (name: string, major: number, minor: number, mode: number, gid = 0) => node(name, S_IFCHR, major, minor, mode, gid);
  chr('mem', 1, 1, 0o640, 15); chr('kmem', 1, 2, 0o640, 15); chr('null', 1, 3, 0o666); chr('port', 1, 4, 0o640, 15);
  chr('zero', 1, 5, 0o666); chr('full', 1, 7, 0o666); chr('random', 1, 8, 0o644); chr('urandom', 1, 9, 0o644);
  chr('tty', 5, 0, 0o666); chr('console', 5, 1, 0o622, 5);
  for (let i = 0; i <= 6; i++) chr(`tty${i}`, 4, i, 0o622, 5);
  for (let i = 0; i <= 3; i++) chr(`ttyS${i}`, 4, 64 + i, 0o660, 20);
  node('hda', S_IFBLK, 3, 0, 0o660, DISK_GID);
  for (let i = 1; i <= 8; i++) node(`hda${i}`, S_IFBLK, 3, i, 0o660, DISK_GID);
}

function installBuildTree(k: Kernel): void {
  const rel = k.release.release;
  const dir = headersDir(k);
  installHeaders(k);
  k.writeSystemFile(`${dir}/Makefile`, `# DriverLab kernel build tree for ${rel}: out-of-tree modules (kbuild).
# "make -C ${dir} M=<dir> modules" builds the obj-m modules listed in <dir>/Makefile.
VERSION = ${rel.split('.')[0]}
PATCHLEVEL = ${rel.split('.')[1]}
KERNELRELEASE = ${rel}

modules:
\t@scripts/kbuild modules $(M)

clean:
\t@scripts/kbuild clean $(M)

modules_install:
\t@scripts/kbuild modules_install $(M)
`);
  k.writeSystemFile(`${dir}/Module.symvers`, k.modules.exportedSymbols().map((s) => `0x00000000\t${s}\tvmlinux\tEXPORT_SYMBOL\t\n`).join(''));
  k.mkdirp(`/lib/modules/${rel}/kernel`);
  k.mkdirp(`/lib/modules/${rel}/extra`);
  k.vfs.symlink(dir, `/lib/modules/${rel}/build`, '/', { uid: 0, gid: 0 });
}

function kbuildProgram(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const [, target, dir] = argv;
    if (!dir) { await p.err('kbuild: M= is not set: run "make -C <kernel build dir> M=$PWD modules"\n'); return 2; }
    if (target === 'modules') return buildModules(k, p, dir);
    if (target === 'clean') return cleanModules(p, dir);
    if (target === 'modules_install') {
      const names = (await p.readdir(dir)).filter((n) => n.endsWith('.ko'));
      for (const n of names) {
        await p.out(`  INSTALL /lib/modules/${k.release.release}/extra/${n}\n`);
        await p.writeFile(`/lib/modules/${k.release.release}/extra/${n}`, await p.readFile(`${dir}/${n}`));
      }
      return 0;
    }
    await p.err(`make[2]: *** No rule to make target '${target}'.  Stop.\n`);
    return 2;
  };
}
