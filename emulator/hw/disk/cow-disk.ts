// A hard disk's medium as a copy-on-write view of a frozen disk image (a snapshot): reads come
// from the snapshot until a write has copied the piece it lands in. Every fresh machine of a
// process gets one over the same installed system (the "golden" image), so booting hundreds of
// machines costs one installation, and no machine sees another's writes.

import { SECTOR_SIZE, type DiskBacking } from '../../host.js';
import { CHUNK_BYTES, checkSectorRange, forEachPiece, type DiskSnapshot } from './memory-disk.js';

export class CopyOnWriteDisk implements DiskBacking {
  readonly sectorCount: number;
  /** Chunks this disk has written: its own copies, which hide the snapshot's. */
  private readonly own = new Map<number, Uint8Array>();
  /** FLUSH CACHE commands seen (as MemoryDisk counts them). */
  flushes = 0;

  constructor(private readonly base: DiskSnapshot) {
    this.sectorCount = base.sectorCount;
  }

  readSectors(lba: number, count: number): Uint8Array {
    this.check(lba, count);
    const out = new Uint8Array(count * SECTOR_SIZE);
    forEachPiece(lba, count, (chunk, chunkOffset, outOffset, length) => {
      const stored = this.own.get(chunk) ?? this.base.chunks.get(chunk);
      if (stored) out.set(stored.subarray(chunkOffset, chunkOffset + length), outOffset);
    });
    return out;
  }

  writeSectors(lba: number, data: Uint8Array): void {
    if (data.length % SECTOR_SIZE !== 0) throw new RangeError(`disk writes are whole sectors; got ${data.length} bytes`);
    const count = data.length / SECTOR_SIZE;
    this.check(lba, count);
    forEachPiece(lba, count, (chunk, chunkOffset, dataOffset, length) => {
      let stored = this.own.get(chunk);
      if (!stored) {
        stored = this.base.chunks.get(chunk)?.slice() ?? new Uint8Array(CHUNK_BYTES);
        this.own.set(chunk, stored);
      }
      stored.set(data.subarray(dataOffset, dataOffset + length), chunkOffset);
    });
  }

  flush(): void {
    this.flushes++;
  }

  /** Bytes this disk holds of its own (what its writes cost). */
  get privateBytes(): number {
    return this.own.size * CHUNK_BYTES;
  }

  private check(lba: number, count: number): void {
    checkSectorRange(this.sectorCount, lba, count);
  }
}
