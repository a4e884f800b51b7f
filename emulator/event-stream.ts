// The machine's event stream (events.ts): hooks into the chips and the kernel that turn what
// happens into MachineEvents for whoever listens (the inspector, a trace file, a lab's checks).
//
// The hooks exist only while someone listens: with nobody listening every hot path (a port
// access, a memory access, a task switch) costs one test of an unset field, which is what keeps
// a closed inspector from slowing the machine. Listeners come and go at any time (the inspector
// opens and closes); a reset builds new chips, and the stream hooks into those.
//
// The C source line of an access (call-site.ts) costs a short stack capture per event, so only
// listeners that ask for sources pay it.
import type { MachineEvent } from './events.js';
import type { VirtualClock } from './hw/clock.js';
import type { IoPortBus } from './hw/ioport-bus.js';
import type { DualPic } from './hw/intc/i8259.js';
import type { IsaMemory } from './hw/isa-memory.js';
import type { MyDeviceCard } from './hw/cards/my-device.js';
import type { Kernel } from './kernel/kernel.js';
import type { Cpu } from './kernel/sched.js';
import type { LogRecord } from './kernel/printk.js';
import { CallSiteFinder } from './kernel/call-site.js';

export type EventListener = (event: MachineEvent) => void;

export interface ListenOptions {
  /** Attach the C source line to accesses made by module code (costs a stack capture each). */
  sources?: boolean;
}

/** The parts of a powered-on machine the stream hooks into; a reset brings new ones. */
export interface EventSourcesOfMachine {
  clock: VirtualClock;
  bus: IoPortBus;
  pic: DualPic;
  isa: IsaMemory;
  kernel: Kernel;
  cards: readonly MyDeviceCard[];
}

export class EventStream {
  private readonly listeners = new Map<EventListener, ListenOptions>();
  private parts: EventSourcesOfMachine | undefined;
  /** Every listener, as one function (the single listener itself in the common case). */
  private sink: EventListener = () => undefined;
  private sources = false;
  private readonly callSites: CallSiteFinder;
  private readonly printk = (rec: LogRecord) => this.sink({ t: this.now(), kind: 'printk', level: rec.level, text: rec.text });

  /** `wallNow`: the host's clock, for the budget of C-line lookups (call-site.ts). */
  constructor(wallNow: () => number) {
    this.callSites = new CallSiteFinder(() => this.parts!.kernel, wallNow);
  }

  /** Adds a listener; the returned function removes it. */
  listen(listener: EventListener, options: ListenOptions = {}): () => void {
    this.listeners.set(listener, options);
    this.rehook();
    return () => {
      if (this.listeners.delete(listener)) this.rehook();
    };
  }

  /** C-line lookups refused for lack of budget (a flood), since the machine was made. */
  get sourcesSkipped(): number {
    return this.callSites.skipped;
  }

  get listening(): boolean {
    return this.listeners.size > 0;
  }

  /** Hooks into a newly powered-on machine (and out of the one before, which is gone). */
  attach(parts: EventSourcesOfMachine): void {
    if (this.parts) this.unhook(this.parts);
    this.parts = parts;
    this.rehook();
  }

  private now(): number {
    return this.parts?.clock.now ?? 0;
  }

  private rehook(): void {
    const fns = [...this.listeners.keys()];
    this.sink = fns.length === 1 ? fns[0]! : (e) => { for (const fn of fns) fn(e); };
    this.sources = [...this.listeners.values()].some((o) => o.sources === true);
    if (!this.parts) return;
    this.unhook(this.parts);
    if (fns.length) this.hook(this.parts);
  }

  private unhook(p: EventSourcesOfMachine): void {
    const k = p.kernel;
    k.sched.onSwitch = undefined;
    k.sched.onState = undefined;
    k.log.listeners.delete(this.printk);
    k.onIrqFlag = undefined;
    if (k.modules) k.modules.onStateChange = undefined;
    p.bus.onAccess = undefined;
    p.isa.onAccess = undefined;
    p.pic.onChange = undefined;
    for (const card of p.cards) {
      card.onEvent = undefined;
      card.onMemoryWrite = undefined;
    }
  }

  private hook(p: EventSourcesOfMachine): void {
    const { clock, kernel: k, pic } = p;
    const emit = (e: MachineEvent) => this.sink(e);
    const site = () => (this.sources ? this.callSites.find() : undefined);
    k.sched.onSwitch = (cpu, task) => emit({ t: clock.now, kind: 'switch', cpu: cpu.id, pid: task.pid, comm: task.comm });
    k.sched.onState = (task) => emit({ t: clock.now, kind: 'task', pid: task.pid, comm: task.comm, state: task.state, wchan: task.wchan });
    k.log.listeners.add(this.printk);
    p.bus.onAccess = (a) => {
      const e: MachineEvent = { t: clock.now, kind: 'port', dir: a.kind, port: a.port, size: a.size, value: a.value, owner: a.owner };
      emit(withSite(e, site()));
    };
    p.isa.onAccess = (a) => {
      const e: MachineEvent = { t: clock.now, kind: 'mem', dir: a.kind, by: 'host', addr: a.addr, size: a.size, owner: a.owner };
      if (a.value !== undefined) e.value = a.value;
      emit(withSite(e, site()));
    };
    k.onIrqFlag = (cpu, enabled) => emit(withSite(irqFlagEvent(k, cpu, enabled, clock.now), site()));
    if (k.modules) k.modules.onStateChange = (name, state) => emit({ t: clock.now, kind: 'module', name, state });
    for (const card of p.cards) {
      const mem = card.jumpers.mem;
      card.onEvent = (e) => emit({ t: e.timeNs, kind: 'card', card: card.name, io: card.jumpers.io, event: e.kind, state: card.activity, detail: e.detail });
      card.onMemoryWrite = (offset, size) => emit({ t: clock.now, kind: 'mem', dir: 'write', by: 'card', addr: mem + offset, size, owner: card.name });
    }
    // An edge is a line whose level differs from the last the stream saw.
    let lines = pic.master.lines | (pic.slave.lines << 8);
    pic.onChange = () => {
      const [m, s] = [pic.master, pic.slave];
      const now = m.lines | (s.lines << 8);
      const t = clock.now;
      for (let changed = now ^ lines; changed !== 0; changed &= changed - 1) {
        const line = 31 - Math.clz32(changed & -changed);
        emit({ t, kind: 'irq', line, level: ((now >> line) & 1) === 1 });
      }
      lines = now;
      emit({ t, kind: 'pic', lines: now, irr: m.irr | (s.irr << 8), isr: m.isr | (s.isr << 8), imr: m.imr | (s.imr << 8), intr: pic.intr });
    };
  }
}

function withSite<E extends MachineEvent & { src?: string; fn?: string }>(e: E, site: { src?: string; fn: string } | undefined): E {
  if (site) {
    e.fn = site.fn;
    if (site.src !== undefined) e.src = site.src;
  }
  return e;
}

/**
 * Who changed the flag: the entry into an interrupt handler clears it for the handler (and a
 * 2.2 "slow" handler sets it again); otherwise the task running (cli, local_irq_save, the return
 * from the interrupt).
 */
function irqFlagEvent(k: Kernel, cpu: Cpu, enabled: boolean, t: number): MachineEvent {
  if (cpu.inInterrupt > 0) {
    const e: MachineEvent = { t, kind: 'irqflag', cpu: cpu.id, enabled, by: 'irq' };
    // The innermost handler: only a line of higher priority (a lower number) can nest in
    // another's (2.2's slow handlers run with interrupts on).
    for (let irq = 0; irq < k.irqDesc.length; irq++) {
      if (k.irqDesc[irq]!.inProgress) { e.irq = irq; break; }
    }
    return e;
  }
  const task = cpu.current;
  const e: MachineEvent = { t, kind: 'irqflag', cpu: cpu.id, enabled, by: 'task' };
  // No task on the CPU: its idle loop, which Linux names swapper.
  e.pid = task?.pid ?? 0;
  e.comm = task?.comm ?? 'swapper';
  return e;
}
