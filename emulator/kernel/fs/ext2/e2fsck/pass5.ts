// Pass 5 (e2fsck/pass5.c): the bitmaps on disk against what passes 1-4 found
// in use, then the free counts of every group and of the superblock against
// the bitmaps. Differences are printed as e2fsck does, in runs:
// "Block bitmap differences:  -(1234--1240) +1250".
import { PR_LATCH_BBITMAP, PR_LATCH_IBITMAP, type ProblemCode, type ProblemContext } from './problem.js';
import type { E2fsckContext } from './context.js';

type Diff = 'unused' | 'used';

/** Collects differing bits into runs and prints each run as one problem. */
class RunPrinter {
  private start = -1;
  private end = -1;
  private kind: Diff = 'unused';

  constructor(private readonly ctx: E2fsckContext, private readonly inodes: boolean) {}

  add(n: number, kind: Diff): void {
    if (this.start >= 0 && kind === this.kind && this.end === n - 1) { this.end = n; return; }
    this.flush();
    this.start = this.end = n;
    this.kind = kind;
  }

  flush(): void {
    if (this.start < 0) return;
    const single = this.start === this.end;
    const what = this.inodes ? 'INODE' : 'BLOCK';
    const code = `PR_5_${what}_${single ? '' : 'RANGE_'}${this.kind.toUpperCase()}` as ProblemCode;
    const pctx: ProblemContext = this.inodes ? { ino: this.start, ino2: single ? 0 : this.end } : { blk: this.start, blk2: single ? 0 : this.end };
    this.ctx.fix(code, pctx);
    this.start = this.end = -1;
  }
}

function checkBlockBitmaps(ctx: E2fsckContext): void {
  const fs = ctx.fs, geo = fs.geo;
  const disk = fs.diskBlockMap();
  const runs = new RunPrinter(ctx, false);
  let hadProblem = false;
  for (let b = geo.firstDataBlock; b < geo.blocksCount; b++) {
    const actual = !!ctx.blockFound[b], bitmap = !!disk[b];
    if (actual === bitmap) continue;
    runs.add(b, !actual && bitmap ? 'unused' : 'used');
    hadProblem = true;
  }
  runs.flush();
  const fixit = hadProblem ? ctx.problems.endLatch(PR_LATCH_BBITMAP) : -1;
  let source = disk;
  if (fixit === 1) {
    fs.replaceBlockMap(ctx.blockFound);
    source = ctx.blockFound;
  } else if (fixit === 0) ctx.unmarkValid();
  let freeBlocks = 0;
  for (let g = 0; g < geo.groupCount; g++) {
    let groupFree = 0;
    const first = geo.groupFirstBlock(g);
    for (let i = 0; i < geo.groupBlocks(g); i++) if (!source[first + i]) groupFree++;
    freeBlocks += groupFree;
    const gd = fs.gd(g);
    if (groupFree !== gd.bg_free_blocks_count) {
      if (ctx.fix('PR_5_FREE_BLOCK_COUNT_GROUP', { group: g, blk: gd.bg_free_blocks_count, blk2: groupFree })) {
        gd.bg_free_blocks_count = groupFree;
        fs.markSuperDirty();
      } else ctx.unmarkValid();
    }
  }
  if (freeBlocks !== fs.sb.s_free_blocks_count) {
    if (ctx.fix('PR_5_FREE_BLOCK_COUNT', { group: 0, blk: fs.sb.s_free_blocks_count, blk2: freeBlocks })) {
      fs.sb.s_free_blocks_count = freeBlocks;
      fs.markSuperDirty();
    }
  }
}

function checkInodeBitmaps(ctx: E2fsckContext): void {
  const fs = ctx.fs, geo = fs.geo;
  const disk = fs.diskInodeMap();
  const runs = new RunPrinter(ctx, true);
  let hadProblem = false;
  for (let i = 1; i <= geo.inodesCount; i++) {
    const actual = !!ctx.inodeUsed[i], bitmap = !!disk[i];
    if (actual === bitmap) continue;
    runs.add(i, !actual && bitmap ? 'unused' : 'used');
    hadProblem = true;
  }
  runs.flush();
  const fixit = hadProblem ? ctx.problems.endLatch(PR_LATCH_IBITMAP) : -1;
  let source = disk;
  if (fixit === 1) {
    fs.replaceInodeMap(ctx.inodeUsed);
    source = ctx.inodeUsed;
  } else if (fixit === 0) ctx.unmarkValid();
  let freeInodes = 0;
  for (let g = 0; g < geo.groupCount; g++) {
    let groupFree = 0, dirs = 0;
    for (let k = 1; k <= geo.inodesPerGroup; k++) {
      const ino = g * geo.inodesPerGroup + k;
      if (source[ino]) { if (ctx.inodeDir[ino]) dirs++; } else groupFree++;
    }
    freeInodes += groupFree;
    const gd = fs.gd(g);
    if (groupFree !== gd.bg_free_inodes_count) {
      if (ctx.fix('PR_5_FREE_INODE_COUNT_GROUP', { group: g, ino: gd.bg_free_inodes_count, ino2: groupFree })) {
        gd.bg_free_inodes_count = groupFree;
        fs.markSuperDirty();
      } else ctx.unmarkValid();
    }
    if (dirs !== gd.bg_used_dirs_count) {
      if (ctx.fix('PR_5_FREE_DIR_COUNT_GROUP', { group: g, ino: gd.bg_used_dirs_count, ino2: dirs })) {
        gd.bg_used_dirs_count = dirs;
        fs.markSuperDirty();
      } else ctx.unmarkValid();
    }
  }
  if (freeInodes !== fs.sb.s_free_inodes_count) {
    if (ctx.fix('PR_5_FREE_INODE_COUNT', { group: -1, ino: fs.sb.s_free_inodes_count, ino2: freeInodes })) {
      fs.sb.s_free_inodes_count = freeInodes;
      fs.markSuperDirty();
    }
  }
}

/** check_inode_end()/check_block_end(): the bits past the last inode and block must read as used. */
function checkPadding(ctx: E2fsckContext): void {
  const fs = ctx.fs, geo = fs.geo;
  const last = geo.groupCount - 1;
  const gd = fs.gd(last);
  const check = (blk: number, from: number, code: ProblemCode) => {
    if (!fs.validBlock(blk)) return;
    const data = fs.readBlock(blk);
    for (let bit = from; bit < geo.blockSize * 8; bit++) {
      if (!(data[bit >> 3]! & (1 << (bit & 7)))) {
        if (ctx.fix(code)) fs.markBitmapsDirty();
        else ctx.unmarkValid();
        return;
      }
    }
  };
  check(gd.bg_inode_bitmap, geo.inodesPerGroup, 'PR_5_INODE_BMAP_PADDING');
  check(gd.bg_block_bitmap, geo.groupBlocks(last), 'PR_5_BLOCK_BMAP_PADDING');
}

export function pass5(ctx: E2fsckContext): void {
  if (ctx.mode !== 'preen') ctx.fix('PR_5_PASS_HEADER');
  ctx.fs.readBitmaps();
  checkBlockBitmaps(ctx);
  checkInodeBitmaps(ctx);
  checkPadding(ctx);
}
