// Linux 2.2's sleeping API, as the 1998 article uses it: `current` with its
// state/timeout/signal fields in module memory, schedule() honouring
// current->timeout (absolute jiffies), sleep_on/interruptible_sleep_on on a
// `struct wait_queue *`, semaphores with down/up, and the __delay busy loop.
import { HZ } from '../kernel.js';
import { WaitQueue } from '../sched.js';
import { moduleWaitName, newModuleWaitQueue, wakeQueue, type ModuleWaitQueue } from './wait.js';
import type { KapiTable, ModuleContext } from './context.js';
import { V2_2_SCHED } from './layout.js';
import type { KernelTimer } from '../timer.js';

const T = V2_2_SCHED.task_struct;
/** Loops per second of the virtual CPU: lpj 2385510 at HZ (the boot log's BogoMIPS line). */
export const LOOPS_PER_SEC = 2385510 * HZ;
/** LONG_MAX on i386: schedule_timeout() without a timeout. */
const MAX_SCHEDULE_TIMEOUT = 0x7fffffff;

export function sched22Api(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const structs = new Map<number, number>();
  const queues = new Map<number, ModuleWaitQueue>();
  const sems = new Map<number, WaitQueue>();
  const queue = (addr: number) => {
    let q = queues.get(addr);
    if (!q) { q = newModuleWaitQueue(moduleWaitName(m, 'wait queue', addr)); queues.set(addr, q); }
    return q;
  };
  /** current->state as the task's own struct in this module says (what 2.2's wake_up tests and resets). */
  const stateField = (pid: number) => structs.get(pid);

  /** `current`: the task's struct in this module's memory, refreshed on every use. */
  const current = (): number => {
    const task = k.sched.current;
    if (!task) return 0;
    let p = structs.get(task.pid);
    if (!p) {
      p = m.heap.alloc(T.size, true, 'kernel');
      structs.set(task.pid, p);
    }
    const v = m.view();
    v.setUint32(p + T.signal, task.pendingSignals >>> 0, true);
    v.setUint32(p + T.blocked, task.blockedSignals >>> 0, true);
    v.setInt32(p + T.pid, task.pid, true);
    const comm = new TextEncoder().encode(task.comm.slice(0, 15));
    m.u8().fill(0, p + T.comm, p + T.comm + 16);
    m.u8().set(comm, p + T.comm);
    return p;
  };

  /** Sleeps as 2.2 did: until woken, until jiffies reach current->timeout (if set), or a signal when interruptible. */
  const sleep = (q: WaitQueue, interruptible: boolean, wchan: string, honourTimeout: boolean, relTimeout?: number): Promise<number> => {
    const p = current();
    const v = m.view();
    const absTimeout = relTimeout !== undefined ? (k.jiffies + relTimeout) >>> 0 : honourTimeout ? v.getUint32(p + T.timeout, true) : 0;
    const timer: KernelTimer = { fn: () => { m.view().setUint32(p + T.timeout, 0, true); k.wakeAll(q); }, owner: 'process_timeout' };
    if (absTimeout) k.timers.mod(timer, absTimeout);
    const mark = (q as Partial<{ interruptible: Set<object> }>).interruptible;
    const task = k.sched.current!;
    if (interruptible) mark?.add(task);
    return k.sleepOn(q, wchan, interruptible).then((r) => {
      mark?.delete(task);
      k.timers.del(timer);
      m.view().setInt32(p + T.state, 0, true);
      // *_sleep_on_timeout() return what schedule_timeout() left, also when a signal woke them
      // (2.2's kernel/sched.c): a caller that does not check signal_pending() sleeps again at once.
      if (relTimeout !== undefined) return Math.max(0, (absTimeout - k.jiffies) | 0);
      return r < 0 ? -4 : 0;
    });
  };

  const semCount = (sem: number) => m.view().getInt32(sem, true);
  const down = (sem: number, interruptible: boolean): number => {
    if (m.asyncState() === 2) return m.sleepUntil(() => Promise.resolve(0));
    const c = semCount(sem) - 1;
    m.view().setInt32(sem, c, true);
    if (c >= 0) return 0;
    let q = sems.get(sem);
    if (!q) { q = new WaitQueue(moduleWaitName(m, 'semaphore', sem)); sems.set(sem, q); }
    const wq = q;
    return m.sleepUntil(() => k.sleepOn(wq, interruptible ? '__down_interruptible' : '__down', interruptible).then((r) => {
      if (r < 0) { m.view().setInt32(sem, semCount(sem) + 1, true); return -4; }
      return 0;
    }));
  };

  return {
    __dl_current: current,
    __dl_signal_pending: () => { const t = k.sched.current; return t && k.signalPending(t) ? 1 : 0; },
    // The sleep_on family puts the caller's interrupt flag back when it returns (SLEEP_ON_TAIL's restore).
    sleep_on: (addr: number) => { m.sleepUntil(() => sleep(queue(addr), false, 'sleep_on', false), true); },
    interruptible_sleep_on: (addr: number) => { m.sleepUntil(() => sleep(queue(addr), true, 'interruptible_sleep_on', true), true); },
    sleep_on_timeout: (addr: number, t: number) => m.sleepUntil(() => sleep(queue(addr), false, 'sleep_on_timeout', false, t), true),
    interruptible_sleep_on_timeout: (addr: number, t: number) => m.sleepUntil(() => sleep(queue(addr), true, 'interruptible_sleep_on', false, t), true),
    __dl_wake_up22: (addr: number, interruptibleOnly: number) => {
      const q = queues.get(addr);
      if (!q) return;
      const fieldState = (pid: number) => { const p = stateField(pid); return p === undefined ? 0 : m.view().getInt32(p + T.state, true); };
      // 2.2's wake_up() makes the task TASK_RUNNING: a task between `current->state = ...` and schedule() does not sleep.
      for (const t of q.waiters) { const p = stateField(t.pid); if (p !== undefined && (!interruptibleOnly || fieldState(t.pid) === 1 || q.interruptible.has(t))) m.view().setInt32(p + T.state, 0, true); }
      wakeQueue(k, q, interruptibleOnly !== 0, 0, (t) => t.state === 'S' || fieldState(t.pid) === 1);
    },
    /** add_wait_queue(&q, &wait) with `struct wait_queue wait = { current, NULL }`: queued until remove_wait_queue(). */
    __dl_add_wait_queue22: (addr: number) => {
      const task = k.sched.current;
      if (!task) return;
      const q = queue(addr);
      q.waiters.add(task);
      q.persistent.add(task);
    },
    __dl_remove_wait_queue22: (addr: number) => {
      const task = k.sched.current;
      const q = queues.get(addr);
      if (!task || !q) return;
      q.waiters.delete(task);
      q.persistent.delete(task);
    },
    __dl_waitqueue_active22: (addr: number) => ((queues.get(addr)?.waiters.size ?? 0) > 0 ? 1 : 0),
    /** 2.2's schedule(): sleeps if current->state is not TASK_RUNNING, until current->timeout or a wake. */
    __dl_schedule22: () => {
      // Resuming: the sleep below already happened; its state was cleared when it ended.
      if (m.asyncState() === 2) return m.sleepUntil(() => Promise.resolve(0));
      const p = current();
      const state = p ? m.view().getInt32(p + T.state, true) : 0;
      if (state === 0) return 0;
      return m.sleepUntil(() => sleep(new WaitQueue('schedule'), state === 1, 'schedule_timeout', true));
    },
    /**
     * schedule_timeout() (2.1.127 on, so in every 2.2): schedule() with a timeout in jiffies from now
     * instead of current->timeout; returns the jiffies left, 0 when it ran out.
     */
    __dl_schedule_timeout22: (timeout: number) => {
      if (m.asyncState() === 2) return m.sleepUntil(() => Promise.resolve(0));
      timeout |= 0;
      const p = current();
      const state = p ? m.view().getInt32(p + T.state, true) : 0;
      if (timeout < 0) {
        k.printk(`\x013schedule_timeout: wrong timeout value ${(timeout >>> 0).toString(16)} from ${m.name}\n`);
        if (p) m.view().setInt32(p + T.state, 0, true);
        return 0;
      }
      if (state === 0) return timeout;
      const forever = timeout === MAX_SCHEDULE_TIMEOUT;
      return m.sleepUntil(() => sleep(new WaitQueue('schedule_timeout'), state === 1, 'schedule_timeout', false, forever ? undefined : timeout)
        .then((left) => (forever ? timeout : left)));
    },
    down: (sem: number) => { down(sem, false); },
    down_interruptible: (sem: number) => down(sem, true),
    down_trylock: (sem: number) => {
      if (semCount(sem) <= 0) return 1;
      m.view().setInt32(sem, semCount(sem) - 1, true);
      return 0;
    },
    up: (sem: number) => {
      m.view().setInt32(sem, semCount(sem) + 1, true);
      // The first sleeper in down() now owns the count it was waiting for.
      const q = sems.get(sem);
      const next = q && [...q.waiters][0];
      if (next) { q.waiters.delete(next); k.sched.wake(next); }
    },
    __dl_udelay: (us: number) => { k.charge((us >>> 0) * 1000); },
    __delay: (loops: number) => { k.charge(Math.round((loops >>> 0) / LOOPS_PER_SEC * 1e9)); },
    __dl_loops_per_sec: () => LOOPS_PER_SEC,
  };
}
