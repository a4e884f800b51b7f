// The PC's Intel 8254 programmable interval timer: three 16-bit down counters on a 1.193182 MHz
// clock, channel 0's OUT wired to IRQ 0 (the kernel's tick).
//
// Reference: Intel 8254 Programmable Interval Timer datasheet (order no. 231164), "Control word
// format", "Counter latch command", "Read-back command", "Mode definitions"; IBM PC/AT Technical
// Reference for the wiring (ports 0x40-0x43, OUT0 -> IRQ 0). Structure follows QEMU's
// hw/timer/i8254.c.
//
// Nothing here ticks per PIT cycle. Each channel remembers the PIT cycle at which its counting
// element was loaded; the current count is computed from the virtual clock when read, and OUT
// transitions are events scheduled on the VirtualClock. All arithmetic is in whole PIT cycles
// counted from virtual time zero, converted to ns exactly (see cycleAt/nsOfCycle), so a periodic
// tick does not drift however long the machine runs.
//
// Modelling choices: the one-clock low pulse of modes 2 and 4 is produced as an instantaneous
// low->high pulse at the period boundary (one event per tick instead of two); mode 3's halves are
// real (two events per period). Counts written in modes 2 and 3 while counting take effect at the
// end of the current period, as the datasheet says; the one-cycle load delay after a write is not
// modelled. Gates of channels 0 and 1 are tied high, so modes 1 and 5 (gate-triggered) never start.

import { NS_PER_SEC, type EventHandle, type VirtualClock } from '../clock.js';
import type { IoPortBus, PortSize } from '../ioport-bus.js';
import type { IrqLine } from '../irq.js';

export const PIT_FREQUENCY_HZ = 1193182;
export const PIT_CHANNEL0 = 0x40;
export const PIT_CHANNEL1 = 0x41;
export const PIT_CHANNEL2 = 0x42;
export const PIT_CONTROL = 0x43;

// Control word: SC1 SC0 | RW1 RW0 | M2 M1 M0 | BCD
const CW_SELECT_SHIFT = 6;
const CW_SELECT_READ_BACK = 3;
const CW_ACCESS_SHIFT = 4;
const CW_MODE_SHIFT = 1;
const CW_BCD = 0x01;
// Read-back command: bit 5 clear = latch count, bit 4 clear = latch status, bits 3-1 = counters 2-0.
const RB_NOT_COUNT = 0x20;
const RB_NOT_STATUS = 0x10;
// Status byte
const STATUS_OUTPUT = 0x80;
const STATUS_NULL_COUNT = 0x40;

/** RW1 RW0 of the control word; 0 is the counter latch command. */
export type PitAccess = 0 | 1 | 2 | 3;
export const PIT_ACCESS_LATCH = 0;
export const PIT_ACCESS_LOW_BYTE = 1;
export const PIT_ACCESS_HIGH_BYTE = 2;
export const PIT_ACCESS_LOW_THEN_HIGH = 3;

export interface PitChannelState {
  /** 0-5 (the control word's 6 and 7 are stored as the modes they alias, 2 and 3). */
  mode: number;
  access: PitAccess;
  bcd: boolean;
  /** CR: the count as last written by the CPU (16 bits, 0 meaning the maximum). */
  countRegister: number;
  /** Low byte written, high byte awaited (low-then-high access). */
  writeHighNext: boolean;
  writeLow: number;
  /** Unlatched low-then-high reads alternate too, on their own flip-flop. */
  readHighNext: boolean;
  /** The initial count the counting element runs with, 1-65536 (1-10000 in BCD). */
  reload: number;
  counting: boolean;
  /** PIT cycle (from virtual time zero) at which the counting element was last loaded. */
  loadCycle: number;
  /** PIT cycle at which a count written during counting is taken (modes 2, 3), or null. */
  reloadAtCycle: number | null;
  /** The count that will be taken then (CR may be rewritten meanwhile). */
  pendingReload: number;
  /** What the counting element holds while stopped. */
  heldCount: number;
  nullCount: boolean;
  out: boolean;
  latched: boolean;
  latchedValue: number;
  latchedHighNext: boolean;
  statusLatched: boolean;
  statusValue: number;
  /** PIT cycle of the scheduled OUT transition, or null (only channels with a wired OUT). */
  nextEventCycle: number | null;
}

export interface PitSnapshot {
  name: 'i8254';
  version: 1;
  channels: PitChannelState[];
}

export interface PitOptions {
  onGuestError?: (msg: string) => void;
}

function powerOnChannel(): PitChannelState {
  return {
    mode: 0, access: PIT_ACCESS_LOW_THEN_HIGH, bcd: false, countRegister: 0, writeHighNext: false, writeLow: 0,
    readHighNext: false, reload: 0, counting: false, loadCycle: 0, reloadAtCycle: null, pendingReload: 0, heldCount: 0,
    nullCount: false, out: false, latched: false, latchedValue: 0, latchedHighNext: false,
    statusLatched: false, statusValue: 0, nextEventCycle: null,
  };
}

/** PIT cycles elapsed at virtual time `ns`, split so no intermediate product exceeds 2^53. */
export function cycleAt(ns: number): number {
  const seconds = Math.floor(ns / NS_PER_SEC);
  const rest = ns - seconds * NS_PER_SEC;
  return seconds * PIT_FREQUENCY_HZ + Math.floor((rest * PIT_FREQUENCY_HZ) / NS_PER_SEC);
}

/** The first whole ns at or after PIT cycle `cycle`; cycleAt(nsOfCycle(c)) === c for every c. */
export function nsOfCycle(cycle: number): number {
  const seconds = Math.floor(cycle / PIT_FREQUENCY_HZ);
  const rest = cycle - seconds * PIT_FREQUENCY_HZ;
  return seconds * NS_PER_SEC + Math.ceil((rest * NS_PER_SEC) / PIT_FREQUENCY_HZ);
}

export class Pit {
  onGuestError?: (msg: string) => void;
  /** The 8254 has an 8-bit data bus; the I/O bus splits wider accesses. */
  readonly ioWidth = 1;

  private readonly state: PitChannelState[] = [powerOnChannel(), powerOnChannel(), powerOnChannel()];
  /** OUT wiring: only channel 0 reaches an interrupt line on the PC. */
  private readonly outputs: (IrqLine | undefined)[];
  private readonly events: (EventHandle | undefined)[] = [undefined, undefined, undefined];
  /** One handler per channel, made once, so scheduling a tick allocates only the clock's entry. */
  private readonly handlers: (() => void)[];

  constructor(
    private readonly clock: VirtualClock,
    irq0: IrqLine,
    options: PitOptions = {},
  ) {
    this.onGuestError = options.onGuestError;
    this.outputs = [irq0, undefined, undefined];
    this.handlers = [0, 1, 2].map((index) => () => this.outputEvent(index));
    this.reset();
  }

  /** Claims 0x40-0x43 under the name Linux shows in /proc/ioports. */
  attach(bus: IoPortBus): void {
    bus.claim(PIT_CHANNEL0, 4, this, 'timer0');
  }

  /** Live, read-only views of the three channels (for the inspector). */
  get channels(): readonly Readonly<PitChannelState>[] {
    return this.state;
  }

  /** The count a latch command would capture now. */
  currentCount(channel: number): number {
    return this.countNow(this.channelState(channel));
  }

  read(port: number, _size: PortSize): number {
    if (port === PIT_CONTROL) {
      this.guestError('8254 PIT: the control word register (port 0x43) is write-only; the read floats');
      return 0xff;
    }
    const ch = this.state[port - PIT_CHANNEL0];
    return ch === undefined ? 0xff : this.readCounter(ch);
  }

  write(port: number, value: number, _size: PortSize): void {
    value &= 0xff;
    if (port === PIT_CONTROL) {
      this.writeControl(value);
      return;
    }
    const index = port - PIT_CHANNEL0;
    if (this.state[index] !== undefined) this.writeCounter(index, value);
  }

  /** Power-on: nothing programmed, counters stopped, OUT low. */
  reset(): void {
    for (let index = 0; index < 3; index++) {
      this.cancelEvent(index);
      Object.assign(this.state[index]!, powerOnChannel());
      this.drive(index, false);
    }
  }

  /** Cancels the scheduled OUT events (machine teardown); the counts still read back. */
  stop(): void {
    for (let index = 0; index < 3; index++) this.cancelEvent(index);
  }

  saveState(): PitSnapshot {
    return { name: 'i8254', version: 1, channels: this.state.map((ch) => ({ ...ch })) };
  }

  /** Expects the clock to be at the time the snapshot was taken (restore the clock first). */
  loadState(snapshot: PitSnapshot): void {
    if (snapshot.name !== 'i8254' || snapshot.version !== 1 || snapshot.channels.length !== 3) {
      throw new Error(`cannot load ${String(snapshot.name)} v${String(snapshot.version)} state into an i8254 v1`);
    }
    for (let index = 0; index < 3; index++) {
      this.cancelEvent(index);
      const ch = this.state[index]!;
      restoreChannel(ch, snapshot.channels[index]!);
      this.drive(index, ch.out);
      if (ch.nextEventCycle !== null) this.scheduleAt(index, ch.nextEventCycle);
    }
  }

  // --- control word -------------------------------------------------------------------------

  private writeControl(value: number): void {
    const select = value >> CW_SELECT_SHIFT;
    if (select === CW_SELECT_READ_BACK) {
      this.readBack(value);
      return;
    }
    const ch = this.state[select]!;
    const access = ((value >> CW_ACCESS_SHIFT) & 3) as PitAccess;
    if (access === PIT_ACCESS_LATCH) {
      this.latchCount(ch);
      return;
    }
    // Reprogramming stops the counter and resets OUT to the mode's initial level.
    this.cancelEvent(select);
    ch.heldCount = this.countNow(ch);
    const mode = (value >> CW_MODE_SHIFT) & 7;
    ch.mode = mode > 5 ? mode - 4 : mode;
    ch.access = access;
    ch.bcd = (value & CW_BCD) !== 0;
    ch.counting = false;
    ch.reloadAtCycle = null;
    ch.nullCount = true;
    ch.writeHighNext = false;
    ch.readHighNext = false;
    ch.latched = false;
    ch.statusLatched = false;
    this.setOut(select, ch.mode !== 0);
  }

  private latchCount(ch: PitChannelState): void {
    // A second latch before the first is read is ignored: the datasheet keeps the first value.
    if (ch.latched) return;
    ch.latched = true;
    ch.latchedHighNext = false;
    ch.latchedValue = this.countNow(ch);
  }

  private readBack(value: number): void {
    for (let index = 0; index < 3; index++) {
      if ((value & (2 << index)) === 0) continue;
      const ch = this.state[index]!;
      if ((value & RB_NOT_COUNT) === 0) this.latchCount(ch);
      if ((value & RB_NOT_STATUS) === 0 && !ch.statusLatched) {
        ch.statusLatched = true;
        ch.statusValue = (ch.out ? STATUS_OUTPUT : 0) | (ch.nullCount ? STATUS_NULL_COUNT : 0)
          | (ch.access << CW_ACCESS_SHIFT) | (ch.mode << CW_MODE_SHIFT) | (ch.bcd ? CW_BCD : 0);
      }
    }
  }

  // --- counter data ports -------------------------------------------------------------------

  private readCounter(ch: PitChannelState): number {
    if (ch.statusLatched) {
      ch.statusLatched = false;
      return ch.statusValue;
    }
    if (ch.latched) {
      const value = ch.latchedValue;
      if (ch.access === PIT_ACCESS_LOW_THEN_HIGH && !ch.latchedHighNext) {
        ch.latchedHighNext = true;
        return value & 0xff;
      }
      ch.latched = false;
      return ch.access === PIT_ACCESS_LOW_BYTE ? value & 0xff : value >> 8;
    }
    const value = this.countNow(ch);
    switch (ch.access) {
      case PIT_ACCESS_LOW_BYTE: return value & 0xff;
      case PIT_ACCESS_HIGH_BYTE: return value >> 8;
      default:
        ch.readHighNext = !ch.readHighNext;
        return ch.readHighNext ? value & 0xff : value >> 8;
    }
  }

  private writeCounter(index: number, value: number): void {
    const ch = this.state[index]!;
    switch (ch.access) {
      case PIT_ACCESS_LOW_BYTE:
        ch.countRegister = value;
        break;
      case PIT_ACCESS_HIGH_BYTE:
        ch.countRegister = value << 8;
        break;
      default:
        if (!ch.writeHighNext) {
          ch.writeHighNext = true;
          ch.writeLow = value;
          // Mode 0: the first byte already stops the count and pulls OUT low.
          if (ch.mode === 0) this.stopCounting(index);
          return;
        }
        ch.writeHighNext = false;
        ch.countRegister = ch.writeLow | (value << 8);
    }
    ch.nullCount = true;
    this.countWritten(index);
  }

  private countWritten(index: number): void {
    const ch = this.state[index]!;
    const reload = this.initialCount(ch);
    const now = cycleAt(this.clock.now);
    switch (ch.mode) {
      case 0:
        this.setOut(index, false);
        this.load(index, reload, now);
        return;
      case 4:
        this.load(index, reload, now);
        return;
      case 2:
      case 3:
        if (reload === 1) this.guestError(`8254 PIT: channel ${index}: a count of 1 is illegal in mode ${ch.mode}`);
        if (ch.counting) {
          this.settle(ch, now);
          const elapsedPeriods = Math.floor((now - ch.loadCycle) / ch.reload);
          ch.reloadAtCycle = ch.loadCycle + (elapsedPeriods + 1) * ch.reload;
          ch.pendingReload = reload;
        } else {
          this.load(index, reload, now);
        }
        return;
      default:
        // Modes 1 and 5 wait for a rising edge on GATE, which channels 0 and 1 never see.
        return;
    }
  }

  private initialCount(ch: PitChannelState): number {
    if (!ch.bcd) return ch.countRegister === 0 ? 0x10000 : ch.countRegister;
    const decimal = fromBcd(ch.countRegister);
    return decimal === 0 ? 10000 : decimal;
  }

  // --- counting element ---------------------------------------------------------------------

  private load(index: number, reload: number, cycle: number): void {
    const ch = this.state[index]!;
    this.cancelEvent(index);
    ch.reload = reload;
    ch.loadCycle = cycle;
    ch.reloadAtCycle = null;
    ch.counting = true;
    ch.nullCount = false;
    // Modes 0 and 4 act once at terminal count, mode 2 at each period's end, mode 3 at half time.
    if (ch.mode === 3) this.scheduleAt(index, cycle + highHalf(reload));
    else this.scheduleAt(index, cycle + reload);
  }

  private stopCounting(index: number): void {
    const ch = this.state[index]!;
    ch.heldCount = this.countNow(ch);
    ch.counting = false;
    ch.reloadAtCycle = null;
    this.cancelEvent(index);
    this.setOut(index, false);
  }

  /** Takes a count written during counting once its period boundary has been reached. */
  private settle(ch: PitChannelState, cycle: number): void {
    if (ch.reloadAtCycle === null || cycle < ch.reloadAtCycle) return;
    ch.loadCycle = ch.reloadAtCycle;
    ch.reload = ch.pendingReload;
    ch.reloadAtCycle = null;
    ch.nullCount = false;
  }

  private countNow(ch: PitChannelState): number {
    if (!ch.counting) return ch.heldCount;
    const now = cycleAt(this.clock.now);
    this.settle(ch, now);
    const elapsed = now - ch.loadCycle;
    const reload = ch.reload;
    const wrap = ch.bcd ? 10000 : 0x10000;
    let count: number;
    switch (ch.mode) {
      case 2:
        count = reload - (elapsed % reload);
        break;
      case 3:
        // Mode 3 decrements by two and runs through the count once per half period.
        count = reload - ((2 * elapsed) % reload);
        break;
      default:
        // Modes 0 and 4 keep counting down past zero, wrapping around.
        count = (((reload - elapsed) % wrap) + wrap) % wrap;
    }
    count %= wrap;
    return ch.bcd ? toBcd(count) : count;
  }

  // --- OUT ----------------------------------------------------------------------------------

  private outputEvent(index: number): void {
    const ch = this.state[index]!;
    const cycle = ch.nextEventCycle!;
    this.events[index] = undefined;
    ch.nextEventCycle = null;
    this.settle(ch, cycle);
    switch (ch.mode) {
      case 0:
        this.setOut(index, true);
        return;
      case 4:
        this.pulse(index);
        return;
      case 2:
        this.pulse(index);
        this.scheduleAt(index, cycle + ch.reload);
        return;
      case 3: {
        const phase = (cycle - ch.loadCycle) % ch.reload;
        const high = highHalf(ch.reload);
        if (phase === 0) {
          if (high === ch.reload) this.pulse(index);
          else this.setOut(index, true);
          this.scheduleAt(index, cycle + high);
        } else {
          this.setOut(index, false);
          this.scheduleAt(index, cycle + ch.reload - phase);
        }
        return;
      }
    }
  }

  /** The short low pulse of modes 2 and 4, collapsed to an instant: what the PIC sees is the edge. */
  private pulse(index: number): void {
    const ch = this.state[index]!;
    if (ch.out) this.drive(index, false);
    ch.out = true;
    this.drive(index, true);
  }

  private setOut(index: number, level: boolean): void {
    const ch = this.state[index]!;
    if (ch.out === level) return;
    ch.out = level;
    this.drive(index, level);
  }

  private drive(index: number, level: boolean): void {
    const line = this.outputs[index];
    if (line === undefined) return;
    if (level) line.raise();
    else line.lower();
  }

  private scheduleAt(index: number, cycle: number): void {
    // Channels with nothing on OUT need no events: their counts are computed when read.
    if (this.outputs[index] === undefined) return;
    this.state[index]!.nextEventCycle = cycle;
    this.events[index] = this.clock.schedule(nsOfCycle(cycle), this.handlers[index]!, EVENT_LABELS[index]);
  }

  private cancelEvent(index: number): void {
    const event = this.events[index];
    if (event !== undefined) this.clock.cancel(event);
    this.events[index] = undefined;
    this.state[index]!.nextEventCycle = null;
  }

  private channelState(channel: number): PitChannelState {
    const ch = this.state[channel];
    if (ch === undefined) throw new RangeError(`8254 PIT has no channel ${channel}`);
    return ch;
  }

  private guestError(msg: string): void {
    this.onGuestError?.(msg);
  }
}

const EVENT_LABELS = ['i8254 OUT0', 'i8254 OUT1', 'i8254 OUT2'];

/** Mode 3 keeps OUT high for the larger half of an odd count. */
function highHalf(reload: number): number {
  return Math.ceil(reload / 2);
}

function fromBcd(value: number): number {
  return ((value >> 12) & 0xf) * 1000 + ((value >> 8) & 0xf) * 100 + ((value >> 4) & 0xf) * 10 + (value & 0xf);
}

function toBcd(value: number): number {
  return (Math.floor(value / 1000) % 10) << 12 | (Math.floor(value / 100) % 10) << 8
    | (Math.floor(value / 10) % 10) << 4 | value % 10;
}

function restoreChannel(target: PitChannelState, saved: PitChannelState): void {
  const fresh = powerOnChannel();
  for (const key of Object.keys(fresh) as (keyof PitChannelState)[]) {
    (target as unknown as Record<string, unknown>)[key] = saved[key] ?? fresh[key];
  }
}
