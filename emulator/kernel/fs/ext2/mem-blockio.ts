// Block devices in memory, for mkfs/fsck on images and for tests: one that
// writes straight through to its bytes, and one that behaves like a buffer
// cache in front of a disk (dirty buffers reach the disk only on sync, or
// partly, in the order a crash chooses).
import type { BlockIo, BufferHead } from '../../block/blockio.js';
import { EIO, Errno } from '../../errno.js';

/** Every buffer is a window on the image: a write is on the "disk" at once. */
export class MemoryBlockIo implements BlockIo {
  readonly blockCount: number;
  private readonly heads = new Map<number, BufferHead>();

  constructor(readonly image: Uint8Array, readonly blockSize = 1024) {
    this.blockCount = Math.floor(image.length / blockSize);
  }

  bread(blockNr: number): BufferHead {
    return this.getblk(blockNr);
  }

  getblk(blockNr: number): BufferHead {
    if (!Number.isInteger(blockNr) || blockNr < 0 || blockNr >= this.blockCount) {
      // As the block layer does ("attempt to access beyond end of device"): the caller gets EIO,
      // which is what a file system whose metadata points outside the disk must cope with.
      throw new Errno(EIO, `block ${blockNr} beyond the end of a ${this.blockCount}-block device`);
    }
    let bh = this.heads.get(blockNr);
    if (!bh) {
      bh = { blockNr, data: this.image.subarray(blockNr * this.blockSize, (blockNr + 1) * this.blockSize) };
      this.heads.set(blockNr, bh);
    }
    return bh;
  }

  markDirty(): void {}
  syncBuffer(): void {}
  sync(): void {}
}

/**
 * A write-back cache over a separate disk image: the disk changes only when
 * a dirty buffer is written back (syncBuffer, sync, eviction, or crash's
 * survivors). With a `capacity`, the least recently used buffer is dropped
 * (written back first if dirty) when the cache is full, and the next bread
 * of that block hands out a new buffer head, as a real buffer cache may.
 */
export class WritebackBlockIo implements BlockIo {
  readonly blockCount: number;
  /** In least-recently-used order (a Map keeps insertion order). */
  private readonly cache = new Map<number, BufferHead>();
  private readonly dirty = new Set<number>();
  /** Block numbers in the order they were written to the disk. */
  readonly writeLog: number[] = [];

  constructor(readonly disk: Uint8Array, readonly blockSize = 1024, readonly capacity = Infinity) {
    this.blockCount = Math.floor(disk.length / blockSize);
  }

  private check(blockNr: number): void {
    if (!Number.isInteger(blockNr) || blockNr < 0 || blockNr >= this.blockCount) {
      // As the block layer does ("attempt to access beyond end of device"): the caller gets EIO,
      // which is what a file system whose metadata points outside the disk must cope with.
      throw new Errno(EIO, `block ${blockNr} beyond the end of a ${this.blockCount}-block device`);
    }
  }

  bread(blockNr: number): BufferHead {
    this.check(blockNr);
    let bh = this.cache.get(blockNr);
    if (bh) {
      this.cache.delete(blockNr);
    } else {
      bh = { blockNr, data: this.disk.slice(blockNr * this.blockSize, (blockNr + 1) * this.blockSize) };
      while (this.cache.size >= this.capacity) this.evictOldest();
    }
    this.cache.set(blockNr, bh);
    return bh;
  }

  private evictOldest(): void {
    const [oldest] = this.cache.keys();
    if (oldest === undefined) return;
    if (this.dirty.has(oldest)) this.writeBack(oldest);
    this.cache.delete(oldest);
  }

  getblk(blockNr: number): BufferHead {
    return this.bread(blockNr);
  }

  markDirty(bh: BufferHead): void {
    this.checkCurrent(bh);
    this.dirty.add(bh.blockNr);
  }

  syncBuffer(bh: BufferHead): void {
    this.checkCurrent(bh);
    if (this.dirty.has(bh.blockNr)) this.writeBack(bh.blockNr);
  }

  /** A buffer head kept past its eviction is a bug in the caller: its changes would be lost. */
  private checkCurrent(bh: BufferHead): void {
    if (this.cache.get(bh.blockNr) !== bh) throw new Error(`block ${bh.blockNr}: buffer head used after the cache dropped it`);
  }

  sync(): void {
    for (const blockNr of [...this.dirty].sort((a, b) => a - b)) this.writeBack(blockNr);
  }

  private writeBack(blockNr: number): void {
    this.disk.set(this.cache.get(blockNr)!.data, blockNr * this.blockSize);
    this.dirty.delete(blockNr);
    this.writeLog.push(blockNr);
  }

  /** Dirty blocks not yet on the disk. */
  dirtyBlocks(): number[] {
    return [...this.dirty].sort((a, b) => a - b);
  }

  /**
   * The power fails: the dirty buffers `survives` picks reach the disk (as
   * periodic write-back might have written them), the rest are lost, and the
   * cache is empty, as after a reset.
   */
  crash(survives: (blockNr: number) => boolean): void {
    for (const blockNr of this.dirtyBlocks()) if (survives(blockNr)) this.writeBack(blockNr);
    this.dirty.clear();
    this.cache.clear();
  }
}
