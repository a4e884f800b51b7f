// qtest-style: the controller is driven through ports 0x60/0x64 on an IoPortBus, IRQ 1 observed on a DualPic.
import { describe, expect, it } from 'vitest';
import { DualPic } from '../intc/i8259.js';
import { IoPortBus } from '../ioport-bus.js';
import { irqLine } from '../irq.js';
import { I8042, I8042_STATUS_OBF, scancodesFor, sysrqScancodes } from './i8042.js';

function machine() {
  const bus = new IoPortBus();
  const pic = new DualPic();
  pic.attach(bus);
  const errors: string[] = [];
  const line = irqLine(pic, 1);
  const kbd = new I8042(line, { onGuestError: (m) => errors.push(m) });
  kbd.attach(bus);
  return {
    bus, pic, kbd, line, errors,
    inb: (port: number) => bus.read(port, 1),
    outb: (port: number, v: number) => bus.write(port, v, 1),
    irq1: () => (pic.master.irr & 0x02) !== 0,
    /** Reads every byte waiting, as a keyboard interrupt handler loops on OBF. */
    drain: (): number[] => {
      const bytes: number[] = [];
      while ((bus.read(0x64, 1) & I8042_STATUS_OBF) !== 0) bytes.push(bus.read(0x60, 1));
      return bytes;
    },
  };
}

describe('I8042 keyboard controller', () => {
  it('claims 0x60 and 0x64 as "keyboard"', () => {
    const { bus } = machine();
    expect(bus.claims()).toContainEqual({ base: 0x60, length: 1, owner: 'keyboard' });
    expect(bus.claims()).toContainEqual({ base: 0x64, length: 1, owner: 'keyboard' });
  });

  it('raises IRQ 1 with OBF when a key arrives; reading 0x60 clears OBF and lowers the line', () => {
    const m = machine();
    expect(m.inb(0x64) & I8042_STATUS_OBF).toBe(0);
    expect(m.line.level).toBe(false);
    m.kbd.pressKeys([0x1e, 0x9e]);
    expect(m.inb(0x64) & I8042_STATUS_OBF).toBe(1);
    expect(m.line.level).toBe(true);
    expect(m.irq1()).toBe(true);
    expect(m.pic.acknowledge()).toBe(0x01); // vector base 0 before init; IRQ 1
    expect(m.inb(0x60)).toBe(0x1e);
    // The next byte is loaded at once: a new edge, a new request.
    expect(m.line.level).toBe(true);
    expect(m.irq1()).toBe(true);
    expect(m.inb(0x60)).toBe(0x9e);
    expect(m.line.level).toBe(false);
    expect(m.irq1()).toBe(false);
    expect(m.inb(0x64) & I8042_STATUS_OBF).toBe(0);
    expect(m.inb(0x60)).toBe(0x9e); // re-reading an empty buffer gives the last byte, no IRQ
    expect(m.line.level).toBe(false);
  });

  it('self test answers 0x55; command byte reads and writes through 0x20/0x60', () => {
    const m = machine();
    m.outb(0x64, 0xaa);
    expect(m.drain()).toEqual([0x55]);
    m.outb(0x64, 0x20);
    expect(m.drain()).toEqual([0x45]);
    m.outb(0x64, 0x60);
    m.outb(0x60, 0x44); // interrupts off
    m.outb(0x64, 0x20);
    expect(m.line.level).toBe(false);
    expect(m.inb(0x64) & I8042_STATUS_OBF).toBe(1);
    expect(m.drain()).toEqual([0x44]);
    expect(m.inb(0x64) & 0x08).toBe(0x08); // last write was a command
  });

  it('0xAD holds keys back, 0xAE lets them through', () => {
    const m = machine();
    m.outb(0x64, 0xad);
    m.kbd.typeText('a');
    expect(m.inb(0x64) & I8042_STATUS_OBF).toBe(0);
    expect(m.line.level).toBe(false);
    m.outb(0x64, 0xae);
    expect(m.line.level).toBe(true);
    expect(m.drain()).toEqual([0x1e, 0x9e]);
  });

  it('answers keyboard commands the way pc_keyb.c expects (reset, LEDs, enable)', () => {
    const m = machine();
    m.outb(0x60, 0xff);
    expect(m.drain()).toEqual([0xfa, 0xaa]);
    m.outb(0x60, 0xed);
    expect(m.drain()).toEqual([0xfa]);
    m.outb(0x60, 0x07);
    expect(m.drain()).toEqual([0xfa]);
    m.outb(0x60, 0xf4);
    expect(m.drain()).toEqual([0xfa]);
    m.outb(0x60, 0xee);
    expect(m.drain()).toEqual([0xee]);
  });

  it('logs unknown controller commands as guest errors', () => {
    const m = machine();
    m.outb(0x64, 0xd4);
    expect(m.errors).toEqual(['i8042: controller command 0xd4 is not implemented; ignored']);
  });

  it('snapshot round trip keeps queued keys and the line', () => {
    const m = machine();
    m.kbd.typeText('hi');
    const snap = m.kbd.saveState();
    m.kbd.reset();
    expect(m.line.level).toBe(false);
    m.kbd.loadState(snap);
    expect(m.line.level).toBe(true);
    expect(m.drain()).toEqual(scancodesFor('hi'));
  });
});

describe('scancode set 1', () => {
  it('types letters, digits, space, enter and backspace as make/break pairs', () => {
    expect(scancodesFor('a')).toEqual([0x1e, 0x9e]);
    expect(scancodesFor('q1 \n\b')).toEqual([0x10, 0x90, 0x02, 0x82, 0x39, 0xb9, 0x1c, 0x9c, 0x0e, 0x8e]);
    expect(scancodesFor('0')).toEqual([0x0b, 0x8b]);
    expect(scancodesFor('zm')).toEqual([0x2c, 0xac, 0x32, 0xb2]);
  });

  it('holds shift for capitals and shifted punctuation', () => {
    expect(scancodesFor('A')).toEqual([0x2a, 0x1e, 0x9e, 0xaa]);
    expect(scancodesFor('!')).toEqual([0x2a, 0x02, 0x82, 0xaa]);
    expect(scancodesFor('|')).toEqual([0x2a, 0x2b, 0xab, 0xaa]);
    expect(scancodesFor('?')).toEqual([0x2a, 0x35, 0xb5, 0xaa]);
    expect(scancodesFor('"')).toEqual([0x2a, 0x28, 0xa8, 0xaa]);
  });

  it('types common punctuation unshifted', () => {
    expect(scancodesFor("-=[];',./\\`")).toEqual([0x0c, 0x0d, 0x1a, 0x1b, 0x27, 0x28, 0x33, 0x34, 0x35, 0x2b, 0x29].flatMap((c) => [c, c | 0x80]));
  });

  it('control characters become Ctrl+letter', () => {
    expect(scancodesFor('\x03')).toEqual([0x1d, 0x2e, 0xae, 0x9d]);
  });

  it('refuses characters no key types', () => {
    expect(() => scancodesFor('é')).toThrow(RangeError);
  });

  it('sysrq: Alt make, SysRq 0x54, the key, then the releases', () => {
    expect(sysrqScancodes('b')).toEqual([0x38, 0x54, 0x30, 0xb0, 0xd4, 0xb8]);
    const m = machine();
    m.kbd.sysrq('s');
    expect(m.drain()).toEqual([0x38, 0x54, 0x1f, 0x9f, 0xd4, 0xb8]);
    expect(() => sysrqScancodes('bb')).toThrow(RangeError);
    // A capital holds Shift around its key (Alt+Shift+SysRq+R is SysRq-R, not r).
    expect(sysrqScancodes('R')).toEqual([0x38, 0x54, 0x2a, 0x13, 0x93, 0xaa, 0xd4, 0xb8]);
  });
});
