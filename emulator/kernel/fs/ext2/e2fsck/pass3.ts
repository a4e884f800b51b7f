// Pass 3 (e2fsck/pass3.c): every directory must be reachable from the root
// through the parents pass 2 recorded; one that is not goes to /lost+found,
// and a '..' that disagrees with the real parent is pointed back at it. Then
// /lost+found is made to exist, and directories with duplicate names are
// cleaned up (pass 3A).
import { EXT2_ROOT_INO } from '../layout.js';
import { readDirent } from '../dirent.js';
import { type E2fsckContext, isDir } from './context.js';
import { RawInode } from './fs.js';
import type { ProblemContext } from './problem.js';

/** check_root(): the root must exist and be a directory; a missing one is made anew. */
function checkRoot(ctx: E2fsckContext): void {
  const fs = ctx.fs;
  if (ctx.inodeUsed[EXT2_ROOT_INO]) {
    if (!ctx.inodeDir[EXT2_ROOT_INO]) ctx.fix('PR_3_ROOT_NOT_DIR_ABORT');
    return;
  }
  if (!ctx.fix('PR_3_NO_ROOT_INODE')) {
    ctx.fix('PR_3_NO_ROOT_INODE_ABORT');
    return;
  }
  fs.readBitmaps();
  const blk = ctx.newBlock();
  const inode = RawInode.empty();
  const v = inode.view;
  v.i_mode = 0o40755;
  v.i_size = fs.geo.blockSize;
  v.i_atime = v.i_ctime = v.i_mtime = ctx.now;
  v.i_links_count = 2;
  v.i_blocks = fs.geo.blockSize / 512;
  inode.setBlock(0, blk);
  fs.writeNewInode(EXT2_ROOT_INO, inode);
  fs.writeBlock(blk, ctx.newDirBlock(EXT2_ROOT_INO, EXT2_ROOT_INO));
  ctx.addDirInfo(EXT2_ROOT_INO, EXT2_ROOT_INO);
  ctx.inodeCount[EXT2_ROOT_INO] = 2;
  ctx.linkInfo[EXT2_ROOT_INO] = 2;
  ctx.inodeUsed[EXT2_ROOT_INO] = 1;
  ctx.inodeDir[EXT2_ROOT_INO] = 1;
  fs.inodeAllocStats(EXT2_ROOT_INO, 1, true);
}

/** check_directory(): follows the parents up until the root, a checked directory, or a dead end. */
function checkDirectory(ctx: E2fsckContext, dir: number, done: Uint8Array, pctx: ProblemContext): void {
  let ino = dir;
  let loopPass = false, parentCount = 0;
  let loopDetect: Uint8Array | undefined;
  for (;;) {
    if (done[ino]) break;
    done[ino] = 1;
    const info = ctx.dirInfo.get(ino);
    if (!info) return;
    let parent = info.parent;
    if (!parent || (loopPass && loopDetect![parent])) {
      pctx.ino = ino;
      if (parent) pctx.dir = parent;
      else {
        // A failed lookup leaves the context as it was, as e2fsck's does.
        try { pctx.dir = ctx.fs.lookup(ino, '..'); } catch { /* keep pctx.dir */ }
      }
      if (ctx.fix(!parent ? 'PR_3_UNCONNECTED_DIR' : 'PR_3_LOOPED_DIR', pctx)) {
        if (ctx.reconnectFile(ino)) ctx.unmarkValid();
        else {
          ctx.fixDotdot(ino, ctx.lostAndFound);
          parent = ctx.lostAndFound;
        }
      }
      break;
    }
    ino = parent;
    if (loopPass) loopDetect![ino] = 1;
    else if (parentCount++ > 2048) {
      loopPass = true;
      loopDetect = new Uint8Array(done.length);
      ino = dir;
    }
  }
  const info = ctx.dirInfo.get(dir);
  if (!info) return;
  pctx.ino = dir;
  pctx.ino2 = info.dotdot;
  pctx.dir = info.parent;
  if (info.dotdot !== info.parent && ctx.fix('PR_3_BAD_DOT_DOT', pctx)) ctx.fixDotdot(dir, info.parent);
}

export function pass3(ctx: E2fsckContext): void {
  if (ctx.mode !== 'preen') ctx.fix('PR_3_PASS_HEADER');
  const done = new Uint8Array(ctx.fs.geo.inodesCount + 1);
  const pctx: ProblemContext = {};
  checkRoot(ctx);
  done[EXT2_ROOT_INO] = 1;
  for (const dir of [...ctx.dirInfo.keys()].sort((a, b) => a - b)) {
    if (ctx.restart) return;
    if (ctx.inodeDir[dir]) checkDirectory(ctx, dir, done, pctx);
  }
  if (!ctx.readOnly) ctx.getLostAndFound(true);
  rehashDirectories(ctx);
}

/** mutate_name(): "name" becomes "name~0", then "name~1" ... until it is unique. */
function mutateName(name: number[]): number[] {
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
  let i = name.length - 1;
  while (i > 0 && isDigit(name[i]!)) i--;
  if (i === name.length - 1 || name[i] !== 0x7e) {
    let l = name.length;
    l = ((l - 1) & 3) < 2 ? l + 2 : (l + 3) & ~3;
    const out = name.slice(0, l);
    while (out.length < l) out.push(0);
    out[l - 2] = 0x7e;
    out[l - 1] = 0x30;
    return out;
  }
  const out = name.slice();
  for (let j = out.length - 1; j >= 0; j--) {
    if (!isDigit(out[j]!)) break;
    if (out[j] === 0x39) { out[j] = 0x30; continue; }
    out[j]! += 1;
    return out;
  }
  return [...out, 0x30];
}

/**
 * Pass 3A for directories with duplicate names: a second entry for the
 * same inode goes, a second entry for another inode gets a new name.
 */
function rehashDirectories(ctx: E2fsckContext): void {
  if (!ctx.rehashDirs.size) return;
  if (ctx.mode !== 'preen') ctx.fix('PR_3A_PASS_HEADER');
  const fs = ctx.fs;
  for (const dir of [...ctx.rehashDirs].sort((a, b) => a - b)) {
    const inode = fs.readInode(dir);
    if (!isDir(inode.mode)) continue;
    const seen: { name: number[]; ino: number }[] = [];
    for (const blk of fs.dirBlocks(inode)) {
      if (!blk) continue;
      const data = fs.readBlock(blk);
      let changed = false;
      for (let off = 0; off < data.length - 8;) {
        const de = readDirent(data, off);
        if (de.recLen < 8 || off + de.recLen > data.length) break;
        if (de.inode) {
          let name = [...data.subarray(off + 8, off + 8 + de.nameLen)];
          const same = (n: number[]) => seen.find((s) => s.name.length === n.length && s.name.every((c, k) => c === n[k]));
          const dup = same(name);
          const dirent = { inode: de.inode, recLen: de.recLen, nameLen: de.nameLen, fileType: de.fileType, name: Uint8Array.from(name) };
          if (dup && dup.ino === de.inode && ctx.fix('PR_2_DUPLICATE_DIRENT', { ino: dir, dirent })) {
            ctx.adjustInodeCount(de.inode, -1);
            new DataView(data.buffer).setUint32(off, 0, true);
            changed = true;
          } else if (dup) {
            do name = mutateName(name); while (same(name) && name.length < de.recLen - 8);
            const str = String.fromCharCode(...name);
            if (name.length + 8 <= de.recLen && ctx.fix('PR_2_NON_UNIQUE_FILE', { ino: dir, dirent, str })) {
              data.set(name, off + 8);
              data[off + 6] = name.length;
              changed = true;
            }
            seen.push({ name, ino: de.inode });
          } else seen.push({ name, ino: de.inode });
        }
        off += de.recLen;
      }
      if (changed && !ctx.readOnly) fs.writeBlock(blk, data);
    }
  }
}
