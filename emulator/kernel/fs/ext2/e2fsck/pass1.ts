// Pass 1 (e2fsck/pass1.c): one sweep over the inode table. An inode is in use
// if it has links (not by the bitmap: that is pass 5's business); every block
// it maps is checked (in range, not claimed twice) and counted, so that its
// i_size and i_blocks can be checked, and the blocks of directories are
// listed for pass 2.
import { EXT2_BAD_INO, EXT2_FEATURE_COMPAT_DIR_INDEX, EXT2_INDEX_FL, EXT2_ROOT_INO } from '../layout.js';
import { BLOCK_ABORT, BLOCK_CHANGED, BLOCK_SKIP, Ext2fsError, RawInode } from './fs.js';
import { type E2fsckContext, hasValidBlocks, isDir, isLnk, isReg } from './context.js';
import { LATCH_SUPPRESS, PR_LATCH_BLOCK, PR_LATCH_TOOBIG, type ProblemContext } from './problem.js';
import { pass1Dupblocks } from './pass1b.js';

const S_IFMT = 0o170000, S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFIFO = 0o010000, S_IFSOCK = 0o140000;
const EXT2_IMMUTABLE_FL = 0x10, EXT2_APPEND_FL = 0x20, EXT4_EXTENTS_FL = 0x80000;
const EXT2_JOURNAL_INO = 8, EXT2_BOOT_LOADER_INO = 5, EXT2_RESIZE_INO = 7;

/** e2fsck_pass1_check_device_inode(): devices, FIFOs and sockets map no blocks. */
export function checkDeviceInode(inode: RawInode): boolean {
  if (inode.view.i_flags & (EXT2_INDEX_FL | EXT4_EXTENTS_FL)) return false;
  if (inode.view.i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)) {
    for (let i = 4; i < 15; i++) if (inode.block(i)) return false;
  }
  return true;
}

/** ext2fs_is_fast_symlink(). */
export function isFastSymlink(inode: RawInode): boolean {
  return isLnk(inode.mode) && inode.size > 0 && inode.size < 60;
}

/** e2fsck_pass1_check_symlink(): the target is NUL-free, terminated, and exactly i_size long. */
export function checkSymlink(ctx: E2fsckContext, inode: RawInode): boolean {
  const v = inode.view;
  if (v.i_size_high || v.i_size === 0 || (v.i_flags & EXT2_INDEX_FL)) return false;
  let buf: Uint8Array;
  if (isFastSymlink(inode)) {
    if (v.i_flags & EXT4_EXTENTS_FL) return false;
    buf = inode.bytes.subarray(40, 100);
  } else {
    const blk = inode.block(0);
    for (let i = 1; i < 15; i++) if (inode.block(i)) return false;
    if (!ctx.fs.validBlock(blk)) return false;
    buf = ctx.fs.readBlock(blk);
  }
  let len = buf.indexOf(0);
  if (len < 0) len = buf.length;
  if (len >= buf.length) return false;
  return len === v.i_size;
}

interface BlockScan {
  ino: number;
  inode: RawInode;
  isDir: boolean;
  isReg: boolean;
  numBlocks: number;
  lastBlock: number;
  numIllegal: number;
  previousBlock: number;
  lastDbBlock: number;
  fragmented: boolean;
  clear: boolean;
  suppress: boolean;
  inodeModified: boolean;
  maxBlocks: number;
}

/** mark_table_blocks(): superblocks, descriptors, bitmaps and inode tables are in use. */
function markTableBlocks(ctx: E2fsckContext): void {
  const fs = ctx.fs, geo = fs.geo;
  const mark = (blk: number) => {
    if (blk >= geo.blocksCount) return;
    ctx.blockFound[blk] = 1;
    ctx.blockMetadata[blk] = 1;
  };
  for (let g = 0; g < geo.groupCount; g++) {
    const start = geo.groupFirstBlock(g);
    for (let b = 0; b < geo.superAndDescBlocks(g); b++) mark(start + b);
    const gd = fs.gd(g);
    for (let b = 0; b < geo.inodeTableBlocks; b++) mark(gd.bg_inode_table + b);
    mark(gd.bg_block_bitmap);
    mark(gd.bg_inode_bitmap);
  }
}

function markBlockUsed(ctx: E2fsckContext, blk: number): void {
  if (ctx.blockFound[blk]) {
    ctx.blockDup ??= new Uint8Array(ctx.fs.geo.blocksCount);
    ctx.blockDup[blk] = 1;
  } else {
    ctx.blockFound[blk] = 1;
  }
}

/** process_block(): one block of an inode. */
function processBlock(ctx: E2fsckContext, p: BlockScan, pctx: ProblemContext, blk: number, blockcnt: number, refBlock: number): { blk?: number; flags?: number } {
  const fs = ctx.fs;
  if (p.isDir && blockcnt === 0 && blk === 0) {
    ctx.dirBlocks.push({ ino: p.ino, blk: 0, blockcnt: 0 });
    p.lastDbBlock++;
  }
  if (blk === 0) return {};
  if (p.previousBlock && p.previousBlock + 1 !== blk) p.fragmented = true;
  let problem: 'PR_1_TOOBIG_DIR' | 'PR_1_TOOBIG_REG' | 'PR_1_TOOBIG_SYMLINK' | 'PR_1_ILLEGAL_BLOCK_NUM' | undefined;
  if (p.isDir && !p.inode.view.i_size_high && blockcnt > (1 << (21 - fs.sb.s_log_block_size))) problem = 'PR_1_TOOBIG_DIR';
  if (p.isDir && p.numBlocks + 1 >= p.maxBlocks) problem = 'PR_1_TOOBIG_DIR';
  if (p.isReg && p.numBlocks + 1 >= p.maxBlocks) problem = 'PR_1_TOOBIG_REG';
  if (!p.isDir && !p.isReg && blockcnt > 0) problem = 'PR_1_TOOBIG_SYMLINK';
  if (!fs.validBlock(blk)) problem = 'PR_1_ILLEGAL_BLOCK_NUM';
  // An indirect block squatting on the inode table or a bitmap: pass 1B clones it, then everything starts over.
  if (blockcnt < 0 && blk < fs.geo.blocksCount && ctx.blockMetadata[blk]) {
    ctx.fix('PR_1_CRITICAL_METADATA_COLLISION', { ...pctx, blk });
    if (!ctx.readOnly) ctx.restartLater = true;
  }
  if (problem) {
    p.numIllegal++;
    if (refBlock && ctx.blockMetadata[refBlock]) return { blk: 0, flags: BLOCK_SKIP };
    if (!p.suppress && p.numIllegal % 12 === 0) {
      if (ctx.fix('PR_1_TOO_MANY_BAD_BLOCKS', pctx)) {
        p.clear = true;
        return { flags: BLOCK_ABORT };
      }
      if (ctx.fix('PR_1_SUPPRESS_MESSAGES', pctx)) {
        p.suppress = true;
        ctx.problems.setLatchFlags(PR_LATCH_BLOCK, LATCH_SUPPRESS);
      }
    }
    pctx.blk = blk;
    pctx.blkcount = blockcnt;
    if (!ctx.fix(problem, pctx)) return {};
    p.inodeModified = true;
    if (problem === 'PR_1_TOOBIG_DIR') return { blk: 0, flags: BLOCK_CHANGED };
    markDir(ctx, p, 0, blockcnt);
    return { blk: 0, flags: BLOCK_CHANGED };
  }
  markBlockUsed(ctx, blk);
  p.numBlocks++;
  if (blockcnt >= 0) p.lastBlock = blockcnt;
  p.previousBlock = blk;
  markDir(ctx, p, blk, blockcnt);
  return {};
}

/** Lists a directory block for pass 2, with the holes before it. */
function markDir(ctx: E2fsckContext, p: BlockScan, blk: number, blockcnt: number): void {
  if (!p.isDir || blockcnt < 0) return;
  while (++p.lastDbBlock < blockcnt) ctx.dirBlocks.push({ ino: p.ino, blk: 0, blockcnt: p.lastDbBlock });
  ctx.dirBlocks.push({ ino: p.ino, blk, blockcnt });
}

/** ext2_max_sizes[]: the largest i_size a block-mapped file may have. */
function maxSize(ctx: E2fsckContext): number {
  const ppb = ctx.fs.geo.addrPerBlock;
  let max = 12 + ppb + ppb * ppb + ppb * ppb * ppb;
  max = max * ctx.fs.geo.blockSize - 1;
  return Math.min(max, 2 ** 32 * ctx.fs.geo.blockSize - 1);
}

/** check_blocks(): walks an inode's blocks and checks i_size and i_blocks against them. */
export function checkBlocks(ctx: E2fsckContext, ino: number, inode: RawInode, pctx: ProblemContext): void {
  const fs = ctx.fs;
  const p: BlockScan = {
    ino, inode, isDir: isDir(inode.mode), isReg: isReg(inode.mode), numBlocks: 0, lastBlock: -1, numIllegal: 0,
    previousBlock: 0, lastDbBlock: -1, fragmented: false, clear: false, suppress: false, inodeModified: false,
    maxBlocks: 2 ** (31 - fs.sb.s_log_block_size),
  };
  pctx.ino = ino;
  pctx.inode = inode;
  let dirty = false;
  if (hasValidBlocks(inode)) {
    try {
      const r = fs.blockIterate(inode, p.isDir, ({ blk, blockcnt, refBlock }) => processBlock(ctx, p, pctx, blk, blockcnt, refBlock));
      if (r.changed) ctx.writeInode(ino, inode);
    } catch (e) {
      if (!(e instanceof Ext2fsError)) throw e;
      ctx.problems.endLatch(PR_LATCH_BLOCK);
      ctx.fix('PR_1_BLOCK_ITERATE', { ...pctx, errcode: e });
    }
    if (p.inodeModified) {
      const fresh = fs.readInode(ino);
      inode.bytes.set(fresh.bytes);
    }
  }
  ctx.problems.endLatch(PR_LATCH_BLOCK);
  ctx.problems.endLatch(PR_LATCH_TOOBIG);
  if (p.fragmented && p.numBlocks < fs.geo.blocksPerGroup) {
    if (p.isDir) ctx.fsFragmentedDir++; else ctx.fsFragmented++;
  }
  if (p.clear) {
    ctx.clearInode(ino, inode, true);
    return;
  }
  if ((inode.view.i_flags & EXT2_INDEX_FL) && !(fs.sb.s_feature_compat & EXT2_FEATURE_COMPAT_DIR_INDEX)) {
    if (ctx.fix('PR_1_HTREE_SET', pctx)) {
      inode.view.i_flags &= ~EXT2_INDEX_FL;
      dirty = true;
    }
  }
  if (!p.numBlocks && p.isDir) {
    if (ctx.fix('PR_1_ZERO_LENGTH_DIR', pctx)) {
      ctx.clearInode(ino, inode);
      ctx.fsDirectoryCount--;
      return;
    }
  }
  const sectors = p.numBlocks * (fs.geo.blockSize / 512);
  const size = inode.size;
  const bs = fs.geo.blockSize;
  let badSize = 0;
  if (p.isDir) {
    const nblock = Math.floor(size / bs);
    if (size & (bs - 1)) badSize = 5;
    else if (nblock > p.lastBlock + 1) badSize = 1;
    else if (nblock < p.lastBlock + 1 && p.lastBlock + 1 - nblock > fs.sb.s_prealloc_dir_blocks) badSize = 2;
  } else {
    if (p.lastBlock >= 0 && size < p.lastBlock * bs) badSize = 3;
    else if (size > maxSize(ctx)) badSize = 4;
  }
  if (badSize && !isLnk(inode.mode)) {
    pctx.num = (p.lastBlock + 1) * bs;
    pctx.group = badSize;
    if (ctx.fix('PR_1_BAD_I_SIZE', pctx)) {
      inode.size = pctx.num;
      dirty = true;
    }
    pctx.num = 0;
    pctx.group = undefined;
  }
  if (isReg(inode.mode) && inode.size > 0x7fffffff) ctx.largeFiles++;
  if (sectors !== inode.view.i_blocks) {
    pctx.num = sectors;
    if (ctx.fix('PR_1_BAD_I_BLOCKS', pctx)) {
      inode.view.i_blocks = sectors;
      dirty = true;
    }
    pctx.num = 0;
  }
  if (dirty) ctx.writeInode(ino, inode);
}

/** check_immutable() and check_size() for devices, FIFOs and sockets. */
function checkSpecial(ctx: E2fsckContext, ino: number, inode: RawInode, pctx: ProblemContext): void {
  if (inode.view.i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)) {
    if (ctx.fix('PR_1_SET_IMMUTABLE', pctx)) {
      inode.view.i_flags &= ~(EXT2_IMMUTABLE_FL | EXT2_APPEND_FL);
      ctx.writeInode(ino, inode);
    }
  }
  if (inode.size !== 0 && ctx.fix('PR_1_SET_NONZSIZE', pctx)) {
    inode.view.i_size = 0;
    inode.view.i_size_high = 0;
    ctx.writeInode(ino, inode);
  }
}

export function pass1(ctx: E2fsckContext): void {
  const fs = ctx.fs, geo = fs.geo, sb = fs.sb;
  if (ctx.mode !== 'preen') ctx.fix('PR_1_PASS_HEADER');
  markTableBlocks(ctx);
  // Inodes with a dtime below the inode count were once on an orphan list, unless the clock itself is that low.
  const bustedFsTime = sb.s_wtime < sb.s_inodes_count || sb.s_mtime < sb.s_inodes_count ||
    (sb.s_mkfs_time !== 0 && sb.s_mkfs_time < sb.s_inodes_count);
  const lowDtimeCheck = !bustedFsTime;
  // Inodes with indirect blocks are checked at the end of each group, sorted by their first indirect block.
  let toProcess: { ino: number; inode: RawInode }[] = [];
  const processInodes = () => {
    toProcess.sort((a, b) => (a.inode.block(12) - b.inode.block(12)) || (a.ino - b.ino));
    for (const { ino, inode } of toProcess) checkBlocks(ctx, ino, inode, { ino, inode });
    toProcess = [];
  };
  const scan = (ino: number): void => {
    const inode = fs.readInode(ino);
    const v = inode.view;
    const pctx: ProblemContext = { ino, inode };
    if (v.i_dtime && lowDtimeCheck && v.i_dtime < sb.s_inodes_count) {
      if (ctx.fix('PR_1_LOW_DTIME', pctx)) {
        v.i_dtime = v.i_links_count ? 0 : ctx.now;
        ctx.writeInode(ino, inode);
      }
    }
    if (v.i_links_count) {
      ctx.linkInfo[ino] = v.i_links_count;
    } else if (ino >= geo.firstIno) {
      if (!v.i_dtime && v.i_mode && ctx.fix('PR_1_ZERO_DTIME', pctx)) {
        v.i_dtime = ctx.now;
        ctx.writeInode(ino, inode);
      }
      return;
    }
    if (ino === EXT2_BAD_INO) {
      ctx.inodeUsed[ino] = 1;
    } else if (ino === EXT2_ROOT_INO) {
      if (!isDir(v.i_mode) && ctx.fix('PR_1_ROOT_NO_DIR', pctx)) {
        ctx.clearInode(ino, inode);
        return;
      }
      if (v.i_dtime && v.i_links_count && ctx.fix('PR_1_ROOT_DTIME', pctx)) {
        v.i_dtime = 0;
        ctx.writeInode(ino, inode);
      }
    } else if (ino === EXT2_JOURNAL_INO || ino === 3 || ino === 4) {
      // The journal and quota inodes: ext2 has neither; reserved, nothing to check.
      ctx.inodeUsed[ino] = 1;
    } else if (ino < geo.firstIno) {
      ctx.inodeUsed[ino] = 1;
      let bad = false;
      if (ino === EXT2_BOOT_LOADER_INO) bad = isDir(v.i_mode);
      else if (ino === EXT2_RESIZE_INO) bad = v.i_mode !== 0 && !isReg(v.i_mode);
      else bad = v.i_mode !== 0;
      if (bad && ctx.fix('PR_1_RESERVED_BAD_MODE', pctx)) {
        v.i_mode = 0;
        ctx.writeInode(ino, inode);
      }
      checkBlocks(ctx, ino, inode, pctx);
      return;
    }
    if (ino === EXT2_BAD_INO) return;
    if (!v.i_links_count) return;
    if (v.i_dtime && ctx.fix('PR_1_SET_DTIME', pctx)) {
      v.i_dtime = 0;
      ctx.writeInode(ino, inode);
    }
    ctx.inodeUsed[ino] = 1;
    if (v.i_faddr || (isDir(v.i_mode) && v.i_size_high)) ctx.inodeBad[ino] = 1;
    if (v.l_i_file_acl_high || v.l_i_blocks_hi || v.i_file_acl) ctx.inodeBad[ino] = 1;
    const type = v.i_mode & S_IFMT;
    if (isDir(v.i_mode)) {
      ctx.inodeDir[ino] = 1;
      ctx.addDirInfo(ino, 0);
      ctx.fsDirectoryCount++;
    } else if (isReg(v.i_mode)) {
      ctx.inodeReg[ino] = 1;
      ctx.fsRegularCount++;
    } else if ((type === S_IFCHR || type === S_IFBLK || type === S_IFIFO || type === S_IFSOCK) && checkDeviceInode(inode)) {
      checkSpecial(ctx, ino, inode, pctx);
    } else if (isLnk(v.i_mode) && checkSymlink(ctx, inode)) {
      if (v.i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL) && ctx.fix('PR_1_SET_IMMUTABLE', pctx)) {
        v.i_flags &= ~(EXT2_IMMUTABLE_FL | EXT2_APPEND_FL);
        ctx.writeInode(ino, inode);
      }
      if (isFastSymlink(inode)) {
        checkBlocks(ctx, ino, inode, pctx);
        return;
      }
    } else {
      ctx.inodeBad[ino] = 1;
    }
    if (inode.block(12) || inode.block(13) || inode.block(14)) toProcess.push({ ino, inode });
    else checkBlocks(ctx, ino, inode, pctx);
  };
  for (let ino = 1; ino <= geo.inodesCount; ino++) {
    scan(ino);
    if (toProcess.length >= 256 || ino % geo.inodesPerGroup === 0) processInodes();
  }
  processInodes();
  if (ctx.restart) return;
  if (ctx.blockDup) {
    if (ctx.mode === 'preen') ctx.fix('PR_1_DUP_BLOCKS_PREENSTOP');
    pass1Dupblocks(ctx);
  }
}
