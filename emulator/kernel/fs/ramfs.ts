// ramfs: the in-memory root file system (fs/ramfs). Regular files keep their
// bytes in a Uint8Array; device nodes and FIFOs carry only metadata.
import { EEXIST, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EINVAL, Errno } from '../errno.js';
import { type DirEntry, type DirOperations, type FileOperations, type Inode, type OpenFile, type SuperBlock,
  S_IFDIR, S_IFLNK, S_IFREG, S_IFMT, isDir, SEEK_CUR, SEEK_END, SEEK_SET } from './types.js';
import type { Maybe } from '../maybe.js';

export interface FsContext {
  now(): number;
  nextIno(): number;
  /** Copies bytes to the current task's memory; returns bytes not copied. */
  toUser(uaddr: number, src: Uint8Array): number;
  fromUser(uaddr: number, len: number): Uint8Array | undefined;
}

export function genericLlseek(file: OpenFile, offset: number, whence: number, size: number): number {
  let pos: number;
  if (whence === SEEK_SET) pos = offset;
  else if (whence === SEEK_CUR) pos = file.pos + offset;
  else if (whence === SEEK_END) pos = size + offset;
  else return -EINVAL;
  if (pos < 0) return -EINVAL;
  file.pos = pos;
  return pos;
}

/** read() of bytes the kernel already holds: copies from file.pos and advances it (simple_read_from_buffer). */
export function readFromBuffer(ctx: FsContext, file: OpenFile, data: Uint8Array, ubuf: number, count: number): number {
  if (file.pos >= data.length) return 0;
  const n = Math.min(count, data.length - file.pos);
  if (ctx.toUser(ubuf, data.subarray(file.pos, file.pos + n)) !== 0) return -14;
  file.pos += n;
  return n;
}

/** Read/write over inode.data, shared by every memory-backed regular file. */
export function memoryFileOps(ctx: FsContext): FileOperations {
  return {
    read: (file, ubuf, count) => readFromBuffer(ctx, file, file.inode.data ?? new Uint8Array(0), ubuf, count),
    write(file, ubuf, count): Maybe<number> {
      const src = ctx.fromUser(ubuf, count);
      if (!src) return -14;
      const inode = file.inode;
      let data = inode.data ?? new Uint8Array(0);
      if (file.flags & 0o2000) file.pos = data.length;
      const end = file.pos + count;
      if (end > data.length) {
        const grown = new Uint8Array(Math.max(end, Math.min(data.length * 2, end + (1 << 20))));
        grown.set(data);
        data = grown.subarray(0, end);
        inode.data = data;
      }
      data.set(src, file.pos);
      file.pos = end;
      inode.mtimeNs = ctx.now();
      return count;
    },
    llseek(file, offset, whence) {
      return genericLlseek(file, offset, whence, file.inode.data?.length ?? 0);
    },
  };
}

export class RamFs {
  readonly sb: SuperBlock;
  readonly root: Inode;
  private readonly fileOps: FileOperations;
  private readonly dirOps: DirOperations;

  constructor(private readonly ctx: FsContext, type = 'rootfs', dev = 1) {
    this.sb = { type, readOnly: false, dev };
    this.fileOps = memoryFileOps(ctx);
    const children = (dir: Inode) => dir.priv as Map<string, Inode>;
    const self: RamFs = this.self();
    this.dirOps = {
      lookup: (dir, name) => children(dir).get(name),
      list: (dir) => [...children(dir)].map(([name, inode]): DirEntry => ({ name, inode })),
      create(dir, name, mode, uid, gid, rdev = 0) {
        self.checkFree(dir, name);
        const inode = self.newInode(mode, uid, gid, rdev);
        children(dir).set(name, inode);
        return inode;
      },
      mkdir(dir, name, mode, uid, gid) {
        self.checkFree(dir, name);
        const inode = self.newInode(S_IFDIR | (mode & 0o7777), uid, gid);
        children(dir).set(name, inode);
        dir.nlink++;
        return inode;
      },
      symlink(dir, name, target, uid, gid) {
        self.checkFree(dir, name);
        const inode = self.newInode(S_IFLNK | 0o777, uid, gid);
        inode.linkTarget = target;
        children(dir).set(name, inode);
        return inode;
      },
      unlink(dir, name) {
        const inode = children(dir).get(name);
        if (!inode) throw new Errno(ENOENT);
        if (isDir(inode.mode)) throw new Errno(EISDIR);
        children(dir).delete(name);
        inode.nlink--;
      },
      rmdir(dir, name) {
        const inode = children(dir).get(name);
        if (!inode) throw new Errno(ENOENT);
        if (!isDir(inode.mode)) throw new Errno(ENOTDIR);
        if (children(inode).size) throw new Errno(ENOTEMPTY);
        children(dir).delete(name);
        dir.nlink--;
      },
      rename(dir, name, newDir, newName) {
        const inode = children(dir).get(name);
        if (!inode) throw new Errno(ENOENT);
        const existing = children(newDir).get(newName);
        if (existing && isDir(existing.mode) && children(existing).size) throw new Errno(ENOTEMPTY);
        children(dir).delete(name);
        children(newDir).set(newName, inode);
      },
    };
    this.root = this.newInode(S_IFDIR | 0o755, 0, 0);
  }

  private self(): RamFs {
    return this;
  }

  private checkFree(dir: Inode, name: string): void {
    if ((dir.priv as Map<string, Inode>).has(name)) throw new Errno(EEXIST);
  }

  newInode(mode: number, uid: number, gid: number, rdev = 0): Inode {
    const dir = (mode & S_IFMT) === S_IFDIR;
    const inode: Inode = {
      ino: this.ctx.nextIno(),
      mode: (mode & S_IFMT) === 0 ? S_IFREG | mode : mode,
      uid, gid,
      nlink: dir ? 2 : 1,
      rdev,
      mtimeNs: this.ctx.now(),
      sb: this.sb,
      size() { return this.linkTarget !== undefined ? this.linkTarget.length : dir ? 4096 : this.data?.length ?? 0; },
      fops: this.fileOps,
    };
    if (dir) { inode.dirOps = this.dirOps; inode.priv = new Map<string, Inode>(); }
    inode.truncate = (size: number) => {
      const old = inode.data ?? new Uint8Array(0);
      const next = new Uint8Array(size);
      next.set(old.subarray(0, Math.min(size, old.length)));
      inode.data = next;
    };
    return inode;
  }
}
