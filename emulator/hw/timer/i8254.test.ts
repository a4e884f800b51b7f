// qtest-style: the PIT is programmed through ports 0x40-0x43 and observed on its IRQ line and,
// wired to the 8259A pair, as INTR/vectors, all on the virtual clock.
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_SEC, VirtualClock } from '../clock.js';
import { IoPortBus } from '../ioport-bus.js';
import { irqLine, type IrqLine } from '../irq.js';
import { DualPic } from '../intc/i8259.js';
import { PIT_FREQUENCY_HZ, Pit, cycleAt, nsOfCycle, type PitSnapshot } from './i8254.js';

const HZ = 100;
const LATCH = Math.floor((PIT_FREQUENCY_HZ + HZ / 2) / HZ); // Linux's LATCH: 11932 at HZ=100

/** An IRQ line that remembers when it went high. */
function probe(clock: VirtualClock): IrqLine & { rises: number[] } {
  let level = false;
  const rises: number[] = [];
  return {
    rises,
    raise() {
      if (!level) rises.push(clock.now);
      level = true;
    },
    lower() {
      level = false;
    },
    get level() {
      return level;
    },
  };
}

function rig(): { clock: VirtualClock; bus: IoPortBus; pit: Pit; irq0: ReturnType<typeof probe>; errors: string[]; out: (port: number, v: number) => void; inb: (port: number) => number } {
  const clock = new VirtualClock();
  const bus = new IoPortBus();
  const irq0 = probe(clock);
  const errors: string[] = [];
  const pit = new Pit(clock, irq0, { onGuestError: (msg) => errors.push(msg) });
  pit.attach(bus);
  return { clock, bus, pit, irq0, errors, out: (port, v) => bus.write(port, v, 1), inb: (port) => bus.read(port, 1) };
}

/** Linux's setup_pit_timer / time_init: channel 0, lobyte/hibyte, the given mode, LATCH. */
function programChannel0(out: (port: number, v: number) => void, mode: number, count: number): void {
  out(0x43, 0x30 | (mode << 1));
  out(0x40, count & 0xff);
  out(0x40, count >> 8);
}

function latchChannel0(r: ReturnType<typeof rig>): number {
  r.out(0x43, 0x00);
  const low = r.inb(0x40);
  return low | (r.inb(0x40) << 8);
}

describe('Pit (8254)', () => {
  it('converts between PIT cycles and ns without drift', () => {
    expect(cycleAt(NS_PER_SEC)).toBe(PIT_FREQUENCY_HZ);
    expect(nsOfCycle(PIT_FREQUENCY_HZ)).toBe(NS_PER_SEC);
    const day = 86_400 * NS_PER_SEC;
    expect(cycleAt(day)).toBe(86_400 * PIT_FREQUENCY_HZ);
    for (const cycle of [0, 1, 11932, 123_456_789, 86_400 * PIT_FREQUENCY_HZ - 1, 103_089_924_123]) {
      expect(cycleAt(nsOfCycle(cycle))).toBe(cycle);
      expect(cycleAt(nsOfCycle(cycle) - 1)).toBe(cycle - 1);
    }
  });

  it('claims 0x40-0x43 as timer0', () => {
    const r = rig();
    expect(r.bus.claims()).toEqual([{ base: 0x40, length: 4, owner: 'timer0' }]);
  });

  it('at HZ=100 in mode 2 raises IRQ 0 100 times in the first virtual second', () => {
    const r = rig();
    programChannel0(r.out, 2, LATCH);
    r.clock.advanceTo(NS_PER_SEC);
    expect(r.irq0.rises.length).toBe(100);
    expect(r.irq0.rises[1]).toBe(nsOfCycle(LATCH));
    expect(r.irq0.level).toBe(true);
    expect(r.errors).toEqual([]);
  });

  it('at HZ=100 stays within one tick of the exact count after a virtual hour', () => {
    const r = rig();
    programChannel0(r.out, 2, LATCH);
    r.clock.advanceTo(3600 * NS_PER_SEC);
    const exact = (3600 * PIT_FREQUENCY_HZ) / LATCH;
    expect(Math.abs(r.irq0.rises.length - exact)).toBeLessThanOrEqual(1);
    expect(r.clock.pendingCount).toBe(1);
  });

  it('mode 3 is a square wave: high for the first half period, low for the second', () => {
    const r = rig();
    programChannel0(r.out, 3, LATCH);
    r.clock.advanceTo(2 * NS_PER_MS);
    expect(r.irq0.level).toBe(true);
    r.clock.advanceTo(7 * NS_PER_MS);
    expect(r.irq0.level).toBe(false);
    r.clock.advanceTo(NS_PER_SEC);
    expect(r.irq0.rises.length).toBe(100);
    r.clock.advanceTo(3600 * NS_PER_SEC);
    expect(Math.abs(r.irq0.rises.length - (3600 * PIT_FREQUENCY_HZ) / LATCH)).toBeLessThanOrEqual(1);
  });

  it('reprogramming mode 2 or mode 3 changes the rate', () => {
    const r = rig();
    programChannel0(r.out, 2, LATCH);
    r.clock.advanceTo(NS_PER_SEC);
    const latch1000 = Math.floor((PIT_FREQUENCY_HZ + 500) / 1000); // 1193
    programChannel0(r.out, 2, latch1000);
    r.clock.advanceTo(2 * NS_PER_SEC);
    const secondSecond = r.irq0.rises.length - 100;
    expect(Math.abs(secondSecond - 1000)).toBeLessThanOrEqual(1);
    programChannel0(r.out, 3, LATCH * 2); // 50 Hz square wave
    r.clock.advanceTo(3 * NS_PER_SEC);
    const thirdSecond = r.irq0.rises.length - 100 - secondSecond;
    expect(Math.abs(thirdSecond - 50)).toBeLessThanOrEqual(1);
  });

  it('a new count written while mode 2 is counting takes effect at the end of the period', () => {
    const r = rig();
    programChannel0(r.out, 2, LATCH);
    r.clock.advanceTo(3 * NS_PER_MS);
    r.out(0x40, 1193 & 0xff);
    r.out(0x40, 1193 >> 8);
    r.clock.advanceTo(20 * NS_PER_MS);
    // Edges at 0, then at the end of the old 10 ms period, then every 1193 cycles.
    expect(r.irq0.rises.slice(0, 3)).toEqual([0, nsOfCycle(LATCH), nsOfCycle(LATCH + 1193)]);
  });

  it('latches a decreasing count and reads it back low byte first', () => {
    const r = rig();
    programChannel0(r.out, 2, LATCH);
    expect(latchChannel0(r)).toBe(LATCH);
    r.clock.advanceTo(NS_PER_MS);
    const afterOneMs = latchChannel0(r);
    expect(afterOneMs).toBe(LATCH - cycleAt(NS_PER_MS));
    r.clock.advanceTo(5 * NS_PER_MS);
    const afterFiveMs = latchChannel0(r);
    expect(afterFiveMs).toBeLessThan(afterOneMs);
    expect(afterFiveMs).toBe(LATCH - cycleAt(5 * NS_PER_MS));
    // After the reload at the period boundary the count starts again from the top.
    r.clock.advanceTo(11 * NS_PER_MS);
    expect(latchChannel0(r)).toBe(LATCH - (cycleAt(11 * NS_PER_MS) - LATCH));
  });

  it('a latched count stays frozen until read; a second latch before reading is ignored', () => {
    const r = rig();
    programChannel0(r.out, 2, LATCH);
    r.clock.advanceTo(NS_PER_MS);
    r.out(0x43, 0x00);
    r.clock.advanceTo(3 * NS_PER_MS);
    r.out(0x43, 0x00);
    const low = r.inb(0x40);
    const high = r.inb(0x40);
    expect(low | (high << 8)).toBe(LATCH - cycleAt(NS_PER_MS));
    expect(latchChannel0(r)).toBe(LATCH - cycleAt(3 * NS_PER_MS));
  });

  it('unlatched low/high reads alternate bytes of the live count', () => {
    const r = rig();
    programChannel0(r.out, 2, 0x1234);
    expect(r.inb(0x40)).toBe(0x34);
    expect(r.inb(0x40)).toBe(0x12);
  });

  it('mode 3 counts down by two, twice per period', () => {
    const r = rig();
    programChannel0(r.out, 3, 1000);
    r.clock.advanceTo(nsOfCycle(100));
    expect(latchChannel0(r)).toBe(800);
    r.clock.advanceTo(nsOfCycle(600));
    expect(latchChannel0(r)).toBe(800);
  });

  it('a count of 0 means 65536 (18.2 Hz)', () => {
    const r = rig();
    programChannel0(r.out, 2, 0);
    expect(latchChannel0(r)).toBe(0);
    r.clock.advanceTo(NS_PER_SEC);
    expect(r.irq0.rises.length).toBe(Math.floor(PIT_FREQUENCY_HZ / 65536) + 1);
    expect(r.irq0.rises[1]).toBe(nsOfCycle(65536));
  });

  it('mode 0 raises OUT once at terminal count and keeps counting down through zero', () => {
    const r = rig();
    r.out(0x43, 0x30);
    expect(r.irq0.level).toBe(false);
    r.out(0x40, 100);
    r.out(0x40, 0);
    r.clock.advanceTo(nsOfCycle(99));
    expect(r.irq0.level).toBe(false);
    r.clock.advanceTo(nsOfCycle(100));
    expect(r.irq0.rises).toEqual([nsOfCycle(100)]);
    r.clock.advanceTo(nsOfCycle(150));
    expect(latchChannel0(r)).toBe(0x10000 - 50);
    r.clock.advanceTo(NS_PER_SEC);
    expect(r.irq0.rises.length).toBe(1);
    expect(r.clock.pendingCount).toBe(0);
  });

  it('mode 4 strobes OUT once at terminal count', () => {
    const r = rig();
    r.out(0x43, 0x38);
    r.out(0x40, 50);
    r.out(0x40, 0);
    expect(r.irq0.rises).toEqual([0]); // the control word set OUT high from its power-on low
    r.clock.advanceTo(NS_PER_MS);
    expect(r.irq0.rises).toEqual([0, nsOfCycle(50)]);
  });

  it('supports the low-byte-only and high-byte-only access modes', () => {
    const r = rig();
    r.out(0x43, 0x14); // channel 0, LSB only, mode 2
    r.out(0x40, 200);
    expect(r.pit.channels[0]!.reload).toBe(200);
    expect(r.inb(0x40)).toBe(200);
    r.out(0x43, 0x24); // MSB only
    r.out(0x40, 0x10);
    expect(r.pit.channels[0]!.reload).toBe(0x1000);
    expect(r.inb(0x40)).toBe(0x10);
  });

  it('read-back latches status and count of the selected channels', () => {
    const r = rig();
    programChannel0(r.out, 2, LATCH);
    r.clock.advanceTo(NS_PER_MS);
    r.out(0x43, 0xc2); // read-back: count and status of channel 0
    expect(r.inb(0x40)).toBe(0x80 | 0x30 | (2 << 1)); // OUT high, lo/hi access, mode 2
    const count = r.inb(0x40) | (r.inb(0x40) << 8);
    expect(count).toBe(LATCH - cycleAt(NS_PER_MS));
    r.out(0x43, 0xe2); // status only, right after a control word: null count
    r.out(0x43, 0x34);
    r.out(0x43, 0xe2);
    expect(r.inb(0x40) & 0x40).toBe(0x40);
  });

  it('channels 1 and 2 count without scheduling any events', () => {
    const r = rig();
    r.out(0x43, 0xb6); // channel 2, lo/hi, mode 3 (the PC speaker setting)
    r.out(0x42, 0xe8);
    r.out(0x42, 0x03); // 1000
    expect(r.clock.pendingCount).toBe(0);
    r.clock.advanceTo(nsOfCycle(100));
    r.out(0x43, 0x80); // latch channel 2
    expect(r.inb(0x42) | (r.inb(0x42) << 8)).toBe(800);
  });

  it('counts written during mode 2 counting chain correctly on a channel without events', () => {
    const r = rig();
    const writeCount2 = (count: number): void => {
      r.out(0x42, count & 0xff);
      r.out(0x42, count >> 8);
    };
    const latch2 = (): number => {
      r.out(0x43, 0x80);
      return r.inb(0x42) | (r.inb(0x42) << 8);
    };
    r.out(0x43, 0xb4); // channel 2, lo/hi, mode 2
    writeCount2(1000);
    r.clock.advanceTo(nsOfCycle(1500));
    writeCount2(700); // taken at cycle 2000
    r.clock.advanceTo(nsOfCycle(2800));
    writeCount2(300); // periods of 700 from 2000: taken at cycle 3400
    r.clock.advanceTo(nsOfCycle(3350));
    expect(latch2()).toBe(700 - 1350 % 700);
    r.clock.advanceTo(nsOfCycle(3450));
    expect(latch2()).toBe(300 - 50);
  });

  it('logs a read of the write-only control register', () => {
    const r = rig();
    expect(r.inb(0x43)).toBe(0xff);
    expect(r.errors).toEqual(['8254 PIT: the control word register (port 0x43) is write-only; the read floats']);
  });

  it('drives IRQ 0 of the 8259A pair: INTR and vector 0x20 each tick', () => {
    const clock = new VirtualClock();
    const bus = new IoPortBus();
    const pic = new DualPic();
    pic.attach(bus);
    const pit = new Pit(clock, irqLine(pic, 0));
    pit.attach(bus);
    const out = (port: number, v: number): void => bus.write(port, v, 1);
    for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01], [0xa0, 0x11], [0xa1, 0x28], [0xa1, 0x02], [0xa1, 0x01]] as const) out(port, v);
    let ticks = 0;
    // The kernel's side: take every interrupt as soon as INTR rises, then EOI.
    pic.onIntr = (level) => {
      if (!level) return;
      expect(pic.acknowledge()).toBe(0x20);
      ticks++;
      out(0x20, 0x20);
    };
    programChannel0(out, 2, LATCH);
    clock.advanceTo(NS_PER_SEC);
    expect(ticks).toBe(100);
    expect(pic.intr).toBe(false);
  });

  it('ticks merge, not queue, while the CPU does not acknowledge (mode 2)', () => {
    const clock = new VirtualClock();
    const pic = new DualPic();
    const bus = new IoPortBus();
    pic.attach(bus);
    new Pit(clock, irqLine(pic, 0)).attach(bus);
    const out = (port: number, v: number): void => bus.write(port, v, 1);
    for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01]] as const) out(port, v);
    programChannel0(out, 2, LATCH);
    clock.advanceTo(55 * NS_PER_MS);
    expect(pic.acknowledge()).toBe(0x20);
    out(0x20, 0x20);
    expect(pic.intr).toBe(false);
  });

  it('stop() cancels its events', () => {
    const r = rig();
    programChannel0(r.out, 3, LATCH);
    expect(r.clock.pendingCount).toBe(1);
    r.pit.stop();
    expect(r.clock.pendingCount).toBe(0);
    r.clock.advanceTo(NS_PER_SEC);
    expect(r.irq0.rises.length).toBe(1);
  });

  it('reset stops counting and pulls OUT low', () => {
    const r = rig();
    programChannel0(r.out, 2, LATCH);
    r.pit.reset();
    expect(r.irq0.level).toBe(false);
    expect(r.clock.pendingCount).toBe(0);
  });

  it('saves and restores through JSON into a fresh machine at the same time, then ticks identically', () => {
    const a = rig();
    programChannel0(a.out, 3, LATCH);
    a.clock.advanceTo(12_345_678);
    a.out(0x40, 0x00); // a new count pending for the end of the period
    a.out(0x40, 0x10);
    a.out(0x43, 0x00); // and a latched count not yet read
    const snapshot = JSON.parse(JSON.stringify(a.pit.saveState())) as PitSnapshot;
    expect(snapshot.name).toBe('i8254');
    expect(snapshot.version).toBe(1);

    const clock = new VirtualClock(a.clock.now);
    const irq0 = probe(clock);
    const b = new Pit(clock, irq0);
    b.loadState(snapshot);
    expect(b.saveState()).toEqual(a.pit.saveState());
    expect(irq0.level).toBe(a.irq0.level);
    const risesBeforeRun = irq0.rises.length; // loadState re-drove the line high

    clock.advanceTo(NS_PER_SEC);
    const restoredRises = irq0.rises.slice(risesBeforeRun);
    const before = a.irq0.rises.length;
    a.clock.advanceTo(NS_PER_SEC);
    expect(restoredRises).toEqual(a.irq0.rises.slice(before));
    expect(b.currentCount(0)).toBe(a.pit.currentCount(0));
    expect(() => b.loadState({ ...snapshot, name: 'i8259' } as unknown as PitSnapshot)).toThrow('i8254');
  });

  it('runs 24 virtual hours at HZ=100 (8.64 M ticks) exactly and quickly', () => {
    const clock = new VirtualClock();
    let rises = 0;
    let level = false;
    const line: IrqLine = {
      raise() { if (!level) rises++; level = true; },
      lower() { level = false; },
      get level() { return level; },
    };
    const bus = new IoPortBus();
    new Pit(clock, line).attach(bus);
    programChannel0((port, v) => bus.write(port, v, 1), 2, LATCH);
    const started = Date.now();
    clock.advanceTo(86_400 * NS_PER_SEC);
    const exact = (86_400 * PIT_FREQUENCY_HZ) / LATCH;
    expect(Math.abs(rises - exact)).toBeLessThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
