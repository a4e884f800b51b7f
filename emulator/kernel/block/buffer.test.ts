// The buffer cache on its own, over a disk driver that records every request: the memory bound
// and LRU order, dirty buffers never dropped, revival of a buffer someone still holds, requests
// merged from contiguous blocks, write-back by age, a writer throttled by the dirty ratio.
import { describe, expect, it } from 'vitest';
import { BufferCache, type BufferCacheLimits } from './buffer.js';
import { Gendisk, type DiskDriver } from './genhd.js';
import { IdeError } from './ide.js';

function setup(limits: Partial<BufferCacheLimits> = {}) {
  const sectors = new Uint8Array(4096 * 512);
  const requests: string[] = [];
  let failWrites = false;
  const driver: DiskDriver = {
    capacity: 4096,
    read(lba, count) { requests.push(`R ${lba}+${count}`); return sectors.slice(lba * 512, (lba + count) * 512); },
    write(lba, data) {
      requests.push(`W ${lba}+${data.length / 512}`);
      if (failWrites) throw new IdeError(lba);
      sectors.set(data, lba * 512);
    },
    flush() { requests.push('F'); },
  };
  const disk = new Gendisk('hda', 3, 0, driver);
  const part = disk.device(1, 2048, 2048);
  let now = 0;
  const reports: string[] = [];
  let firstDirty = 0;
  const cache = new BufferCache({ now: () => now, becameDirty: () => { firstDirty++; }, report: (m) => reports.push(m) }, limits);
  return {
    cache, disk, part, requests, sectors, reports,
    get firstDirty() { return firstDirty; },
    at(ns: number) { now = ns; },
    failWrites(on: boolean) { failWrites = on; },
  };
}

describe('buffer cache', () => {
  it('reads a block once; later reads hit the cache', () => {
    const t = setup();
    t.sectors.fill(7, 2048 * 512, 2050 * 512);
    const a = t.cache.bread(t.part, 0);
    expect(a.data[0]).toBe(7);
    expect(t.cache.bread(t.part, 0)).toBe(a);
    expect(t.requests).toEqual(['R 2048+2']);
  });

  it('reads a range of missing blocks with one request per run', () => {
    const t = setup();
    t.cache.bread(t.part, 2);
    t.requests.length = 0;
    const got = t.cache.breadRange(t.part, 0, 6);
    expect(got.map((b) => b.blockNr)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(t.requests).toEqual(['R 2048+4', 'R 2054+6']);
  });

  it('stays within maxBuffers, dropping the least recently used clean buffer', () => {
    const t = setup({ maxBuffers: 4 });
    for (const nr of [0, 1, 2, 3]) t.cache.bread(t.part, nr);
    t.cache.bread(t.part, 0); // 1 is now the least recently used
    t.cache.bread(t.part, 9);
    expect(t.cache.size).toBe(4);
    t.requests.length = 0;
    t.cache.bread(t.part, 0);
    t.cache.bread(t.part, 2);
    expect(t.requests).toEqual([]);
    // Block 1 went (the holder of block 1 here is the test's closure-free past: nothing holds it).
    expect(t.cache.size).toBe(4);
  });

  it('never drops a dirty buffer: with nothing clean left it writes the oldest back first', () => {
    const t = setup({ maxBuffers: 3, dirtyRatio: 100 });
    for (const nr of [0, 1, 2]) {
      const b = t.cache.getblk(t.part, nr);
      b.data.fill(nr + 1);
      t.at(nr * 1000);
      t.cache.markDirty(b);
    }
    expect(t.cache.dirtyCount).toBe(3);
    expect(t.requests).toEqual([]);
    t.cache.bread(t.part, 10);
    // Room for the block read is made by writing the three dirty buffers back, in one request (they are contiguous).
    expect(t.requests).toEqual(['R 2068+2', 'W 2048+6']);
    expect(t.sectors[2050 * 512]).toBe(2);
    expect(t.cache.size).toBe(3);
  });

  it('gives a buffer someone still holds back to the next reader, still reading the disk for the same timing', () => {
    const t = setup({ maxBuffers: 2 });
    const held = t.cache.bread(t.part, 0);
    held.data[5] = 42; // changed, not yet marked dirty
    t.cache.bread(t.part, 1);
    t.cache.bread(t.part, 2); // drops block 0
    t.requests.length = 0;
    const again = t.cache.bread(t.part, 0);
    expect(again).toBe(held);
    expect(again.data[5]).toBe(42);
    expect(t.requests).toEqual(['R 2048+2']);
  });

  it('marking a dropped buffer dirty puts it back', () => {
    const t = setup({ maxBuffers: 2, dirtyRatio: 100 });
    const held = t.cache.bread(t.part, 0);
    t.cache.bread(t.part, 1);
    t.cache.bread(t.part, 2);
    held.data.fill(9);
    t.cache.markDirty(held);
    expect(t.cache.dirtyCount).toBe(1);
    expect(t.cache.syncDevice(t.part)).toBe(0);
    expect(t.sectors[2048 * 512]).toBe(9);
  });

  it('dirty time is the first dirtying; write-back by age takes only the old ones, merged per run', () => {
    const t = setup();
    const dirty = (nr: number, at: number) => { t.at(at); const b = t.cache.getblk(t.part, nr); t.cache.markDirty(b); return b; };
    dirty(5, 0);
    dirty(6, 1e9);
    dirty(9, 2e9);
    const b5 = t.cache.getblk(t.part, 5);
    t.at(3e9);
    t.cache.markDirty(b5); // already dirty: keeps its time
    expect(t.firstDirty).toBe(1);
    expect(t.cache.oldestDirtyNs()).toBe(0);
    expect(t.cache.writeOlderThan(1e9)).toBe(2);
    expect(t.requests).toEqual(['W 2058+4']);
    expect(t.cache.dirtyCount).toBe(1);
    expect(t.cache.oldestDirtyNs()).toBe(2e9);
  });

  it('a writer past the dirty ratio writes the oldest back itself, down to the background ratio', () => {
    const t = setup({ maxBuffers: 10, dirtyRatio: 40, dirtyBackgroundRatio: 20 });
    for (let nr = 0; nr < 5; nr++) t.cache.markDirty(t.cache.getblk(t.part, nr * 2));
    // The fifth dirty buffer crossed 40%: three of the oldest went, two stay.
    expect(t.cache.dirtyCount).toBe(2);
    expect(t.requests).toEqual(['W 2048+2', 'W 2052+2', 'W 2056+2']);
  });

  it('a write the disk refuses is lost, as Linux loses it, and reported', () => {
    const t = setup();
    t.cache.markDirty(t.cache.getblk(t.part, 0));
    t.failWrites(true);
    expect(t.cache.syncDevice()).toBe(1);
    expect(t.cache.dirtyCount).toBe(0);
    expect(t.reports).toEqual(['lost page write due to I/O error on hda1']);
  });

  it('flushes only disks written to since their last flush', () => {
    const t = setup();
    t.cache.flushDisks([t.disk]);
    expect(t.requests).toEqual([]);
    t.cache.markDirty(t.cache.getblk(t.part, 0));
    t.cache.syncDevice(t.part);
    t.cache.flushDisks([t.disk]);
    t.cache.flushDisks([t.disk]);
    expect(t.requests).toEqual(['W 2048+2', 'F']);
  });
});
