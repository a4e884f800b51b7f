// A mounted ext2 file system (fs/ext2/super.c): mounting checks the
// superblock and marks the disk "not clean" at once, so a crash is noticed at
// the next boot; a clean unmount or a remount read-only writes everything
// back and restores the state found at mount. It hands the VFS its
// SuperBlock, the root Inode and the operation tables.
import type { BlockIo } from '../../block/blockio.js';
import { EINVAL, EROFS, Errno } from '../../errno.js';
import type { FsContext } from '../ramfs.js';
import type { DirOperations, FileOperations, StatFs, SuperBlock } from '../types.js';
import { countFreeBlocks } from './balloc.js';
import { directoryOperations, regularFileOperations, specialFileOperations } from './file.js';
import { countFreeInodes, freeInode, newInode } from './ialloc.js';
import { Ext2Inode, type InodeOwner } from './inode.js';
import {
  EXT2_DFL_MAX_MNT_COUNT, EXT2_DYNAMIC_REV, EXT2_ERROR_FS, EXT2_FEATURE_INCOMPAT_SUPP, EXT2_FEATURE_RO_COMPAT_SUPP,
  EXT2_ROOT_INO, EXT2_SUPER_MAGIC, EXT2_SUPERBLOCK_OFFSET, EXT2_VALID_FS, SuperBlockView,
} from './layout.js';
import { ext2DirOperations, type NameiOwner } from './namei.js';
import { type Ext2MessageStyle, Ext2SbInfo, type Printk, printMountError } from './sb-info.js';

const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFREG = 0o100000;
const NS = 1e9;

export interface Ext2MountOptions {
  readOnly?: boolean;
  /** The device as messages name it: "hda1". */
  deviceName?: string;
  /** Linux 2.2's messages or 6.x's (the default). */
  messageStyle?: Ext2MessageStyle;
  /** May the task doing the current operation use the root-reserved blocks (uid 0 or CAP_SYS_RESOURCE)? Default: yes. */
  mayUseReserve?: () => boolean;
}

/** The clock and the user-memory copies ext2 needs from the kernel (its FsContext). */
export type Ext2Context = Pick<FsContext, 'now' | 'toUser' | 'fromUser'>;

export class Ext2Fs implements InodeOwner, NameiOwner {
  readonly sbi: Ext2SbInfo;
  readonly vfsSb: SuperBlock;
  readonly root: Ext2Inode;
  private readonly icache = new Map<number, Ext2Inode>();
  private readonly fileOps: FileOperations;
  private readonly dirFileOps: FileOperations;
  private readonly specialOps: FileOperations;
  private readonly dirOps: DirOperations;
  private unmounted = false;

  /**
   * ext2_fill_super(). Throws Errno(EINVAL) after printing the kernel's
   * reason when the device holds no ext2 this driver can mount.
   */
  constructor(io: BlockIo, private readonly ctx: Ext2Context, printk: Printk, dev: number, private readonly opts: Ext2MountOptions = {}) {
    const deviceName = opts.deviceName ?? 'ext2';
    const style = opts.messageStyle ?? 'modern';
    const raw = new SuperBlockView(io.bread(Math.floor(EXT2_SUPERBLOCK_OFFSET / io.blockSize)).data, EXT2_SUPERBLOCK_OFFSET % io.blockSize);
    const refuse = (text: string, text22?: string): never => {
      printMountError(printk, style, deviceName, text, text22);
      throw new Errno(EINVAL);
    };
    if (raw.s_magic !== EXT2_SUPER_MAGIC) {
      refuse(`can't find an ext2 filesystem on dev ${deviceName}.`, `VFS: Can't find an ext2 filesystem on dev ${deviceName}.`);
    }
    if (raw.s_rev_level > EXT2_DYNAMIC_REV) refuse('revision level too high', 'EXT2-fs: revision level too high');
    if (raw.s_rev_level >= EXT2_DYNAMIC_REV) {
      const incompat = raw.s_feature_incompat & ~EXT2_FEATURE_INCOMPAT_SUPP;
      if (incompat) refuse(`couldn't mount because of unsupported optional features (${incompat.toString(16)})`);
      const roCompat = raw.s_feature_ro_compat & ~EXT2_FEATURE_RO_COMPAT_SUPP;
      if (roCompat && !opts.readOnly) refuse(`couldn't mount RDWR because of unsupported optional features (${roCompat.toString(16)})`);
    }
    if ((1024 << raw.s_log_block_size) !== io.blockSize) refuse(`unsupported blocksize for fs (${1024 << raw.s_log_block_size} on a ${io.blockSize}-byte device)`);
    if (raw.s_blocks_count > io.blockCount) {
      refuse(`bad geometry: block count ${raw.s_blocks_count} exceeds size of device (${io.blockCount} blocks)`);
    }
    this.sbi = new Ext2SbInfo(io, deviceName, style, printk);
    const self = this.self();
    this.sbi.isReadOnly = () => self.vfsSb.readOnly;
    this.vfsSb = {
      type: 'ext2',
      readOnly: !!opts.readOnly,
      dev,
      blockSize: io.blockSize,
      sync: () => self.sync(),
      remount: (readOnly) => self.remount(readOnly),
      unmount: () => self.unmount(),
      statfs: () => self.statfs(),
    };
    this.fileOps = regularFileOperations(ctx);
    this.dirFileOps = directoryOperations();
    this.specialOps = specialFileOperations();
    this.dirOps = ext2DirOperations(this);
    this.checkDescriptors();
    const root = this.iget(EXT2_ROOT_INO);
    if ((root.mode & S_IFMT) !== S_IFDIR || !root.sectors || !root.sizeBytes) {
      this.sbi.mountError('corrupt root inode, run e2fsck', 'EXT2-fs: corrupt root inode, run e2fsck');
      throw new Errno(EINVAL);
    }
    this.root = root;
    if (!opts.readOnly) this.setupSuper();
  }

  private self(): Ext2Fs {
    return this;
  }

  /** ext2_check_descriptors(): each group's bitmaps and inode table lie inside the group. */
  private checkDescriptors(): void {
    const geo = this.sbi.geo;
    for (let g = 0; g < geo.groupCount; g++) {
      const gd = this.sbi.gd(g);
      const first = geo.groupFirstBlock(g), last = first + geo.groupBlocks(g) - 1;
      const bad = (what: string, block: number) => {
        this.sbi.mountError(`ext2_check_descriptors: ${what} for block group ${g} not in group (block ${block})!`);
        this.sbi.mountError('group descriptors corrupted');
        throw new Errno(EINVAL);
      };
      if (gd.bg_block_bitmap < first || gd.bg_block_bitmap > last) bad('Block bitmap', gd.bg_block_bitmap);
      if (gd.bg_inode_bitmap < first || gd.bg_inode_bitmap > last) bad('Inode bitmap', gd.bg_inode_bitmap);
      if (gd.bg_inode_table < first || gd.bg_inode_table + geo.inodeTableBlocks - 1 > last) bad('Inode table', gd.bg_inode_table);
    }
  }

  /**
   * ext2_setup_super() for a read-write mount: warns about a file system that
   * wants checking, then marks it "not clean" on the disk straight away and
   * counts the mount.
   */
  private setupSuper(): void {
    const sbi = this.sbi;
    const es = sbi.es();
    sbi.mountState = es.s_state;
    const nowSec = Math.floor(this.ctx.now() / NS);
    const recommended = 'running e2fsck is recommended';
    if (!(sbi.mountState & EXT2_VALID_FS)) sbi.warning(`mounting unchecked fs, ${recommended}`);
    else if (sbi.mountState & EXT2_ERROR_FS) sbi.warning(`mounting fs with errors, ${recommended}`);
    else if (es.s_max_mnt_count >= 0 && es.s_mnt_count >= (es.s_max_mnt_count & 0xffff)) {
      sbi.warning(`maximal mount count reached, ${recommended}`);
    } else if (es.s_checkinterval && es.s_lastcheck + es.s_checkinterval <= nowSec) {
      sbi.warning(`checktime reached, ${recommended}`);
    }
    sbi.updateSuper((es) => {
      if (es.s_max_mnt_count === 0) es.s_max_mnt_count = EXT2_DFL_MAX_MNT_COUNT;
      es.s_mnt_count = (es.s_mnt_count + 1) & 0xffff;
      es.s_mtime = nowSec;
      es.s_state &= ~EXT2_VALID_FS;
    });
    this.syncSuper();
  }

  /** ext2_sync_super(): the free counts from the group descriptors, the write time, then the superblock to the disk. */
  private syncSuper(state?: number): void {
    const freeBlocks = countFreeBlocks(this.sbi), freeInodes = countFreeInodes(this.sbi);
    this.sbi.updateSuper((es) => {
      es.s_free_blocks_count = freeBlocks;
      es.s_free_inodes_count = freeInodes;
      es.s_wtime = Math.floor(this.ctx.now() / NS);
      if (state !== undefined) es.s_state = state;
    });
    this.sbi.syncSuper();
  }

  // ---- SuperBlock operations ------------------------------------------------------

  /** sync_filesystem(): every dirty inode is already in its buffer; write the buffers, then the superblock. */
  sync(): void {
    if (this.vfsSb.readOnly || this.unmounted) return;
    this.sbi.io.sync();
    this.syncSuper();
  }

  remount(readOnly: boolean): void {
    if (readOnly === this.vfsSb.readOnly) return;
    const sbi = this.sbi;
    if (readOnly) {
      this.sbi.io.sync();
      sbi.updateSuper((es) => { es.s_mtime = Math.floor(this.ctx.now() / NS); });
      this.syncSuper(sbi.mountState);
      this.vfsSb.readOnly = true;
      return;
    }
    const roCompat = sbi.es().s_feature_ro_compat & ~EXT2_FEATURE_RO_COMPAT_SUPP;
    if (roCompat) {
      sbi.warning(`couldn't remount RDWR because of unsupported optional features (${roCompat.toString(16)}).`);
      throw new Errno(EROFS);
    }
    // e2fsck may have repaired the disk while it was read-only: forget what was read before.
    for (const inode of this.icache.values()) inode.load();
    this.vfsSb.readOnly = false;
    this.setupSuper();
  }

  /** ext2_put_super(): a read-write file system goes back to the state it had when mounted (clean, if it was). */
  unmount(): void {
    if (this.unmounted) return;
    if (!this.vfsSb.readOnly) {
      this.sbi.io.sync();
      this.syncSuper(this.sbi.mountState);
    }
    this.sbi.io.sync();
    this.unmounted = true;
  }

  /** ext2_statfs(): the blocks df counts exclude the metadata every group carries. */
  statfs(): StatFs {
    const geo = this.sbi.geo;
    const reserved = this.sbi.es().s_r_blocks_count;
    let overhead = geo.firstDataBlock;
    for (let g = 0; g < geo.groupCount; g++) overhead += geo.superAndDescBlocks(g);
    overhead += geo.groupCount * (2 + geo.inodeTableBlocks);
    const freeBlocks = countFreeBlocks(this.sbi);
    return {
      blockSize: geo.blockSize,
      blocks: geo.blocksCount - overhead,
      freeBlocks,
      availBlocks: Math.max(0, freeBlocks - reserved),
      files: geo.inodesCount,
      freeFiles: countFreeInodes(this.sbi),
    };
  }

  // ---- inodes ---------------------------------------------------------------------------

  /** ext2_iget(): the one in-core inode for `ino`. */
  iget(ino: number): Ext2Inode {
    let inode = this.icache.get(ino);
    if (!inode) {
      if (ino < 1 || ino > this.sbi.geo.inodesCount) this.sbi.error('ext2_iget', `bad inode number: ${ino}`);
      inode = new Ext2Inode(this, ino).load();
      if (inode.nlink === 0 && (inode.mode === 0 || inode.dtime)) this.sbi.error('ext2_lookup', `deleted inode referenced: ${ino}`);
      this.icache.set(ino, inode);
    }
    return inode;
  }

  newInode(dir: Ext2Inode, mode: number, uid: number, gid: number, rdev = 0): Ext2Inode {
    const isDir = (mode & S_IFMT) === S_IFDIR;
    const ino = newInode(this.sbi, dir.ino, isDir);
    const inode = new Ext2Inode(this, ino).initNew(mode, uid, gid, rdev);
    this.icache.set(ino, inode);
    return inode;
  }

  dropLink(inode: Ext2Inode): void {
    inode.nlink = Math.max(0, inode.nlink - 1);
    if (inode.nlink === 0 && inode.openCount === 0) this.evict(inode);
  }

  /** ext2_evict_inode() + ext2_free_inode(): the blocks go, dtime is set, the bitmap bit is cleared. */
  evict(inode: Ext2Inode): void {
    if (this.vfsSb.readOnly || this.icache.get(inode.ino) !== inode) return;
    inode.dtime = Math.floor(this.nowNs() / NS);
    if (inode.mapsBlocks()) inode.setSize(0);
    inode.write();
    freeInode(this.sbi, inode.ino, (inode.mode & S_IFMT) === S_IFDIR);
    this.icache.delete(inode.ino);
  }

  operationsFor(mode: number): { fops: FileOperations; dirOps?: DirOperations } {
    const type = mode & S_IFMT;
    if (type === S_IFDIR) return { fops: this.dirFileOps, dirOps: this.dirOps };
    if (type === S_IFREG || type === 0o120000) return { fops: this.fileOps };
    return { fops: this.specialOps };
  }

  nowNs(): number {
    return this.ctx.now();
  }

  mayUseReserve(): boolean {
    return this.opts.mayUseReserve?.() ?? true;
  }

  checkWritable(): void {
    if (this.vfsSb.readOnly) throw new Errno(EROFS);
  }
}
