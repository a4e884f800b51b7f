import { describe, expect, it } from 'vitest';
import { IoPortBus, PortConflictError, type PortAccess, type PortDevice, type PortSize } from './ioport-bus.js';

/** A device that records accesses and answers reads from a per-port table. */
function recorder(values: Record<number, number> = {}, ioWidth?: PortSize): PortDevice & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    ioWidth,
    read(port, size) {
      log.push(`in${size * 8} 0x${port.toString(16)}`);
      return values[port] ?? 0;
    },
    write(port, value, size) {
      log.push(`out${size * 8} 0x${port.toString(16)}=0x${value.toString(16)}`);
    },
  };
}

describe('IoPortBus', () => {
  it('unclaimed ports read all ones and swallow writes', () => {
    const bus = new IoPortBus();
    expect(bus.read(0x200, 1)).toBe(0xff);
    expect(bus.read(0x200, 2)).toBe(0xffff);
    expect(bus.read(0x200, 4)).toBe(0xffffffff);
    expect(() => bus.write(0x200, 0x12, 1)).not.toThrow();
    expect(bus.owner(0x200)).toBeUndefined();
  });

  it('routes accesses to the claiming device with the absolute port', () => {
    const bus = new IoPortBus();
    const dev = recorder({ 0x201: 0xa5 });
    bus.claim(0x200, 16, dev, 'my_device0');
    expect(bus.read(0x201, 1)).toBe(0xa5);
    bus.write(0x203, 0x01, 1);
    expect(dev.log).toEqual(['in8 0x201', 'out8 0x203=0x1']);
    expect(bus.owner(0x20f)).toBe('my_device0');
    expect(bus.owner(0x210)).toBeUndefined();
  });

  it('masks values to the access size', () => {
    const bus = new IoPortBus();
    const dev = recorder({ 0x300: 0x1234 });
    bus.claim(0x300, 1, dev, 'x');
    expect(bus.read(0x300, 1)).toBe(0x34);
    bus.write(0x300, 0x1ff, 1);
    expect(dev.log[1]).toBe('out8 0x300=0xff');
  });

  it('refuses overlapping claims, naming both owners and ranges', () => {
    const bus = new IoPortBus();
    bus.claim(0x200, 4, recorder(), 'serial');
    let error: unknown;
    try {
      bus.claim(0x200, 16, recorder(), 'my_device0');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PortConflictError);
    expect((error as Error).message).toBe('I/O ports 0x0200-0x020f of my_device0 overlap 0x0200-0x0203 claimed by serial');
    expect((error as PortConflictError).conflictsWith).toEqual({ base: 0x200, length: 4, owner: 'serial' });
    // A partial overlap at the far end is caught too, and the failed claim left nothing behind.
    expect(() => bus.claim(0x1f8, 9, recorder(), 'other')).toThrow('overlap 0x0200-0x0203 claimed by serial');
    expect(bus.owner(0x1f8)).toBeUndefined();
  });

  it('refuses claims outside the 64 KiB port space', () => {
    const bus = new IoPortBus();
    expect(() => bus.claim(0xfff8, 16, recorder(), 'big')).toThrow(PortConflictError);
    expect(() => bus.claim(0xfff8, 16, recorder(), 'big')).toThrow('I/O ports 0xfff8-0x10007 of big lie outside the port space 0x0000-0xffff');
    expect(() => bus.claim(-1, 2, recorder(), 'neg')).toThrow(PortConflictError);
    expect(() => bus.claim(0x10, 0, recorder(), 'empty')).toThrow(PortConflictError);
    bus.claim(0xfff0, 16, recorder(), 'top');
    expect(bus.owner(0xffff)).toBe('top');
  });

  it('lists claims sorted and releases them', () => {
    const bus = new IoPortBus();
    bus.claim(0x300, 16, recorder(), 'my_device1');
    bus.claim(0x20, 2, recorder(), 'pic1');
    bus.claim(0x200, 16, recorder(), 'my_device0');
    expect(bus.claims()).toEqual([
      { base: 0x20, length: 2, owner: 'pic1' },
      { base: 0x200, length: 16, owner: 'my_device0' },
      { base: 0x300, length: 16, owner: 'my_device1' },
    ]);
    bus.release(0x200, 16);
    expect(bus.owner(0x205)).toBeUndefined();
    expect(bus.read(0x205, 1)).toBe(0xff);
    expect(() => bus.release(0x200, 16)).toThrow('no I/O port claim 0x0200-0x020f');
    expect(() => bus.release(0x300, 4)).toThrow();
    bus.claim(0x200, 4, recorder(), 'serial');
    expect(bus.claims().map((c) => c.owner)).toEqual(['pic1', 'serial', 'my_device1']);
  });

  it('passes 16- and 32-bit accesses through to devices that take them', () => {
    const bus = new IoPortBus();
    const dev = recorder({ 0x1f0: 0xbeef });
    bus.claim(0x1f0, 8, dev, 'ide0');
    expect(bus.read(0x1f0, 2)).toBe(0xbeef);
    bus.write(0x1f0, 0x12345678, 4);
    expect(dev.log).toEqual(['in16 0x1f0', 'out32 0x1f0=0x12345678']);
  });

  it('splits wide accesses to an 8-bit device into little-endian bytes on consecutive ports', () => {
    const bus = new IoPortBus();
    const dev = recorder({ 0x40: 0x34, 0x41: 0x12, 0x42: 0x78, 0x43: 0x56 }, 1);
    bus.claim(0x40, 4, dev, 'timer0');
    expect(bus.read(0x40, 2)).toBe(0x1234);
    expect(bus.read(0x40, 4)).toBe(0x56781234);
    bus.write(0x42, 0xabcd, 2);
    expect(dev.log.slice(-2)).toEqual(['out8 0x42=0xcd', 'out8 0x43=0xab']);
  });

  it('a wide access running off an 8-bit device reads the floating bus for the rest', () => {
    const bus = new IoPortBus();
    bus.claim(0x21, 1, recorder({ 0x21: 0xfb }, 1), 'pic1-data');
    expect(bus.read(0x21, 2)).toBe(0xfffb);
    // Starting on an empty port: the empty byte floats, the device answers for its own.
    expect(bus.read(0x20, 2)).toBe(0xfbff);
  });

  it('reports every access to the observer', () => {
    const bus = new IoPortBus();
    bus.claim(0x200, 16, recorder({ 0x201: 0xa5 }), 'my_device0');
    const events: PortAccess[] = [];
    bus.onAccess = (e) => events.push(e);
    bus.read(0x201, 1);
    bus.write(0x203, 1, 1);
    bus.read(0x80, 1);
    expect(events).toEqual([
      { kind: 'in', port: 0x201, size: 1, value: 0xa5, owner: 'my_device0' },
      { kind: 'out', port: 0x203, size: 1, value: 1, owner: 'my_device0' },
      { kind: 'in', port: 0x80, size: 1, value: 0xff, owner: undefined },
    ]);
  });
});
