// WARN() of the kernel's own functions: Linux prints the message between a
// "cut here" line and the end-of-trace line, with the place it was detected,
// the modules, the registers and the call trace (the C code that called the
// kernel function, with its source lines). The kernel is tainted 'W'.
import type { Kernel } from './kernel.js';
import { hashPointer } from './format.js';
import { kernelWarn } from './oops.js';

/** `where` is Linux's "file:line function+off/size", e.g. "kernel/time/timer.c:1241 add_timer+0x1f/0x30". */
export function warn(k: Kernel, where: string, message?: string): void {
  kernelWarn(k, where, message);
}

/** %p: a kernel pointer as printk shows it (hashed, so addresses do not leak into logs). */
export function pointer(addr: number): string {
  return addr === 0 ? '00000000' : hashPointer(addr >>> 0).toString(16).padStart(8, '0');
}
