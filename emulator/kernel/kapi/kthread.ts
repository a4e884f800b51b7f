// <linux/kthread.h>: kernel threads running a module's C function in process
// context (they may sleep). The struct task_struct * they return is the task's
// mirror in module memory (kapi/current.ts), the same pointer `current` gives.
import type { KapiTable, ModuleContext } from './context.js';
import { KThread, kthreadOf } from '../kthread.js';
import { callback } from './callback.js';
import { setTaskRunning } from './wait.js';
import { taskAt, taskStruct } from './current.js';

export const KTHREAD_BLOCKING_KAPI = ['kthread_stop'];

export function kthreadApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const threads = new Map<number, KThread>();
  const key = (h: number) => h.toString(16);

  return {
    kthread_create_on_node: (fn: number, data: number, _node: number, fmt: number, va: number) => {
      const text = m.cstring(fmt) ?? '';
      const name = text.includes('%') ? k.vsprintf(text, m.varargs(va)) : text;
      const thread = new KThread(k, name, () => callback(m, fn, data));
      const h = taskStruct(m, thread.task);
      threads.set(h, thread);
      // A thread still running when its module is unloaded would run freed code: it is ended.
      m.track('kthread', key(h), () => thread.kill());
      thread.onExit = () => m.untrack('kthread', key(h));
      return h;
    },
    /** wake_up_process(): 1 if the task was asleep (or never started), 0 if it was running. */
    wake_up_process: (h: number) => {
      const thread = threads.get(h);
      const task = thread?.task ?? taskAt(m, h);
      if (!task || !task.alive) return 0;
      // Between set_current_state() and schedule(): the wake-up keeps it running.
      setTaskRunning(task);
      if (thread) { const asleep = task.state !== 'R'; thread.wake(); return asleep ? 1 : 0; }
      if (task.state === 'R') return 0;
      k.sched.wake(task);
      return 1;
    },
    kthread_should_stop: () => (kthreadOf(k.sched.current)?.shouldStop ? 1 : 0),
    kthread_stop: (h: number) => {
      if (m.asyncState() === 2) return m.sleepUntil(() => Promise.resolve(0));
      const thread = threads.get(h);
      if (!thread) {
        k.printk(`\x011BUG: kernel NULL pointer dereference, address: ${h.toString(16).padStart(8, '0')}: kthread_stop() of a task ${m.name} did not create\n`);
        return -22;
      }
      return m.sleepUntil(() => thread.stop().then((r) => {
        threads.delete(h);
        m.untrack('kthread', key(h));
        return r;
      }));
    },
  };
}
