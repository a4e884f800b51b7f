// Workqueues (kernel/workqueue.c): work items run later in process context by
// kernel worker threads (kworker/0:N), so a work function may sleep. One
// worker pool serves every workqueue; when all its workers are busy and one
// of them sleeps inside a work function, the pool starts another worker, as
// Linux's concurrency management does. A workqueue limits how many of its items
// run at once (max_active; 1 for ordered queues), and a work item never runs
// on two workers at the same time.
import type { Kernel } from './kernel.js';
import { type Task, WaitQueue } from './sched.js';
import { KThread } from './kthread.js';
import type { KernelTimer } from './timer.js';
import type { Maybe } from './maybe.js';

export const WQ_UNBOUND = 1 << 1, WQ_FREEZABLE = 1 << 2, WQ_MEM_RECLAIM = 1 << 3, WQ_HIGHPRI = 1 << 4,
  WQ_CPU_INTENSIVE = 1 << 5, __WQ_ORDERED = 1 << 17, __WQ_LEGACY = 1 << 18;
export const WQ_DFL_ACTIVE = 256;

/** The kernel's half of a struct work_struct (or delayed_work) in module memory. */
export class Work {
  /** Queued and not yet started (WORK_STRUCT_PENDING), or waiting on its delay timer. */
  pending = false;
  running = false;
  /** cancel_work_sync() in progress: queueing fails until it is done. */
  canceling = false;
  /** Queued instances that have finished (run or cancelled): flush_work() counts on it. */
  completions = 0;
  /** The timer of a delayed work item, armed while it waits. */
  timer: KernelTimer | undefined;
  /** Where it is queued, or will be when its delay expires. */
  wq: Workqueue | undefined;
  readonly done = new WaitQueue('flush_work');

  constructor(
    readonly owner: string,
    /** Runs the work function; a Promise when it slept. */
    readonly execute: () => Maybe<unknown>,
    /** Mirrors WORK_STRUCT_PENDING into the C struct, where work_pending() reads it. */
    readonly setPendingBit: (on: boolean) => void,
  ) {}
}

export class Workqueue {
  readonly maxActive: number;
  active = 0;
  draining = false;
  destroyed = false;
  /** Sequence numbers of the items queued and not finished: flush_workqueue() waits for the older ones. */
  readonly outstanding = new Set<number>();
  lastSeq = 0;
  readonly flushed = new WaitQueue('flush_workqueue');
  /** WQ_MEM_RECLAIM queues have a rescuer thread of their own, named after the queue. */
  rescuer: KThread | undefined;

  constructor(readonly name: string, readonly flags: number, maxActive: number, readonly owner: string | undefined) {
    this.maxActive = flags & __WQ_ORDERED ? 1 : maxActive > 0 ? Math.min(maxActive, 512) : WQ_DFL_ACTIVE;
  }
}

interface Queued { work: Work; wq: Workqueue; seq: number }

export class Workqueues {
  /** system_wq ("events"), and the other system queues modules may use. */
  readonly system: Record<'events' | 'events_highpri' | 'events_long' | 'events_unbound', Workqueue>;
  private readonly worklist: Queued[] = [];
  private readonly workers: Task[] = [];
  private readonly idle: Task[] = [];
  private readonly idleQueue = new WaitQueue('worker_thread');
  private nextWorkerId = 0;

  constructor(private readonly k: Kernel) {
    this.system = {
      events: new Workqueue('events', 0, 0, undefined),
      events_highpri: new Workqueue('events_highpri', WQ_HIGHPRI, 0, undefined),
      events_long: new Workqueue('events_long', 0, 0, undefined),
      events_unbound: new Workqueue('events_unbound', WQ_UNBOUND, 0, undefined),
    };
  }

  /** alloc_workqueue(): a WQ_MEM_RECLAIM queue's rescuer thread shows in ps as [name]. */
  alloc(name: string, flags: number, maxActive: number, owner: string): Workqueue {
    const wq = new Workqueue(name, flags, maxActive, owner);
    if (flags & WQ_MEM_RECLAIM) {
      const rescuer: KThread = new KThread(this.k, name, (): Promise<number> => this.rescuerThread(rescuer));
      wq.rescuer = rescuer;
      rescuer.wake();
    }
    return wq;
  }

  /** rescuer_thread(): only needed under memory pressure, which this machine never has; it sleeps until destroy. */
  private async rescuerThread(self: KThread): Promise<number> {
    const q = new WaitQueue('rescuer_thread');
    while (!self.shouldStop) await this.k.sleepOn(q, 'rescuer_thread', 'idle');
    return 0;
  }

  /** __queue_work(): false if the item was already pending. */
  queue(wq: Workqueue, work: Work): boolean {
    if (work.pending || work.canceling) return false;
    if (wq.destroyed) {
      this.k.printk(`\x014workqueue: queue_work() on destroyed workqueue ${wq.name} by ${work.owner}\n`);
      return false;
    }
    work.pending = true;
    work.setPendingBit(true);
    this.insert(wq, work);
    return true;
  }

  /** Puts a pending item on the worklist (directly, or when its delay timer fires). */
  insert(wq: Workqueue, work: Work): void {
    work.wq = wq;
    work.timer = undefined;
    const seq = ++wq.lastSeq;
    wq.outstanding.add(seq);
    this.worklist.push({ work, wq, seq });
    this.kick();
  }

  /** queue_delayed_work(): pending from now on, put on the queue when `delay` jiffies have passed. */
  queueDelayed(wq: Workqueue, work: Work, delay: number): boolean {
    if (delay <= 0) return this.queue(wq, work);
    if (work.pending || work.canceling) return false;
    work.pending = true;
    work.setPendingBit(true);
    work.wq = wq;
    // delayed_work_timer_fn(), in the timer softirq.
    const timer: KernelTimer = { owner: work.owner, fn: () => { if (work.timer === timer) this.insert(wq, work); } };
    work.timer = timer;
    this.k.timers.mod(timer, (this.k.jiffies + delay) >>> 0);
    return true;
  }

  /** mod_delayed_work(): (re)queues with a new delay; whether it was pending before. */
  modDelayed(wq: Workqueue, work: Work, delay: number): boolean {
    if (work.canceling) return false;
    const was = this.cancel(work);
    this.queueDelayed(wq, work, delay);
    return was;
  }

  /** Runs a delayed item's timer now (flush_delayed_work): whether it was waiting on it. */
  expireNow(work: Work): boolean {
    const t = work.timer;
    if (!t || !this.k.timers.del(t)) return false;
    this.insert(work.wq!, work);
    return true;
  }

  /** Removes a pending item, from the queue or from its delay timer (cancel_work): whether it was pending. */
  cancel(work: Work): boolean {
    if (work.timer) this.k.timers.del(work.timer);
    if (!work.pending) return false;
    const i = this.worklist.findIndex((q) => q.work === work);
    if (i >= 0) {
      const [q] = this.worklist.splice(i, 1);
      this.finished(q!);
    }
    work.pending = false;
    work.timer = undefined;
    work.setPendingBit(false);
    return true;
  }

  /**
   * flush_work(): waits for the run in progress and the queued instance (not
   * for requeues made after the call); whether it had to wait.
   */
  async flushWork(work: Work): Promise<boolean> {
    const queued = this.worklist.some((q) => q.work === work);
    const target = work.completions + (work.running ? 1 : 0) + (queued ? 1 : 0);
    if (target === work.completions) return false;
    while (work.completions < target) await this.k.sleepOn(work.done, 'flush_work', false);
    return true;
  }

  /** cancel_work_sync(): takes it off the queue and waits for a run in progress; whether it was pending. */
  async cancelSync(work: Work): Promise<boolean> {
    work.canceling = true;
    const was = this.cancel(work);
    while (work.running) await this.k.sleepOn(work.done, 'cancel_work_sync', false);
    work.canceling = false;
    return was;
  }

  /** flush_workqueue(): waits for every item queued before the call. */
  async flush(wq: Workqueue): Promise<void> {
    const target = wq.lastSeq;
    const older = () => [...wq.outstanding].some((s) => s <= target);
    while (older()) await this.k.sleepOn(wq.flushed, 'flush_workqueue', false);
  }

  /** drain_workqueue(): waits until the queue is empty, requeues by its own items included. */
  async drain(wq: Workqueue): Promise<void> {
    wq.draining = true;
    while (wq.outstanding.size) await this.k.sleepOn(wq.flushed, 'drain_workqueue', false);
    wq.draining = false;
  }

  /** destroy_workqueue() after draining: stops its rescuer. */
  async destroy(wq: Workqueue): Promise<void> {
    await this.drain(wq);
    wq.destroyed = true;
    if (wq.rescuer) await wq.rescuer.stop();
  }


  /**
   * A queue whose module went away without destroy_workqueue(): its queued
   * items are dropped and its rescuer ended where it stands.
   */
  abandon(wq: Workqueue): void {
    for (const q of this.worklist.filter((q) => q.wq === wq)) this.cancel(q.work);
    wq.destroyed = true;
    wq.rescuer?.kill();
  }

  /** Wakes an idle worker; or, when no worker can run, starts a new one. */
  private kick(): void {
    if (!this.startable()) return;
    const w = this.idle.shift();
    if (w) { this.k.sched.wake(w); return; }
    if (!this.workers.some((t) => t.state === 'R')) this.createWorker();
  }

  private startable(): Queued | undefined {
    return this.worklist.find((q) => !q.work.running && q.wq.active < q.wq.maxActive);
  }

  private createWorker(): void {
    const thread: KThread = new KThread(this.k, `kworker/0:${this.nextWorkerId++}`, (): Promise<number> => this.workerThread(thread.task));
    this.workers.push(thread.task);
    thread.wake();
  }

  /** worker_thread(): takes startable items in order; sleeps in worker_thread when there are none. */
  private async workerThread(self: Task): Promise<number> {
    for (;;) {
      const q = this.startable();
      if (!q) {
        this.idle.push(self);
        await this.k.sleepOn(this.idleQueue, 'worker_thread', 'idle');
        const i = this.idle.indexOf(self);
        if (i >= 0) this.idle.splice(i, 1);
        continue;
      }
      this.worklist.splice(this.worklist.indexOf(q), 1);
      // The pending bit is cleared before the function runs: it may queue itself again, or free its struct.
      q.work.pending = false;
      q.work.setPendingBit(false);
      q.work.running = true;
      q.wq.active++;
      const r = q.work.execute();
      if (r instanceof Promise) {
        // wq_worker_sleeping(): keep the pool going while this worker sleeps.
        if (this.startable() && !this.idle.length) this.createWorker();
        await r;
      }
      q.work.running = false;
      q.wq.active--;
      this.finished(q);
      // cond_resched() between items: a long worklist does not starve the other tasks.
      if (this.worklist.length) await this.k.sched.yield();
    }
  }

  private finished(q: Queued): void {
    q.wq.outstanding.delete(q.seq);
    q.work.completions++;
    this.k.wakeAll(q.work.done);
    this.k.wakeAll(q.wq.flushed);
  }
}
