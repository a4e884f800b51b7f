// What a disk file system needs from the block layer: Linux's buffer heads
// (sb_bread, sb_getblk, mark_buffer_dirty, sync_dirty_buffer). The buffer cache
// implements it over a block device; a file system (ext2) only ever sees this.
// Writes dirty a buffer in memory: the disk sees them on sync, on write-back of
// old dirty buffers, or never, if the machine is reset first.

/** One block of a block device, held in the buffer cache (struct buffer_head). */
export interface BufferHead {
  /** Block number on the device, in units of `BlockIo.blockSize`. */
  readonly blockNr: number;
  /** The block's bytes. A file system may change them, then calls `markDirty`. */
  readonly data: Uint8Array;
}

export interface BlockIo {
  /** Bytes per block (1024 for our ext2). */
  readonly blockSize: number;
  /** Blocks on the device (the partition). */
  readonly blockCount: number;
  /** sb_bread(): the block, read from the device unless cached. Throws Errno(EIO) on an I/O error. */
  bread(blockNr: number): BufferHead;
  /** sb_getblk(): the block's buffer without reading it (for a block about to be overwritten whole). */
  getblk(blockNr: number): BufferHead;
  /** mark_buffer_dirty(): the buffer differs from the disk and must be written back some time. */
  markDirty(bh: BufferHead): void;
  /** sync_dirty_buffer(): writes this buffer to the device now, if dirty (the superblock at mount). */
  syncBuffer(bh: BufferHead): void;
  /** sync_blockdev(): writes every dirty buffer of the device. */
  sync(): void;
}
