// The C source line behind what the machine is doing right now: the innermost function of a
// kernel module on the host's stack, named as %pS names it and placed in the learner's source by
// the module's line table (symbols.ts). The event stream asks for it on port accesses, I/O
// memory accesses and interrupt-flag changes, and only while someone listens with sources on.
//
// It costs a V8 stack capture (a few microseconds), so it is only tried while C code is on the
// stack (ModuleLoader.codeOnStack), within a budget of host time per second once a thousand
// lookups have been made in that second (a driver polling a port a million times a second gets
// the line of its first accesses each second, not of all; an ordinary run gets every line, on a
// busy host too), and with a short stack: the module's call into the kernel API is a few frames
// below the asker.
//
// The kernel's own accesses made while module code is on the stack below (the EOI of a timer
// interrupt taken at a preemption point inside a driver's loop) are not the module's: the
// search stops at the frames where the kernel takes interrupts and moves time.
import type { Kernel } from './kernel.js';
import type { LoadedModule } from './module.js';
import { WASM_FRAME, symbolize, wasmFrameModuleName } from './symbols.js';

export interface CallSite {
  /** "/home/lab/my_device.c:57", when the module kept a line table. */
  src?: string;
  /** "my_write+0x1c/0x60 [my_device]". */
  fn: string;
}

/** Frames between the asker and the module's call into the kernel API, with room to spare. */
const STACK_DEPTH = 10;
/**
 * Host time that C-line lookups may take, per second of host time: a driver polling a port a
 * million times a second gets the line of its first accesses each second, not of all.
 */
export const CALL_SITE_BUDGET_MS_PER_SEC = 30;
/**
 * Lookups every second of host time gets whatever they cost: a driver's ordinary run (a few
 * hundred accesses) has all its C lines however busy the host is; only a flood meets the budget.
 */
export const CALL_SITE_LOOKUPS_PER_SEC = 1000;

/** Where the kernel takes an interrupt or moves time: below these, any module code is not the caller. */
const KERNEL_BOUNDARY = new Set(['doIRQ', 'Kernel.advanceTo', 'Kernel.handleInterrupts', 'Kernel.takeInterrupts', 'Kernel.charge']);

/** The parts of V8's structured stack trace (Error.prepareStackTrace's call sites) used here. */
interface V8CallSite {
  getFileName(): string | undefined | null;
  getFunctionName(): string | null;
  getTypeName(): string | null;
  /** 1-based; for a wasm frame, the byte offset in the module plus one. */
  getColumnNumber(): number | null;
}

const cache = new WeakMap<LoadedModule, Map<number, CallSite>>();
/** V8's stack API (every JavaScript engine we run on is V8). */
const v8 = Error as unknown as {
  stackTraceLimit: number;
  prepareStackTrace: ((error: unknown, sites: V8CallSite[]) => unknown) | undefined;
  captureStackTrace(holder: object, above?: unknown): void;
};
const structured = (_error: unknown, sites: V8CallSite[]) => sites;

export class CallSiteFinder {
  private windowStart = 0;
  private spentMs = 0;
  private lookups = 0;
  /** Lookups refused for lack of budget since the finder was made. */
  skipped = 0;

  constructor(private readonly kernel: () => Kernel, private readonly wallNow: () => number) {}

  /** The innermost module C function making the current access, or undefined (kernel code, no budget left). */
  find(): CallSite | undefined {
    const k = this.kernel();
    if (!k.modules || k.modules.codeOnStack === 0) return undefined;
    const start = this.wallNow();
    if (start - this.windowStart >= 1000) {
      this.windowStart = start;
      this.spentMs = 0;
      this.lookups = 0;
    }
    if (this.lookups >= CALL_SITE_LOOKUPS_PER_SEC && this.spentMs >= CALL_SITE_BUDGET_MS_PER_SEC) {
      this.skipped++;
      return undefined;
    }
    const site = moduleCallSite(k, this.find);
    this.lookups++;
    this.spentMs += this.wallNow() - start;
    return site;
  }
}

/**
 * The innermost module C function on the stack below `above` (a function whose frame and those
 * above it are left out), from V8's structured trace: no text is formatted.
 */
export function moduleCallSite(kernel: Kernel, above?: (...args: never[]) => unknown): CallSite | undefined {
  const holder: { stack?: unknown } = {};
  const { stackTraceLimit, prepareStackTrace } = v8;
  v8.stackTraceLimit = STACK_DEPTH;
  v8.prepareStackTrace = structured;
  let sites: V8CallSite[];
  try {
    v8.captureStackTrace(holder, above);
    sites = holder.stack as V8CallSite[];
  } finally {
    v8.stackTraceLimit = stackTraceLimit;
    v8.prepareStackTrace = prepareStackTrace;
  }
  for (const frame of sites) {
    const file = frame.getFileName();
    if (!file?.startsWith('wasm://')) {
      const fn = frame.getFunctionName();
      const type = frame.getTypeName();
      if (fn && KERNEL_BOUNDARY.has(type && type !== 'Object' ? `${type}.${fn}` : fn)) return undefined;
      continue;
    }
    const fn = frame.getFunctionName() ?? '';
    if (fn.includes('asyncify_') || fn.endsWith('__dl_tick')) continue;
    const module = kernel.modules?.get(wasmModuleName(file));
    // A user program's code: no module is running.
    if (!module) return undefined;
    return siteAt(module, (frame.getColumnNumber() ?? 1) - 1);
  }
  return undefined;
}

/** "wasm://wasm/my_device.ko-1a2b3c4d" is module my_device (as WASM_FRAME's text is read in symbols.ts). */
function wasmModuleName(file: string): string {
  const w = WASM_FRAME.exec(`at wasm://wasm/${file.slice('wasm://wasm/'.length)}:wasm-function[0]:0x0`);
  return w ? wasmFrameModuleName(w) : file;
}

function siteAt(module: LoadedModule, offset: number): CallSite {
  let sites = cache.get(module);
  if (!sites) cache.set(module, (sites = new Map()));
  let site = sites.get(offset);
  if (!site) {
    const pos = module.symbols.position(offset);
    site = { fn: symbolize({ kind: 'module', module, offset }) };
    if (pos) site.src = `${pos.file}:${pos.line}`;
    sites.set(offset, site);
  }
  return site;
}
