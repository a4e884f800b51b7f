// Oops, BUG, WARN and panic: what the kernel says when C code faults, and what
// happens next. Modern: arch/x86/mm/fault.c (page_fault_oops, show_fault_oops),
// arch/x86/kernel/dumpstack.c (__die, oops_end, show_regs), arch/x86/kernel/
// traps.c, lib/bug.c (report_bug), kernel/panic.c (panic, __warn) and
// kernel/exit.c (make_task_dead). Linux 2.2: arch/i386/mm/fault.c, arch/i386/
// kernel/traps.c (die, show_registers), kernel/panic.c and kernel/exit.c.
//
// Registers: a wasm CPU has no RAX..R15 to show, so the report shows what the
// machine does have: the faulting address (CR2), the C stack pointer (RSP /
// esp), the interrupt flag (EFLAGS), the code bytes at the fault (wasm code)
// and the C stack's words (2.2's "Stack:").
import type { Kernel } from './kernel.js';
import type { LoadedModule } from './module.js';
import { TaskKilled, SIGKILL, SIGSEGV, type Task } from './sched.js';
import { hashPointer } from './format.js';
import { dispatchSetup } from '../boot/cmdline.js';
import { FAULT_BULK, FAULT_STACK, FAULT_WRITE, NULL_GUARD } from '../wasm/faults.js';
import { address22, describeFrame, ksymoopsName, sourceSuffix, stackFrames, symbolize, type Frame, type KernelFrame, type ModuleFrame } from './symbols.js';

/** What went wrong, as the CPU reported it. */
export type Fault =
  /** #PF: `address` undefined when the access went past the end of the module's memory. */
  | { kind: 'page'; address: number | undefined; write: boolean; fetch?: boolean }
  /** #DE: division by zero (or INT_MIN / -1). */
  | { kind: 'divide' }
  /** #UD: ud2, which BUG() is; `bug` is its bug-table entry. */
  | { kind: 'invalid-opcode'; bug?: { file: string; line: number } }
  /** The stack grew into its guard page. */
  | { kind: 'stack'; address: number }
  /** Something in the simulator itself broke while running module code: reported like a BUG, never hidden. */
  | { kind: 'internal'; message: string };

/** A fault raised by the kernel API on behalf of the C code calling it (BUG(), a NULL pointer handed to memcpy...). */
export class KernelFault extends Error {
  constructor(readonly fault: Fault, message?: string, readonly hint?: string,
    /** The kernel functions the CPU was in (memcpy, usercopy_abort...), innermost first, above the module's frames. */
    readonly at: KernelFrame[] = []) {
    super(message ?? `kernel fault: ${fault.kind}`);
    this.name = 'KernelFault';
  }
}

/** make_task_dead(): the task that oopsed exits with `signal`; nothing of the code it was in runs again. */
export class OopsExit extends TaskKilled {}

/** panic(): the machine has stopped; the code that was running unwinds and nothing runs again. */
export class KernelPanic extends Error {
  constructor(message: string) { super(`Kernel panic: ${message}`); this.name = 'KernelPanic'; }
}

/** Whether `e` is the kernel giving up on the running code (an oops that killed it, or a panic): pass it on. */
export function isFatal(e: unknown): e is OopsExit | KernelPanic {
  return e instanceof OopsExit || e instanceof KernelPanic;
}

// ---- per-machine state: the die counter, panic settings ----------------------------------------

interface OopsState {
  dieCounter: number;
  /** panic= and /proc/sys/kernel/panic: seconds before a panicked machine reboots (0: never, < 0: at once). */
  panicTimeout: number;
  /** oops=panic and /proc/sys/kernel/panic_on_oops. */
  panicOnOops: boolean;
  panicOnWarn: boolean;
  panicked: boolean;
  /** Virtual time at which a panicked machine restarts (panic=N). */
  rebootAtNs: number | undefined;
  /** Tasks in make_task_dead(): a second fault in one of them is a recursive fault. */
  dying: WeakSet<Task>;
  /** Every oops so far, for checks and tools that read them without parsing the log. */
  records: OopsRecord[];
}

/** An oops as data: what faulted, in which task, and the frames with their source lines. */
export interface OopsRecord {
  /** Virtual time of the oops (ns). */
  timeNs: number;
  fault: Fault;
  pid: number;
  comm: string;
  inInterrupt: boolean;
  /** Innermost first: C functions of modules (with file and line when known) and kernel functions. */
  frames: { symbol: string; module?: string; function: string; offset: number; file?: string; line?: number }[];
}

const states = new WeakMap<Kernel, OopsState>();

function state(k: Kernel): OopsState {
  let s = states.get(k);
  if (!s) {
    const boot = dispatchSetup(k.cmdline, []);
    s = { dieCounter: 0, panicTimeout: boot.panic ?? 0, panicOnOops: boot.oopsPanic, panicOnWarn: false, panicked: false, rebootAtNs: undefined, dying: new WeakSet(), records: [] };
    states.set(k, s);
  }
  return s;
}

/** The sysctls /proc/sys/kernel/{panic,panic_on_oops,panic_on_warn}. */
export const panicSettings = {
  timeout: (k: Kernel) => state(k).panicTimeout,
  setTimeout: (k: Kernel, seconds: number) => { state(k).panicTimeout = seconds; },
  onOops: (k: Kernel) => state(k).panicOnOops,
  setOnOops: (k: Kernel, on: boolean) => { state(k).panicOnOops = on; },
  onWarn: (k: Kernel) => state(k).panicOnWarn,
  setOnWarn: (k: Kernel, on: boolean) => { state(k).panicOnWarn = on; },
};

/** When a panicked machine reboots (panic=N): the Machine waits for it, then resets. */
export function panicRebootAt(k: Kernel): number | undefined {
  return states.get(k)?.rebootAtNs;
}

// ---- formatting helpers ------------------------------------------------------------------------

const hex = (v: number, width: number) => (v >>> 0).toString(16).padStart(width, '0');
/** A 64-bit kernel prints addresses as 16 hex digits; wasm addresses fit in the low 32 bits. */
const hex16 = (v: number) => hex(v, 16);
/** %p on a 64-bit kernel: a hashed value, so that logs leak no addresses. */
const hashed = (v: number) => hex(hashPointer(v >>> 0), 16);

const MODERN_FLAGS = 'PREEMPT SMP NOPTI';
const HARDWARE_NAME = 'DriverLab Virtual PC, BIOS 1.0 01/15/2025';
/** EFLAGS as the CPU would push them on a fault: bit 1 is always set, RF (bit 16) on faults, IF when interrupts are on. */
const eflags = (k: Kernel) => 0x00010002 | (k.irqsEnabled ? 0x200 : 0);

function print(k: Kernel, level: number, text: string): void {
  for (const line of text.split('\n')) k.printk(`\x01${level}${line}\n`);
}

/** "Modules linked in: mymod(O) other(PO+)": each module's taints, '+' while loading and '-' while unloading. */
export function modulesLinkedIn(k: Kernel): string {
  const mods = k.modules.list().map((m) => {
    const taints = `${m.proprietary ? 'P' : ''}O`;
    const state = m.state === 'coming' ? '+' : m.state === 'going' ? '-' : '';
    return ` ${m.name}(${taints}${state})`;
  });
  const last = k.modules.lastUnloaded;
  return `Modules linked in:${mods.join('')}${last ? ` [last unloaded: ${last}(O)]` : ''}`;
}

/** dump_stack_print_info(): "CPU: 0 PID: 42 Comm: cat Tainted: G           O       6.8.0-driverlab #1". */
export function cpuLine(k: Kernel): string {
  const task = k.sched.current;
  const comm = task ? task.comm : `swapper/${k.sched.cpu.id}`;
  return `CPU: ${k.sched.cpu.id} PID: ${task?.pid ?? 0} Comm: ${comm} ${k.taintString()} ${k.release.release} ${k.release.version.split(' ')[0]}`;
}

/** The "Code:" line: the machine code around the fault, the faulting byte in <>, as show_opcodes() prints it. */
function codeLine(frame: Frame | undefined, fault?: Fault): string | undefined {
  if (fault?.kind === 'page' && fault.fetch) {
    // The CPU jumped to an unmapped address: there are no bytes to show, as show_opcodes() says.
    const from = BigInt.asUintN(64, BigInt(fault.address ?? 0) - 42n);
    return `Code: Unable to access opcode bytes at 0x${from.toString(16)}.`;
  }
  // The kernel's own functions have no machine code to show: they are the simulator's.
  if (frame?.kind !== 'module') return undefined;
  const { bytes, mark } = frame.module.symbols.code(frame.offset, 42, 21);
  return `Code: ${[...bytes].map((b, i) => (i === mark ? `<${hex(b, 2)}>` : hex(b, 2))).join(' ')}`;
}

function ripLine(frame: Frame | undefined, fault?: Fault): string {
  // A call through a NULL (or wild) function pointer: the CPU is at the pointer itself; the caller is the first frame.
  if (fault?.kind === 'page' && fault.fetch) return `RIP: 0010:0x${(fault.address ?? 0).toString(16)}`;
  if (frame?.kind === 'module' || frame?.kind === 'kernel') return `RIP: 0010:${describeFrame(frame)}`;
  return 'RIP: 0010:0x0';
}

/** The C stack pointer at the place (a kernel function's own report: that of the C code that called it). */
function stackPointer(frames: Frame[]): number {
  const c = frames.find((f): f is ModuleFrame => f.kind === 'module');
  return c ? c.module.stackPointer() : 0;
}

/** show_trace_log_lvl(): " <TASK>" or " <IRQ>", the frames, and the closing marks. */
function callTrace(k: Kernel, frames: Frame[], level: number): void {
  const inIrq = frames.some((f) => f.kind === 'irq-end');
  print(k, level, 'Call Trace:');
  print(k, level, inIrq ? ' <IRQ>' : ' <TASK>');
  let taskFrames = 0;
  let afterIrq = !inIrq;
  for (const f of frames) {
    if (f.kind === 'irq-end') {
      print(k, level, ' </IRQ>');
      print(k, level, ' <TASK>');
      print(k, level, ' asm_common_interrupt+0x26/0x40');
      afterIrq = true;
      continue;
    }
    print(k, level, ` ${describeFrame(f)}`);
    if (afterIrq) taskFrames++;
  }
  // An interrupt that came while the CPU had nothing to run: the idle loop it interrupted.
  if (inIrq && taskFrames === 0 && !k.sched.current) for (const f of ['default_idle+0x9/0x20', 'default_idle_call+0x2c/0xe0', 'do_idle+0x226/0x270', 'cpu_startup_entry+0x2a/0x30']) print(k, level, ` ${f}`);
  print(k, level, ' </TASK>');
}

/** show_regs(): the CPU line, the RIP, code and stack pointer, and the call trace. */
function showRegs(k: Kernel, frames: Frame[], fault: Fault | undefined, level: number): void {
  print(k, level, cpuLine(k));
  print(k, level, `Hardware name: ${HARDWARE_NAME}`);
  showIp(k, frames, fault, level);
  callTrace(k, frames, level);
}

function showIp(k: Kernel, frames: Frame[], fault: Fault | undefined, level: number): void {
  const top = frames[0];
  print(k, level, ripLine(top, fault));
  const code = codeLine(top, fault);
  if (code) print(k, level, code);
  print(k, level, `RSP: 0018:${hex16(stackPointer(frames))} EFLAGS: ${hex(eflags(k), 8)}`);
}

// ---- the oops report ---------------------------------------------------------------------------

/** The x86 page-fault error code: bit 1 a write, bit 4 an instruction fetch (bit 0 clear: page not present). */
function pageErrorCode(f: Extract<Fault, { kind: 'page' }>): number {
  return (f.write ? 2 : 0) | (f.fetch ? 0x10 : 0);
}

function reportModern(k: Kernel, fault: Fault, frames: Frame[], module: LoadedModule | undefined): void {
  const s = state(k);
  const n = ++s.dieCounter;
  const header = (str: string, err: number) => print(k, 4, `${str}: ${hex(err, 4)} [#${n}] ${MODERN_FLAGS}`);
  switch (fault.kind) {
    case 'page': {
      const code = pageErrorCode(fault);
      if (fault.address === undefined) {
        const end = module?.memory().buffer.byteLength ?? 0;
        print(k, 1, `BUG: unable to handle page fault for address: beyond ${hex16(end)}, the end of ${module?.name ?? 'the module'}'s memory`);
      } else if (fault.address < NULL_GUARD) {
        print(k, 1, `BUG: kernel NULL pointer dereference, address: ${hex16(fault.address)}`);
      } else {
        print(k, 1, `BUG: unable to handle page fault for address: ${hex16(fault.address)}`);
      }
      print(k, 1, `#PF: supervisor ${fault.fetch ? 'instruction fetch' : fault.write ? 'write access' : 'read access'} in kernel mode`);
      print(k, 1, `#PF: error_code(0x${hex(code, 4)}) - not-present page`);
      print(k, 6, 'PGD 0 P4D 0 ');
      header('Oops', code);
      break;
    }
    case 'divide': header('divide error', 0); break;
    case 'invalid-opcode':
      if (fault.bug) {
        print(k, 4, '------------[ cut here ]------------');
        print(k, 2, `kernel BUG at ${fault.bug.file}:${fault.bug.line}!`);
      }
      header('invalid opcode', 0);
      break;
    case 'stack': {
      const range = module?.stackRange(k.sched.current?.pid);
      print(k, 0, `BUG: task stack guard page was hit at ${hashed(fault.address)} (stack is ${hashed(range?.[0] ?? 0)}..${hashed(range?.[1] ?? 0)})`);
      header('stack guard page', 0);
      break;
    }
    case 'internal':
      print(k, 2, `kernel BUG in the simulator (a DriverLab bug, not yours) while running ${module?.name ?? 'module'} code: ${fault.message}`);
      header('invalid opcode', 0);
      break;
  }
  showRegs(k, frames, fault, 4);
  print(k, 4, modulesLinkedIn(k));
  if (fault.kind === 'page') print(k, 4, `CR2: ${hex16(fault.address ?? module?.memory().buffer.byteLength ?? 0)}`);
  print(k, 4, '---[ end trace 0000000000000000 ]---');
  // The executive summary, in case the body of the oops scrolled away.
  showIp(k, frames, fault, 4);
  if (fault.kind === 'page') print(k, 4, `CR2: ${hex16(fault.address ?? module?.memory().buffer.byteLength ?? 0)}`);
}

function report22(k: Kernel, fault: Fault, frames: Frame[], module: LoadedModule | undefined): void {
  const task = k.sched.current;
  const top = frames[0];
  let str = 'Oops';
  let err = 0;
  switch (fault.kind) {
    case 'page': {
      const address = fault.address ?? module?.memory().buffer.byteLength ?? 0;
      err = pageErrorCode(fault) & 7;
      print(k, 1, `Unable to handle kernel ${address < NULL_GUARD ? 'NULL pointer dereference' : 'paging request'} at virtual address ${hex(address, 8)}`);
      const cr3 = 0x00101000 + (task?.pid ?? 0) * 0x1000;
      print(k, 1, `current->tss.cr3 = ${hex(cr3, 8)}, %cr3 = ${hex(cr3, 8)}`);
      print(k, 1, '*pde = 00000000');
      break;
    }
    case 'stack': str = 'Oops'; err = 2; print(k, 1, `Unable to handle kernel paging request at virtual address ${hex(fault.address, 8)}`); break;
    case 'divide': str = 'divide error'; break;
    case 'invalid-opcode': str = 'invalid operand'; break;
    case 'internal':
      print(k, 2, `kernel BUG in the simulator (a DriverLab bug, not yours) while running ${module?.name ?? 'module'} code: ${fault.message}`);
      str = 'invalid operand';
      break;
  }
  print(k, 4, `${str}: ${hex(err, 4)}`);
  const eip = top?.kind === 'module' || top?.kind === 'kernel' ? address22(top) : fault.kind === 'page' && fault.fetch ? fault.address ?? 0 : 0;
  print(k, 4, `CPU:    ${k.sched.cpu.id}`);
  print(k, 4, `EIP:    0010:[<${hex(eip, 8)}>]`);
  print(k, 4, `EFLAGS: ${hex(eflags(k), 8)}`);
  const pid = task?.pid ?? 0;
  print(k, 4, `Process ${task?.comm ?? 'swapper'} (pid: ${pid}, process nr: ${pid ? 12 + pid : 0}, stackpage=${hex(0xc1f00000 - pid * 0x2000 + 0x1000, 8)})`);
  if (top?.kind === 'module') {
    const words = top.module.stackWords(24);
    if (words.length) print(k, 4, `Stack: ${words.map((w, i) => (i && i % 8 === 0 ? `\n       ${hex(w, 8)}` : hex(w, 8))).join(' ')} `);
  }
  const traced = frames.slice(1).filter((f): f is ModuleFrame | KernelFrame => f.kind !== 'irq-end');
  print(k, 4, `Call Trace: ${traced.map((f, i) => `${i && i % 8 === 0 ? '\n       ' : ''}[<${hex(address22(f), 8)}>]`).join(' ')} `);
  if (top?.kind === 'module') {
    const { bytes, mark } = top.module.symbols.code(top.offset, 0, 19);
    print(k, 4, `Code: ${[...bytes.subarray(mark)].map((b) => hex(b, 2)).join(' ')} `);
  }
  // What ksymoops made of it, with the source lines we know.
  if (top?.kind === 'module' || top?.kind === 'kernel') print(k, 4, `>>EIP; ${hex(address22(top), 8)} ${ksymoopsName(top)}   <=====${sourceSuffix(top)}`);
  for (const f of traced) print(k, 4, `Trace; ${hex(address22(f), 8)} ${ksymoopsName(f)}${sourceSuffix(f)}`);
}

/** The modern kernel's call trace of a kernel function's own report (WARN from the kernel API, panic's dump_stack). */
function kernelFrames(k: Kernel, prefix: KernelFrame[]): Frame[] {
  return [...prefix, ...stackFrames(k, new Error().stack ?? '')];
}

// ---- what happens next -------------------------------------------------------------------------

/**
 * oops_end() and make_task_dead() (2.2: die() and do_exit()): the oops is in
 * the log; the machine panics if it must, otherwise the task that faulted
 * dies with `signal`. Returns the exception for the caller to throw.
 */
function afterOops(k: Kernel, signal: number): Error {
  const s = state(k);
  const task = k.sched.current;
  k.tainted.add('D');
  if (k.personality === '2.2') {
    if (k.inInterrupt) print(k, 4, 'Aiee, killing interrupt handler');
    if (!task) return panic(k, 'Attempted to kill the idle task!');
    s.dying.add(task);
    return new OopsExit(SIGSEGV);
  }
  if (k.inInterrupt) return panic(k, 'Fatal exception in interrupt');
  if (s.panicOnOops) return panic(k, 'Fatal exception');
  if (!task) return panic(k, 'Attempted to kill the idle task!');
  if (!k.irqsEnabled) {
    print(k, 6, `note: ${task.comm}[${task.pid}] exited with irqs disabled`);
    k.irqsEnabled = true;
  }
  if (k.preemptCount > 0) {
    print(k, 6, `note: ${task.comm}[${task.pid}] exited with preempt_count ${k.preemptCount}`);
    k.preemptCount = 0;
  }
  s.dying.add(task);
  return new OopsExit(signal);
}

/**
 * die(): reports `fault` (the oops, in the personality's words), and returns
 * what the caller throws: the dying task's exit, or a panic. `frames` are the
 * C frames and kernel path of the fault, innermost first.
 */
export function die(k: Kernel, fault: Fault, frames: Frame[], module?: LoadedModule, hint?: string): Error {
  const s = state(k);
  const task = k.sched.current;
  // console_verbose(): from now on everything reaches the console.
  k.log.consoleLoglevel = 15;
  if (task && s.dying.has(task)) {
    // A fault while dying (in a release() that faults again): the task is left where it is.
    print(k, 1, 'Fixing recursive fault but reboot is needed!');
    return new OopsExit(SIGKILL);
  }
  if (hint && module) print(k, 3, `${module.name}: ${hint}`);
  s.records.push(record(k, fault, frames));
  if (k.personality === '2.2') report22(k, fault, frames, module);
  else reportModern(k, fault, frames, module);
  // Page faults kill with SIGKILL (page_fault_oops), every other trap with SIGSEGV (die()).
  return afterOops(k, fault.kind === 'page' ? SIGKILL : SIGSEGV);
}

function record(k: Kernel, fault: Fault, frames: Frame[]): OopsRecord {
  const task = k.sched.current;
  return {
    timeNs: k.clock.now, fault, pid: task?.pid ?? 0, comm: task?.comm ?? `swapper/${k.sched.cpu.id}`, inInterrupt: k.inInterrupt > 0,
    frames: frames.filter((f): f is ModuleFrame | KernelFrame => f.kind !== 'irq-end').map((f) => {
      if (f.kind === 'kernel') return { symbol: symbolize(f), function: f.name, offset: f.offset };
      const fn = f.module.symbols.functionAt(f.offset);
      const pos = f.module.symbols.position(f.offset);
      return { symbol: symbolize(f), module: f.module.name, function: fn?.name ?? '?', offset: fn ? f.offset - fn.start : f.offset, file: pos?.file, line: pos?.line };
    }),
  };
}

/** The oopses of this boot, oldest first (a lab check's "which line faulted?"). */
export function oopsRecords(k: Kernel): readonly OopsRecord[] {
  return states.get(k)?.records ?? [];
}

/**
 * The exception module code threw, as the CPU would have seen it: a fault
 * check that fired (the globals say where), a trap (divide by zero, ud2 =
 * unreachable), V8's stack overflow, or a fault the kernel API raised.
 */
export function faultOf(module: LoadedModule, e: unknown): { fault: Fault; hint?: string } {
  if (e instanceof KernelFault) return { fault: e.fault, hint: e.hint };
  // Asyncify traps when the C stack it saves outgrows its buffer: the task's stack is exhausted.
  if (module.abandonAsyncify() === 'unwinding' && e instanceof WebAssembly.RuntimeError) {
    return { fault: { kind: 'stack', address: module.stackPointer() } };
  }
  if (e instanceof WebAssembly.RuntimeError) {
    const check = module.takeFaultCheck();
    if (check) {
      if (check.kind & FAULT_STACK) return { fault: { kind: 'stack', address: check.address } };
      const fault: Fault = { kind: 'page', address: check.address, write: (check.kind & FAULT_WRITE) !== 0 };
      // The compiler's inline memcpy/memset (memory.copy/fill) checks a whole range: say which.
      if (check.kind & FAULT_BULK) return { fault, hint: `${check.kind & FAULT_WRITE ? 'memset/memcpy to' : 'memcpy from'} 0x${check.address.toString(16)} (an inline copy the compiler made)` };
      return { fault };
    }
    const msg = e.message;
    if (/unreachable/.test(msg)) return { fault: { kind: 'invalid-opcode' } };
    if (/divide by zero|integer overflow|remainder by zero/.test(msg)) return { fault: { kind: 'divide' } };
    if (/memory access out of bounds/.test(msg)) return { fault: { kind: 'page', address: undefined, write: false } };
    if (/null function|signature mismatch/.test(msg)) return { fault: { kind: 'page', address: 0, write: false, fetch: true }, hint: 'called a NULL (or mistyped) function pointer' };
    if (/table index is out of bounds/.test(msg)) return { fault: { kind: 'page', address: undefined, write: false, fetch: true }, hint: 'called through a wild function pointer' };
    return { fault: { kind: 'internal', message: msg } };
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) return { fault: { kind: 'stack', address: module.stackPointer() } };
  return { fault: { kind: 'internal', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } };
}

/** A fault in module code: its oops. Returns what the caller throws. */
export function moduleOops(k: Kernel, module: LoadedModule, e: unknown): Error {
  if (isFatal(e)) return e;
  // A task killed meanwhile (SIGKILL at a preemption point) is no fault of the code.
  if (e instanceof TaskKilled) return e;
  const { fault, hint } = faultOf(module, e);
  const frames = stackFrames(k, (e as Error)?.stack ?? '');
  if (e instanceof KernelFault) frames.unshift(...e.at);
  return die(k, fault, frames, module, hint);
}

/** SysRq-c and checks: an oops at the current place, as if the CPU had faulted here. */
export function oopsHere(k: Kernel, fault: Fault): Error {
  return die(k, fault, stackFrames(k, new Error().stack ?? ''));
}

/** The watchdog's report of where a CPU is stuck (kernel/watchdog.c): the modules, then show_regs() of the place. */
export function lockupReport(k: Kernel): void {
  const frames = stackFrames(k, new Error().stack ?? '');
  print(k, 4, modulesLinkedIn(k));
  showRegs(k, frames, undefined, 4);
}

// ---- WARN ----------------------------------------------------------------------------------------

/**
 * __warn(): a warning with the place it was detected, the modules, the
 * registers and call trace; the kernel goes on (tainted W). `where` is the
 * file:line of the WARN; `frames` the place (top) and its callers.
 */
export function warnReport(k: Kernel, where: string | undefined, frames: Frame[], message?: string): void {
  const task = k.sched.current;
  print(k, 4, '------------[ cut here ]------------');
  if (message) k.printk(message.endsWith('\n') ? message : `${message}\n`);
  const top = frames[0];
  const place = [where, top && top.kind !== 'irq-end' ? symbolize(top) : undefined].filter(Boolean).join(' ');
  print(k, 4, `WARNING: CPU: ${k.sched.cpu.id} PID: ${task?.pid ?? 0} at ${place}`);
  print(k, 4, modulesLinkedIn(k));
  showRegs(k, frames, undefined, 4);
  print(k, 4, '---[ end trace 0000000000000000 ]---');
  k.tainted.add('W');
  if (state(k).panicOnWarn) throw panic(k, 'kernel: panic_on_warn set ...');
}

/** Where the WARN_ON sits in kernel functions named without an offset: offset and size. */
const WARN_SITES: Record<string, [number, number]> = {
  __free_irq: [0x1a4, 0x2c0], __enable_irq: [0x4b, 0x60], __handle_irq_event_percpu: [0x14a, 0x1a0], iounmap: [0x91, 0xd0],
};

/**
 * A kernel function's own WARN (add_timer on a pending timer, a bad iounmap...): `where` is
 * "file:line func+0xoff/0xsize" (or "file:line func"). The function is the RIP; the C code that
 * called it is the call trace.
 */
export function kernelWarn(k: Kernel, where: string, message?: string): void {
  const m = /^(\S+) (\w+)(?:\+0x([0-9a-f]+)\/0x([0-9a-f]+))?$/.exec(where);
  if (!m) { warnReport(k, where, kernelFrames(k, []), message); return; }
  const [offset, size] = m[3] ? [parseInt(m[3], 16), parseInt(m[4]!, 16)] : WARN_SITES[m[2]!] ?? [0, 0];
  warnReport(k, m[1], kernelFrames(k, [{ kind: 'kernel', name: m[2]!, offset, size }]), message);
}

// ---- KASAN --------------------------------------------------------------------------------------

/**
 * KASAN's report of a bad kfree() (mm/kasan/report.c): "double-free" when the memory was already
 * freed, "invalid-free" when kmalloc never returned the pointer. The place is kfree()'s caller, as
 * %pS prints _RET_IP_; the kernel goes on, tainted B, as KASAN does without panic_on_warn.
 */
export function kasanBadFree(k: Kernel, kind: 'double-free' | 'invalid-free', address: number): void {
  const frames = kernelFrames(k, [{ kind: 'kernel', name: 'kfree', offset: 0x8c, size: 0x330 }]);
  const caller = frames.find((f): f is ModuleFrame => f.kind === 'module');
  const task = k.sched.current;
  const rule = '==================================================================';
  print(k, 3, rule);
  print(k, 3, `BUG: KASAN: ${kind} in ${caller ? symbolize(caller) : 'kfree+0x8c/0x330'}`);
  print(k, 3, `Free of addr ${hex16(address)} by task ${task?.comm ?? 'swapper/0'}/${task?.pid ?? 0}`);
  print(k, 3, '');
  print(k, 3, cpuLine(k));
  print(k, 3, `Hardware name: ${HARDWARE_NAME}`);
  callTrace(k, frames, 3);
  print(k, 3, rule);
  k.tainted.add('B');
}

// ---- panic ---------------------------------------------------------------------------------------

/**
 * panic(): says why, shows where (unless an oops just did), and stops the
 * machine; with panic=N (or /proc/sys/kernel/panic) it reboots N seconds of
 * virtual time later. Returns the exception that unwinds the code that called it.
 */
export function panic(k: Kernel, message: string): KernelPanic {
  const s = state(k);
  const text = message.replace(/\n$/, '');
  if (s.panicked) return new KernelPanic(text);
  s.panicked = true;
  k.log.consoleLoglevel = 15;
  const timeout = s.panicTimeout;
  if (k.personality === '2.2') {
    print(k, 0, `Kernel panic: ${text}`);
    if (!k.sched.current) print(k, 0, 'In swapper task - not syncing');
    else if (k.inInterrupt) print(k, 0, 'In interrupt handler - not syncing');
    if (timeout > 0) print(k, 0, `Rebooting in ${timeout} seconds..`);
  } else {
    print(k, 0, `Kernel panic - not syncing: ${text}`);
    if (!k.tainted.has('D')) {
      print(k, 4, cpuLine(k));
      print(k, 4, `Hardware name: ${HARDWARE_NAME}`);
      callTrace(k, kernelFrames(k, [{ kind: 'kernel', name: 'dump_stack_lvl', offset: 0x48 }, { kind: 'kernel', name: 'dump_stack', offset: 0x10 }, { kind: 'kernel', name: 'panic', offset: 0x1b3 }]), 4);
    }
    print(k, 0, 'Kernel Offset: disabled');
    if (timeout > 0) print(k, 0, `Rebooting in ${timeout} seconds..`);
    else if (timeout === 0) print(k, 0, `---[ end Kernel panic - not syncing: ${text} ]---`);
  }
  k.irqsEnabled = false;
  k.halted = `Kernel panic: ${text}`;
  // A negative timeout reboots at once on the modern kernel; 2.2 reboots only after a positive one.
  if (timeout > 0 || (timeout < 0 && k.personality === 'modern')) s.rebootAtNs = k.clock.now + Math.max(0, timeout) * 1e9;
  return new KernelPanic(text);
}
