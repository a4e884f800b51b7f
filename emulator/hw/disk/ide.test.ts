// qtest-style: the drive is programmed through ports 0x1F0-0x1F7 and 0x3F6 the way a driver would,
// on an IoPortBus and a DualPic, with the VirtualClock advanced explicitly; IRQ 14 is watched on
// the PIC.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock.js';
import { DualPic } from '../intc/i8259.js';
import { IoPortBus } from '../ioport-bus.js';
import { irqLine } from '../irq.js';
import { MemoryDisk } from './memory-disk.js';
import {
  ATA_CMD, ATA_ERROR, ATA_STATUS, IDE_COMMAND_NS, IDE_FLUSH_NS, IDE_RESET_NS, IDE_SECTOR_NS, IdeController,
} from './ide.js';
import type { DiskBacking } from '../../host.js';

const { BSY, DRDY, DSC, DRQ, ERR, DF } = ATA_STATUS;
const IDLE = DRDY | DSC;

function machine(disk: DiskBacking | null = new MemoryDisk(65536)) {
  const clock = new VirtualClock();
  const bus = new IoPortBus();
  const pic = new DualPic();
  pic.attach(bus);
  // Linux's init_8259A(), everything unmasked.
  for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01], [0xa0, 0x11], [0xa1, 0x28], [0xa1, 0x02], [0xa1, 0x01], [0x21, 0], [0xa1, 0]] as const) bus.write(port, v, 1);
  const line = irqLine(pic, 14);
  const guestErrors: string[] = [];
  const hostErrors: string[] = [];
  const ide = new IdeController(clock, line, disk ?? undefined, { onGuestError: (m) => guestErrors.push(m), onHostError: (m) => hostErrors.push(m) });
  ide.attach(bus);
  const inb = (port: number) => bus.read(port, 1);
  const outb = (port: number, v: number) => bus.write(port, v, 1);
  return {
    clock, bus, pic, ide, line, disk, guestErrors, hostErrors, inb, outb,
    inw: () => bus.read(0x1f0, 2),
    outw: (v: number) => bus.write(0x1f0, v, 2),
    /** Alternate status: does not acknowledge the interrupt. */
    alt: () => inb(0x3f6),
    status: () => inb(0x1f7),
    irq14: () => (pic.slave.irr & 0x40) !== 0,
    us: (n: number) => clock.advanceBy(n * 1000),
    /** Selects the master in LBA mode and loads the address and count. */
    lba: (lba: number, count: number) => {
      outb(0x1f6, 0xe0 | ((lba >>> 24) & 0x0f));
      outb(0x1f2, count & 0xff);
      outb(0x1f3, lba & 0xff);
      outb(0x1f4, (lba >>> 8) & 0xff);
      outb(0x1f5, (lba >>> 16) & 0xff);
    },
    readWords: (n: number) => Array.from({ length: n }, () => bus.read(0x1f0, 2)),
  };
}

type M = ReturnType<typeof machine>;

/** Waits (on the virtual clock) until BSY clears. */
function waitNotBusy(m: M): number {
  for (let i = 0; i < 100_000 && m.alt() & BSY; i++) m.us(1);
  return m.alt();
}

function sectorPattern(seed: number, sectors = 1): Uint8Array {
  const b = new Uint8Array(512 * sectors);
  for (let i = 0; i < b.length; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

function writeBlockWords(m: M, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 2) m.outw(bytes[i]! | (bytes[i + 1]! << 8));
}

function readBlockBytes(m: M, sectors: number): Uint8Array {
  const out = new Uint8Array(512 * sectors);
  for (let i = 0; i < out.length; i += 2) { const w = m.inw(); out[i] = w & 0xff; out[i + 1] = w >> 8; }
  return out;
}

function ataString(words: number[], first: number, count: number): string {
  let s = '';
  for (let i = first; i < first + count; i++) s += String.fromCharCode(words[i]! >> 8, words[i]! & 0xff);
  return s.trimEnd();
}

describe('IDE drive (primary channel, master)', () => {
  it('claims 0x1f0-0x1f7 and 0x3f6 as ide0 and powers on ready with the ATA signature', () => {
    const m = machine();
    expect(m.bus.claims().filter((c) => c.owner === 'ide0')).toEqual([
      { base: 0x1f0, length: 1, owner: 'ide0' }, { base: 0x1f1, length: 7, owner: 'ide0' }, { base: 0x3f6, length: 1, owner: 'ide0' },
    ]);
    expect(m.status()).toBe(IDLE);
    expect([m.inb(0x1f1), m.inb(0x1f2), m.inb(0x1f3), m.inb(0x1f4), m.inb(0x1f5)]).toEqual([0x01, 1, 1, 0, 0]);
    expect(m.inb(0x1f6)).toBe(0xa0);
  });

  it('IDENTIFY DEVICE: BSY, then DRQ and IRQ 14; the model, capacity and cache words; Status read acknowledges', () => {
    const m = machine();
    m.outb(0x1f6, 0xa0);
    m.outb(0x1f7, ATA_CMD.IDENTIFY);
    expect(m.alt()).toBe(BSY);
    expect(m.line.level).toBe(false);
    m.us(IDE_COMMAND_NS / 1000 - 1);
    expect(m.alt() & BSY).toBe(BSY);
    m.us(1);
    expect(m.alt()).toBe(DRDY | DSC | DRQ);
    expect(m.line.level).toBe(true);
    expect(m.irq14()).toBe(true);
    // Alternate status leaves the interrupt pending; Status acknowledges it.
    m.alt();
    expect(m.line.level).toBe(true);
    expect(m.status()).toBe(DRDY | DSC | DRQ);
    expect(m.line.level).toBe(false);
    const w = m.readWords(256);
    expect(m.status()).toBe(IDLE);
    expect(ataString(w, 27, 20)).toBe('DRIVERLAB HARDDISK');
    expect(w[0]).toBe(0x0040);
    expect([w[1], w[3], w[6]]).toEqual([65, 16, 63]);
    expect(w[60]! | (w[61]! << 16)).toBe(65536);
    expect(w[21]).toBe(512); // 256 KiB of cache
    expect(w[47]! & 0xff).toBe(16);
    expect(w[49]! & 0x0200).toBe(0x0200); // LBA
    expect(w[83]! & 0xd000).toBe(0x5000); // FLUSH CACHE supported
    expect(m.guestErrors).toEqual([]);
  });

  it('WRITE SECTORS: DRQ at once, an interrupt after each sector, the data on the medium; READ SECTORS gives it back', () => {
    const m = machine();
    const data = sectorPattern(7, 2);
    m.lba(1000, 2);
    m.outb(0x1f7, ATA_CMD.WRITE_SECTORS);
    expect(m.alt()).toBe(DRDY | DSC | DRQ);
    expect(m.line.level).toBe(false); // PIO data-out: no interrupt before the first block
    writeBlockWords(m, data.subarray(0, 512));
    expect(m.alt()).toBe(BSY);
    m.us(IDE_SECTOR_NS / 1000);
    expect(m.alt()).toBe(DRDY | DSC | DRQ);
    expect(m.status() & DRQ).toBe(DRQ);
    writeBlockWords(m, data.subarray(512));
    m.us(IDE_SECTOR_NS / 1000);
    expect(m.line.level).toBe(true);
    expect(m.status()).toBe(IDLE);
    expect(m.disk!.readSectors(1000, 2)).toEqual(data);

    m.lba(1000, 2);
    m.outb(0x1f7, ATA_CMD.READ_SECTORS);
    expect(m.alt()).toBe(BSY);
    m.us((IDE_COMMAND_NS + IDE_SECTOR_NS) / 1000);
    expect(m.status()).toBe(DRDY | DSC | DRQ);
    const first = readBlockBytes(m, 1);
    expect(m.alt()).toBe(BSY);
    m.us(IDE_SECTOR_NS / 1000);
    expect(m.line.level).toBe(true);
    expect(m.status()).toBe(DRDY | DSC | DRQ);
    const second = readBlockBytes(m, 1);
    expect(m.status()).toBe(IDLE);
    expect([...first, ...second]).toEqual([...data]);
    // The task file holds the last sector transferred.
    expect([m.inb(0x1f3), m.inb(0x1f4), m.inb(0x1f2)]).toEqual([1001 & 0xff, 1001 >> 8, 0]);
  });

  it('READ/WRITE MULTIPLE are aborted until SET MULTIPLE MODE, then move a block of sectors per interrupt', () => {
    const m = machine();
    m.lba(0, 8);
    m.outb(0x1f7, ATA_CMD.READ_MULTIPLE);
    waitNotBusy(m);
    expect(m.status()).toBe(DRDY | DSC | ERR);
    expect(m.inb(0x1f1)).toBe(ATA_ERROR.ABRT);

    m.outb(0x1f2, 3); // not a power of two
    m.outb(0x1f7, ATA_CMD.SET_MULTIPLE);
    waitNotBusy(m);
    expect(m.status() & ERR).toBe(ERR);
    m.outb(0x1f2, 4);
    m.outb(0x1f7, ATA_CMD.SET_MULTIPLE);
    waitNotBusy(m);
    expect(m.status()).toBe(IDLE);

    const data = sectorPattern(3, 8);
    m.lba(2048, 8);
    m.outb(0x1f7, ATA_CMD.WRITE_MULTIPLE);
    let interrupts = 0;
    for (let block = 0; block < 2; block++) {
      expect(m.alt() & DRQ).toBe(DRQ);
      writeBlockWords(m, data.subarray(block * 2048, (block + 1) * 2048));
      expect(m.alt()).toBe(BSY);
      m.us(4 * IDE_SECTOR_NS / 1000);
      if (m.line.level) interrupts++;
      m.status();
    }
    expect(interrupts).toBe(2);
    expect(m.alt()).toBe(IDLE);
    expect(m.disk!.readSectors(2048, 8)).toEqual(data);

    m.lba(2048, 8);
    m.outb(0x1f7, ATA_CMD.READ_MULTIPLE);
    m.us((IDE_COMMAND_NS + 4 * IDE_SECTOR_NS) / 1000);
    expect(m.status()).toBe(DRDY | DSC | DRQ);
    const a = readBlockBytes(m, 4);
    m.us(4 * IDE_SECTOR_NS / 1000);
    expect(m.status()).toBe(DRDY | DSC | DRQ);
    const b = readBlockBytes(m, 4);
    expect(m.status()).toBe(IDLE);
    expect(new Uint8Array([...a, ...b])).toEqual(data);
  });

  it('a sector beyond the disk ends the command with ERR and IDNF, and an interrupt', () => {
    const m = machine(new MemoryDisk(100));
    m.lba(99, 2);
    m.outb(0x1f7, ATA_CMD.READ_SECTORS);
    m.us(IDE_COMMAND_NS / 1000);
    expect(m.line.level).toBe(true);
    expect(m.status()).toBe(DRDY | DSC | ERR);
    expect(m.inb(0x1f1)).toBe(ATA_ERROR.IDNF);
    m.lba(100, 1);
    m.outb(0x1f7, ATA_CMD.WRITE_SECTORS);
    expect(m.alt()).toBe(BSY);
    m.us(IDE_COMMAND_NS / 1000);
    expect(m.status() & ERR).toBe(ERR);
    expect(m.inb(0x1f1)).toBe(ATA_ERROR.IDNF);
  });

  it('CHS addressing uses the drive\'s translation (16 heads, 63 sectors a track)', () => {
    const m = machine();
    const data = sectorPattern(9);
    m.disk!.writeSectors((2 * 16 + 3) * 63 + 4, data);
    m.outb(0x1f6, 0xa0 | 3); // CHS, head 3
    m.outb(0x1f2, 1);
    m.outb(0x1f3, 5); // sector 5 (1-based)
    m.outb(0x1f4, 2);
    m.outb(0x1f5, 0);
    m.outb(0x1f7, ATA_CMD.READ_SECTORS);
    waitNotBusy(m);
    expect(m.status() & DRQ).toBe(DRQ);
    expect(readBlockBytes(m, 1)).toEqual(data);
  });

  it('nIEN keeps IRQ 14 low; clearing it with an interrupt pending raises the line', () => {
    const m = machine();
    m.outb(0x3f6, 0x02);
    m.lba(0, 1);
    m.outb(0x1f7, ATA_CMD.READ_SECTORS);
    waitNotBusy(m);
    expect(m.alt() & DRQ).toBe(DRQ);
    expect(m.line.level).toBe(false);
    expect(m.irq14()).toBe(false);
    m.outb(0x3f6, 0x00);
    expect(m.line.level).toBe(true);
  });

  it('a software reset: BSY while SRST is set and until the drive is ready, the signature, no interrupt; a transfer is cut off', () => {
    const m = machine();
    m.lba(0, 4);
    m.outb(0x1f7, ATA_CMD.WRITE_SECTORS);
    expect(m.alt() & DRQ).toBe(DRQ);
    m.outb(0x3f6, 0x04);
    expect(m.alt()).toBe(BSY);
    m.us(10);
    m.outb(0x3f6, 0x00);
    m.us(IDE_RESET_NS / 1000 - 1);
    expect(m.alt()).toBe(BSY);
    m.us(1);
    expect(m.alt()).toBe(IDLE);
    expect(m.line.level).toBe(false);
    expect([m.inb(0x1f1), m.inb(0x1f2), m.inb(0x1f3), m.inb(0x1f4), m.inb(0x1f5), m.inb(0x1f6)]).toEqual([1, 1, 1, 0, 0, 0xa0]);
    m.outw(0x1234);
    expect(m.guestErrors.at(-1)).toMatch(/DRQ clear/);
  });

  it('FLUSH CACHE flushes the medium; with the write cache off every block is flushed as written', () => {
    const disk = new MemoryDisk(4096);
    const m = machine(disk);
    m.outb(0x1f6, 0xe0);
    m.outb(0x1f7, ATA_CMD.FLUSH_CACHE);
    expect(m.alt()).toBe(BSY);
    m.us(IDE_FLUSH_NS / 1000);
    expect(disk.flushes).toBe(1);
    expect(m.line.level).toBe(true);
    expect(m.status()).toBe(IDLE);

    m.outb(0x1f1, 0x82);
    m.outb(0x1f7, ATA_CMD.SET_FEATURES);
    waitNotBusy(m);
    expect(m.status()).toBe(IDLE);
    const flushesBefore = disk.flushes;
    m.lba(10, 1);
    m.outb(0x1f7, ATA_CMD.WRITE_SECTORS);
    writeBlockWords(m, sectorPattern(1));
    waitNotBusy(m);
    expect(disk.flushes).toBe(flushesBefore + 1);
    m.outb(0x1f1, 0x42); // no such feature
    m.outb(0x1f7, ATA_CMD.SET_FEATURES);
    waitNotBusy(m);
    expect(m.status()).toBe(DRDY | DSC | ERR);
    expect(m.inb(0x1f1)).toBe(ATA_ERROR.ABRT);
  });

  it('a failing backing becomes a media error: UNC on read, DF and ABRT on write, reported to the host', () => {
    const broken: DiskBacking = {
      sectorCount: 1000,
      readSectors: () => { throw new Error('EIO: i/o error, read'); },
      writeSectors: () => { throw new Error('ENOSPC: no space left on device, write'); },
      flush: () => undefined,
    };
    const m = machine(broken);
    m.lba(5, 1);
    m.outb(0x1f7, ATA_CMD.READ_SECTORS);
    waitNotBusy(m);
    expect(m.status()).toBe(DRDY | ERR);
    expect(m.inb(0x1f1)).toBe(ATA_ERROR.UNC);
    m.lba(5, 1);
    m.outb(0x1f7, ATA_CMD.WRITE_SECTORS);
    writeBlockWords(m, sectorPattern(2));
    waitNotBusy(m);
    expect(m.status()).toBe(DRDY | DF | ERR);
    expect(m.inb(0x1f1)).toBe(ATA_ERROR.ABRT);
    expect(m.hostErrors).toEqual([
      'ide0: the disk image failed reading sectors 5-5: EIO: i/o error, read',
      'ide0: the disk image failed writing sectors 5-5: ENOSPC: no space left on device, write',
    ]);
  });

  it('the absent slave reads status 0 and ignores commands; a channel without drives floats 0xff', () => {
    const m = machine();
    m.outb(0x1f6, 0xb0);
    expect(m.status()).toBe(0);
    m.outb(0x1f7, ATA_CMD.IDENTIFY);
    m.us(1000);
    expect(m.status()).toBe(0);
    expect(m.line.level).toBe(false);
    const empty = machine(null);
    expect([empty.status(), empty.alt(), empty.inb(0x1f2)]).toEqual([0xff, 0xff, 0xff]);
  });

  it('32-bit data transfers (insl) move two words at a time', () => {
    const m = machine();
    const data = sectorPattern(5);
    m.disk!.writeSectors(7, data);
    m.lba(7, 1);
    m.outb(0x1f7, ATA_CMD.READ_SECTORS);
    waitNotBusy(m);
    const out = new Uint8Array(512);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 128; i++) view.setUint32(i * 4, m.bus.read(0x1f0, 4), true);
    expect(out).toEqual(data);
    expect(m.status()).toBe(IDLE);
  });

  it('a command while busy is ignored and logged', () => {
    const m = machine();
    m.outb(0x1f6, 0xe0);
    m.outb(0x1f7, ATA_CMD.IDENTIFY);
    m.outb(0x1f7, ATA_CMD.FLUSH_CACHE);
    expect(m.guestErrors).toEqual(['ide0: command 0xe7 written while the drive is busy (BSY); ignored']);
  });

  it('saveState/loadState mid-transfer: the restored drive finishes the command on time', () => {
    const m = machine();
    const data = sectorPattern(11, 2);
    m.disk!.writeSectors(300, data);
    m.lba(300, 2);
    m.outb(0x1f7, ATA_CMD.READ_SECTORS);
    m.us(IDE_COMMAND_NS / 1000 + IDE_SECTOR_NS / 1000);
    m.status();
    const half = readBlockBytes(m, 1).slice(0, 256);
    void half;
    // Snapshot in the middle of the second sector's BSY.
    const snap = JSON.parse(JSON.stringify(m.ide.saveState()));
    const clockNow = m.clock.now;
    const n = machine(m.disk);
    n.clock.advanceTo(clockNow);
    n.ide.loadState(snap);
    expect(n.alt()).toBe(BSY);
    n.us(IDE_SECTOR_NS / 1000);
    expect(n.line.level).toBe(true);
    expect(n.status()).toBe(DRDY | DSC | DRQ);
    expect(readBlockBytes(n, 1)).toEqual(data.subarray(512));
    expect(n.status()).toBe(IDLE);
    expect(() => n.ide.loadState({ ...snap, version: 2 })).toThrow(/cannot load ide v2 state/);
  });
});
