// The C library of TypeScript programs: system calls as async methods on a
// process handle. Failures throw SysError with the errno, like -1/errno in C.
import type { Kernel, ProgramMain } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched.js';
import { Errno, strerror } from '../kernel/errno.js';
import { ScratchMemory } from '../kernel/uaccess.js';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, O_APPEND, O_RDWR, S_IFMT, S_IFDIR, S_IFREG, type OpenFile, type Inode, type StatFs } from '../kernel/fs/types.js';
import { doMount, doUmount, statfsOf } from '../kernel/fs/namespace.js';

export { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, O_APPEND, O_RDWR };

export class SysError extends Error {
  constructor(readonly errno: number, readonly syscall = '') {
    super(strerror(errno));
  }
}

export interface StatInfo {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  rdev: number;
  ino: number;
  /** The device of the file system holding the file (st_dev). */
  dev: number;
  mtimeNs: number;
  isDir: boolean;
  /** st_blocks: 512-byte units allocated. */
  blocks: number;
  /** st_blksize: the file system's block size, the I/O size it prefers. */
  blksize: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export type Program = (p: Proc, argv: string[]) => Promise<number>;

function statOf(inode: Inode): StatInfo {
  const size = inode.size();
  const type = inode.mode & S_IFMT;
  const blksize = inode.sb.blockSize ?? PAGE_SIZE;
  return {
    mode: inode.mode, uid: inode.uid, gid: inode.gid, size, nlink: inode.nlink, rdev: inode.rdev,
    ino: inode.ino, dev: inode.sb.dev, mtimeNs: inode.mtimeNs, isDir: type === S_IFDIR, blksize,
    // A disk's file system counts what the file holds (a sparse file holds less than its size);
    // memory-backed ones (tmpfs, the host's folder as ours shows it) whole pages of content.
    blocks: inode.sectors ?? (type === S_IFREG || type === S_IFDIR ? Math.ceil(size / PAGE_SIZE) * (PAGE_SIZE / 512) : 0),
  };
}

const PAGE_SIZE = 4096;

export class Proc {
  private readonly scratch: ScratchMemory;

  constructor(readonly kernel: Kernel, readonly task: Task) {
    this.scratch = task.mm as ScratchMemory;
  }

  get pid(): number { return this.task.pid; }
  get cwd(): string { return this.task.cwd; }
  get uid(): number { return this.task.cred.euid; }
  getenv(name: string): string | undefined { return this.task.env.get(name); }
  setenv(name: string, value: string): void { this.task.env.set(name, value); }

  /** Every call passes through here: time is charged, interrupts run, signals are delivered. */
  private async sys<T>(value: () => T | Promise<T>): Promise<T> {
    const preempted = this.kernel.syscallEntry(this.task);
    if (preempted) await preempted;
    const r = await value();
    const stopped = this.kernel.signalReturn(this.task);
    if (stopped) await stopped;
    return r;
  }

  private check(r: number, name: string): number {
    if (r < 0) throw new SysError(-r === 512 ? 4 : -r, name);
    return r;
  }

  async open(path: string, flags = O_RDONLY, mode = 0o666): Promise<number> {
    return this.check(await this.sys(() => this.kernel.sysOpen(this.task, path, flags, mode)), 'open');
  }

  async close(fd: number): Promise<void> {
    this.check(await this.sys(() => this.kernel.sysClose(this.task, fd)), 'close');
  }

  /** read(2): up to `max` bytes; an empty array is end of file. */
  async read(fd: number, max = 65536): Promise<Uint8Array> {
    const addr = this.scratch.reserve(max);
    const n = this.check(await this.sys(() => this.kernel.sysRead(this.task, fd, addr, max)), 'read');
    return this.scratch.bytes().slice(addr, addr + n);
  }

  /** write(2) until everything is written (a short write continues). */
  async write(fd: number, data: string | Uint8Array): Promise<number> {
    const bytes = typeof data === 'string' ? enc.encode(data) : data;
    let done = 0;
    while (done < bytes.length || bytes.length === 0) {
      const chunk = bytes.subarray(done);
      const addr = this.scratch.reserve(chunk.length);
      this.scratch.bytes().set(chunk, addr);
      const n = this.check(await this.sys(() => this.kernel.sysWrite(this.task, fd, addr, chunk.length)), 'write');
      if (bytes.length === 0) break;
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  async lseek(fd: number, offset: number, whence: number): Promise<number> {
    return this.check(await this.sys(() => this.kernel.sysLseek(this.task, fd, offset, whence)), 'lseek');
  }

  async ioctl(fd: number, cmd: number, arg = 0): Promise<number> {
    return this.check(await this.sys(() => this.kernel.sysIoctl(this.task, fd, cmd, arg)), 'ioctl');
  }

  /** ioctl(2) with a `size`-byte argument structure: `data` goes in, what the driver left there comes back. */
  async ioctlStruct(fd: number, cmd: number, data: Uint8Array): Promise<Uint8Array> {
    const addr = this.scratch.reserve(data.length);
    this.scratch.bytes().set(data, addr);
    this.check(await this.sys(() => this.kernel.sysIoctl(this.task, fd, cmd, addr)), 'ioctl');
    return this.scratch.bytes().slice(addr, addr + data.length);
  }

  /** mount(2). */
  async mount(source: string, target: string, type: string, flags = 0): Promise<void> {
    this.check(await this.sys(() => doMount(this.kernel, { source, target, type, flags, cwd: this.task.cwd, euid: this.uid })), 'mount');
  }

  /** umount(2). */
  async umount(target: string): Promise<void> {
    this.check(await this.sys(() => doUmount(this.kernel, { target, cwd: this.task.cwd, euid: this.uid })), 'umount');
  }

  /** statfs(2): the sizes of the file system holding `path`. */
  statfs(path: string): Promise<StatFs & { type: string }> {
    return this.vfsCall('statfs', () => statfsOf(this.kernel.vfs.lookup(path, this.task.cwd, this.kernel.cred(this.task)).inode));
  }

  /** sync(2): every file system and block device writes what it caches to its disk. */
  async sync(): Promise<void> {
    await this.sys(() => this.kernel.block.syncAll());
  }

  /** fsync(2). */
  async fsync(fd: number): Promise<void> {
    this.check(await this.sys(() => {
      const f = this.kernel.fdGet(this.task, fd);
      return f ? this.kernel.block.fsync(f) : -9;
    }), 'fsync');
  }

  /** syncfs(2): the file system (or block device) the descriptor is on. */
  async syncfs(fd: number): Promise<void> {
    this.check(await this.sys(() => {
      const f = this.kernel.fdGet(this.task, fd);
      return f ? this.kernel.block.syncfs(f) : -9;
    }), 'syncfs');
  }

  async dup2(oldfd: number, newfd: number): Promise<void> {
    this.check(await this.sys(() => this.kernel.sysDup2(this.task, oldfd, newfd)), 'dup2');
  }

  async dup(oldfd: number, min = 0): Promise<number> {
    return this.check(await this.sys(() => this.kernel.sysDup(this.task, oldfd, min)), 'dup');
  }

  async pipe(): Promise<[number, number]> {
    return this.sys(() => this.kernel.sysPipe(this.task));
  }

  private vfsCall<T>(name: string, f: () => T): Promise<T> {
    return this.sys(() => {
      try {
        return f();
      } catch (e) {
        if (e instanceof Errno) throw new SysError(e.errno, name);
        throw e;
      }
    });
  }

  stat(path: string): Promise<StatInfo> {
    return this.vfsCall('stat', () => statOf(this.kernel.vfs.lookup(path, this.task.cwd, this.kernel.cred(this.task)).inode));
  }

  lstat(path: string): Promise<StatInfo> {
    return this.vfsCall('lstat', () => statOf(this.kernel.vfs.lookup(path, this.task.cwd, this.kernel.cred(this.task), false).inode));
  }

  fstat(fd: number): Promise<StatInfo> {
    return this.vfsCall('fstat', () => {
      const f = this.kernel.fdGet(this.task, fd);
      if (!f) throw new Errno(9);
      return statOf(f.inode);
    });
  }

  /** The open file behind a descriptor (for isatty and friends). */
  file(fd: number): OpenFile | undefined {
    return this.kernel.fdGet(this.task, fd);
  }

  isatty(fd: number): boolean {
    const f = this.file(fd);
    return !!f && (f.inode.mode & S_IFMT) === 0o020000 && [4, 5].includes(f.inode.rdev >>> 20);
  }

  readlink(path: string): Promise<string> {
    return this.vfsCall('readlink', () => {
      const inode = this.kernel.vfs.lookup(path, this.task.cwd, this.kernel.cred(this.task), false).inode;
      if (inode.linkTarget === undefined) throw new Errno(22);
      return inode.linkTarget;
    });
  }

  readdir(path: string): Promise<string[]> {
    return this.vfsCall('opendir', () => {
      const res = this.kernel.vfs.lookup(path, this.task.cwd, this.kernel.cred(this.task));
      if (!res.inode.dirOps) throw new Errno(20);
      if (this.uid !== 0 && !(res.inode.mode & (res.inode.uid === this.uid ? 0o400 : 0o004))) throw new Errno(13);
      return res.inode.dirOps.list(res.inode).map((e) => e.name).sort();
    });
  }

  mkdir(path: string, mode = 0o777): Promise<void> {
    return this.vfsCall('mkdir', () => this.kernel.vfs.mkdir(path, mode, this.task.cwd, this.kernel.cred(this.task)));
  }
  rmdir(path: string): Promise<void> {
    return this.vfsCall('rmdir', () => this.kernel.vfs.rmdir(path, this.task.cwd, this.kernel.cred(this.task)));
  }
  unlink(path: string): Promise<void> {
    return this.vfsCall('unlink', () => this.kernel.vfs.unlink(path, this.task.cwd, this.kernel.cred(this.task)));
  }
  rename(from: string, to: string): Promise<void> {
    return this.vfsCall('rename', () => this.kernel.vfs.rename(from, to, this.task.cwd, this.kernel.cred(this.task)));
  }
  chmod(path: string, mode: number): Promise<void> {
    return this.vfsCall('chmod', () => this.kernel.vfs.chmod(path, mode, this.task.cwd, this.kernel.cred(this.task)));
  }
  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.vfsCall('chown', () => this.kernel.vfs.chown(path, uid, gid, this.task.cwd, this.kernel.cred(this.task)));
  }
  mknod(path: string, mode: number, rdev: number): Promise<void> {
    return this.vfsCall('mknod', () => this.kernel.vfs.mknod(path, mode, rdev, this.task.cwd, this.kernel.cred(this.task)));
  }
  symlink(target: string, path: string): Promise<void> {
    return this.vfsCall('symlink', () => this.kernel.vfs.symlink(target, path, this.task.cwd, this.kernel.cred(this.task)));
  }

  async chdir(path: string): Promise<void> {
    this.check(await this.sys(() => this.kernel.sysChdir(this.task, path)), 'chdir');
    this.task.env.set('PWD', this.task.cwd);
  }

  // ---- convenience: whole files and stdio ----------------------------------------------

  async readFile(path: string): Promise<Uint8Array> {
    const fd = await this.open(path, O_RDONLY);
    try {
      return await this.readAll(fd);
    } finally {
      await this.close(fd);
    }
  }

  async readAll(fd: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const b = await this.read(fd, 65536);
      if (b.length === 0) break;
      parts.push(b);
      total += b.length;
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of parts) { out.set(p, off); off += p.length; }
    return out;
  }

  async readText(path: string): Promise<string> {
    return dec.decode(await this.readFile(path));
  }

  async writeFile(path: string, data: string | Uint8Array, append = false, mode = 0o666): Promise<void> {
    const fd = await this.open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), mode);
    try {
      if ((typeof data === 'string' ? data.length : data.length) > 0) await this.write(fd, data);
    } finally {
      await this.close(fd);
    }
  }

  async exists(path: string): Promise<boolean> {
    try { await this.stat(path); return true; } catch { return false; }
  }

  out(text: string): Promise<number> { return this.write(1, text); }
  err(text: string): Promise<number> { return this.write(2, text); }

  /** Reports an error like a Linux tool: "prog: what: strerror". */
  async fail(prog: string, what: string, e: unknown): Promise<number> {
    if (e instanceof SysError) { await this.err(`${prog}: ${what}${what ? ': ' : ''}${e.message}\n`); return 1; }
    throw e;
  }

  // ---- processes -------------------------------------------------------------------------

  /** fork+exec: starts argv[0] with the given descriptors; returns the child's pid. */
  async spawn(argv: string[], opts: { fds?: number[]; cwd?: string; env?: Map<string, string>; pgid?: number; uid?: number } = {}): Promise<number> {
    this.kernel.enter(this.task);
    const fdList = (opts.fds ?? [0, 1, 2]).map((fd) => this.kernel.fdGet(this.task, fd));
    const cred = opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid, euid: opts.uid, egid: opts.uid } : undefined;
    const child = await this.kernel.spawn(this.task, argv, { fds: fdList, cwd: opts.cwd, env: opts.env, pgid: opts.pgid, cred });
    if (typeof child === 'number') throw new SysError(-child, 'execve');
    return child.pid;
  }

  /** waitpid: resolves the child's wait status (exit code << 8, or the signal number). */
  /** waitpid(2); with `untraced` (WUNTRACED) a child's stop is reported too (see stoppedBy). */
  async waitpid(pid: number, untraced = false): Promise<{ pid: number; status: number }> {
    const r = await this.sys(() => this.kernel.waitChild(this.task, pid, untraced));
    if (typeof r === 'number') throw new SysError(-r === 512 ? 4 : -r, 'waitpid');
    return r;
  }

  async kill(pid: number, sig: number): Promise<void> {
    this.check(await this.sys(() => this.kernel.sysKill(this.task, pid, sig)), 'kill');
  }

  async sleep(ns: number): Promise<void> {
    const r = await this.sys(() => this.kernel.sleepNs(ns));
    if (r < 0) this.kernel.deliverSignals(this.task);
  }
}

/** Adapts a libc-style program to the kernel's ProgramMain. */
export function program(main: Program, kernel: Kernel): ProgramMain {
  return (task, argv) => main(new Proc(kernel, task), argv);
}

/** exit status from a wait status, as the shell reports it ($?). */
export function exitStatus(status: number): number {
  const stop = stoppedBy(status);
  if (stop) return 128 + stop;
  return (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
}

/** WIFSTOPPED/WSTOPSIG: the signal that stopped the child, or 0. */
export function stoppedBy(status: number): number {
  return (status & 0xff) === 0x7f ? (status >> 8) & 0xff : 0;
}
