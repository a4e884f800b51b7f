// Pass 2 (e2fsck/pass2.c): every directory block, in disk order. Entries must
// chain correctly to the end of the block ('.' and '..' first), point at
// inodes in use, carry the right file type, and give each directory a single
// parent; every surviving entry is counted for pass 4.
import { EXT2_DIR_REC_LEN, EXT2_FEATURE_INCOMPAT_FILETYPE, EXT2_FEATURE_RO_COMPAT_LARGE_FILE, EXT2_FT_DIR, EXT2_ROOT_INO, fileTypeOfMode } from '../layout.js';
import { type DirBlock, type E2fsckContext, isDir, isLnk } from './context.js';
import { checkDeviceInode, checkSymlink } from './pass1.js';
import { type DirentInfo, FatalError, type ProblemCode, type ProblemContext } from './problem.js';

const S_IFMT = 0o170000, S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFIFO = 0o010000, S_IFSOCK = 0o140000,
  S_IFREG = 0o100000;
const EXT2_FT_REG_FILE = 1, EXT2_FT_UNKNOWN = 0;

/** A directory entry being checked, read from (and written back to) the block buffer. */
class Entry implements DirentInfo {
  constructor(readonly buf: Uint8Array, readonly offset: number) {}
  private get view(): DataView { return new DataView(this.buf.buffer, this.buf.byteOffset); }
  get inode(): number { return this.view.getUint32(this.offset, true); }
  set inode(v: number) { this.view.setUint32(this.offset, v, true); }
  get recLen(): number { return this.view.getUint16(this.offset + 4, true); }
  set recLen(v: number) { this.view.setUint16(this.offset + 4, v, true); }
  get nameLen(): number { return this.buf[this.offset + 6]!; }
  set nameLen(v: number) { this.buf[this.offset + 6] = v; }
  get fileType(): number { return this.buf[this.offset + 7]!; }
  set fileType(v: number) { this.buf[this.offset + 7] = v; }
  get name(): Uint8Array { return this.buf.subarray(this.offset + 8, this.offset + 8 + Math.min(this.nameLen, Math.max(0, this.buf.length - this.offset - 8))); }
  nameByte(i: number): number { return this.buf[this.offset + 8 + i] ?? 0; }
  setName(text: string): void {
    for (let i = 0; i < text.length; i++) this.buf[this.offset + 8 + i] = text.charCodeAt(i);
    this.buf[this.offset + 8 + text.length] = 0;
    this.nameLen = text.length;
  }
  isName(text: string): boolean {
    if (this.nameLen !== text.length) return false;
    for (let i = 0; i < text.length; i++) if (this.nameByte(i) !== text.charCodeAt(i)) return false;
    return true;
  }
}

/** The file type a repaired '.' or '..' gets: a directory, if the file system records types at all. */
function dirFileType(ctx: E2fsckContext): number {
  return ctx.fs.sb.s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE ? EXT2_FT_DIR : EXT2_FT_UNKNOWN;
}

/** check_dot(). */
function checkDot(ctx: E2fsckContext, de: Entry, ino: number, pctx: ProblemContext): boolean {
  let problem: ProblemCode | undefined;
  let status = false, created = false;
  if (!de.inode) problem = 'PR_2_MISSING_DOT';
  else if (de.nameLen !== 1 || de.nameByte(0) !== 0x2e) problem = 'PR_2_1ST_NOT_DOT';
  else if (de.nameByte(1) !== 0) problem = 'PR_2_DOT_NULL_TERM';
  let recLen = de.recLen;
  if (problem && ctx.fix(problem, pctx)) {
    if (recLen < 12) recLen = de.recLen = 12;
    de.inode = ino;
    de.fileType = dirFileType(ctx);
    de.setName('.');
    status = created = true;
  }
  if (de.inode !== ino && ctx.fix('PR_2_BAD_INODE_DOT', pctx)) {
    de.inode = ino;
    status = true;
  }
  if (recLen > 12) {
    const newLen = recLen - 12;
    if (newLen > 12 && (created || ctx.fix('PR_2_SPLIT_DOT', pctx))) {
      de.recLen = 12;
      const next = new Entry(de.buf, de.offset + 12);
      next.recLen = newLen;
      next.inode = 0;
      next.nameLen = 0;
      next.fileType = EXT2_FT_UNKNOWN;
      status = true;
    }
  }
  return status;
}

/** check_dotdot(): returns -1 (abort), 0, or 1 (changed). */
function checkDotdot(ctx: E2fsckContext, de: Entry, ino: number, pctx: ProblemContext): number {
  let problem: ProblemCode | undefined;
  if (!de.inode) problem = 'PR_2_MISSING_DOT_DOT';
  else if (de.nameLen !== 2 || de.nameByte(0) !== 0x2e || de.nameByte(1) !== 0x2e) problem = 'PR_2_2ND_NOT_DOT_DOT';
  else if (de.nameByte(2) !== 0) problem = 'PR_2_DOT_DOT_NULL_TERM';
  if (problem) {
    if (ctx.fix(problem, pctx)) {
      if (de.recLen < 12) de.recLen = 12;
      // The parent is not known yet: root for now, pass 3 puts the right one.
      de.inode = EXT2_ROOT_INO;
      de.fileType = dirFileType(ctx);
      de.setName('..');
      return 1;
    }
    return 0;
  }
  const info = ctx.dirInfo.get(ino);
  if (info) info.dotdot = de.inode;
  return 0;
}

/** check_name(): '/' and NUL have no place in a name. */
function checkName(ctx: E2fsckContext, de: Entry, pctx: ProblemContext): boolean {
  let fixup: boolean | undefined;
  let changed = false;
  for (let i = 0; i < de.nameLen; i++) {
    const c = de.nameByte(i);
    if (c !== 0x2f && c !== 0) continue;
    fixup ??= ctx.fix('PR_2_BAD_NAME', pctx);
    if (!fixup) return false;
    de.buf[de.offset + 8 + i] = 0x2e;
    changed = true;
  }
  return changed;
}

/** check_filetype(). */
function checkFiletype(ctx: E2fsckContext, de: Entry, pctx: ProblemContext): boolean {
  const filetype = de.fileType;
  let shouldBe: number;
  if (ctx.inodeDir[de.inode]) shouldBe = EXT2_FT_DIR;
  else if (ctx.inodeReg[de.inode]) shouldBe = EXT2_FT_REG_FILE;
  else if (ctx.inodeBad[de.inode]) shouldBe = 0;
  else shouldBe = fileTypeOfMode(ctx.fs.readInode(de.inode).mode);
  if (filetype === shouldBe) return false;
  pctx.num = shouldBe;
  if (!ctx.fix(filetype ? 'PR_2_BAD_FILETYPE' : 'PR_2_SET_FILETYPE', pctx)) return false;
  de.fileType = shouldBe;
  return true;
}

/** salvage_directory(): makes a broken chain of entries whole again, losing as little as it can. */
function salvageDirectory(block: Uint8Array, de: Entry, prev: Entry | undefined, offset: number, inodesCount: number): number {
  let recLen: number, nameLen: number;
  if (block.length - offset < 8) {
    nameLen = 0;
    recLen = block.length - offset;
  } else {
    nameLen = de.nameLen;
    recLen = de.recLen;
  }
  const left = block.length - offset - recLen;
  // An 8-byte entry: slide the rest of the block up over it.
  if (left >= 12 && recLen === 8) {
    block.copyWithin(offset, offset + 8, offset + 8 + left);
    block.fill(0, offset + left, offset + left + 8);
    return offset;
  }
  // An entry running off the end with a name that fits: cut it at the end of the block.
  if (left < 0 && recLen + left > 8 && nameLen + 8 <= recLen + left && de.inode <= inodesCount &&
    !de.name.subarray(0, nameLen).includes(0)) {
    de.recLen = recLen + left;
    return offset;
  }
  // A plausible rec_len: the previous entry swallows this one.
  if (prev && recLen && recLen % 4 === 0 && offset + recLen <= block.length) {
    prev.recLen += recLen;
    return offset + recLen;
  }
  // Otherwise the rest of the block is lost.
  if (prev) {
    prev.recLen += block.length - offset;
    return block.length;
  }
  de.recLen = block.length - offset;
  de.nameLen = 0;
  de.fileType = EXT2_FT_UNKNOWN;
  de.inode = 0;
  return offset;
}

/** e2fsck_process_bad_inode(): an inode pass 1 found odd; returns true if it was deallocated. */
export function processBadInode(ctx: E2fsckContext, dir: number, ino: number): boolean {
  const fs = ctx.fs;
  const inode = fs.readInode(ino);
  const v = inode.view;
  const pctx: ProblemContext = { ino, dir, inode };
  let modified = false, notFixed = false;
  if (v.i_file_acl) {
    if (ctx.fix('PR_2_FILE_ACL_ZERO', pctx)) { v.i_file_acl = 0; modified = true; } else notFixed = true;
  }
  const type = v.i_mode & S_IFMT;
  let problem: ProblemCode | undefined;
  if (!isDir(v.i_mode) && type !== S_IFREG && type !== S_IFCHR && type !== S_IFBLK && !isLnk(v.i_mode) &&
    type !== S_IFIFO && type !== S_IFSOCK) problem = 'PR_2_BAD_MODE';
  else if (type === S_IFCHR && !checkDeviceInode(inode)) problem = 'PR_2_BAD_CHAR_DEV';
  else if (type === S_IFBLK && !checkDeviceInode(inode)) problem = 'PR_2_BAD_BLOCK_DEV';
  else if (type === S_IFIFO && !checkDeviceInode(inode)) problem = 'PR_2_BAD_FIFO';
  else if (type === S_IFSOCK && !checkDeviceInode(inode)) problem = 'PR_2_BAD_SOCKET';
  else if (isLnk(v.i_mode) && !checkSymlink(ctx, inode)) problem = 'PR_2_INVALID_SYMLINK';
  if (problem) {
    if (ctx.fix(problem, pctx)) {
      ctx.deallocateInode(ino);
      return true;
    }
    notFixed = true;
  }
  if (v.i_faddr) {
    if (ctx.fix('PR_2_FADDR_ZERO', pctx)) { v.i_faddr = 0; modified = true; } else notFixed = true;
  }
  if (v.l_i_blocks_hi) {
    pctx.num = v.l_i_blocks_hi;
    if (ctx.fix('PR_2_BLOCKS_HI_ZERO', pctx)) { v.l_i_blocks_hi = 0; modified = true; }
  }
  if (v.l_i_file_acl_high) {
    pctx.num = v.l_i_file_acl_high;
    if (ctx.fix('PR_2_I_FILE_ACL_HI_ZERO', pctx)) { v.l_i_file_acl_high = 0; modified = true; } else notFixed = true;
  }
  if (v.i_size_high && isDir(v.i_mode)) {
    if (ctx.fix('PR_2_DIR_SIZE_HIGH_ZERO', pctx)) { v.i_size_high = 0; modified = true; } else notFixed = true;
  }
  if (modified) ctx.writeInode(ino, inode);
  if (!notFixed) ctx.inodeBad[ino] = 0;
  return false;
}

/** allocate_dir_block(): a hole in a directory gets a fresh, empty block. Returns false if not fixed. */
function allocateDirBlock(ctx: E2fsckContext, db: DirBlock, pctx: ProblemContext): boolean {
  if (!ctx.fix('PR_2_DIRECTORY_HOLE', pctx)) return false;
  const fs = ctx.fs;
  fs.readBitmaps();
  const inode = fs.readInode(db.ino);
  const blk = fs.newBlock(0, ctx.blockFound);
  ctx.blockFound[blk] = 1;
  fs.diskBlockMap()[blk] = 1;
  fs.markBitmapsDirty();
  fs.writeBlock(blk, db.blockcnt ? ctx.newDirBlock(0, 0) : ctx.newDirBlock(db.ino, EXT2_ROOT_INO));
  inode.view.i_blocks += fs.geo.blockSize / 512;
  if (inode.view.i_size < (db.blockcnt + 1) * fs.geo.blockSize) inode.view.i_size = (db.blockcnt + 1) * fs.geo.blockSize;
  ctx.mapBlock(inode, db.blockcnt, blk);
  ctx.writeInode(db.ino, inode);
  db.blk = blk;
  return true;
}

function checkDirBlock(ctx: E2fsckContext, db: DirBlock): void {
  const fs = ctx.fs;
  const ino = db.ino;
  if (!ctx.inodeUsed[ino]) return;
  const pctx: ProblemContext = { ino, blk: db.blk, blkcount: db.blockcnt };
  if (db.blk === 0 && !allocateDirBlock(ctx, db, pctx)) return;
  pctx.blk = db.blk;
  const buf = fs.readBlock(db.blk);
  const bs = buf.length;
  let dotState = db.blockcnt ? 2 : 0;
  let offset = 0;
  let modified = false;
  let prev: Entry | undefined;
  let recLen = 0;
  const names = new Set<string>();
  let dupsFound = false;
  let de: Entry | undefined;
  do {
    let problem: ProblemCode | undefined;
    de = new Entry(buf, offset);
    recLen = bs - offset < 8 ? EXT2_DIR_REC_LEN(1) : de.recLen;
    pctx.dirent = de;
    pctx.num = offset;
    if (offset + recLen > bs || recLen < 12 || recLen % 4 !== 0 || (bs - offset >= 8 && de.nameLen + 8 > recLen)) {
      if (ctx.fix('PR_2_DIR_CORRUPTED', pctx)) {
        offset = salvageDirectory(buf, de, prev, offset, fs.geo.inodesCount);
        modified = true;
        continue;
      }
      // A corrupted block left as it is stops the whole check (e2fsck's abort_free_dict).
      throw new FatalError();
    }
    if (dotState === 0) {
      if (checkDot(ctx, de, ino, pctx)) modified = true;
    } else if (dotState === 1) {
      if (checkDotdot(ctx, de, ino, pctx)) modified = true;
    } else if (de.inode === ino) {
      if (ctx.fix('PR_2_LINK_DOT', pctx)) {
        de.inode = 0;
        modified = true;
      }
    }
    if (de.inode) {
      const nameLen = de.nameLen;
      if ((de.inode !== EXT2_ROOT_INO && de.inode < fs.geo.firstIno) || de.inode > fs.geo.inodesCount) problem = 'PR_2_BAD_INO';
      else if (dotState > 1 && de.isName('.')) problem = 'PR_2_DUP_DOT';
      else if (dotState > 1 && de.isName('..')) problem = 'PR_2_DUP_DOT_DOT';
      else if (dotState > 1 && de.inode === EXT2_ROOT_INO) problem = 'PR_2_LINK_ROOT';
      else if (dotState > 1 && nameLen === 0) problem = 'PR_2_NULL_NAME';
      let skip = false;
      if (problem) {
        if (ctx.fix(problem, pctx)) { de.inode = 0; modified = true; skip = true; } else {
          ctx.unmarkValid();
          if (problem === 'PR_2_BAD_INO') skip = true;
        }
        problem = undefined;
      }
      if (!skip && ctx.inodeBad[de.inode] && processBadInode(ctx, ino, de.inode)) {
        de.inode = 0;
        modified = true;
        skip = true;
      }
      if (!skip && !ctx.inodeUsed[de.inode]) {
        if (ctx.fix('PR_2_UNUSED_INODE', pctx)) { de.inode = 0; modified = true; skip = true; } else ctx.unmarkValid();
      }
      if (!skip) {
        if (checkName(ctx, de, pctx)) modified = true;
        if (checkFiletype(ctx, de, pctx)) modified = true;
        pctx.num = offset;
        if (dotState > 1 && ctx.inodeDir[de.inode]) {
          const info = ctx.dirInfo.get(de.inode);
          if (info?.parent) {
            pctx.ino2 = info.parent;
            if (ctx.fix('PR_2_LINK_DIR', pctx)) { de.inode = 0; modified = true; skip = true; }
            pctx.ino2 = 0;
          } else if (info) {
            info.parent = ino;
          }
        }
      }
      if (!skip) {
        const key = String.fromCharCode(...de.name);
        if (!dupsFound && names.has(key)) {
          ctx.fix('PR_2_REPORT_DUP_DIRENT', { ino, dirent: de });
          dupsFound = true;
          ctx.rehashDirs.add(ino);
        } else names.add(key);
        ctx.inodeCount[de.inode]! += 1;
        if (ctx.inodeCount[de.inode]! > 1) ctx.fsLinksCount++;
        ctx.fsTotalCount++;
      }
    }
    prev = de;
    if (modified) recLen = de.recLen;
    offset += recLen;
    dotState++;
  } while (offset < bs);
  if (offset !== bs && de) {
    pctx.num = recLen + offset - bs;
    if (ctx.fix('PR_2_FINAL_RECLEN', pctx)) {
      de.recLen = pctx.num;
      modified = true;
    }
  }
  if (modified && !ctx.readOnly) fs.writeBlock(db.blk, buf);
}

export function pass2(ctx: E2fsckContext): void {
  if (ctx.mode !== 'preen') ctx.fix('PR_2_PASS_HEADER');
  // ext2fs_dblist_iterate sorts the directory blocks by disk block, holes first.
  const blocks = [...ctx.dirBlocks].sort((a, b) => (a.blk - b.blk) || (a.blockcnt - b.blockcnt) || (a.ino - b.ino));
  for (const db of blocks) checkDirBlock(ctx, db);
  if (ctx.restartLater) {
    ctx.restart = true;
    ctx.restartLater = false;
    return;
  }
  if (ctx.largeFiles && !(ctx.fs.sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE) &&
    ctx.fix('PR_2_FEATURE_LARGE_FILES')) {
    ctx.fs.sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
    ctx.fs.markSuperDirty();
  }
}

