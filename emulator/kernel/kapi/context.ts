// What a kernel-API import sees of the module that called it: its memory, its
// allocator, and the kernel. One ModuleContext per loaded module instance.
import type { Kernel } from '../kernel.js';
import type { FormatArgs } from '../format.js';
import type { Maybe } from '../maybe.js';

export interface ModuleHeap {
  alloc(size: number, zero: boolean, owner: 'kmalloc' | 'kernel'): number;
  free(ptr: number): 'ok' | 'double' | 'invalid';
  sizeOf(ptr: number): number | undefined;
  live(owner: 'kmalloc' | 'kernel'): { ptr: number; size: number }[];
}

export interface ModuleContext {
  readonly kernel: Kernel;
  readonly name: string;
  memory(): WebAssembly.Memory;
  readonly heap: ModuleHeap;
  u8(): Uint8Array;
  view(): DataView;
  cstring(ptr: number, max?: number): string | undefined;
  /** Arguments of a C varargs call: `va` points at the wasm32 varargs buffer. */
  varargs(va: number): FormatArgs;
  /** Calls a C function pointer of this module; a Promise when the C code slept. */
  call(fnptr: number, ...args: (number | bigint)[]): Maybe<number | bigint>;
  /**
   * For blocking imports: suspends the calling C code until `makeWait` settles (see LoadedModule).
   * `keepsIrqFlag`: the caller wakes with the interrupt flag it slept with (2.2's sleep_on family).
   */
  sleepUntil(makeWait: () => Promise<number>, keepsIrqFlag?: boolean): number;
  /** Asyncify state: 0 normal, 1 unwinding, 2 rewinding (a blocking import is being resumed). */
  asyncState(): number;
  /** Registers something to undo if the module is unloaded without undoing it (leak report). */
  track(kind: string, key: string, undo: () => void): void;
  untrack(kind: string, key: string): void;
  /** Whether `addr` is in a frame of task `pid`'s C stack that has returned (a dangling on-stack object). */
  inDeadFrame(pid: number, addr: number): boolean;
  /** Writes a C string into freshly allocated kernel-owned module memory. */
  allocString(s: string): number;
}

/** A table of C-callable functions: name -> implementation (wasm-level signature). */
export type KapiTable = Record<string, (...args: never[]) => number | bigint | void>;
