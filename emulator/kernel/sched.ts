// Tasks and the scheduler. Every task is a coroutine: TypeScript programs are
// async functions, C programs (later) asyncified wasm. Exactly one task runs at
// a time; it runs until it blocks, yields or exits, and the scheduler picks the
// next runnable task in a deterministic order (ARCHITECTURE.md decision 4).
import type { VirtualClock } from '../hw/clock.js';
import type { OpenFile } from './fs/types.js';
import type { UserMemory } from './uaccess.js';

export type TaskState = 'R' | 'S' | 'D' | 'T' | 'Z';

export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
  SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15,
  SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20;

export const SIGNAL_NAMES: Record<number, string> = {
  1: 'HUP', 2: 'INT', 3: 'QUIT', 4: 'ILL', 5: 'TRAP', 6: 'ABRT', 7: 'BUS', 8: 'FPE', 9: 'KILL', 10: 'USR1',
  11: 'SEGV', 12: 'USR2', 13: 'PIPE', 14: 'ALRM', 15: 'TERM', 17: 'CHLD', 18: 'CONT', 19: 'STOP', 20: 'TSTP',
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
}

/** Thrown inside a TypeScript task when a signal's default action ends it. */
export class TaskKilled extends Error {
  constructor(readonly signal: number) { super(`killed by signal ${signal}`); }
}

export class Scheduler {
  readonly runQueue: Task[] = [];
  current: Task | undefined;
  contextSwitches = 0;

  constructor(private readonly clock: VirtualClock) {}

  /** Makes a task runnable (wake_up_process). */
  wake(task: Task): void {
    if (task.state === 'Z' || task.state === 'R' && this.runQueue.includes(task)) return;
    if (task.state === 'T') return;
    task.state = 'R';
    task.wchan = '';
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
  block(state: 'S' | 'D', wchan: string): Promise<void> {
    const task = this.current;
    if (!task) throw new Error('block() outside a task');
    task.state = state;
    task.wchan = wchan;
    return new Promise<void>((resolve) => {
      task.resume = resolve;
      const y = task.onYield;
      task.onYield = undefined;
      y?.();
    });
  }

  /** Gives up the CPU but stays runnable (sched_yield / cond_resched). */
  yield(): Promise<void> {
    const task = this.current!;
    this.runQueue.push(task);
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
    y?.();
  }

  /** Runs one runnable task until it stops running; false when nothing was runnable. */
  async runOne(): Promise<boolean> {
    let task: Task | undefined;
    while ((task = this.runQueue.shift())) {
      if (task.state === 'R' && task.resume) break;
    }
    if (!task) return false;
    this.current = task;
    this.contextSwitches++;
    const stopped = new Promise<void>((resolve) => { task!.onYield = resolve; });
    const resume = task.resume!;
    task.resume = undefined;
    resume();
    await stopped;
    this.current = undefined;
    return true;
  }
}
