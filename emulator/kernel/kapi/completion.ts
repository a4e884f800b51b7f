// <linux/completion.h>: "this has happened" between tasks, or from an
// interrupt to a task. `done` lives in the C struct (completion_done() and
// reinit_completion() read and write it there); the waiters are kept by the
// kernel, keyed by the address of the struct completion.
import type { KapiTable, ModuleContext } from './context.js';
import { MODERN_DEFERRED } from './layout.js';
import { WaitQueue } from '../sched.js';
import { moduleWaitName, sleepTimeout } from './wait.js';

const C = MODERN_DEFERRED.completion;
const UINT_MAX = 0xffffffff;
const ERESTARTSYS = 512;
const MAX_SCHEDULE_TIMEOUT = 0x7fffffff;

/** The completion calls that sleep (kbuild asyncifies their callers). */
export const COMPLETION_BLOCKING_KAPI = ['wait_for_completion', 'wait_for_completion_interruptible', 'wait_for_completion_killable',
  'wait_for_completion_timeout', 'wait_for_completion_interruptible_timeout', 'wait_for_completion_killable_timeout'];

export function completionApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const queues = new Map<number, WaitQueue>();
  const queue = (x: number) => {
    let q = queues.get(x);
    if (!q) { q = new WaitQueue(moduleWaitName(m, 'completion', x)); queues.set(x, q); }
    return q;
  };
  const done = (x: number) => m.view().getUint32(x + C.done, true);
  /** Takes one "done" (complete_all()'s UINT_MAX stays). */
  const consume = (x: number) => { const d = done(x); if (d !== UINT_MAX) m.view().setUint32(x + C.done, d - 1, true); };

  /**
   * do_wait_for_common(): sleeps until done, then takes it. Returns the
   * jiffies left (at least 1) for a timed wait, 0 when the time ran out,
   * -ERESTARTSYS when a signal came first. A waiter woken with done set takes
   * it even if a signal is pending too, as Linux's does.
   */
  const waitFor = async (x: number, interruptible: boolean, timeout: number, wchan: string): Promise<number> => {
    let left = timeout;
    while (!done(x)) {
      if (left <= 0) return 0;
      const r = await sleepTimeout(k, queue(x), interruptible, left === MAX_SCHEDULE_TIMEOUT ? -1 : left, wchan);
      if (r >= 0 && left !== MAX_SCHEDULE_TIMEOUT) left = r;
      if (done(x)) break;
      if (r < 0) return -ERESTARTSYS;
    }
    consume(x);
    return Math.max(left, 1);
  };

  /** The blocking import: the fast path takes `done` without sleeping. */
  const wait = (x: number, interruptible: boolean, timeout: number, wchan: string): number => {
    if (m.asyncState() === 2) return m.sleepUntil(() => Promise.resolve(0));
    if (done(x)) { consume(x); return Math.max(timeout, 1); }
    return m.sleepUntil(() => waitFor(x, interruptible, timeout, wchan));
  };

  /** A timeout argument as the kernel reads a long: negative ones are Linux's "wait forever" bug report. */
  const jiffiesArg = (t: number) => {
    if (t < 0) {
      k.printk(`\x013schedule_timeout: wrong timeout value ${(t >>> 0).toString(16)}\n`);
      return 0;
    }
    return t;
  };

  return {
    complete: (x: number) => {
      const d = done(x);
      if (d !== UINT_MAX) m.view().setUint32(x + C.done, d + 1, true);
      // swake_up_locked(): the first waiter.
      const q = queues.get(x);
      const first = q && [...q.waiters][0];
      if (first) { q.waiters.delete(first); k.sched.wake(first); }
    },
    complete_all: (x: number) => {
      m.view().setUint32(x + C.done, UINT_MAX, true);
      const q = queues.get(x);
      if (q) k.wakeAll(q);
    },
    wait_for_completion: (x: number) => { wait(x, false, MAX_SCHEDULE_TIMEOUT, 'wait_for_completion'); },
    wait_for_completion_interruptible: (x: number) => {
      const r = wait(x, true, MAX_SCHEDULE_TIMEOUT, 'wait_for_completion_interruptible');
      return r < 0 ? r : 0;
    },
    wait_for_completion_killable: (x: number) => {
      const r = wait(x, true, MAX_SCHEDULE_TIMEOUT, 'wait_for_completion_killable');
      return r < 0 ? r : 0;
    },
    wait_for_completion_timeout: (x: number, t: number) => wait(x, false, jiffiesArg(t), 'wait_for_completion_timeout'),
    wait_for_completion_interruptible_timeout: (x: number, t: number) => wait(x, true, jiffiesArg(t), 'wait_for_completion_interruptible_timeout'),
    wait_for_completion_killable_timeout: (x: number, t: number) => wait(x, true, jiffiesArg(t), 'wait_for_completion_killable_timeout'),
    try_wait_for_completion: (x: number) => {
      if (!done(x)) return 0;
      consume(x);
      return 1;
    },
    completion_done: (x: number) => (done(x) ? 1 : 0),
  };
}
