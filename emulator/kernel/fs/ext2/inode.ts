// The in-core ext2 inode (struct ext2_inode_info) and what fs/ext2/inode.c
// does with it: reading and writing the on-disk inode, mapping file blocks
// through the direct, indirect, double and triple indirect pointers
// (ext2_get_block), and freeing them again on truncate. Every change is
// written into the inode table's buffer at once (mark_inode_dirty +
// write_inode): what reaches the disk is then up to the buffer cache.
import { EFBIG, EROFS, Errno } from '../../errno.js';
import type { DirOperations, FileOperations, Inode, SuperBlock } from '../types.js';
import { freeBlocks, newBlock } from './balloc.js';
import {
  EXT2_DIND_BLOCK, EXT2_FEATURE_RO_COMPAT_LARGE_FILE, EXT2_IND_BLOCK, EXT2_N_BLOCKS, EXT2_NDIR_BLOCKS,
  EXT2_TIND_BLOCK, I_BLOCK, InodeView, le32, newDecodeDev, newEncodeDev, oldDecodeDev, oldEncodeDev, oldValidDev, setLe32,
} from './layout.js';
import type { Ext2SbInfo } from './sb-info.js';

const S_IFMT = 0o170000, S_IFREG = 0o100000, S_IFLNK = 0o120000,
  S_IFCHR = 0o020000, S_IFBLK = 0o060000;
const NS = 1e9;

/** What an inode needs from its mounted file system. */
export interface InodeOwner {
  readonly sbi: Ext2SbInfo;
  readonly vfsSb: SuperBlock;
  nowNs(): number;
  /** May the current task dip into the blocks reserved for root? */
  mayUseReserve(): boolean;
  operationsFor(mode: number): { fops: FileOperations; dirOps?: DirOperations };
  /** The last reference is gone from an inode with no links: free it (ext2_evict_inode). */
  evict(inode: Ext2Inode): void;
}

/** Where inode `ino` lives in the inode table. */
export function inodeLocation(sbi: Ext2SbInfo, ino: number): { block: number; offset: number } {
  const geo = sbi.geo;
  const index = (ino - 1) % geo.inodesPerGroup;
  const byteInTable = index * geo.inodeSize;
  return {
    block: sbi.gd(geo.groupOfInode(ino)).bg_inode_table + Math.floor(byteInTable / geo.blockSize),
    offset: byteInTable % geo.blockSize,
  };
}

export class Ext2Inode implements Inode {
  readonly sb: SuperBlock;
  fops!: FileOperations;
  dirOps?: DirOperations;
  private rawMode = 0;
  private rawUid = 0;
  private rawGid = 0;
  private links = 0;
  sizeBytes = 0;
  atimeNs = 0;
  ctimeNs = 0;
  private mtime = 0;
  dtime = 0;
  flags = 0;
  /** i_blocks: 512-byte sectors held, indirect blocks included. */
  sectors = 0;
  readonly iBlock = new Array<number>(EXT2_N_BLOCKS).fill(0);
  /** Open files on this inode: an unlinked inode lives until the last one closes. */
  openCount = 0;
  /** The physical block of the last allocation, so the next one can follow it (ext2_find_goal). */
  private lastAlloc = 0;

  constructor(readonly owner: InodeOwner, readonly ino: number) {
    this.sb = owner.vfsSb;
  }

  private get sbi(): Ext2SbInfo {
    return this.owner.sbi;
  }

  // ---- the Inode interface ----------------------------------------------------

  get mode(): number { return this.rawMode; }
  set mode(mode: number) { this.setMode(mode); }
  get uid(): number { return this.rawUid; }
  set uid(uid: number) { this.setOwner(uid, -1); }
  get gid(): number { return this.rawGid; }
  set gid(gid: number) { this.setOwner(-1, gid); }
  get nlink(): number { return this.links; }
  set nlink(n: number) { this.links = n; this.touchCtime(); }
  get mtimeNs(): number { return this.mtime; }
  set mtimeNs(ns: number) {
    if (this.sb.readOnly) return;
    this.mtime = ns;
    this.touchCtime();
  }
  get rdev(): number {
    const type = this.rawMode & S_IFMT;
    if (type !== S_IFCHR && type !== S_IFBLK) return 0;
    return this.iBlock[0] ? oldDecodeDev(this.iBlock[0]) : newDecodeDev(this.iBlock[1]!);
  }

  size(): number {
    return this.sizeBytes;
  }

  setMode(mode: number): void {
    this.checkWritable();
    this.rawMode = (this.rawMode & S_IFMT) | (mode & 0o7777);
    this.touchCtime();
  }

  setOwner(uid: number, gid: number): void {
    this.checkWritable();
    if (uid >= 0) this.rawUid = uid;
    if (gid >= 0) this.rawGid = gid;
    this.touchCtime();
  }

  truncate(size: number): void {
    this.checkWritable();
    this.setSize(size);
    this.mtime = this.owner.nowNs();
    this.touchCtime();
  }

  get linkTarget(): string | undefined {
    if ((this.rawMode & S_IFMT) !== S_IFLNK) return undefined;
    if (!this.isFastSymlink()) return new TextDecoder().decode(this.readData(0, this.sizeBytes));
    const raw = new Uint8Array(EXT2_N_BLOCKS * 4);
    const v = new DataView(raw.buffer);
    this.iBlock.forEach((word, i) => v.setUint32(i * 4, word, true));
    return new TextDecoder().decode(raw.subarray(0, Math.min(this.sizeBytes, raw.length)));
  }

  /** Regular files, directories and slow symlinks map blocks through i_block (ext2_truncate_blocks' test). */
  mapsBlocks(): boolean {
    const type = this.rawMode & S_IFMT;
    return type === S_IFREG || type === 0o040000 || (type === S_IFLNK && !this.isFastSymlink());
  }

  /** ext2_inode_is_fast_symlink(): the target lives in i_block, no block holds it. */
  isFastSymlink(): boolean {
    return (this.rawMode & S_IFMT) === S_IFLNK && this.sectors === 0;
  }

  // ---- on-disk inode ------------------------------------------------------------

  private view(): InodeView {
    const { block, offset } = inodeLocation(this.sbi, this.ino);
    return new InodeView(this.sbi.io.bread(block).data, offset);
  }

  /** ext2_iget(): fills the in-core inode from the inode table. */
  load(): this {
    const raw = this.view();
    this.rawMode = raw.i_mode;
    this.rawUid = raw.i_uid | (raw.l_i_uid_high << 16);
    this.rawGid = raw.i_gid | (raw.l_i_gid_high << 16);
    this.links = raw.i_links_count;
    const isReg = (this.rawMode & S_IFMT) === S_IFREG;
    this.sizeBytes = raw.i_size + (isReg ? raw.i_size_high * 2 ** 32 : 0);
    this.atimeNs = raw.i_atime * NS;
    this.ctimeNs = raw.i_ctime * NS;
    this.mtime = raw.i_mtime * NS;
    this.dtime = raw.i_dtime;
    this.flags = raw.i_flags;
    this.sectors = raw.i_blocks;
    for (let i = 0; i < EXT2_N_BLOCKS; i++) this.iBlock[i] = raw.view.getUint32(raw.offset + I_BLOCK + 4 * i, true);
    this.setOperations();
    return this;
  }

  /** A brand-new inode, written over whatever its slot held. */
  initNew(mode: number, uid: number, gid: number, rdev: number): this {
    const now = this.owner.nowNs();
    this.rawMode = mode;
    this.rawUid = uid;
    this.rawGid = gid;
    this.links = 1;
    this.sizeBytes = 0;
    this.atimeNs = this.ctimeNs = this.mtime = now;
    const type = mode & S_IFMT;
    if (type === S_IFCHR || type === S_IFBLK) {
      if (oldValidDev(rdev)) this.iBlock[0] = oldEncodeDev(rdev);
      else this.iBlock[1] = newEncodeDev(rdev);
    }
    this.setOperations();
    this.write(true);
    return this;
  }

  private setOperations(): void {
    const ops = this.owner.operationsFor(this.rawMode);
    this.fops = ops.fops;
    this.dirOps = ops.dirOps;
  }

  /** ext2_write_inode(): copies the in-core fields into the inode table buffer and marks it dirty. */
  write(clearSlot = false): void {
    if ((this.rawMode & S_IFMT) === S_IFREG && this.sizeBytes > 0x7fffffff) this.setLargeFileFeature();
    const { block, offset } = inodeLocation(this.sbi, this.ino);
    const bh = this.sbi.io.bread(block);
    // A new inode's whole slot is cleared first, as ext2 does for EXT2_STATE_NEW.
    if (clearSlot) bh.data.fill(0, offset, offset + this.sbi.geo.inodeSize);
    const raw = new InodeView(bh.data, offset);
    raw.i_mode = this.rawMode;
    raw.i_uid = this.rawUid & 0xffff;
    raw.l_i_uid_high = this.rawUid >>> 16;
    raw.i_gid = this.rawGid & 0xffff;
    raw.l_i_gid_high = this.rawGid >>> 16;
    raw.i_links_count = this.links;
    raw.i_size = this.sizeBytes % 2 ** 32;
    if ((this.rawMode & S_IFMT) === S_IFREG) raw.i_size_high = Math.floor(this.sizeBytes / 2 ** 32);
    raw.i_atime = Math.floor(this.atimeNs / NS);
    raw.i_ctime = Math.floor(this.ctimeNs / NS);
    raw.i_mtime = Math.floor(this.mtime / NS);
    raw.i_dtime = this.dtime;
    raw.i_flags = this.flags;
    raw.i_blocks = this.sectors;
    for (let i = 0; i < EXT2_N_BLOCKS; i++) setLe32(bh.data, offset + I_BLOCK + 4 * i, this.iBlock[i]!);
    this.sbi.io.markDirty(bh);
  }

  private setLargeFileFeature(): void {
    if (this.sbi.es().s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE) return;
    this.sbi.updateSuper((es) => { es.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE; });
  }

  checkWritable(): void {
    if (this.sb.readOnly) throw new Errno(EROFS);
  }

  touchCtime(): void {
    if (this.sb.readOnly) return;
    this.ctimeNs = this.owner.nowNs();
    this.write();
  }

  /** relatime: the access time moves only if it is older than the last change, or a day old. */
  touchAtime(): void {
    if (this.sb.readOnly) return;
    const now = this.owner.nowNs();
    if (this.atimeNs <= this.mtime || this.atimeNs <= this.ctimeNs || now - this.atimeNs >= 24 * 3600 * NS) {
      this.atimeNs = now;
      this.write();
    }
  }

  // ---- block map ---------------------------------------------------------------------

  /** ext2_block_to_path(): the offsets from i_block down to a file block. */
  private blockToPath(lblk: number): number[] {
    const ppb = this.sbi.geo.addrPerBlock;
    if (lblk < EXT2_NDIR_BLOCKS) return [lblk];
    lblk -= EXT2_NDIR_BLOCKS;
    if (lblk < ppb) return [EXT2_IND_BLOCK, lblk];
    lblk -= ppb;
    if (lblk < ppb * ppb) return [EXT2_DIND_BLOCK, Math.floor(lblk / ppb), lblk % ppb];
    lblk -= ppb * ppb;
    if (lblk < ppb * ppb * ppb) {
      return [EXT2_TIND_BLOCK, Math.floor(lblk / (ppb * ppb)), Math.floor(lblk / ppb) % ppb, lblk % ppb];
    }
    throw new Errno(EFBIG);
  }

  private checkPointer(block: number): number {
    if (block && (block < this.sbi.geo.firstDataBlock || block >= this.sbi.geo.blocksCount)) {
      this.sbi.error('ext2_get_branch', `inode #${this.ino}: invalid block ${block}`);
    }
    return block;
  }

  /** The disk block holding file block `lblk`, or 0 for a hole. */
  bmap(lblk: number): number {
    const path = this.blockToPath(lblk);
    let block = this.checkPointer(this.iBlock[path[0]!]!);
    for (let i = 1; i < path.length && block; i++) {
      block = this.checkPointer(le32(this.sbi.io.bread(block).data, path[i]! * 4));
    }
    return block;
  }

  private allocate(goal: number): number {
    const block = newBlock(this.sbi, goal, this.owner.mayUseReserve());
    this.sectors += this.sbi.geo.blockSize / 512;
    this.lastAlloc = block;
    return block;
  }

  private goal(): number {
    if (this.lastAlloc) return this.lastAlloc + 1;
    return this.sbi.geo.groupFirstBlock(this.sbi.geo.groupOfInode(this.ino));
  }

  /** A new indirect block: zeroed, since a hole is a zero pointer. */
  private allocateIndirect(): number {
    const block = this.allocate(this.goal());
    const bh = this.sbi.io.getblk(block);
    bh.data.fill(0);
    this.sbi.io.markDirty(bh);
    return block;
  }

  /**
   * ext2_get_block(create): maps file block `lblk`, allocating it and any
   * missing indirect blocks on the way. `fresh` says the data block is new
   * (its old contents on the disk are garbage the caller must overwrite).
   */
  mapForWrite(lblk: number): { block: number; fresh: boolean } {
    const path = this.blockToPath(lblk);
    const leafLevel = path.length - 1;
    let changed = false;
    let block = this.checkPointer(this.iBlock[path[0]!]!);
    let fresh = false;
    if (!block) {
      block = leafLevel === 0 ? this.allocate(this.goal()) : this.allocateIndirect();
      fresh = leafLevel === 0;
      this.iBlock[path[0]!] = block;
      changed = true;
    }
    for (let level = 1; level <= leafLevel; level++) {
      let next = this.checkPointer(le32(this.sbi.io.bread(block).data, path[level]! * 4));
      if (!next) {
        next = level === leafLevel ? this.allocate(this.goal()) : this.allocateIndirect();
        fresh = level === leafLevel;
        // Reread: allocating may have evicted and reloaded the parent's buffer.
        const parent = this.sbi.io.bread(block);
        setLe32(parent.data, path[level]! * 4, next);
        this.sbi.io.markDirty(parent);
        changed = true;
      }
      block = next;
    }
    if (changed) this.write();
    return { block, fresh };
  }

  // ---- data -------------------------------------------------------------------------

  /** Reads `length` bytes at `pos` (holes read as zeros). */
  readData(pos: number, length: number): Uint8Array {
    const bs = this.sbi.geo.blockSize;
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = pos + done;
      const lblk = Math.floor(at / bs), inBlock = at % bs;
      const n = Math.min(bs - inBlock, length - done);
      const block = this.bmap(lblk);
      if (block) out.set(this.sbi.io.bread(block).data.subarray(inBlock, inBlock + n), done);
      done += n;
    }
    return out;
  }

  /**
   * Writes `src` at `pos`, growing the file. Returns the bytes written: fewer
   * than asked if the disk filled up part way (the ENOSPC comes back only if
   * nothing could be written).
   */
  writeData(pos: number, src: Uint8Array): number {
    const bs = this.sbi.geo.blockSize;
    let done = 0;
    try {
      while (done < src.length) {
        const at = pos + done;
        const lblk = Math.floor(at / bs), inBlock = at % bs;
        const n = Math.min(bs - inBlock, src.length - done);
        const { block, fresh } = this.mapForWrite(lblk);
        const whole = inBlock === 0 && n === bs;
        const bh = whole || fresh ? this.sbi.io.getblk(block) : this.sbi.io.bread(block);
        if (fresh && !whole) bh.data.fill(0);
        bh.data.set(src.subarray(done, done + n), inBlock);
        this.sbi.io.markDirty(bh);
        done += n;
        if (at + n > this.sizeBytes) this.sizeBytes = at + n;
      }
    } catch (e) {
      if (!(e instanceof Errno) || done === 0) { this.write(); throw e; }
    }
    this.write();
    return done;
  }

  // ---- truncate ------------------------------------------------------------------------

  /** Changes i_size; shrinking frees the blocks past the new end and zeroes the tail of the last one. */
  setSize(size: number): void {
    if (size > this.sbi.geo.maxFileSize()) throw new Errno(EFBIG);
    const bs = this.sbi.geo.blockSize;
    if (size < this.sizeBytes) {
      this.freeBlocksFrom(Math.ceil(size / bs));
      if (size % bs) {
        const block = this.bmap(Math.floor(size / bs));
        if (block) {
          const bh = this.sbi.io.bread(block);
          bh.data.fill(0, size % bs);
          this.sbi.io.markDirty(bh);
        }
      }
    }
    this.sizeBytes = size;
    this.write();
  }

  /** ext2_truncate_blocks(): frees every block mapping file block `first` or later, and indirect blocks left empty. */
  freeBlocksFrom(first: number): void {
    // Only these map blocks: a device's i_block holds its number, a fast symlink's its target.
    if (!this.mapsBlocks()) return;
    const ppb = this.sbi.geo.addrPerBlock;
    for (let i = Math.max(first, 0); i < EXT2_NDIR_BLOCKS; i++) {
      if (this.iBlock[i]) { this.release(this.iBlock[i]!); this.iBlock[i] = 0; }
    }
    let base = EXT2_NDIR_BLOCKS;
    for (const [slot, depth] of [[EXT2_IND_BLOCK, 1], [EXT2_DIND_BLOCK, 2], [EXT2_TIND_BLOCK, 3]] as const) {
      const root = this.iBlock[slot]!;
      if (root && this.prune(root, depth, base, first)) this.iBlock[slot] = 0;
      base += ppb ** depth;
    }
    this.lastAlloc = 0;
    this.write();
  }

  /** Gives one block back; a pointer that is garbage (a crash) is reported and dropped, as ext2_free_blocks does. */
  private release(block: number): void {
    this.sectors = Math.max(0, this.sectors - this.sbi.geo.blockSize / 512);
    if (!this.validPointer(block)) return;
    freeBlocks(this.sbi, block);
  }

  private validPointer(block: number): boolean {
    if (block >= this.sbi.geo.firstDataBlock && block < this.sbi.geo.blocksCount) return true;
    this.sbi.reportError('ext2_free_blocks', `Freeing blocks not in datazone - block = ${block}, count = 1`);
    return false;
  }

  /**
   * Frees what the tree under `block` (an indirect block of `depth`, mapping
   * file blocks from `base`) holds at or past `first`; returns true if the
   * indirect block itself went too.
   */
  private prune(block: number, depth: number, base: number, first: number): boolean {
    const ppb = this.sbi.geo.addrPerBlock;
    const span = ppb ** depth;
    if (base + span <= first) return false;
    const childSpan = span / ppb;
    if (!this.validPointer(block)) return true;
    const data = this.sbi.io.bread(block).data;
    const pointers = Array.from({ length: ppb }, (_, i) => le32(data, i * 4));
    let changed = false;
    for (let i = 0; i < ppb; i++) {
      const child = pointers[i]!;
      if (!child) continue;
      const childBase = base + i * childSpan;
      let gone: boolean;
      if (depth > 1) gone = this.prune(child, depth - 1, childBase, first);
      else if ((gone = childBase >= first)) this.release(child);
      if (gone) { pointers[i] = 0; changed = true; }
    }
    if (base >= first) { this.release(block); return true; }
    if (changed) {
      const again = this.sbi.io.bread(block);
      pointers.forEach((p, i) => setLe32(again.data, i * 4, p));
      this.sbi.io.markDirty(again);
    }
    return false;
  }
}
