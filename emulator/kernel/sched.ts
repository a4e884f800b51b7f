// Tasks, CPUs and the scheduler. Every task is a coroutine: TypeScript
// programs are async functions, C code is asyncified wasm that unwinds at
// sleeps and preemption points. One task executes at a time in the host; the
// machine's CPUs are interleaved by virtual time (the CPU that is furthest
// behind runs next), and every choice that could go either way is made by a
// seeded generator, so one seed gives one interleaving (ARCHITECTURE.md, 4).
import type { VirtualClock } from '../hw/clock.js';
import type { OpenFile } from './fs/types.js';
import type { UserMemory } from './uaccess.js';
import { Prng } from './prng.js';

export type TaskState = 'R' | 'S' | 'D' | 'T' | 'Z';

/** task_state_to_char(): the state ps and SysRq print; TASK_IDLE is I since Linux 4.14 (2.2 had no such state: S). */
export function taskStateChar(task: Task, personality: 'modern' | '2.2'): string {
  if (task.state === 'D' && task.idleSleep) return personality === 'modern' ? 'I' : 'S';
  return task.state;
}

export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
  SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15,
  SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22;

/** Signals whose default action stops the task. */
export const STOP_SIGNALS = (1 << SIGSTOP) | (1 << SIGTSTP) | (1 << SIGTTIN) | (1 << SIGTTOU);

export const SIGNAL_NAMES: Record<number, string> = {
  1: 'HUP', 2: 'INT', 3: 'QUIT', 4: 'ILL', 5: 'TRAP', 6: 'ABRT', 7: 'BUS', 8: 'FPE', 9: 'KILL', 10: 'USR1',
  11: 'SEGV', 12: 'USR2', 13: 'PIPE', 14: 'ALRM', 15: 'TERM', 17: 'CHLD', 18: 'CONT', 19: 'STOP', 20: 'TSTP', 21: 'TTIN', 22: 'TTOU',
};

export class WaitQueue {
  readonly waiters = new Set<Task>();
  constructor(readonly name = 'wait_queue') {}
}

export interface Cred { uid: number; gid: number; euid: number; egid: number }

export class Task {
  state: TaskState = 'R';
  exitCode = 0;
  /** Signal number that killed the task, if any. */
  termSignal = 0;
  readonly children = new Set<Task>();
  readonly childExit = new WaitQueue('do_wait');
  pendingSignals = 0;
  blockedSignals = 0;
  /** What the task sleeps on, for ps's WCHAN. */
  wchan = '';
  /**
   * TASK_NOLOAD with the D state: TASK_IDLE, an uninterruptible sleep that is idleness (an idle
   * kworker), not a wait: ps shows I, the load average and SysRq-W's list of blocked tasks leave it out.
   */
  idleSleep = false;
  /** The wait queue it sleeps on (a driver's, a mutex's, a pipe's), for the inspector. */
  waitQueue: WaitQueue | undefined;
  /** Resumes the task's coroutine; set while it is blocked or not yet started. */
  resume: (() => void) | undefined;
  /** Tells the scheduler the task stopped running (blocked, yielded or exited). */
  onYield: (() => void) | undefined;
  /** Whether a wake came from a signal (interruptible sleeps return -EINTR). */
  interrupted = false;
  startTimeNs = 0;
  utimeNs = 0;
  pgid: number;
  sid: number;
  fds: (OpenFile | undefined)[] = [];
  cwd = '/';
  umask = 0o022;
  env: Map<string, string> = new Map();
  argv: string[] = [];
  /** The CPU this task is on (running or held there), if any. */
  onCpu: Cpu | undefined;
  /** The signal that stopped it (state T), and whether a waitpid(WUNTRACED) has seen that stop. */
  stopSignal = 0;
  stopReported = true;
  /** Preempted on its CPU and waiting to continue there (not in the run queue). */
  held = false;
  /** Virtual time it last started running (its time slice). */
  lastRanNs = 0;
  /** Since when it has run without a system call or a sleep (a loop that makes no progress). */
  spinSinceNs = 0;
  /** What last brought the task into module code ('read', 'ioctl', 'init_module'...): the bottom of its kernel stack trace. */
  kernelEntry = '';

  constructor(
    readonly pid: number,
    public parent: Task | undefined,
    public comm: string,
    public cred: Cred,
    public mm: UserMemory | undefined,
    readonly kind: 'user' | 'kthread' | 'idle' = 'user',
  ) {
    this.pgid = parent?.pgid ?? pid;
    this.sid = parent?.sid ?? pid;
  }

  get alive(): boolean { return this.state !== 'Z'; }

  /** is_global_init(): the first user process, the one with no parent (pid 1 unless a kernel thread came first). */
  get isInit(): boolean { return this.kind === 'user' && this.parent === undefined; }
}

/** Thrown inside a TypeScript task when a signal's default action ends it. */
export class TaskKilled extends Error {
  constructor(readonly signal: number) { super(`killed by signal ${signal}`); }
}

/**
 * A virtual CPU: the task it runs (or holds, preempted in the middle of its
 * code), how far in virtual time it has executed, and the per-CPU state the
 * kernel keeps (the interrupt flag, interrupt nesting, preempt count).
 */
export class Cpu {
  /** The task on this CPU: running now, or preempted and waiting to continue here. */
  current: Task | undefined;
  /** CPU time (ns) this CPU has spent running tasks: the CPU that did the least runs next. */
  time = 0;
  irqsEnabled = true;
  inInterrupt = 0;
  preemptCount = 0;
  /** When the CPU last scheduled (the soft lockup watchdog's touch timestamp). */
  touchTs = 0;
  /** When the interrupt flag was last cleared while a task kept running (hard lockup detection). */
  irqsOffTs = 0;
  softLockupReports = 0;
  softLockupReportTs = 0;
  hardLockupReported = false;
  constructor(readonly id: number) {}
}

/** Loop iterations between two preemption points, on average. */
export const FUEL_QUANTUM = 10_000;

/** Why a running task stops for a moment at a preemption point. */
export type Preemption = 'hold' | 'yield';

export class Scheduler {
  readonly runQueue: Task[] = [];
  readonly cpus: Cpu[];
  /** The CPU executing now (or the boot CPU between runs). */
  cpu: Cpu;
  /** The task executing now. */
  current: Task | undefined;
  contextSwitches = 0;
  readonly rng: Prng;
  /** Called when a task's state changes (R, S, D, T, Z): the machine's event log. */
  onState: ((task: Task) => void) | undefined;
  /** Called at every switch: which task runs on which CPU (the machine's event log). */
  onSwitch: ((cpu: Cpu, task: Task) => void) | undefined;
  /** A task held for the host's sake (not the scheduler's): resumed next, without a scheduling decision. */
  private resumeNext: Cpu | undefined;

  constructor(private readonly clock: VirtualClock, ncpus = 1, seed = 1) {
    this.cpus = Array.from({ length: ncpus }, (_, i) => new Cpu(i));
    this.cpu = this.cpus[0]!;
    this.rng = new Prng(seed);
  }

  /**
   * Fuel for C code until its next preemption point: about FUEL_QUANTUM loop
   * iterations, varied by the seed so that where code gets interrupted, and so
   * which races it loses, depends on the seed (and only on it).
   */
  quantum(): number {
    return this.rng.range(FUEL_QUANTUM / 2, FUEL_QUANTUM * 3 / 2);
  }

  /** Virtual time now. */
  now(): number {
    return this.clock.now;
  }

  /** Makes a task runnable (wake_up_process). */
  wake(task: Task): void {
    if (task.state === 'Z' || task.state === 'T') return;
    if (task.state === 'R' && (this.runQueue.includes(task) || task.onCpu)) return;
    task.state = 'R';
    task.wchan = '';
    this.onState?.(task);
    if (task !== this.current || !this.runQueue.includes(task)) this.runQueue.push(task);
  }

  /** Starts a task whose body runs when it is first scheduled. */
  start(task: Task, body: () => Promise<void>): void {
    task.startTimeNs = this.clock.now;
    task.resume = () => { void body(); };
    this.runQueue.push(task);
  }

  /**
   * Blocks the current task (its coroutine awaits the returned promise) until
   * wake() makes it runnable and the scheduler resumes it.
   */
  block(state: 'S' | 'D' | 'T', wchan: string): Promise<void> {
    const task = this.current;
    if (!task) throw new Error('block() outside a task');
    task.state = state;
    task.wchan = wchan;
    this.onState?.(task);
    return this.stop(task);
  }

  /** Gives up the CPU but stays runnable (sched_yield, or a user task whose time slice ran out). */
  yield(): Promise<void> {
    const task = this.current!;
    this.runQueue.push(task);
    return this.stop(task);
  }

  /**
   * Stops the current task for a moment without giving up its CPU: a kernel
   * that does not preempt kernel code lets other CPUs (or the host) run, then
   * continues the same task on the same CPU. `forHost` holds make no
   * scheduling decision, so they cannot change the interleaving.
   */
  hold(forHost: boolean): Promise<void> {
    const task = this.current!;
    task.held = true;
    if (forHost) this.resumeNext = this.cpu;
    return this.stop(task);
  }

  private stop(task: Task): Promise<void> {
    return new Promise<void>((resolve) => {
      task.resume = resolve;
      const y = task.onYield;
      task.onYield = undefined;
      y?.();
    });
  }

  /** Called by an exiting task as its last act. */
  finished(task: Task): void {
    const y = task.onYield;
    task.onYield = undefined;
    task.resume = undefined;
    // A task that ends while marked held must not keep its CPU: nothing would ever run there again.
    if (task.held && task.onCpu?.current === task) {
      task.onCpu.current = undefined;
      task.onCpu = undefined;
      task.held = false;
    }
    y?.();
  }

  /** Whether a runnable task waits in the run queue. */
  private queued(): boolean {
    return this.runQueue.some((x) => x.state === 'R' && x.resume && !x.onCpu);
  }

  /**
   * Whether another CPU should run now: an idle one while work is queued (a
   * real CPU would have started it already), or a busy one that has done
   * more than `slackNs` less CPU time than the running one.
   */
  otherCpuBehind(slackNs: number): boolean {
    if (this.cpus.length === 1) return false;
    const me = this.cpu;
    for (const c of this.cpus) {
      if (c === me) continue;
      if (!c.current) { if (this.queued()) return true; continue; }
      if (c.current.state === 'R' && c.current.resume && c.time + slackNs < me.time) return true;
    }
    return false;
  }

  /** An idle CPU that takes work counts its CPU time from level with the busy ones, so neither starves. */
  private joinTime(c: Cpu): number {
    let t = Infinity;
    for (const o of this.cpus) if (o !== c && o.current) t = Math.min(t, o.time);
    return t === Infinity ? c.time : Math.max(c.time, t);
  }

  /**
   * The scheduling decision: an idle CPU takes queued work first; otherwise
   * the busy CPU that has done the least CPU time continues. Ties go to the
   * seeded generator.
   */
  private pickCpu(): { cpu: Cpu; task: Task; forHost?: true } | undefined {
    const forHost = this.resumeNext;
    this.resumeNext = undefined;
    if (forHost?.current?.resume && forHost.current.state === 'R') return { cpu: forHost, task: forHost.current, forHost: true };
    const choose = (cpus: Cpu[]) => (cpus.length === 1 ? cpus[0]! : cpus[this.rng.next() % cpus.length]!);
    const idle = this.queued() ? this.cpus.filter((c) => !c.current) : [];
    if (idle.length) {
      const cpu = choose(idle);
      let task: Task | undefined;
      while ((task = this.runQueue.shift())) {
        if (task.state === 'R' && task.resume && !task.onCpu) break;
      }
      if (task) {
        cpu.time = this.joinTime(cpu);
        cpu.touchTs = this.clock.now;
        cpu.current = task;
        task.onCpu = cpu;
        return { cpu, task };
      }
    }
    let best: Cpu[] = [];
    for (const c of this.cpus) {
      if (!c.current || c.current.state !== 'R' || !c.current.resume) continue;
      if (!best.length || c.time < best[0]!.time) best = [c];
      else if (c.time === best[0]!.time) best.push(c);
    }
    if (!best.length) return undefined;
    const cpu = choose(best);
    return { cpu, task: cpu.current! };
  }

  /** Runs one task on one CPU until it stops running; false when nothing was runnable. */
  async runOne(): Promise<boolean> {
    const pick = this.pickCpu();
    if (!pick) return false;
    const { cpu, task, forHost } = pick;
    this.cpu = cpu;
    this.current = task;
    task.held = false;
    // A pause for the host is invisible to the machine: no switch happened.
    if (!forHost) {
      this.contextSwitches++;
      this.onSwitch?.(cpu, task);
      task.lastRanNs = this.clock.now;
    }
    const stopped = new Promise<void>((resolve) => { task.onYield = resolve; });
    const resume = task.resume!;
    task.resume = undefined;
    resume();
    await stopped;
    if (!task.held) {
      cpu.current = undefined;
      task.onCpu = undefined;
      cpu.touchTs = this.clock.now;
    }
    this.current = undefined;
    this.cpu = this.cpus[0]!;
    return true;
  }
}
