// What the hardware inspector shows, as it travels from a session's machine (aggregated in its
// worker thread: main/session/inspector/) to the UI: a state published a few times a second,
// timeline slices asked for by the window the UI looks at, time control and the card's
// switches. The machine's own events are emulator/events.ts's MachineEvent (plain data without
// imports: the one definition the machine, the trace file, the checks and the UI share).
import type { CardState, MachineEvent } from '../../../emulator/events.js';

export type { CardState, MachineEvent };

export type Pacing = 'fast' | 'realtime';

/** The machine's virtual clock and time control. */
export interface ClockView {
  nowNs: number;
  paused: boolean;
  stepping: boolean;
  pacing: Pacing;
  /** Clock events fired since power-on (a step fires one). */
  firedEvents: number;
  next?: { atNs: number; label?: string };
}

export interface StepReport {
  fromNs: number;
  toNs: number;
  event?: { atNs: number; label?: string };
  fired: number;
}

export type TimeAction = 'pause' | 'resume' | 'step' | 'realtime' | 'fast';

export interface TimeReport {
  clock: ClockView;
  /** For 'step': where it went. */
  step?: StepReport;
}

/** A named bit of a register, set or not (STATUS's READY, the PIC's IRR bit 5). */
export interface BitView {
  name: string;
  bit: number;
  set: boolean;
}

/** An I/O port range as /proc/ioports lists it, nested. */
export interface PortClaimView {
  start: number;
  end: number;
  name: string;
  depth: number;
  /** The device that decodes the range on the bus, when one does. */
  device?: string;
}

export interface PortView {
  port: number;
  /** Who decodes it on the bus ("my_device", "pic1"). */
  owner?: string;
  /** The register's name on its device ("DOORBELL"), when known. */
  register?: string;
  reads: number;
  writes: number;
  lastRead?: number;
  lastWrite?: number;
  lastReadNs?: number;
  lastWriteNs?: number;
  /** The last value read or written, decoded ("READY EXIST IRQ", "NO_ACK"), when the register has meaning. */
  decodedRead?: string;
  decodedWrite?: string;
  /** The C line of the last access from a module. */
  src?: string;
}

export interface PicView {
  irr: number;
  isr: number;
  imr: number;
  lines: number;
  vectorBase: number;
}

export interface IrqLineView {
  irq: number;
  level: boolean;
  masked: boolean;
  /** Rising edges seen since the inspector started watching. */
  edges: number;
  /** Interrupts the kernel took on the line since boot (/proc/interrupts). */
  handled: number;
  handlers: string[];
}

export interface CpuFlagView {
  cpu: number;
  /** EFLAGS.IF. */
  enabled: boolean;
  /** Who changed it last, when the inspector saw it: "insmod[212]", "IRQ 5 handler". */
  by?: string;
  atNs?: number;
  src?: string;
  fn?: string;
}

export interface InterruptsView {
  master: PicView;
  slave: PicView;
  /** INTR, the 8259 pair's output to the CPUs. */
  intr: boolean;
  lines: IrqLineView[];
  cpus: CpuFlagView[];
}

export interface CardPortView {
  port: number;
  /** PORT_STATUS: IDLE, BUSY or ERROR. */
  state: string;
  rxPending: number;
  /** The first bytes waiting in the receive buffer. */
  rxHead: number[];
  txTotal: number;
  rxDropped: number;
}

export interface CardFaultsView {
  extraLatencyMs: number;
  lostIrqProbability: number;
  stuckBusy: boolean;
  spuriousIrqPerSec: number;
  crashAfterCommands: number | null;
}

export interface CardEventView {
  t: number;
  event: string;
  state: CardState;
  detail: string;
}

/** A named region of a card's shared-memory window. */
export interface MemoryRegionView {
  name: string;
  offset: number;
  size: number;
  /** A decoded header ("cmd WRITE, port 2, length 5"). */
  header?: string;
}

export interface CardView {
  index: number;
  name: string;
  io: number;
  irq: number;
  mem: number;
  state: CardState;
  status: number;
  statusBits: BitView[];
  error: number;
  errorName: string;
  fwVersion: number;
  portSelect: number;
  /** The command the card is working on. */
  command?: string;
  /** The start window or boot under way. */
  timing?: string;
  ports: CardPortView[];
  faults: CardFaultsView;
  /** Its latest state-machine events, newest last. */
  events: CardEventView[];
  regions: MemoryRegionView[];
}

/** Bytes of a card's window that changed: 256-byte blocks as hex. */
export interface MemoryBlock {
  offset: number;
  hex: string;
}

export interface MemoryWriteView {
  t: number;
  /** Offset in the window. */
  offset: number;
  size: number;
  by: 'host' | 'card';
  src?: string;
}

export interface MemoryView {
  card: number;
  base: number;
  size: number;
  /** The whole window when `full`, else only the blocks that changed since the last state. */
  full: boolean;
  blocks: MemoryBlock[];
  /** Writes since the last state (the UI highlights them as they happen). */
  writes: MemoryWriteView[];
}

export interface TaskView {
  pid: number;
  ppid: number;
  comm: string;
  state: string;
  wchan: string;
  /** The wait queue or lock it sleeps on ("my_device: wait queue 0x1a40"). */
  waitsOn?: string;
  /** The module C function it is in, with its line ("card_read+0x2c/0x90 [my_device] (/home/lab/my_device.c:88)"). */
  inModule?: string;
  module?: string;
  cpu?: number;
}

export interface StreamView {
  /** Events the inspector has seen since it started watching this machine. */
  total: number;
  /** Events per second of host time, lately. */
  perSecond: number;
  /** C-line lookups skipped for lack of budget (a flood). */
  sourcesSkipped: number;
}

export interface RecordingView {
  file: string;
  events: number;
  recording: boolean;
}

export interface InspectorState {
  /** A new boot is a new number (everything starts over). */
  boot: number;
  clock: ClockView;
  stream: StreamView;
  portClaims: PortClaimView[];
  ports: PortView[];
  interrupts: InterruptsView;
  cards: CardView[];
  memory: MemoryView[];
  tasks: TaskView[];
  recording?: RecordingView;
}

// ---- The timeline ---------------------------------------------------------------------------

export type LaneKind = 'marks' | 'level' | 'state';

export interface TimelineQuery {
  fromNs: number;
  toNs: number;
  /** Pixels (buckets) across the window. */
  width: number;
  /** The event list: from the window's start, or its end (following the live machine). */
  anchor: 'start' | 'end';
  /** Lane ids whose events the list shows; all when absent. */
  lanes?: string[];
}

export type MarkTone = 'in' | 'out' | 'read' | 'write' | 'card' | 'info' | 'warn' | 'error';

export interface TimelineMark {
  t: number;
  seq: number;
  tone: MarkTone;
  text: string;
}

export interface TimelineSegment {
  from: number;
  to: number;
  /** '1'/'0' for a level; a state name; '~' for several within one pixel. */
  value: string;
}

export interface TimelineLane {
  id: string;
  label: string;
  kind: LaneKind;
  /** Each event, when there are few enough to draw one by one. */
  marks?: TimelineMark[];
  /** Otherwise how many per pixel. */
  counts?: number[];
  segments?: TimelineSegment[];
  /** Events of the lane in the window. */
  total: number;
}

export interface TimelineEvent {
  seq: number;
  lane: string;
  /** One line, decoded: "out 0x202 DOORBELL ← 0x01". */
  text: string;
  event: MachineEvent;
}

export interface TimelineSlice {
  fromNs: number;
  toNs: number;
  nowNs: number;
  /** Before this, only per-bucket summaries are kept (a flood pushed the details out). */
  detailFromNs: number;
  lanes: TimelineLane[];
  events: TimelineEvent[];
  eventsInWindow: number;
}
