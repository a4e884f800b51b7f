// hostfs: the learner's workspace (/home/lab), backed by a host folder through
// the Host interface. Every write reaches the host before write() returns; a
// file is re-read from the host when opened, so edits made in the app's editor
// are seen by the next `make`.
import { EEXIST, EIO, ENOENT, EPERM, Errno } from '../errno.js';
import type { HostDirectory } from '../../host.js';
import { type DirOperations, type FileOperations, type Inode, type SuperBlock, S_IFDIR, S_IFLNK, S_IFREG } from './types.js';
import { type FsContext, genericLlseek, readFromBuffer } from './ramfs.js';

const LAB_UID = 1000;

export class HostFs {
  readonly sb: SuperBlock;
  readonly root: Inode;
  private readonly byPath = new Map<string, Inode>();
  private readonly dirOps: DirOperations;
  private readonly fileOps: FileOperations;

  constructor(private readonly host: HostDirectory, private readonly ctx: FsContext, dev: number) {
    this.sb = { type: 'hostfs', readOnly: false, dev };
    const pathOf = (inode: Inode) => inode.priv as string;
    const join = (dir: Inode, name: string) => (pathOf(dir) === '' ? name : `${pathOf(dir)}/${name}`);
    const wrap = <T>(f: () => T): T => {
      try {
        return f();
      } catch (e) {
        if (e instanceof Errno) throw e;
        throw new Errno(hostErrno(e));
      }
    };
    this.dirOps = {
      lookup: (dir, name) => this.inodeFor(join(dir, name)),
      list: (dir) => wrap(() => host.readdir(pathOf(dir)))
        .filter((n) => !n.endsWith('.driverlab-tmp'))
        .flatMap((name) => { const inode = this.inodeFor(join(dir, name)); return inode ? [{ name, inode }] : []; }),
      create: (dir, name, mode) => {
        if ((mode & 0o170000) !== 0 && (mode & 0o170000) !== S_IFREG) throw new Errno(EPERM);
        const p = join(dir, name);
        if (host.stat(p)) throw new Errno(EEXIST);
        wrap(() => host.writeFile(p, new Uint8Array(0)));
        wrap(() => host.chmod(p, mode & 0o7777));
        return this.inodeFor(p)!;
      },
      mkdir: (dir, name, mode) => {
        const p = join(dir, name);
        wrap(() => host.mkdir(p));
        wrap(() => host.chmod(p, mode & 0o7777));
        return this.inodeFor(p)!;
      },
      unlink: (dir, name) => { const p = join(dir, name); wrap(() => host.unlink(p)); this.byPath.delete(p); },
      rmdir: (dir, name) => { const p = join(dir, name); wrap(() => host.rmdir(p)); this.byPath.delete(p); },
      rename: (dir, name, newDir, newName) => {
        const from = join(dir, name), to = join(newDir, newName);
        wrap(() => host.rename(from, to));
        this.byPath.delete(from);
        this.byPath.delete(to);
      },
    };
    this.fileOps = {
      open: (inode) => {
        // Re-read on every open: the editor may have changed the file on the host.
        inode.data = wrap(() => host.readFile(pathOf(inode)));
        return 0;
      },
      read: (file, ubuf, count) => readFromBuffer(ctx, file, file.inode.data ?? new Uint8Array(0), ubuf, count),
      write: (file, ubuf, count) => {
        const src = ctx.fromUser(ubuf, count);
        if (!src) return -14;
        const inode = file.inode;
        const old = inode.data ?? new Uint8Array(0);
        if (file.flags & 0o2000) file.pos = old.length;
        const end = Math.max(old.length, file.pos + count);
        const next = new Uint8Array(end);
        next.set(old);
        next.set(src, file.pos);
        try {
          host.writeFile(pathOf(inode), next);
        } catch (e) {
          return -hostErrno(e);
        }
        inode.data = next;
        file.pos += count;
        inode.mtimeNs = ctx.now();
        return count;
      },
      llseek: (file, offset, whence) => genericLlseek(file, offset, whence, file.inode.size()),
    };
    this.root = this.makeInode('', S_IFDIR | 0o755, 0)!;
  }

  private inodeFor(path: string): Inode | undefined {
    const st = this.host.stat(path);
    if (!st) { this.byPath.delete(path); return undefined; }
    const type = st.kind === 'dir' ? S_IFDIR : st.kind === 'symlink' ? S_IFLNK : S_IFREG;
    let inode = this.byPath.get(path);
    if (!inode || (inode.mode & 0o170000) !== type) {
      inode = this.makeInode(path, type | st.mode, st.mtimeMs);
      this.byPath.set(path, inode);
    } else {
      inode.mode = type | st.mode;
      inode.mtimeNs = st.mtimeMs * 1e6;
    }
    return inode;
  }

  private makeInode(path: string, mode: number, mtimeMs: number): Inode {
    const host = this.host;
    const dir = (mode & 0o170000) === S_IFDIR;
    const inode: Inode = {
      ino: this.ctx.nextIno(),
      mode,
      uid: LAB_UID,
      gid: LAB_UID,
      nlink: dir ? 2 : 1,
      rdev: 0,
      mtimeNs: mtimeMs * 1e6,
      sb: this.sb,
      size() { return dir ? 4096 : host.stat(path)?.size ?? 0; },
      fops: this.fileOps,
      priv: path,
      setMode(m: number) { host.chmod(path, m & 0o7777); inode.mode = (inode.mode & 0o170000) | (m & 0o7777); },
      truncate(size: number) {
        const old = host.stat(path) ? host.readFile(path) : new Uint8Array(0);
        const next = new Uint8Array(size);
        next.set(old.subarray(0, Math.min(size, old.length)));
        // A full host disk: the file keeps its old content (write-then-rename), and open(O_TRUNC) fails with ENOSPC.
        try {
          host.writeFile(path, next);
        } catch (e) {
          throw new Errno(hostErrno(e));
        }
        inode.data = next;
      },
    };
    if (dir) inode.dirOps = this.dirOps;
    return inode;
  }
}

/** The errno for a host file system error (Node's e.code): what the learner's program sees. */
function hostErrno(e: unknown): number {
  const code = (e as { code?: string }).code;
  return code === 'ENOENT' ? ENOENT : code === 'EEXIST' ? EEXIST : code === 'ENOTEMPTY' ? 39 : code === 'EACCES' || code === 'EPERM' ? EPERM
    : code === 'ENOSPC' || code === 'EDQUOT' ? 28 : EIO;
}
