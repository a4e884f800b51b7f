// Files the kernel reads and writes itself (kernel_read()/kernel_write(); 2.2 did it with
// set_fs(KERNEL_DS)): exec reading a program's first bytes, udev reading its rules, the installer
// laying down the system, klogd appending to /var/log/messages. They go through the same VFS and
// file operations as a system call, whatever file system holds the file (the ext2 root, the
// rescue system's ramfs, the host-backed workspace), with the "user" buffer in kernel memory.
import type { Kernel } from '../kernel.js';
import { EISDIR, ENOENT, Errno } from '../errno.js';
import { ScratchMemory, USER_LOWEST_ADDRESS } from '../uaccess.js';
import type { Maybe } from '../maybe.js';
import { type Inode, type OpenFile, O_APPEND, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, isDir } from './types.js';

const ROOT = { uid: 0, gid: 0, umask: 0 };
/** The most one kernel read or write moves at once. */
const CHUNK = 1 << 20;

/** A file operation's result, which for the files the kernel touches itself is never a sleep. */
function now(r: Maybe<number>, what: string): number {
  if (r instanceof Promise) throw new Error(`${what}: the file's driver would sleep; the kernel reads and writes only files that do not`);
  return r;
}

function openFile(k: Kernel, path: string, flags: number, mode = 0o644): OpenFile {
  const r = k.vfs.open(path, flags, mode, '/', ROOT);
  if (r instanceof Promise) throw new Error(`open ${path}: the file's driver would sleep`);
  if (typeof r === 'number') throw new Errno(-r);
  return r;
}

function closeFile(k: Kernel, file: OpenFile): void {
  now(k.vfs.close(file), `close ${file.path}`);
}

/** kernel_read() of a whole file (or its first `max` bytes). Throws Errno. */
export function kernelReadFile(k: Kernel, path: string, max = Infinity): Uint8Array {
  const file = openFile(k, path, O_RDONLY);
  try {
    if (isDir(file.inode.mode)) throw new Errno(EISDIR);
    const memory = new ScratchMemory();
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(CHUNK, max - total);
      if (want <= 0) break;
      memory.reserve(want);
      const n = k.withKernelMemory(memory, () => now(k.vfs.read(file, USER_LOWEST_ADDRESS, want), `read ${path}`));
      if (n < 0) throw new Errno(-n);
      if (n === 0) break;
      parts.push(memory.bytes().slice(USER_LOWEST_ADDRESS, USER_LOWEST_ADDRESS + n));
      total += n;
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  } finally {
    closeFile(k, file);
  }
}

export interface KernelWriteOptions {
  mode?: number;
  uid?: number;
  gid?: number;
  /** Append to the file instead of replacing what it holds. */
  append?: boolean;
}

/** kernel_write() of a whole file, created (owned by uid:gid, with `mode`) if it does not exist. Throws Errno. */
export function kernelWriteFile(k: Kernel, path: string, data: Uint8Array, o: KernelWriteOptions = {}): Inode {
  const file = openFile(k, path, O_WRONLY | O_CREAT | (o.append ? O_APPEND : O_TRUNC), o.mode ?? 0o644);
  try {
    const memory = new ScratchMemory();
    let done = 0;
    while (done < data.length) {
      const chunk = data.subarray(done, done + CHUNK);
      memory.reserve(chunk.length);
      memory.bytes().set(chunk, USER_LOWEST_ADDRESS);
      const n = k.withKernelMemory(memory, () => now(k.vfs.write(file, USER_LOWEST_ADDRESS, chunk.length), `write ${path}`));
      if (n < 0) throw new Errno(-n);
      if (n === 0) throw new Errno(28);
      done += n;
    }
    setAttributes(file.inode, o);
    return file.inode;
  } finally {
    closeFile(k, file);
  }
}

/** The mode and owner the kernel asked for (the fields of a file system that keeps them elsewhere through its hooks). */
export function setAttributes(inode: Inode, o: { mode?: number; uid?: number; gid?: number }): void {
  if (o.mode !== undefined && (inode.mode & 0o7777) !== (o.mode & 0o7777)) {
    if (inode.setMode) inode.setMode(o.mode);
    else inode.mode = (inode.mode & 0o170000) | (o.mode & 0o7777);
  }
  const uid = o.uid ?? inode.uid, gid = o.gid ?? inode.gid;
  if (uid !== inode.uid || gid !== inode.gid) {
    if (inode.setOwner) inode.setOwner(uid, gid);
    else { inode.uid = uid; inode.gid = gid; }
  }
}

/** mkdir -p as root: every missing directory of `path`, the last one with `mode` and owner. Returns the directory. */
export function kernelMkdirp(k: Kernel, path: string, mode = 0o755, uid = 0, gid = 0): Inode {
  // Usually the whole path is there already.
  try {
    const found = k.vfs.lookup(path, '/', ROOT).inode;
    if (isDir(found.mode)) return found;
  } catch (e) {
    if (!(e instanceof Errno)) throw e;
  }
  let prefix = '';
  let inode = k.vfs.lookup('/', '/', ROOT).inode;
  for (const part of path.split('/').filter(Boolean)) {
    prefix += `/${part}`;
    try {
      inode = k.vfs.lookup(prefix, '/', ROOT).inode;
    } catch (e) {
      if (!(e instanceof Errno) || e.errno !== ENOENT) throw e;
      k.vfs.mkdir(prefix, mode, '/', ROOT);
      inode = k.vfs.lookup(prefix, '/', ROOT).inode;
      setAttributes(inode, { mode, uid, gid });
    }
  }
  return inode;
}
