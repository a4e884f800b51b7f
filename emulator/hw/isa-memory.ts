// The ISA memory hole, 0xA0000-0xFFFFF: the 384 KiB below 1 MiB where ISA cards decode memory
// (video RAM, option ROMs, and the shared-memory windows of cards like my_device).
//
// Reference: IBM PC/AT Technical Reference, "System memory map"; ISA bus behaviour as in QEMU's
// memory core (an address no card decodes floats: reads return 0xFF per byte, writes vanish).
//
// Lookups use a one-byte-per-address table of mapping slots (384 KiB), so readb()/writeb() are one
// array load whatever the alignment of the windows. Multi-byte accesses are little-endian and are
// composed from bytes, so a word straddling two windows (or a window and the void) behaves as the
// bus would. Block copies go region by region and use the region's block methods when it has them,
// which is what keeps a 4 KiB memcpy_toio of firmware cheap.

export const ISA_WINDOW_BASE = 0xa0000;
export const ISA_WINDOW_END = 0x100000;
const WINDOW_SIZE = ISA_WINDOW_END - ISA_WINDOW_BASE;
/** Slot 0 of the table means "nothing mapped", leaving 255 usable slots. */
const MAX_MAPPINGS = 255;

/** Something a card puts on the bus. Offsets are relative to where it is mapped. */
export interface MemRegion {
  read8(offset: number): number;
  write8(offset: number, value: number): void;
  readBlock?(offset: number, length: number): Uint8Array;
  writeBlock?(offset: number, bytes: Uint8Array): void;
}

/** Plain memory (a card's shared RAM). `onWrite` lets the card notice the host writing. */
export class RamRegion implements MemRegion {
  readonly bytes: Uint8Array;
  onWrite?: (offset: number, length: number) => void;

  constructor(sizeOrBytes: number | Uint8Array) {
    this.bytes = typeof sizeOrBytes === 'number' ? new Uint8Array(sizeOrBytes) : sizeOrBytes;
  }

  get size(): number {
    return this.bytes.length;
  }

  read8(offset: number): number {
    return this.bytes[offset] ?? 0xff;
  }

  write8(offset: number, value: number): void {
    if (offset < 0 || offset >= this.bytes.length) return;
    this.bytes[offset] = value;
    this.onWrite?.(offset, 1);
  }

  readBlock(offset: number, length: number): Uint8Array {
    return this.bytes.slice(offset, offset + length);
  }

  writeBlock(offset: number, bytes: Uint8Array): void {
    this.bytes.set(bytes, offset);
    this.onWrite?.(offset, bytes.length);
  }
}

export interface MemMapping {
  base: number;
  size: number;
  owner: string;
}

export interface MemAccess {
  kind: 'read' | 'write';
  addr: number;
  /** 1, 2 or 4 for readb/readw/readl and friends; the byte count for block copies. */
  size: number;
  /** The value read or written, for 1-, 2- and 4-byte accesses. */
  value?: number;
  owner?: string;
}

export interface IsaMemoryOptions {
  onGuestError?: (msg: string) => void;
}

/** A window that cannot be mapped where it was asked for. */
export class MemoryMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryMapError';
  }
}

interface Mapping extends MemMapping {
  region: MemRegion;
  slot: number;
}

export class IsaMemory {
  /** Called on every access; leave unset when nobody is watching. */
  onAccess?: (e: MemAccess) => void;
  /** A driver touching memory outside the ISA window (usually a pointer that was never ioremapped). */
  onGuestError?: (msg: string) => void;

  private readonly table = new Uint8Array(WINDOW_SIZE);
  private readonly slots: (Mapping | undefined)[] = new Array<Mapping | undefined>(MAX_MAPPINGS + 1).fill(undefined);
  /** Sorted by base, for regions() and for skipping holes in block copies. */
  private mappings: Mapping[] = [];

  constructor(options: IsaMemoryOptions = {}) {
    this.onGuestError = options.onGuestError;
  }

  map(base: number, size: number, region: MemRegion, owner: string): void {
    if (!Number.isInteger(base) || !Number.isInteger(size) || size < 1) {
      throw new MemoryMapError(`ISA memory window of ${owner} needs an integer base and a size of at least 1, got base ${base}, size ${size}`);
    }
    if (base < ISA_WINDOW_BASE || base + size > ISA_WINDOW_END) {
      throw new MemoryMapError(`ISA memory ${range(base, size)} of ${owner} lies outside the ISA window ${range(ISA_WINDOW_BASE, WINDOW_SIZE)}`);
    }
    if (region instanceof RamRegion && region.size < size) {
      throw new MemoryMapError(`ISA memory ${range(base, size)} of ${owner} is larger than its ${region.size}-byte RAM`);
    }
    const clash = this.mappings.find((m) => base < m.base + m.size && m.base < base + size);
    if (clash !== undefined) {
      throw new MemoryMapError(`ISA memory ${range(base, size)} of ${owner} overlaps ${range(clash.base, clash.size)} mapped by ${clash.owner}`);
    }
    const slot = this.slots.indexOf(undefined, 1);
    if (slot < 0) throw new MemoryMapError(`ISA memory ${range(base, size)} of ${owner}: no more than ${MAX_MAPPINGS} windows can be mapped`);
    const mapping: Mapping = { base, size, owner, region, slot };
    this.slots[slot] = mapping;
    this.table.fill(slot, base - ISA_WINDOW_BASE, base - ISA_WINDOW_BASE + size);
    this.mappings = [...this.mappings, mapping].sort((a, b) => a.base - b.base);
  }

  /** Removes the window mapped at exactly `base`; anything else is a host bug. */
  unmap(base: number): void {
    const mapping = this.mappings.find((m) => m.base === base);
    if (mapping === undefined) throw new MemoryMapError(`no ISA memory window is mapped at ${hex(base)}`);
    this.table.fill(0, mapping.base - ISA_WINDOW_BASE, mapping.base - ISA_WINDOW_BASE + mapping.size);
    this.slots[mapping.slot] = undefined;
    this.mappings = this.mappings.filter((m) => m !== mapping);
  }

  /** The windows in address order, for /proc/iomem and the inspector. */
  regions(): MemMapping[] {
    return this.mappings.map(({ base, size, owner }) => ({ base, size, owner }));
  }

  owner(addr: number): string | undefined {
    return this.mappingAt(addr)?.owner;
  }

  read8(addr: number): number {
    this.checkInWindow(addr, 1);
    const value = this.load8(addr);
    if (this.onAccess !== undefined) this.report('read', addr, 1, value);
    return value;
  }

  read16(addr: number): number {
    this.checkInWindow(addr, 2);
    const value = this.load8(addr) | (this.load8(addr + 1) << 8);
    if (this.onAccess !== undefined) this.report('read', addr, 2, value);
    return value;
  }

  read32(addr: number): number {
    this.checkInWindow(addr, 4);
    const value = (this.load8(addr) | (this.load8(addr + 1) << 8) | (this.load8(addr + 2) << 16) | (this.load8(addr + 3) << 24)) >>> 0;
    if (this.onAccess !== undefined) this.report('read', addr, 4, value);
    return value;
  }

  write8(addr: number, value: number): void {
    this.checkInWindow(addr, 1);
    value &= 0xff;
    if (this.onAccess !== undefined) this.report('write', addr, 1, value);
    this.store8(addr, value);
  }

  write16(addr: number, value: number): void {
    this.checkInWindow(addr, 2);
    value &= 0xffff;
    if (this.onAccess !== undefined) this.report('write', addr, 2, value);
    this.store8(addr, value & 0xff);
    this.store8(addr + 1, value >>> 8);
  }

  write32(addr: number, value: number): void {
    this.checkInWindow(addr, 4);
    value >>>= 0;
    if (this.onAccess !== undefined) this.report('write', addr, 4, value);
    this.store8(addr, value & 0xff);
    this.store8(addr + 1, (value >>> 8) & 0xff);
    this.store8(addr + 2, (value >>> 16) & 0xff);
    this.store8(addr + 3, value >>> 24);
  }

  /** memcpy_toio: bytes that land where nothing is mapped are dropped. */
  copyIn(addr: number, bytes: Uint8Array): void {
    const length = bytes.length;
    this.checkInWindow(addr, length);
    if (this.onAccess !== undefined) this.report('write', addr, length, undefined);
    let done = 0;
    while (done < length) {
      const at = addr + done;
      const mapping = this.mappingAt(at);
      const end = this.runEnd(at, addr + length, mapping);
      if (mapping !== undefined) {
        const chunk = bytes.subarray(done, done + (end - at));
        writeRegion(mapping.region, at - mapping.base, chunk);
      }
      done += end - at;
    }
  }

  /** memcpy_fromio: bytes from where nothing is mapped read as 0xFF. */
  copyOut(addr: number, length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`copyOut needs a byte count, got ${length}`);
    this.checkInWindow(addr, length);
    if (this.onAccess !== undefined) this.report('read', addr, length, undefined);
    const result = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = addr + done;
      const mapping = this.mappingAt(at);
      const end = this.runEnd(at, addr + length, mapping);
      if (mapping !== undefined) readRegion(mapping.region, at - mapping.base, result.subarray(done, done + (end - at)));
      else result.fill(0xff, done, done + (end - at));
      done += end - at;
    }
    return result;
  }

  private mappingAt(addr: number): Mapping | undefined {
    const index = addr - ISA_WINDOW_BASE;
    if (index < 0 || index >= WINDOW_SIZE) return undefined;
    const slot = this.table[index]!;
    return slot === 0 ? undefined : this.slots[slot];
  }

  /** Where the run of addresses starting at `at` that share `mapping` (or share being unmapped) ends. */
  private runEnd(at: number, limit: number, mapping: Mapping | undefined): number {
    if (mapping !== undefined) return Math.min(mapping.base + mapping.size, limit);
    const next = this.mappings.find((m) => m.base > at);
    return next === undefined ? limit : Math.min(next.base, limit);
  }

  private load8(addr: number): number {
    const mapping = this.mappingAt(addr);
    return mapping === undefined ? 0xff : mapping.region.read8(addr - mapping.base) & 0xff;
  }

  private store8(addr: number, value: number): void {
    const mapping = this.mappingAt(addr);
    if (mapping !== undefined) mapping.region.write8(addr - mapping.base, value);
  }

  private checkInWindow(addr: number, length: number): void {
    if (addr >= ISA_WINDOW_BASE && addr + length <= ISA_WINDOW_END) return;
    this.onGuestError?.(`ISA memory access ${range(addr, Math.max(length, 1))} is outside the ISA window ${range(ISA_WINDOW_BASE, WINDOW_SIZE)}`);
  }

  private report(kind: 'read' | 'write', addr: number, size: number, value: number | undefined): void {
    const e: MemAccess = { kind, addr, size, owner: this.mappingAt(addr)?.owner };
    if (value !== undefined) e.value = value;
    this.onAccess?.(e);
  }
}

function writeRegion(region: MemRegion, offset: number, bytes: Uint8Array): void {
  if (region.writeBlock !== undefined) {
    region.writeBlock(offset, bytes);
    return;
  }
  for (let i = 0; i < bytes.length; i++) region.write8(offset + i, bytes[i]!);
}

function readRegion(region: MemRegion, offset: number, into: Uint8Array): void {
  if (region instanceof RamRegion) {
    // Straight from the backing store: no intermediate copy for the common case.
    into.set(region.bytes.subarray(offset, offset + into.length));
  } else if (region.readBlock !== undefined) {
    into.set(region.readBlock(offset, into.length));
  } else {
    for (let i = 0; i < into.length; i++) into[i] = region.read8(offset + i) & 0xff;
  }
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(5, '0');
}

function range(base: number, size: number): string {
  return `${hex(base)}-${hex(base + size - 1)}`;
}
