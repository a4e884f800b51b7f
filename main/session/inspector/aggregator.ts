// The inspector's side of a machine, in its worker thread: listens to the event stream while
// someone watches (the hot paths are unhooked otherwise), keeps per-port counters and last
// values, per-line edge counts, who last changed each CPU's interrupt flag, the card's latest
// events and the timeline, and makes the state the UI shows a few times a second from those and
// from the chips themselves (the PIC's registers, the card's state, its window, the tasks).
// The UI never sees the raw stream: 100 000 events a second become one state and the slices of
// the timeline it asks for.
import type { Machine } from '../../../emulator/machine.js';
import type { MachineEvent } from '../../../emulator/events.js';
import type { Kernel } from '../../../emulator/kernel/kernel.js';
import type { MyDeviceCard } from '../../../emulator/hw/cards/my-device.js';
import type { Task } from '../../../emulator/kernel/sched.js';
import type { Resource } from '../../../emulator/kernel/resources.js';
import type {
  CardEventView, CardView, CpuFlagView, InspectorState, InterruptsView, MemoryBlock, MemoryView, MemoryWriteView,
  PicView, PortClaimView, PortView, TaskView, TimelineQuery, TimelineSlice,
} from '../../ipc/common/inspector.js';
import { Decoder, commandName, errorName, memoryRegions, statusBits } from './decode.js';
import { Timeline, type LaneSpec } from './timeline.js';

const MEMORY_BLOCK = 256;
const CARD_EVENTS_KEPT = 24;
const MEMORY_WRITES_KEPT = 64;

interface PortStats {
  reads: number;
  writes: number;
  lastRead?: number;
  lastWrite?: number;
  lastReadNs?: number;
  lastWriteNs?: number;
  src?: string;
}

interface FlagChange {
  enabled: boolean;
  by: string;
  atNs: number;
  src?: string;
  fn?: string;
}

const IRQ_KEYS = Array.from({ length: 16 }, (_, i) => String(i));

/** Lane groups, in the order the timeline lists them. */
const ORDER = { io: 0, mem: 1, irq: 2, flag: 3, card: 4, module: 5, printk: 6, task: 7 } as const;

export class InspectorAggregator {
  readonly decoder: Decoder;
  timeline!: Timeline;
  private ports = new Map<number, PortStats>();
  private edges = new Array<number>(16).fill(0);
  private flags = new Map<number, FlagChange>();
  private cardEvents = new Map<string, CardEventView[]>();
  private memWrites: MemoryWriteView[] = [];
  private lastWindows = new Map<string, Uint8Array>();
  private readonly laneSpecs = new Map<string, Map<string, LaneSpec>>();
  private stop: (() => void) | undefined;
  private total = 0;
  private rate = { at: 0, total: 0, perSecond: 0 };
  private taskModule = new Map<number, { key: string; inModule?: string; module?: string }>();

  constructor(private readonly machine: Machine, private readonly wallNow: () => number) {
    this.decoder = new Decoder(() => machine.cards.map((c) => ({ name: c.name, io: c.jumpers.io, mem: c.jumpers.mem })));
    this.reset();
  }

  get watching(): boolean {
    return this.stop !== undefined;
  }

  /** Starts listening (the machine hooks its hot paths); a new boot starts everything over. */
  start(): void {
    if (this.stop) return;
    this.stop = this.machine.listen(this.onEvent, { sources: true });
  }

  /** Stops listening: with nobody else listening, the machine runs as if no inspector existed. */
  finish(): void {
    this.stop?.();
    this.stop = undefined;
  }

  /** A new boot (a reset): nothing seen before is about this machine. */
  reset(): void {
    this.timeline = new Timeline({ describe: (e) => this.decoder.describe(e) });
    this.ports = new Map();
    this.edges.fill(0);
    this.flags = new Map();
    this.cardEvents = new Map();
    this.memWrites = [];
    this.lastWindows = new Map();
    this.taskModule = new Map();
    this.total = 0;
  }

  readonly onEvent = (e: MachineEvent): void => {
    this.total++;
    switch (e.kind) {
      case 'port': {
        let s = this.ports.get(e.port);
        if (!s) this.ports.set(e.port, (s = { reads: 0, writes: 0 }));
        if (e.dir === 'in') { s.reads++; s.lastRead = e.value; s.lastReadNs = e.t; } else { s.writes++; s.lastWrite = e.value; s.lastWriteNs = e.t; }
        if (e.src) s.src = e.src;
        this.timeline.add(this.lane('io', e.owner ?? 'unclaimed', () => `ports ${e.owner ?? '(nobody)'}`, 'marks'), e);
        break;
      }
      case 'mem': {
        const owner = e.owner ?? 'ISA memory';
        if (e.dir === 'write') {
          const card = this.decoder.cardOfMemory(e.addr);
          if (card) {
            const w: MemoryWriteView = { t: e.t, offset: e.addr - card.mem, size: e.size, by: e.by };
            if (e.src) w.src = e.src;
            this.memWrites.push(w);
            if (this.memWrites.length > MEMORY_WRITES_KEPT) this.memWrites.shift();
          }
        }
        this.timeline.add(this.lane('mem', owner, () => `memory ${owner}`, 'marks'), e);
        break;
      }
      case 'irq':
        if (e.level) this.edges[e.line]!++;
        this.timeline.add(this.lane('irq', IRQ_KEYS[e.line]!, () => `IRQ ${e.line}`, 'level'), e, e.level ? '1' : '0');
        break;
      case 'irqflag': {
        const by = e.by === 'irq' ? `IRQ ${e.irq ?? '?'} handler` : `${e.comm ?? '?'}[${e.pid ?? '?'}]`;
        const change: FlagChange = { enabled: e.enabled, by, atNs: e.t };
        if (e.src) change.src = e.src;
        if (e.fn) change.fn = e.fn;
        this.flags.set(e.cpu, change);
        this.timeline.add(this.lane('flag', IRQ_KEYS[e.cpu]!, () => `CPU${e.cpu} IF`, 'level'), e, e.enabled ? '1' : '0');
        break;
      }
      case 'card': {
        let list = this.cardEvents.get(e.card);
        if (!list) this.cardEvents.set(e.card, (list = []));
        list.push({ t: e.t, event: e.event, state: e.state, detail: e.detail });
        if (list.length > CARD_EVENTS_KEPT) list.shift();
        this.timeline.add(this.lane('card', e.card, `card ${e.card}`, 'state'), e, e.state);
        break;
      }
      case 'task':
        // An exited task (zombie, reaped) has no lane from then on.
      {
        const spec = this.lane('task', String(e.pid), () => `${e.comm}[${e.pid}]`, 'state');
        // exec() renames the task: so does its lane.
        if (!spec.label.startsWith(`${e.comm}[`)) spec.label = `${e.comm}[${e.pid}]`;
        this.timeline.add(spec, e, e.state === 'Z' || e.state === 'X' ? '' : e.state);
      }
        break;
      case 'module':
        this.timeline.add(this.lane('module', '', 'modules', 'marks'), e);
        break;
      case 'printk':
        this.timeline.add(this.lane('printk', '', 'printk', 'marks'), e);
        break;
      case 'switch':
      case 'pic':
        // The PIC's registers are read from the chip for the state; switches show as task states.
        break;
    }
  };

  /** A lane's spec, made once per group and key: the flood's hot path makes no strings. */
  private lane(group: keyof typeof ORDER, key: string, label: string | (() => string), kind: LaneSpec['kind']): LaneSpec {
    let byKey = this.laneSpecs.get(group);
    if (!byKey) this.laneSpecs.set(group, (byKey = new Map()));
    let spec = byKey.get(key);
    if (!spec) {
      const text = typeof label === 'string' ? label : label();
      byKey.set(key, (spec = { id: key ? `${group}:${key}` : group, label: text, kind, order: ORDER[group] }));
    }
    return spec;
  }

  query(q: TimelineQuery): TimelineSlice {
    return this.timeline.query(q);
  }

  /**
   * What the UI shows now. `full` sends every card's whole window (a new watcher); otherwise
   * only the 256-byte blocks that changed since the last state.
   */
  state(full: boolean, boot: number): InspectorState {
    const m = this.machine;
    const k = m.kernel;
    const now = this.wallNow();
    if (now - this.rate.at >= 1000) {
      this.rate.perSecond = this.rate.at ? Math.round(((this.total - this.rate.total) * 1000) / (now - this.rate.at)) : 0;
      this.rate = { at: now, total: this.total, perSecond: this.rate.perSecond };
    }
    const clock = m.clockStatus;
    const state: InspectorState = {
      boot,
      clock: { nowNs: clock.nowNs, paused: clock.paused, stepping: clock.stepping, pacing: clock.pacing, firedEvents: clock.firedEvents, ...(clock.next ? { next: clock.next } : {}) },
      stream: { total: this.total, perSecond: this.rate.perSecond, sourcesSkipped: m.events.sourcesSkipped },
      portClaims: portClaims(k, m),
      ports: this.portViews(),
      interrupts: this.interrupts(k),
      cards: m.cards.map((c, i) => this.cardView(c, i)),
      memory: m.cards.map((c, i) => this.memoryView(c, i, full)),
      tasks: this.tasks(k),
    };
    this.memWrites = [];
    return state;
  }

  private portViews(): PortView[] {
    const bus = this.machine.bus;
    return [...this.ports].sort((a, b) => a[0] - b[0]).map(([port, s]) => {
      const view: PortView = { port, reads: s.reads, writes: s.writes };
      const owner = bus.owner(port);
      if (owner) view.owner = owner;
      const reg = this.decoder.register(port);
      if (reg) view.register = reg;
      if (s.lastRead !== undefined) {
        view.lastRead = s.lastRead;
        view.lastReadNs = s.lastReadNs!;
        const d = this.decoder.value(port, 'in', s.lastRead);
        if (d) view.decodedRead = d;
      }
      if (s.lastWrite !== undefined) {
        view.lastWrite = s.lastWrite;
        view.lastWriteNs = s.lastWriteNs!;
        const d = this.decoder.value(port, 'out', s.lastWrite);
        if (d) view.decodedWrite = d;
      }
      if (s.src) view.src = s.src;
      return view;
    });
  }

  private interrupts(k: Kernel): InterruptsView {
    const pic = this.machine.pic;
    const view = (s: typeof pic.master): PicView => ({ irr: s.irr, isr: s.isr, imr: s.imr, lines: s.lines, vectorBase: s.vectorBase });
    const lines = pic.master.lines | (pic.slave.lines << 8);
    const imr = pic.master.imr | (pic.slave.imr << 8);
    const cpus: CpuFlagView[] = k.sched.cpus.map((cpu) => {
      const v: CpuFlagView = { cpu: cpu.id, enabled: cpu.irqsEnabled };
      const change = this.flags.get(cpu.id);
      if (change) {
        v.by = change.by;
        v.atNs = change.atNs;
        if (change.src) v.src = change.src;
        if (change.fn) v.fn = change.fn;
      }
      return v;
    });
    return {
      master: view(pic.master),
      slave: view(pic.slave),
      intr: pic.intr,
      lines: Array.from({ length: 16 }, (_, irq) => ({
        irq,
        level: ((lines >> irq) & 1) === 1,
        masked: ((imr >> irq) & 1) === 1,
        edges: this.edges[irq]!,
        handled: k.irqCounts[irq] ?? 0,
        handlers: (k.irqActions[irq] ?? []).map((a) => a.name),
      })),
      cpus,
    };
  }

  private cardView(card: MyDeviceCard, index: number): CardView {
    const s = card.state;
    const f = card.faults;
    const status = card.status;
    const view: CardView = {
      index, name: card.name, io: card.jumpers.io, irq: card.jumpers.irq, mem: card.jumpers.mem,
      state: card.activity, status, statusBits: statusBits(status), error: s.error, errorName: errorName(s.error),
      fwVersion: s.fwVersion, portSelect: s.portSelect,
      ports: s.ports.map((p, port) => ({
        port, state: p.rxDropped > 0 ? 'ERROR' : s.command?.port === port ? 'BUSY' : 'IDLE',
        rxPending: p.rx.length, rxHead: p.rx.slice(0, 32), txTotal: p.txTotal, rxDropped: p.rxDropped,
      })),
      faults: {
        extraLatencyMs: f.extraLatencyNs / 1e6, lostIrqProbability: f.lostIrqProbability, stuckBusy: f.stuckBusy,
        spuriousIrqPerSec: f.spuriousIrqPerSec, crashAfterCommands: f.crashAfterCommands,
      },
      events: this.cardEvents.get(card.name) ?? [],
      regions: memoryRegions(card.sharedMemory),
    };
    if (s.command) view.command = `${commandName(s.command.cmd)} port ${s.command.port}, done at ${formatNs(s.command.doneAtNs)}`;
    if (s.phase === 'start-window' && s.resetAtNs !== null) view.timing = `RUN=1 between ${formatNs(s.resetAtNs + 400e6)} and ${formatNs(s.resetAtNs + 500e6)}`;
    else if (s.phase === 'starting' && s.readyAtNs !== null) view.timing = `READY at ${formatNs(s.readyAtNs)}`;
    return view;
  }

  private memoryView(card: MyDeviceCard, index: number, full: boolean): MemoryView {
    const bytes = card.sharedMemory;
    const last = this.lastWindows.get(card.name);
    const blocks: MemoryBlock[] = [];
    for (let offset = 0; offset < bytes.length; offset += MEMORY_BLOCK) {
      const block = bytes.subarray(offset, offset + MEMORY_BLOCK);
      if (!full && last && equal(block, last.subarray(offset, offset + MEMORY_BLOCK))) continue;
      blocks.push({ offset, hex: Buffer.from(block).toString('hex') });
    }
    this.lastWindows.set(card.name, bytes.slice());
    const writes = this.memWrites.filter((w) => this.decoder.cardOfMemory(card.jumpers.mem + w.offset)?.name === card.name);
    return { card: index, base: card.jumpers.mem, size: bytes.length, full: full || !last, blocks, writes };
  }

  private tasks(k: Kernel): TaskView[] {
    const out: TaskView[] = [];
    const seen = new Set<number>();
    for (const task of k.tasks.values()) {
      seen.add(task.pid);
      const view: TaskView = { pid: task.pid, ppid: task.parent?.pid ?? 0, comm: task.comm, state: task.state, wchan: task.wchan };
      if (task.waitQueue) view.waitsOn = `${task.waitQueue.name} (${task.waitQueue.waiters.size} waiting)`;
      if (task.onCpu) view.cpu = task.onCpu.id;
      const where = this.moduleOf(k, task);
      if (where?.inModule) view.inModule = where.inModule;
      if (where?.module) view.module = where.module;
      out.push(view);
    }
    for (const pid of this.taskModule.keys()) if (!seen.has(pid)) this.taskModule.delete(pid);
    return out;
  }

  /** The module C function a task is suspended in; asked again only when the task has moved. */
  private moduleOf(k: Kernel, task: Task): { inModule?: string; module?: string } | undefined {
    if (!k.modules || task === k.sched.current) return undefined;
    const key = `${task.state}|${task.wchan}|${task.lastRanNs}`;
    const cached = this.taskModule.get(task.pid);
    if (cached?.key === key) return cached;
    const found = k.modules.suspendedIn(task);
    const entry: { key: string; inModule?: string; module?: string } = { key };
    if (found) {
      entry.module = found.mod.name;
      if (found.frames[0]) entry.inModule = found.frames[0];
    }
    this.taskModule.set(task.pid, entry);
    return entry;
  }
}

function portClaims(k: Kernel, m: Machine): PortClaimView[] {
  const out: PortClaimView[] = [];
  const claims = m.bus.claims();
  const walk = (r: Resource, depth: number) => {
    for (const c of r.children) {
      const view: PortClaimView = { start: c.start, end: c.end, name: c.name, depth };
      const device = claims.find((d) => d.base <= c.start && c.start < d.base + d.length);
      if (device) view.device = device.owner;
      out.push(view);
      walk(c, depth + 1);
    }
  };
  walk(k.ioports.root, 0);
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatNs(ns: number): string {
  const s = Math.floor(ns / 1e9);
  const rest = Math.floor(ns % 1e9);
  return `${s}.${String(rest).padStart(9, '0').slice(0, 6)} s`;
}
