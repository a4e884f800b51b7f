// The IDE disk driver (Linux 2.2's drivers/block/ide.c + ide-probe.c + ide-disk.c, and the
// legacy drivers/ide/ of 2.6, the last kernels that named disks hda), in miniature: it probes
// the primary channel through its ports, identifies the drive, claims the ports and IRQ 14, and
// moves sectors with PIO.
//
// Why polled: the block layer above is synchronous (BlockIo.bread returns the block), and a
// TypeScript kernel path cannot sleep in the middle of a call without making every caller
// asynchronous. So the driver issues a command and polls the Alternate Status register until
// the drive is done, charging the CPU time a polling loop takes, with the drive's interrupts
// left enabled: they arrive as on Linux (IRQ 14 counts in /proc/interrupts) and the handler
// acknowledges them by reading Status, as ide_intr() does; the data moves in the polling path,
// not in the handler. Block I/O must never start from interrupt context (the emergency sync of
// SysRq-S is deferred to a worker, as Linux defers it): an interrupt that arrived during a
// polled command would otherwise issue a second command into the middle of the first.
import type { Kernel } from '../kernel.js';
import { EIO, Errno } from '../errno.js';

/** Task file register offsets and bits (include/linux/hdreg.h names). */
const IDE_DATA = 0, IDE_ERROR = 1, IDE_NSECTOR = 2, IDE_SECTOR = 3, IDE_LCYL = 4, IDE_HCYL = 5,
  IDE_SELECT = 6, IDE_STATUS = 7, IDE_COMMAND = 7;
const ERR_STAT = 0x01, INDEX_STAT = 0x02, ECC_STAT = 0x04, DRQ_STAT = 0x08, SEEK_STAT = 0x10, WRERR_STAT = 0x20,
  READY_STAT = 0x40, BUSY_STAT = 0x80;
const MARK_ERR = 0x01, TRK0_ERR = 0x02, ABRT_ERR = 0x04, ID_ERR = 0x10, ECC_ERR = 0x40, BBD_ERR = 0x80;
const CTL_nIEN = 0x02, CTL_SRST = 0x04;
const WIN_READ = 0x20, WIN_WRITE = 0x30, WIN_MULTREAD = 0xc4, WIN_MULTWRITE = 0xc5, WIN_SETMULT = 0xc6,
  WIN_FLUSH_CACHE = 0xe7, WIN_IDENTIFY = 0xec;

/** The most sectors one LBA28 command moves (a sector count of 0 means 256). */
export const IDE_MAX_SECTORS = 256;
/** An ALTSTATUS read on the controller (a PCI IDE register). */
const STATUS_READ_NS = 600;
/** One 32-bit data port access in PIO mode 4 (two 120 ns word cycles). */
const DATA_DWORD_NS = 240;
/** WAIT_WORSTCASE: how long a command may keep the drive busy before the driver gives up. */
const WAIT_WORSTCASE_NS = 30e9;
/** How long the driver spins on the status register before it polls more slowly. */
const POLL_PATIENCE_NS = 10_000_000;
/** The 400 ns a drive may take to set BSY after a command (ATA), which the driver waits out. */
const COMMAND_SETTLE_NS = 400;

export interface IdeHw {
  /** ide0 */
  name: string;
  /** hda: the master of this channel. */
  driveName: string;
  base: number;
  ctl: number;
  irq: number;
}

export const IDE0_HW: IdeHw = { name: 'ide0', driveName: 'hda', base: 0x1f0, ctl: 0x3f6, irq: 14 };

/** What IDENTIFY DEVICE told the driver. */
export interface IdeDrive {
  name: string;
  model: string;
  /** Sectors (LBA28 capacity, words 60-61). */
  capacity: number;
  /** The drive's buffer in KiB (word 21 / 2). */
  cacheKb: number;
  /** BIOS geometry as Linux derives it (heads and sectors from IDENTIFY, cylinders from the capacity). */
  cyls: number;
  heads: number;
  sects: number;
  /** Sectors per block for READ/WRITE MULTIPLE (0: single-sector commands). */
  multCount: number;
  flushSupported: boolean;
}

/** An I/O error the driver has reported on the console; the caller gets EIO. */
export class IdeError extends Errno {
  constructor(readonly sector: number) {
    super(EIO);
  }
}

type IoOp = 'READ' | 'WRITE' | 'FLUSH';

export class IdeInterface {
  drive: IdeDrive | undefined;
  /** A command is in progress (the hwgroup is busy). */
  private busy = false;

  constructor(private readonly k: Kernel, readonly hw: IdeHw) {}

  /**
   * ide_probe(): is there a drive, and what is it? Selects the master, checks that its registers
   * hold what is written to them, resets the channel and identifies the drive. Prints the
   * "hda: ..., ATA DISK drive" and "ide0 at ..." lines and claims the ports and the IRQ.
   */
  probe(): IdeDrive | undefined {
    const k = this.k;
    const { name, driveName, base, ctl, irq } = this.hw;
    this.outb(IDE_SELECT, 0xa0);
    if (this.inb(IDE_STATUS) === 0xff) return undefined;
    this.outb(IDE_NSECTOR, 0x55);
    this.outb(IDE_SECTOR, 0xaa);
    if (this.inb(IDE_NSECTOR) !== 0x55 || this.inb(IDE_SECTOR) !== 0xaa) return undefined;
    this.softReset();
    const id = this.identify();
    if (!id) return undefined;
    const model = ataString(id, 27, 20);
    const capacity = id[60]! | (id[61]! << 16);
    const heads = id[3]!, sects = id[6]!;
    const drive: IdeDrive = {
      name: driveName, model, capacity: capacity >>> 0, cacheKb: id[21]! >> 1, heads, sects,
      cyls: heads && sects ? Math.floor(capacity / (heads * sects)) : 0,
      multCount: 0, flushSupported: (id[83]! & 0xc000) === 0x4000 && (id[83]! & 0x1000) !== 0,
    };
    k.printk(`\x016${driveName}: ${model}, ATA DISK drive\n`);
    k.ioports.request(base, 8, name);
    k.ioports.request(ctl, 1, name);
    k.requestIrq(irq, { handler: () => this.interrupt(), name });
    k.printk(`\x016${name} at 0x${base.toString(16)}-0x${(base + 7).toString(16)},0x${ctl.toString(16)} on irq ${irq}\n`);
    // Multiple mode with the drive's largest block: one interrupt per 16 sectors instead of one per sector.
    const maxMult = id[47]! & 0xff;
    if (maxMult && this.setMultiple(maxMult)) drive.multCount = maxMult;
    this.drive = drive;
    return drive;
  }

  /** ide_intr(): reading Status acknowledges the drive's interrupt (the polling path moves the data). */
  private interrupt(): boolean {
    this.k.bus.read(this.hw.base + IDE_STATUS, 1);
    return true;
  }

  /** Reads `count` sectors from `lba` on for device `dev` (its number, for reports). Throws IdeError (EIO) after printing Linux's report. */
  read(lba: number, count: number, dev: number): Uint8Array {
    const drive = this.enter();
    try {
      const out = new Uint8Array(count * 512);
      let done = 0;
      while (done < count) {
        const n = Math.min(IDE_MAX_SECTORS, count - done);
        const perBlock = drive.multCount || 1;
        this.issue(drive.multCount ? WIN_MULTREAD : WIN_READ, lba + done, n);
        for (let moved = 0; moved < n; moved += perBlock) {
          const stat = this.waitNotBusy(lba + done + moved, dev, 'READ');
          if (stat & (ERR_STAT | WRERR_STAT) || !(stat & DRQ_STAT)) this.fail('read_intr', stat, lba + done + moved, dev, 'READ');
          this.inData(out, (done + moved) * 512, Math.min(perBlock, n - moved) * 512);
        }
        done += n;
      }
      return out;
    } finally {
      this.busy = false;
    }
  }

  /** Writes whole sectors from `lba` on. Throws IdeError (EIO) after printing Linux's report. */
  write(lba: number, data: Uint8Array, dev: number): void {
    const drive = this.enter();
    try {
      const count = data.length / 512;
      let done = 0;
      while (done < count) {
        const n = Math.min(IDE_MAX_SECTORS, count - done);
        const perBlock = drive.multCount || 1;
        const handler = drive.multCount ? 'multwrite_intr' : 'write_intr';
        this.issue(drive.multCount ? WIN_MULTWRITE : WIN_WRITE, lba + done, n);
        for (let moved = 0; moved < n; moved += perBlock) {
          const ready = this.waitNotBusy(lba + done + moved, dev, 'WRITE');
          if (ready & (ERR_STAT | WRERR_STAT) || !(ready & DRQ_STAT)) this.fail(handler, ready, lba + done + moved, dev, 'WRITE');
          this.outData(data, (done + moved) * 512, Math.min(perBlock, n - moved) * 512);
        }
        const stat = this.waitNotBusy(lba + done, dev, 'WRITE');
        if (stat & (ERR_STAT | WRERR_STAT)) this.fail(handler, stat, lba + done, dev, 'WRITE');
        done += n;
      }
    } finally {
      this.busy = false;
    }
  }

  /** FLUSH CACHE: what the drive holds in its write cache reaches the medium. */
  flush(dev: number): void {
    const drive = this.enter();
    try {
      if (!drive.flushSupported) return;
      this.outb(IDE_SELECT, 0xe0);
      this.outb(IDE_COMMAND, WIN_FLUSH_CACHE);
      this.k.charge(COMMAND_SETTLE_NS);
      const stat = this.waitNotBusy(0, dev, 'FLUSH');
      if (stat & (ERR_STAT | WRERR_STAT)) this.fail('flushcache', stat, 0, dev, 'FLUSH');
    } finally {
      this.busy = false;
    }
  }

  // --- the protocol ------------------------------------------------------------------------------

  private enter(): IdeDrive {
    const drive = this.drive;
    if (!drive) throw new Errno(EIO);
    if (this.busy) throw new Error(`BUG: ${this.hw.name}: a command was started while another is in progress (block I/O from interrupt context?)`);
    this.busy = true;
    return drive;
  }

  /** Loads the task file with an LBA28 address and count, then the command. */
  private issue(cmd: number, lba: number, count: number): void {
    this.outb(IDE_SELECT, 0xe0 | ((lba >>> 24) & 0x0f));
    this.outb(IDE_NSECTOR, count & 0xff);
    this.outb(IDE_SECTOR, lba & 0xff);
    this.outb(IDE_LCYL, (lba >>> 8) & 0xff);
    this.outb(IDE_HCYL, (lba >>> 16) & 0xff);
    this.outb(IDE_COMMAND, cmd);
    this.k.charge(COMMAND_SETTLE_NS);
  }

  /** Polls Alternate Status until BSY clears; a drive that stays busy is reported, reset, and the request fails. */
  private waitNotBusy(sector: number, dev: number, op: IoOp): number {
    const stat = this.waitNotBusyQuietly();
    if (stat & BUSY_STAT) {
      this.k.printk(`\x014${this.hw.driveName}: status timeout: status=0x${hex2(stat)} { Busy }\n`);
      this.softReset();
      this.k.printk(`\x016${this.hw.name}: reset: ${this.k.bus.read(this.hw.ctl, 1) & BUSY_STAT ? 'timed-out' : 'success'}\n`);
      this.endRequestError(sector, dev, op);
    }
    return stat;
  }

  /**
   * SRST through the device control register (held 5 us), then the drive gets the 2 ms ATA
   * allows before its status means anything; interrupts are enabled again afterwards.
   */
  private softReset(): void {
    const k = this.k;
    k.bus.write(this.hw.ctl, CTL_SRST | CTL_nIEN, 1);
    k.charge(5000);
    k.bus.write(this.hw.ctl, 0, 1);
    k.charge(2_000_000);
    this.waitNotBusyQuietly();
  }

  /**
   * The polling loop: Alternate Status until BSY clears or WAIT_WORSTCASE_NS have passed (then
   * the last status, BSY still set). After POLL_PATIENCE_NS the loop polls once a millisecond
   * (ide_wait_stat's msleep), so a wedged drive costs seconds of machine time, not of the host's.
   */
  private waitNotBusyQuietly(): number {
    const k = this.k;
    const start = k.clock.now;
    for (;;) {
      const stat = k.bus.read(this.hw.ctl, 1);
      const waited = k.clock.now - start;
      if (!(stat & BUSY_STAT) || waited > WAIT_WORSTCASE_NS) return stat;
      k.charge(waited > POLL_PATIENCE_NS ? 1_000_000 : STATUS_READ_NS);
    }
  }

  /** IDENTIFY DEVICE: the 256 words, or undefined when the drive does not answer like a disk. */
  private identify(): Uint16Array | undefined {
    this.outb(IDE_SELECT, 0xa0);
    this.outb(IDE_COMMAND, WIN_IDENTIFY);
    this.k.charge(COMMAND_SETTLE_NS);
    const stat = this.waitNotBusyQuietly();
    if (stat & (ERR_STAT | BUSY_STAT) || !(stat & DRQ_STAT)) return undefined;
    const bytes = new Uint8Array(512);
    this.inData(bytes, 0, 512);
    this.inb(IDE_STATUS);
    const words = new Uint16Array(256);
    for (let i = 0; i < 256; i++) words[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
    return words;
  }

  private setMultiple(count: number): boolean {
    this.outb(IDE_SELECT, 0xa0);
    this.outb(IDE_NSECTOR, count);
    this.outb(IDE_COMMAND, WIN_SETMULT);
    this.k.charge(COMMAND_SETTLE_NS);
    return (this.waitNotBusyQuietly() & ERR_STAT) === 0;
  }

  /** insl: a block from the data port (32-bit I/O, hdparm -c1). */
  private inData(into: Uint8Array, offset: number, length: number): void {
    const bus = this.k.bus;
    const port = this.hw.base + IDE_DATA;
    const view = new DataView(into.buffer, into.byteOffset + offset, length);
    for (let i = 0; i < length; i += 4) view.setUint32(i, bus.read(port, 4), true);
    this.k.charge((length / 4) * DATA_DWORD_NS);
  }

  /** outsl: a block to the data port. */
  private outData(from: Uint8Array, offset: number, length: number): void {
    const bus = this.k.bus;
    const port = this.hw.base + IDE_DATA;
    const view = new DataView(from.buffer, from.byteOffset + offset, length);
    for (let i = 0; i < length; i += 4) bus.write(port, view.getUint32(i, true), 4);
    this.k.charge((length / 4) * DATA_DWORD_NS);
  }

  /**
   * ide_error(): the drive reported an error. Prints ide_dump_status()'s lines and the block
   * layer's I/O error line as the personality's kernel does, then fails the request with EIO.
   */
  private fail(handler: string, stat: number, sector: number, dev: number, op: IoOp): never {
    const k = this.k;
    const name = this.hw.driveName;
    const modern = k.personality === 'modern';
    const msg = modern ? { read_intr: 'task_in_intr', write_intr: 'task_out_intr', multwrite_intr: 'task_out_intr' }[handler] ?? handler : handler;
    k.printk(`\x014${name}: ${msg}: status=0x${hex2(stat)} { ${statusNames(stat)}}\n`);
    if ((stat & (BUSY_STAT | ERR_STAT)) === ERR_STAT) {
      const err = this.inb(IDE_ERROR);
      let line = `${name}: ${msg}: error=0x${hex2(err)} { ${errorNames(err)}}`;
      if ((err & (BBD_ERR | ABRT_ERR)) === BBD_ERR || err & (ECC_ERR | ID_ERR | MARK_ERR)) {
        const sel = this.inb(IDE_SELECT);
        const lbaSect = ((sel & 0x0f) << 24) | (this.inb(IDE_HCYL) << 16) | (this.inb(IDE_LCYL) << 8) | this.inb(IDE_SECTOR);
        line += `, LBAsect=${lbaSect >>> 0}, sector=${sector}`;
      }
      k.printk(`\x014${line}\n`);
      if (modern) k.printk('\x014ide: failed opcode was: unknown\n');
    }
    // Leave the drive idle for the next command.
    if (this.k.bus.read(this.hw.ctl, 1) & (DRQ_STAT | BUSY_STAT)) this.softReset();
    this.endRequestError(sector, dev, op);
  }

  /** The block layer's line for a failed request, then the request fails with EIO. */
  private endRequestError(sector: number, dev: number, op: IoOp): never {
    const k = this.k;
    const name = this.hw.driveName;
    if (k.personality === 'modern') k.printk(`\x013I/O error, dev ${name}, sector ${sector} op 0x${op === 'READ' ? 0 : op === 'WRITE' ? 1 : 2}:(${op}) flags 0x0 phys_seg 1 prio class 2\n`);
    // 2.2 printed this without a level: the default, KERN_WARNING.
    else k.printk(`\x014end_request: I/O error, dev ${hex2(dev >>> 20)}:${hex2(dev & 0xfffff)} (${name}), sector ${sector}\n`);
    throw new IdeError(sector);
  }

  private inb(reg: number): number {
    const v = this.k.bus.read(this.hw.base + reg, 1);
    this.k.charge(STATUS_READ_NS);
    return v;
  }

  private outb(reg: number, v: number): void {
    this.k.bus.write(this.hw.base + reg, v, 1);
    this.k.charge(STATUS_READ_NS);
  }
}

/** ide_dump_status()'s names for the status bits, each followed by a space. */
function statusNames(stat: number): string {
  if (stat & BUSY_STAT) return 'Busy ';
  const names: [number, string][] = [[READY_STAT, 'DriveReady'], [WRERR_STAT, 'DeviceFault'], [SEEK_STAT, 'SeekComplete'],
    [DRQ_STAT, 'DataRequest'], [ECC_STAT, 'CorrectedError'], [INDEX_STAT, 'Index'], [ERR_STAT, 'Error']];
  return names.filter(([bit]) => stat & bit).map(([, n]) => `${n} `).join('');
}

function errorNames(err: number): string {
  const names: string[] = [];
  if (err & ABRT_ERR) names.push('DriveStatusError');
  if (err & BBD_ERR) names.push(err & ABRT_ERR ? 'BadCRC' : 'BadSector');
  if (err & ECC_ERR) names.push('UncorrectableError');
  if (err & ID_ERR) names.push('SectorIdNotFound');
  if (err & TRK0_ERR) names.push('TrackZeroNotFound');
  if (err & MARK_ERR) names.push('AddrMarkNotFound');
  return names.map((n) => `${n} `).join('');
}

/** An ATA string from IDENTIFY words: two characters a word, the first in the high byte. */
function ataString(words: Uint16Array, first: number, count: number): string {
  let s = '';
  for (let i = first; i < first + count; i++) s += String.fromCharCode(words[i]! >> 8, words[i]! & 0xff);
  return s.trim();
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
