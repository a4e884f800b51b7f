// A hard disk's medium held in memory: the default disk of a machine that has no disk image
// (`driverlab sh` scratch machines, tests). It outlives resets of the machine it is plugged into,
// not the process.
//
// Storage is sparse, in chunks allocated on first write, so a fresh 32 MiB disk costs nothing
// until it is written: booting a machine must stay cheap.

import { SECTOR_SIZE, type DiskBacking } from '../../host.js';

/** Storage comes in chunks of this many sectors (32 KiB). */
export const SECTORS_PER_CHUNK = 64;
export const CHUNK_BYTES = SECTORS_PER_CHUNK * SECTOR_SIZE;

/** A disk's contents frozen: the chunks that hold anything (the rest reads as zeros). */
export interface DiskSnapshot {
  readonly sectorCount: number;
  readonly chunks: ReadonlyMap<number, Uint8Array>;
}

export class MemoryDisk implements DiskBacking {
  /** Chunks this disk has written: its own, which hide the base's. */
  private readonly chunks = new Map<number, Uint8Array>();
  /** FLUSH CACHE commands seen: a test can tell that the kernel asked for durability. */
  flushes = 0;

  /**
   * A blank disk of `sectorCount` sectors, or (`base`) a copy-on-write view of a snapshot: reads
   * come from the snapshot until a write has copied the chunk it lands in.
   */
  constructor(readonly sectorCount: number, private readonly base?: DiskSnapshot) {
    if (!Number.isSafeInteger(sectorCount) || sectorCount <= 0) throw new RangeError(`a disk needs a positive whole number of sectors, got ${sectorCount}`);
  }

  readSectors(lba: number, count: number): Uint8Array {
    this.check(lba, count);
    const out = new Uint8Array(count * SECTOR_SIZE);
    forEachPiece(lba, count, (chunk, chunkOffset, outOffset, length) => {
      const stored = this.chunks.get(chunk) ?? this.base?.chunks.get(chunk);
      if (stored) out.set(stored.subarray(chunkOffset, chunkOffset + length), outOffset);
    });
    return out;
  }

  writeSectors(lba: number, data: Uint8Array): void {
    if (data.length % SECTOR_SIZE !== 0) throw new RangeError(`disk writes are whole sectors; got ${data.length} bytes`);
    const count = data.length / SECTOR_SIZE;
    this.check(lba, count);
    forEachPiece(lba, count, (chunk, chunkOffset, dataOffset, length) => {
      let stored = this.chunks.get(chunk);
      if (!stored) this.chunks.set(chunk, stored = this.base?.chunks.get(chunk)?.slice() ?? new Uint8Array(CHUNK_BYTES));
      stored.set(data.subarray(dataOffset, dataOffset + length), chunkOffset);
    });
  }

  /** Bytes this disk holds of its own (what its writes cost over its base). */
  get privateBytes(): number {
    return this.chunks.size * CHUNK_BYTES;
  }

  flush(): void {
    this.flushes++;
  }

  /** The contents as they are now, as a snapshot that later writes to this disk do not change. */
  snapshot(): DiskSnapshot {
    const chunks = new Map([...(this.base?.chunks ?? []), ...this.chunks]);
    return { sectorCount: this.sectorCount, chunks: new Map([...chunks].map(([i, c]) => [i, c.slice()])) };
  }

  private check(lba: number, count: number): void {
    checkSectorRange(this.sectorCount, lba, count);
  }
}

/** Throws RangeError for a sector range that is not whole or lies outside a disk of `sectorCount` sectors. */
export function checkSectorRange(sectorCount: number, lba: number, count: number): void {
  if (!Number.isSafeInteger(lba) || !Number.isSafeInteger(count) || lba < 0 || count < 0 || lba + count > sectorCount) {
    throw new RangeError(`sectors ${lba}-${lba + count - 1} lie outside the disk (${sectorCount} sectors)`);
  }
}

/** Calls `f` for each run of the sector range that lies in one chunk. */
export function forEachPiece(lba: number, count: number, f: (chunk: number, chunkOffset: number, offset: number, length: number) => void): void {
  let offset = 0;
  let byte = lba * SECTOR_SIZE;
  let left = count * SECTOR_SIZE;
  while (left > 0) {
    const chunk = Math.floor(byte / CHUNK_BYTES);
    const chunkOffset = byte - chunk * CHUNK_BYTES;
    const length = Math.min(left, CHUNK_BYTES - chunkOffset);
    f(chunk, chunkOffset, offset, length);
    offset += length;
    byte += length;
    left -= length;
  }
}
