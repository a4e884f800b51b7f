// Kernel threads (kernel/kthread.c): tasks of kind 'kthread' with no user
// memory, running a kernel function in process context, so they may sleep.
// kthread_create() makes the task but leaves it asleep until the first
// wake_up_process(); kthread_stop() asks it to stop, wakes it and waits for
// its exit, returning what the thread function returned.
import type { Kernel } from './kernel.js';
import { type Task, WaitQueue } from './sched.js';
import { EINTR } from './errno.js';
import type { Maybe } from './maybe.js';
import { KernelPanic, OopsExit } from './oops.js';

/** TASK_COMM_LEN - 1: the longest name a task can have. */
export const TASK_COMM_MAX = 15;

const threads = new WeakMap<Task, KThread>();

/** The kthread record of a task (kthread_should_stop() asks it of `current`). */
export function kthreadOf(task: Task | undefined): KThread | undefined {
  return task ? threads.get(task) : undefined;
}

export class KThread {
  readonly task: Task;
  shouldStop = false;
  private started = false;
  exited = false;
  /** The thread function's return value once it has exited. */
  result = 0;
  /** Called when the thread has exited (on its own or after kthread_stop()). */
  onExit: (() => void) | undefined;
  private readonly exit = new WaitQueue('kthread_stop');

  constructor(private readonly k: Kernel, comm: string, private readonly threadfn: () => Maybe<number>) {
    // Kernel threads are root's, have no session or process group, and sleep until first woken.
    this.task = k.createTask(undefined, comm.slice(0, TASK_COMM_MAX), { uid: 0, gid: 0, euid: 0, egid: 0 }, 'kthread');
    this.task.pgid = 0;
    this.task.sid = 0;
    this.task.state = 'D';
    this.task.wchan = 'kthread';
    threads.set(this.task, this);
  }

  /** wake_up_process(): the first wake starts the thread; later ones end a sleep. */
  wake(): void {
    if (this.exited || this.task.state === 'Z') return;
    if (this.started) { this.k.sched.wake(this.task); return; }
    this.started = true;
    this.task.state = 'R';
    this.task.wchan = '';
    this.k.sched.start(this.task, () => this.body());
  }

  private async body(): Promise<void> {
    // kthread(): a thread stopped before it ever ran does not call its function.
    let result = -EINTR;
    let signal = 0;
    try {
      if (!this.shouldStop) result = Number(await this.threadfn());
    } catch (e) {
      // After a panic nothing runs on; a thread whose function oopsed dies (make_task_dead).
      if (e instanceof KernelPanic) { this.k.sched.finished(this.task); return; }
      if (!(e instanceof OopsExit)) throw e;
      signal = e.signal;
    }
    this.result = result | 0;
    this.exited = true;
    this.k.wakeAll(this.exit);
    this.onExit?.();
    await this.k.exitTask(this.task, 0, signal);
    this.k.sched.finished(this.task);
  }

  /** kthread_stop(): resolves the thread function's return value once the thread has exited. */
  async stop(): Promise<number> {
    this.shouldStop = true;
    this.wake();
    while (!this.exited) await this.k.sleepOn(this.exit, 'kthread_stop', false);
    return this.result;
  }

  /**
   * The code the thread runs is going away (its module was unloaded): the
   * task is ended where it stands and never resumed.
   */
  kill(): void {
    if (this.exited) return;
    this.exited = true;
    this.shouldStop = true;
    this.task.state = 'Z';
    this.task.resume = undefined;
    this.k.tasks.delete(this.task.pid);
    this.k.wakeAll(this.exit);
  }
}
