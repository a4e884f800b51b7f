// The in-memory disk: sparse chunks read back as written across chunk boundaries, zeros where
// nothing was written, and sector ranges outside the disk refused.
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from './memory-disk.js';
import { CopyOnWriteDisk } from './cow-disk.js';

describe('MemoryDisk', () => {
  it('reads back writes that straddle its storage chunks, zeros elsewhere', () => {
    const disk = new MemoryDisk(1000);
    const data = Uint8Array.from({ length: 3 * 512 }, (_, i) => (i * 7) & 0xff);
    disk.writeSectors(63, data); // sectors 63-65: across the first chunk boundary (64)
    expect(disk.readSectors(63, 3)).toEqual(data);
    expect(disk.readSectors(62, 5).subarray(0, 512)).toEqual(new Uint8Array(512));
    expect(disk.readSectors(900, 2)).toEqual(new Uint8Array(1024));
    disk.flush();
    expect(disk.flushes).toBe(1);
  });

  it('refuses what is not whole sectors or lies outside the disk', () => {
    const disk = new MemoryDisk(10);
    expect(() => disk.readSectors(9, 2)).toThrow(/sectors 9-10 lie outside the disk \(10 sectors\)/);
    expect(() => disk.writeSectors(0, new Uint8Array(100))).toThrow(/whole sectors/);
    expect(() => new MemoryDisk(0)).toThrow(/positive whole number of sectors/);
  });

  it('as a copy-on-write view: reads the snapshot, keeps its writes to itself, copies only what it writes', () => {
    const golden = new MemoryDisk(1000);
    golden.writeSectors(10, new Uint8Array(2 * 512).fill(0xaa));
    const base = golden.snapshot();
    const a = new CopyOnWriteDisk(base);
    const b = new CopyOnWriteDisk(base);
    a.writeSectors(11, new Uint8Array(512).fill(0x55));
    expect([...a.readSectors(10, 2)].filter((x, i) => x !== (i < 512 ? 0xaa : 0x55))).toEqual([]);
    expect(b.readSectors(11, 1)).toEqual(new Uint8Array(512).fill(0xaa));
    expect(base.chunks.get(0)!.subarray(11 * 512, 12 * 512)).toEqual(new Uint8Array(512).fill(0xaa));
    expect([a.privateBytes, b.privateBytes]).toEqual([32 * 1024, 0]);
    expect(a.snapshot().chunks.get(0)!.subarray(10 * 512, 12 * 512)).toEqual(a.readSectors(10, 2));
  });
});
