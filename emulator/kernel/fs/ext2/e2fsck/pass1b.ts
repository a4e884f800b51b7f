// Passes 1B-1D (e2fsck/pass1b.c): blocks claimed by more than one inode (or
// by an inode and the file system's own metadata) after a crash left an old
// and a new owner on disk. 1B lists them per inode, 1C finds names for those
// inodes, 1D offers to give each file its own copy of the shared blocks.
import { BLOCK_CHANGED, type RawInode } from './fs.js';
import { type E2fsckContext, hasValidBlocks } from './context.js';
import { PR_LATCH_DBLOCK, type ProblemContext } from './problem.js';
import { readDirent } from '../dirent.js';
import { EXT2_BAD_INO, EXT2_ROOT_INO } from '../layout.js';

interface DupCluster {
  numBad: number;
  /** Owners, most recently found first (e2fsck prepends). */
  inodes: number[];
}

interface DupInode {
  dir: number;
  numDupBlocks: number;
  /** Shared blocks, most recently found first. */
  clusters: number[];
  inode: RawInode;
}

export function pass1Dupblocks(ctx: E2fsckContext): void {
  const clusters = new Map<number, DupCluster>();
  const inodes = new Map<number, DupInode>();
  const dupInodeCount = pass1b(ctx, clusters, inodes);
  pass1c(ctx, inodes, dupInodeCount);
  pass1d(ctx, clusters, inodes, dupInodeCount);
}

function pass1b(ctx: E2fsckContext, clusters: Map<number, DupCluster>, inodes: Map<number, DupInode>): number {
  const fs = ctx.fs;
  if (ctx.mode !== 'preen') ctx.fix('PR_1B_PASS_HEADER');
  let dupInodeCount = 0;
  const addDupe = (ino: number, blk: number, inode: RawInode) => {
    let c = clusters.get(blk);
    if (!c) { c = { numBad: 0, inodes: [] }; clusters.set(blk, c); }
    c.inodes.unshift(ino);
    c.numBad++;
    let d = inodes.get(ino);
    if (!d) {
      d = { dir: ino === EXT2_ROOT_INO ? EXT2_ROOT_INO : 0, numDupBlocks: 0, clusters: [], inode };
      inodes.set(ino, d);
    }
    d.clusters.unshift(blk);
    d.numDupBlocks++;
  };
  for (let ino = 1; ino <= fs.geo.inodesCount; ino++) {
    if (ino !== EXT2_BAD_INO && !ctx.inodeUsed[ino]) continue;
    const inode = fs.readInode(ino);
    const pctx: ProblemContext = { ino, blk: 0, blk2: 0 };
    let dupBlocks = 0, lastBlk = 0;
    if (hasValidBlocks(inode) || ino === EXT2_BAD_INO) {
      try {
        fs.blockIterate(inode, false, ({ blk }) => {
          if (!blk) return;
          if (!fs.validBlock(blk)) {
            // Left in place by a "no" in pass 1: libext2fs complains as it tests the bitmap.
            ctx.out(`Illegal block number passed to ext2fs_test_block_bitmap #${blk} for multiply claimed block map\n`);
            return;
          }
          if (!ctx.blockDup![blk]) return;
          if (ino !== EXT2_BAD_INO) {
            if (lastBlk + 1 !== blk) {
              if (lastBlk) ctx.fix(pctx.blk === pctx.blk2 ? 'PR_1B_DUP_BLOCK' : 'PR_1B_DUP_RANGE', pctx);
              pctx.blk = blk;
            }
            pctx.blk2 = blk;
            lastBlk = blk;
          }
          dupBlocks++;
          addDupe(ino, blk, inode);
        });
      } catch { /* pass 1 already reported the bad indirect block */ }
    }
    if (dupBlocks) {
      if (ino !== EXT2_BAD_INO) ctx.fix(pctx.blk === pctx.blk2 ? 'PR_1B_DUP_BLOCK' : 'PR_1B_DUP_RANGE', pctx);
      ctx.problems.endLatch(PR_LATCH_DBLOCK);
      if (ino >= fs.geo.firstIno || ino === EXT2_ROOT_INO) dupInodeCount++;
    }
  }
  return dupInodeCount;
}

/** Pass 1C: the directory holding each inode with shared blocks, so 1D can print its name. */
function pass1c(ctx: E2fsckContext, inodes: Map<number, DupInode>, dupInodeCount: number): void {
  const fs = ctx.fs;
  if (ctx.mode !== 'preen') ctx.fix('PR_1C_PASS_HEADER');
  let count = dupInodeCount - (inodes.has(EXT2_ROOT_INO) ? 1 : 0);
  if (count <= 0) return;
  const sorted = [...ctx.dirBlocks].sort((a, b) => (a.blk - b.blk) || (a.blockcnt - b.blockcnt));
  for (const db of sorted) {
    if (!db.blk || !fs.validBlock(db.blk)) continue;
    const data = fs.readBlock(db.blk);
    let entry = db.blockcnt ? 3 : 1;
    for (let off = 0; off < data.length - 8;) {
      const de = readDirent(data, off);
      if (de.recLen < 8 || de.recLen % 4 || off + de.recLen > data.length || de.nameLen + 8 > de.recLen) break;
      if (de.inode && de.inode >= fs.geo.firstIno && de.inode <= fs.geo.inodesCount && entry >= 3) {
        const d = inodes.get(de.inode);
        if (d && !d.dir) {
          d.dir = db.ino;
          if (--count === 0) return;
        }
      }
      if (entry < 3) entry++;
      off += de.recLen;
    }
  }
}

function pass1d(ctx: E2fsckContext, clusters: Map<number, DupCluster>, inodes: Map<number, DupInode>, dupInodeCount: number): void {
  if (ctx.mode !== 'preen') ctx.fix('PR_1D_PASS_HEADER');
  ctx.fix('PR_1D_NUM_DUP_INODES', { num: dupInodeCount });
  for (const ino of [...inodes.keys()].sort((a, b) => a - b)) {
    if (ino === EXT2_BAD_INO || ino === 7) continue;
    const p = inodes.get(ino)!;
    const shared: number[] = [];
    let fileOk = true, metaData = false;
    for (const blk of p.clusters) {
      const q = clusters.get(blk);
      if (!q) continue;
      if (q.numBad > 1) fileOk = false;
      if (ctx.blockMetadata[blk]) { fileOk = false; metaData = true; }
      for (const owner of q.inodes) if (owner !== ino && !shared.includes(owner)) shared.push(owner);
    }
    const sharedCount = metaData ? shared.length + 1 : shared.length;
    ctx.fix('PR_1D_DUP_FILE', { inode: p.inode, ino, dir: p.dir, blkcount: p.numDupBlocks, num: sharedCount });
    if (metaData) ctx.fix('PR_1D_SHARE_METADATA', { ino, dir: p.dir });
    for (const other of shared) {
      const t = inodes.get(other);
      if (!t) continue;
      ctx.fix('PR_1D_DUP_FILE_LIST', { inode: t.inode, ino: other, dir: t.dir });
    }
    if (fileOk && sharedCount !== 0) {
      ctx.fix('PR_1D_DUP_BLOCKS_DEALT', { ino });
      continue;
    }
    if (ctx.fix('PR_1D_CLONE_QUESTION', { ino, inode: p.inode, dir: p.dir })) {
      cloneFile(ctx, ino, clusters);
      continue;
    }
    if (!ctx.fix('PR_1D_DELETE_QUESTION', { ino, inode: p.inode, dir: p.dir })) ctx.unmarkValid();
  }
}

/** clone_file(): the file gets fresh copies of every block it still shares. */
function cloneFile(ctx: E2fsckContext, ino: number, clusters: Map<number, DupCluster>): void {
  const fs = ctx.fs;
  const inode = fs.readInode(ino);
  if (!hasValidBlocks(inode)) return;
  fs.readBitmaps();
  const diskMap = fs.diskBlockMap();
  let pending: { blk: number; cluster: DupCluster | undefined } | undefined;
  const settle = () => {
    if (pending?.cluster) decrementBadcount(ctx, pending.blk, pending.cluster);
    pending = undefined;
  };
  const isDir = !!ctx.inodeDir[ino];
  const r = fs.blockIterate(inode, false, ({ blk, blockcnt }) => {
    settle();
    if (!blk || !fs.validBlock(blk) || !ctx.blockDup![blk]) return;
    const cluster = clusters.get(blk);
    if (!cluster) return;
    const fresh = fs.newBlock(0, ctx.blockFound);
    if (isDir && blockcnt >= 0) {
      for (const db of ctx.dirBlocks) if (db.ino === ino && db.blockcnt === blockcnt) db.blk = fresh;
    }
    fs.writeBlock(fresh, fs.readBlock(blk));
    pending = { blk, cluster: ctx.blockMetadata[blk] ? undefined : cluster };
    ctx.blockFound[fresh] = 1;
    diskMap[fresh] = 1;
    fs.markBitmapsDirty();
    return { blk: fresh, flags: BLOCK_CHANGED };
  });
  settle();
  if (r.changed) ctx.writeInode(ino, inode);
}

function decrementBadcount(ctx: E2fsckContext, blk: number, cluster: DupCluster): void {
  cluster.numBad--;
  if (cluster.numBad <= 0 || (cluster.numBad === 1 && !ctx.blockMetadata[blk])) {
    if (ctx.blockMetadata[blk]) return;
    ctx.blockDup![blk] = 0;
  }
}
