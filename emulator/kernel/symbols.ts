// Where code is, for the kernel's reports (oops, WARN, lockups, panic): the C
// functions on a task's kernel stack, found in V8's trace of the wasm frames,
// named as kallsyms names them ("my_read+0x1c/0x60 [mymod]") and placed in the
// learner's source by the module's line table ("(/home/lab/mymod.c:42)", as
// scripts/decode_stacktrace.sh shows a frame); and the kernel's own functions
// below them (vfs_read, do_syscall_64, ...), as the kernel path that led there.
import type { Kernel } from './kernel.js';
import type { LoadedModule } from './module.js';
import type { Task } from './sched.js';
import { bodyAt, codeLayout, parseFunctionNames, type CodeLayout } from '../wasm/binary.js';
import { moduleLineTable } from '../wasm/source-map.js';
import type { LineTable, SourcePosition } from '../wasm/line-table.js';

// V8 keeps 10 frames of a stack trace by default: too few for a C call chain, the kernel API
// frames above it and the kernel path below it. (Every JavaScript engine we run on is V8.)
const v8 = Error as unknown as { stackTraceLimit?: number };
if ((v8.stackTraceLimit ?? 0) < 64) v8.stackTraceLimit = 64;

/** The debugging view of a loaded module's binary: its functions and their source lines. */
export class ModuleSymbols {
  readonly layout: CodeLayout;
  private names: Map<number, string> | undefined;
  private lines: LineTable | undefined | null = null;

  constructor(readonly image: Uint8Array, readonly module: WebAssembly.Module) {
    this.layout = codeLayout(image);
  }

  private functionNames(): Map<number, string> {
    if (!this.names) {
      this.names = new Map();
      for (const sec of WebAssembly.Module.customSections(this.module, 'name')) for (const [i, n] of parseFunctionNames(new Uint8Array(sec))) this.names.set(i, n);
    }
    return this.names;
  }

  /** The function containing byte offset `at` of the binary: its name, start and size, as kallsyms gives them. */
  functionAt(at: number): { name: string; start: number; size: number } | undefined {
    const body = bodyAt(this.layout, at);
    if (!body) return undefined;
    return { name: this.functionNames().get(body.index) ?? `func${body.index}`, start: body.start, size: body.end - body.start };
  }

  /**
   * The source line of the code at byte offset `at`, from the line table the module build kept.
   * A function's first bytes (where V8 reports a stack overflow) have none: they get the function's first line.
   */
  position(at: number): SourcePosition | undefined {
    if (this.lines === null) this.lines = moduleLineTable(this.image);
    const pos = this.lines?.lookup(at);
    if (pos) return pos;
    const body = bodyAt(this.layout, at);
    return body && at === body.start ? this.lines?.firstIn(body.start, body.end) : undefined;
  }

  /** The code around `at`: up to `before` bytes before it (within its function), the byte, and `after` bytes after. */
  code(at: number, before: number, after: number): { bytes: Uint8Array; mark: number } {
    const fn = bodyAt(this.layout, at);
    const start = Math.max(fn ? fn.start : at, at - before);
    const end = Math.min(fn ? fn.end : at + 1, at + after + 1);
    return { bytes: this.image.subarray(start, end), mark: at - start };
  }
}

/** A C function of a module on the stack. */
export interface ModuleFrame {
  kind: 'module';
  module: LoadedModule;
  /** Byte offset in the module's binary: the faulting instruction, or the call a caller is in. */
  offset: number;
}

/** A function of the kernel itself: its place is fixed in the kernel image (KERNEL_TEXT). */
export interface KernelFrame {
  kind: 'kernel';
  name: string;
  offset: number;
  /** The function's size, when it is not in KERNEL_TEXT. */
  size?: number;
}

/** Where a trace crosses from interrupt context into the task it interrupted. */
export interface ContextMark { kind: 'irq-end' }

export type Frame = ModuleFrame | KernelFrame | ContextMark;

/**
 * The kernel functions that appear below module code, with their sizes and
 * (for the 2.2 kernel, whose oops prints raw addresses) their addresses: a
 * fixed image, so that every trace of a path reads the same.
 */
const KERNEL_TEXT: Record<string, { size: number; addr22?: number }> = {
  vfs_read: { size: 0x1b0 }, ksys_read: { size: 0xf0 }, __x64_sys_read: { size: 0x30 },
  vfs_write: { size: 0x3e0 }, ksys_write: { size: 0xf0 }, __x64_sys_write: { size: 0x30 },
  __x64_sys_ioctl: { size: 0xd0 }, ksys_lseek: { size: 0xd0 }, __x64_sys_lseek: { size: 0x30 },
  chrdev_open: { size: 0x250 }, do_dentry_open: { size: 0x570 }, vfs_open: { size: 0x40 }, path_openat: { size: 0x1010 },
  do_filp_open: { size: 0x170 }, do_sys_openat2: { size: 0xe0 }, __x64_sys_openat: { size: 0xc0 },
  __fput: { size: 0x2e0 }, task_work_run: { size: 0x90 }, syscall_exit_to_user_mode: { size: 0x280 },
  do_exit: { size: 0xb10 }, do_group_exit: { size: 0xb0 }, __x64_sys_exit_group: { size: 0x20 },
  do_one_initcall: { size: 0x310 }, do_init_module: { size: 0x240 }, load_module: { size: 0x23d0 },
  init_module_from_file: { size: 0xe0 }, idempotent_init_module: { size: 0x2b0 }, __x64_sys_finit_module: { size: 0xb0 },
  __do_sys_delete_module: { size: 0x2f0 }, __x64_sys_delete_module: { size: 0x20 },
  do_syscall_64: { size: 0x90 }, entry_SYSCALL_64_after_hwframe: { size: 0xd8 },
  __handle_irq_event_percpu: { size: 0x1a0 }, handle_irq_event: { size: 0x80 }, handle_level_irq: { size: 0x150 },
  __common_interrupt: { size: 0xd0 }, common_interrupt: { size: 0xa0 }, asm_common_interrupt: { size: 0x40 },
  call_timer_fn: { size: 0x130 }, __run_timers: { size: 0x2c0 }, run_timer_softirq: { size: 0x40 },
  tasklet_action_common: { size: 0x130 }, tasklet_action: { size: 0x30 }, __do_softirq: { size: 0x2a4 },
  __irq_exit_rcu: { size: 0xd0 }, irq_exit_rcu: { size: 0x20 },
  process_one_work: { size: 0x350 }, worker_thread: { size: 0x440 }, kthread: { size: 0x120 },
  ret_from_fork: { size: 0x70 }, ret_from_fork_asm: { size: 0x30 },
  dump_stack_lvl: { size: 0x70 }, dump_stack: { size: 0x20 }, panic: { size: 0x3a0 },
  memcpy: { size: 0x20 }, memmove: { size: 0x1c0 }, memset: { size: 0x20 }, memcmp: { size: 0x30 }, strlen: { size: 0x30 },
  strnlen: { size: 0x40 }, strcmp: { size: 0x40 }, strncmp: { size: 0x50 }, strcpy: { size: 0x30 }, strncpy: { size: 0x40 },
  strscpy: { size: 0x120 }, strcat: { size: 0x40 }, strchr: { size: 0x30 }, strrchr: { size: 0x30 },
  usercopy_abort: { size: 0x7e }, __check_object_size: { size: 0x90 },
  default_idle: { size: 0x20 }, default_idle_call: { size: 0xe0 }, do_idle: { size: 0x270 }, cpu_startup_entry: { size: 0x30 },
  // Linux 2.2.26 (i386): addresses of its System.map.
  sys_read: { size: 0xe0, addr22: 0xc0125d30 }, sys_write: { size: 0xf0, addr22: 0xc0125e10 },
  sys_ioctl: { size: 0x1f0, addr22: 0xc012ea60 }, sys_lseek: { size: 0xb0, addr22: 0xc0125af0 },
  chrdev_open22: { size: 0x40, addr22: 0xc012bd90 }, filp_open: { size: 0x1a0, addr22: 0xc0124f90 },
  sys_open: { size: 0xd0, addr22: 0xc0125130 }, fput: { size: 0x70, addr22: 0xc0126020 },
  filp_close: { size: 0x70, addr22: 0xc0125290 }, sys_close: { size: 0x60, addr22: 0xc0125300 },
  do_exit22: { size: 0x260, addr22: 0xc01172b0 }, sys_exit: { size: 0x10, addr22: 0xc0117510 },
  sys_init_module: { size: 0x5c0, addr22: 0xc0116070 }, sys_delete_module: { size: 0x230, addr22: 0xc0116630 },
  handle_IRQ_event: { size: 0x70, addr22: 0xc010a0b0 }, do_IRQ: { size: 0xd0, addr22: 0xc010a2c0 },
  timer_bh: { size: 0x3f0, addr22: 0xc011ac40 }, do_bottom_half: { size: 0x70, addr22: 0xc0116d60 },
  system_call: { size: 0x38, addr22: 0xc0109e90 }, ret_from_intr: { size: 0x20, addr22: 0xc0109f40 },
};

/** The address a 2.2 oops prints for a place in the kernel. */
export function kernelAddress22(name: string, offset: number): number {
  return (KERNEL_TEXT[name]?.addr22 ?? 0xc0100000) + offset;
}

/** 2.2's names for functions our traces share with the modern kernel (the table has one entry per name). */
function name22(name: string): string {
  return name.endsWith('22') ? name.slice(0, -2) : name;
}

const k = (name: string, offset: number): KernelFrame => ({ kind: 'kernel', name, offset });

/** The kernel path below module code, by the kernel function that called into it (recognised in V8's trace). */
interface EntryPath { modern: KernelFrame[]; v22: KernelFrame[]; interrupt?: boolean; final: boolean }

const SYSCALL = [k('do_syscall_64', 0x5d), k('entry_SYSCALL_64_after_hwframe', 0x6e)];
const SYSCALL22 = [k('system_call', 0x34)];
const IRQ_ENTRY = [k('__common_interrupt', 0x4c), k('common_interrupt', 0x80)];

/**
 * The system call each task is in. Code that slept (or was held at a preemption point) resumes
 * from a promise: V8's trace then starts there, without the kernel path that called in, which
 * this remembers instead.
 */
const syscalls = new WeakMap<Task, SyscallPath>();
export type SyscallPath = 'read' | 'write' | 'ioctl' | 'lseek';

export function enterSyscall(task: Task, path: SyscallPath): void { syscalls.set(task, path); }
export function leaveSyscall(task: Task): void { syscalls.delete(task); }

const ENTRY_PATHS: [RegExp, EntryPath][] = [
  [/^Kernel\.sysRead$/, { modern: [k('vfs_read', 0x9d), k('ksys_read', 0x6f), k('__x64_sys_read', 0x19), ...SYSCALL], v22: [k('sys_read', 0x94), ...SYSCALL22], final: true }],
  [/^Kernel\.sysWrite$/, { modern: [k('vfs_write', 0xc9), k('ksys_write', 0x6f), k('__x64_sys_write', 0x19), ...SYSCALL], v22: [k('sys_write', 0x9c), ...SYSCALL22], final: true }],
  [/^Kernel\.sysIoctl$/, { modern: [k('__x64_sys_ioctl', 0x94), ...SYSCALL], v22: [k('sys_ioctl', 0x1b4), ...SYSCALL22], final: true }],
  [/^Kernel\.sysLseek$/, { modern: [k('ksys_lseek', 0x83), k('__x64_sys_lseek', 0x18), ...SYSCALL], v22: [k('sys_lseek', 0x68), ...SYSCALL22], final: true }],
  [/^Kernel\.sysOpen$/, {
    modern: [k('chrdev_open', 0xc6), k('do_dentry_open', 0x220), k('vfs_open', 0x30), k('path_openat', 0x80c), k('do_filp_open', 0xb3), k('do_sys_openat2', 0x9f), k('__x64_sys_openat', 0x6e), ...SYSCALL],
    v22: [k('chrdev_open22', 0x2c), k('filp_open', 0xf4), k('sys_open', 0x54), ...SYSCALL22], final: true,
  }],
  [/^Kernel\.(sysClose|sysDup2)$/, { modern: [k('__fput', 0xee), k('task_work_run', 0x5c), k('syscall_exit_to_user_mode', 0x1a0), ...SYSCALL], v22: [k('fput', 0x3c), k('filp_close', 0x54), k('sys_close', 0x48), ...SYSCALL22], final: true }],
  [/^Kernel\.exitTask$/, { modern: [k('__fput', 0xee), k('task_work_run', 0x5c), k('do_exit', 0x2b5), k('do_group_exit', 0x35), k('__x64_sys_exit_group', 0x18), ...SYSCALL], v22: [k('fput', 0x3c), k('filp_close', 0x54), k('do_exit22', 0xf8), k('sys_exit', 0x0d), ...SYSCALL22], final: true }],
  [/^ModuleLoader\.load$/, {
    modern: [k('do_one_initcall', 0x5e), k('do_init_module', 0x60), k('load_module', 0x21b2), k('init_module_from_file', 0x89), k('idempotent_init_module', 0x120), k('__x64_sys_finit_module', 0x5e), ...SYSCALL],
    v22: [k('sys_init_module', 0x4a8), ...SYSCALL22], final: true,
  }],
  [/^ModuleLoader\.unload$/, { modern: [k('__do_sys_delete_module', 0x1b1), k('__x64_sys_delete_module', 0x12), ...SYSCALL], v22: [k('sys_delete_module', 0x1f4), ...SYSCALL22], final: true }],
  [/^Workqueues\.workerThread$/, { modern: [k('process_one_work', 0x178), k('worker_thread', 0x306), k('kthread', 0xf2), k('ret_from_fork', 0x47), k('ret_from_fork_asm', 0x1b)], v22: [], final: true }],
  [/^KThread\.body$/, { modern: [k('kthread', 0xf2), k('ret_from_fork', 0x47), k('ret_from_fork_asm', 0x1b)], v22: [], final: true }],
  [/^TimerBase\./, { modern: [k('call_timer_fn', 0x27), k('__run_timers', 0x222), k('run_timer_softirq', 0x1d), k('__do_softirq', 0xd1), k('__irq_exit_rcu', 0x8b), k('irq_exit_rcu', 0xa), ...IRQ_ENTRY], v22: [k('timer_bh', 0x1d2), k('do_bottom_half', 0x3e), k('do_IRQ', 0xa4)], interrupt: true, final: false }],
  [/tasklet/i, { modern: [k('tasklet_action_common', 0xb8), k('tasklet_action', 0x22), k('__do_softirq', 0xd1), k('__irq_exit_rcu', 0x8b), k('irq_exit_rcu', 0xa), ...IRQ_ENTRY], v22: [k('do_bottom_half', 0x3e), k('do_IRQ', 0xa4)], interrupt: true, final: false }],
  [/^doIRQ$/, { modern: [k('__handle_irq_event_percpu', 0x4a), k('handle_irq_event', 0x39), k('handle_level_irq', 0x90), ...IRQ_ENTRY], v22: [k('handle_IRQ_event', 0x34), k('do_IRQ', 0x5e)], interrupt: true, final: false }],
];

/** The module a WASM_FRAME match belongs to: kbuild names a module after its file, with '-' made '_' (KBUILD_MODNAME). */
export function wasmFrameModuleName(w: RegExpExecArray): string {
  return w[2]!.replace(/^.*\//, '').replace(/\.ko$/, '').replace(/-/g, '_');
}

export const WASM_FRAME = /at (?:(\S+) \()?wasm:\/\/wasm\/([^:]+?)(?:-[0-9a-f]+)?:wasm-function\[(\d+)\]:(0x[0-9a-f]+)\)?/;
const JS_FRAME = /^\s*at (?:async )?([\w$.<>]+) \(/;

/**
 * The frames of a V8 stack trace, innermost first: the C functions of kernel
 * modules, and below them the kernel path that called in, up to the task's
 * entry from user space (or the interrupt it is in). `stack` comes from the
 * fault's error object, or from `new Error().stack` where the kernel reports
 * on itself (WARN, lockups, panic).
 */
export function stackFrames(kernel: Kernel, stack: string): Frame[] {
  const frames: Frame[] = [];
  let irqOpen = false;
  for (const line of stack.split('\n')) {
    const w = WASM_FRAME.exec(line);
    if (w) {
      const module = kernel.modules.get(wasmFrameModuleName(w));
      // A user program's frame: user space starts here.
      if (!module) break;
      frames.push({ kind: 'module', module, offset: Number(w[4]) });
      continue;
    }
    const js = JS_FRAME.exec(line)?.[1];
    if (!js) continue;
    const entry = ENTRY_PATHS.find(([re]) => re.test(js))?.[1];
    if (!entry) continue;
    // One interrupt per trace: a handler re-entered further down is the same interrupt's frames.
    if (entry.interrupt && irqOpen) continue;
    frames.push(...(kernel.personality === '2.2' ? entry.v22 : entry.modern));
    if (entry.interrupt) {
      frames.push({ kind: 'irq-end' });
      irqOpen = true;
    }
    if (entry.final) return frames;
  }
  // No kernel path in the trace: the code resumed after a sleep; the task's system call tells it.
  const task = kernel.sched.current;
  const syscall = task && !kernel.inInterrupt ? syscalls.get(task) : undefined;
  const entry = syscall && ENTRY_PATHS.find(([re]) => re.test(`Kernel.sys${syscall[0]!.toUpperCase()}${syscall.slice(1)}`))?.[1];
  if (entry) frames.push(...(kernel.personality === '2.2' ? entry.v22 : entry.modern));
  return frames;
}

/** "func+0xoff/0xsize [module]" for a frame, as %pS prints it. */
export function symbolize(frame: ModuleFrame | KernelFrame): string {
  if (frame.kind === 'kernel') return `${frame.name}+0x${frame.offset.toString(16)}/0x${(frame.size ?? KERNEL_TEXT[frame.name]?.size ?? 0).toString(16)}`;
  const fn = frame.module.symbols.functionAt(frame.offset);
  if (!fn) return `0x${frame.offset.toString(16)} [${frame.module.name}]`;
  return `${fn.name}+0x${(frame.offset - fn.start).toString(16)}/0x${fn.size.toString(16)} [${frame.module.name}]`;
}

/** The source position of a module frame, as decode_stacktrace.sh appends it: " (/home/lab/mymod.c:42)". */
export function sourceSuffix(frame: Frame): string {
  if (frame.kind !== 'module') return '';
  const pos = frame.module.symbols.position(frame.offset);
  return pos ? ` (${pos.file}:${pos.line})` : '';
}

/** "my_read+0x1c/0x60 [mymod] (/home/lab/mymod.c:42)". */
export function describeFrame(frame: ModuleFrame | KernelFrame): string {
  return symbolize(frame) + sourceSuffix(frame);
}

/** The address of a frame in a 2.2 kernel: modules live in the vmalloc area above physical memory. */
export function address22(frame: ModuleFrame | KernelFrame): number {
  if (frame.kind === 'kernel') return kernelAddress22(name22(frame.name), frame.offset);
  return (frame.module.baseAddress22 + frame.offset) >>> 0;
}

/** "<sys_read+94/e0>" as ksymoops and klogd name a 2.2 address (hex without 0x). */
export function ksymoopsName(frame: ModuleFrame | KernelFrame): string {
  if (frame.kind === 'kernel') {
    const name = name22(frame.name);
    return `<${name}+${frame.offset.toString(16)}/${(KERNEL_TEXT[frame.name]?.size ?? 0).toString(16)}>`;
  }
  const fn = frame.module.symbols.functionAt(frame.offset);
  if (!fn) return `<[${frame.module.name}]>`;
  return `<[${frame.module.name}]${fn.name}+${(frame.offset - fn.start).toString(16)}/${fn.size.toString(16)}>`;
}
