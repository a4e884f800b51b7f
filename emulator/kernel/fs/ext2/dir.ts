// Directory contents (fs/ext2/dir.c): a directory is a file of blocks full of
// ext2_dir_entry_2 records, searched linearly (no dir_index). Every block is
// checked as ext2_check_page() does before it is trusted; a bad one is an
// ext2_error, which marks the file system for fsck.
import { EEXIST, ENAMETOOLONG, Errno } from '../../errno.js';
import {
  type RawDirent, direntName, direntNameBytes, direntProblem, initDirBlock, nameBytes, readDirent,
  setDirentInode, setDirentRecLen, writeDirEntry,
} from './dirent.js';
import type { Ext2Inode } from './inode.js';
import { EXT2_DIR_REC_LEN, EXT2_FT_DIR, EXT2_NAME_LEN } from './layout.js';

/** Where an entry sits: file block, disk block, and the entry before it in the block (-1 if first). */
export interface DirSlot {
  lblk: number;
  block: number;
  prevOffset: number;
  de: RawDirent;
  name: string;
}

function blockCount(dir: Ext2Inode): number {
  return Math.ceil(dir.sizeBytes / dir.owner.sbi.geo.blockSize);
}

/** The entries of one directory block, validated. */
function entriesOf(dir: Ext2Inode, lblk: number, data: Uint8Array): RawDirent[] {
  const sbi = dir.owner.sbi;
  const out: RawDirent[] = [];
  for (let off = 0; off < data.length;) {
    const de = readDirent(data, off);
    const problem = direntProblem(data, de, sbi.geo.inodesCount);
    if (problem) {
      sbi.error('ext2_check_page', `bad entry in directory #${dir.ino}: : ${problem} - ` +
        `offset=${lblk * data.length + off}, inode=${de.inode}, rec_len=${de.recLen}, name_len=${de.nameLen}`);
    }
    out.push(de);
    off += de.recLen;
  }
  return out;
}

function readBlock(dir: Ext2Inode, lblk: number): { block: number; data: Uint8Array } {
  const block = dir.bmap(lblk);
  if (!block) dir.owner.sbi.error('ext2_check_page', `directory #${dir.ino} contains a hole at offset ${lblk * dir.owner.sbi.geo.blockSize}`);
  return { block, data: dir.owner.sbi.io.bread(block).data };
}

/** Calls `visit` for every live entry; stops early if it returns true. */
export function forEachEntry(dir: Ext2Inode, visit: (name: string, ino: number, fileType: number, slot: DirSlot) => boolean | void): void {
  for (let lblk = 0; lblk < blockCount(dir); lblk++) {
    const { block, data } = readBlock(dir, lblk);
    let prev = -1;
    for (const de of entriesOf(dir, lblk, data)) {
      if (de.inode) {
        const name = direntName(data, de);
        if (visit(name, de.inode, de.fileType, { lblk, block, prevOffset: prev, de, name })) return;
      }
      prev = de.offset;
    }
  }
}

/** ext2_find_entry(). */
export function findEntry(dir: Ext2Inode, name: string): DirSlot | undefined {
  let found: DirSlot | undefined;
  forEachEntry(dir, (n, _ino, _type, slot) => {
    if (n === name) { found = slot; return true; }
    return false;
  });
  return found;
}

export function checkName(name: string): Uint8Array {
  const bytes = nameBytes(name);
  if (bytes.length > EXT2_NAME_LEN) throw new Errno(ENAMETOOLONG);
  return bytes;
}

/** The directory changed: mtime and ctime move (the caller writes the inode). */
function touchDir(dir: Ext2Inode): void {
  dir.mtimeNs = dir.owner.nowNs();
}

/**
 * ext2_add_link(): puts `name -> ino` in the first gap big enough (an unused
 * entry, or the slack after a live one), or in a new block at the end.
 * EEXIST if the name is already there.
 */
export function addLink(dir: Ext2Inode, name: string, ino: number, fileType: number): void {
  const bytes = checkName(name);
  const needed = EXT2_DIR_REC_LEN(bytes.length);
  const io = dir.owner.sbi.io;
  let target: { block: number; de: RawDirent } | undefined;
  for (let lblk = 0; lblk < blockCount(dir); lblk++) {
    const { block, data } = readBlock(dir, lblk);
    for (const de of entriesOf(dir, lblk, data)) {
      if (de.inode && de.nameLen === bytes.length && equalBytes(direntNameBytes(data, de), bytes)) throw new Errno(EEXIST);
      if (target) continue;
      const used = de.inode ? EXT2_DIR_REC_LEN(de.nameLen) : 0;
      if (de.recLen - used >= needed) target = { block, de };
    }
  }
  if (!target) {
    const lblk = blockCount(dir);
    const { block } = dir.mapForWrite(lblk);
    const bh = io.getblk(block);
    initDirBlock(bh.data);
    io.markDirty(bh);
    dir.sizeBytes = (lblk + 1) * dir.owner.sbi.geo.blockSize;
    target = { block, de: readDirent(bh.data, 0) };
  }
  const bh = io.bread(target.block);
  let { de } = target;
  if (de.inode) {
    const used = EXT2_DIR_REC_LEN(de.nameLen);
    setDirentRecLen(bh.data, de.offset, used);
    de = { offset: de.offset + used, inode: 0, recLen: de.recLen - used, nameLen: 0, fileType: 0 };
  }
  writeDirEntry(bh.data, de.offset, ino, bytes, fileType, de.recLen);
  io.markDirty(bh);
  touchDir(dir);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** ext2_delete_entry(): the previous entry swallows this one, or it becomes unused if first in its block. */
export function deleteEntry(dir: Ext2Inode, slot: DirSlot): void {
  const io = dir.owner.sbi.io;
  const bh = io.bread(slot.block);
  if (slot.prevOffset >= 0) {
    const prev = readDirent(bh.data, slot.prevOffset);
    setDirentRecLen(bh.data, prev.offset, prev.recLen + slot.de.recLen);
  } else {
    setDirentInode(bh.data, slot.de.offset, 0);
  }
  io.markDirty(bh);
  touchDir(dir);
}

/** ext2_set_link(): points an existing entry at another inode (rename over a name, or '..'). */
export function setLink(dir: Ext2Inode, slot: DirSlot, ino: number, fileType: number, touch = true): void {
  const io = dir.owner.sbi.io;
  const bh = io.bread(slot.block);
  setDirentInode(bh.data, slot.de.offset, ino, fileType);
  io.markDirty(bh);
  if (touch) touchDir(dir);
}

/** ext2_make_empty(): the first block of a new directory, with '.' and '..'. */
export function makeEmpty(dir: Ext2Inode, parentIno: number): void {
  const io = dir.owner.sbi.io;
  const { block } = dir.mapForWrite(0);
  const bh = io.getblk(block);
  const bs = bh.data.length;
  bh.data.fill(0);
  const off = writeDirEntry(bh.data, 0, dir.ino, '.', EXT2_FT_DIR);
  writeDirEntry(bh.data, off, parentIno, '..', EXT2_FT_DIR, bs - off);
  io.markDirty(bh);
  dir.sizeBytes = bs;
  dir.write();
}

/** ext2_empty_dir(): nothing but '.' and '..'. */
export function isEmptyDir(dir: Ext2Inode): boolean {
  let empty = true;
  forEachEntry(dir, (name) => {
    if (name !== '.' && name !== '..') { empty = false; return true; }
    return false;
  });
  return empty;
}

/** The inode number '..' points at. */
export function parentOf(dir: Ext2Inode): DirSlot | undefined {
  return findEntry(dir, '..');
}
