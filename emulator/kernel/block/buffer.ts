// The buffer cache (Linux 2.2's fs/buffer.c; the block device page cache of later kernels):
// 1 KiB blocks of block devices kept in memory, keyed by device and block number. Reads fill it,
// writes only dirty it; the disk sees a dirty buffer when it is written back: by sync, fsync,
// the periodic write-back of old dirty buffers (writeback.ts), or when too much of the cache is
// dirty. A reset throws the cache away with the kernel, and with it whatever was still dirty.
//
// Memory is bounded: past `maxBuffers` the least recently used clean buffer is dropped (dirty ones
// are written back first when nothing clean is left). BlockIo has no brelse(), so the cache cannot
// know which buffers a file system still holds (a superblock buffer, say): a dropped buffer is
// only detached, and a later lookup of its block revives the same object as long as someone holds
// it, as a pinned buffer_head would have stayed. The revival still reads the block from the disk
// and discards what it read, so the machine's timing never depends on the host's garbage collector.
import type { BufferHead } from './blockio.js';
import type { BlockDevice, Gendisk } from './genhd.js';
import { IdeError } from './ide.js';

export const BLOCK_SIZE = 1024;
export const SECTORS_PER_BLOCK = BLOCK_SIZE / 512;
/** The most blocks one write-back request carries (128 KiB, the largest LBA28 command). */
const MAX_REQUEST_BLOCKS = 128;

export class Buffer implements BufferHead {
  readonly data = new Uint8Array(BLOCK_SIZE);
  dirty = false;
  /** Virtual time (ns) when it last went from clean to dirty. */
  dirtySinceNs = 0;

  constructor(readonly bdev: BlockDevice, readonly blockNr: number) {}

  /** First sector on the disk. */
  get sector(): number {
    return this.bdev.startSect + this.blockNr * SECTORS_PER_BLOCK;
  }
}

export interface BufferCacheHooks {
  /** Virtual time now (ns). */
  now(): number;
  /** The first dirty buffer appeared: the write-back daemon has work from now on. */
  becameDirty(): void;
  /** Block I/O is starting: where the kernel reports misuse (I/O from interrupt context). */
  report(message: string): void;
}

export interface BufferCacheLimits {
  /** Buffers (of BLOCK_SIZE) the cache may hold. */
  maxBuffers: number;
  /** Percentage of maxBuffers dirty at which a writer writes back old buffers itself (2.2's nfract). */
  dirtyRatio: number;
  /** Percentage it writes back down to. */
  dirtyBackgroundRatio: number;
}

export const DEFAULT_LIMITS: BufferCacheLimits = { maxBuffers: 8192, dirtyRatio: 40, dirtyBackgroundRatio: 20 };

export class BufferCache {
  private readonly byDevice = new Map<BlockDevice, Map<number, Buffer>>();
  /** Clean buffers, least recently used first. */
  private readonly clean = new Set<Buffer>();
  /** Dirty buffers, the longest dirty first. */
  private readonly dirty = new Set<Buffer>();
  private readonly detached = new Map<BlockDevice, Map<number, WeakRef<Buffer>>>();
  private detachedCount = 0;
  /** detachedCount at which dead references are swept out (doubles with what stays alive: amortised O(1)). */
  private sweepAt = 0;
  readonly limits: BufferCacheLimits;

  constructor(private readonly hooks: BufferCacheHooks, limits: Partial<BufferCacheLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Buffers held (clean and dirty). */
  get size(): number {
    return this.clean.size + this.dirty.size;
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  /** Bytes of dirty buffers of one device. */
  dirtyOf(bdev: BlockDevice): Buffer[] {
    return [...this.dirty].filter((b) => b.bdev === bdev);
  }

  /** sb_bread(): the block, read from the disk unless cached. Throws Errno(EIO) when the disk fails. */
  bread(bdev: BlockDevice, blockNr: number): Buffer {
    const cached = this.byDevice.get(bdev)?.get(blockNr);
    if (cached) { this.touch(cached); return cached; }
    return this.breadRange(bdev, blockNr, 1)[0]!;
  }

  /**
   * The blocks first..first+count-1, reading the ones not cached with as few disk commands as
   * possible (one per run of missing blocks): sequential reads of a device are fast.
   */
  breadRange(bdev: BlockDevice, first: number, count: number): Buffer[] {
    const out: Buffer[] = [];
    const map = this.deviceMap(bdev);
    let i = 0;
    while (i < count) {
      const cached = map.get(first + i);
      if (cached) { this.touch(cached); out.push(cached); i++; continue; }
      let run = 1;
      while (i + run < count && run < MAX_REQUEST_BLOCKS && !map.has(first + i + run)) run++;
      const sectors = bdev.disk.driver.read(bdev.startSect + (first + i) * SECTORS_PER_BLOCK, run * SECTORS_PER_BLOCK, bdev.dev);
      for (let j = 0; j < run; j++) {
        const nr = first + i + j;
        // Another lookup during the read (an interrupt cannot do block I/O, but stay safe) may have added it.
        const existing = map.get(nr);
        if (existing) { out.push(existing); continue; }
        const revived = this.revive(bdev, nr);
        const b = revived ?? new Buffer(bdev, nr);
        if (!revived) b.data.set(sectors.subarray(j * BLOCK_SIZE, (j + 1) * BLOCK_SIZE));
        this.insert(b);
        out.push(b);
      }
      i += run;
    }
    return out;
  }

  /** sb_getblk(): the block's buffer without reading the disk (its contents are about to be overwritten). */
  getblk(bdev: BlockDevice, blockNr: number): Buffer {
    const cached = this.byDevice.get(bdev)?.get(blockNr);
    if (cached) { this.touch(cached); return cached; }
    const b = this.revive(bdev, blockNr) ?? new Buffer(bdev, blockNr);
    this.insert(b);
    return b;
  }

  /** mark_buffer_dirty(): the disk must get this buffer some time; its age counts from the first dirtying. */
  markDirty(bh: BufferHead): void {
    const b = this.own(bh);
    if (b.dirty) return;
    b.dirty = true;
    b.dirtySinceNs = this.hooks.now();
    this.clean.delete(b);
    this.dirty.add(b);
    if (this.dirty.size === 1) this.hooks.becameDirty();
    this.balanceDirty();
  }

  /** sync_dirty_buffer(): writes this buffer now if it is dirty; whether the disk took it. */
  syncBuffer(bh: BufferHead): boolean {
    const b = this.own(bh);
    return b.dirty ? this.writeBuffers([b]) === 0 : true;
  }

  /** Writes every dirty buffer of `bdev` (every one with no device given); the number that failed. */
  syncDevice(bdev?: BlockDevice): number {
    return this.writeBuffers(bdev ? this.dirtyOf(bdev) : [...this.dirty]);
  }

  /** Writes the buffers dirty since `cutoffNs` or longer (the periodic write-back); how many. */
  writeOlderThan(cutoffNs: number): number {
    const old: Buffer[] = [];
    for (const b of this.dirty) {
      if (b.dirtySinceNs > cutoffNs) break;
      old.push(b);
    }
    this.writeBuffers(old);
    return old.length;
  }

  /** The time the longest-dirty buffer became dirty, or undefined when none is. */
  oldestDirtyNs(): number | undefined {
    for (const b of this.dirty) return b.dirtySinceNs;
    return undefined;
  }

  /** kill_bdev() / BLKFLSBUF after a sync: forgets the clean buffers of a device. */
  invalidate(bdev: BlockDevice): void {
    const map = this.byDevice.get(bdev);
    if (!map) return;
    for (const b of [...map.values()]) if (!b.dirty) this.drop(b);
  }

  /**
   * Writes buffers to the disk, sorted and merged into requests of contiguous blocks. A buffer
   * the disk refused is lost, as on Linux ("lost page write"): it is no longer dirty. Returns how
   * many failed.
   */
  writeBuffers(buffers: Buffer[]): number {
    let failed = 0;
    const byDev = new Map<BlockDevice, Buffer[]>();
    for (const b of buffers) if (b.dirty) (byDev.get(b.bdev) ?? byDev.set(b.bdev, []).get(b.bdev)!).push(b);
    for (const [bdev, list] of byDev) {
      list.sort((a, b) => a.blockNr - b.blockNr);
      for (let i = 0; i < list.length;) {
        let run = 1;
        while (i + run < list.length && run < MAX_REQUEST_BLOCKS && list[i + run]!.blockNr === list[i]!.blockNr + run) run++;
        const request = list.slice(i, i + run);
        const data = new Uint8Array(run * BLOCK_SIZE);
        request.forEach((b, j) => data.set(b.data, j * BLOCK_SIZE));
        // Clean before the write: a buffer dirtied again while it is written (it cannot be, the
        // write is synchronous, but stay correct) must stay dirty.
        for (const b of request) this.setClean(b);
        try {
          bdev.disk.driver.write(request[0]!.sector, data, bdev.dev);
          bdev.disk.unflushed = true;
        } catch (e) {
          if (!(e instanceof IdeError)) throw e;
          failed += run;
          this.hooks.report(`lost page write due to I/O error on ${bdev.name}`);
        }
        i += run;
      }
    }
    return failed;
  }

  /** Flushes the drive's write cache of every disk written to since its last flush. */
  flushDisks(disks: Iterable<Gendisk>): void {
    for (const disk of disks) {
      if (!disk.unflushed) continue;
      disk.unflushed = false;
      try {
        disk.driver.flush(disk.whole.dev);
      } catch (e) {
        if (!(e instanceof IdeError)) throw e;
      }
    }
  }

  // --- membership ------------------------------------------------------------------------------

  private deviceMap(bdev: BlockDevice): Map<number, Buffer> {
    let map = this.byDevice.get(bdev);
    if (!map) this.byDevice.set(bdev, map = new Map());
    return map;
  }

  private insert(b: Buffer): void {
    this.makeRoom();
    this.deviceMap(b.bdev).set(b.blockNr, b);
    if (b.dirty) this.dirty.add(b);
    else this.clean.add(b);
  }

  private touch(b: Buffer): void {
    if (b.dirty) return;
    this.clean.delete(b);
    this.clean.add(b);
  }

  private setClean(b: Buffer): void {
    if (!b.dirty) return;
    b.dirty = false;
    this.dirty.delete(b);
    if (this.deviceMap(b.bdev).get(b.blockNr) === b) this.clean.add(b);
  }

  /** The cached buffer for a buffer head a file system hands back (it may have been dropped meanwhile). */
  private own(bh: BufferHead): Buffer {
    if (!(bh instanceof Buffer)) throw new TypeError('a BufferHead must come from this buffer cache (bread/getblk)');
    const map = this.deviceMap(bh.bdev);
    const cached = map.get(bh.blockNr);
    if (cached === bh) return bh;
    if (cached) {
      // Someone read the block again after this buffer was dropped: the holder's bytes win.
      cached.data.set(bh.data);
      this.touch(cached);
      return cached;
    }
    this.detached.get(bh.bdev)?.delete(bh.blockNr);
    this.insert(bh);
    return bh;
  }

  /** Keeps the cache within maxBuffers: drops the least recently used clean buffer, writing back dirty ones if none is clean. */
  private makeRoom(): void {
    while (this.size >= this.limits.maxBuffers) {
      const lru = this.clean.values().next();
      if (!lru.done) { this.drop(lru.value); continue; }
      this.writeBuffers(this.oldestDirty(MAX_REQUEST_BLOCKS));
    }
  }

  /** balance_dirty(): a writer that pushed the dirty share over dirtyRatio writes the oldest back itself. */
  private balanceDirty(): void {
    const { maxBuffers, dirtyRatio, dirtyBackgroundRatio } = this.limits;
    if (this.dirty.size * 100 <= maxBuffers * dirtyRatio) return;
    const target = Math.floor(maxBuffers * dirtyBackgroundRatio / 100);
    this.writeBuffers(this.oldestDirty(this.dirty.size - target));
  }

  private oldestDirty(n: number): Buffer[] {
    const out: Buffer[] = [];
    for (const b of this.dirty) { if (out.length >= n) break; out.push(b); }
    return out;
  }

  private drop(b: Buffer): void {
    this.clean.delete(b);
    this.byDevice.get(b.bdev)?.delete(b.blockNr);
    let refs = this.detached.get(b.bdev);
    if (!refs) this.detached.set(b.bdev, refs = new Map());
    refs.set(b.blockNr, new WeakRef(b));
    if (++this.detachedCount > Math.max(this.sweepAt, 2 * this.limits.maxBuffers)) this.sweepDetached();
  }

  /** A dropped buffer someone still holds, taken back into the cache; the disk is read all the same. */
  private revive(bdev: BlockDevice, blockNr: number): Buffer | undefined {
    const refs = this.detached.get(bdev);
    const ref = refs?.get(blockNr);
    if (!ref) return undefined;
    refs!.delete(blockNr);
    return ref.deref();
  }

  private sweepDetached(): void {
    let live = 0;
    for (const refs of this.detached.values()) {
      for (const [nr, ref] of refs) {
        if (ref.deref()) live++;
        else refs.delete(nr);
      }
    }
    this.detachedCount = live;
    this.sweepAt = 2 * live;
  }
}
