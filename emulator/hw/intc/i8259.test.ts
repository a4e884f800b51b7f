// qtest-style: the PICs are programmed through their ports on an IoPortBus, the way a kernel would.
import { describe, expect, it } from 'vitest';
import { IoPortBus } from '../ioport-bus.js';
import { irqLine } from '../irq.js';
import { DualPic, type DualPicSnapshot } from './i8259.js';

const OCW3_READ_IRR = 0x0a;
const OCW3_READ_ISR = 0x0b;
const EOI = 0x20;

function machine(): { bus: IoPortBus; pic: DualPic; errors: string[]; out: (port: number, v: number) => void; inb: (port: number) => number } {
  const errors: string[] = [];
  const bus = new IoPortBus();
  const pic = new DualPic({ onGuestError: (msg) => errors.push(msg) });
  pic.attach(bus);
  return { bus, pic, errors, out: (port, v) => bus.write(port, v, 1), inb: (port) => bus.read(port, 1) };
}

/** Linux's init_8259A(): vectors 0x20/0x28, slave on IR2, 8086 mode, then the masks. */
function linuxInit(out: (port: number, v: number) => void, masterMask = 0x00, slaveMask = 0x00): void {
  out(0x20, 0x11); out(0x21, 0x20); out(0x21, 0x04); out(0x21, 0x01);
  out(0xa0, 0x11); out(0xa1, 0x28); out(0xa1, 0x02); out(0xa1, 0x01);
  out(0x21, masterMask); out(0xa1, slaveMask);
}

function booted(masterMask = 0x00, slaveMask = 0x00): ReturnType<typeof machine> {
  const m = machine();
  linuxInit(m.out, masterMask, slaveMask);
  return m;
}

function readIrr(m: ReturnType<typeof machine>, cmd: number): number {
  m.out(cmd, OCW3_READ_IRR);
  return m.inb(cmd);
}

function readIsr(m: ReturnType<typeof machine>, cmd: number): number {
  m.out(cmd, OCW3_READ_ISR);
  return m.inb(cmd);
}

describe('DualPic (8259A pair)', () => {
  it('claims the PC ports under the /proc/ioports names', () => {
    const { bus } = machine();
    expect(bus.claims()).toEqual([
      { base: 0x20, length: 2, owner: 'pic1' },
      { base: 0xa0, length: 2, owner: 'pic2' },
    ]);
  });

  it('takes the Linux ICW1-ICW4 sequence and then masks through the data port', () => {
    const m = booted(0xfb, 0xff);
    expect(m.pic.master).toMatchObject({ vectorBase: 0x20, icw3: 0x04, icw4: 0x01, initStep: 0, imr: 0xfb });
    expect(m.pic.slave).toMatchObject({ vectorBase: 0x28, icw3: 0x02, icw4: 0x01, initStep: 0, imr: 0xff });
    expect(m.inb(0x21)).toBe(0xfb);
    expect(m.inb(0xa1)).toBe(0xff);
    expect(m.errors).toEqual([]);
  });

  it('shows a request in IRR, then in ISR after the INTA cycle, via OCW3 reads', () => {
    const m = booted();
    m.pic.setIrq(3, true);
    expect(readIrr(m, 0x20)).toBe(0x08);
    expect(readIsr(m, 0x20)).toBe(0x00);
    expect(m.pic.intr).toBe(true);
    expect(m.pic.acknowledge()).toBe(0x23);
    expect(readIrr(m, 0x20)).toBe(0x00);
    expect(readIsr(m, 0x20)).toBe(0x08);
    expect(m.pic.intr).toBe(false);
    m.out(0x20, EOI);
    expect(readIsr(m, 0x20)).toBe(0x00);
  });

  it('OCW3 register select sticks until changed (IRR after ICW1)', () => {
    const m = booted();
    m.pic.setIrq(4, true);
    m.pic.acknowledge();
    m.pic.setIrq(5, true);
    expect(m.inb(0x20)).toBe(0x20); // IRR is selected by initialisation
    m.out(0x20, OCW3_READ_ISR);
    expect(m.inb(0x20)).toBe(0x10);
    expect(m.inb(0x20)).toBe(0x10);
  });

  it('masks requests through IMR without losing them', () => {
    const m = booted(0x02);
    m.pic.setIrq(1, true);
    expect(readIrr(m, 0x20)).toBe(0x02);
    expect(m.pic.intr).toBe(false);
    m.out(0x21, 0x00);
    expect(m.pic.intr).toBe(true);
    expect(m.pic.acknowledge()).toBe(0x21);
  });

  it('resolves fixed priority: IRQ 1 before IRQ 3, and a higher IRQ nests over one in service', () => {
    const m = booted();
    m.pic.setIrq(3, true);
    m.pic.setIrq(1, true);
    expect(m.pic.acknowledge()).toBe(0x21);
    // IRQ 3 waits while the higher-priority IRQ 1 is in service.
    expect(m.pic.intr).toBe(false);
    m.out(0x20, EOI);
    expect(m.pic.acknowledge()).toBe(0x23);
    // Now IRQ 3 is in service; IRQ 0 outranks it and may nest, IRQ 4 may not.
    m.pic.setIrq(4, true);
    expect(m.pic.intr).toBe(false);
    m.pic.setIrq(0, true);
    expect(m.pic.intr).toBe(true);
    expect(m.pic.acknowledge()).toBe(0x20);
    expect(readIsr(m, 0x20)).toBe(0x09);
  });

  it('delivers IRQ 8-15 through the cascade at master priority 2', () => {
    const m = booted();
    m.pic.setIrq(4, true);
    m.pic.setIrq(10, true);
    expect(readIrr(m, 0x20)).toBe(0x14); // IR4 and the cascade IR2
    expect(readIrr(m, 0xa0)).toBe(0x04);
    expect(m.pic.acknowledge()).toBe(0x2a);
    expect(readIsr(m, 0x20)).toBe(0x04);
    expect(readIsr(m, 0xa0)).toBe(0x04);
    // IRQ 4 ranks below the cascade, so it waits; IRQ 1 ranks above it.
    expect(m.pic.intr).toBe(false);
    m.pic.setIrq(1, true);
    expect(m.pic.acknowledge()).toBe(0x21);
    m.out(0x20, EOI); // IRQ 1
    m.out(0xa0, EOI); // IRQ 10: slave first, then master, as Linux does
    m.out(0x20, EOI);
    expect(m.pic.acknowledge()).toBe(0x24);
  });

  it('ranks IRQ 8 above IRQ 3 and orders slave lines among themselves', () => {
    const m = booted();
    m.pic.setIrq(3, true);
    m.pic.setIrq(12, true);
    m.pic.setIrq(8, true);
    expect(m.pic.acknowledge()).toBe(0x28);
    m.out(0xa0, EOI);
    m.out(0x20, EOI);
    expect(m.pic.acknowledge()).toBe(0x2c);
    m.out(0xa0, EOI);
    m.out(0x20, EOI);
    expect(m.pic.acknowledge()).toBe(0x23);
  });

  it('a masked slave line or a masked cascade input keeps IRQ 8-15 from the CPU', () => {
    const m = booted(0x04, 0x00);
    m.pic.setIrq(9, true);
    expect(m.pic.intr).toBe(false);
    m.out(0x21, 0x00);
    expect(m.pic.intr).toBe(true);
    m.out(0xa1, 0x02);
    m.pic.setIrq(9, false);
    m.pic.setIrq(9, true);
    expect(readIrr(m, 0xa0)).toBe(0x02);
    expect(m.pic.slave.imr).toBe(0x02);
  });

  it('non-specific EOI ends the highest-priority in-service interrupt; specific EOI names one', () => {
    const m = booted();
    m.pic.setIrq(5, true);
    m.pic.acknowledge();
    m.pic.setIrq(3, true);
    m.pic.acknowledge();
    expect(readIsr(m, 0x20)).toBe(0x28);
    m.out(0x20, EOI);
    expect(readIsr(m, 0x20)).toBe(0x20);
    m.pic.setIrq(3, false);
    m.pic.setIrq(3, true);
    m.pic.acknowledge();
    expect(readIsr(m, 0x20)).toBe(0x28);
    m.out(0x20, 0x60 | 5); // specific EOI for IRQ 5, leaving IRQ 3 in service
    expect(readIsr(m, 0x20)).toBe(0x08);
    expect(m.errors).toEqual([]);
  });

  it('logs EOIs that end nothing, as guest errors rather than exceptions', () => {
    const m = booted();
    m.out(0x20, EOI);
    m.out(0xa0, 0x60 | 3);
    expect(m.errors).toEqual([
      'master 8259A PIC: EOI with no interrupt in service',
      'slave 8259A PIC: specific EOI for IRQ 11, which is not in service',
    ]);
  });

  it('is edge-triggered: holding the line high does not retrigger, lower-then-raise does', () => {
    const m = booted();
    const line = irqLine(m.pic, 5);
    line.raise();
    expect(m.pic.acknowledge()).toBe(0x25);
    m.out(0x20, EOI);
    expect(m.pic.intr).toBe(false);
    line.raise(); // still high: no edge
    expect(m.pic.intr).toBe(false);
    expect(readIrr(m, 0x20)).toBe(0x00);
    line.lower();
    line.raise();
    expect(m.pic.intr).toBe(true);
    expect(m.pic.acknowledge()).toBe(0x25);
  });

  it('answers spurious IRQ 7 when the request is withdrawn before INTA, without setting ISR', () => {
    const m = booted();
    m.pic.setIrq(3, true);
    expect(m.pic.intr).toBe(true);
    m.pic.setIrq(3, false);
    expect(m.pic.acknowledge()).toBe(0x27);
    expect(readIsr(m, 0x20)).toBe(0x00);
    // A real IRQ 7 has the same vector but sets ISR bit 7: that is how a handler tells them apart.
    m.pic.setIrq(7, true);
    expect(m.pic.acknowledge()).toBe(0x27);
    expect(readIsr(m, 0x20)).toBe(0x80);
  });

  it('answers spurious IRQ 7 when the request is masked between INTR and INTA', () => {
    const m = booted();
    m.pic.setIrq(6, true);
    m.out(0x21, 0x40);
    expect(m.pic.acknowledge()).toBe(0x27);
    expect(readIsr(m, 0x20)).toBe(0x00);
  });

  it('answers spurious IRQ 15 for a withdrawn slave request, with master ISR bit 2 set', () => {
    const m = booted();
    m.pic.setIrq(10, true);
    m.pic.setIrq(10, false);
    // The master latched the cascade request and cannot know it is gone.
    expect(m.pic.intr).toBe(true);
    expect(m.pic.acknowledge()).toBe(0x2f);
    expect(readIsr(m, 0xa0)).toBe(0x00);
    expect(readIsr(m, 0x20)).toBe(0x04);
    // So the handler EOIs the master only, and everything is quiet again.
    m.out(0x20, EOI);
    expect(readIsr(m, 0x20)).toBe(0x00);
    expect(m.pic.intr).toBe(false);
    expect(m.errors).toEqual([]);
  });

  it('routes the ISA IRQ 2 pin to IRQ 9, as the AT does', () => {
    const m = booted();
    m.pic.setIrq(2, true);
    expect(m.pic.acknowledge()).toBe(0x29);
  });

  it('rejects IRQ numbers that do not exist (a wiring bug in the host)', () => {
    const m = booted();
    expect(() => m.pic.setIrq(16, true)).toThrow(RangeError);
  });

  it('auto-EOI mode acknowledges without setting ISR', () => {
    const m = machine();
    m.out(0x20, 0x11); m.out(0x21, 0x20); m.out(0x21, 0x04); m.out(0x21, 0x03);
    m.pic.setIrq(1, true);
    expect(m.pic.acknowledge()).toBe(0x21);
    expect(readIsr(m, 0x20)).toBe(0x00);
  });

  it('poll command: the read acknowledges and reports the line', () => {
    const m = booted();
    m.pic.setIrq(6, true);
    m.out(0x20, 0x0c);
    expect(m.inb(0x20)).toBe(0x86);
    expect(readIsr(m, 0x20)).toBe(0x40);
    m.out(0x20, 0x0c);
    expect(m.inb(0x20)).toBe(0x00);
  });

  it('specific rotation changes which line ranks highest', () => {
    const m = booted();
    m.out(0x20, 0xc0 | 4); // IR4 lowest, so IR5 highest
    m.pic.setIrq(1, true);
    m.pic.setIrq(6, true);
    expect(m.pic.acknowledge()).toBe(0x26);
  });

  it('level-triggered mode (ICW1 LTIM) re-requests while the line stays high', () => {
    const m = machine();
    m.out(0x20, 0x19); m.out(0x21, 0x20); m.out(0x21, 0x04); m.out(0x21, 0x01);
    m.pic.setIrq(5, true);
    expect(m.pic.acknowledge()).toBe(0x25);
    m.out(0x20, EOI);
    expect(m.pic.intr).toBe(true);
  });

  it('ICW1 restarts the chip: a line already high needs a fresh edge', () => {
    const m = booted();
    m.pic.setIrq(4, true);
    linuxInit(m.out);
    expect(m.pic.intr).toBe(false);
    expect(readIrr(m, 0x20)).toBe(0x00);
    m.pic.setIrq(4, false);
    m.pic.setIrq(4, true);
    expect(m.pic.intr).toBe(true);
  });

  it('logs initialisation words a PC cannot use', () => {
    const m = machine();
    m.out(0x20, 0x13); m.out(0x21, 0x20); m.out(0x21, 0x01);
    m.out(0xa0, 0x11); m.out(0xa1, 0x28); m.out(0xa1, 0x03); m.out(0xa1, 0x00);
    expect(m.errors).toEqual([
      'master 8259A PIC: ICW1 0x13 selects single mode, but the PC has a cascaded pair',
      'slave 8259A PIC: ICW3 0x03 gives cascade id 3, but the slave is wired to master IR2',
      'slave 8259A PIC: ICW4 0x00 selects 8080/85 mode; a PC needs 8086 mode (bit 0)',
    ]);
  });

  it('16-bit accesses reach both ports of a chip byte by byte', () => {
    const m = booted();
    m.bus.write(0x20, 0xfd0a, 2); // OCW3 "read IRR" to 0x20, mask 0xfd to 0x21
    expect(m.pic.master.imr).toBe(0xfd);
    m.pic.setIrq(1, true);
    expect(m.bus.read(0x20, 2)).toBe(0xfd02);
  });

  it('tells observers when registers and INTR change', () => {
    const m = booted();
    let changes = 0;
    const intr: boolean[] = [];
    m.pic.onChange = () => changes++;
    m.pic.onIntr = (level) => intr.push(level);
    m.pic.setIrq(3, true);
    m.pic.acknowledge();
    m.out(0x20, EOI);
    m.out(0x20, OCW3_READ_ISR); // selects a register, changes none
    expect(changes).toBe(3);
    expect(intr).toEqual([true, false]);
  });

  it('reset returns to the power-on state but keeps what the wires carry', () => {
    const m = booted(0xff, 0xff);
    m.pic.setIrq(3, true);
    m.pic.reset();
    expect(m.pic.master).toMatchObject({ irr: 0, isr: 0, imr: 0, vectorBase: 0, lines: 0x08 });
    expect(m.pic.slave.imr).toBe(0);
  });

  it('saves and restores through JSON, then behaves identically', () => {
    const a = booted(0x10, 0x00);
    a.pic.setIrq(4, true); // masked: pending in IRR
    a.pic.setIrq(3, true);
    a.pic.acknowledge(); // IRQ 3 in service
    a.pic.setIrq(11, true);
    a.out(0x20, OCW3_READ_ISR);
    const snapshot = JSON.parse(JSON.stringify(a.pic.saveState())) as DualPicSnapshot;
    expect(snapshot).toMatchObject({ name: 'i8259', version: 1, master: { isr: 0x08, imr: 0x10, readIsr: true } });

    const b = machine();
    b.pic.loadState(snapshot);
    expect(b.pic.saveState()).toEqual(a.pic.saveState());
    expect(b.inb(0x20)).toBe(0x08);
    for (const m of [a, b]) {
      expect(m.pic.acknowledge()).toBe(0x2b);
      m.out(0xa0, EOI); m.out(0x20, EOI); m.out(0x20, EOI);
      m.out(0x21, 0x00);
      expect(m.pic.acknowledge()).toBe(0x24);
    }
    expect(() => b.pic.loadState({ ...snapshot, version: 2 } as unknown as DualPicSnapshot)).toThrow('i8259');
  });
});
