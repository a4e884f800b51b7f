// The PC's primary IDE (ATA) channel with one hard disk as its master: the command block
// registers at 0x1F0-0x1F7, the control block register at 0x3F6, INTRQ wired to IRQ 14. The
// drive's medium is a DiskBacking (a file on the host, or memory), so what the drive wrote
// survives a reset of the machine.
//
// Reference: ATA/ATAPI-6 (T13/1410D): §7 register descriptions (Status BSY/DRDY/DF/DRQ/ERR, Error
// ABRT/IDNF/UNC, Device Control nIEN/SRST, Device bit 4 DEV and bit 6 LBA), §8 commands
// (IDENTIFY DEVICE, READ/WRITE SECTOR(S), READ/WRITE MULTIPLE, SET MULTIPLE MODE, FLUSH CACHE,
// SET FEATURES, INITIALIZE DEVICE PARAMETERS, EXECUTE DEVICE DIAGNOSTIC), §9 the PIO data-in,
// PIO data-out and non-data protocols and the software reset protocol. Structure follows QEMU's
// hw/ide/core.c and ioport.c (one drive state, register read/write switches, a command table).
//
// Modelling choices:
// * LBA28 and CHS addressing, PIO only (no DMA, no LBA48): what Linux's IDE driver of either era
//   uses on such a drive. Commands the drive does not implement are aborted (ERR, ABRT), as ATA
//   prescribes.
// * Time: a command keeps BSY for IDE_COMMAND_NS plus IDE_SECTOR_NS per sector of the DRQ block
//   (seek and media transfer of a quick drive); later blocks of the same command take
//   IDE_SECTOR_NS per sector. FLUSH CACHE takes IDE_FLUSH_NS, a software reset IDE_RESET_NS.
//   Everything is an event on the virtual clock, so a run replays exactly.
// * A write reaches the DiskBacking when its DRQ block has been transferred; FLUSH CACHE calls the
//   backing's flush(). With the write cache disabled (SET FEATURES 0x82) every block is flushed
//   as it is written.
// * INTRQ follows ATA: set before each data-in DRQ block, after each data-out block, at the end
//   of a non-data command; cleared by reading Status or writing Command. The IRQ line carries it
//   while nIEN is clear. A software reset raises no interrupt.
// * The slave is absent: with DEV=1 selected, Status and Alternate Status read 0 and commands are
//   ignored (the master answers for the shared registers, as ATA says). A channel without any
//   drive floats: every register reads 0xFF, as QEMU's empty bus does.
// * Host-side failures of the backing (an I/O error, a full host disk) become media errors: UNC
//   on a read, DF with ABRT on a write; they are reported through onHostError.

import type { EventHandle, VirtualClock } from '../clock.js';
import type { IoPortBus, PortDevice, PortSize } from '../ioport-bus.js';
import type { IrqLine } from '../irq.js';
import { SECTOR_SIZE, type DiskBacking } from '../../host.js';

export const IDE0_BASE = 0x1f0;
export const IDE0_CTL = 0x3f6;
export const IDE0_IRQ = 14;

/** Offsets of the command block registers from the base. */
export const ATA_REG = {
  DATA: 0, ERROR: 1, FEATURES: 1, NSECTOR: 2, LBAL: 3, LBAM: 4, LBAH: 5, DEVICE: 6, STATUS: 7, COMMAND: 7,
} as const;

export const ATA_STATUS = { ERR: 0x01, DRQ: 0x08, DSC: 0x10, DF: 0x20, DRDY: 0x40, BSY: 0x80 } as const;
export const ATA_ERROR = { AMNF: 0x01, ABRT: 0x04, IDNF: 0x10, UNC: 0x40 } as const;
export const ATA_CONTROL = { nIEN: 0x02, SRST: 0x04 } as const;
export const ATA_DEVICE = { DEV: 0x10, LBA: 0x40, OBSOLETE: 0xa0 } as const;

export const ATA_CMD = {
  RECALIBRATE: 0x10, READ_SECTORS: 0x20, READ_SECTORS_NORETRY: 0x21, WRITE_SECTORS: 0x30, WRITE_SECTORS_NORETRY: 0x31,
  EXECUTE_DIAGNOSTIC: 0x90, INITIALIZE_PARAMS: 0x91, READ_MULTIPLE: 0xc4, WRITE_MULTIPLE: 0xc5, SET_MULTIPLE: 0xc6,
  STANDBY_IMMEDIATE: 0xe0, IDLE_IMMEDIATE: 0xe1, STANDBY: 0xe2, IDLE: 0xe3, CHECK_POWER_MODE: 0xe5,
  FLUSH_CACHE: 0xe7, IDENTIFY: 0xec, SET_FEATURES: 0xef,
} as const;

/** SET FEATURES subcommands (the Features register) the drive accepts. */
export const ATA_FEATURE = {
  ENABLE_WRITE_CACHE: 0x02, SET_TRANSFER_MODE: 0x03, DISABLE_READ_LOOKAHEAD: 0x55, REVERT_TO_DEFAULTS: 0x66,
  DISABLE_WRITE_CACHE: 0x82, ENABLE_READ_LOOKAHEAD: 0xaa, KEEP_SETTINGS: 0xcc,
} as const;

export const IDE_MODEL = 'DRIVERLAB HARDDISK';
export const IDE_FIRMWARE = '1.0';
/** Sectors per DRQ block the drive allows for READ/WRITE MULTIPLE (IDENTIFY word 47). */
export const IDE_MAX_MULTIPLE = 16;
/** The drive's cache, in 512-byte units (IDENTIFY word 21): 256 KiB. */
export const IDE_BUFFER_SECTORS = 512;
/** The largest disk LBA28 can address. */
export const ATA_LBA28_MAX_SECTORS = 1 << 28;

export const IDE_COMMAND_NS = 100_000;
export const IDE_SECTOR_NS = 25_000;
export const IDE_FLUSH_NS = 500_000;
export const IDE_RESET_NS = 2_000_000;

/** The default translation the drive reports for CHS addressing. */
const DEFAULT_HEADS = 16;
const DEFAULT_SECTORS_PER_TRACK = 63;

/** What the drive is doing when BSY ends. */
export type AtaPendingAction = 'read-block' | 'write-block' | 'identify' | 'non-data' | 'error' | 'flush' | 'reset';

/** A READ or WRITE (SECTORS or MULTIPLE) in progress. */
export interface AtaTransfer {
  direction: 'in' | 'out';
  /** The first sector of the current DRQ block. */
  lba: number;
  /** Sectors not yet transferred, the current block included. */
  remaining: number;
  /** Sectors per DRQ block: 1, or the multiple count. */
  perBlock: number;
}

export interface AtaDriveState {
  /** Error register. */
  error: number;
  features: number;
  nsector: number;
  lbal: number;
  lbam: number;
  lbah: number;
  /** Device register as written (bits 7 and 5 read back set). */
  device: number;
  status: number;
  /** Device Control register (nIEN, SRST). */
  control: number;
  /** INTRQ is pending (the drive wants the host's attention). */
  intrq: boolean;
  /** Sectors per block of READ/WRITE MULTIPLE; 0 until SET MULTIPLE MODE. */
  multCount: number;
  writeCache: boolean;
  /** CHS translation set by INITIALIZE DEVICE PARAMETERS. */
  heads: number;
  sectorsPerTrack: number;
  transfer: AtaTransfer | null;
  /** The DRQ block being transferred through the data port, and the byte position in it. */
  buffer: number[];
  bufferPos: number;
  /** When BSY ends and what happens then; null when the drive is not busy with a timed step. */
  pending: { atNs: number; action: AtaPendingAction } | null;
}

export interface IdeSnapshot {
  name: 'ide';
  version: 1;
  state: AtaDriveState;
}

export interface IdeOptions {
  /** A mistake of the guest (a command while busy, an 8-bit data access): logged, not thrown. */
  onGuestError?: (msg: string) => void;
  /** The backing failed on the host (I/O error, disk full): the guest sees a media error. */
  onHostError?: (msg: string) => void;
  /** Serial number in IDENTIFY (20 characters at most). */
  serial?: string;
}

function powerOnState(): AtaDriveState {
  // After power-on the drive has run its diagnostics: signature in the task file, error 01h.
  return {
    error: 0x01, features: 0, nsector: 1, lbal: 1, lbam: 0, lbah: 0, device: 0, status: ATA_STATUS.DRDY | ATA_STATUS.DSC,
    control: 0, intrq: false, multCount: 0, writeCache: true, heads: DEFAULT_HEADS, sectorsPerTrack: DEFAULT_SECTORS_PER_TRACK,
    transfer: null, buffer: [], bufferPos: 0, pending: null,
  };
}

export class IdeController {
  onGuestError?: (msg: string) => void;
  onHostError?: (msg: string) => void;
  /** Called whenever the status or the IRQ line may have changed (the inspector). */
  onChange?: () => void;

  private s: AtaDriveState = powerOnState();
  private event: EventHandle | undefined;
  private readonly serial: string;
  /** The current DRQ block as bytes (state.buffer is its snapshot form). */
  private block: Uint8Array = new Uint8Array(0);
  private blockView: DataView = new DataView(new ArrayBuffer(0));

  constructor(
    private readonly clock: VirtualClock,
    private readonly irq: IrqLine,
    private readonly disk: DiskBacking | undefined,
    options: IdeOptions = {},
  ) {
    this.onGuestError = options.onGuestError;
    this.onHostError = options.onHostError;
    this.serial = (options.serial ?? 'DL-0001').slice(0, 20);
    if (disk && (disk.sectorCount <= 0 || disk.sectorCount > ATA_LBA28_MAX_SECTORS)) {
      throw new RangeError(`an LBA28 IDE disk holds 1 to ${ATA_LBA28_MAX_SECTORS} sectors, not ${disk.sectorCount}`);
    }
    this.reset();
  }

  /** Claims the command block and the control register under the name /proc/ioports shows. */
  attach(bus: IoPortBus, base = IDE0_BASE, ctl = IDE0_CTL): void {
    const data: PortDevice = { ioWidth: 4, read: (_p, size) => this.dataRead(size), write: (_p, v, size) => this.dataWrite(v, size) };
    const regs: PortDevice = { ioWidth: 1, read: (p) => this.registerRead(p - base), write: (p, v) => this.registerWrite(p - base, v) };
    const control: PortDevice = { ioWidth: 1, read: () => this.altStatus(), write: (_p, v) => this.controlWrite(v) };
    bus.claim(base, 1, data, 'ide0');
    bus.claim(base + 1, 7, regs, 'ide0');
    bus.claim(ctl, 1, control, 'ide0');
  }

  get state(): Readonly<AtaDriveState> {
    return this.s;
  }

  /** Power-on (hardware) reset: registers as after the drive's diagnostics, nothing pending, line low. */
  reset(): void {
    this.cancelPending();
    this.s = powerOnState();
    this.setBlock(new Uint8Array(0));
    this.driveLine();
  }

  /** Cancels the pending event (machine teardown). */
  stop(): void {
    this.cancelPending();
  }

  saveState(): IdeSnapshot {
    return { name: 'ide', version: 1, state: this.cloneState() };
  }

  /** Expects the clock at the time the snapshot was taken (restore the clock first). */
  loadState(snapshot: IdeSnapshot): void {
    if (snapshot.name !== 'ide' || snapshot.version !== 1) {
      throw new Error(`cannot load ${String(snapshot.name)} v${String(snapshot.version)} state into an ide v1`);
    }
    this.cancelPending();
    this.s = cloneState(snapshot.state);
    this.setBlock(Uint8Array.from(this.s.buffer));
    this.s.bufferPos = snapshot.state.bufferPos;
    const pending = this.s.pending;
    if (pending) this.event = this.clock.schedule(pending.atNs, () => this.busyEnds(), `ide0 ${pending.action}`);
    this.driveLine();
  }

  // --- registers -------------------------------------------------------------------------------

  private get present(): boolean {
    return this.disk !== undefined && (this.s.device & ATA_DEVICE.DEV) === 0;
  }

  private registerRead(offset: number): number {
    const s = this.s;
    // A channel without drives is an undriven bus: every register floats high.
    if (!this.disk) return 0xff;
    switch (offset) {
      case ATA_REG.ERROR: return s.error;
      case ATA_REG.NSECTOR: return s.nsector;
      case ATA_REG.LBAL: return s.lbal;
      case ATA_REG.LBAM: return s.lbam;
      case ATA_REG.LBAH: return s.lbah;
      case ATA_REG.DEVICE: return s.device | ATA_DEVICE.OBSOLETE;
      case ATA_REG.STATUS: {
        if (!this.present) return 0;
        // Reading Status acknowledges the interrupt.
        if (s.intrq) { s.intrq = false; this.driveLine(); }
        return s.status;
      }
      default: return 0xff;
    }
  }

  private registerWrite(offset: number, value: number): void {
    const s = this.s;
    value &= 0xff;
    // While the drive is busy the task file belongs to it; writes are lost (ATA: indeterminate).
    if (offset !== ATA_REG.COMMAND && s.status & ATA_STATUS.BSY) {
      this.guestError(`write of 0x${hex2(value)} to register ${offset} while BSY; ignored`);
      return;
    }
    switch (offset) {
      case ATA_REG.FEATURES: s.features = value; break;
      case ATA_REG.NSECTOR: s.nsector = value; break;
      case ATA_REG.LBAL: s.lbal = value; break;
      case ATA_REG.LBAM: s.lbam = value; break;
      case ATA_REG.LBAH: s.lbah = value; break;
      case ATA_REG.DEVICE: s.device = value & ~ATA_DEVICE.OBSOLETE; break;
      case ATA_REG.COMMAND: this.command(value); break;
    }
    this.onChange?.();
  }

  /** Alternate Status: Status without acknowledging the interrupt. */
  private altStatus(): number {
    if (!this.disk) return 0xff;
    return this.present ? this.s.status : 0;
  }

  private controlWrite(value: number): void {
    const s = this.s;
    const wasReset = (s.control & ATA_CONTROL.SRST) !== 0;
    s.control = value & (ATA_CONTROL.nIEN | ATA_CONTROL.SRST);
    const inReset = (s.control & ATA_CONTROL.SRST) !== 0;
    if (inReset && !wasReset) {
      // SRST asserted: whatever the drive was doing stops; it stays busy until SRST is released.
      this.cancelPending();
      s.transfer = null;
      this.setBlock(new Uint8Array(0));
      s.status = ATA_STATUS.BSY;
      s.intrq = false;
    } else if (!inReset && wasReset) {
      this.busyFor(IDE_RESET_NS, 'reset');
    }
    this.driveLine();
    this.onChange?.();
  }

  // --- data port -------------------------------------------------------------------------------

  private dataRead(size: PortSize): number {
    const s = this.s;
    if (size === 1) {
      this.guestError('8-bit read of the data port; the drive transfers 16 bits at a time');
      return 0xff;
    }
    if (!this.present || s.transfer?.direction === 'out' || !(s.status & ATA_STATUS.DRQ)) return size === 2 ? 0xffff : 0xffffffff;
    const pos = s.bufferPos;
    const value = size === 4 ? this.blockView.getUint32(pos, true) : this.blockView.getUint16(pos, true);
    s.bufferPos = pos + size;
    if (s.bufferPos >= this.block.length) this.dataInBlockDone();
    return value;
  }

  private dataWrite(value: number, size: PortSize): void {
    const s = this.s;
    if (size === 1) {
      this.guestError('8-bit write to the data port; the drive transfers 16 bits at a time');
      return;
    }
    if (!this.present || s.transfer?.direction !== 'out' || !(s.status & ATA_STATUS.DRQ)) {
      this.guestError('write to the data port while the drive does not request data (DRQ clear); ignored');
      return;
    }
    const pos = s.bufferPos;
    if (size === 4) this.blockView.setUint32(pos, value, true);
    else this.blockView.setUint16(pos, value, true);
    s.bufferPos = pos + size;
    if (s.bufferPos >= this.block.length) {
      // The whole block is in the drive's buffer: BSY while it goes to the medium.
      s.status = ATA_STATUS.BSY;
      this.busyFor(IDE_SECTOR_NS * (this.block.length / SECTOR_SIZE), 'write-block');
    }
  }

  /** The host has read the whole DRQ block of a data-in command. */
  private dataInBlockDone(): void {
    const s = this.s;
    const t = s.transfer;
    this.setBlock(new Uint8Array(0));
    if (!t) {
      // IDENTIFY: one block, then the command is complete.
      s.status = ATA_STATUS.DRDY | ATA_STATUS.DSC;
      this.onChange?.();
      return;
    }
    const done = Math.min(t.perBlock, t.remaining);
    this.setTaskFileAddress(t.lba + done - 1, t.remaining - done);
    t.lba += done;
    t.remaining -= done;
    if (t.remaining > 0) {
      s.status = ATA_STATUS.BSY;
      this.busyFor(IDE_SECTOR_NS * Math.min(t.perBlock, t.remaining), 'read-block');
    } else {
      s.transfer = null;
      s.status = ATA_STATUS.DRDY | ATA_STATUS.DSC;
    }
    this.onChange?.();
  }

  // --- commands --------------------------------------------------------------------------------

  private command(cmd: number): void {
    const s = this.s;
    if (!this.present) return;
    if (s.status & (ATA_STATUS.BSY | ATA_STATUS.DRQ)) {
      this.guestError(`command 0x${hex2(cmd)} written while the drive is ${s.status & ATA_STATUS.BSY ? 'busy (BSY)' : 'transferring data (DRQ)'}; ignored`);
      return;
    }
    s.intrq = false;
    s.error = 0;
    s.status = ATA_STATUS.BSY;
    this.driveLine();
    switch (cmd) {
      case ATA_CMD.READ_SECTORS: case ATA_CMD.READ_SECTORS_NORETRY:
        this.startTransfer('in', 1);
        return;
      case ATA_CMD.WRITE_SECTORS: case ATA_CMD.WRITE_SECTORS_NORETRY:
        this.startTransfer('out', 1);
        return;
      case ATA_CMD.READ_MULTIPLE: case ATA_CMD.WRITE_MULTIPLE:
        if (s.multCount === 0) { this.abortAfter(IDE_COMMAND_NS); return; }
        this.startTransfer(cmd === ATA_CMD.READ_MULTIPLE ? 'in' : 'out', s.multCount);
        return;
      case ATA_CMD.IDENTIFY:
        this.busyFor(IDE_COMMAND_NS, 'identify');
        return;
      case ATA_CMD.FLUSH_CACHE:
        this.busyFor(IDE_FLUSH_NS, 'flush');
        return;
      case ATA_CMD.SET_MULTIPLE: {
        const n = s.nsector;
        if (n > IDE_MAX_MULTIPLE || (n & (n - 1)) !== 0) { this.abortAfter(IDE_COMMAND_NS); return; }
        s.multCount = n;
        this.busyFor(IDE_COMMAND_NS, 'non-data');
        return;
      }
      case ATA_CMD.SET_FEATURES:
        if (!this.setFeature(s.features)) { this.abortAfter(IDE_COMMAND_NS); return; }
        this.busyFor(IDE_COMMAND_NS, 'non-data');
        return;
      case ATA_CMD.INITIALIZE_PARAMS:
        s.heads = (s.device & 0x0f) + 1;
        s.sectorsPerTrack = s.nsector;
        this.busyFor(IDE_COMMAND_NS, 'non-data');
        return;
      case ATA_CMD.EXECUTE_DIAGNOSTIC:
        s.nsector = 1; s.lbal = 1; s.lbam = 0; s.lbah = 0;
        this.busyFor(IDE_RESET_NS, 'non-data');
        s.error = 0x01;
        return;
      case ATA_CMD.CHECK_POWER_MODE:
        s.nsector = 0xff;
        this.busyFor(IDE_COMMAND_NS, 'non-data');
        return;
      case ATA_CMD.STANDBY_IMMEDIATE: case ATA_CMD.IDLE_IMMEDIATE: case ATA_CMD.STANDBY: case ATA_CMD.IDLE:
        this.busyFor(IDE_COMMAND_NS, 'non-data');
        return;
      default:
        if ((cmd & 0xf0) === ATA_CMD.RECALIBRATE) { this.busyFor(IDE_COMMAND_NS, 'non-data'); return; }
        this.guestError(`command 0x${hex2(cmd)} is not implemented; aborted`);
        this.abortAfter(IDE_COMMAND_NS);
    }
  }

  private setFeature(feature: number): boolean {
    switch (feature) {
      case ATA_FEATURE.ENABLE_WRITE_CACHE: this.s.writeCache = true; return true;
      case ATA_FEATURE.DISABLE_WRITE_CACHE:
        this.s.writeCache = false;
        this.flushBacking();
        return true;
      case ATA_FEATURE.SET_TRANSFER_MODE: case ATA_FEATURE.DISABLE_READ_LOOKAHEAD: case ATA_FEATURE.ENABLE_READ_LOOKAHEAD:
      case ATA_FEATURE.REVERT_TO_DEFAULTS: case ATA_FEATURE.KEEP_SETTINGS:
        return true;
      default: return false;
    }
  }

  /** READ/WRITE SECTORS or MULTIPLE: checks the address, then the first block. */
  private startTransfer(direction: 'in' | 'out', perBlock: number): void {
    const s = this.s;
    const count = s.nsector === 0 ? 256 : s.nsector;
    const lba = this.taskFileAddress();
    if (lba === undefined || lba + count > this.disk!.sectorCount) {
      // The address is not on the disk: ID not found, reported after the seek.
      this.errorAfter(IDE_COMMAND_NS, ATA_ERROR.IDNF);
      return;
    }
    s.transfer = { direction, lba, remaining: count, perBlock };
    if (direction === 'in') {
      this.busyFor(IDE_COMMAND_NS + IDE_SECTOR_NS * Math.min(perBlock, count), 'read-block');
    } else {
      // PIO data-out: the drive asks for the first block at once, without an interrupt.
      this.setBlock(new Uint8Array(Math.min(perBlock, count) * SECTOR_SIZE));
      s.status = ATA_STATUS.DRDY | ATA_STATUS.DSC | ATA_STATUS.DRQ;
    }
  }

  /** The sector the task file addresses (LBA or CHS), or undefined for a CHS address that does not exist. */
  private taskFileAddress(): number | undefined {
    const s = this.s;
    if (s.device & ATA_DEVICE.LBA) return ((s.device & 0x0f) << 24) | (s.lbah << 16) | (s.lbam << 8) | s.lbal;
    const cylinder = (s.lbah << 8) | s.lbam;
    const head = s.device & 0x0f;
    if (s.lbal === 0 || s.lbal > s.sectorsPerTrack || head >= s.heads) return undefined;
    return (cylinder * s.heads + head) * s.sectorsPerTrack + s.lbal - 1;
  }

  /** After a transfer or an error the task file holds the last sector handled and the count left. */
  private setTaskFileAddress(lba: number, remaining: number): void {
    const s = this.s;
    s.nsector = remaining & 0xff;
    if (s.device & ATA_DEVICE.LBA) {
      s.lbal = lba & 0xff;
      s.lbam = (lba >>> 8) & 0xff;
      s.lbah = (lba >>> 16) & 0xff;
      s.device = (s.device & 0xf0) | ((lba >>> 24) & 0x0f);
    } else {
      const track = Math.floor(lba / s.sectorsPerTrack);
      const cylinder = Math.floor(track / s.heads);
      s.lbal = (lba % s.sectorsPerTrack) + 1;
      s.lbam = cylinder & 0xff;
      s.lbah = (cylinder >>> 8) & 0xff;
      s.device = (s.device & 0xf0) | (track % s.heads);
    }
  }

  // --- the end of BSY --------------------------------------------------------------------------

  private busyFor(ns: number, action: AtaPendingAction): void {
    this.cancelPending();
    const atNs = this.clock.now + ns;
    this.s.pending = { atNs, action };
    this.event = this.clock.schedule(atNs, () => this.busyEnds(), `ide0 ${action}`);
  }

  private busyEnds(): void {
    const s = this.s;
    const action = s.pending?.action;
    s.pending = null;
    this.event = undefined;
    switch (action) {
      case 'read-block': this.readBlock(); break;
      case 'write-block': this.writeBlock(); break;
      case 'identify':
        this.setBlock(identifyBlock(this.identifyWords()));
        s.status = ATA_STATUS.DRDY | ATA_STATUS.DSC | ATA_STATUS.DRQ;
        s.intrq = true;
        break;
      case 'flush':
        s.status = this.flushBacking() ? ATA_STATUS.DRDY | ATA_STATUS.DSC : ATA_STATUS.DRDY | ATA_STATUS.DF | ATA_STATUS.ERR;
        if (s.status & ATA_STATUS.ERR) s.error = ATA_ERROR.ABRT;
        s.intrq = true;
        break;
      case 'non-data':
        s.status = ATA_STATUS.DRDY | ATA_STATUS.DSC;
        s.intrq = true;
        break;
      case 'error':
        s.status = ATA_STATUS.DRDY | ATA_STATUS.DSC | ATA_STATUS.ERR;
        s.intrq = true;
        break;
      case 'reset':
        // The signature of an ATA device, diagnostics passed; no interrupt after a software reset.
        s.error = 0x01; s.nsector = 1; s.lbal = 1; s.lbam = 0; s.lbah = 0; s.device = 0;
        s.status = ATA_STATUS.DRDY | ATA_STATUS.DSC;
        break;
    }
    this.driveLine();
    this.onChange?.();
  }

  private readBlock(): void {
    const s = this.s;
    const t = s.transfer!;
    const n = Math.min(t.perBlock, t.remaining);
    let data: Uint8Array;
    try {
      data = this.disk!.readSectors(t.lba, n);
    } catch (e) {
      this.hostError(`reading sectors ${t.lba}-${t.lba + n - 1}`, e);
      this.failTransfer(ATA_STATUS.DRDY | ATA_STATUS.ERR, ATA_ERROR.UNC);
      return;
    }
    this.setBlock(data);
    s.status = ATA_STATUS.DRDY | ATA_STATUS.DSC | ATA_STATUS.DRQ;
    s.intrq = true;
  }

  private writeBlock(): void {
    const s = this.s;
    const t = s.transfer!;
    const n = this.block.length / SECTOR_SIZE;
    try {
      this.disk!.writeSectors(t.lba, this.block);
      if (!s.writeCache) this.disk!.flush();
    } catch (e) {
      this.hostError(`writing sectors ${t.lba}-${t.lba + n - 1}`, e);
      this.failTransfer(ATA_STATUS.DRDY | ATA_STATUS.DF | ATA_STATUS.ERR, ATA_ERROR.ABRT);
      return;
    }
    this.setTaskFileAddress(t.lba + n - 1, t.remaining - n);
    t.lba += n;
    t.remaining -= n;
    if (t.remaining > 0) {
      this.setBlock(new Uint8Array(Math.min(t.perBlock, t.remaining) * SECTOR_SIZE));
      s.status = ATA_STATUS.DRDY | ATA_STATUS.DSC | ATA_STATUS.DRQ;
    } else {
      s.transfer = null;
      this.setBlock(new Uint8Array(0));
      s.status = ATA_STATUS.DRDY | ATA_STATUS.DSC;
    }
    s.intrq = true;
  }

  private failTransfer(status: number, error: number): void {
    const s = this.s;
    const t = s.transfer;
    if (t) this.setTaskFileAddress(t.lba, t.remaining);
    s.transfer = null;
    this.setBlock(new Uint8Array(0));
    s.status = status;
    s.error = error;
    s.intrq = true;
  }

  private abortAfter(ns: number): void {
    this.errorAfter(ns, ATA_ERROR.ABRT);
  }

  /** Ends the command with ERR and `error` once BSY has lasted `ns`. */
  private errorAfter(ns: number, error: number): void {
    this.s.error = error;
    this.busyFor(ns, 'error');
  }

  private flushBacking(): boolean {
    try {
      this.disk!.flush();
      return true;
    } catch (e) {
      this.hostError('flushing the disk', e);
      return false;
    }
  }

  // --- IDENTIFY DEVICE -------------------------------------------------------------------------

  /** The 256 words of IDENTIFY DEVICE (ATA-6 table 27), for the drive as configured now. */
  identifyWords(): Uint16Array {
    const s = this.s;
    const total = this.disk!.sectorCount;
    const w = new Uint16Array(256);
    const cylinders = Math.min(16383, Math.floor(total / (DEFAULT_HEADS * DEFAULT_SECTORS_PER_TRACK)));
    const currentCylinders = Math.min(65535, Math.floor(total / (s.heads * s.sectorsPerTrack)));
    const currentCapacity = Math.min(currentCylinders * s.heads * s.sectorsPerTrack, total);
    w[0] = 0x0040; // fixed disk
    w[1] = cylinders;
    w[3] = DEFAULT_HEADS;
    w[6] = DEFAULT_SECTORS_PER_TRACK;
    putString(w, 10, 20, this.serial);
    w[20] = 3; // dual-ported buffer with a read cache
    w[21] = IDE_BUFFER_SECTORS;
    w[22] = 4; // ECC bytes on READ/WRITE LONG
    putString(w, 23, 8, IDE_FIRMWARE);
    putString(w, 27, 40, IDE_MODEL);
    w[47] = 0x8000 | IDE_MAX_MULTIPLE;
    w[49] = 0x0200; // LBA supported
    w[51] = 0x0200; // PIO mode 2 timing
    w[53] = 0x0003; // words 54-58 and 64-70 valid
    w[54] = currentCylinders;
    w[55] = s.heads;
    w[56] = s.sectorsPerTrack;
    w[57] = currentCapacity & 0xffff;
    w[58] = currentCapacity >>> 16;
    w[59] = s.multCount ? 0x0100 | s.multCount : 0;
    w[60] = total & 0xffff;
    w[61] = total >>> 16;
    w[64] = 0x0003; // PIO modes 3 and 4
    w[65] = 120; w[66] = 120; w[67] = 120; w[68] = 120;
    w[80] = 0x007e; // ATA-1 to ATA-6
    w[82] = 0x4020; // NOP, write cache
    w[83] = 0x5000; // FLUSH CACHE supported (bit 14 set, bit 15 clear: the word is valid)
    w[84] = 0x4000;
    w[85] = 0x4000 | (s.writeCache ? 0x0020 : 0);
    w[86] = 0x1000; // FLUSH CACHE enabled
    w[87] = 0x4000;
    return w;
  }

  // --- plumbing --------------------------------------------------------------------------------

  private setBlock(bytes: Uint8Array): void {
    this.block = bytes;
    this.blockView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.s.bufferPos = 0;
  }

  private cancelPending(): void {
    if (this.event) this.clock.cancel(this.event);
    this.event = undefined;
    this.s.pending = null;
  }

  /** INTRQ reaches IRQ 14 while nIEN is clear. */
  private driveLine(): void {
    if (this.s.intrq && !(this.s.control & ATA_CONTROL.nIEN)) this.irq.raise();
    else this.irq.lower();
  }

  private cloneState(): AtaDriveState {
    return { ...cloneState(this.s), buffer: Array.from(this.block) };
  }

  private guestError(msg: string): void {
    this.onGuestError?.(`ide0: ${msg}`);
  }

  private hostError(what: string, e: unknown): void {
    this.onHostError?.(`ide0: the disk image failed ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function cloneState(s: AtaDriveState): AtaDriveState {
  return { ...s, transfer: s.transfer && { ...s.transfer }, buffer: [...s.buffer], pending: s.pending && { ...s.pending } };
}

/** ATA strings: space padded, two characters a word, the first in the high byte. */
function putString(words: Uint16Array, first: number, length: number, text: string): void {
  const padded = text.padEnd(length, ' ');
  for (let i = 0; i < length / 2; i++) words[first + i] = (padded.charCodeAt(2 * i) << 8) | padded.charCodeAt(2 * i + 1);
}

/** The IDENTIFY words as the data port delivers them: little-endian. */
function identifyBlock(words: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(SECTOR_SIZE);
  for (let i = 0; i < 256; i++) { bytes[2 * i] = words[i]! & 0xff; bytes[2 * i + 1] = words[i]! >>> 8; }
  return bytes;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
