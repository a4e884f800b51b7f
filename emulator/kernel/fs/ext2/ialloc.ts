// Inode allocation (fs/ext2/ialloc.c, the Linux 2.2 placement policy): a new
// directory goes to a group with an above-average share of free inodes and
// the most free blocks, spreading the tree; a file goes to its parent's group
// if it can, else wherever a quadratic, then linear, probe finds room.
import { ENOSPC, Errno } from '../../errno.js';
import { clearBit, findNextZeroBit, setBit, testBit } from './layout.js';
import type { Ext2SbInfo } from './sb-info.js';

function findGroupForDir(sbi: Ext2SbInfo): number {
  const count = sbi.geo.groupCount;
  const average = Math.floor(sbi.es().s_free_inodes_count / count);
  let best = -1, bestFreeBlocks = -1;
  for (let g = 0; g < count; g++) {
    const gd = sbi.gd(g);
    if (gd.bg_free_inodes_count && gd.bg_free_inodes_count >= average && gd.bg_free_blocks_count > bestFreeBlocks) {
      best = g;
      bestFreeBlocks = gd.bg_free_blocks_count;
    }
  }
  return best;
}

function findGroupForFile(sbi: Ext2SbInfo, parentGroup: number): number {
  const count = sbi.geo.groupCount;
  if (sbi.gd(parentGroup).bg_free_inodes_count) return parentGroup;
  let g = parentGroup;
  for (let j = 1; j < count; j <<= 1) {
    g = (g + j) % count;
    if (sbi.gd(g).bg_free_inodes_count) return g;
  }
  g = parentGroup + 1;
  for (let j = 2; j < count; j++) {
    if (++g >= count) g = 0;
    if (sbi.gd(g).bg_free_inodes_count) return g;
  }
  return -1;
}

/** ext2_new_inode(): claims a free inode number and counts it (the caller fills in the inode). */
export function newInode(sbi: Ext2SbInfo, parentIno: number, isDir: boolean): number {
  const geo = sbi.geo;
  if (sbi.es().s_free_inodes_count === 0) throw new Errno(ENOSPC);
  const group = isDir ? findGroupForDir(sbi) : findGroupForFile(sbi, geo.groupOfInode(parentIno));
  if (group < 0) throw new Errno(ENOSPC);
  const bh = sbi.io.bread(sbi.gd(group).bg_inode_bitmap);
  const bit = findNextZeroBit(bh.data, geo.inodesPerGroup, 0);
  if (bit < 0) sbi.error('ext2_new_inode', `Free inodes count corrupted in group ${group}`);
  const ino = group * geo.inodesPerGroup + bit + 1;
  if (ino < geo.firstIno || ino > geo.inodesCount) {
    sbi.error('ext2_new_inode', `reserved inode or inode > inodes count - block_group = ${group},inode=${ino}`);
  }
  setBit(bh.data, bit);
  sbi.io.markDirty(bh);
  sbi.updateGd(group, (gd) => {
    gd.bg_free_inodes_count -= 1;
    if (isDir) gd.bg_used_dirs_count += 1;
  });
  sbi.updateSuper((es) => { es.s_free_inodes_count -= 1; });
  return ino;
}

/** ext2_free_inode(): clears the bitmap bit and gives the counts back. */
export function freeInode(sbi: Ext2SbInfo, ino: number, wasDir: boolean): void {
  const geo = sbi.geo;
  if (ino < geo.firstIno || ino > geo.inodesCount) {
    sbi.error('ext2_free_inode', `reserved or nonexistent inode ${ino}`);
  }
  const group = geo.groupOfInode(ino);
  const bh = sbi.io.bread(sbi.gd(group).bg_inode_bitmap);
  const bit = (ino - 1) % geo.inodesPerGroup;
  if (!testBit(bh.data, bit)) {
    sbi.reportError('ext2_free_inode', `bit already cleared for inode ${ino}`);
    return;
  }
  clearBit(bh.data, bit);
  sbi.io.markDirty(bh);
  sbi.updateGd(group, (gd) => {
    gd.bg_free_inodes_count += 1;
    if (wasDir) gd.bg_used_dirs_count -= 1;
  });
  sbi.updateSuper((es) => { es.s_free_inodes_count += 1; });
}

export function countFreeInodes(sbi: Ext2SbInfo): number {
  let n = 0;
  for (let g = 0; g < sbi.geo.groupCount; g++) n += sbi.gd(g).bg_free_inodes_count;
  return n;
}
