// VFS objects: inodes, open files and the operations tables behind them, named
// after include/linux/fs.h.
import type { Maybe } from '../maybe.js';

export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000,
  S_IFBLK = 0o060000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;

export const O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_EXCL = 0o200,
  O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000, O_NONBLOCK = 0o4000, O_DIRECTORY = 0o200000,
  O_CLOEXEC = 0o2000000;

export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
export const FMODE_READ = 1, FMODE_WRITE = 2, FMODE_LSEEK = 4, FMODE_PREAD = 8, FMODE_PWRITE = 0x10;

export const isDir = (mode: number) => (mode & S_IFMT) === S_IFDIR;
export const isReg = (mode: number) => (mode & S_IFMT) === S_IFREG;
export const isChr = (mode: number) => (mode & S_IFMT) === S_IFCHR;
export const isLnk = (mode: number) => (mode & S_IFMT) === S_IFLNK;
export const isFifo = (mode: number) => (mode & S_IFMT) === S_IFIFO;

export const MINORBITS = 20;
export const MKDEV = (major: number, minor: number) => ((major << MINORBITS) | minor) >>> 0;
export const MAJOR = (dev: number) => dev >>> MINORBITS;
export const MINOR = (dev: number) => dev & ((1 << MINORBITS) - 1);

/** Operations on an open file. Byte counts and results follow the kernel: >= 0 or -errno. */
export interface FileOperations {
  /** Called on open; returns 0 or -errno. */
  open?(inode: Inode, file: OpenFile): Maybe<number>;
  release?(inode: Inode, file: OpenFile): Maybe<number>;
  /** Reads into the current task's memory at `ubuf`; advances file.pos. */
  read?(file: OpenFile, ubuf: number, count: number): Maybe<number>;
  write?(file: OpenFile, ubuf: number, count: number): Maybe<number>;
  llseek?(file: OpenFile, offset: number, whence: number): Maybe<number>;
  ioctl?(file: OpenFile, cmd: number, arg: number): Maybe<number>;
  /** fsync(2): what the file holds in caches reaches its device; 0 or -errno (-EIO when the device refused). */
  fsync?(file: OpenFile): Maybe<number>;
}

export interface DirEntry {
  name: string;
  inode: Inode;
}

/** Directory operations (inode_operations for directories). Errors throw Errno. */
export interface DirOperations {
  lookup(dir: Inode, name: string): Inode | undefined;
  list(dir: Inode): DirEntry[];
  create?(dir: Inode, name: string, mode: number, uid: number, gid: number, rdev?: number): Inode;
  mkdir?(dir: Inode, name: string, mode: number, uid: number, gid: number): Inode;
  symlink?(dir: Inode, name: string, target: string, uid: number, gid: number): Inode;
  unlink?(dir: Inode, name: string): void;
  rmdir?(dir: Inode, name: string): void;
  rename?(dir: Inode, name: string, newDir: Inode, newName: string): void;
  /** link(2): another name in `dir` for an existing inode (never a directory). */
  link?(inode: Inode, dir: Inode, name: string): void;
}

export interface SuperBlock {
  /** Type as /proc/mounts shows it (rootfs, proc, hostfs ...). */
  type: string;
  readOnly: boolean;
  dev: number;
  /** s_blocksize, for file systems with blocks (st_blksize); memory ones use the page size. */
  blockSize?: number;
  /** sync_fs(): file systems with a disk behind them write their dirty metadata and data. */
  sync?(): void;
  /** remount(): switches between read-write and read-only (a switch to read-only syncs first). */
  remount?(readOnly: boolean): void;
  /** Unmounts: syncs and marks the file system clean on disk. */
  unmount?(): void;
  /** statfs(): sizes for df. */
  statfs?(): StatFs;
}

/** struct kstatfs, as df reads it. */
export interface StatFs {
  blockSize: number;
  blocks: number;
  freeBlocks: number;
  /** Blocks available to unprivileged users (free minus the reserved blocks). */
  availBlocks: number;
  files: number;
  freeFiles: number;
}

export interface Inode {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  rdev: number;
  mtimeNs: number;
  sb: SuperBlock;
  size(): number;
  fops: FileOperations;
  dirOps?: DirOperations;
  /** Symlink target. */
  linkTarget?: string;
  /** chmod/chown/truncate hooks for file systems that persist metadata elsewhere. */
  setMode?(mode: number): void;
  setOwner?(uid: number, gid: number): void;
  truncate?(size: number): void;
  /** bmap(): the device block holding block `lblk` of the file, 0 for a hole (file systems on a disk). */
  bmap?(lblk: number): number;
  /** st_blocks: 512-byte sectors the file holds on its disk (holes hold none), for file systems on a disk. */
  sectors?: number;
  /** Content for regular files in memory-backed file systems. */
  data?: Uint8Array;
  /** File-system private data. */
  priv?: unknown;
}

export interface OpenFile {
  inode: Inode;
  path: string;
  flags: number;
  fmode: number;
  pos: number;
  fops: FileOperations;
  refs: number;
  /** private_data for TypeScript-side drivers. */
  priv?: unknown;
}
