// What e2fsck needs of libext2fs: the superblock and group descriptors held
// in memory and written back on close, inodes read and written raw, the
// on-disk bitmaps with their allocation statistics, the block iterator over
// direct and indirect blocks, and directory iteration, lookup, link and
// unlink that tolerate (and report) corrupted blocks.
import type { BlockIo } from '../../../block/blockio.js';
import { type RawDirent, direntNameBytes, readDirent, setDirentInode, writeDirEntry } from '../dirent.js';
import {
  EXT2_DESC_SIZE, EXT2_DIR_REC_LEN, EXT2_DIND_BLOCK, EXT2_IND_BLOCK, EXT2_NDIR_BLOCKS,
  EXT2_SUPERBLOCK_OFFSET, EXT2_TIND_BLOCK, Geometry, GroupDescView, I_BLOCK, InodeView, SuperBlockView, clearBit,
  le32, setBit, setLe32, testBit,
} from '../layout.js';

/** blockcnt values of ext2fs_block_iterate for the indirect blocks themselves. */
export const BLOCK_COUNT_IND = -1, BLOCK_COUNT_DIND = -2, BLOCK_COUNT_TIND = -3;

/** Iterator callback results. */
export const BLOCK_CHANGED = 1, BLOCK_ABORT = 2;
/** Not libext2fs: the pointer reads as 0 for the rest of the walk but is not written back. */
export const BLOCK_SKIP = 8;

export interface BlockVisit {
  blk: number;
  blockcnt: number;
  /** The indirect block holding the pointer (0: the inode's i_block). */
  refBlock: number;
}

/** EXT2_ET_* errors that reach e2fsck's messages (%m). */
export class Ext2fsError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
export const ET_BAD_IND_BLOCK = () => new Ext2fsError('EXT2_ET_BAD_IND_BLOCK', 'Illegal indirect block found');
export const ET_BAD_DIND_BLOCK = () => new Ext2fsError('EXT2_ET_BAD_DIND_BLOCK', 'Illegal doubly indirect block found');
export const ET_BAD_TIND_BLOCK = () => new Ext2fsError('EXT2_ET_BAD_TIND_BLOCK', 'Illegal triply indirect block found');
export const ET_DIR_CORRUPTED = () => new Ext2fsError('EXT2_ET_DIR_CORRUPTED', 'Ext2 directory corrupted');
export const ET_DIR_NO_SPACE = () => new Ext2fsError('EXT2_ET_DIR_NO_SPACE', 'No free space in the directory');
export const ET_BLOCK_ALLOC_FAIL = () => new Ext2fsError('EXT2_ET_BLOCK_ALLOC_FAIL', 'Could not allocate block in ext2 filesystem');
export const ET_INODE_ALLOC_FAIL = () => new Ext2fsError('EXT2_ET_INODE_ALLOC_FAIL', 'Could not allocate inode in ext2 filesystem');
export const ET_NO_DIRECTORY = () => new Ext2fsError('EXT2_ET_NO_DIRECTORY', 'Ext2 inode is not a directory');
export const ET_FILE_NOT_FOUND = () => new Ext2fsError('EXT2_ET_FILE_NOT_FOUND', 'Ext2 file not found');

/** An inode as read from the table: a private copy of its first 128 bytes. */
export class RawInode {
  readonly view: InodeView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new InodeView(bytes, 0);
  }

  static empty(): RawInode {
    return new RawInode(new Uint8Array(128));
  }

  block(i: number): number {
    return le32(this.bytes, I_BLOCK + 4 * i);
  }

  setBlock(i: number, value: number): void {
    setLe32(this.bytes, I_BLOCK + 4 * i, value);
  }

  get mode(): number { return this.view.i_mode; }
  get links(): number { return this.view.i_links_count; }
  /** EXT2_I_SIZE(): the high word counts for regular files only. */
  get size(): number {
    const v = this.view;
    return v.i_size + ((v.i_mode & 0o170000) === 0o100000 ? v.i_size_high * 2 ** 32 : 0);
  }
  set size(n: number) {
    this.view.i_size = n % 2 ** 32;
    if ((this.view.i_mode & 0o170000) === 0o100000) this.view.i_size_high = Math.floor(n / 2 ** 32);
  }
}

export class FsckFs {
  readonly geo: Geometry;
  /** In-memory superblock (e2fsck's fs->super), written on close. */
  readonly sbBytes: Uint8Array;
  readonly sb: SuperBlockView;
  /** In-memory group descriptor table, written on close (primary and backups). */
  readonly gdBytes: Uint8Array;
  private blockMap?: Uint8Array;
  private inodeMap?: Uint8Array;
  superDirty = false;
  bitmapsDirty = false;
  /** ext2fs_mark_changed(): something was written to the device. */
  changed = false;

  constructor(readonly io: BlockIo) {
    const sbBlock = Math.floor(EXT2_SUPERBLOCK_OFFSET / io.blockSize);
    const off = EXT2_SUPERBLOCK_OFFSET % io.blockSize;
    this.sbBytes = io.bread(sbBlock).data.slice(off, off + 1024);
    this.sb = new SuperBlockView(this.sbBytes);
    this.geo = new Geometry(this.sb);
    this.gdBytes = new Uint8Array(this.geo.descBlocks * this.geo.blockSize);
    for (let i = 0; i < this.geo.descBlocks; i++) this.gdBytes.set(io.bread(this.geo.descBlock(i)).data, i * this.geo.blockSize);
  }

  gd(group: number): GroupDescView {
    return new GroupDescView(this.gdBytes, group * EXT2_DESC_SIZE);
  }

  /** ext2fs_mark_bb_dirty()/ib_dirty(): the bitmaps will be written, and the file system counts as changed. */
  markBitmapsDirty(): void {
    this.bitmapsDirty = true;
    this.changed = true;
  }

  markSuperDirty(): void {
    this.superDirty = true;
    this.changed = true;
  }

  // ---- blocks ----------------------------------------------------------------------

  readBlock(blk: number): Uint8Array {
    return this.io.bread(blk).data.slice();
  }

  writeBlock(blk: number, data: Uint8Array): void {
    const bh = this.io.getblk(blk);
    bh.data.set(data);
    this.io.markDirty(bh);
    this.changed = true;
  }

  validBlock(blk: number): boolean {
    return blk >= this.geo.firstDataBlock && blk < this.geo.blocksCount;
  }

  // ---- inodes -------------------------------------------------------------------------

  private inodeLocation(ino: number): { block: number; offset: number } {
    const geo = this.geo;
    const byteInTable = ((ino - 1) % geo.inodesPerGroup) * geo.inodeSize;
    return {
      block: this.gd(geo.groupOfInode(ino)).bg_inode_table + Math.floor(byteInTable / geo.blockSize),
      offset: byteInTable % geo.blockSize,
    };
  }

  readInode(ino: number): RawInode {
    const { block, offset } = this.inodeLocation(ino);
    return new RawInode(this.io.bread(block).data.slice(offset, offset + 128));
  }

  writeInode(ino: number, inode: RawInode): void {
    const { block, offset } = this.inodeLocation(ino);
    const bh = this.io.bread(block);
    bh.data.set(inode.bytes, offset);
    this.io.markDirty(bh);
    this.changed = true;
  }

  /** ext2fs_write_new_inode(): the whole on-disk slot is cleared around the new 128 bytes. */
  writeNewInode(ino: number, inode: RawInode): void {
    const { block, offset } = this.inodeLocation(ino);
    const bh = this.io.bread(block);
    bh.data.fill(0, offset, offset + this.geo.inodeSize);
    bh.data.set(inode.bytes, offset);
    this.io.markDirty(bh);
    this.changed = true;
  }

  // ---- the on-disk bitmaps, and alloc statistics ------------------------------------------

  /** e2fsck_read_bitmaps(): the bitmaps as the disk has them, one byte per block/inode. */
  readBitmaps(): void {
    if (this.blockMap) return;
    const geo = this.geo;
    this.blockMap = new Uint8Array(geo.blocksCount);
    this.inodeMap = new Uint8Array(geo.inodesCount + 1);
    for (let g = 0; g < geo.groupCount; g++) {
      const gd = this.gd(g);
      const bb = this.validBlock(gd.bg_block_bitmap) ? this.io.bread(gd.bg_block_bitmap).data : new Uint8Array(geo.blockSize);
      const first = geo.groupFirstBlock(g);
      for (let i = 0; i < geo.groupBlocks(g); i++) this.blockMap[first + i] = testBit(bb, i) ? 1 : 0;
      const ib = this.validBlock(gd.bg_inode_bitmap) ? this.io.bread(gd.bg_inode_bitmap).data : new Uint8Array(geo.blockSize);
      for (let i = 0; i < geo.inodesPerGroup; i++) this.inodeMap[g * geo.inodesPerGroup + i + 1] = testBit(ib, i) ? 1 : 0;
    }
    for (let b = 0; b < geo.firstDataBlock; b++) this.blockMap[b] = 1;
  }

  diskBlockMap(): Uint8Array {
    this.readBitmaps();
    return this.blockMap!;
  }

  diskInodeMap(): Uint8Array {
    this.readBitmaps();
    return this.inodeMap!;
  }

  replaceBlockMap(map: Uint8Array): void {
    this.blockMap = map.slice();
    this.markBitmapsDirty();
  }

  replaceInodeMap(map: Uint8Array): void {
    this.inodeMap = map.slice();
    this.markBitmapsDirty();
  }

  /** ext2fs_block_alloc_stats2(): a block changes hands in the bitmap and the free counts. */
  blockAllocStats(blk: number, inuse: 1 | -1): void {
    this.readBitmaps();
    const g = this.geo.groupOfBlock(blk);
    this.blockMap![blk] = inuse > 0 ? 1 : 0;
    const gd = this.gd(g);
    gd.bg_free_blocks_count -= inuse;
    this.sb.s_free_blocks_count -= inuse;
    this.markBitmapsDirty();
    this.markSuperDirty();
  }

  /** ext2fs_inode_alloc_stats2(). */
  inodeAllocStats(ino: number, inuse: 1 | -1, isDir: boolean): void {
    this.readBitmaps();
    const g = this.geo.groupOfInode(ino);
    this.inodeMap![ino] = inuse > 0 ? 1 : 0;
    const gd = this.gd(g);
    gd.bg_free_inodes_count -= inuse;
    if (isDir) gd.bg_used_dirs_count += inuse;
    this.sb.s_free_inodes_count -= inuse;
    this.markBitmapsDirty();
    this.markSuperDirty();
  }

  /** ext2fs_new_block2() against a map of blocks in use: the first free one at or after `goal`. */
  newBlock(goal: number, inUse: Uint8Array): number {
    const geo = this.geo;
    if (goal < geo.firstDataBlock || goal >= geo.blocksCount) goal = geo.firstDataBlock;
    let b = goal;
    do {
      if (!inUse[b]) return b;
      b++;
      if (b >= geo.blocksCount) b = geo.firstDataBlock;
    } while (b !== goal);
    throw ET_BLOCK_ALLOC_FAIL();
  }

  /** ext2fs_new_inode(): the first free inode from the parent's group on. */
  newInode(parent: number, inUse: Uint8Array): number {
    const geo = this.geo;
    const start = geo.groupOfInode(parent) * geo.inodesPerGroup + 1;
    for (let i = 0; i < geo.inodesCount; i++) {
      const ino = ((start - 1 + i) % geo.inodesCount) + 1;
      if (ino < geo.firstIno) continue;
      if (!inUse[ino]) return ino;
    }
    throw ET_INODE_ALLOC_FAIL();
  }

  // ---- block iteration --------------------------------------------------------------------

  /**
   * ext2fs_block_iterate3(): calls `visit` for every block of the inode, each
   * indirect block before the blocks it maps. `visit` returns the new block
   * number (0 clears the pointer) plus flags; changes are written back to the
   * indirect blocks and to `inode` (the caller writes the inode).
   * `holes`: BLOCK_FLAG_HOLE, visit zero pointers too (directories).
   * Throws Ext2fsError for an indirect block out of range.
   */
  blockIterate(inode: RawInode, holes: boolean, visit: (v: BlockVisit) => { blk?: number; flags?: number } | void): { changed: boolean; aborted: boolean } {
    const ppb = this.geo.addrPerBlock;
    let bcount = 0;
    let inodeChanged = false;
    let aborted = false;
    const call = (blk: number, blockcnt: number, refBlock: number): { blk: number; flags: number } => {
      const r = visit({ blk, blockcnt, refBlock }) ?? {};
      const flags = r.flags ?? 0;
      return { blk: flags & (BLOCK_CHANGED | BLOCK_SKIP) ? (r.blk ?? blk) : blk, flags };
    };
    for (let i = 0; i < EXT2_NDIR_BLOCKS; i++, bcount++) {
      const blk = inode.block(i);
      if (!blk && !holes) continue;
      const r = call(blk, bcount, 0);
      if (r.flags & BLOCK_CHANGED) { inode.setBlock(i, r.blk); inodeChanged = true; }
      if (r.flags & BLOCK_ABORT) return { changed: inodeChanged, aborted: true };
    }
    const levels: [number, number, number][] = [[EXT2_IND_BLOCK, 1, BLOCK_COUNT_IND], [EXT2_DIND_BLOCK, 2, BLOCK_COUNT_DIND], [EXT2_TIND_BLOCK, 3, BLOCK_COUNT_TIND]];
    const errors = [ET_BAD_IND_BLOCK, ET_BAD_DIND_BLOCK, ET_BAD_TIND_BLOCK];
    /** One indirect block of `depth` levels (0: a hole, offered to `visit` first); returns its number and flags. */
    const walk = (indIn: number, depth: number, refBlock: number): { blk: number; flags: number } => {
      const span = ppb ** depth;
      const r = call(indIn, -depth, refBlock);
      const ind = r.blk;
      if (!ind || (r.flags & BLOCK_ABORT)) { bcount += span; return r; }
      if (!this.validBlock(ind)) throw errors[depth - 1]!();
      const data = this.readBlock(ind);
      let changed = false, flags = r.flags;
      for (let i = 0; i < ppb; i++) {
        const child = le32(data, i * 4);
        if (!child && !holes) { bcount += span / ppb; continue; }
        let cr: { blk: number; flags: number };
        if (depth === 1) { cr = call(child, bcount, ind); bcount++; } else cr = walk(child, depth - 1, ind);
        if ((cr.flags & BLOCK_CHANGED) && cr.blk !== child) { setLe32(data, i * 4, cr.blk); changed = true; }
        if (cr.flags & BLOCK_ABORT) { flags |= BLOCK_ABORT; break; }
      }
      if (changed) this.writeBlock(ind, data);
      return { blk: ind, flags };
    };
    for (const [slot, depth] of levels) {
      const ind = inode.block(slot);
      if (!ind && !holes) { bcount += ppb ** depth; continue; }
      const r = walk(ind, depth, 0);
      if (r.blk !== ind && (r.flags & BLOCK_CHANGED)) { inode.setBlock(slot, r.blk); inodeChanged = true; }
      if (r.flags & BLOCK_ABORT) { aborted = true; break; }
    }
    return { changed: inodeChanged, aborted };
  }

  /** The disk block of file block `lblk` (0 for a hole or a bad map). */
  bmap(inode: RawInode, lblk: number): number {
    const ppb = this.geo.addrPerBlock;
    const path: number[] = [];
    let slot: number;
    if (lblk < EXT2_NDIR_BLOCKS) return inode.block(lblk);
    lblk -= EXT2_NDIR_BLOCKS;
    if (lblk < ppb) { slot = EXT2_IND_BLOCK; path.push(lblk); } else {
      lblk -= ppb;
      if (lblk < ppb * ppb) { slot = EXT2_DIND_BLOCK; path.push(Math.floor(lblk / ppb), lblk % ppb); } else {
        lblk -= ppb * ppb;
        slot = EXT2_TIND_BLOCK;
        path.push(Math.floor(lblk / (ppb * ppb)), Math.floor(lblk / ppb) % ppb, lblk % ppb);
      }
    }
    let blk = inode.block(slot);
    for (const index of path) {
      if (!blk || !this.validBlock(blk)) return 0;
      blk = le32(this.io.bread(blk).data, index * 4);
    }
    return this.validBlock(blk) ? blk : 0;
  }

  // ---- directories ----------------------------------------------------------------------------

  /** The directory's blocks in order (0 for holes), as far as i_size reaches. */
  dirBlocks(inode: RawInode): number[] {
    const count = Math.ceil(inode.view.i_size / this.geo.blockSize);
    const out: number[] = [];
    for (let l = 0; l < count; l++) out.push(this.bmap(inode, l));
    return out;
  }

  /** Is this entry structurally sound inside its block (what ext2fs_read_dir_block checks)? */
  private direntSane(block: Uint8Array, de: RawDirent): boolean {
    return de.recLen >= 8 && de.recLen % 4 === 0 && de.offset + de.recLen <= block.length && de.nameLen + 8 <= de.recLen;
  }

  /**
   * ext2fs_dir_iterate(): every entry of a directory (with `includeEmpty`,
   * unused ones too). `visit` may change the block and return true to have
   * it written back, or 'abort' to stop (after writing). Throws
   * EXT2_ET_NO_DIRECTORY or EXT2_ET_DIR_CORRUPTED.
   */
  dirIterate(ino: number, includeEmpty: boolean,
    visit: (de: RawDirent, block: Uint8Array, blk: number) => boolean | 'abort' | 'changed-abort' | void): void {
    const inode = this.readInode(ino);
    if ((inode.mode & 0o170000) !== 0o040000) throw ET_NO_DIRECTORY();
    const blocks: number[] = [];
    this.blockIterate(inode, false, ({ blk, blockcnt }) => { if (blockcnt >= 0) blocks.push(blk); });
    for (const blk of blocks) {
      if (!this.validBlock(blk)) throw ET_DIR_CORRUPTED();
      const data = this.readBlock(blk);
      let changed = false;
      for (let off = 0; off < data.length - 8;) {
        const de = readDirent(data, off);
        if (!this.direntSane(data, de)) throw ET_DIR_CORRUPTED();
        if (de.inode || includeEmpty) {
          const r = visit(de, data, blk);
          if (r === true) changed = true;
          if (r === 'abort' || r === 'changed-abort') {
            if (changed || r === 'changed-abort') this.writeBlock(blk, data);
            return;
          }
        }
        off += readDirent(data, off).recLen;
      }
      if (changed) this.writeBlock(blk, data);
    }
  }

  /** ext2fs_lookup(). */
  lookup(dir: number, name: string): number {
    const want = new TextEncoder().encode(name);
    let found = 0;
    this.dirIterate(dir, false, (de, data) => {
      const n = direntNameBytes(data, de);
      if (n.length === want.length && n.every((b, i) => b === want[i])) { found = de.inode; return 'abort'; }
      return false;
    });
    if (!found) throw ET_FILE_NOT_FOUND();
    return found;
  }

  /** ext2fs_link(): a new entry in the first gap that fits; EXT2_ET_DIR_NO_SPACE if there is none. */
  link(dir: number, name: string, ino: number, fileType: number): void {
    const bytes = new TextEncoder().encode(name);
    const needed = EXT2_DIR_REC_LEN(bytes.length);
    let done = false;
    this.dirIterate(dir, true, (de, data) => {
      const used = de.inode ? EXT2_DIR_REC_LEN(de.nameLen) : 0;
      if (de.recLen - used < needed) return false;
      if (de.inode) {
        const view = new DataView(data.buffer, data.byteOffset);
        view.setUint16(de.offset + 4, used, true);
        writeDirEntry(data, de.offset + used, ino, bytes, fileType, de.recLen - used);
      } else {
        writeDirEntry(data, de.offset, ino, bytes, fileType, de.recLen);
      }
      done = true;
      return 'changed-abort';
    });
    if (!done) throw ET_DIR_NO_SPACE();
  }

  /** ext2fs_unlink(): clears the entry `name` (or any entry pointing at `ino` when name is empty). */
  unlink(dir: number, name: string, ino: number): void {
    const want = new TextEncoder().encode(name);
    this.dirIterate(dir, false, (de, data) => {
      const n = direntNameBytes(data, de);
      const matches = name ? n.length === want.length && n.every((b, i) => b === want[i]) : de.inode === ino;
      if (!matches) return false;
      setDirentInode(data, de.offset, 0);
      return 'changed-abort';
    });
  }

  /**
   * ext2fs_get_pathname(): the path of `ino` inside directory `dir` (or of
   * `dir` itself when ino is 0), climbing '..' entries as they are on disk.
   */
  getPathname(dir: number, ino: number): string {
    if (dir === ino) ino = 0;
    return this.pathnameInt(dir, ino, 32);
  }

  private pathnameInt(dir: number, ino: number, maxdepth: number): string {
    if (dir === ino) return dir === 2 ? '/' : '.';
    if (!dir || maxdepth < 0) return '...';
    let parent = 0;
    let name: string | undefined;
    try {
      this.dirIterate(dir, false, (de, data) => {
        const n = new TextDecoder().decode(direntNameBytes(data, de));
        if (n === '..') parent = de.inode;
        if (ino && de.inode === ino && name === undefined) name = n;
        return parent && (name !== undefined || !ino) ? 'abort' : false;
      });
    } catch (e) {
      if (e instanceof Ext2fsError && e.code === 'EXT2_ET_NO_DIRECTORY') return ino ? `<${dir}>/<${ino}>` : `<${dir}>`;
      throw e;
    }
    const parentName = this.pathnameInt(parent, dir, maxdepth - 1);
    if (!ino) return parentName;
    return (parentName.length > 1 ? parentName : '') + '/' + (name ?? '???');
  }

  // ---- close ------------------------------------------------------------------------------------

  /** ext2fs_close(): bitmaps, group descriptors and superblock (primary and backups) to the device. */
  close(): void {
    const geo = this.geo;
    if (this.bitmapsDirty && this.blockMap && this.inodeMap) {
      for (let g = 0; g < geo.groupCount; g++) {
        const gd = this.gd(g);
        if (!this.validBlock(gd.bg_block_bitmap) || !this.validBlock(gd.bg_inode_bitmap)) continue;
        const bb = new Uint8Array(geo.blockSize);
        const first = geo.groupFirstBlock(g);
        for (let i = 0; i < geo.blockSize * 8; i++) {
          if (i >= geo.groupBlocks(g) || this.blockMap[first + i]) setBit(bb, i); else clearBit(bb, i);
        }
        this.writeBlock(gd.bg_block_bitmap, bb);
        const ib = new Uint8Array(geo.blockSize);
        for (let i = 0; i < geo.blockSize * 8; i++) {
          if (i >= geo.inodesPerGroup || this.inodeMap[g * geo.inodesPerGroup + i + 1]) setBit(ib, i);
        }
        this.writeBlock(gd.bg_inode_bitmap, ib);
      }
    }
    if (this.superDirty) {
      this.writeSuperAndDescriptors();
    }
    this.io.sync();
  }

  private writeSuperAndDescriptors(): void {
    const geo = this.geo;
    for (let g = 0; g < geo.groupCount; g++) {
      if (!geo.hasSuper(g)) continue;
      const start = geo.groupFirstBlock(g);
      const sbBlock = g === 0 ? Math.floor(EXT2_SUPERBLOCK_OFFSET / geo.blockSize) : start;
      const sbOff = g === 0 ? EXT2_SUPERBLOCK_OFFSET % geo.blockSize : 0;
      const data = this.readBlock(sbBlock);
      data.set(this.sbBytes, sbOff);
      new SuperBlockView(data, sbOff).s_block_group_nr = g;
      this.writeBlock(sbBlock, data);
      for (let i = 0; i < geo.descBlocks; i++) {
        const at = g === 0 ? geo.descBlock(i) : start + 1 + i;
        this.writeBlock(at, this.gdBytes.subarray(i * geo.blockSize, (i + 1) * geo.blockSize));
      }
    }
  }
}

