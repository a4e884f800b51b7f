// <linux/wait.h>, <linux/delay.h>, <linux/sched.h>, <linux/jiffies.h>: sleeping
// in C. The wait_event*() macros of the headers loop on their condition around
// __dl_wait_sleep(), which suspends the C code (Asyncify) until a wake_up, a
// timeout or a signal, exactly where Linux's prepare_to_wait/schedule would.
import { HZ, type Kernel } from '../kernel.js';
import { type Task, WaitQueue } from '../sched.js';
import type { KapiTable, ModuleContext } from './context.js';
import type { KernelTimer } from '../timer.js';
import { taskAt } from './current.js';
import { KernelFault } from '../oops.js';

export const TASK_RUNNING = 0, TASK_INTERRUPTIBLE = 1, TASK_UNINTERRUPTIBLE = 2;
const ERESTARTSYS = 512;
/** offsetof(struct wait_queue_entry, func) on wasm32: after flags and private. */
const WAIT_ENTRY_FUNC = 8;

/**
 * A module's wait queue: the tasks on it, which of them sleep interruptibly,
 * and which were put there by add_wait_queue() (default_wake_function: a
 * wake-up leaves them queued until remove_wait_queue(); the others are taken
 * off the queue by the wake-up, as autoremove_wake_function and sleep_on do).
 */
export type ModuleWaitQueue = WaitQueue & { interruptible: Set<object>; persistent: Set<object> };

/** A name for something a task can wait on in a module's memory, for the inspector: "my_device: wait queue 0x1a40". */
export function moduleWaitName(m: ModuleContext, what: string, addr: number): string {
  return `${m.name}: ${what} 0x${(addr >>> 0).toString(16)}`;
}

export function newModuleWaitQueue(name: string): ModuleWaitQueue {
  return Object.assign(new WaitQueue(name), { interruptible: new Set<object>(), persistent: new Set<object>() });
}

/** Wait queues of a module, keyed by the address of their wait_queue_head_t. */
export function waitQueues(m: ModuleContext): Map<number, ModuleWaitQueue> {
  const cache = queues.get(m);
  if (cache) return cache;
  const map = new Map<number, ModuleWaitQueue>();
  queues.set(m, map);
  return map;
}
const queues = new WeakMap<ModuleContext, Map<number, ModuleWaitQueue>>();

function queueAt(m: ModuleContext, addr: number): ModuleWaitQueue {
  const map = waitQueues(m);
  let q = map.get(addr);
  if (!q) {
    q = newModuleWaitQueue(moduleWaitName(m, 'wait queue', addr));
    map.set(addr, q);
  }
  return q;
}

/**
 * __wake_up_common(): wakes the tasks on `q` (only the interruptible sleepers
 * when `onlyInterruptible`), at most `nr` of them when nr > 0. A task woken
 * between prepare_to_wait()/set_current_state() and schedule() is set back to
 * TASK_RUNNING, so its schedule() returns at once: no wake-up is lost.
 */
export function wakeQueue(k: Kernel, q: ModuleWaitQueue, onlyInterruptible: boolean, nr: number, isInterruptible: (t: Task) => boolean): void {
  let woken = 0;
  for (const t of [...q.waiters]) {
    if (onlyInterruptible && !(q.interruptible.has(t) || isInterruptible(t))) continue;
    if (!q.persistent.has(t)) q.waiters.delete(t);
    setTaskRunning(t);
    k.sched.wake(t);
    if (nr > 0 && ++woken >= nr) break;
  }
}

/** The state set by set_current_state() for the next schedule(), per task; wake_up_process() clears it. */
const pendingStates = new WeakMap<Task, number>();

/** Takes the state set_current_state() left for this schedule(). */
function takeCurrentState(task: Task | undefined): number {
  if (!task) return TASK_RUNNING;
  const state = pendingStates.get(task) ?? TASK_RUNNING;
  pendingStates.delete(task);
  return state;
}

/** try_to_wake_up() on a task that is between set_current_state() and schedule(): it stays running. */
export function setTaskRunning(task: Task): void {
  pendingStates.delete(task);
}

/**
 * Sleeps the current task on `wq` for at most `timeout` jiffies (negative:
 * forever). Resolves the jiffies left (0 when it timed out) or -ERESTARTSYS
 * when a signal ended an interruptible sleep. A timeout wakes this task only.
 */
export function sleepTimeout(k: Kernel, wq: WaitQueue | undefined, interruptible: boolean, timeout: number, wchan: string): Promise<number> {
  const task = k.sched.current!;
  const start = k.jiffies;
  const q = wq ?? new WaitQueue(wchan);
  // process_timeout(): a kernel timer on jiffies, so a timeout ends exactly at its jiffy.
  let timedOut = false;
  const timer: KernelTimer = { fn: () => { timedOut = true; q.waiters.delete(task); k.sched.wake(task); }, owner: 'process_timeout' };
  if (timeout >= 0) k.timers.mod(timer, start + timeout);
  const marked = interruptible ? (q as Partial<{ interruptible: Set<object> }>).interruptible : undefined;
  marked?.add(task);
  return k.sleepOn(q, wchan, interruptible).then((r) => {
    marked?.delete(task);
    k.timers.del(timer);
    if (r < 0) return -ERESTARTSYS;
    if (timeout < 0 || timedOut) return 0;
    const elapsed = (k.jiffies - start) >>> 0;
    return Math.max(0, timeout - elapsed);
  });
}

export function waitApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const sleep = (wq: WaitQueue | undefined, interruptible: boolean, timeout: number, wchan: string) => sleepTimeout(k, wq, interruptible, timeout, wchan);

  /** add_wait_queue()'s entries by queue and task: an entry on a C stack may outlive its frame. */
  const entries = new WeakMap<ModuleWaitQueue, Map<Task, number>>();
  const wake = (addr: number, onlyInterruptible: boolean, nr: number) => {
    const q = waitQueues(m).get(addr);
    if (q) checkEntriesLive(q);
    if (q) wakeQueue(k, q, onlyInterruptible, nr, (t) => t.state === 'S' || pendingStates.get(t) === TASK_INTERRUPTIBLE);
  };
  /**
   * __wake_up_common() calls each entry's func: an add_wait_queue() entry left on the stack of a
   * function that returned is garbage by now, and the call goes wherever its func word points.
   */
  const checkEntriesLive = (q: ModuleWaitQueue) => {
    for (const [task, entry] of entries.get(q) ?? []) {
      // A task that has exited took its stack with it; a live one may have returned from the frame.
      if (!q.waiters.has(task) || (task.alive && !m.inDeadFrame(task.pid, entry))) continue;
      const func = m.view().getUint32(entry + WAIT_ENTRY_FUNC, true);
      throw new KernelFault({ kind: 'page', address: func, write: false, fetch: true }, undefined,
        `wake_up() found a wait_queue_entry at 0x${entry.toString(16)} on the stack of ${task.comm}/${task.pid} in a function that has returned (add_wait_queue() without remove_wait_queue())`,
        [{ kind: 'kernel', name: '__wake_up_common', offset: 0x7d, size: 0x140 }, { kind: 'kernel', name: '__wake_up', offset: 0x36, size: 0x60 }]);
    }
  };
  /** Puts the current task on the queue at `addr`; the kernel knows the sleeper as the current task, the entry only for checks. */
  const enqueue = (addr: number, persistent: boolean, entry = 0) => {
    const task = k.sched.current;
    if (!task) return undefined;
    const q = queueAt(m, addr);
    q.waiters.add(task);
    if (persistent) q.persistent.add(task);
    if (persistent && entry) {
      const byTask = entries.get(q) ?? new Map<Task, number>();
      entries.set(q, byTask.set(task, entry));
    }
    return { task, q };
  };
  const dequeue = (addr: number) => {
    const task = k.sched.current;
    const q = waitQueues(m).get(addr);
    if (!task || !q) return;
    q.waiters.delete(task);
    q.persistent.delete(task);
    q.interruptible.delete(task);
    entries.get(q)?.delete(task);
  };
  /** prepare_to_wait(): on the queue first, then the state, so a wake-up from here on is never lost. */
  const prepare = (addr: number, state: number) => {
    const e = enqueue(addr, false);
    if (!e) return;
    if (state === TASK_INTERRUPTIBLE) e.q.interruptible.add(e.task);
    pendingStates.set(e.task, state);
  };

  return {
    __init_waitqueue_head: (addr: number) => { waitQueues(m).delete(addr); },
    init_waitqueue_head: (addr: number) => { waitQueues(m).delete(addr); },
    // __wake_up(wq, mode, nr_exclusive, key): mode TASK_INTERRUPTIBLE wakes interruptible sleepers only.
    __wake_up: (addr: number, mode: number, nr: number) => wake(addr, mode === TASK_INTERRUPTIBLE, nr === 1 ? 0 : nr),
    waitqueue_active: (addr: number) => ((waitQueues(m).get(addr)?.waiters.size ?? 0) > 0 ? 1 : 0),
    prepare_to_wait: (addr: number, _entry: number, state: number) => prepare(addr, state),
    prepare_to_wait_exclusive: (addr: number, _entry: number, state: number) => prepare(addr, state),
    /** prepare_to_wait_event(): -ERESTARTSYS instead of queueing when a signal is already pending. */
    prepare_to_wait_event: (addr: number, _entry: number, state: number) => {
      const task = k.sched.current;
      if (task && state === TASK_INTERRUPTIBLE && k.signalPending(task)) { dequeue(addr); return -ERESTARTSYS; }
      prepare(addr, state);
      return 0;
    },
    finish_wait: (addr: number) => {
      const task = k.sched.current;
      if (task) pendingStates.delete(task);
      dequeue(addr);
    },
    add_wait_queue: (addr: number, entry: number) => { enqueue(addr, true, entry); },
    add_wait_queue_exclusive: (addr: number, entry: number) => { enqueue(addr, true, entry); },
    remove_wait_queue: (addr: number) => dequeue(addr),
    /** The sleep inside the wait_event*() macros: 0 woken / remaining jiffies, or -ERESTARTSYS on a signal. */
    __dl_wait_sleep: (addr: number, interruptible: number, timeout: number) =>
      m.sleepUntil(() => sleep(queueAt(m, addr), interruptible !== 0, timeout, 'wait_event')),
    __dl_jiffies: () => k.jiffies,
    __dl_hz: () => HZ,
    msleep: (ms: number) => { m.sleepUntil(() => sleep(undefined, false, Math.ceil((ms >>> 0) * HZ / 1000) + 1, 'msleep')); },
    ssleep: (s: number) => { m.sleepUntil(() => sleep(undefined, false, (s >>> 0) * HZ + 1, 'msleep')); },
    msleep_interruptible: (ms: number) => {
      const r = m.sleepUntil(() => sleep(undefined, true, Math.ceil((ms >>> 0) * HZ / 1000) + 1, 'msleep_interruptible'));
      return r < 0 ? 0 : Math.ceil(r * 1000 / HZ);
    },
    usleep_range: (min: number) => { m.sleepUntil(() => sleep(undefined, false, Math.ceil((min >>> 0) * HZ / 1e6) + 1, 'usleep_range')); },
    udelay: (us: number) => { k.charge((us >>> 0) * 1000); },
    ndelay: (ns: number) => { k.charge(ns >>> 0); },
    mdelay: (ms: number) => { k.charge((ms >>> 0) * 1e6); },
    __dl_set_current_state: (state: number) => {
      const t = k.sched.current;
      if (t) pendingStates.set(t, state);
    },
    schedule: () => {
      // Resuming: the sleep already happened (and consumed the pending state).
      if (m.asyncState() === 2) return m.sleepUntil(() => Promise.resolve(0));
      const state = takeCurrentState(k.sched.current);
      if (state === TASK_RUNNING) return 0;
      return m.sleepUntil(() => sleep(undefined, state === TASK_INTERRUPTIBLE, -1, 'schedule'));
    },
    schedule_timeout: (timeout: number) => {
      if (m.asyncState() === 2) { const r = m.sleepUntil(() => Promise.resolve(0)); return r < 0 ? timeout : r; }
      const state = takeCurrentState(k.sched.current);
      if (state === TASK_RUNNING) return timeout;
      const r = m.sleepUntil(() => sleep(undefined, state === TASK_INTERRUPTIBLE, timeout | 0, 'schedule_timeout'));
      return r < 0 ? timeout : r;
    },
    signal_pending: (p: number) => { const t = taskAt(m, p) ?? k.sched.current; return t && k.signalPending(t) ? 1 : 0; },
    __dl_current_comm: (buf: number) => {
      const comm = new TextEncoder().encode((k.sched.current?.comm ?? 'swapper').slice(0, 15));
      m.u8().set(comm, buf);
      m.u8()[buf + comm.length] = 0;
    },
    in_interrupt: () => (k.inInterrupt > 0 ? 1 : 0),
  };
}
