// <linux/workqueue.h>: work items (struct work_struct, struct delayed_work)
// run later by kernel worker threads, in process context, so a work function
// may sleep. The kernel keeps each item by the address of its struct and
// mirrors WORK_STRUCT_PENDING into work->data, where work_pending() reads it;
// it reads work->func when the item runs. A struct workqueue_struct * is a
// handle the kernel hands out in module memory.
import type { KapiTable, ModuleContext } from './context.js';
import { MODERN_DEFERRED } from './layout.js';
import { Work, type Workqueue } from '../workqueue.js';
import { callback } from './callback.js';

const W = MODERN_DEFERRED.work_struct;
const WORK_STRUCT_PENDING = 1;
const SYSTEM_QUEUES = ['events', 'events_highpri', 'events_long', 'events_unbound'] as const;

export const WORKQUEUE_BLOCKING_KAPI = ['flush_work', 'cancel_work_sync', '__flush_workqueue', 'drain_workqueue', 'destroy_workqueue',
  'cancel_delayed_work_sync', 'flush_delayed_work'];

export function workqueueApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const core = k.workqueues;
  const works = new Map<number, Work>();
  const queues = new Map<number, Workqueue>();
  const systemHandles: number[] = [];
  const key = (addr: number) => addr.toString(16);

  /** The kernel's record of the work_struct (or delayed_work: the work is its first member) at `addr`. */
  const workAt = (addr: number): Work => {
    let w = works.get(addr);
    if (!w) {
      w = new Work(m.name, () => callback(m, m.view().getUint32(addr + W.func, true), addr), (on) => {
        const data = m.view().getUint32(addr + W.data, true);
        m.view().setUint32(addr + W.data, on ? data | WORK_STRUCT_PENDING : data & ~WORK_STRUCT_PENDING, true);
        // A module unloaded with the item still queued: it must not run any more.
        if (on) m.track('work', key(addr), () => core.cancel(w!));
        else m.untrack('work', key(addr));
      });
      works.set(addr, w);
    }
    return w;
  };

  const wqOf = (handle: number, what: string): Workqueue | undefined => {
    const wq = queues.get(handle);
    if (!wq) k.printk(`\x011BUG: kernel NULL pointer dereference, address: ${handle.toString(16).padStart(8, '0')}: ${what} on a workqueue that ${m.name} did not allocate\n`);
    return wq;
  };

  /** A blocking call: `wait` runs in the sleeping task, its result is the C function's. */
  const blocking = (wait: () => Promise<number>): number => {
    if (m.asyncState() === 2) return m.sleepUntil(() => Promise.resolve(0));
    return m.sleepUntil(wait);
  };

  return {
    __dl_system_wq: (which: number) => {
      let h = systemHandles[which];
      if (h === undefined) {
        h = m.heap.alloc(16, true, 'kernel');
        systemHandles[which] = h;
        queues.set(h, core.system[SYSTEM_QUEUES[which] ?? 'events']);
      }
      return h;
    },
    alloc_workqueue: (fmt: number, flags: number, maxActive: number, va: number) => {
      const text = m.cstring(fmt) ?? '';
      const name = text.includes('%') ? k.vsprintf(text, m.varargs(va)) : text;
      const wq = core.alloc(name, flags >>> 0, maxActive, m.name);
      const h = m.heap.alloc(16, true, 'kernel');
      queues.set(h, wq);
      m.track('workqueue', key(h), () => core.abandon(wq));
      return h;
    },
    destroy_workqueue: (h: number) => blocking(async () => {
      const wq = wqOf(h, 'destroy_workqueue');
      if (!wq) return 0;
      await core.destroy(wq);
      queues.delete(h);
      m.untrack('workqueue', key(h));
      m.heap.free(h);
      return 0;
    }),
    __flush_workqueue: (h: number) => blocking(async () => { const wq = wqOf(h, 'flush_workqueue'); if (wq) await core.flush(wq); return 0; }),
    drain_workqueue: (h: number) => blocking(async () => { const wq = wqOf(h, 'drain_workqueue'); if (wq) await core.drain(wq); return 0; }),
    queue_work_on: (cpu: number, h: number, addr: number) => {
      const wq = wqOf(h, 'queue_work');
      return wq && core.queue(wq, workAt(addr)) ? 1 : 0;
    },
    queue_delayed_work_on: (cpu: number, h: number, addr: number, delay: number) => {
      const wq = wqOf(h, 'queue_delayed_work');
      return wq && core.queueDelayed(wq, workAt(addr), delay) ? 1 : 0;
    },
    mod_delayed_work_on: (cpu: number, h: number, addr: number, delay: number) => {
      const wq = wqOf(h, 'mod_delayed_work');
      return wq && core.modDelayed(wq, workAt(addr), delay) ? 1 : 0;
    },
    flush_work: (addr: number) => blocking(() => core.flushWork(workAt(addr)).then(Number)),
    cancel_work: (addr: number) => (core.cancel(workAt(addr)) ? 1 : 0),
    cancel_work_sync: (addr: number) => blocking(() => core.cancelSync(workAt(addr)).then(Number)),
    cancel_delayed_work: (addr: number) => (core.cancel(workAt(addr)) ? 1 : 0),
    cancel_delayed_work_sync: (addr: number) => blocking(() => core.cancelSync(workAt(addr)).then(Number)),
    // flush_delayed_work(): a waiting item is queued at once, then flushed.
    flush_delayed_work: (addr: number) => blocking(() => {
      const w = workAt(addr);
      core.expireNow(w);
      return core.flushWork(w).then(Number);
    }),
    work_busy: (addr: number) => {
      const w = works.get(addr);
      return (w?.pending ? 1 : 0) | (w?.running ? 2 : 0);
    },
  };
}
