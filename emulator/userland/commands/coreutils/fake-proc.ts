// A test double for Proc, used only by the *.test.ts files beside it: an in-memory file
// system with Linux's errors, a scripted standard input, captured standard output and error,
// and a fake clock. It implements just the system calls the coreutils commands make.
import { SysError, type Proc, type Program, type StatInfo } from '../../libc.js';
import { S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from './sys-stat.js';

const ENOENT = 2, EBADF = 9, EACCES = 13, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
  EPIPE = 32, ENOTEMPTY = 39, ELOOP = 40, EPERM = 1;
const O_ACCMODE = 3, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_TRUNC = 0o1000, O_APPEND = 0o2000;

/** The machine's epoch in the lab: 2025-01-15 10:30:00 UTC. */
export const FAKE_EPOCH_NS = Date.UTC(2025, 0, 15, 10, 30, 0) * 1e6;

export interface FakeDevice {
  /** Every write() the device received, as text. */
  writes: string[];
  /** What reads return (then end of file). */
  content?: string;
  /** Return this errno from write() instead of accepting the data. */
  writeErrno?: number;
}

export interface FakeInode {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  rdev: number;
  mtimeNs: number;
  data: Uint8Array;
  children?: Map<string, FakeInode>;
  linkTarget?: string;
  device?: FakeDevice;
}

interface OpenFile {
  inode?: FakeInode;
  pos: number;
  flags: number;
  /** Standard streams: stdin chunks, or captured output. */
  stream?: 'stdin' | 'stdout' | 'stderr';
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export interface FakeOptions {
  uid?: number;
  cwd?: string;
  /** Standard input, delivered one chunk per read() (strings are UTF-8). */
  stdin?: (string | Uint8Array)[];
  /** Whether fd 1 is a terminal. */
  tty?: boolean;
  env?: Record<string, string>;
  /** Standard output accepts this many bytes, then write() fails with EPIPE. */
  stdoutLimit?: number;
  umask?: number;
  /** Programs `spawn` can run (for env). */
  programs?: Record<string, Program>;
}

/** The in-memory machine: one file system shared by the processes made from it. */
export class FakeSystem {
  private nextIno = 2;
  clockNs = FAKE_EPOCH_NS;
  readonly root: FakeInode;

  constructor() {
    this.root = this.inode(S_IFDIR | 0o755, 0, 0);
    this.mkdirs('/etc', 0);
    this.file('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:DriverLab learner:/home/user:/bin/sh\n', 0o644, 0);
    this.file('/etc/group', 'root:x:0:\nuser:x:1000:\n', 0o644, 0);
    this.mkdirs('/dev', 0);
    this.mkdirs('/tmp', 0);
    this.lookup('/tmp')!.mode = S_IFDIR | 0o1777;
    this.mkdirs('/home/user', 1000);
  }

  inode(mode: number, uid: number, gid: number): FakeInode {
    const inode: FakeInode = { ino: this.nextIno++, mode, uid, gid, nlink: 1, rdev: 0, mtimeNs: this.clockNs, data: new Uint8Array(0) };
    if ((mode & S_IFMT) === S_IFDIR) { inode.children = new Map(); inode.nlink = 2; }
    return inode;
  }

  /** Finds an absolute path without permission checks (for test setup and assertions). */
  lookup(path: string, follow = true): FakeInode | undefined {
    try { return this.resolve(path, '/', follow); } catch { return undefined; }
  }

  resolve(path: string, cwd: string, follow: boolean, depth = 0): FakeInode {
    if (depth > 40) throw new SysError(ELOOP);
    const parts = (path.startsWith('/') ? path : `${cwd}/${path}`).split('/').filter((s) => s !== '' && s !== '.');
    let node = this.root;
    const walked: string[] = [];
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k]!;
      if (part === '..') { walked.pop(); node = this.resolve('/' + walked.join('/'), '/', true, depth + 1); continue; }
      if (!node.children) throw new SysError(ENOTDIR);
      const next = node.children.get(part);
      if (!next) throw new SysError(ENOENT);
      const last = k === parts.length - 1;
      if (next.linkTarget !== undefined && (!last || follow)) {
        const base = '/' + walked.join('/');
        node = this.resolve(next.linkTarget, base, true, depth + 1);
        const rest = parts.slice(k + 1).join('/');
        return rest ? this.resolve(rest, this.pathOf(node), follow, depth + 1) : node;
      }
      walked.push(part);
      node = next;
    }
    return node;
  }

  private pathOf(target: FakeInode): string {
    const search = (dir: FakeInode, prefix: string): string | undefined => {
      if (dir === target) return prefix || '/';
      for (const [name, child] of dir.children ?? []) {
        if (child.children && child.linkTarget === undefined) {
          const found = search(child, `${prefix}/${name}`);
          if (found) return found;
        }
      }
      return undefined;
    };
    return search(this.root, '') ?? '/';
  }

  mkdirs(path: string, uid: number): FakeInode {
    let node = this.root;
    for (const part of path.split('/').filter(Boolean)) {
      let next = node.children!.get(part);
      if (!next) {
        next = this.inode(S_IFDIR | 0o755, uid, uid);
        node.children!.set(part, next);
        node.nlink++;
      }
      node = next;
    }
    return node;
  }

  file(path: string, content: string | Uint8Array, mode = 0o644, uid = 1000): FakeInode {
    const slash = path.lastIndexOf('/');
    const dir = this.mkdirs(path.slice(0, slash) || '/', 0);
    const inode = this.inode(S_IFREG | mode, uid, uid);
    inode.data = typeof content === 'string' ? enc.encode(content) : content;
    dir.children!.set(path.slice(slash + 1), inode);
    return inode;
  }

  device(path: string, major: number, minor: number, mode = 0o666, content?: string): FakeDevice {
    const slash = path.lastIndexOf('/');
    const dir = this.mkdirs(path.slice(0, slash) || '/', 0);
    const inode = this.inode(S_IFCHR | mode, 0, 0);
    inode.rdev = ((major << 20) | minor) >>> 0;
    inode.device = { writes: [], content };
    dir.children!.set(path.slice(slash + 1), inode);
    return inode.device;
  }

  symlink(path: string, target: string, uid = 1000): FakeInode {
    const slash = path.lastIndexOf('/');
    const dir = this.mkdirs(path.slice(0, slash) || '/', 0);
    const inode = this.inode(S_IFLNK | 0o777, uid, uid);
    inode.linkTarget = target;
    dir.children!.set(path.slice(slash + 1), inode);
    return inode;
  }

  text(path: string): string | undefined {
    const inode = this.lookup(path);
    return inode ? dec.decode(inode.data) : undefined;
  }

  proc(opts: FakeOptions = {}): FakeProc {
    return new FakeProc(this, opts);
  }
}

/** Runs a command in a fresh process and collects what it printed. */
export async function run(sys: FakeSystem, main: Program, argv: string[], opts: FakeOptions = {}): Promise<{ status: number; out: string; err: string; proc: FakeProc }> {
  const proc = sys.proc(opts);
  const status = await main(proc.asProc(), argv);
  return { status, out: proc.stdout(), err: proc.stderr(), proc };
}

export class FakeProc {
  readonly fds: (OpenFile | undefined)[];
  cwd: string;
  readonly uid: number;
  readonly pid = 100;
  private readonly stdinChunks: Uint8Array[];
  private outBytes: Uint8Array = new Uint8Array(0);
  private errOut: Uint8Array = new Uint8Array(0);
  /** Every write() to fd 1, for tests of write boundaries. */
  readonly stdoutWrites: Uint8Array[] = [];
  readonly task: { env: Map<string, string>; umask: number; cred: { uid: number; gid: number; euid: number; egid: number } };
  readonly kernel: {
    wallTimeNs(): number;
    cred(task: unknown): unknown;
    vfs: { lookup(path: string, cwd: string, cred: unknown, follow?: boolean): { inode: FakeInode & { sb: { dev: number } } } };
  };

  constructor(private readonly sys: FakeSystem, private readonly opts: FakeOptions) {
    this.uid = opts.uid ?? 1000;
    this.cwd = opts.cwd ?? (this.uid === 0 ? '/' : '/home/user');
    this.stdinChunks = (opts.stdin ?? []).map((c) => (typeof c === 'string' ? enc.encode(c) : c));
    this.fds = [{ pos: 0, flags: 0, stream: 'stdin' }, { pos: 0, flags: 1, stream: 'stdout' }, { pos: 0, flags: 1, stream: 'stderr' }];
    const env = new Map(Object.entries(opts.env ?? { PATH: '/bin:/usr/bin', HOME: '/home/user' }));
    this.task = { env, umask: opts.umask ?? 0o022, cred: { uid: this.uid, gid: this.uid, euid: this.uid, egid: this.uid } };
    this.kernel = {
      wallTimeNs: () => sys.clockNs,
      cred: () => ({}),
      vfs: {
        lookup: (path, cwd, _cred, follow = true) => ({ inode: Object.assign(this.sys.resolve(path, cwd, follow), { sb: { dev: 1 } }) }),
      },
    };
  }

  /** The fake seen through Proc's type: the commands only use what is implemented here. */
  asProc(): Proc {
    return this as unknown as Proc;
  }

  stdout(): string { return dec.decode(this.outBytes); }
  stderr(): string { return dec.decode(this.errOut); }
  stdoutBytes(): Uint8Array { return this.outBytes; }

  getenv(name: string): string | undefined { return this.task.env.get(name); }
  setenv(name: string, value: string): void { this.task.env.set(name, value); }
  isatty(fd: number): boolean { return fd === 1 ? !!this.opts.tty : false; }

  private writable(dir: FakeInode): void {
    if (this.uid === 0) return;
    const bits = dir.uid === this.uid ? (dir.mode >> 6) & 7 : dir.mode & 7;
    if (!(bits & 2)) throw new SysError(EACCES);
  }

  private permits(inode: FakeInode, want: number): boolean {
    if (this.uid === 0) return true;
    const bits = inode.uid === this.uid ? (inode.mode >> 6) & 7 : inode.mode & 7;
    return (bits & want) === want;
  }

  private parent(path: string): { dir: FakeInode; name: string } {
    const trimmed = path.replace(/\/+$/, '') || '/';
    const slash = trimmed.lastIndexOf('/');
    const dirPath = slash < 0 ? '.' : trimmed.slice(0, slash) || '/';
    const name = trimmed.slice(slash + 1);
    const dir = this.sys.resolve(dirPath, this.cwd, true);
    if (!dir.children) throw new SysError(ENOTDIR);
    return { dir, name };
  }

  private fd(fd: number): OpenFile {
    const f = this.fds[fd];
    if (!f) throw new SysError(EBADF);
    return f;
  }

  private statOf(inode: FakeInode): StatInfo {
    const size = inode.linkTarget !== undefined ? inode.linkTarget.length : inode.children ? 4096 : inode.data.length;
    const blocks = inode.linkTarget !== undefined ? 0 : Math.ceil(size / 4096) * 8;
    return { mode: inode.mode, uid: inode.uid, gid: inode.gid, size, nlink: inode.nlink, rdev: inode.rdev, ino: inode.ino, dev: 1, mtimeNs: inode.mtimeNs, isDir: !!inode.children, blocks, blksize: 4096 };
  }

  async open(path: string, flags = 0, mode = 0o666): Promise<number> {
    let inode: FakeInode;
    try {
      inode = this.sys.resolve(path, this.cwd, true);
      if ((flags & O_CREAT) && (flags & 0o200)) throw new SysError(EEXIST);
    } catch (e) {
      if (!(e instanceof SysError) || e.errno !== ENOENT || !(flags & O_CREAT)) throw e;
      const { dir, name } = this.parent(path);
      this.writable(dir);
      inode = this.sys.inode(S_IFREG | (mode & ~this.task.umask & 0o7777), this.uid, this.uid);
      dir.children!.set(name, inode);
    }
    const access = flags & O_ACCMODE;
    if (inode.children && access !== 0) throw new SysError(EISDIR);
    if (!this.permits(inode, access === O_WRONLY ? 2 : access === O_RDWR ? 6 : 4)) throw new SysError(EACCES);
    if ((flags & O_TRUNC) && inode.device === undefined) { inode.data = new Uint8Array(0); inode.mtimeNs = this.sys.clockNs; }
    const f: OpenFile = { inode, pos: 0, flags };
    let fd = 3;
    while (this.fds[fd]) fd++;
    this.fds[fd] = f;
    return fd;
  }

  async close(fd: number): Promise<void> {
    this.fd(fd);
    this.fds[fd] = undefined;
  }

  async read(fd: number, max = 65536): Promise<Uint8Array> {
    const f = this.fd(fd);
    if (f.stream === 'stdin') {
      const chunk = this.stdinChunks.shift();
      if (!chunk) return new Uint8Array(0);
      if (chunk.length > max) { this.stdinChunks.unshift(chunk.slice(max)); return chunk.slice(0, max); }
      return chunk;
    }
    const inode = f.inode;
    if (!inode || f.stream) throw new SysError(EBADF);
    if (inode.children) throw new SysError(EISDIR);
    const data = inode.device ? enc.encode(inode.device.content ?? '') : inode.data;
    const out = data.slice(f.pos, f.pos + max);
    f.pos += out.length;
    return out;
  }

  async write(fd: number, data: string | Uint8Array): Promise<number> {
    const bytes = typeof data === 'string' ? enc.encode(data) : data.slice();
    const f = this.fd(fd);
    if (f.stream === 'stdout') {
      const limit = this.opts.stdoutLimit;
      if (limit !== undefined && this.outBytes.length + bytes.length > limit) throw new SysError(EPIPE);
      this.stdoutWrites.push(bytes);
      this.outBytes = concat(this.outBytes, bytes);
      return bytes.length;
    }
    if (f.stream === 'stderr') { this.errOut = concat(this.errOut, bytes); return bytes.length; }
    if (f.stream === 'stdin' || !f.inode || (f.flags & O_ACCMODE) === 0) throw new SysError(EBADF);
    const inode = f.inode;
    if (inode.device) {
      if (inode.device.writeErrno) throw new SysError(inode.device.writeErrno);
      inode.device.writes.push(dec.decode(bytes));
      return bytes.length;
    }
    if (f.flags & O_APPEND) f.pos = inode.data.length;
    const end = f.pos + bytes.length;
    const next = new Uint8Array(Math.max(end, inode.data.length));
    next.set(inode.data, 0);
    next.set(bytes, f.pos);
    inode.data = next;
    inode.mtimeNs = this.sys.clockNs;
    f.pos = end;
    return bytes.length;
  }

  async readAll(fd: number): Promise<Uint8Array> {
    let all: Uint8Array = new Uint8Array(0);
    for (let b = await this.read(fd); b.length; b = await this.read(fd)) all = concat(all, b);
    return all;
  }

  async readFile(path: string): Promise<Uint8Array> {
    const fd = await this.open(path);
    try { return await this.readAll(fd); } finally { await this.close(fd); }
  }

  async readText(path: string): Promise<string> {
    return dec.decode(await this.readFile(path));
  }

  async out(text: string): Promise<number> { return this.write(1, text); }
  async err(text: string): Promise<number> { return this.write(2, text); }

  async stat(path: string): Promise<StatInfo> { return this.statOf(this.sys.resolve(path, this.cwd, true)); }
  async lstat(path: string): Promise<StatInfo> { return this.statOf(this.sys.resolve(path, this.cwd, false)); }
  async fstat(fd: number): Promise<StatInfo> {
    const f = this.fd(fd);
    if (f.stream) return { mode: 0o010600, uid: this.uid, gid: this.uid, size: 0, nlink: 1, rdev: 0, ino: 1, dev: 9, mtimeNs: 0, isDir: false, blocks: 0, blksize: 4096 };
    return this.statOf(f.inode!);
  }

  async readdir(path: string): Promise<string[]> {
    const inode = this.sys.resolve(path, this.cwd, true);
    if (!inode.children) throw new SysError(ENOTDIR);
    if (!this.permits(inode, 4)) throw new SysError(EACCES);
    return [...inode.children.keys()].sort();
  }

  async readlink(path: string): Promise<string> {
    const inode = this.sys.resolve(path, this.cwd, false);
    if (inode.linkTarget === undefined) throw new SysError(EINVAL);
    return inode.linkTarget;
  }

  private create(path: string, make: () => FakeInode): void {
    const { dir, name } = this.parent(path);
    if (dir.children!.has(name)) throw new SysError(EEXIST);
    this.writable(dir);
    dir.children!.set(name, make());
  }

  async mkdir(path: string, mode = 0o777): Promise<void> {
    this.create(path, () => this.sys.inode(S_IFDIR | (mode & ~this.task.umask & 0o7777), this.uid, this.uid));
    this.parent(path).dir.nlink++;
  }

  async mknod(path: string, mode: number, rdev: number): Promise<void> {
    const type = mode & S_IFMT;
    const { dir, name } = this.parent(path);
    if (dir.children!.has(name)) throw new SysError(EEXIST);
    if ((type === S_IFCHR || type === 0o060000) && this.uid !== 0) throw new SysError(EPERM);
    this.create(path, () => {
      const inode = this.sys.inode(type | (mode & ~this.task.umask & 0o7777), this.uid, this.uid);
      inode.rdev = rdev;
      if (type === S_IFCHR) inode.device = { writes: [] };
      return inode;
    });
  }

  async symlink(target: string, path: string): Promise<void> {
    this.create(path, () => {
      const inode = this.sys.inode(S_IFLNK | 0o777, this.uid, this.uid);
      inode.linkTarget = target;
      return inode;
    });
  }

  async unlink(path: string): Promise<void> {
    const { dir, name } = this.parent(path);
    const victim = dir.children!.get(name);
    if (!victim) throw new SysError(ENOENT);
    if (victim.children) throw new SysError(EISDIR);
    this.writable(dir);
    dir.children!.delete(name);
  }

  async rmdir(path: string): Promise<void> {
    const { dir, name } = this.parent(path);
    const victim = dir.children!.get(name);
    if (!victim) throw new SysError(ENOENT);
    if (!victim.children) throw new SysError(ENOTDIR);
    if (victim.children.size) throw new SysError(ENOTEMPTY);
    this.writable(dir);
    dir.children!.delete(name);
    dir.nlink--;
  }

  async rename(from: string, to: string): Promise<void> {
    const src = this.parent(from);
    const dst = this.parent(to);
    const inode = src.dir.children!.get(src.name);
    if (!inode) throw new SysError(ENOENT);
    this.writable(src.dir);
    this.writable(dst.dir);
    const existing = dst.dir.children!.get(dst.name);
    if (existing?.children?.size) throw new SysError(ENOTEMPTY);
    src.dir.children!.delete(src.name);
    dst.dir.children!.set(dst.name, inode);
  }

  async chmod(path: string, mode: number): Promise<void> {
    const inode = this.sys.resolve(path, this.cwd, true);
    if (this.uid !== 0 && this.uid !== inode.uid) throw new SysError(EPERM);
    inode.mode = (inode.mode & S_IFMT) | (mode & 0o7777);
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    const inode = this.sys.resolve(path, this.cwd, true);
    if (this.uid !== 0) throw new SysError(EPERM);
    if (uid >= 0) inode.uid = uid;
    if (gid >= 0) inode.gid = gid;
  }

  async chdir(path: string): Promise<void> {
    const inode = this.sys.resolve(path, this.cwd, true);
    if (!inode.children) throw new SysError(ENOTDIR);
    this.cwd = path.startsWith('/') ? path : `${this.cwd}/${path}`;
  }

  async sleep(ns: number): Promise<void> {
    this.sys.clockNs += ns;
  }

  private readonly children = new Map<number, number>();

  async spawn(argv: string[], opts: { env?: Map<string, string>; cwd?: string } = {}): Promise<number> {
    const main = this.opts.programs?.[argv[0] ?? ''];
    if (!main) throw new SysError(ENOENT, 'execve');
    const child = new FakeProc(this.sys, { ...this.opts, env: Object.fromEntries(opts.env ?? this.task.env), cwd: opts.cwd ?? this.cwd, stdin: [] });
    const status = await main(child.asProc(), argv);
    this.outBytes = concat(this.outBytes, child.stdoutBytes());
    this.errOut = concat(this.errOut, enc.encode(child.stderr()));
    const pid = 200 + this.children.size;
    this.children.set(pid, status);
    return pid;
  }

  async waitpid(pid: number): Promise<{ pid: number; status: number }> {
    return { pid, status: (this.children.get(pid) ?? 0) << 8 };
  }
}
