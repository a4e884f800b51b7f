// What is mounted where (fs/namespace.c and fs/super.c; 2.2's fs/super.c): mount_root() at the end
// of the boot (root= read-only unless the command line says rw), mount(2) with its remount,
// umount(2) and statfs(2). The file system types: ext2 on a block device, and the kernel's own
// proc, sysfs and devtmpfs, the host-backed workspace (hostfs), ramfs and tmpfs.
//
// A disk file system is one superblock per device: an ext2 on /dev/hda1 mounted at / and again at
// /mnt (the modern kernel allows it; 2.2 says EBUSY) is one file system, which is only put away
// (synced, marked clean, its device closed) when its last mount goes.
import type { Kernel } from '../kernel.js';
import { EBUSY, EINVAL, ENODEV, ENOTBLK, ENOTDIR, ENXIO, EPERM, Errno } from '../errno.js';
import type { BlockIo } from '../block/blockio.js';
import type { BlockDevice } from '../block/genhd.js';
import { panic } from '../oops.js';
import { sysfsRoot } from '../params.js';
import { Ext2Fs } from './ext2/index.js';
import { HostFs } from './hostfs.js';
import { RamFs } from './ramfs.js';
import { normalizePath, type Mount } from './vfs.js';
import { type Inode, type StatFs, MAJOR, MINOR, MKDEV, S_IFBLK, S_IFMT, isDir } from './types.js';

export const MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32;
export const MNT_FORCE = 1;

/** A disk file system the kernel has mounted: the device it holds open. */
interface DiskFs {
  fs: Ext2Fs;
  io: BlockIo & { close(): void };
  bdev: BlockDevice;
}

interface Namespace {
  /** Disk file systems by device number. */
  disks: Map<number, DiskFs>;
  /** The learner's workspace, one file system however often it is mounted. */
  workspace: HostFs | undefined;
  /** Numbers for the anonymous devices of memory file systems (0:N as stat shows them). */
  nextAnonDev: number;
}

const namespaces = new WeakMap<Kernel, Namespace>();

function ns(k: Kernel): Namespace {
  let n = namespaces.get(k);
  if (!n) namespaces.set(k, n = { disks: new Map(), workspace: undefined, nextAnonDev: 30 });
  return n;
}

/** The mounted ext2 on a block device (fsck and mkfs refuse to touch it while it is mounted read-write). */
export function mountedFs(k: Kernel, dev: number): Ext2Fs | undefined {
  return ns(k).disks.get(dev)?.fs;
}

/** The block device a mounted file system lives on, if it lives on one. */
export function deviceOfSuper(k: Kernel, sb: Inode['sb']): BlockDevice | undefined {
  for (const d of ns(k).disks.values()) if (d.fs.vfsSb === sb) return d.bdev;
  return undefined;
}

/** The device number as the kernel prints it: 2.2's "03:01", the modern "3:1". */
function devName(k: Kernel, dev: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return k.personality === '2.2' ? `${hex(MAJOR(dev))}:${hex(MINOR(dev))}` : `${MAJOR(dev)}:${MINOR(dev)}`;
}

/** The mount options /proc/mounts shows for a new mount. */
export function mountOptions(k: Kernel, type: string, flags: number): string {
  const opts = [flags & MS_RDONLY ? 'ro' : 'rw'];
  if (flags & MS_NOSUID) opts.push('nosuid');
  if (flags & MS_NODEV) opts.push('nodev');
  if (flags & MS_NOEXEC) opts.push('noexec');
  if (k.personality === '2.2') return opts.join(',');
  opts.push('relatime');
  if (type === 'devtmpfs') opts.push('size=126976k', 'nr_inodes=31744', 'mode=755');
  return opts.join(',');
}

function openExt2(k: Kernel, bdev: BlockDevice, readOnly: boolean): DiskFs {
  const io = k.block.blockIo(bdev.dev);
  try {
    const fs = new Ext2Fs(io, k.fsctx, (m) => k.printk(m), bdev.dev, {
      readOnly, deviceName: bdev.name, messageStyle: k.personality === '2.2' ? '2.2' : 'modern',
      mayUseReserve: () => (k.sched.current?.cred.euid ?? 0) === 0,
    });
    return { fs, io, bdev };
  } catch (e) {
    io.close();
    throw e;
  }
}

/**
 * mount_root(): root= (k.rootDev, LILO's "root=301") mounted on /, read-only unless the command
 * line said rw, with the kernel's message. A root that cannot be mounted is the panic Linux has
 * for it. Returns false after the panic.
 */
export function mountRoot(k: Kernel): boolean {
  const modern = k.personality === 'modern';
  const dev = MKDEV(k.rootDev >> 8, k.rootDev & 0xff);
  const name = devName(k, dev);
  const fail = (why: string): false => {
    if (modern) {
      k.printk(`\x013${why}\n`);
      k.printk('\x014Please append a correct "root=" boot option; here are the available partitions:\n');
      for (const d of k.block.devices.values()) {
        k.printk(`\x016${`${MAJOR(d.dev).toString(16).padStart(2, '0')}${MINOR(d.dev).toString(16).padStart(2, '0')}`.padEnd(4)}${String(Math.floor(d.nrSects / 2)).padStart(16)} ${d.name} \n`);
      }
      panic(k, `VFS: Unable to mount root fs on unknown-block(${MAJOR(dev)},${MINOR(dev)})`);
    } else {
      k.printk(`\x013${why}\n`);
      panic(k, `VFS: Unable to mount root fs on ${name}`);
    }
    return false;
  };
  const bdev = k.block.devices.get(dev);
  if (!bdev) return fail(modern ? `VFS: Cannot open root device "${k.rootDev.toString(16)}" or unknown-block(${MAJOR(dev)},${MINOR(dev)}): error -6` : `VFS: Cannot open root device ${name}`);
  let disk: DiskFs;
  try {
    disk = openExt2(k, bdev, k.rootReadOnly);
  } catch (e) {
    if (!(e instanceof Errno)) throw e;
    return fail(modern ? 'No filesystem could mount root, tried:  ext2' : `VFS: Cannot mount root on ${name}: no file system it could recognise`);
  }
  ns(k).disks.set(dev, disk);
  k.vfs.setRoot(disk.fs.root, '/dev/root', mountOptions(k, 'ext2', k.rootReadOnly ? MS_RDONLY : 0));
  const ro = k.rootReadOnly ? ' readonly' : '';
  k.printk(`\x016VFS: Mounted root (ext2 filesystem)${ro}${modern ? ` on device ${MAJOR(dev)}:${MINOR(dev)}` : ''}.\n`);
  return true;
}

/** The file system of a type that needs no device: the kernel's own trees, the workspace, a fresh ramfs. */
function virtualFs(k: Kernel, type: string): Inode | number {
  const modern = k.personality === 'modern';
  switch (type) {
    case 'proc': return k.procfs.root;
    case 'sysfs': return (modern && sysfsRoot(k)) || -ENODEV;
    case 'devtmpfs': return k.devtmpfs?.root ?? -ENODEV;
    case 'hostfs': {
      if (!k.host.workspace) return -ENXIO;
      const n = ns(k);
      n.workspace ??= new HostFs(k.host.workspace, k.fsctx, 20);
      return n.workspace.root;
    }
    case 'ramfs':
    case 'tmpfs':
      if (!modern) return -ENODEV;
      return new RamFs(k.fsctx, type, MKDEV(0, ns(k).nextAnonDev++)).root;
    default: return -ENODEV;
  }
}

/** A path as the mount table has it: absolute, without symlinks, "." or "..". */
function canonical(k: Kernel, path: string, cwd: string): { path: string; inode: Inode } {
  const r = k.vfs.lookup(normalizePath(path, cwd), '/', { uid: 0, gid: 0 });
  return { path: r.path, inode: r.inode };
}

/**
 * mount(2) as root: `source` on `target` as `type`, or with MS_REMOUNT new flags for what is
 * mounted on `target`. Returns 0 or -errno; `euid` is the caller's.
 */
export function doMount(k: Kernel, o: { source: string; target: string; type: string; flags: number; cwd: string; euid: number }): number {
  if (o.euid !== 0) return -EPERM;
  let target: { path: string; inode: Inode };
  try {
    target = canonical(k, o.target, o.cwd);
  } catch (e) {
    if (e instanceof Errno) return -e.errno;
    throw e;
  }
  if (o.flags & MS_REMOUNT) return remount(k, target.path, o.flags);
  if (!isDir(target.inode.mode)) return -ENOTDIR;
  const readOnly = (o.flags & MS_RDONLY) !== 0;
  let root: Inode;
  let source = o.source;
  if (o.type === 'ext2') {
    let dev: Inode;
    try {
      dev = canonical(k, o.source, o.cwd).inode;
    } catch (e) {
      if (e instanceof Errno) return -e.errno;
      throw e;
    }
    if ((dev.mode & S_IFMT) !== S_IFBLK) return -ENOTBLK;
    const bdev = k.block.devices.get(dev.rdev);
    if (!bdev) return -ENXIO;
    const n = ns(k);
    const mounted = n.disks.get(bdev.dev);
    if (mounted) {
      // 2.2 mounts a device once; the modern kernel shares the superblock with a second mount.
      if (k.personality === '2.2' || mounted.fs.vfsSb.readOnly !== readOnly) return -EBUSY;
      root = mounted.fs.root;
    } else {
      try {
        const disk = openExt2(k, bdev, readOnly);
        n.disks.set(bdev.dev, disk);
        root = disk.fs.root;
      } catch (e) {
        if (e instanceof Errno) return -e.errno;
        throw e;
      }
    }
    source = normalizePath(o.source, o.cwd);
  } else {
    const r = virtualFs(k, o.type);
    if (typeof r === 'number') return r;
    root = r;
    if (readOnly) root.sb.readOnly = true;
  }
  k.vfs.mount(target.path, root, source, mountOptions(k, o.type, o.flags));
  return 0;
}

/** mount -o remount: a disk file system switches between read-write and read-only (syncing first); the table says so. */
function remount(k: Kernel, path: string, flags: number): number {
  const mount = k.vfs.mountAt(path);
  if (!mount) return -EINVAL;
  const sb = mount.root.sb;
  const readOnly = (flags & MS_RDONLY) !== 0;
  if (readOnly && !sb.readOnly && openForWriting(k, sb)) return -EBUSY;
  try {
    if (sb.remount) sb.remount(readOnly);
    sb.readOnly = readOnly;
  } catch (e) {
    if (e instanceof Errno) return -e.errno;
    throw e;
  }
  const bdev = deviceOfSuper(k, sb);
  if (bdev && readOnly) k.block.syncDevice(bdev);
  for (const m of k.vfs.mounted()) {
    if (m.root.sb === sb) m.options = m.options.replace(/^r[wo](?=,|$)/, readOnly ? 'ro' : 'rw');
  }
  return 0;
}

/** Whether a task has a file of `sb` open for writing (a remount read-only must wait for it). */
function openForWriting(k: Kernel, sb: Inode['sb']): boolean {
  for (const t of k.tasks.values()) {
    if (!t.alive) continue;
    for (const f of t.fds) if (f && f.inode.sb === sb && (f.fmode & 2) && (f.inode.mode & S_IFMT) === 0o100000) return true;
  }
  return false;
}

/** Whether a mount is in use: a task's working directory or open file in it, or a mount below it. */
function busy(k: Kernel, mount: Mount): boolean {
  const prefix = mount.path === '/' ? '/' : `${mount.path}/`;
  const sb = mount.root.sb;
  for (const t of k.tasks.values()) {
    if (!t.alive) continue;
    if (t.cwd === mount.path || t.cwd.startsWith(prefix)) return true;
    for (const f of t.fds) if (f && f.inode.sb === sb && (f.path === mount.path || f.path.startsWith(prefix))) return true;
  }
  return k.vfs.mounted().some((m) => m !== mount && m.path.startsWith(prefix));
}

/**
 * umount(2): the newest mount on `target` goes; a file system that is then mounted nowhere is
 * put away (ext2: synced, marked clean, its device closed). Returns 0 or -errno.
 */
export function doUmount(k: Kernel, o: { target: string; cwd: string; euid: number }): number {
  if (o.euid !== 0) return -EPERM;
  let path: string;
  try {
    path = canonical(k, o.target, o.cwd).path;
  } catch (e) {
    // A mount point that cannot be looked up may still be named exactly (umount /dev/hda1 style is the caller's to map).
    if (!(e instanceof Errno)) throw e;
    path = normalizePath(o.target, o.cwd);
    if (!k.vfs.mountAt(path)) return -e.errno;
  }
  const mount = k.vfs.mountAt(path);
  if (!mount || path === '/' && k.vfs.mounted()[0] === mount) return path === '/' ? -EBUSY : -EINVAL;
  if (busy(k, mount)) return -EBUSY;
  k.vfs.unmount(path);
  putSuperIfUnused(k, mount.root.sb);
  return 0;
}

/** A file system no mount uses any more is put away. */
function putSuperIfUnused(k: Kernel, sb: Inode['sb']): void {
  if (k.vfs.mounted().some((m) => m.root.sb === sb)) return;
  const n = ns(k);
  for (const [dev, d] of n.disks) {
    if (d.fs.vfsSb !== sb) continue;
    d.fs.unmount();
    k.block.syncDevice(d.bdev);
    d.io.close();
    n.disks.delete(dev);
  }
}

/** statfs(2) of the file system holding `inode`: sizes for df (a memory file system has none). */
export function statfsOf(inode: Inode): StatFs & { type: string } {
  const s = inode.sb.statfs?.() ?? { blockSize: 4096, blocks: 0, freeBlocks: 0, availBlocks: 0, files: 0, freeFiles: 0 };
  return { ...s, type: inode.sb.type };
}

/** The source a mount table entry names for a device: what mount, fsck and df compare. */
export function mountsOfDevice(k: Kernel, dev: number): Mount[] {
  const fs = mountedFs(k, dev);
  return fs ? k.vfs.mounted().filter((m) => m.root.sb === fs.vfsSb) : [];
}
