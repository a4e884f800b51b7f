// User programs: WASI (wasi_snapshot_preview1) binaries built by our gcc, run
// as processes whose system calls the simulated kernel serves. Their linear
// memory is the process's address space (ARCHITECTURE.md decision 2).
import { NS_PER_FUEL, type Kernel, type ProgramMain } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched.js';
import { TaskKilled, SIGSEGV, SIGFPE } from '../kernel/sched.js';
import type { Inode } from '../kernel/fs/types.js';
import { ENOEXEC, Errno } from '../kernel/errno.js';
import { kernelReadFile } from '../kernel/fs/kernel-io.js';
import { O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NONBLOCK, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, S_IFMT, S_IFDIR, S_IFCHR, S_IFBLK, S_IFREG, S_IFLNK, S_IFIFO } from '../kernel/fs/types.js';
import type { UserMemory } from '../kernel/uaccess.js';
import { outOfMemory } from '../kernel/memory.js';

/** Linux errno -> WASI errno (wasi-libc's errno.h uses the WASI numbering). */
const WASI_ERRNO: Record<number, number> = {
  1: 63, 2: 44, 3: 71, 4: 27, 5: 29, 6: 60, 7: 1, 8: 45, 9: 8, 10: 12, 11: 6, 12: 48, 13: 2, 14: 21, 16: 10, 17: 20,
  18: 75, 19: 43, 20: 54, 21: 31, 22: 28, 23: 41, 24: 33, 25: 59, 26: 74, 27: 22, 28: 51, 29: 70, 30: 69, 31: 34,
  32: 64, 33: 18, 34: 68, 35: 16, 36: 37, 37: 46, 38: 52, 39: 55, 40: 32, 95: 58, 110: 73, 512: 27,
};
export const toWasiErrno = (linux: number) => WASI_ERRNO[linux] ?? 29;

const WASI_EBADF = 8, WASI_ENOSYS = 52, WASI_ENOTDIR = 54;
const FILETYPE = { UNKNOWN: 0, BLOCK: 1, CHAR: 2, DIR: 3, REG: 4, SOCK_STREAM: 6, SYMLINK: 7 };
/**
 * The one preopened directory: "/" as fd 3, through which wasi-libc resolves every path. It is
 * fd 3 only while the process has no file there: the program's first open() gets 3, as on Linux,
 * and from then on fd 3 is that file (paths still resolve through dirfd 3).
 */
const PREOPEN_FD = 3;

class ProcExit extends Error {
  constructor(readonly code: number) { super(`exit ${code}`); }
}

function filetype(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFDIR: return FILETYPE.DIR;
    case S_IFCHR: return FILETYPE.CHAR;
    case S_IFBLK: return FILETYPE.BLOCK;
    case S_IFREG: return FILETYPE.REG;
    case S_IFLNK: return FILETYPE.SYMLINK;
    case S_IFIFO: return FILETYPE.SOCK_STREAM;
    default: return FILETYPE.UNKNOWN;
  }
}

/** Recognises a WASI binary and runs it (an exec loader of the kernel). */
export function wasiLoader(k: Kernel) {
  return async (_task: Task, path: string, inode: Inode, argv: string[]): Promise<ProgramMain | number> => {
    void inode;
    // The binary is read through the VFS, whatever file system holds it (kernel_read()).
    let bytes: Uint8Array;
    try {
      bytes = kernelReadFile(k, path);
    } catch {
      return -ENOEXEC;
    }
    if (!bytes || bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) return -ENOEXEC;
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(bytes as BufferSource);
    } catch {
      return -ENOEXEC;
    }
    if (!WebAssembly.Module.exports(module).some((e) => e.name === '_start')) return -ENOEXEC;
    void argv;
    return (task, args) => runWasi(k, task, module, args);
  };
}

async function runWasi(k: Kernel, task: Task, module: WebAssembly.Module, argv: string[]): Promise<number> {
  const memory: { current?: WebAssembly.Memory } = {};
  // Views are remade only when memory.grow() replaced the buffer.
  let viewBuffer: ArrayBuffer | undefined;
  let cachedU8 = new Uint8Array(0);
  let cachedView = new DataView(new ArrayBuffer(0));
  const refresh = () => {
    const buffer = memory.current!.buffer;
    if (buffer !== viewBuffer) { viewBuffer = buffer; cachedU8 = new Uint8Array(buffer); cachedView = new DataView(buffer); }
  };
  const u8 = () => { refresh(); return cachedU8; };
  const view = () => { refresh(); return cachedView; };
  const mm: UserMemory = { bytes: u8, resident: () => memory.current?.buffer.byteLength ?? 0 };
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const str = (ptr: number, len: number) => dec.decode(u8().subarray(ptr, ptr + len));
  const env = [...task.env].map(([key, v]) => `${key}=${v}`);
  const cred = () => k.cred(task);
  // Sleeping system calls (Asyncify): the program's stack is unwound, the task
  // sleeps, and when it is resumed the import is called again and gets the result.
  let pending: Promise<number> | undefined;
  let resumed = 0;
  const state = () => (instance.exports.asyncify_get_state as (() => number) | undefined)?.() ?? 0;
  const sync = (r: number | Promise<number>): number => {
    if (!(r instanceof Promise)) return r;
    if (!asyncData) throw new Error('this program was built without Asyncify and cannot sleep in a system call');
    pending = r;
    (instance.exports.asyncify_start_unwind as (p: number) => void)(asyncData);
    return 0;
  };
  /** Runs a system call unless this import is being resumed, in which case it is the call's result. */
  const syscall = (f: () => number | Promise<number>): number => {
    if (state() === 2) {
      (instance.exports.asyncify_stop_rewind as () => void)();
      // The return to user space: a signal that arrived meanwhile (even one sent while the task
      // slept uninterruptibly) takes effect here.
      k.deliverSignals(task);
      return resumed;
    }
    const r = sync(f());
    if (!unwinding()) k.deliverSignals(task);
    return r;
  };
  const unwinding = () => state() === 1;
  /** Progress of a multi-buffer read/write that slept in the middle: resumed where it stopped. */
  let vecProgress: { index: number; total: number } | undefined;
  const vectored = (iovs: number, iovsLen: number, out: number, op: (base: number, len: number) => number | Promise<number>): number => {
    const start = state() === 2 && vecProgress ? vecProgress : { index: 0, total: 0 };
    vecProgress = undefined;
    let total = start.total;
    for (let i = start.index; i < iovsLen; i++) {
      const base = view().getUint32(iovs + i * 8, true), len = view().getUint32(iovs + i * 8 + 4, true);
      if (len === 0) continue;
      const r = syscall(() => op(base, len));
      if (unwinding()) { vecProgress = { index: i, total }; return 0; }
      if (r < 0) { if (total) break; return errno(r); }
      total += r;
      if (r < len) break;
    }
    view().setUint32(out, total, true);
    return 0;
  };
  const errno = (r: number) => (r < 0 ? toWasiErrno(-r) : 0);
  const absPath = (dirfd: number, ptr: number, len: number): string | number => {
    if (dirfd !== PREOPEN_FD) return WASI_EBADF;
    return '/' + str(ptr, len);
  };
  const vfsErr = (f: () => void): number => {
    try { f(); return 0; } catch (e) { if (e instanceof Errno) return toWasiErrno(e.errno); throw e; }
  };
  const stat = (inode: Inode, ptr: number) => {
    const v = view();
    v.setBigUint64(ptr, BigInt(inode.sb.dev), true);
    v.setBigUint64(ptr + 8, BigInt(inode.ino), true);
    v.setUint8(ptr + 16, filetype(inode.mode));
    v.setBigUint64(ptr + 24, BigInt(inode.nlink), true);
    v.setBigUint64(ptr + 32, BigInt(inode.size()), true);
    const t = BigInt(Math.round(inode.mtimeNs));
    v.setBigUint64(ptr + 40, t, true);
    v.setBigUint64(ptr + 48, t, true);
    v.setBigUint64(ptr + 56, t, true);
  };
  /** The program grew (malloc took pages): if that left the machine short, the OOM killer picks a victim. */
  let sizeSeen = 0;
  const checkGrowth = () => {
    const size = memory.current?.buffer.byteLength ?? 0;
    if (size > sizeSeen) { sizeSeen = size; outOfMemory(k, task); }
  };
  const charge = () => { checkGrowth(); k.enter(task); };
  const isPreopen = (fd: number) => fd === PREOPEN_FD && !k.fdGet(task, fd);
  /** fsync(2) and fdatasync(2); stdio and pipes have none (EINVAL), as on Linux. */
  const fsync = (fd: number): number => {
    charge();
    if (isPreopen(fd)) return 0;
    const f = k.fdGet(task, fd);
    return f ? syncResult(k.block.fsync(f)) : -9;
  };

  const wasi = {
    args_sizes_get(argcPtr: number, sizePtr: number) {
      view().setUint32(argcPtr, argv.length, true);
      view().setUint32(sizePtr, argv.reduce((a, s) => a + enc.encode(s).length + 1, 0), true);
      return 0;
    },
    args_get(argvPtr: number, bufPtr: number) {
      let p = bufPtr;
      argv.forEach((a, i) => {
        view().setUint32(argvPtr + i * 4, p, true);
        const b = enc.encode(a);
        u8().set(b, p);
        u8()[p + b.length] = 0;
        p += b.length + 1;
      });
      return 0;
    },
    environ_sizes_get(countPtr: number, sizePtr: number) {
      view().setUint32(countPtr, env.length, true);
      view().setUint32(sizePtr, env.reduce((a, s) => a + enc.encode(s).length + 1, 0), true);
      return 0;
    },
    environ_get(envPtr: number, bufPtr: number) {
      let p = bufPtr;
      env.forEach((e, i) => {
        view().setUint32(envPtr + i * 4, p, true);
        const b = enc.encode(e);
        u8().set(b, p);
        u8()[p + b.length] = 0;
        p += b.length + 1;
      });
      return 0;
    },
    fd_write(fd: number, iovs: number, iovsLen: number, nwritten: number) {
      return vectored(iovs, iovsLen, nwritten, (base, len) => { charge(); return k.sysWrite(task, fd, base, len); });
    },
    fd_read(fd: number, iovs: number, iovsLen: number, nread: number) {
      return vectored(iovs, iovsLen, nread, (base, len) => { charge(); return k.sysRead(task, fd, base, len); });
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffset: number) {
      const r = syscall(() => { charge(); return k.sysLseek(task, fd, Number(offset), whence); });
      if (unwinding()) return 0;
      if (r < 0) return errno(r);
      view().setBigUint64(newOffset, BigInt(r), true);
      return 0;
    },
    fd_tell(fd: number, out: number) {
      const f = k.fdGet(task, fd);
      if (!f) return WASI_EBADF;
      view().setBigUint64(out, BigInt(f.pos), true);
      return 0;
    },
    fd_close(fd: number) {
      if (isPreopen(fd)) return 0;
      const r = syscall(() => { charge(); return k.sysClose(task, fd); });
      return unwinding() ? 0 : errno(r);
    },
    fd_fdstat_get(fd: number, ptr: number) {
      const v = view();
      if (isPreopen(fd)) {
        v.setUint8(ptr, FILETYPE.DIR); v.setUint16(ptr + 2, 0, true);
        v.setBigUint64(ptr + 8, 0xffffffffn, true); v.setBigUint64(ptr + 16, 0xffffffffn, true);
        return 0;
      }
      const f = k.fdGet(task, fd);
      if (!f) return WASI_EBADF;
      const type = filetype(f.inode.mode);
      v.setUint8(ptr, type);
      v.setUint16(ptr + 2, (f.flags & O_APPEND ? 1 : 0) | (f.flags & O_NONBLOCK ? 4 : 0), true);
      // A terminal has no seek/tell rights: wasi-libc's isatty() then sees a tty and line-buffers stdout, like glibc.
      const seekable = type === FILETYPE.REG || type === FILETYPE.DIR || type === FILETYPE.BLOCK;
      const rights = seekable ? 0x1fffffffn : 0x1fffffffn & ~(1n << 2n) & ~(1n << 5n);
      v.setBigUint64(ptr + 8, rights, true);
      v.setBigUint64(ptr + 16, rights, true);
      return 0;
    },
    fd_fdstat_set_flags() { return 0; },
    fd_prestat_get(fd: number, ptr: number) {
      if (!isPreopen(fd)) return WASI_EBADF;
      view().setUint8(ptr, 0);
      view().setUint32(ptr + 4, 1, true);
      return 0;
    },
    fd_prestat_dir_name(fd: number, ptr: number, len: number) {
      if (!isPreopen(fd)) return WASI_EBADF;
      if (len >= 1) u8()[ptr] = 0x2f;
      return 0;
    },
    fd_filestat_get(fd: number, ptr: number) {
      if (isPreopen(fd)) { stat(k.vfs.lookup('/', '/', cred()).inode, ptr); return 0; }
      const f = k.fdGet(task, fd);
      if (!f) return WASI_EBADF;
      stat(f.inode, ptr);
      return 0;
    },
    fd_filestat_set_size(fd: number, size: bigint) {
      const f = k.fdGet(task, fd);
      if (!f) return WASI_EBADF;
      f.inode.truncate?.(Number(size));
      return 0;
    },
    fd_sync(fd: number) { return errno(fsync(fd)); },
    fd_datasync(fd: number) { return errno(fsync(fd)); },
    fd_advise() { return 0; },
    fd_allocate() { return 0; },
    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, usedPtr: number) {
      const f = k.fdGet(task, fd);
      if (!f) return WASI_EBADF;
      if (!f.inode.dirOps) return WASI_ENOTDIR;
      const entries = [{ name: '.', inode: f.inode }, { name: '..', inode: f.inode }, ...f.inode.dirOps.list(f.inode)];
      let used = 0;
      for (let i = Number(cookie); i < entries.length; i++) {
        const e = entries[i]!;
        const name = enc.encode(e.name);
        const rec = new Uint8Array(24 + name.length);
        const rv = new DataView(rec.buffer);
        rv.setBigUint64(0, BigInt(i + 1), true);
        rv.setBigUint64(8, BigInt(e.inode.ino), true);
        rv.setUint32(16, name.length, true);
        rv.setUint8(20, filetype(e.inode.mode));
        rec.set(name, 24);
        const n = Math.min(rec.length, bufLen - used);
        u8().set(rec.subarray(0, n), buf + used);
        used += n;
        if (used >= bufLen) break;
      }
      view().setUint32(usedPtr, used, true);
      return 0;
    },
    path_open(dirfd: number, _dirflags: number, pathPtr: number, pathLen: number, oflags: number, rightsBase: bigint, _ri: bigint, fdflags: number, fdPtr: number) {
      charge();
      const path = absPath(dirfd, pathPtr, pathLen);
      if (typeof path === 'number') return path;
      const read = (rightsBase & (1n << 1n)) !== 0n || (oflags & 2) !== 0;
      const write = (rightsBase & (1n << 6n)) !== 0n;
      let flags = read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY;
      if (oflags & 1) flags |= O_CREAT;
      if (oflags & 2) flags |= O_DIRECTORY;
      if (oflags & 4) flags |= O_EXCL;
      if (oflags & 8) flags |= O_TRUNC;
      if (fdflags & 1) flags |= O_APPEND;
      if (fdflags & 4) flags |= O_NONBLOCK;
      const r = syscall(() => k.sysOpen(task, path, flags, 0o666));
      if (unwinding()) return 0;
      if (r < 0) return errno(r);
      view().setUint32(fdPtr, r, true);
      return 0;
    },
    path_filestat_get(dirfd: number, flags: number, pathPtr: number, pathLen: number, ptr: number) {
      charge();
      const path = absPath(dirfd, pathPtr, pathLen);
      if (typeof path === 'number') return path;
      return vfsErr(() => stat(k.vfs.lookup(path, '/', cred(), (flags & 1) !== 0).inode, ptr));
    },
    path_create_directory(dirfd: number, ptr: number, len: number) {
      const path = absPath(dirfd, ptr, len);
      if (typeof path === 'number') return path;
      return vfsErr(() => k.vfs.mkdir(path, 0o777, '/', cred()));
    },
    path_unlink_file(dirfd: number, ptr: number, len: number) {
      const path = absPath(dirfd, ptr, len);
      if (typeof path === 'number') return path;
      return vfsErr(() => k.vfs.unlink(path, '/', cred()));
    },
    path_remove_directory(dirfd: number, ptr: number, len: number) {
      const path = absPath(dirfd, ptr, len);
      if (typeof path === 'number') return path;
      return vfsErr(() => k.vfs.rmdir(path, '/', cred()));
    },
    path_rename(fd1: number, p1: number, l1: number, fd2: number, p2: number, l2: number) {
      const a = absPath(fd1, p1, l1), b = absPath(fd2, p2, l2);
      if (typeof a === 'number') return a;
      if (typeof b === 'number') return b;
      return vfsErr(() => k.vfs.rename(a, b, '/', cred()));
    },
    path_readlink(dirfd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number) {
      const path = absPath(dirfd, ptr, len);
      if (typeof path === 'number') return path;
      let target = '';
      const e = vfsErr(() => {
        const inode = k.vfs.lookup(path, '/', cred(), false).inode;
        if (inode.linkTarget === undefined) throw new Errno(22);
        target = inode.linkTarget;
      });
      if (e) return e;
      const b = enc.encode(target).subarray(0, bufLen);
      u8().set(b, buf);
      view().setUint32(usedPtr, b.length, true);
      return 0;
    },
    path_symlink(p1: number, l1: number, dirfd: number, p2: number, l2: number) {
      const path = absPath(dirfd, p2, l2);
      if (typeof path === 'number') return path;
      return vfsErr(() => k.vfs.symlink(str(p1, l1), path, '/', cred()));
    },
    path_filestat_set_times() { return 0; },
    path_link() { return WASI_ENOSYS; },
    clock_res_get(_id: number, ptr: number) { view().setBigUint64(ptr, 1000n, true); return 0; },
    clock_time_get(id: number, _precision: bigint, ptr: number) {
      const ns = id === 0 ? k.wallTimeNs() : k.clock.now;
      view().setBigUint64(ptr, BigInt(Math.round(ns)), true);
      return 0;
    },
    poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number) {
      // sleep()/usleep()/nanosleep(): the task sleeps (interruptibly) on a timer.
      let latest = 0;
      for (let i = 0; i < nsubs; i++) {
        const sub = inPtr + i * 48;
        const tag = view().getUint8(sub + 8);
        if (tag === 0) {
          const timeout = Number(view().getBigUint64(sub + 24, true));
          const abs = (view().getUint16(sub + 40, true) & 1) !== 0;
          latest = Math.max(latest, abs ? timeout - k.clock.now : timeout);
        }
      }
      syscall(() => k.sleepNs(Math.max(0, latest)));
      if (unwinding()) return 0;
      k.deliverSignals(task);
      for (let i = 0; i < nsubs; i++) {
        const ev = outPtr + i * 32;
        view().setBigUint64(ev, view().getBigUint64(inPtr + i * 48, true), true);
        view().setUint16(ev + 8, 0, true);
        view().setUint8(ev + 10, view().getUint8(inPtr + i * 48 + 8));
      }
      view().setUint32(neventsPtr, nsubs, true);
      return 0;
    },
    proc_exit(code: number) { throw new ProcExit(code); },
    proc_raise(sig: number) { throw new TaskKilled(sig); },
    sched_yield() { return 0; },
    random_get(buf: number, len: number) {
      let seed = (task.pid * 2654435761) >>> 0;
      for (let i = 0; i < len; i++) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; u8()[buf + i] = seed >>> 16; }
      return 0;
    },
    sock_accept() { return WASI_ENOSYS; },
    sock_recv() { return WASI_ENOSYS; },
    sock_send() { return WASI_ENOSYS; },
    sock_shutdown() { return WASI_ENOSYS; },
    fd_pread() { return WASI_ENOSYS; },
    fd_pwrite() { return WASI_ENOSYS; },
    fd_renumber(from: number, to: number) { const r = sync(k.sysDup2(task, from, to)); if (r < 0) return errno(r); return errno(sync(k.sysClose(task, from))); },
    fd_filestat_set_times() { return 0; },
  };
  /** Fuel handed out at the last preemption point (see Host.asyncify). */
  let fuelGiven = 0;
  const driverlab = {
    /** A preemption point of the program's loops: time slices end here and signals arrive. */
    tick() {
      if (state() === 2) { (instance.exports.asyncify_stop_rewind as () => void)(); return; }
      const fuel = instance.exports.__dl_fuel as WebAssembly.Global;
      const used = fuelGiven - (fuel.value as number);
      fuel.value = fuelGiven = k.sched.quantum();
      checkGrowth();
      const wait = k.preemptionPoint(task, 'user', used * NS_PER_FUEL, true);
      if (wait) sync(wait.then(() => 0));
    },
    /** ioctl(2): reaches the driver's unlocked_ioctl with the request and pointer unchanged. */
    ioctl(fd: number, req: number, arg: number) {
      const r = syscall(() => { charge(); return k.sysIoctl(task, fd, req >>> 0, arg >>> 0); });
      if (unwinding()) return 0;
      return r < 0 ? -toWasiErrno(-r) : r;
    },
    raise(sig: number) { throw new TaskKilled(sig); },
    /** sync(2): every file system and disk (the block layer's I/O is synchronous: no sleep here). */
    sync() { charge(); k.block.syncAll(); },
    syncfs(fd: number) {
      charge();
      const f = k.fdGet(task, fd);
      return f ? k.block.syncfs(f) : -9;
    },
    getpid() { return task.pid; },
    getppid() { return task.parent?.pid ?? 0; },
    getuid() { return task.cred.uid; },
    geteuid() { return task.cred.euid; },
  };
  const imports: WebAssembly.Imports = { wasi_snapshot_preview1: wasi as unknown as WebAssembly.ModuleImports, driverlab: driverlab as unknown as WebAssembly.ModuleImports };
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = imports[imp.module];
    if (imp.kind === 'function' && (!ns || !(imp.name in ns))) {
      (imports[imp.module] ??= {})[imp.name] = () => WASI_ENOSYS;
    }
  }
  const instance = new WebAssembly.Instance(module, imports);
  memory.current = instance.exports.memory as WebAssembly.Memory;
  task.mm = mm;
  // The Asyncify buffer lives at the top of the program's memory, in a page of its own.
  let asyncData = 0;
  if (typeof instance.exports.asyncify_start_unwind === 'function') {
    const mem = memory.current;
    asyncData = mem.grow(1) * 65536;
    view().setUint32(asyncData, asyncData + 8, true);
    view().setUint32(asyncData + 4, asyncData + 65536, true);
  }
  const start = instance.exports._start as () => void;
  try {
    start();
    while (state() === 1) {
      (instance.exports.asyncify_stop_unwind as () => void)();
      const wait = pending!;
      pending = undefined;
      resumed = await wait;
      (instance.exports.asyncify_start_rewind as (p: number) => void)(asyncData);
      start();
    }
    return 0;
  } catch (e) {
    if (e instanceof ProcExit) return e.code;
    if (e instanceof TaskKilled) throw e;
    if (e instanceof WebAssembly.RuntimeError) {
      // Like show_unhandled_signals: the fault is logged, as "prog[pid]: segfault at ..." is on Linux.
      k.printk(`\x016${task.comm}[${task.pid}]: ${e.message}\n`);
      throw new TaskKilled(signalForTrap(e.message));
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new TaskKilled(SIGSEGV);
    throw e;
  }
}

/** A sync result: the block layer's I/O never sleeps (polled IDE), so no Promise ever comes back. */
function syncResult(r: number | Promise<number>): number {
  if (r instanceof Promise) throw new Error('BUG: fsync slept; it must be added to BLOCKING_SYSCALLS');
  return r;
}

/** The signal a real CPU would have raised for this trap. */
function signalForTrap(message: string): number {
  if (/divide by zero|integer overflow/i.test(message)) return SIGFPE;
  // unreachable (our NULL-dereference check), out-of-bounds memory, bad indirect calls.
  return SIGSEGV;
}

