// WARN(): the kernel's report of something wrong that it survives. Linux
// prints the message between a "cut here" line and the end-of-trace line,
// with the place it was detected; the register dump and call trace of a real
// machine are left out. The kernel is tainted 'W' from then on.
import type { Kernel } from './kernel.js';
import { hashPointer } from './format.js';

/** `where` is Linux's "file:line function+off/size", e.g. "kernel/time/timer.c:1241 add_timer+0x1f/0x30". */
export function warn(k: Kernel, where: string, message?: string): void {
  const task = k.sched.current;
  k.printk('\x014------------[ cut here ]------------\n');
  if (message) k.printk(message.endsWith('\n') ? message : `${message}\n`);
  k.printk(`\x014WARNING: CPU: 0 PID: ${task?.pid ?? 0} at ${where}\n`);
  const modules = k.modules.list().map((m) => `${m.name}(O)`).join(' ');
  k.printk(`\x014Modules linked in: ${modules}\n`);
  k.printk('\x014---[ end trace 0000000000000000 ]---\n');
  k.tainted.add('W');
}

/** %p: a kernel pointer as printk shows it (hashed, so addresses do not leak into logs). */
export function pointer(addr: number): string {
  return addr === 0 ? '00000000' : hashPointer(addr >>> 0).toString(16).padStart(8, '0');
}
