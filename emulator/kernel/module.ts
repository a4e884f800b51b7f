// The module loader (kernel/module/main.c): a .ko here is a wasm module built
// by our kbuild whose imports are the kernel API and whose "modinfo" custom
// section holds the .modinfo strings (license=GPL, author=..., parm=...).
import { NS_PER_FUEL, type Kernel } from './kernel.js';
import { liveModuleFrames } from './stacktrace.js';
import { EEXIST, ENOENT, ENOEXEC, EBUSY } from './errno.js';
import type { FormatArgs } from './format.js';
import type { KapiTable, ModuleContext, ModuleHeap } from './kapi/context.js';
import { printkApi } from './kapi/printk.js';
import { stringApi } from './kapi/string.js';
import { uaccessApi } from './kapi/uaccess.js';
import { slabApi } from './kapi/slab.js';
import { procApi } from './kapi/proc.js';
import { chrdevApi } from './kapi/chrdev.js';
import { syncApi } from './kapi/sync.js';
import { waitApi } from './kapi/wait.js';
import { sched22Api } from './kapi/sched22.js';
import { irqflagsApi } from './kapi/irqflags.js';
import { ioApi } from './kapi/io.js';
import { irqApi } from './kapi/irq.js';
import { timerApi } from './kapi/timer.js';
import { completionApi, COMPLETION_BLOCKING_KAPI } from './kapi/completion.js';
import { taskletApi, TASKLET_BLOCKING_KAPI } from './kapi/tasklet.js';
import { workqueueApi, WORKQUEUE_BLOCKING_KAPI } from './kapi/workqueue.js';
import { kthreadApi, KTHREAD_BLOCKING_KAPI } from './kapi/kthread.js';
import { rwlockApi } from './kapi/rwlock.js';
import { currentApi } from './kapi/current.js';
import type { Maybe } from './maybe.js';
import { moduleSysfsAdd, moduleSysfsRemove, setupModuleParams } from './params.js';
import { BuiltinCode } from './builtin.js';
import { bugApi } from './kapi/bug.js';
import { KernelFault, moduleOops } from './oops.js';
import { ModuleSymbols } from './symbols.js';
import { canAllocate } from './memory.js';
import { ADDRESS_LIMIT, FAULT_ADDRESS_GLOBAL, FAULT_KIND_GLOBAL, NULL_GUARD, STACK_LIMIT_GLOBAL } from '../wasm/faults.js';

export type KapiProvider = (m: ModuleContext) => KapiTable;

/** The kernel API areas, one file each under kapi/ (ARCHITECTURE.md). */
export const KAPI_PROVIDERS: KapiProvider[] = [printkApi, stringApi, uaccessApi, slabApi, procApi, chrdevApi, syncApi, waitApi, sched22Api, irqflagsApi,
  ioApi, irqApi, timerApi, completionApi, taskletApi, workqueueApi, kthreadApi, rwlockApi, currentApi, bugApi];

/** The import module C code calls at its preemption points (see Host.asyncify). */
export const KERNEL_TICK = 'env.__dl_tick';

/** Kernel-API functions that may sleep: the C code calling them is asyncified by kbuild. */
export const BLOCKING_KAPI = ['mutex_lock', 'mutex_lock_interruptible', '__dl_wait_sleep', 'msleep', 'ssleep', 'msleep_interruptible',
  'schedule', 'schedule_timeout', 'usleep_range', 'sleep_on', 'sleep_on_timeout', 'interruptible_sleep_on',
  'interruptible_sleep_on_timeout', '__dl_schedule22', '__dl_schedule_timeout22', 'down', 'down_interruptible', 'probe_irq_on',
  ...COMPLETION_BLOCKING_KAPI, ...TASKLET_BLOCKING_KAPI, ...WORKQUEUE_BLOCKING_KAPI, ...KTHREAD_BLOCKING_KAPI];

/** A module's memory never grows past the address its fault checks treat as wild (emulator/wasm/faults.ts). */
const MODULE_MEMORY_LIMIT = ADDRESS_LIMIT;
/** 2.2 put modules in the vmalloc area: 8 MB above the end of this machine's 256 MB of physical memory. */
const VMALLOC_START_22 = 0xd0800000;
const WASM_PAGE = 65536;

/** First-fit allocator over the module's linear memory above __heap_base. */
class Heap implements ModuleHeap {
  private blocks = new Map<number, { size: number; owner: 'kmalloc' | 'kernel' }>();
  private freed = new Set<number>();
  private free_: { ptr: number; size: number }[] = [];
  private top: number;

  constructor(private readonly memory: WebAssembly.Memory, base: number,
    /** Whether the machine has `bytes` of free RAM for the heap to grow by. */
    private readonly canGrow: (bytes: number) => boolean) {
    this.top = (base + 15) & ~15;
  }

  alloc(size: number, zero: boolean, owner: 'kmalloc' | 'kernel'): number {
    const need = (Math.max(size, 1) + 15) & ~15;
    let ptr = 0;
    const i = this.free_.findIndex((b) => b.size >= need);
    if (i >= 0) {
      const b = this.free_[i]!;
      ptr = b.ptr;
      if (b.size > need) { b.ptr += need; b.size -= need; } else this.free_.splice(i, 1);
    } else {
      if (this.top + need > MODULE_MEMORY_LIMIT) return 0;
      const have = this.memory.buffer.byteLength;
      const pages = Math.ceil((this.top + need - have) / WASM_PAGE);
      if (pages > 0 && !this.canGrow(pages * WASM_PAGE)) return 0;
      ptr = this.top;
      this.top += need;
      if (pages > 0) this.memory.grow(pages);
    }
    this.blocks.set(ptr, { size: need, owner });
    this.freed.delete(ptr);
    if (zero) new Uint8Array(this.memory.buffer, ptr, need).fill(0);
    return ptr;
  }

  free(ptr: number): 'ok' | 'double' | 'invalid' {
    const b = this.blocks.get(ptr);
    if (!b) return this.freed.has(ptr) ? 'double' : 'invalid';
    this.blocks.delete(ptr);
    this.freed.add(ptr);
    this.free_.push({ ptr, size: b.size });
    return 'ok';
  }

  sizeOf(ptr: number): number | undefined { return this.blocks.get(ptr)?.size; }

  live(owner: 'kmalloc' | 'kernel'): { ptr: number; size: number }[] {
    return [...this.blocks].filter(([, b]) => b.owner === owner).map(([ptr, b]) => ({ ptr, size: b.size }));
  }
}

export interface ModInfo {
  /** key -> values in order (author and parm may repeat). */
  fields: Map<string, string[]>;
}

/** Reads the "modinfo" custom section: NUL-separated key=value strings. */
export function readModinfo(module: WebAssembly.Module): ModInfo {
  const fields = new Map<string, string[]>();
  for (const sec of WebAssembly.Module.customSections(module, 'modinfo')) {
    const text = new TextDecoder().decode(sec);
    for (const entry of text.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      const key = entry.slice(0, eq);
      const list = fields.get(key) ?? [];
      list.push(entry.slice(eq + 1));
      fields.set(key, list);
    }
  }
  return { fields };
}

const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

export class LoadedModule implements ModuleContext {
  state: 'coming' | 'live' | 'going' = 'coming';
  refcount = 0;
  instance!: WebAssembly.Instance;
  heap!: ModuleHeap;
  private mem!: WebAssembly.Memory;
  private table!: WebAssembly.Table;
  private tracked = new Map<string, { kind: string; undo: () => void }>();
  readonly sizeBytes: number;
  /** Where a 2.2 kernel would have put the module's code (its oops prints addresses). */
  baseAddress22 = VMALLOC_START_22;
  private symbolTable: ModuleSymbols | undefined;
  /** The exported globals of the fault checks and the stack limit (kernel builds have them). */
  private faultAddress: WebAssembly.Global | undefined;
  private faultKind: WebAssembly.Global | undefined;
  private stackLimit: WebAssembly.Global | undefined;
  /** The C stack wasm-ld laid out, used when no task's stack is: [limit, top). */
  private defaultStackLimit = NULL_GUARD;
  private defaultStackTop = 65536;

  constructor(readonly kernel: Kernel, readonly name: string, readonly module: WebAssembly.Module, readonly info: ModInfo, readonly image: Uint8Array) {
    this.sizeBytes = image.length;
  }

  instantiate(imports: Record<string, WebAssembly.ImportValue>): void {
    this.instance = new WebAssembly.Instance(this.module, { env: imports });
    const ex = this.instance.exports;
    this.mem = ex.memory as WebAssembly.Memory;
    this.table = ex.__indirect_function_table as WebAssembly.Table;
    this.heap = new Heap(this.mem, (ex.__heap_base as WebAssembly.Global).value as number, (bytes) => canAllocate(this.kernel, bytes));
    this.faultAddress = ex[FAULT_ADDRESS_GLOBAL] as WebAssembly.Global | undefined;
    this.faultKind = ex[FAULT_KIND_GLOBAL] as WebAssembly.Global | undefined;
    this.stackLimit = ex[STACK_LIMIT_GLOBAL] as WebAssembly.Global | undefined;
    // wasm-ld's own stack (64 KiB, first in memory) serves code that runs on no task's stack.
    this.defaultStackTop = (ex.__stack_pointer as WebAssembly.Global).value as number;
    this.defaultStackLimit = Math.max(NULL_GUARD, this.defaultStackTop - 65536);
    if (this.stackLimit) this.stackLimit.value = this.defaultStackLimit;
  }

  /** The module's functions and source lines, for oops reports. */
  get symbols(): ModuleSymbols {
    return (this.symbolTable ??= new ModuleSymbols(this.image, this.module));
  }

  /** A license that taints the kernel 'P' ("Modules linked in: mymod(PO)"). */
  get proprietary(): boolean { return !GPL_COMPATIBLE.has(this.license ?? ''); }

  /** The details a fault check left when it fired (and clears them), or undefined when none did. */
  takeFaultCheck(): { address: number; kind: number } | undefined {
    const kind = this.faultKind?.value as number | undefined;
    if (!kind) return undefined;
    this.faultKind!.value = 0;
    return { address: (this.faultAddress!.value as number) >>> 0, kind };
  }

  /**
   * After a trap: if the C code was being unwound or rewound (Asyncify), that stops, so that the
   * module's code runs normally for the next caller. Returns what it was doing.
   */
  abandonAsyncify(): 'unwinding' | 'rewinding' | undefined {
    const state = this.asyncState();
    const ex = this.instance.exports;
    // asyncify_stop_unwind() traps when the saved C state ran past its buffer (it resets the state first).
    if (state === 1) { try { (ex.asyncify_stop_unwind as () => void)(); } catch { /* overflowed */ } this.pendingWait = undefined; return 'unwinding'; }
    if (state === 2) { (ex.asyncify_stop_rewind as () => void)(); return 'rewinding'; }
    return undefined;
  }

  /** The C stack pointer now (at a fault: the faulting function's frame). */
  stackPointer(): number {
    return ((this.instance.exports.__stack_pointer as WebAssembly.Global).value as number) >>> 0;
  }

  /** The stack task `pid` runs C code on in this module: [lowest, highest) address. */
  stackRange(pid: number | undefined): [number, number] {
    const c = pid === undefined ? undefined : this.contexts.get(pid);
    return c ? [c.stackTop - LoadedModule.STACK_SIZE, c.stackTop] : [this.defaultStackLimit, this.defaultStackTop];
  }

  /**
   * Whether `addr` lies in a frame of task `pid`'s C stack in this module that has returned: below
   * the task's live stack pointer, or anywhere on that stack once the task has left the module.
   */
  inDeadFrame(pid: number, addr: number): boolean {
    const c = this.contexts.get(pid);
    if (!c || addr < c.stackTop - LoadedModule.STACK_SIZE || addr >= c.stackTop) return false;
    if (c.depth === 0) return true;
    const running = !c.suspended && this.kernel.sched.current?.pid === pid;
    return addr < (running ? this.stackPointer() : c.savedSp);
  }

  /** The first `n` words on the C stack, from the stack pointer up (2.2's oops prints them). */
  stackWords(n: number): number[] {
    const sp = this.stackPointer();
    const v = this.view();
    const words: number[] = [];
    for (let a = sp; words.length < n && a + 4 <= v.byteLength && a < ADDRESS_LIMIT; a += 4) words.push(v.getUint32(a, true));
    return words;
  }

  memory(): WebAssembly.Memory { return this.mem; }
  // Views are cached per ArrayBuffer: memory.grow() replaces the buffer, and only then are new views made.
  private viewBuffer: ArrayBuffer | undefined;
  private cachedU8!: Uint8Array;
  private cachedView!: DataView;
  private refreshViews(): void {
    const buffer = this.mem.buffer;
    if (buffer === this.viewBuffer) return;
    this.viewBuffer = buffer;
    this.cachedU8 = new Uint8Array(buffer);
    this.cachedView = new DataView(buffer);
  }
  u8(): Uint8Array { this.refreshViews(); return this.cachedU8; }
  view(): DataView { this.refreshViews(); return this.cachedView; }

  cstring(ptr: number, max = 65536): string | undefined {
    if (ptr === 0) return undefined;
    const u = this.u8();
    let end = ptr;
    while (end < u.length && end - ptr < max && u[end] !== 0) end++;
    return new TextDecoder().decode(u.subarray(ptr, end));
  }

  varargs(va: number): FormatArgs {
    let p = va;
    return {
      int32: () => { const v = this.view().getInt32(p, true); p += 4; return v; },
      int64: () => { p = (p + 7) & ~7; const v = this.view().getBigInt64(p, true); p += 8; return v; },
      string: () => { const s = this.view().getUint32(p, true); p += 4; return this.cstring(s); },
      double: () => { p = (p + 7) & ~7; const v = this.view().getFloat64(p, true); p += 8; return v; },
    };
  }

  call(fnptr: number, ...args: (number | bigint)[]): Maybe<number | bigint> {
    const fn = this.cFunction(fnptr);
    if (!fn) {
      // The kernel jumped to the pointer: an instruction fetch from an unmapped address.
      throw moduleOops(this.kernel, this, new KernelFault({ kind: 'page', address: fnptr >>> 0, write: false, fetch: true }, undefined,
        fnptr ? `called a wild function pointer 0x${(fnptr >>> 0).toString(16)}` : 'called a NULL function pointer (a method left out of an operations table?)'));
    }
    return this.enter(() => fn(...args) ?? 0);
  }

  /**
   * The C function behind a function pointer, or null. C code cannot change its function table,
   * so each entry is looked up once: Table.get() is a call into the engine, and a driver's
   * interrupt handler and file operations come through here on every call.
   */
  private cFunction(fnptr: number): CFunction | null {
    const cached = this.cFunctions[fnptr];
    if (cached !== undefined) return cached;
    let found: unknown = null;
    try { found = this.table.get(fnptr); } catch { /* past the table: a wild pointer */ }
    const fn = found as CFunction | null;
    if (fn && Number.isInteger(fnptr) && fnptr >= 0 && fnptr < this.table.length) this.cFunctions[fnptr] = fn;
    return fn;
  }
  private readonly cFunctions: CFunction[] = [];

  // ---- sleeping inside C (Asyncify) ---------------------------------------------------------

  /** Per-task state inside this module: its own C stack and Asyncify buffer. */
  private contexts = new Map<number, TaskContext>();
  private pendingWait: Promise<number> | undefined;
  private static readonly STACK_SIZE = 16384;
  /**
   * Where Asyncify saves the C code's locals when it stops: a deep call chain needs room, and
   * running past the end is only found afterwards (an oops: the task's stack is exhausted).
   */
  private static readonly ASYNCIFY_SIZE = 65536;

  private context(pid: number) {
    let c = this.contexts.get(pid);
    if (!c) {
      const stack = this.heap.alloc(LoadedModule.STACK_SIZE, false, 'kernel');
      const data = this.heap.alloc(LoadedModule.ASYNCIFY_SIZE + 8, false, 'kernel');
      this.view().setUint32(data, data + 8, true);
      this.view().setUint32(data + 4, data + 8 + LoadedModule.ASYNCIFY_SIZE, true);
      c = { stackTop: stack + LoadedModule.STACK_SIZE, data, savedSp: 0, wakeResult: 0, depth: 0, suspended: undefined, irqsOffAfterSleep: false };
      this.contexts.set(pid, c);
    }
    return c;
  }

  /** A driver call that returns with interrupts off or a spinlock held leaves the machine broken: say so, as lockdep does. */
  private checkReturnState(comm: string, pid: number): void {
    const k = this.kernel;
    if (k.inInterrupt) return;
    if (!k.irqsEnabled) {
      k.printk(`\x014WARNING: ${comm}/${pid} returned from ${this.name} with interrupts disabled (a missing restore_flags/local_irq_restore?)\n`);
      // The return to user space (iret/sysret) reloads the user's flags, and with them IF.
      k.irqsEnabled = true;
    }
    if (k.preemptCount > 0) {
      k.printk(`\x014WARNING: ${comm}/${pid} returned from ${this.name} with ${k.preemptCount} spinlock(s) held\n`);
    }
  }

  /** Whether this module was built so that its C code can sleep. */
  get canSleep(): boolean { return typeof this.instance.exports.asyncify_get_state === 'function'; }

  asyncState(): number {
    return this.canSleep ? (this.instance.exports.asyncify_get_state as () => number)() : 0;
  }

  /**
   * Called by a blocking kernel-API import. On the first call the C stack is
   * unwound and `wait` decides when the task continues; when the task is
   * resumed, the import is called again (rewinding) and returns wait's result.
   *
   * A task that sleeps with interrupts disabled does not take them away from the others:
   * schedule() enables them for whoever runs next (2.2's spin_unlock_irq of the run queue
   * lock, finish_task_switch today), and the task wakes with them enabled, except in 2.2's
   * sleep_on family (`keepsIrqFlag`), which puts back the flags its caller had: the way 2.2
   * drivers slept without missing a wake-up (save_flags; cli; test; interruptible_sleep_on).
   */
  sleepUntil(makeWait: () => Promise<number>, keepsIrqFlag = false): number {
    if (this.asyncState() === 2) {
      (this.instance.exports.asyncify_stop_rewind as () => void)();
      if (this.probe) return this.probeArrived();
      const task = this.kernel.sched.current!;
      const c = this.context(task.pid);
      if (c.irqsOffAfterSleep) {
        c.irqsOffAfterSleep = false;
        this.kernel.irqsEnabled = false;
      }
      return c.wakeResult;
    }
    const task = this.kernel.sched.current;
    // 2.2 had no such check: sleeping with interrupts disabled was its way to sleep without a race.
    const irqsOffIsBug = this.kernel.personality !== '2.2';
    if (task && !this.kernel.inInterrupt && (this.kernel.preemptCount > 0 || (!this.kernel.irqsEnabled && irqsOffIsBug))) {
      // Linux reports it and schedules anyway; the lock or the disabled interrupts stay as they are.
      this.kernel.printk(`\x013BUG: scheduling while atomic: ${task.comm}/${task.pid}/0x${(this.kernel.preemptCount || 1).toString(16).padStart(8, '0')} in ${this.name}\n`);
    }
    if (!task || this.kernel.inInterrupt || !this.canSleep) {
      this.kernel.printk(`\x013BUG: scheduling while atomic: ${task?.comm ?? 'swapper'}/${task?.pid ?? 0}/0x00000002 in ${this.name}\n`);
      return -11;
    }
    if (!this.kernel.irqsEnabled && this.kernel.preemptCount === 0) {
      this.context(task.pid).irqsOffAfterSleep = keepsIrqFlag;
      this.kernel.irqsEnabled = true;
    }
    this.unwind(task.pid, makeWait());
    return 0;
  }

  /** Starts unwinding the C stack of task `pid`; enter() awaits `wait` and rewinds. */
  private unwind(pid: number, wait: Promise<number>): void {
    this.pendingWait = wait;
    (this.instance.exports.asyncify_start_unwind as (p: number) => void)(this.context(pid).data);
  }

  /** Fuel handed out at the last preemption point (see Host.asyncify). */
  private fuelGiven = 0;

  /**
   * The `__dl_tick` import: C code ran out of fuel at a loop or function entry.
   * Its CPU time is charged (interrupts get in), and the kernel may suspend
   * the task here for a moment: other CPUs catch up, the host gets its thread.
   */
  tick(): void {
    const ex = this.instance.exports;
    if (this.asyncState() === 2) {
      (ex.asyncify_stop_rewind as () => void)();
      if (this.probe) this.probeArrived();
      return;
    }
    const k = this.kernel;
    const fuel = ex.__dl_fuel as WebAssembly.Global;
    const used = this.fuelGiven - (fuel.value as number);
    fuel.value = this.fuelGiven = k.sched.quantum();
    const task = k.sched.current;
    if (!task) { k.charge(used * NS_PER_FUEL); k.checkRunaway(undefined); return; }
    const canStop = !k.inInterrupt && this.contexts.get(task.pid)?.depth === 1 && this.canSleep;
    const wait = k.preemptionPoint(task, 'kernel', used * NS_PER_FUEL, canStop);
    if (wait) this.unwind(task.pid, wait.then(() => 0));
  }

  /** Calls into the C code, counted while it is on the host's stack (ModuleLoader.codeOnStack). */
  private running(thunk: () => number | bigint): number | bigint {
    const loader = this.kernel.modules;
    loader.codeOnStack++;
    try {
      return thunk();
    } finally {
      loader.codeOnStack--;
    }
  }

  /** Runs C code on the current task's stack; if it slept, the result comes when it is done. */
  private enter(thunk: () => number | bigint): Maybe<number | bigint> {
    const task = this.kernel.sched.current;
    if (!task || !this.canSleep) {
      let r: number | bigint;
      try {
        r = this.running(thunk);
      } catch (e) {
        throw moduleOops(this.kernel, this, e);
      }
      if (task) this.checkReturnState(task.comm, task.pid);
      return r;
    }
    const sp = this.instance.exports.__stack_pointer as WebAssembly.Global;
    const c = this.context(task.pid);
    const outer = sp.value as number;
    const outerLimit = this.stackLimit?.value as number | undefined;
    const bottom = c.stackTop - LoadedModule.STACK_SIZE;
    // A nested entry (the module calling back into itself through the kernel) continues below the current frame.
    const nested = outer <= c.stackTop && outer > bottom;
    const useStack = (at: number) => {
      sp.value = at;
      if (this.stackLimit) this.stackLimit.value = bottom;
    };
    const leaveStack = () => {
      sp.value = outer;
      if (this.stackLimit && outerLimit !== undefined) this.stackLimit.value = outerLimit;
    };
    if (!nested) {
      useStack(c.stackTop);
      task.spinSinceNs = this.kernel.sched.now();
    }
    c.depth++;
    /** The C code faulted: its oops, and the exception that ends the task (or the machine). */
    const fault = (e: unknown): Maybe<never> => {
      // A fault while the C code was being unwound to stop at a preemption point or sleep: the
      // task has already given up its CPU, so its death waits until it gets the CPU back.
      const stopping = this.pendingWait;
      // The oops reads the faulting frame's stack before it is left.
      const fatal = moduleOops(this.kernel, this, e);
      c.depth--;
      if (!nested) leaveStack();
      if (stopping) return stopping.then(() => { throw fatal; }, () => { throw fatal; });
      throw fatal;
    };
    const run = (): Maybe<number | bigint> => {
      let r: number | bigint;
      try {
        r = this.running(thunk);
      } catch (e) {
        return fault(e);
      }
      if (this.asyncState() !== 1) {
        c.depth--;
        if (!nested) {
          leaveStack();
          this.checkReturnState(task.comm, task.pid);
        }
        return r;
      }
      try {
        (this.instance.exports.asyncify_stop_unwind as () => void)();
      } catch {
        // The saved C state ran past its buffer: the task's stack is exhausted.
        return fault(new KernelFault({ kind: 'stack', address: sp.value as number }));
      }
      c.savedSp = sp.value as number;
      leaveStack();
      c.suspended = thunk;
      const wait = this.pendingWait!;
      this.pendingWait = undefined;
      return wait.then((result) => {
        c.suspended = undefined;
        c.wakeResult = result;
        useStack(c.savedSp);
        (this.instance.exports.asyncify_start_rewind as (p: number) => void)(c.data);
        return run();
      });
    };
    return run();
  }

  /** Set while suspendedFrames() rewinds a task to the call it sleeps in. */
  private probe: { data: number; frames: string[] | undefined; outer: number } | undefined;

  /**
   * The C functions task `pid` is suspended in inside this module, innermost first, or
   * undefined if it is not. Found only when asked (SysRq-T, SysRq-W): recording the stack at
   * every sleep would cost more than the sleep itself. The task is rewound to the blocking
   * call, which reads the wasm stack and unwinds it again at once: no C code runs, and the
   * task's saved state is as it was.
   */
  suspendedFrames(pid: number): string[] | undefined {
    const c = this.contexts.get(pid);
    const thunk = c?.suspended;
    // A task suspended in a nested entry (the module called back into itself) is not rewound from here.
    if (!c || !thunk || c.depth !== 1 || this.asyncState() !== 0 || this.probe) return undefined;
    const ex = this.instance.exports;
    const sp = ex.__stack_pointer as WebAssembly.Global;
    const outer = sp.value as number;
    // Module code may be running below us (SysRq from an interrupt that came in during a driver's loop): its frames are not the task's.
    const probe = { data: c.data, frames: undefined as string[] | undefined, outer: liveModuleFrames(this.kernel).length };
    this.probe = probe;
    sp.value = c.savedSp;
    try {
      (ex.asyncify_start_rewind as (p: number) => void)(c.data);
      thunk();
    } finally {
      if (this.asyncState() === 1) (ex.asyncify_stop_unwind as () => void)();
      c.savedSp = sp.value as number;
      sp.value = outer;
      this.probe = undefined;
    }
    return probe.frames;
  }

  /** The rewound task reached its blocking call: read the stack, unwind again. */
  private probeArrived(): number {
    const probe = this.probe!;
    const frames = liveModuleFrames(this.kernel);
    probe.frames = frames.slice(0, frames.length - probe.outer);
    (this.instance.exports.asyncify_start_unwind as (p: number) => void)(probe.data);
    return 0;
  }

  /**
   * do_exit(): the task's C stack and Asyncify buffer in this module go back to its heap. A task
   * that died inside the module (killed while suspended in it) keeps them: its frames are still there.
   */
  releaseTask(pid: number): void {
    const c = this.contexts.get(pid);
    if (!c || c.depth !== 0 || c.suspended) return;
    this.heap.free(c.stackTop - LoadedModule.STACK_SIZE);
    this.heap.free(c.data);
    this.contexts.delete(pid);
  }

  /** The C stack a task uses in this module: how much of it is free (2.2's SysRq-T "free" column). */
  stackFree(pid: number): number | undefined {
    const c = this.contexts.get(pid);
    if (!c?.suspended) return undefined;
    return c.savedSp - (c.stackTop - LoadedModule.STACK_SIZE);
  }

  export(name: string): ((...a: (number | bigint)[]) => number | bigint) | undefined {
    return this.instance.exports[name] as ((...a: (number | bigint)[]) => number | bigint) | undefined;
  }

  /** Calls an exported function (init_module, cleanup_module) on the current task's stack. */
  callExport(name: string, ...args: number[]): Maybe<number | bigint> | undefined {
    const fn = this.export(name);
    return fn ? this.enter(() => fn(...args) ?? 0) : undefined;
  }

  track(kind: string, key: string, undo: () => void): void { this.tracked.set(`${kind}:${key}`, { kind, undo }); }
  untrack(kind: string, key: string): void { this.tracked.delete(`${kind}:${key}`); }

  allocString(s: string): number {
    const bytes = new TextEncoder().encode(s);
    const p = this.heap.alloc(bytes.length + 1, true, 'kernel');
    this.u8().set(bytes, p);
    return p;
  }

  /** Undoes whatever the module left registered; returns the kinds, for the leak warning. */
  releaseLeftovers(): string[] {
    const kinds: string[] = [];
    for (const { kind, undo } of [...this.tracked.values()].reverse()) { kinds.push(kind); undo(); }
    this.tracked.clear();
    return kinds;
  }

  get license(): string | undefined { return this.info.fields.get('license')?.[0]; }
}

/**
 * The imports of C code that runs in the kernel: the kernel API areas, the preemption point, and
 * `extra` (what only code built into the kernel may call). `unknown` lists what none provides.
 */
export function kapiImports(mod: LoadedModule, extra: Record<string, unknown> = {}): { imports: Record<string, WebAssembly.ImportValue>; unknown: string[] } {
  const table: Record<string, unknown> = {};
  for (const p of KAPI_PROVIDERS) Object.assign(table, p(mod));
  Object.assign(table, extra);
  table.__dl_tick = () => mod.tick();
  const imports: Record<string, WebAssembly.ImportValue> = {};
  const unknown: string[] = [];
  for (const imp of WebAssembly.Module.imports(mod.module)) {
    if (imp.module !== 'env' || imp.kind !== 'function') continue;
    const f = table[imp.name];
    if (typeof f === 'function') imports[imp.name] = f as WebAssembly.ImportValue;
    else unknown.push(imp.name);
  }
  return { imports, unknown };
}

type CFunction = (...a: (number | bigint)[]) => number | bigint;

/** A task's state inside one module: its C stack, its Asyncify buffer, and where it is suspended. */
interface TaskContext {
  stackTop: number;
  data: number;
  savedSp: number;
  wakeResult: number;
  depth: number;
  /** The entry (the C call the kernel made) this task is suspended in, to rewind it; undefined while it runs. */
  suspended: (() => number | bigint) | undefined;
  /** It went to sleep in 2.2's sleep_on() with interrupts disabled: they are disabled again when it wakes. */
  irqsOffAfterSleep: boolean;
}

export interface InsmodResult {
  /** 0 or -errno as init_module(2) returns it. */
  status: number;
  /** Text for insmod's error line when the cause is not an errno text (e.g. "Unknown symbol in module"). */
  reason?: string;
}

export class ModuleLoader {
  readonly modules = new Map<string, LoadedModule>();
  /** The last module unloaded, for "Modules linked in: ... [last unloaded: name]". */
  lastUnloaded: string | undefined;
  private nextBase22 = VMALLOC_START_22;
  /** Load order, newest first, as /proc/modules lists them. */
  private order: string[] = [];
  /**
   * How many calls into C code (of modules or of the kernel image) are on the host's stack now:
   * 0 means the kernel's own TypeScript is running (the event stream then looks for no C line).
   */
  codeOnStack = 0;
  /** A module came, went live, failed its init or went (the machine's event stream). */
  onStateChange: ((name: string, state: 'coming' | 'live' | 'failed' | 'gone') => void) | undefined;

  constructor(private readonly kernel: Kernel) {}

  /** Every symbol the kernel exports to modules (for modpost and /proc/kallsyms). */
  exportedSymbols(): string[] {
    const probe = new Proxy({}, { get: () => () => undefined }) as unknown as ModuleContext;
    const names = new Set<string>();
    for (const p of KAPI_PROVIDERS) for (const n of Object.keys(p(probe))) names.add(n);
    return [...names].sort();
  }

  /** The C code built into the kernel (vmlinux): not a module (not in lsmod), but its traps are oopses too. */
  builtin: LoadedModule | undefined;

  /** Starts the C code of the kernel image (see builtin.ts); a string says why it cannot run. */
  loadBuiltin(wasm: Uint8Array): BuiltinCode | string {
    return BuiltinCode.load(this.kernel, wasm);
  }

  get(name: string): LoadedModule | undefined {
    return this.modules.get(name) ?? (this.builtin?.name === name ? this.builtin : undefined);
  }

  /** A task exited: each module lets go of the stack it kept for it. */
  releaseTask(pid: number): void {
    for (const m of this.list()) m.releaseTask(pid);
  }

  list(): LoadedModule[] {
    return this.order.map((n) => this.modules.get(n)!).filter(Boolean);
  }

  /** The module a task is suspended in (sleeping or preempted inside its C code), with its C frames. */
  suspendedIn(task: { pid: number }): { mod: LoadedModule; frames: string[] } | undefined {
    for (const mod of this.modules.values()) {
      const frames = mod.suspendedFrames(task.pid);
      if (frames) return { mod, frames };
    }
    return undefined;
  }

  /**
   * init_module(2): instantiates, resolves symbols, sets the parameters and runs the init function.
   * `prepare` is 2.2's insmod writing MODULE_PARM values into the module image first.
   */
  load(bytes: Uint8Array, params: string, prepare?: (mod: LoadedModule) => InsmodResult | undefined): Maybe<InsmodResult> {
    const k = this.kernel;
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(bytes as BufferSource);
    } catch {
      return { status: -ENOEXEC };
    }
    const info = readModinfo(module);
    const name = info.fields.get('name')?.[0];
    if (!name) {
      k.printk('\x013module has no name in .modinfo (not built by kbuild?)\n');
      return { status: -ENOEXEC };
    }
    if (this.modules.has(name)) return { status: -EEXIST };
    const mod = new LoadedModule(k, name, module, info, bytes);
    mod.baseAddress22 = this.nextBase22;
    this.nextBase22 += (bytes.length + 0xfff) & ~0xfff;
    if (k.personality === 'modern') this.taint(mod);
    const { imports, unknown } = kapiImports(mod);
    if (unknown.length) {
      for (const sym of unknown) k.printk(`\x014${name}: Unknown symbol ${sym} (err -2)\n`);
      return { status: -ENOENT, reason: 'Unknown symbol in module' };
    }
    try {
      mod.instantiate(imports);
    } catch (e) {
      k.printk(`\x013${name}: failed to instantiate: ${(e as Error).message}\n`);
      return { status: -ENOEXEC };
    }
    const paramError = setupModuleParams(k, mod, params, prepare);
    if (paramError) return paramError;
    this.modules.set(name, mod);
    moduleSysfsAdd(k, mod);
    this.order.unshift(name);
    const finish = (ret: number): InsmodResult => {
      if (ret !== 0) {
        if (ret > 0) k.printk(`\x014do_init_module: '${name}'->init suspiciously returned ${ret}, it should follow 0/-E convention\n`);
        this.reportLeaks(mod, 'when init failed');
        this.discard(mod, 'init failed');
        this.onStateChange?.(name, 'failed');
        return { status: ret < 0 ? ret : 0 };
      }
      mod.state = 'live';
      this.onStateChange?.(name, 'live');
      return { status: 0 };
    };
    this.onStateChange?.(name, 'coming');
    if (k.sched.current) k.sched.current.kernelEntry = 'init_module';
    // An oops in init_module kills insmod; the module stays, "Loading" for good, as on Linux.
    const ret = mod.callExport('init_module');
    if (ret instanceof Promise) return ret.then((r) => finish(Number(r)));
    return finish(Number(ret ?? 0));
  }
  private signatureWarned = false;

  /** Linux's taint messages for a module without a GPL-compatible license, and for any out-of-tree module. */
  private taint(mod: LoadedModule): void {
    const k = this.kernel;
    const { name, license } = mod;
    if (!license) k.printk(`\x014${name}: module license unspecified taints kernel.\n`);
    else if (!GPL_COMPATIBLE.has(license)) k.printk(`\x014${name}: module license '${license}' taints kernel.\n`);
    if (!license || !GPL_COMPATIBLE.has(license)) {
      if (!k.tainted.has('P')) k.printk('\x014Disabling lock debugging due to kernel taint\n');
      k.tainted.add('P');
    }
    if (!this.signatureWarned) k.printk(`\x014${name}: loading out-of-tree module taints kernel.\n`);
    this.signatureWarned = true;
    k.tainted.add('O');
  }


  private discard(mod: LoadedModule, why: string): void {
    const leftovers = mod.releaseLeftovers();
    if (leftovers.length) {
      this.kernel.printk(`\x014${mod.name}: ${why} but left ${[...new Set(leftovers)].join(', ')} registered; the kernel removed them\n`);
    }
    moduleSysfsRemove(this.kernel, mod.name);
    this.modules.delete(mod.name);
    this.order = this.order.filter((n) => n !== mod.name);
  }

  /** delete_module(2). */
  unload(name: string): Maybe<InsmodResult> {
    const mod = this.modules.get(name);
    if (!mod) return { status: -ENOENT };
    if (mod.refcount > 0) return { status: -EBUSY };
    // A module still loading (its init oopsed) or already going away: "already dying".
    if (mod.state !== 'live') return { status: -EBUSY };
    if (!mod.export('cleanup_module') && mod.export('init_module')) return { status: -EBUSY, reason: 'no cleanup function' };
    mod.state = 'going';
    if (this.kernel.sched.current) this.kernel.sched.current.kernelEntry = 'cleanup_module';
    // An oops in cleanup_module kills rmmod; the module stays, "Unloading" for good.
    const r = mod.callExport('cleanup_module');
    const done = () => this.finishUnload(mod);
    if (r instanceof Promise) return r.then(done);
    return done();
  }

  private finishUnload(mod: LoadedModule): InsmodResult {
    this.reportLeaks(mod, 'at unload');
    this.discard(mod, 'unloaded');
    this.lastUnloaded = mod.name;
    this.onStateChange?.(mod.name, 'gone');
    return { status: 0 };
  }

  /**
   * kmalloc'ed memory the module's code can no longer free: its own memory goes with it, but on
   * Linux those allocations would stay taken for good. A failed init leaks the same way.
   */
  private reportLeaks(mod: LoadedModule, when: 'at unload' | 'when init failed'): void {
    const leaked = mod.heap.live('kmalloc');
    if (!leaked.length) return;
    const bytes = leaked.reduce((a, b) => a + b.size, 0);
    this.kernel.printk(`\x014${mod.name}: ${leaked.length} kmalloc allocation(s), ${bytes} bytes, not freed ${when} (memory leak)\n`);
  }

  /** /proc/modules */
  procModules(): string {
    return this.list().map((m) => {
      const taint = this.kernel.tainted.has('P') && !GPL_COMPATIBLE.has(m.license ?? '') ? 'P' : '';
      const flags = `(O${taint ? 'P' : ''})`;
      return `${m.name} ${m.sizeBytes} ${m.refcount} - ${m.state === 'live' ? 'Live' : m.state === 'coming' ? 'Loading' : 'Unloading'} 0x00000000 ${flags}\n`;
    }).join('');
  }
}

