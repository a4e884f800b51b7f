// The state of one e2fsck run (struct e2fsck_struct): what pass 1 learns
// about every inode and block, what pass 2 counts, and the repairs several
// passes share (clearing and deallocating inodes, allocating from the blocks
// found in use, lost+found, reconnecting, fixing '..').
import { EXT2_FT_DIR, EXT2_ROOT_INO, fileTypeOfMode, le32, setLe32 } from '../layout.js';
import { initDirBlock, writeDirEntry } from '../dirent.js';
import { BLOCK_ABORT, BLOCK_CHANGED, Ext2fsError, FsckFs, RawInode, ET_DIR_NO_SPACE } from './fs.js';
import { type Mode, type ProblemCode, type ProblemContext, type ProblemHost, Problems } from './problem.js';

const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000;
export const isDir = (mode: number) => (mode & S_IFMT) === S_IFDIR;
export const isReg = (mode: number) => (mode & S_IFMT) === S_IFREG;
export const isLnk = (mode: number) => (mode & S_IFMT) === S_IFLNK;

export interface E2fsckOptions {
  /** -p (preen: fix what is safe, stop otherwise), -y (yes to all), -n (check only). */
  mode: Mode;
  /** -f: check even if the file system is marked clean. */
  force?: boolean;
  /** The device as messages name it ("/dev/hda1"); a volume label takes its place, as e2fsck does. */
  deviceName: string;
  /** Seconds since the epoch (the kernel's wall clock). */
  now: number;
  /** The root file system, mounted read-only while checked: a repair asks for a reboot (exit code 2). */
  isMountedRoot?: boolean;
}

export interface DirInfo {
  dotdot: number;
  parent: number;
}

export interface DirBlock {
  ino: number;
  blk: number;
  blockcnt: number;
}

/** Thrown to start over from pass 1 (E2F_FLAG_RESTART). */
export class Restart extends Error {}

export class E2fsckContext implements ProblemHost {
  readonly problems: Problems;
  readonly mode: Mode;
  readonly deviceName: string;
  readonly now: number;
  private readonly chunks: string[];
  valid = true;
  fixedSomething = false;
  /** E2F_FLAG_RESTART_LATER: start over once pass 2 is done. */
  restartLater = false;
  /** E2F_FLAG_RESTART: start over once pass 1 is done. */
  restart = false;

  readonly inodeUsed: Uint8Array;
  readonly inodeDir: Uint8Array;
  readonly inodeReg: Uint8Array;
  readonly inodeBad: Uint8Array;
  /** i_links_count as pass 1 found it (inode_link_info). */
  readonly linkInfo: Uint32Array;
  /** References counted in pass 2 (inode_count). */
  readonly inodeCount: Uint32Array;
  readonly blockFound: Uint8Array;
  readonly blockMetadata: Uint8Array;
  blockDup?: Uint8Array;
  readonly dirBlocks: DirBlock[] = [];
  readonly dirInfo = new Map<number, DirInfo>();
  /** Directories with duplicate names, for pass 3A. */
  readonly rehashDirs = new Set<number>();
  lostAndFound = 0;
  badLostAndFound = false;
  largeFiles = 0;
  fsDirectoryCount = 0;
  fsRegularCount = 0;
  fsFragmented = 0;
  fsFragmentedDir = 0;
  fsLinksCount = 0;
  fsTotalCount = 0;

  constructor(readonly fs: FsckFs, opts: E2fsckOptions, chunks: string[]) {
    this.mode = opts.mode;
    this.deviceName = opts.deviceName;
    this.now = opts.now;
    this.chunks = chunks;
    this.problems = new Problems(this);
    const geo = fs.geo;
    const inodes = geo.inodesCount + 1;
    this.inodeUsed = new Uint8Array(inodes);
    this.inodeDir = new Uint8Array(inodes);
    this.inodeReg = new Uint8Array(inodes);
    this.inodeBad = new Uint8Array(inodes);
    this.linkInfo = new Uint32Array(inodes);
    this.inodeCount = new Uint32Array(inodes);
    this.blockFound = new Uint8Array(geo.blocksCount);
    this.blockMetadata = new Uint8Array(geo.blocksCount);
  }

  get readOnly(): boolean {
    return this.mode === 'no';
  }

  // ---- ProblemHost -----------------------------------------------------------------------

  out(text: string): void {
    this.chunks.push(text);
  }

  unmarkValid(): void {
    this.valid = false;
  }

  problemsFixed(): void {
    this.fixedSomething = true;
  }

  pathname(dir: number, ino: number): string {
    return this.fs.getPathname(dir, ino);
  }

  fix(code: ProblemCode, pctx: ProblemContext = {}): boolean {
    return this.problems.fix(code, pctx);
  }

  // ---- inodes ------------------------------------------------------------------------------

  writeInode(ino: number, inode: RawInode): void {
    if (!this.readOnly) this.fs.writeInode(ino, inode);
  }

  addDirInfo(ino: number, parent: number): void {
    const p = ino === EXT2_ROOT_INO ? EXT2_ROOT_INO : parent;
    this.dirInfo.set(ino, { dotdot: p, parent: p });
  }

  /** e2fsck_clear_inode(): the inode is deleted (links 0, dtime now) and forgotten by the maps. */
  clearInode(ino: number, inode: RawInode, restart = false): void {
    const v = inode.view;
    v.i_flags = 0;
    v.i_links_count = 0;
    this.linkInfo[ino] = 0;
    v.i_dtime = this.now;
    if (ino < this.fs.geo.firstIno) for (let i = 0; i < 15; i++) inode.setBlock(i, 0);
    this.inodeDir[ino] = 0;
    this.inodeUsed[ino] = 0;
    this.inodeReg[ino] = 0;
    this.inodeBad[ino] = 0;
    if (restart) this.restart = true;
    if (ino === 1) inode.bytes.fill(0);
    this.writeInode(ino, inode);
  }

  /** e2fsck_block_alloc_stats hook: the blocks e2fsck found in use follow every allocation and free. */
  blockAllocStats(blk: number, inuse: 1 | -1): void {
    if (inuse < 0 && this.blockMetadata[blk]) return;
    this.blockFound[blk] = inuse > 0 ? 1 : 0;
    this.fs.blockAllocStats(blk, inuse);
  }

  /** A new block for a repair, taken from the blocks nothing was found using. */
  newBlock(goal = 0): number {
    const blk = this.fs.newBlock(goal, this.blockFound);
    this.blockAllocStats(blk, 1);
    return blk;
  }

  /** deallocate_inode(): frees an inode's blocks and the inode itself. */
  deallocateInode(ino: number): void {
    const fs = this.fs;
    let inode = fs.readInode(ino);
    fs.readBitmaps();
    fs.inodeAllocStats(ino, -1, isDir(inode.mode));
    if (hasValidBlocks(inode)) {
      fs.blockIterate(inode, false, ({ blk }) => {
        if (blk && fs.validBlock(blk)) this.blockAllocStats(blk, -1);
      });
      inode = fs.readInode(ino);
    }
    this.clearInode(ino, inode);
  }

  /**
   * e2fsck_adjust_inode_count(): one reference more or less, both in the
   * counts and in the inode's own i_links_count.
   */
  adjustInodeCount(ino: number, adj: 1 | -1): void {
    if (!ino) return;
    const inode = this.fs.readInode(ino);
    if (adj === 1) {
      this.inodeCount[ino]! += 1;
      if (inode.links === 0xffff) return;
      this.linkInfo[ino]! += 1;
      inode.view.i_links_count = inode.links + 1;
    } else {
      if (this.inodeCount[ino]) this.inodeCount[ino]! -= 1;
      if (inode.links === 0) return;
      if (this.linkInfo[ino]) this.linkInfo[ino]! -= 1;
      inode.view.i_links_count = inode.links - 1;
    }
    this.writeInode(ino, inode);
  }

  // ---- directories -------------------------------------------------------------------------

  /** ext2fs_new_dir_block(): a directory block with '.' and '..' (or empty when dirIno is 0). */
  newDirBlock(dirIno: number, parentIno: number): Uint8Array {
    const block = new Uint8Array(this.fs.geo.blockSize);
    initDirBlock(block);
    if (dirIno) {
      const off = writeDirEntry(block, 0, dirIno, '.', EXT2_FT_DIR);
      writeDirEntry(block, off, parentIno, '..', EXT2_FT_DIR, block.length - off);
    }
    return block;
  }

  /**
   * e2fsck_expand_directory(): fills the directory's holes, then its end,
   * with `numBlocks` empty directory blocks (indirect blocks as needed).
   */
  expandDirectory(dir: number, numBlocks: number): void {
    const fs = this.fs;
    fs.readBitmaps();
    const inode = fs.readInode(dir);
    if (!isDir(inode.mode)) throw new Ext2fsError('EXT2_ET_NO_DIRECTORY', 'Ext2 inode is not a directory');
    let left = numBlocks, lastBlock = 0, lastBlk = 0, newBlocks = 0;
    fs.blockIterate(inode, true, ({ blk, blockcnt }) => {
      if (blockcnt > 0) lastBlock = blockcnt;
      if (blk) { lastBlk = blk; return; }
      const fresh = this.fs.newBlock(lastBlk, this.blockFound);
      this.blockAllocStats(fresh, 1);
      newBlocks++;
      lastBlk = fresh;
      if (blockcnt > 0) { fs.writeBlock(fresh, this.newDirBlock(0, 0)); left--; } else fs.writeBlock(fresh, new Uint8Array(fs.geo.blockSize));
      return { blk: fresh, flags: left === 0 ? BLOCK_CHANGED | BLOCK_ABORT : BLOCK_CHANGED };
    });
    inode.view.i_size = (lastBlock + 1) * fs.geo.blockSize;
    inode.view.i_blocks += newBlocks * (fs.geo.blockSize / 512);
    this.writeInode(dir, inode);
  }

  /** Puts `blk` at file block `lblk` of a (directory) inode, allocating indirect blocks as needed. */
  mapBlock(inode: RawInode, lblk: number, blk: number): void {
    const fs = this.fs;
    const ppb = fs.geo.addrPerBlock;
    if (lblk < 12) { inode.setBlock(lblk, blk); return; }
    let rest = lblk - 12;
    let slot = 12, path: number[];
    if (rest < ppb) path = [rest];
    else {
      rest -= ppb;
      slot = 13;
      if (rest < ppb * ppb) path = [Math.floor(rest / ppb), rest % ppb];
      else { rest -= ppb * ppb; slot = 14; path = [Math.floor(rest / (ppb * ppb)), Math.floor(rest / ppb) % ppb, rest % ppb]; }
    }
    let ind = inode.block(slot);
    if (!ind) {
      ind = this.newBlock(blk);
      fs.writeBlock(ind, new Uint8Array(fs.geo.blockSize));
      inode.setBlock(slot, ind);
      inode.view.i_blocks += fs.geo.blockSize / 512;
    }
    for (let i = 0; i < path.length; i++) {
      const data = fs.readBlock(ind);
      const off = path[i]! * 4;
      const last = i === path.length - 1;
      let next = le32(data, off);
      if (last) next = blk;
      else if (!next) {
        next = this.newBlock(blk);
        fs.writeBlock(next, new Uint8Array(fs.geo.blockSize));
        inode.view.i_blocks += fs.geo.blockSize / 512;
      }
      setLe32(data, off, next);
      fs.writeBlock(ind, data);
      ind = next;
    }
  }

  /** e2fsck_get_lost_and_found(): /lost+found, created if missing and `fix`. */
  getLostAndFound(fix: boolean): number {
    if (this.lostAndFound) return this.lostAndFound;
    const fs = this.fs;
    let ino = 0;
    try {
      ino = fs.lookup(EXT2_ROOT_INO, 'lost+found');
    } catch (e) {
      if (!(e instanceof Ext2fsError) || e.code !== 'EXT2_ET_FILE_NOT_FOUND') throw e;
    }
    if (ino && !fix) return isDir(fs.readInode(ino).mode) ? ino : 0;
    if (ino) {
      const inode = fs.readInode(ino);
      if (isDir(inode.mode)) { this.lostAndFound = ino; return ino; }
      if (!this.fix('PR_3_LPF_NOTDIR', { ino })) return 0;
      fs.unlink(EXT2_ROOT_INO, 'lost+found', ino);
      const info = this.dirInfo.get(ino);
      if (info) info.parent = 0;
      this.adjustInodeCount(ino, -1);
    } else if (!fix) {
      return 0;
    }
    if (!this.fix('PR_3_NO_LF_DIR')) return 0;
    fs.readBitmaps();
    const blk = this.newBlock();
    const newIno = fs.newInode(EXT2_ROOT_INO, this.inodeUsed);
    this.inodeUsed[newIno] = 1;
    this.inodeDir[newIno] = 1;
    fs.inodeAllocStats(newIno, 1, true);
    const inode = RawInode.empty();
    const v = inode.view;
    v.i_mode = 0o40700;
    v.i_size = fs.geo.blockSize;
    v.i_atime = v.i_ctime = v.i_mtime = this.now;
    v.i_links_count = 2;
    v.i_blocks = fs.geo.blockSize / 512;
    inode.setBlock(0, blk);
    fs.writeNewInode(newIno, inode);
    fs.writeBlock(blk, this.newDirBlock(newIno, EXT2_ROOT_INO));
    try {
      fs.link(EXT2_ROOT_INO, 'lost+found', newIno, EXT2_FT_DIR);
    } catch (e) {
      if (!(e instanceof Ext2fsError) || e.code !== 'EXT2_ET_DIR_NO_SPACE') throw e;
      this.expandDirectory(EXT2_ROOT_INO, 1);
      fs.link(EXT2_ROOT_INO, 'lost+found', newIno, EXT2_FT_DIR);
    }
    this.addDirInfo(newIno, EXT2_ROOT_INO);
    this.adjustInodeCount(EXT2_ROOT_INO, 1);
    this.inodeCount[newIno] = 2;
    this.linkInfo[newIno] = 2;
    this.lostAndFound = newIno;
    return newIno;
  }

  /** e2fsck_reconnect_file(): links an orphan into /lost+found as "#ino". Returns true on failure. */
  reconnectFile(ino: number): boolean {
    const pctx: ProblemContext = { ino };
    if (!this.badLostAndFound && !this.lostAndFound && this.getLostAndFound(true) === 0) this.badLostAndFound = true;
    if (this.badLostAndFound) {
      this.fix('PR_3_NO_LPF', pctx);
      return true;
    }
    const name = `#${ino}`;
    const fileType = fileTypeOfMode(this.fs.readInode(ino).mode);
    try {
      this.fs.link(this.lostAndFound, name, ino, fileType);
    } catch (e) {
      if (!(e instanceof Ext2fsError) || e.code !== ET_DIR_NO_SPACE().code) throw e;
      if (!this.fix('PR_3_EXPAND_LF_DIR', pctx)) return true;
      this.expandDirectory(this.lostAndFound, 1);
      this.fs.link(this.lostAndFound, name, ino, fileType);
    }
    this.adjustInodeCount(ino, 1);
    return false;
  }

  /** fix_dotdot(): points a directory's '..' at `parent`, moving the counts along. */
  fixDotdot(ino: number, parent: number): void {
    let done = false;
    try {
      this.fs.dirIterate(ino, true, (de, data) => {
        if (de.nameLen !== 2 || data[de.offset + 8] !== 0x2e || data[de.offset + 9] !== 0x2e) return false;
        this.adjustInodeCount(de.inode, -1);
        this.adjustInodeCount(parent, 1);
        new DataView(data.buffer, data.byteOffset).setUint32(de.offset, parent, true);
        data[de.offset + 7] = EXT2_FT_DIR;
        done = true;
        return 'changed-abort';
      });
    } catch (e) {
      if (!(e instanceof Ext2fsError)) throw e;
      this.fix('PR_3_FIX_PARENT_ERR', { ino, errcode: e });
      this.unmarkValid();
    }
    if (!done) {
      this.fix('PR_3_FIX_PARENT_NOFIND', { ino });
      this.unmarkValid();
    }
    const info = this.dirInfo.get(ino);
    if (info) info.dotdot = info.parent = parent;
  }
}

/** ext2fs_inode_has_valid_blocks2(): only directories, files and slow symlinks map blocks. */
export function hasValidBlocks(inode: RawInode): boolean {
  const mode = inode.mode;
  if (!isDir(mode) && !isReg(mode) && !isLnk(mode)) return false;
  if (isLnk(mode)) {
    if (inode.view.i_file_acl === 0) {
      if (inode.view.i_blocks === 0) return false;
    } else {
      if (inode.view.i_size >= 60) return true;
      if (inode.view.i_size > 4 && inode.block(1) === 0) return true;
      return false;
    }
  }
  return true;
}

