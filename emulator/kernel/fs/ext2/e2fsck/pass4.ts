// Pass 4 (e2fsck/pass4.c): every inode in use must be referenced from some
// directory (else it goes to /lost+found, or is cleared if empty), and its
// i_links_count must equal the references pass 2 counted.
import { EXT2_BAD_INO, EXT2_ROOT_INO } from '../layout.js';
import { type E2fsckContext, isDir, isReg } from './context.js';
import { processBadInode } from './pass2.js';

/** disconnect_inode(): returns true when the link-count check should be skipped. */
function disconnectInode(ctx: E2fsckContext, ino: number): boolean {
  const fs = ctx.fs;
  const inode = fs.readInode(ino);
  const pctx = { ino, inode };
  if (!inode.view.i_blocks && (isReg(inode.mode) || isDir(inode.mode))) {
    if (ctx.fix('PR_4_ZERO_LEN_INODE', pctx)) {
      ctx.clearInode(ino, inode);
      fs.readBitmaps();
      fs.inodeAllocStats(ino, -1, isDir(inode.mode));
      return false;
    }
  }
  if (ctx.fix('PR_4_UNATTACHED_INODE', pctx)) {
    if (ctx.reconnectFile(ino)) ctx.unmarkValid();
  } else {
    ctx.unmarkValid();
    return true;
  }
  return false;
}

export function pass4(ctx: E2fsckContext): void {
  const fs = ctx.fs;
  if (ctx.mode !== 'preen') ctx.fix('PR_4_PASS_HEADER');
  for (let i = 1; i <= fs.geo.inodesCount; i++) {
    if (i === EXT2_BAD_INO || (i > EXT2_ROOT_INO && i < fs.geo.firstIno)) continue;
    if (!ctx.inodeUsed[i]) continue;
    let linkCount = ctx.linkInfo[i]!;
    let linkCounted = ctx.inodeCount[i]!;
    if (linkCounted === 0) {
      if (ctx.inodeBad[i] && processBadInode(ctx, 0, i)) continue;
      if (disconnectInode(ctx, i)) continue;
      linkCount = ctx.linkInfo[i]!;
      linkCounted = ctx.inodeCount[i]!;
    }
    if (linkCounted !== linkCount) {
      const inode = fs.readInode(i);
      if (ctx.fix('PR_4_BAD_REF_COUNT', { ino: i, inode, num: linkCounted })) {
        inode.view.i_links_count = linkCounted;
        ctx.writeInode(i, inode);
      }
    }
  }
}
