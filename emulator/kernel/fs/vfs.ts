// The virtual file system switch: mount table, path lookup with symlinks and
// permission checks, and the file-level operations behind the system calls.
import { EACCES, EBADF, EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, ENOTTY, EPERM, ESPIPE, EXDEV, EROFS, Errno } from '../errno.js';
import { andThen, type Maybe } from '../maybe.js';
import { type FileOperations, type Inode, type OpenFile, type SuperBlock, FMODE_READ, FMODE_WRITE, FMODE_LSEEK, O_ACCMODE,
  O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, S_IFREG, isDir, isLnk, isReg } from './types.js';

export interface Cred {
  uid: number;
  gid: number;
}

export const MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4;

/** Linux's generic_permission: owner, group, other bits; root passes all but exec on non-executables. */
export function permission(inode: Inode, cred: Cred, mask: number): boolean {
  if (cred.uid === 0) {
    if (!(mask & MAY_EXEC) || isDir(inode.mode)) return true;
    return (inode.mode & 0o111) !== 0;
  }
  let bits = inode.mode & 7;
  if (cred.uid === inode.uid) bits = (inode.mode >> 6) & 7;
  else if (cred.gid === inode.gid) bits = (inode.mode >> 3) & 7;
  return (bits & mask) === mask;
}

export function normalizePath(path: string, cwd: string): string {
  const abs = path.startsWith('/') ? path : `${cwd}/${path}`;
  const out: string[] = [];
  for (const part of abs.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export interface Mount {
  path: string;
  root: Inode;
  source: string;
  options: string;
}

export interface Resolved {
  path: string;
  inode: Inode;
}

/** The hook that gives device nodes their driver (char devices, later block devices). */
export type DeviceOpener = (inode: Inode) => FileOperations | number;

export class Vfs {
  /** The mount table in mount order; the first entry is the root. A later mount on a path hides an earlier one. */
  private mounts: Mount[] = [];
  openDevice: DeviceOpener = () => -19;

  constructor(root: Inode) {
    this.mounts.push({ path: '/', root, source: 'rootfs', options: 'rw' });
  }

  /** Mounts `root` on `path` (a directory); it hides what is there, an earlier mount included, until unmounted. */
  mount(path: string, root: Inode, source: string, options = 'rw'): void {
    this.mounts.push({ path, root, source, options });
  }

  /** mount_root(): the root file system replaces the one the kernel started with (rootfs). */
  setRoot(root: Inode, source: string, options: string): void {
    this.mounts[0] = { path: '/', root, source, options };
  }

  /** Takes the newest mount on `path` off the table; the mount, or undefined if nothing is mounted there. */
  unmount(path: string): Mount | undefined {
    for (let i = this.mounts.length - 1; i > 0; i--) {
      if (this.mounts[i]!.path === path) return this.mounts.splice(i, 1)[0];
    }
    return undefined;
  }

  /** The mounted file systems' superblocks, each once, in mount order (sync walks them). */
  superBlocks(): SuperBlock[] {
    return [...new Set(this.mounts.map((m) => m.root.sb))];
  }

  mountTable(): { path: string; type: string; source: string; options: string }[] {
    return this.mounts.map((m) => ({ path: m.path, type: m.root.sb.type, source: m.source, options: m.options }));
  }

  /** The mount table itself, in mount order: for what walks every mounted file system (sync, remount, shutdown). */
  mounted(): readonly Mount[] {
    return this.mounts;
  }

  /** The mount visible at `path` (the newest one there), if `path` is a mount point. */
  mountAt(path: string): Mount | undefined {
    for (let i = this.mounts.length - 1; i >= 0; i--) if (this.mounts[i]!.path === path) return this.mounts[i];
    return undefined;
  }

  /**
   * Resolves a path to an inode following symlinks (the last one only if
   * `followLast`). Needs search (x) permission on every directory crossed.
   */
  lookup(path: string, cwd: string, cred: Cred, followLast = true, depth = 0): Resolved {
    if (depth > 40) throw new Errno(ELOOP);
    const abs = normalizePath(path, cwd);
    const parts = abs.split('/').filter(Boolean);
    let cur = this.mountAt('/')!.root;
    let curPath = '';
    for (let i = 0; i < parts.length; i++) {
      if (!isDir(cur.mode)) throw new Errno(ENOTDIR);
      if (!permission(cur, cred, MAY_EXEC)) throw new Errno(EACCES);
      const name = parts[i]!;
      const next = cur.dirOps!.lookup(cur, name);
      if (!next) throw new Errno(ENOENT);
      const nextPath = `${curPath}/${name}`;
      const last = i === parts.length - 1;
      if (isLnk(next.mode) && (!last || followLast)) {
        const target = next.linkTarget ?? '';
        const rest = parts.slice(i + 1).join('/');
        const joined = normalizePath(target, curPath || '/') + (rest ? `/${rest}` : '');
        return this.lookup(joined, '/', cred, followLast, depth + 1);
      }
      const mounted = this.mountAt(nextPath);
      cur = mounted ? mounted.root : next;
      curPath = nextPath;
    }
    return { path: curPath || '/', inode: cur };
  }

  /** The parent directory of a path (resolved) and the final name. */
  lookupParent(path: string, cwd: string, cred: Cred): { dir: Inode; dirPath: string; name: string } {
    const abs = normalizePath(path, cwd);
    if (abs === '/') throw new Errno(EEXIST);
    const parent = this.lookup(dirname(abs), '/', cred);
    if (!isDir(parent.inode.mode)) throw new Errno(ENOTDIR);
    return { dir: parent.inode, dirPath: parent.path, name: basename(abs) };
  }

  private checkWritableDir(dir: Inode, cred: Cred): void {
    if (dir.sb.readOnly) throw new Errno(EROFS);
    if (!permission(dir, cred, MAY_WRITE | MAY_EXEC)) throw new Errno(EACCES);
  }

  /** open(2) up to the driver's open method. Returns the file or -errno (possibly after the driver slept). */
  open(path: string, flags: number, mode: number, cwd: string, cred: Cred & { umask: number }): Maybe<OpenFile | number> {
    let res: Resolved;
    try {
      try {
        res = this.lookup(path, cwd, cred);
        if ((flags & O_CREAT) && (flags & O_EXCL)) return -EEXIST;
      } catch (e) {
        if (!(e instanceof Errno) || e.errno !== ENOENT || !(flags & O_CREAT)) throw e;
        const { dir, dirPath, name } = this.lookupParent(path, cwd, cred);
        this.checkWritableDir(dir, cred);
        if (!dir.dirOps?.create) return -EPERM;
        const inode = dir.dirOps.create(dir, name, S_IFREG | (mode & ~cred.umask & 0o7777), cred.uid, cred.gid);
        res = { path: `${dirPath === '/' ? '' : dirPath}/${name}`, inode };
      }
    } catch (e) {
      if (e instanceof Errno) return -e.errno;
      throw e;
    }
    const inode = res.inode;
    const acc = flags & O_ACCMODE;
    if ((flags & O_DIRECTORY) && !isDir(inode.mode)) return -ENOTDIR;
    if (isDir(inode.mode) && acc !== O_RDONLY) return -EISDIR;
    const want = (acc === O_RDONLY ? MAY_READ : acc === O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE);
    if (!permission(inode, cred, want)) return -EACCES;
    if (acc !== O_RDONLY && inode.sb.readOnly && isReg(inode.mode)) return -EROFS;
    let fops: FileOperations = inode.fops;
    const type = inode.mode & 0o170000;
    if (type === 0o020000 || type === 0o060000) {
      const dev = this.openDevice(inode);
      if (typeof dev === 'number') return dev;
      fops = dev;
    }
    const fmode = (acc === O_RDONLY || acc === O_RDWR ? FMODE_READ : 0) | (acc === O_WRONLY || acc === O_RDWR ? FMODE_WRITE : 0) | FMODE_LSEEK;
    const file: OpenFile = { inode, path: res.path, flags, fmode, pos: 0, fops, refs: 1 };
    if ((flags & O_TRUNC) && isReg(inode.mode) && acc !== O_RDONLY) {
      // Truncation writes (a host-backed file, a full host disk): its failure is open's.
      try {
        inode.truncate?.(0);
      } catch (e) {
        if (e instanceof Errno) return -e.errno;
        throw e;
      }
    }
    if (!fops.open) return file;
    return andThen(fops.open(inode, file), (r) => (r < 0 ? r : file));
  }

  read(file: OpenFile, ubuf: number, count: number): Maybe<number> {
    if (!(file.fmode & FMODE_READ)) return -EBADF;
    if (isDir(file.inode.mode)) return -EISDIR;
    if (!file.fops.read) return -EINVAL;
    return file.fops.read(file, ubuf, count);
  }

  write(file: OpenFile, ubuf: number, count: number): Maybe<number> {
    if (!(file.fmode & FMODE_WRITE)) return -EBADF;
    if (!file.fops.write) return -EINVAL;
    return file.fops.write(file, ubuf, count);
  }

  llseek(file: OpenFile, offset: number, whence: number): Maybe<number> {
    if (file.fops.llseek) return file.fops.llseek(file, offset, whence);
    return -ESPIPE;
  }

  ioctl(file: OpenFile, cmd: number, arg: number): Maybe<number> {
    if (!file.fops.ioctl) return -ENOTTY;
    return file.fops.ioctl(file, cmd, arg);
  }

  /** Drops a reference; the last one calls the driver's release. */
  close(file: OpenFile): Maybe<number> {
    if (--file.refs > 0) return 0;
    if (!file.fops.release) return 0;
    return file.fops.release(file.inode, file);
  }

  mkdir(path: string, mode: number, cwd: string, cred: Cred & { umask: number }): void {
    const { dir, name } = this.lookupParent(path, cwd, cred);
    if (dir.dirOps!.lookup(dir, name)) throw new Errno(EEXIST);
    this.checkWritableDir(dir, cred);
    if (!dir.dirOps?.mkdir) throw new Errno(EPERM);
    dir.dirOps.mkdir(dir, name, mode & ~cred.umask & 0o7777, cred.uid, cred.gid);
  }

  mknod(path: string, mode: number, rdev: number, cwd: string, cred: Cred & { umask: number }): void {
    const { dir, name } = this.lookupParent(path, cwd, cred);
    if (dir.dirOps!.lookup(dir, name)) throw new Errno(EEXIST);
    const type = mode & 0o170000;
    if ((type === 0o020000 || type === 0o060000) && cred.uid !== 0) throw new Errno(EPERM);
    this.checkWritableDir(dir, cred);
    if (!dir.dirOps?.create) throw new Errno(EPERM);
    dir.dirOps.create(dir, name, type | (mode & ~cred.umask & 0o7777), cred.uid, cred.gid, rdev);
  }

  symlink(target: string, path: string, cwd: string, cred: Cred): void {
    const { dir, name } = this.lookupParent(path, cwd, cred);
    if (dir.dirOps!.lookup(dir, name)) throw new Errno(EEXIST);
    this.checkWritableDir(dir, cred);
    if (!dir.dirOps?.symlink) throw new Errno(EPERM);
    dir.dirOps.symlink(dir, name, target, cred.uid, cred.gid);
  }

  unlink(path: string, cwd: string, cred: Cred): void {
    const { dir, name } = this.lookupParent(path, cwd, cred);
    const victim = dir.dirOps!.lookup(dir, name);
    if (!victim) throw new Errno(ENOENT);
    if (isDir(victim.mode)) throw new Errno(EISDIR);
    this.checkWritableDir(dir, cred);
    if (!dir.dirOps?.unlink) throw new Errno(EPERM);
    dir.dirOps.unlink(dir, name);
  }

  rmdir(path: string, cwd: string, cred: Cred): void {
    const { dir, name } = this.lookupParent(path, cwd, cred);
    const victim = dir.dirOps!.lookup(dir, name);
    if (!victim) throw new Errno(ENOENT);
    if (!isDir(victim.mode)) throw new Errno(ENOTDIR);
    this.checkWritableDir(dir, cred);
    if (!dir.dirOps?.rmdir) throw new Errno(EPERM);
    dir.dirOps.rmdir(dir, name);
  }

  rename(from: string, to: string, cwd: string, cred: Cred): void {
    const src = this.lookupParent(from, cwd, cred);
    const dst = this.lookupParent(to, cwd, cred);
    if (!src.dir.dirOps!.lookup(src.dir, src.name)) throw new Errno(ENOENT);
    if (src.dir.sb !== dst.dir.sb) throw new Errno(EXDEV);
    this.checkWritableDir(src.dir, cred);
    this.checkWritableDir(dst.dir, cred);
    src.dir.dirOps!.rename!(src.dir, src.name, dst.dir, dst.name);
  }

  chmod(path: string, mode: number, cwd: string, cred: Cred): void {
    const { inode } = this.lookup(path, cwd, cred);
    if (cred.uid !== 0 && cred.uid !== inode.uid) throw new Errno(EPERM);
    if (inode.setMode) inode.setMode(mode);
    else inode.mode = (inode.mode & 0o170000) | (mode & 0o7777);
  }

  chown(path: string, uid: number, gid: number, cwd: string, cred: Cred): void {
    const { inode } = this.lookup(path, cwd, cred);
    if (cred.uid !== 0) throw new Errno(EPERM);
    if (inode.setOwner) inode.setOwner(uid, gid);
    else { if (uid >= 0) inode.uid = uid; if (gid >= 0) inode.gid = gid; }
  }
}
