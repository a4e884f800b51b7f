// Block allocation (fs/ext2/balloc.c): one bitmap block per group, the free
// count in the group descriptor and the superblock kept in step with it.
import { ENOSPC, Errno } from '../../errno.js';
import { clearBit, findNextZeroBit, setBit, testBit } from './layout.js';
import type { Ext2SbInfo } from './sb-info.js';

/**
 * ext2_new_block(): a free block, as close after `goal` as possible (the
 * same group first, so files stay contiguous). Blocks under the reserve
 * (s_r_blocks_count) go only to a caller allowed to use them (root).
 */
export function newBlock(sbi: Ext2SbInfo, goal: number, mayUseReserve: boolean): number {
  const geo = sbi.geo;
  const { s_free_blocks_count: free, s_r_blocks_count: reserved } = sbi.es();
  if (free === 0 || (!mayUseReserve && free <= reserved)) throw new Errno(ENOSPC);
  if (goal < geo.firstDataBlock || goal >= geo.blocksCount) goal = geo.firstDataBlock;
  const goalGroup = geo.groupOfBlock(goal);
  for (let i = 0; i < geo.groupCount; i++) {
    const group = (goalGroup + i) % geo.groupCount;
    const { bg_free_blocks_count: groupFree, bg_block_bitmap: bitmap } = sbi.gd(group);
    if (groupFree === 0) continue;
    const bh = sbi.io.bread(bitmap);
    const size = geo.groupBlocks(group);
    let bit = i === 0 ? findNextZeroBit(bh.data, size, goal - geo.groupFirstBlock(group)) : -1;
    if (bit < 0) bit = findNextZeroBit(bh.data, size, 0);
    if (bit < 0) {
      // The descriptor claimed free blocks the bitmap does not have.
      sbi.error('ext2_new_block', `Free blocks count corrupted for block group ${group}`);
    }
    setBit(bh.data, bit);
    sbi.io.markDirty(bh);
    sbi.updateGd(group, (gd) => { gd.bg_free_blocks_count -= 1; });
    sbi.updateSuper((es) => { es.s_free_blocks_count -= 1; });
    return geo.groupFirstBlock(group) + bit;
  }
  throw new Errno(ENOSPC);
}

/** ext2_free_blocks(): returns `count` blocks from `block` on to the bitmap. */
export function freeBlocks(sbi: Ext2SbInfo, block: number, count = 1): void {
  const geo = sbi.geo;
  for (let b = block; b < block + count; b++) {
    if (b < geo.firstDataBlock || b >= geo.blocksCount) {
      sbi.reportError('ext2_free_blocks', `Freeing blocks not in datazone - block = ${b}, count = ${count}`);
      return;
    }
    const group = geo.groupOfBlock(b);
    const bh = sbi.io.bread(sbi.gd(group).bg_block_bitmap);
    const bit = b - geo.groupFirstBlock(group);
    if (!testBit(bh.data, bit)) {
      sbi.reportError('ext2_free_blocks', `bit already cleared for block ${b}`);
      continue;
    }
    clearBit(bh.data, bit);
    sbi.io.markDirty(bh);
    sbi.updateGd(group, (gd) => { gd.bg_free_blocks_count += 1; });
    sbi.updateSuper((es) => { es.s_free_blocks_count += 1; });
  }
}

/** ext2_count_free_blocks(): the sum over the group descriptors. */
export function countFreeBlocks(sbi: Ext2SbInfo): number {
  let n = 0;
  for (let g = 0; g < sbi.geo.groupCount; g++) n += sbi.gd(g).bg_free_blocks_count;
  return n;
}
