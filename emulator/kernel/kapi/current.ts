// `current` and struct task_struct * for modern modules: each task a module
// sees gets a struct task_struct in that module's memory (pid, tgid, comm,
// __state), refreshed whenever the kernel hands the pointer out, so C code can
// read current->pid and current->comm as on Linux. The pointer is also the
// task's handle for wake_up_process() and kthread_stop().
import type { Task } from '../sched.js';
import type { KapiTable, ModuleContext } from './context.js';
import { MODERN_TASK } from './layout.js';

const T = MODERN_TASK.task_struct;
const STATE: Record<Task['state'], number> = { R: 0, S: 1, D: 2, T: 4, Z: 32 };

interface Mirrors { byTask: Map<Task, number>; byPtr: Map<number, Task> }
const mirrors = new WeakMap<ModuleContext, Mirrors>();

function mirrorsOf(m: ModuleContext): Mirrors {
  let x = mirrors.get(m);
  if (!x) { x = { byTask: new Map(), byPtr: new Map() }; mirrors.set(m, x); }
  return x;
}

/** The task's struct task_struct in module `m`, with its fields brought up to date. */
export function taskStruct(m: ModuleContext, task: Task): number {
  const x = mirrorsOf(m);
  let p = x.byTask.get(task);
  if (p === undefined) {
    p = m.heap.alloc(T.size, true, 'kernel');
    x.byTask.set(task, p);
    x.byPtr.set(p, task);
  }
  const v = m.view();
  v.setUint32(p + T.__state, STATE[task.state], true);
  v.setInt32(p + T.pid, task.pid, true);
  v.setInt32(p + T.tgid, task.pid, true);
  const comm = new TextEncoder().encode(task.comm.slice(0, 15));
  m.u8().fill(0, p + T.comm, p + T.comm + 16);
  m.u8().set(comm, p + T.comm);
  return p;
}

/** The task a struct task_struct * of module `m` stands for. */
export function taskAt(m: ModuleContext, p: number): Task | undefined {
  return mirrorsOf(m).byPtr.get(p);
}

export function currentApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  return {
    /** get_current(): what `current` expands to. In interrupt context it is the interrupted task, as on Linux. */
    get_current: () => {
      const task = k.sched.current;
      return task ? taskStruct(m, task) : 0;
    },
  };
}
