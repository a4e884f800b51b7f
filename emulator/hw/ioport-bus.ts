// The PC's 16-bit I/O port space (x86 IN/OUT, 0x0000-0xFFFF), as seen by inb/outb and friends.
//
// Reference: IBM PC/AT Technical Reference, "I/O address map"; ISA bus behaviour as in QEMU's
// ioport.c (an undecoded port floats, so reads return all ones and writes vanish).
//
// Lookups go through a 65536-entry table so a port access is one array load, however many devices
// are present. Devices receive the absolute port number (not an offset) because the drivers the
// learner writes think in absolute ports (`inb(io + 1)`), and so does the inspector.

export type PortSize = 1 | 2 | 4;

export interface PortDevice {
  read(port: number, size: PortSize): number;
  write(port: number, value: number, size: PortSize): void;
  /**
   * The widest access the device decodes. A wider IN/OUT is split into little-endian pieces on
   * consecutive ports, the way the ISA bus splits a 16-bit access to an 8-bit card (which never
   * asserts IOCS16#). Leave it unset to receive every access with its size and decide yourself.
   */
  readonly ioWidth?: PortSize;
}

export interface PortAccess {
  kind: 'in' | 'out';
  port: number;
  size: PortSize;
  value: number;
  owner?: string;
}

export interface PortClaim {
  base: number;
  length: number;
  owner: string;
}

const PORT_COUNT = 0x10000;
const PORT_MASK = 0xffff;
const ALL_ONES: Record<PortSize, number> = { 1: 0xff, 2: 0xffff, 4: 0xffffffff };

/** A device asked for ports another device already decodes, or ports that do not exist. */
export class PortConflictError extends Error {
  constructor(
    message: string,
    readonly base: number,
    readonly length: number,
    readonly owner: string,
    readonly conflictsWith?: PortClaim,
  ) {
    super(message);
    this.name = 'PortConflictError';
  }
}

interface Claim extends PortClaim {
  device: PortDevice;
  // What a port access needs, read off the device once at claim time: every kind of device comes
  // through the same few lines, where looking its properties up each time is what costs most.
  width: PortSize;
  read: PortDevice['read'];
  write: PortDevice['write'];
}

export class IoPortBus {
  /** Called on every IN and OUT; leave unset when nobody is watching (the hot path then allocates nothing). */
  onAccess?: (e: PortAccess) => void;

  private readonly table: (Claim | undefined)[] = new Array<Claim | undefined>(PORT_COUNT).fill(undefined);
  private readonly claimList: Claim[] = [];

  claim(base: number, length: number, device: PortDevice, owner: string): void {
    if (!Number.isInteger(base) || !Number.isInteger(length) || length < 1) {
      throw new PortConflictError(`I/O port claim of ${owner} needs an integer base and a length of at least 1, got base ${base}, length ${length}`, base, length, owner);
    }
    const last = base + length - 1;
    if (base < 0 || last > PORT_MASK) {
      throw new PortConflictError(`I/O ports ${portRange(base, length)} of ${owner} lie outside the port space 0x0000-0xffff`, base, length, owner);
    }
    for (let port = base; port <= last; port++) {
      const existing = this.table[port];
      if (existing !== undefined) {
        throw new PortConflictError(
          `I/O ports ${portRange(base, length)} of ${owner} overlap ${portRange(existing.base, existing.length)} claimed by ${existing.owner}`,
          base, length, owner, { base: existing.base, length: existing.length, owner: existing.owner },
        );
      }
    }
    const entry: Claim = { base, length, owner, device, width: device.ioWidth ?? 4, read: device.read, write: device.write };
    this.claimList.push(entry);
    for (let port = base; port <= last; port++) this.table[port] = entry;
  }

  /** Unplugs the device that claimed exactly these ports; anything else is a host bug. */
  release(base: number, length: number): void {
    const entry = this.table[base & PORT_MASK];
    if (entry === undefined || entry.base !== base || entry.length !== length) {
      throw new Error(`no I/O port claim ${portRange(base, length)} to release`);
    }
    for (let port = base; port < base + length; port++) this.table[port] = undefined;
    this.claimList.splice(this.claimList.indexOf(entry), 1);
  }

  owner(port: number): string | undefined {
    return this.table[port & PORT_MASK]?.owner;
  }

  claims(): PortClaim[] {
    return this.claimList
      .map(({ base, length, owner }) => ({ base, length, owner }))
      .sort((a, b) => a.base - b.base);
  }

  read(port: number, size: PortSize): number {
    port &= PORT_MASK;
    const entry = this.table[port];
    // The common case, an access the device decodes whole, in as few steps as possible.
    const value = entry !== undefined && size <= entry.width ? (entry.read.call(entry.device, port, size) & ALL_ONES[size]) >>> 0 : this.readFrom(port, size);
    if (this.onAccess !== undefined) this.onAccess({ kind: 'in', port, size, value, owner: this.table[port]?.owner });
    return value;
  }

  write(port: number, value: number, size: PortSize): void {
    port &= PORT_MASK;
    value = (value & ALL_ONES[size]) >>> 0;
    if (this.onAccess !== undefined) this.onAccess({ kind: 'out', port, size, value, owner: this.table[port]?.owner });
    this.writeTo(port, value, size);
  }

  private readFrom(port: number, size: PortSize): number {
    const entry = this.table[port];
    if (entry === undefined && size === 1) return 0xff;
    const width = decodedWidth(entry);
    if (entry !== undefined && size <= width) return (entry.read.call(entry.device, port, size) & ALL_ONES[size]) >>> 0;
    let value = 0;
    for (let offset = 0; offset < size; offset += width) {
      const piece = this.readFrom((port + offset) & PORT_MASK, width);
      value = (value | (piece << (8 * offset))) >>> 0;
    }
    return value;
  }

  private writeTo(port: number, value: number, size: PortSize): void {
    const entry = this.table[port];
    if (entry === undefined && size === 1) return;
    const width = decodedWidth(entry);
    if (entry !== undefined && size <= width) {
      entry.write.call(entry.device, port, value, size);
      return;
    }
    for (let offset = 0; offset < size; offset += width) {
      const piece = (value >>> (8 * offset)) & ALL_ONES[width];
      this.writeTo((port + offset) & PORT_MASK, piece, width);
    }
  }
}

/** An empty port decodes nothing, so a wide access to it splits into bytes like any 8-bit slot. */
function decodedWidth(entry: Claim | undefined): PortSize {
  return entry === undefined ? 1 : entry.width;
}

function hex4(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

function portRange(base: number, length: number): string {
  return `${hex4(base)}-${hex4(base + length - 1)}`;
}
