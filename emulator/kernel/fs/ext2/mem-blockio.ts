// Block devices in memory, for mkfs/fsck on images and for tests: one that
// writes straight through to its bytes, and one that behaves like a buffer
// cache in front of a disk (dirty buffers reach the disk only on sync, or
// partly, in the order a crash chooses).
import type { BlockIo, BufferHead } from '../../block/blockio.js';

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
      throw new RangeError(`block ${blockNr} beyond the end of a ${this.blockCount}-block device`);
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
 * a dirty buffer is written back (syncBuffer, sync, or crash's survivors).
 */
export class WritebackBlockIo implements BlockIo {
  readonly blockCount: number;
  private readonly cache = new Map<number, BufferHead>();
  private readonly dirty = new Set<number>();
  /** Block numbers in the order they were written to the disk. */
  readonly writeLog: number[] = [];

  constructor(readonly disk: Uint8Array, readonly blockSize = 1024) {
    this.blockCount = Math.floor(disk.length / blockSize);
  }

  private check(blockNr: number): void {
    if (!Number.isInteger(blockNr) || blockNr < 0 || blockNr >= this.blockCount) {
      throw new RangeError(`block ${blockNr} beyond the end of a ${this.blockCount}-block device`);
    }
  }

  bread(blockNr: number): BufferHead {
    this.check(blockNr);
    let bh = this.cache.get(blockNr);
    if (!bh) {
      bh = { blockNr, data: this.disk.slice(blockNr * this.blockSize, (blockNr + 1) * this.blockSize) };
      this.cache.set(blockNr, bh);
    }
    return bh;
  }

  getblk(blockNr: number): BufferHead {
    return this.bread(blockNr);
  }

  markDirty(bh: BufferHead): void {
    this.dirty.add(bh.blockNr);
  }

  syncBuffer(bh: BufferHead): void {
    if (this.dirty.has(bh.blockNr)) this.writeBack(bh.blockNr);
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
