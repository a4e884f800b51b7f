// Kernel stacks of tasks (arch/x86/kernel/dumpstack.c show_stack(), kernel/sched/core.c
// sched_show_task() and show_state_filter()), as SysRq-T, -W and -L print them, and 2.2's
// show_state() table.
//
// A task's kernel stack has up to three parts, innermost first: the kernel functions it
// sleeps in (from its wchan: __schedule, schedule, schedule_timeout, msleep...), the C
// functions of a module it is suspended in (read from the wasm stack: see
// LoadedModule.suspendedFrames, which rewinds the task to its sleep without running it),
// and the way it entered the kernel (vfs_read, ksys_read, do_syscall_64... from the file
// operation it is in, Task.kernelEntry). The kernel itself is TypeScript, not machine code:
// its frames are printed by name only; module frames carry their offset in the module's code.
import type { Kernel } from './kernel.js';
import { taskStateChar, type Task } from './sched.js';
import { WASM_FRAME, describeFrame, wasmFrameModuleName } from './symbols.js';

const SYSCALL = ['do_syscall_64', 'entry_SYSCALL_64_after_hwframe'];
const KTHREAD = ['kthread', 'ret_from_fork', 'ret_from_fork_asm'];
const WORKER = ['process_one_work', 'worker_thread', ...KTHREAD];

/** How a task got into module code, by the file operation or module call it is in. */
const ENTRY: Record<string, string[]> = {
  read: ['vfs_read', 'ksys_read', ...SYSCALL],
  write: ['vfs_write', 'ksys_write', ...SYSCALL],
  llseek: ['ksys_lseek', ...SYSCALL],
  ioctl: ['__x64_sys_ioctl', ...SYSCALL],
  open: ['chrdev_open', 'do_dentry_open', 'vfs_open', 'path_openat', 'do_filp_open', 'do_sys_openat2', '__x64_sys_openat', ...SYSCALL],
  release: ['__fput', 'task_work_run', 'syscall_exit_to_user_mode', ...SYSCALL],
  init_module: ['do_one_initcall', 'do_init_module', 'load_module', 'init_module_from_file', 'idempotent_init_module', '__x64_sys_finit_module', ...SYSCALL],
  cleanup_module: ['__do_sys_delete_module', '__x64_sys_delete_module', ...SYSCALL],
};

const SCHED = ['__schedule', 'schedule'];

/** The kernel functions above a sleep inside module code, by the task's wchan. */
const SLEEP_IN_MODULE: Record<string, string[]> = {
  // wait_event*() are macros: schedule() is called from the driver function itself.
  wait_event: SCHED,
  schedule: SCHED,
  schedule_timeout: [...SCHED, 'schedule_timeout'],
  msleep: [...SCHED, 'schedule_timeout', 'msleep'],
  msleep_interruptible: [...SCHED, 'schedule_timeout', 'msleep_interruptible'],
  usleep_range: [...SCHED, 'schedule_hrtimeout_range_clock', 'usleep_range_state'],
  mutex_lock: [...SCHED, 'schedule_preempt_disabled', '__mutex_lock.constprop.0', '__mutex_lock_slowpath', 'mutex_lock'],
  mutex_lock_interruptible: [...SCHED, 'schedule_preempt_disabled', '__mutex_lock.constprop.0', '__mutex_lock_interruptible_slowpath', 'mutex_lock_interruptible'],
  __down: [...SCHED, 'schedule_timeout', '__down_common', '__down', 'down'],
  __down_interruptible: [...SCHED, 'schedule_timeout', '__down_common', '__down_interruptible', 'down_interruptible'],
  wait_for_completion: [...SCHED, 'schedule_timeout', '__wait_for_common', 'wait_for_completion'],
  wait_for_completion_interruptible: [...SCHED, 'schedule_timeout', '__wait_for_common', 'wait_for_completion_interruptible'],
  wait_for_completion_killable: [...SCHED, 'schedule_timeout', '__wait_for_common', 'wait_for_completion_killable'],
  wait_for_completion_timeout: [...SCHED, 'schedule_timeout', '__wait_for_common', 'wait_for_completion_timeout'],
  kthread_stop: [...SCHED, 'schedule_timeout', '__wait_for_common', 'kthread_stop'],
  flush_work: [...SCHED, 'schedule_timeout', '__wait_for_common', '__flush_work', 'flush_work'],
  cancel_work_sync: [...SCHED, 'schedule_timeout', '__wait_for_common', '__flush_work', '__cancel_work_sync', 'cancel_work_sync'],
  flush_workqueue: [...SCHED, 'schedule_timeout', '__wait_for_common', '__flush_workqueue'],
  drain_workqueue: [...SCHED, 'schedule_timeout', '__wait_for_common', '__flush_workqueue', 'drain_workqueue'],
};

/** Whole stacks of sleeps the kernel does by itself (no module code on them), by wchan. */
const SLEEP_IN_KERNEL: Record<string, string[]> = {
  n_tty_read: [...SCHED, 'schedule_timeout', 'wait_woken', 'n_tty_read', 'tty_read', 'vfs_read', 'ksys_read', ...SYSCALL],
  pipe_read: [...SCHED, 'pipe_read', 'vfs_read', 'ksys_read', ...SYSCALL],
  pipe_write: [...SCHED, 'pipe_write', 'vfs_write', 'ksys_write', ...SYSCALL],
  do_wait: [...SCHED, 'do_wait', 'kernel_wait4', '__do_sys_wait4', ...SYSCALL],
  hrtimer_nanosleep: [...SCHED, 'do_nanosleep', 'hrtimer_nanosleep', 'common_nsleep', '__x64_sys_clock_nanosleep', ...SYSCALL],
  do_signal_stop: [...SCHED, 'do_signal_stop', 'get_signal', 'arch_do_signal_or_restart', 'syscall_exit_to_user_mode', ...SYSCALL],
  worker_thread: [...SCHED, 'worker_thread', ...KTHREAD],
  rescuer_thread: [...SCHED, 'rescuer_thread', ...KTHREAD],
  kthread: [...SCHED, 'kthread', 'ret_from_fork', 'ret_from_fork_asm'],
};

/** A user task that was preempted in user mode by the timer interrupt. */
const PREEMPTED_IN_USER = [...SCHED, 'irqentry_exit_to_user_mode', 'asm_sysvec_apic_timer_interrupt'];

/**
 * Every wasm function on the host's stack right now, innermost first: modules' as the oops
 * symbolizer names them ("my_read+0x1a/0x60 [mymod] (/home/lab/mymod.c:12)") and user programs'
 * by function and code offset ("main+0x1a1").
 */
export function liveWasmFrames(k: Kernel): string[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  let stack: string;
  try {
    stack = new Error().stack ?? '';
  } finally {
    Error.stackTraceLimit = limit;
  }
  const frames: string[] = [];
  for (const line of stack.split('\n')) {
    const w = WASM_FRAME.exec(line);
    if (!w) continue;
    const module = k.modules?.get(wasmFrameModuleName(w));
    const fn = w[1]?.replace(/^.*\.ko\./, '') ?? '';
    if (fn.startsWith('asyncify_') || fn === '__dl_tick') continue;
    frames.push(module ? describeFrame({ kind: 'module', module, offset: Number(w[4]) }) : `${fn}+${w[4]}`);
  }
  return frames;
}

/** The C functions of modules on the host's stack right now, innermost first: user programs are wasm too, but not kernel code. */
export function liveModuleFrames(k: Kernel): string[] {
  return liveWasmFrames(k).filter((f) => / \[[\w]+\]/.test(f));
}

/** What lies below a task's module frames: the system call, or the kernel thread it runs in. */
function entryFrames(task: Task): string[] {
  if (task.kind === 'kthread') return task.comm.startsWith('kworker/') ? WORKER : KTHREAD;
  return ENTRY[task.kernelEntry] ?? SYSCALL;
}

/**
 * The code running now on this CPU, for the task that runs it: what show_stack(current)
 * finds above the interrupted or calling code (innermost first), and whether it is an
 * interrupt handler (its frames then make the <IRQ> section).
 */
export interface RunningCode {
  frames: string[];
  inIrq: boolean;
}

/** A task's kernel stack: the <IRQ> section (the current task in an interrupt) and the <TASK> section. */
export interface KernelStack {
  irq: string[] | undefined;
  task: string[];
}

/** Where a task is in the kernel, innermost first. `running` describes the caller's own code when `task` is current. */
export function taskStack(k: Kernel, task: Task, running?: RunningCode): KernelStack {
  const suspended = k.modules?.suspendedIn(task);
  if (task === k.sched.current && running && !suspended) {
    const inModule = liveModuleFrames(k);
    const below = inModule.length ? [...inModule, ...entryFrames(task)] : [];
    if (running.inIrq) return { irq: running.frames, task: ['asm_common_interrupt', ...below] };
    return { irq: undefined, task: [...running.frames, ...below] };
  }
  if (suspended) {
    const above = task.state === 'R' ? PREEMPTED_IN_KERNEL : SLEEP_IN_MODULE[task.wchan] ?? [...SCHED, task.wchan].filter(Boolean);
    return { irq: undefined, task: [...above, ...suspended.frames, ...entryFrames(task)] };
  }
  if (task.state === 'R') return { irq: undefined, task: task.kind === 'user' ? PREEMPTED_IN_USER : [...SCHED, ...KTHREAD] };
  return { irq: undefined, task: SLEEP_IN_KERNEL[task.wchan] ?? [...SCHED, task.wchan, ...entryFrames(task)].filter(Boolean) };
}

/** A task preempted inside module code (a long loop), at one of its preemption points. */
const PREEMPTED_IN_KERNEL = ['__schedule', 'preempt_schedule_irq', 'irqentry_exit', 'asm_sysvec_apic_timer_interrupt'];

/** show_trace_log_lvl(): "Call Trace:", then the sections. */
export function printCallTrace(k: Kernel, level: number, stack: KernelStack): void {
  const line = (s: string) => k.printk(`\x01${level}${s}\n`);
  line('Call Trace:');
  if (stack.irq) {
    line(' <IRQ>');
    for (const f of stack.irq) line(` ${f}`);
    line(' </IRQ>');
  }
  line(' <TASK>');
  for (const f of stack.task) line(` ${f}`);
  line(' </TASK>');
}

/** The thread flags (TIF_*) we can honestly know: TIF_SIGPENDING. */
function threadFlags(k: Kernel, task: Task): number {
  return k.signalPending(task) ? 1 << 2 : 0;
}

/** sched_show_task(): the task's line and its stack, at KERN_INFO. */
export function schedShowTask(k: Kernel, task: Task, running?: RunningCode): void {
  const running_ = task.state === 'R' ? '  running task    ' : '';
  const ppid = task.parent?.pid ?? 0;
  const flags = threadFlags(k, task).toString(16).padStart(8, '0');
  k.printk(`\x016task:${task.comm.slice(0, 15).padEnd(15)} state:${taskStateChar(task, k.personality)}${running_} stack:${'0'.padEnd(5)} pid:${String(task.pid).padEnd(5)} tgid:${String(task.pid).padEnd(5)} ppid:${String(ppid).padEnd(6)} flags:0x${flags}\n`);
  printCallTrace(k, 6, taskStack(k, task, running));
}

/**
 * show_state_filter(): every task (with 'D', only those in uninterruptible sleep), each with
 * its stack. Zombies are gone from it: their stacks were freed when they exited.
 */
export function showStateFilter(k: Kernel, onlyBlocked: boolean, running?: RunningCode): void {
  for (const task of [...k.tasks.values()].sort((a, b) => a.pid - b.pid)) {
    if (task.state === 'Z' || (onlyBlocked && (task.state !== 'D' || task.idleSleep))) continue;
    schedShowTask(k, task, running);
  }
}

/** Where 2.2 saved the EIP of every switched-out task: the instruction after switch_to() in schedule(). */
const SCHEDULE_SAVED_PC_22 = 0xc0111f4e;
/** A 2.2 kernel stack (two pages) minus its task_struct: the most a task can have free. */
const KERNEL_STACK_FREE_22 = 8192 - 1776;

/**
 * 2.2's show_state(): one line per task in creation order (slot number, state, saved PC, free
 * stack, pid, father, youngest child, younger and older sibling), then its signals.
 */
export function showState22(k: Kernel): void {
  const tasks = [...k.tasks.values()].sort((a, b) => a.pid - b.pid);
  k.printk('\n');
  k.printk('                         free                        sibling\n');
  k.printk('  task             PC    stack   pid father child younger older\n');
  tasks.forEach((p, i) => {
    const nr = i + 1;
    const current = p === k.sched.current;
    const pc = current ? ' current  ' : ` ${SCHEDULE_SAVED_PC_22.toString(16).toUpperCase().padStart(8, '0')} `;
    const inModule = k.modules?.list().map((m) => m.stackFree(p.pid)).find((f) => f !== undefined);
    const free = inModule ?? KERNEL_STACK_FREE_22;
    const siblings = p.parent ? [...p.parent.children] : [];
    const at = siblings.indexOf(p);
    const children = [...p.children];
    const youngestChild = children[children.length - 1];
    const younger = at >= 0 ? siblings[at + 1] : undefined;
    const older = at > 0 ? siblings[at - 1] : undefined;
    let line = `${p.comm.slice(0, 8).padEnd(8)} ${String(current ? -nr : nr).padStart(3)} ${p.state}${pc}`;
    line += `${String(free).padStart(5)} ${String(p.pid).padStart(5)} ${String(p.parent?.pid ?? 0).padStart(6)} `;
    line += youngestChild ? `${String(youngestChild.pid).padStart(5)} ` : '      ';
    line += younger ? String(younger.pid).padStart(7) : '       ';
    line += older ? ` ${String(older.pid).padStart(5)}` : '';
    k.printk(`${line}\n`);
    const sigset = (mask: number) => (mask >>> 1).toString(16).padStart(16, '0');
    const queued = [];
    for (let sig = 1; sig < 32; sig++) if (p.pendingSignals & (1 << sig)) queued.push(` ${sig}`);
    k.printk(`   sig: ${k.signalPending(p) ? 1 : 0} ${sigset(p.pendingSignals)} ${sigset(p.blockedSignals)} :${queued.join('')} X\n`);
  });
}
