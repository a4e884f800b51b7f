// The PC/AT's two cascaded Intel 8259A programmable interrupt controllers.
//
// Reference: Intel 8259A Programmable Interrupt Controller datasheet (order no. 231468),
// "Interrupt sequence", "Initialization command words", "Operation command words",
// "Edge and level triggered modes", "Cascade mode"; IBM PC/AT Technical Reference for the wiring
// (master at 0x20/0x21, slave at 0xA0/0xA1, slave INT -> master IR2, ISA IRQ 2 pin -> slave IR1).
// Structure follows QEMU's hw/intc/i8259.c.
//
// Two behaviours a kernel author must know (both are the datasheet's):
// * A device IR input latches a request on its low->high edge, and the request is withdrawn if the
//   input falls again before the INTA cycle. An acknowledge() that finds no request returns the
//   chip's IR7 vector without setting ISR: the "spurious IRQ 7".
// * The master's IR2 is fed by the slave's INT output and keeps its request until acknowledged.
//   A slave request withdrawn after the master saw it therefore acknowledges as the slave's IR7
//   vector (spurious IRQ 15) with master ISR bit 2 set: the handler must EOI the master only.

import type { IoPortBus, PortSize } from '../ioport-bus.js';
import type { IrqSink } from '../irq.js';

export const PIC_MASTER_CMD = 0x20;
export const PIC_MASTER_DATA = 0x21;
export const PIC_SLAVE_CMD = 0xa0;
export const PIC_SLAVE_DATA = 0xa1;
/** Master input the slave's INT is wired to. */
export const PIC_CASCADE_IRQ = 2;
/** The AT routes the ISA bus's IRQ 2 pin to slave IR1, so "IRQ 2" devices arrive as IRQ 9. */
const ISA_IRQ2_REDIRECT = 9;
/** The input whose vector a chip answers with when the request vanished before INTA. */
const SPURIOUS_LINE = 7;

// ICW1 (command port, bit 4 set)
const ICW1_IC4 = 0x01; // ICW4 follows
const ICW1_SNGL = 0x02; // single chip, no ICW3
const ICW1_LTIM = 0x08; // level-triggered inputs
const ICW1_INIT = 0x10;
// ICW2: T7-T3 of the vector; the low three bits come from the IR number in 8086 mode.
const ICW2_VECTOR_MASK = 0xf8;
// ICW4
const ICW4_UPM = 0x01; // 8086/8088 mode (otherwise 8080/85 CALL vectors)
const ICW4_AEOI = 0x02;
const ICW4_SFNM = 0x10; // special fully nested mode
// OCW2 (command port, bits 4 and 3 clear): R, SL, EOI in bits 7-5, the IR level in bits 2-0.
const OCW2_COMMAND_MASK = 0xe0;
const OCW2_LEVEL_MASK = 0x07;
const OCW2_ROTATE_AEOI_CLEAR = 0x00;
const OCW2_NON_SPECIFIC_EOI = 0x20;
const OCW2_NOP = 0x40;
const OCW2_SPECIFIC_EOI = 0x60;
const OCW2_ROTATE_AEOI_SET = 0x80;
const OCW2_ROTATE_NON_SPECIFIC_EOI = 0xa0;
const OCW2_SET_PRIORITY = 0xc0;
const OCW2_ROTATE_SPECIFIC_EOI = 0xe0;
// OCW3 (command port, bit 3 set)
const OCW3_SELECT = 0x08;
const OCW3_RIS = 0x01; // with RR: 1 reads ISR, 0 reads IRR
const OCW3_RR = 0x02;
const OCW3_P = 0x04; // poll command
const OCW3_SMM = 0x20; // special mask mode, with ESMM
const OCW3_ESMM = 0x40;

/** Which ICW the data port expects next; 0 once initialisation is complete. */
export type PicInitStep = 0 | 2 | 3 | 4;

/** One 8259A. Bit n of the masks is input IRn. */
export interface PicState {
  /** Interrupt request register: requests latched and not yet acknowledged. */
  irr: number;
  /** In-service register: acknowledged and not yet EOI'd. */
  isr: number;
  /** Interrupt mask register (OCW1). */
  imr: number;
  /** Current levels of the IR inputs (for edge detection and the inspector). */
  lines: number;
  /** ICW2 with the low three bits cleared: the vector of IR0. */
  vectorBase: number;
  icw1: number;
  /** Master: bit mask of inputs with a slave. Slave: its cascade id. */
  icw3: number;
  icw4: number;
  initStep: PicInitStep;
  /** OCW3 read register select: the command port reads ISR when true, IRR when false. */
  readIsr: boolean;
  /** OCW3 poll command pending: the next read returns the poll word. */
  poll: boolean;
  specialMask: boolean;
  rotateOnAutoEoi: boolean;
  /** The IR with the lowest priority (7 unless rotated); priority descends from the one after it. */
  lowestPriority: number;
}

export interface DualPicSnapshot {
  name: 'i8259';
  version: 1;
  master: PicState;
  slave: PicState;
}

export interface DualPicOptions {
  onGuestError?: (msg: string) => void;
}

function powerOnState(): PicState {
  return {
    irr: 0, isr: 0, imr: 0, lines: 0, vectorBase: 0, icw1: 0, icw3: 0, icw4: 0, initStep: 0,
    readIsr: false, poll: false, specialMask: false, rotateOnAutoEoi: false, lowestPriority: 7,
  };
}

/** One chip. The DualPic wires two of them together and owns the ports. */
class I8259 {
  /** Mutated in place, never replaced, so views handed out by DualPic.master/slave stay live. */
  readonly state: PicState = powerOnState();

  constructor(
    private readonly isMaster: boolean,
    private readonly report: (msg: string) => void,
  ) {}

  private get title(): string {
    return this.isMaster ? 'master 8259A PIC' : 'slave 8259A PIC';
  }

  private irqName(line: number): string {
    return `IRQ ${line + (this.isMaster ? 0 : 8)}`;
  }

  private get levelTriggered(): boolean {
    return (this.state.icw1 & ICW1_LTIM) !== 0;
  }

  /** A device input. Edge mode latches on the rising edge and withdraws on the falling one. */
  setInput(line: number, level: boolean): void {
    const s = this.state;
    const bit = 1 << line;
    const wasHigh = (s.lines & bit) !== 0;
    if (level) {
      s.lines |= bit;
      if (!wasHigh || this.levelTriggered) s.irr |= bit;
    } else {
      s.lines &= ~bit;
      s.irr &= ~bit;
    }
  }

  /**
   * The master's cascade input: a request is latched while the slave's INT is high and kept when
   * INT falls, because the master cannot know that the slave lost its request.
   */
  setCascadeInput(line: number, level: boolean): void {
    const s = this.state;
    const bit = 1 << line;
    if (level) {
      s.lines |= bit;
      s.irr |= bit;
    } else {
      s.lines &= ~bit;
    }
  }

  /** Highest-priority set bit of `mask` as a priority rank (0 = highest), or 8 for none. */
  private priorityOf(mask: number): number {
    if (mask === 0) return 8;
    const first = (this.state.lowestPriority + 1) & 7;
    let rank = 0;
    while ((mask & (1 << ((rank + first) & 7))) === 0) rank++;
    return rank;
  }

  private lineOfRank(rank: number): number {
    return (rank + this.state.lowestPriority + 1) & 7;
  }

  /** The input that would be acknowledged now, or -1: an unmasked request above everything in service. */
  requestedLine(): number {
    const s = this.state;
    const requested = this.priorityOf(s.irr & ~s.imr);
    if (requested === 8) return -1;
    let inService = s.isr;
    if (s.specialMask) inService &= ~s.imr;
    // Special fully nested mode lets a higher-priority slave input interrupt one already in service.
    if (this.isMaster && (s.icw4 & ICW4_SFNM) !== 0) inService &= ~s.icw3;
    return requested < this.priorityOf(inService) ? this.lineOfRank(requested) : -1;
  }

  get intOutput(): boolean {
    return this.requestedLine() >= 0;
  }

  /** The INTA cycle for `line`: IRR -> ISR (or straight through in auto-EOI mode). */
  intack(line: number): void {
    const s = this.state;
    const bit = 1 << line;
    if ((s.icw4 & ICW4_AEOI) !== 0) {
      if (s.rotateOnAutoEoi) s.lowestPriority = line;
    } else {
      s.isr |= bit;
    }
    if (!this.levelTriggered) s.irr &= ~bit;
  }

  readCommand(): number {
    const s = this.state;
    if (s.poll) return this.pollWord();
    return s.readIsr ? s.isr : s.irr;
  }

  readData(): number {
    if (this.state.poll) return this.pollWord();
    return this.state.imr;
  }

  /** Poll mode: the read itself is the acknowledge; bit 7 says whether there was a request. */
  private pollWord(): number {
    this.state.poll = false;
    const line = this.requestedLine();
    if (line < 0) return 0;
    this.intack(line);
    return 0x80 | line;
  }

  writeCommand(value: number): void {
    if ((value & ICW1_INIT) !== 0) this.writeIcw1(value);
    else if ((value & OCW3_SELECT) !== 0) this.writeOcw3(value);
    else this.writeOcw2(value);
  }

  writeData(value: number): void {
    const s = this.state;
    switch (s.initStep) {
      case 0:
        s.imr = value;
        return;
      case 2:
        s.vectorBase = value & ICW2_VECTOR_MASK;
        s.initStep = (s.icw1 & ICW1_SNGL) === 0 ? 3 : this.afterIcw3();
        return;
      case 3:
        this.writeIcw3(value);
        s.initStep = this.afterIcw3();
        return;
      case 4:
        s.icw4 = value;
        s.initStep = 0;
        if ((value & ICW4_UPM) === 0) this.report(`${this.title}: ICW4 0x${hex2(value)} selects 8080/85 mode; a PC needs 8086 mode (bit 0)`);
        return;
    }
  }

  private afterIcw3(): PicInitStep {
    return (this.state.icw1 & ICW1_IC4) !== 0 ? 4 : 0;
  }

  /** ICW1 restarts the chip: the datasheet lists what it clears, including the edge-sense latches. */
  private writeIcw1(value: number): void {
    const s = this.state;
    s.icw1 = value;
    s.initStep = 2;
    s.irr = 0;
    s.isr = 0;
    s.imr = 0;
    s.icw4 = 0;
    s.readIsr = false;
    s.poll = false;
    s.specialMask = false;
    s.rotateOnAutoEoi = false;
    s.lowestPriority = 7;
    if ((value & ICW1_SNGL) !== 0) this.report(`${this.title}: ICW1 0x${hex2(value)} selects single mode, but the PC has a cascaded pair`);
    if ((value & ICW1_IC4) === 0) this.report(`${this.title}: ICW1 0x${hex2(value)} announces no ICW4, which leaves the chip in 8080/85 mode`);
  }

  private writeIcw3(value: number): void {
    this.state.icw3 = value;
    if (this.isMaster && (value & (1 << PIC_CASCADE_IRQ)) === 0) {
      this.report(`${this.title}: ICW3 0x${hex2(value)} does not declare the slave on IR2`);
    } else if (!this.isMaster && (value & 7) !== PIC_CASCADE_IRQ) {
      this.report(`${this.title}: ICW3 0x${hex2(value)} gives cascade id ${value & 7}, but the slave is wired to master IR2`);
    }
  }

  private writeOcw2(value: number): void {
    const s = this.state;
    const level = value & OCW2_LEVEL_MASK;
    switch (value & OCW2_COMMAND_MASK) {
      case OCW2_NON_SPECIFIC_EOI:
        this.nonSpecificEoi(false);
        return;
      case OCW2_ROTATE_NON_SPECIFIC_EOI:
        this.nonSpecificEoi(true);
        return;
      case OCW2_SPECIFIC_EOI:
        this.specificEoi(level, false);
        return;
      case OCW2_ROTATE_SPECIFIC_EOI:
        this.specificEoi(level, true);
        return;
      case OCW2_SET_PRIORITY:
        s.lowestPriority = level;
        return;
      case OCW2_ROTATE_AEOI_SET:
        s.rotateOnAutoEoi = true;
        return;
      case OCW2_ROTATE_AEOI_CLEAR:
        s.rotateOnAutoEoi = false;
        return;
      case OCW2_NOP:
        return;
    }
  }

  private nonSpecificEoi(rotate: boolean): void {
    const s = this.state;
    const rank = this.priorityOf(s.isr);
    if (rank === 8) {
      this.report(`${this.title}: EOI with no interrupt in service`);
      return;
    }
    const line = this.lineOfRank(rank);
    s.isr &= ~(1 << line);
    if (rotate) s.lowestPriority = line;
  }

  private specificEoi(line: number, rotate: boolean): void {
    const s = this.state;
    const bit = 1 << line;
    if ((s.isr & bit) === 0) this.report(`${this.title}: specific EOI for ${this.irqName(line)}, which is not in service`);
    s.isr &= ~bit;
    if (rotate) s.lowestPriority = line;
  }

  private writeOcw3(value: number): void {
    const s = this.state;
    if ((value & OCW3_P) !== 0) s.poll = true;
    if ((value & OCW3_RR) !== 0) s.readIsr = (value & OCW3_RIS) !== 0;
    if ((value & OCW3_ESMM) !== 0) s.specialMask = (value & OCW3_SMM) !== 0;
  }
}

/** Master and slave 8259A as wired on the PC/AT. IRQ n (0-15) is master IRn or slave IR(n-8). */
export class DualPic implements IrqSink {
  /** Called after IRR, ISR, IMR or the input lines of either chip changed (the inspector). */
  onChange?: () => void;
  /** Called when the INTR output to the CPU changes level: the kernel's cue to look for work. */
  onIntr?: (level: boolean) => void;
  /** Guest programming mistakes; the chip carries on as the hardware would. */
  onGuestError?: (msg: string) => void;
  /** The chips decode 8-bit accesses only; the bus splits wider ones. */
  readonly ioWidth = 1;

  private readonly masterChip: I8259;
  private readonly slaveChip: I8259;
  private lastIntr = false;
  private readonly seen = new Int32Array(8);

  constructor(options: DualPicOptions = {}) {
    this.onGuestError = options.onGuestError;
    const report = (msg: string): void => this.onGuestError?.(msg);
    this.masterChip = new I8259(true, report);
    this.slaveChip = new I8259(false, report);
  }

  get master(): Readonly<PicState> {
    return this.masterChip.state;
  }

  get slave(): Readonly<PicState> {
    return this.slaveChip.state;
  }

  /** Claims 0x20-0x21 and 0xA0-0xA1, under the names Linux shows in /proc/ioports. */
  attach(bus: IoPortBus): void {
    bus.claim(PIC_MASTER_CMD, 2, this, 'pic1');
    bus.claim(PIC_SLAVE_CMD, 2, this, 'pic2');
  }

  /**
   * INTR to the CPU: some unmasked request outranks everything in service. Every change of the
   * chips' state ends in sync(), which works it out; the CPU looks at it on every bus cycle.
   */
  get intr(): boolean {
    return this.lastIntr;
  }

  setIrq(irq: number, level: boolean): void {
    if (!Number.isInteger(irq) || irq < 0 || irq > 15) throw new RangeError(`8259A pair has no IRQ ${irq}`);
    if (irq === PIC_CASCADE_IRQ) irq = ISA_IRQ2_REDIRECT;
    if (irq < 8) this.masterChip.setInput(irq, level);
    else this.slaveChip.setInput(irq - 8, level);
    this.sync();
  }

  /**
   * The CPU's INTA cycle: returns the vector number and moves the request into service. Call it
   * when `intr` is true and the CPU accepts interrupts. With no request left (it was withdrawn, or
   * masked, since INTR was seen) the answer is the spurious IR7 vector of the chip that lost it.
   */
  acknowledge(): number {
    const master = this.masterChip;
    const line = master.requestedLine();
    let vector: number;
    if (line < 0) {
      vector = master.state.vectorBase + SPURIOUS_LINE;
    } else {
      master.intack(line);
      if (line === PIC_CASCADE_IRQ) {
        const slave = this.slaveChip;
        const slaveLine = slave.requestedLine();
        if (slaveLine >= 0) slave.intack(slaveLine);
        vector = slave.state.vectorBase + (slaveLine >= 0 ? slaveLine : SPURIOUS_LINE);
      } else {
        vector = master.state.vectorBase + line;
      }
    }
    this.sync();
    return vector & 0xff;
  }

  read(port: number, _size: PortSize): number {
    let value: number;
    switch (port) {
      case PIC_MASTER_CMD: value = this.masterChip.readCommand(); break;
      case PIC_MASTER_DATA: value = this.masterChip.readData(); break;
      case PIC_SLAVE_CMD: value = this.slaveChip.readCommand(); break;
      case PIC_SLAVE_DATA: value = this.slaveChip.readData(); break;
      default: return 0xff;
    }
    // A poll read acknowledges, so reads can change state too.
    this.sync();
    return value;
  }

  write(port: number, value: number, _size: PortSize): void {
    value &= 0xff;
    switch (port) {
      case PIC_MASTER_CMD: this.masterChip.writeCommand(value); break;
      case PIC_MASTER_DATA: this.masterChip.writeData(value); break;
      case PIC_SLAVE_CMD: this.slaveChip.writeCommand(value); break;
      case PIC_SLAVE_DATA: this.slaveChip.writeData(value); break;
      default: return;
    }
    this.sync();
  }

  /** Power-on state: uninitialised chips, nothing requested or in service, all inputs unmasked. */
  reset(): void {
    // The wires are still driven by their devices; reset does not change what is on them.
    Object.assign(this.masterChip.state, powerOnState(), { lines: this.masterChip.state.lines });
    Object.assign(this.slaveChip.state, powerOnState(), { lines: this.slaveChip.state.lines });
    this.sync();
  }

  saveState(): DualPicSnapshot {
    return { name: 'i8259', version: 1, master: { ...this.masterChip.state }, slave: { ...this.slaveChip.state } };
  }

  loadState(snapshot: DualPicSnapshot): void {
    if (snapshot.name !== 'i8259' || snapshot.version !== 1) {
      throw new Error(`cannot load ${String(snapshot.name)} v${String(snapshot.version)} state into an i8259 v1`);
    }
    restoreChip(this.masterChip.state, snapshot.master);
    restoreChip(this.slaveChip.state, snapshot.slave);
    this.sync();
  }

  /** Propagates the slave's INT to the master and tells the observers what changed. */
  private sync(): void {
    this.masterChip.setCascadeInput(PIC_CASCADE_IRQ, this.slaveChip.intOutput);
    const intr = this.masterChip.intOutput;
    const intrChanged = intr !== this.lastIntr;
    this.lastIntr = intr;
    const changed = this.recordRegisters();
    if (intrChanged) this.onIntr?.(intr);
    if (changed) this.onChange?.();
  }

  private recordRegisters(): boolean {
    const m = this.masterChip.state;
    const s = this.slaveChip.state;
    const seen = this.seen;
    if (seen[0] === m.irr && seen[1] === m.isr && seen[2] === m.imr && seen[3] === m.lines
      && seen[4] === s.irr && seen[5] === s.isr && seen[6] === s.imr && seen[7] === s.lines) return false;
    seen[0] = m.irr; seen[1] = m.isr; seen[2] = m.imr; seen[3] = m.lines;
    seen[4] = s.irr; seen[5] = s.isr; seen[6] = s.imr; seen[7] = s.lines;
    return true;
  }
}

/** Copies only the fields a PicState has, so a stray key in a snapshot cannot creep into the chip. */
function restoreChip(target: PicState, saved: PicState): void {
  const fresh = powerOnState();
  for (const key of Object.keys(fresh) as (keyof PicState)[]) {
    (target as unknown as Record<string, unknown>)[key] = saved[key] ?? fresh[key];
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
