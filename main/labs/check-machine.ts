// A virtual PC as a lab's checks drive it (check-api.ts, CheckMachine): a real Machine booted
// in-process on the check run's copy of the workspace, whose event stream is recorded so that
// checks can ask what happened (dmesg, port accesses, IRQ edges, what rmmod left behind,
// busy-waits) besides what the shell printed.
import type { MachineEvent } from '../../emulator/events.js';
import type { Host } from '../../emulator/host.js';
import type { Kernel } from '../../emulator/kernel/kernel.js';
import type { Resource } from '../../emulator/kernel/resources.js';
import { SIGKILL, type Task } from '../../emulator/kernel/sched.js';
import { Machine, type MachineConfig } from '../../emulator/machine.js';
import { firstBuildError } from './build-errors.js';
import { liveWasmFrames } from '../../emulator/kernel/stacktrace.js';
import type {
  CardView, CheckMachine, CpuView, KernelMessage, KernelProblem, Location, Mark, ModuleInfo, Personality, Region, Resources,
  ShellResult, TaskInfo, UnloadReport,
} from './check-api.js';
import { CheckFailure } from './failure.js';

/** The event log keeps this many of the latest events (a polling driver makes millions). */
const MAX_EVENTS = 200_000;
const MAX_PRINTK = 50_000;
const DEFAULT_TIMEOUT_MS = 60_000;
/** A command printing more than this is stopped (a read that never returns 0 makes cat print forever). */
const OUTPUT_LIMIT = 256 << 10;
/** After the timeout's SIGKILL, how long (virtual) tasks get to die before the machine is written off. */
const KILL_GRACE_MS = 10_000;
/** The last resort against a machine that stops making progress (wall clock). */
const WALL_LIMIT_MS = 30_000;
const WALL_TICK_MS = 250;
/** A charge this long in one go is a delay (mdelay, udelay, __delay), not an instruction. */
const DELAY_CHARGE_NS = 50_000;
/** How often a loop running with interrupts off has its place recorded (a stack trace costs). */
const SPIN_SAMPLE_NS = 10_000_000;

type PortEvent = Extract<MachineEvent, { kind: 'port' }>;
type PrintkEvent = Extract<MachineEvent, { kind: 'printk' }>;

const PROBLEM_HEAD: [RegExp, KernelProblem['kind']][] = [
  [/^Kernel panic\b/, 'panic'],
  [/^(BUG: unable to handle|Oops\b|general protection fault)/, 'Oops'],
  [/^watchdog: (BUG: soft lockup|Watchdog detected hard LOCKUP)/, 'lockup'],
  [/^INFO: task .* blocked for more than/, 'hang'],
  [/^BUG:/, 'BUG'],
  [/^WARNING:/, 'WARNING'],
];

const UNLOAD_LEFT = /^(\S+): (?:unloaded|init failed) but left (.+) registered; the kernel removed them$/;
const UNLOAD_LEAK = /^(\S+): (\d+) kmalloc allocation\(s\), (\d+) bytes, not freed (?:at unload|when init failed) \(memory leak\)$/;

export interface CheckMachineOptions {
  /** Whether the host is working for the machine now (compiling): that time is not the command's. */
  hostBusy?: () => boolean;
  personality: Personality;
  seed: number;
  cmdline?: string;
  cards?: MachineConfig['cards'];
}

export class LabMachine implements CheckMachine {
  readonly machine: Machine;
  readonly seed: number;
  readonly personality: Personality;
  /** Why the machine cannot run commands any more, once it cannot. */
  dead: string | undefined;
  private terminal = '';
  /** Called once when a command's output passes OUTPUT_LIMIT. */
  private onFlood: (() => void) | undefined;
  private readonly eventLog: MachineEvent[] = [];
  /** How many events were dropped from the front of eventLog. */
  private eventBase = 0;
  private readonly printkLog: PrintkEvent[] = [];
  private printkBase = 0;
  /** Stretches of kernel time without a sleep, by task and start. */
  private readonly busySpans = new Map<string, { startNs: number; endNs: number; comm: string }>();
  private watchedKernel: Kernel | undefined;
  /** Per CPU: when and where module code last turned interrupts off, and where it has run with them off since. */
  private irqsOffBy = new Map<number, { sinceNs: number; by: string[] }>();
  private spinningIn = new Map<number, { atNs: number; frames: string[] }>();

  private readonly hostBusy: () => boolean;

  constructor(host: Host, options: CheckMachineOptions) {
    this.hostBusy = options.hostBusy ?? (() => false);
    this.seed = options.seed;
    this.personality = options.personality;
    const config: MachineConfig = {
      personality: options.personality, seed: options.seed, pacing: 'fast', cmdline: options.cmdline ?? '',
      cards: options.cards, onEvent: (e) => this.record(e),
      // A check sees its commands' output only, not the boot's (init's boot scripts print after boot() returns).
      showBoot: false,
    };
    let booted = false;
    this.machine = new Machine(host, config, (text) => {
      if (!booted) return;
      this.terminal += text;
      if (this.terminal.length > OUTPUT_LIMIT && this.onFlood) {
        const flood = this.onFlood;
        this.onFlood = undefined;
        flood();
      }
    });
    this.machine.boot();
    booted = true;
    this.machine.endInput();
  }

  private record(e: MachineEvent): void {
    this.eventLog.push(e);
    if (this.eventLog.length > MAX_EVENTS * 1.25) {
      const drop = this.eventLog.length - MAX_EVENTS;
      this.eventLog.splice(0, drop);
      this.eventBase += drop;
    }
    if (e.kind === 'printk') {
      this.printkLog.push(e);
      if (this.printkLog.length > MAX_PRINTK * 1.25) {
        const drop = this.printkLog.length - MAX_PRINTK;
        this.printkLog.splice(0, drop);
        this.printkBase += drop;
      }
    }
  }

  private get kernel(): Kernel {
    return this.machine.kernel;
  }

  /**
   * Busy-wait accounting, hooked into the kernel the machine runs now (a reboot makes a new one).
   * Time in the kernel without sleeping is what the kernel itself keeps as task.spinSinceNs
   * (reset at system call entry, on entering module code and after a sleep); it is read where
   * module code burns CPU: at its preemption points, and in the delay functions it calls.
   */
  private watchKernel(): void {
    const k = this.kernel;
    if (this.watchedKernel === k) return;
    this.watchedKernel = k;
    const preemptionPoint = k.preemptionPoint.bind(k);
    const charge = k.charge.bind(k);
    let inPreemptionPoint = false;
    const note = (task: Task | undefined) => {
      if (!task || task.kind === 'idle' || k.clock.now <= task.spinSinceNs) return;
      const key = `${task.pid}:${task.spinSinceNs}`;
      const span = this.busySpans.get(key);
      if (span) span.endNs = k.clock.now;
      else this.busySpans.set(key, { startNs: task.spinSinceNs, endNs: k.clock.now, comm: task.comm });
      if (this.busySpans.size > 10_000) {
        for (const [key2, s2] of this.busySpans) if (s2.endNs - s2.startNs < 1e6) this.busySpans.delete(key2);
      }
    };
    k.preemptionPoint = (task, mode, ns, canStop) => {
      inPreemptionPoint = true;
      try {
        return preemptionPoint(task, mode, ns, canStop);
      } finally {
        inPreemptionPoint = false;
        if (mode === 'kernel' && !k.inInterrupt) note(task);
        if (mode === 'kernel' && !k.irqsEnabled) {
          const last = this.spinningIn.get(k.sched.cpu.id);
          if (!last || k.clock.now - last.atNs > SPIN_SAMPLE_NS) this.spinningIn.set(k.sched.cpu.id, { atNs: k.clock.now, frames: liveWasmFrames(k) });
        }
      }
    };
    // Who turns interrupts off, and where a CPU runs with them off: what a hang is told with.
    const flag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(k), 'irqsEnabled')!;
    const offBy = this.irqsOffBy;
    Object.defineProperty(k, 'irqsEnabled', {
      configurable: true,
      get() { return flag.get!.call(k) as boolean; },
      set(on: boolean) {
        const was = flag.get!.call(k) as boolean;
        flag.set!.call(k, on);
        const cpu = k.sched.cpu.id;
        if (on) offBy.delete(cpu);
        else if (was && !k.inInterrupt) {
          const by = liveWasmFrames(k);
          if (by.length) offBy.set(cpu, { sinceNs: k.clock.now, by });
        }
      },
    });
    k.charge = (ns) => {
      charge(ns);
      // Only delays called from C code: their stack has the module's wasm frames.
      if (ns >= DELAY_CHARGE_NS && !inPreemptionPoint && !k.inInterrupt && /wasm:\/\//.test(new Error().stack ?? '')) note(k.sched.current);
    };
  }

  // ---- running commands

  async sh(command: string, options: { timeoutMs?: number } = {}): Promise<ShellResult> {
    if (this.dead) throw new CheckFailure({ summary: `The machine stopped earlier, so \`${command}\` could not run: ${this.dead}` });
    this.watchKernel();
    const k = this.kernel;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const before = new Set(k.tasks.keys());
    let timedOut = false;
    let flooded = false;
    let stuck = false;
    const clock = this.machine.clock;
    // Everything the command started; not the init that runs it (it has no parent), which must
    // live to collect the shell's status.
    const killAll = () => { for (const t of k.tasks.values()) if (!before.has(t.pid) && t.parent !== undefined) k.sendSignal(t, SIGKILL); };
    // While the host compiles (make, gcc), the machine idles and fast pacing skips virtual time
    // ahead: that time is the host's, not the command's, so a deadline that falls in it moves on.
    const deadline = (afterMs: number, label: string, act: () => void): { cancel(): void } => {
      let handle = clock.schedule(clock.now + afterMs * 1e6, function fire() {
        if (hostBusy()) handle = clock.schedule(clock.now + afterMs * 1e6, fire, label);
        else act();
      }, label);
      return { cancel: () => clock.cancel(handle) };
    };
    const hostBusy = this.hostBusy;
    const kill = deadline(timeoutMs, 'check timeout', () => { timedOut = true; killAll(); });
    this.onFlood = () => { flooded = true; killAll(); };
    const giveUp = deadline(timeoutMs + KILL_GRACE_MS, 'check gives up', () => { stuck = true; this.machine.stop(); });
    let wallStop = false;
    let wallSpent = 0;
    const wall = setInterval(() => {
      if (!hostBusy()) wallSpent += WALL_TICK_MS;
      if (wallSpent > WALL_LIMIT_MS) { wallStop = true; this.machine.stop(); }
    }, WALL_TICK_MS);
    this.terminal = '';
    let status: number;
    try {
      status = await this.machine.runShell(command);
    } finally {
      this.onFlood = undefined;
      clearInterval(wall);
      kill.cancel();
      giveUp.cancel();
    }
    const output = this.terminal.replace(/\r\n/g, '\n');
    this.terminal = '';
    const stuckTasks = () => this.tasks().filter((t) => !before.has(t.pid) && t.kind === 'user' && t.state !== 'Z')
      .map((t) => `${t.pid} ${t.comm} state ${t.state}${t.wchan ? ` in ${t.wchan}` : ''}`).join('\n');
    if (k.halted !== undefined) {
      this.dead = k.hungReason ? `it hung (${k.hungReason})` : `it halted (${k.halted})`;
      const report = this.problems().at(-1);
      throw new CheckFailure({
        summary: `The virtual machine ${k.hungReason ? 'hung' : 'halted'} while running \`${command}\`.`,
        seen: [output.trimEnd(), ...(report ? [report.text, ...report.details] : [])].filter(Boolean).join('\n'),
        where: report?.where,
      });
    }
    if (stuck || wallStop) {
      this.dead = `\`${command}\` never finished, not even when killed`;
      throw new CheckFailure({
        summary: `\`${command}\` did not finish within ${timeoutMs / 1000} s of virtual time and could not be killed (a task sleeping uninterruptibly?).`,
        seen: stuckTasks() || output,
        hint: 'A task in state D waits for something only the driver can give it; look at what it sleeps on.',
      });
    }
    if (flooded) {
      throw new CheckFailure({
        summary: `\`${command}\` printed more than ${OUTPUT_LIMIT >> 10} KiB without stopping; the check killed it.`,
        seen: `${output.split('\n').slice(0, 3).join('\n')}\n...`,
        hint: 'A read function that never returns 0 (end of file) makes cat print forever.',
      });
    }
    if (timedOut) {
      throw new CheckFailure({
        summary: `\`${command}\` did not finish within ${timeoutMs / 1000} s of virtual time; the check killed it.`,
        seen: output.trimEnd() || '(no output)',
        hint: 'A read or open that sleeps and is never woken up looks like this.',
      });
    }
    return { output, status };
  }

  async build(command = 'make'): Promise<ShellResult> {
    const r = await this.sh(command);
    if (r.status === 0) return r;
    const err = firstBuildError(r.output);
    throw new CheckFailure({
      summary: `\`${command}\` failed (exit status ${r.status}).`,
      seen: err?.message ?? r.output,
      where: err?.where,
    });
  }

  async readFile(path: string): Promise<string | undefined> {
    const r = await this.sh(`sudo cat '${path.replace(/'/g, "'\\''")}' 2>/dev/null`);
    return r.status === 0 ? r.output : undefined;
  }

  // ---- history

  mark(): Mark {
    return { events: this.eventBase + this.eventLog.length, printk: this.printkBase + this.printkLog.length, timeNs: this.machine.clock.now };
  }

  now(): number {
    return this.machine.clock.now;
  }

  private printkSince(since?: Mark): PrintkEvent[] {
    return since ? this.printkLog.slice(Math.max(0, since.printk - this.printkBase)) : this.printkLog;
  }

  dmesg(since?: Mark): KernelMessage[] {
    return this.printkSince(since).map((e) => ({ time: e.t / 1e9, level: e.level, text: e.text.replace(/\n$/, '') }));
  }

  problems(since?: Mark): KernelProblem[] {
    const out: KernelProblem[] = [];
    let current: KernelProblem | undefined;
    for (const m of this.dmesg(since)) {
      const head = m.level <= 4 ? PROBLEM_HEAD.find(([re]) => re.test(m.text)) : undefined;
      if (head) {
        current = { kind: head[1], text: m.text, details: [] };
        out.push(current);
      } else if (current && m.level <= 4 && current.details.length < 40 && !UNLOAD_LEFT.test(m.text) && !UNLOAD_LEAK.test(m.text)) {
        current.details.push(m.text);
      } else current = undefined;
    }
    for (const p of out) p.where = sourceLineIn([p.text, ...p.details]);
    const k = this.kernel;
    if (k.hungReason && !since) out.push({ kind: 'hang', text: k.hungReason, details: [] });
    return out;
  }

  events(since?: Mark): readonly MachineEvent[] {
    return since ? this.eventLog.slice(Math.max(0, since.events - this.eventBase)) : this.eventLog;
  }

  portAccesses(filter: { port?: number; from?: number; to?: number; dir?: 'in' | 'out'; since?: Mark } = {}): PortEvent[] {
    const from = filter.port ?? filter.from ?? 0, to = filter.port ?? filter.to ?? 0xffff;
    return this.events(filter.since).filter((e): e is PortEvent =>
      e.kind === 'port' && e.port >= from && e.port <= to && (filter.dir === undefined || e.dir === filter.dir));
  }

  irqLine(irq: number, since?: Mark): { edges: number; high: boolean } {
    const bit = 1 << irq;
    let edges = 0;
    let last: number | undefined;
    for (const e of this.events(since)) {
      if (e.kind !== 'pic') continue;
      if (last !== undefined && !(last & bit) && e.lines & bit) edges++;
      last = e.lines;
    }
    const pic = this.machine.pic;
    return { edges, high: ((pic.master.lines | (pic.slave.lines << 8)) & bit) !== 0 };
  }

  // ---- state

  tasks(): TaskInfo[] {
    return [...this.kernel.tasks.values()].map((t) => ({ pid: t.pid, ppid: t.parent?.pid ?? 0, comm: t.comm, state: t.state, wchan: t.wchan, kind: t.kind }));
  }

  resources(): Resources {
    const k = this.kernel;
    const owned = (root: Resource): Region[] => {
      const out: Region[] = [];
      const walk = (r: Resource) => { for (const c of r.children) { if (c.owner !== undefined) out.push({ start: c.start, end: c.end, name: c.name }); walk(c); } };
      walk(root);
      return out;
    };
    const chrdevs = k.chrdevs.procDevices().split('\n').slice(1).flatMap((l) => {
      const m = /^\s*(\d+) (.+)$/.exec(l);
      return m ? [{ major: Number(m[1]), name: m[2]! }] : [];
    });
    const modules: ModuleInfo[] = k.modules.list().map((m) => ({ name: m.name, refcount: m.refcount, state: m.state }));
    return {
      ioports: owned(k.ioports.root),
      iomem: owned(k.iomem.root),
      irqs: k.irqActions.flatMap((actions, irq) => actions.length ? [{ irq, handlers: actions.map((a) => a.name), count: k.irqCounts[irq] ?? 0 }] : []),
      chrdevs,
      modules,
    };
  }

  kmalloc(module: string): { allocations: number; bytes: number } | undefined {
    const mod = this.kernel.modules.get(module);
    if (!mod) return undefined;
    const live = mod.heap.live('kmalloc');
    return { allocations: live.length, bytes: live.reduce((a, b) => a + b.size, 0) };
  }

  unloads(since?: Mark): UnloadReport[] {
    const out: UnloadReport[] = [];
    const report = (module: string) => {
      let r = out.at(-1);
      if (r?.module !== module) { r = { module, leftovers: [], leakedAllocations: 0, leakedBytes: 0 }; out.push(r); }
      return r;
    };
    for (const m of this.dmesg(since)) {
      const leak = UNLOAD_LEAK.exec(m.text);
      if (leak) {
        const r = report(leak[1]!);
        r.leakedAllocations += Number(leak[2]);
        r.leakedBytes += Number(leak[3]);
        continue;
      }
      const left = UNLOAD_LEFT.exec(m.text);
      if (left) report(left[1]!).leftovers.push(...left[2]!.split(', '));
    }
    return out;
  }

  longestBusyWait(since?: Mark): { ms: number; comm: string } | undefined {
    const from = since?.timeNs ?? 0;
    let best: { ns: number; comm: string } | undefined;
    for (const span of this.busySpans.values()) {
      const ns = span.endNs - Math.max(span.startNs, from);
      if (ns > 0 && (!best || ns > best.ns)) best = { ns, comm: span.comm };
    }
    return best && { ms: best.ns / 1e6, comm: best.comm };
  }

  cpus(): CpuView[] {
    const k = this.kernel;
    return k.sched.cpus.map((cpu) => {
      const off = cpu.irqsEnabled ? undefined : this.irqsOffBy.get(cpu.id);
      const spin = cpu.irqsEnabled ? undefined : this.spinningIn.get(cpu.id);
      return {
        id: cpu.id,
        irqsEnabled: cpu.irqsEnabled,
        task: cpu.current ? { pid: cpu.current.pid, comm: cpu.current.comm } : undefined,
        irqsOff: off && { sinceNs: off.sinceNs, by: off.by },
        spinningIn: spin && off && spin.atNs >= off.sinceNs ? spin.frames : undefined,
        timerTicks: k.irqCountsPerCpu[cpu.id]?.[0] ?? 0,
      };
    });
  }

  card(index = 0): CardView {
    const card = this.machine.cards[index];
    if (!card) throw new Error(`the machine has no card ${index} (it has ${this.machine.cards.length})`);
    const s = card.state;
    return {
      io: card.jumpers.io, irq: card.jumpers.irq, mem: card.jumpers.mem,
      status: card.status, error: s.error, phase: s.phase, fwVersion: s.fwVersion, irqAsserted: s.irqAsserted,
      rxPending: s.ports.map((p) => p.rx.length), txTotal: s.ports.map((p) => p.txTotal),
      receive: (port, bytes) => card.receive(port, typeof bytes === 'string' ? [...new TextEncoder().encode(bytes)] : bytes),
      setFaults: ({ extraLatencyMs, ...same }) => card.setFaults({ ...same, ...(extraLatencyMs === undefined ? {} : { extraLatencyNs: extraLatencyMs * 1e6 }) }),
    };
  }
}

/** The first "file.c:NN" a report names (an oops frame with its source line), relative to /home/lab. */
function sourceLineIn(lines: string[]): Location | undefined {
  for (const l of lines) {
    const m = /((?:\/home\/lab\/)?[\w./-]+\.[ch]):(\d+)/.exec(l);
    if (m) return { file: m[1]!.replace(/^\/home\/lab\//, ''), line: Number(m[2]) };
  }
  return undefined;
}
