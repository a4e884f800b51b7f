// Tasklets (<linux/interrupt.h>): a function an interrupt handler schedules
// to run soon after it, in softirq context (TASKLET_SOFTIRQ), once however
// often it was scheduled meanwhile. The C struct holds the state bit
// (TASKLET_STATE_SCHED), the disable count and the function; the kernel keeps
// the list of scheduled ones.
import type { KapiTable, ModuleContext } from './context.js';
import { MODERN_DEFERRED } from './layout.js';
import type { Tasklet } from '../softirq.js';
import { callback } from './callback.js';
import { WaitQueue } from '../sched.js';

const L = MODERN_DEFERRED.tasklet_struct;
const TASKLET_STATE_SCHED = 1, TASKLET_STATE_RUN = 2;

export const TASKLET_BLOCKING_KAPI = ['tasklet_kill'];

export function taskletApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const tasklets = new Map<number, Tasklet>();
  const ran = new WaitQueue('tasklet_kill');
  const v = () => m.view();
  const state = (t: number) => v().getUint32(t + L.state, true);
  const setState = (t: number, s: number) => v().setUint32(t + L.state, s, true);
  const key = (t: number) => t.toString(16);

  const taskletAt = (addr: number): Tasklet => {
    let t = tasklets.get(addr);
    if (!t) {
      t = {
        owner: m.name,
        disabled: () => v().getInt32(addr + L.count, true) !== 0,
        run: () => {
          // tasklet_action_common(): SCHED is cleared before the call, so the function may schedule itself again.
          setState(addr, (state(addr) & ~TASKLET_STATE_SCHED) | TASKLET_STATE_RUN);
          m.untrack('tasklet', key(addr));
          const useCallback = v().getUint8(addr + L.use_callback) !== 0;
          callback(m, v().getUint32(addr + L.func, true), useCallback ? addr : v().getUint32(addr + L.data, true));
          setState(addr, state(addr) & ~TASKLET_STATE_RUN);
          k.wakeAll(ran);
        },
      };
      tasklets.set(addr, t);
    }
    return t;
  };

  const schedule = (addr: number, hi: boolean) => {
    if (state(addr) & TASKLET_STATE_SCHED) return;
    setState(addr, state(addr) | TASKLET_STATE_SCHED);
    const t = taskletAt(addr);
    // A module unloaded with it still scheduled: it must not run any more.
    m.track('tasklet', key(addr), () => { k.softirq.unscheduleTasklet(t); });
    k.softirq.scheduleTasklet(t, hi);
  };

  const init = (addr: number, fn: number, data: number, useCallback: boolean) => {
    m.u8().fill(0, addr, addr + L.size);
    v().setUint8(addr + L.use_callback, useCallback ? 1 : 0);
    v().setUint32(addr + L.func, fn, true);
    v().setUint32(addr + L.data, data, true);
  };

  return {
    tasklet_init: (addr: number, fn: number, data: number) => init(addr, fn, data, false),
    tasklet_setup: (addr: number, fn: number) => init(addr, fn, 0, true),
    tasklet_schedule: (addr: number) => schedule(addr, false),
    tasklet_hi_schedule: (addr: number) => schedule(addr, true),
    // tasklet_kill(): waits until a scheduled tasklet has run, then it stays unscheduled.
    tasklet_kill: (addr: number) => {
      if (m.asyncState() === 2) { m.sleepUntil(() => Promise.resolve(0)); return; }
      if (k.inInterrupt) k.printk('\x015Attempt to kill tasklet from interrupt\n');
      if (!(state(addr) & TASKLET_STATE_SCHED)) return;
      const t = taskletAt(addr);
      if (k.inInterrupt || !k.softirq.isTaskletScheduled(t)) {
        k.softirq.unscheduleTasklet(t);
        setState(addr, 0);
        m.untrack('tasklet', key(addr));
        return;
      }
      m.sleepUntil(async () => {
        while (state(addr) & TASKLET_STATE_SCHED) await k.sleepOn(ran, 'tasklet_kill', false);
        return 0;
      });
    },
  };
}
