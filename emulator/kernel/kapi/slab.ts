// <linux/slab.h>: kmalloc and friends over the module's own heap. Misuse is
// reported in the kernel's words instead of corrupting memory silently.
import type { KapiTable, ModuleContext } from './context.js';
import { kasanBadFree } from '../oops.js';
import { warnAllocFailure } from '../memory.js';

export const GFP_ATOMIC = 0x820, GFP_KERNEL = 0xcc0, GFP_USER = 0x100cc0, __GFP_ZERO = 0x100, __GFP_DIRECT_RECLAIM = 0x400, __GFP_NOWARN = 0x2000;

/** %pGg of a gfp mask, as warn_alloc() prints it: "0xcc0(GFP_KERNEL)", "0xdc0(GFP_KERNEL|__GFP_ZERO)". */
function gfpName(flags: number): string {
  const base = (flags & GFP_USER) === GFP_USER ? ['GFP_USER', GFP_USER] as const : (flags & GFP_KERNEL) === GFP_KERNEL ? ['GFP_KERNEL', GFP_KERNEL] as const : (flags & GFP_ATOMIC) === GFP_ATOMIC ? ['GFP_ATOMIC', GFP_ATOMIC] as const : undefined;
  const names: string[] = base ? [base[0]] : [];
  if (flags & __GFP_ZERO) names.push('__GFP_ZERO');
  return `0x${flags.toString(16)}(${names.join('|') || 'none'})`;
}
/** KMALLOC_MAX_SIZE for this machine: 4 MiB, as on x86 with 4 KiB pages and MAX_ORDER 10. */
export const KMALLOC_MAX_SIZE = 4 << 20;

export function slabApi(m: ModuleContext): KapiTable {
  const kmalloc = (size: number, flags: number) => {
    size >>>= 0;
    if (size === 0) return 16; // ZERO_SIZE_PTR
    const k = m.kernel;
    const atomic = k.inInterrupt > 0 || k.preemptCount > 0 || !k.irqsEnabled;
    if (atomic && (flags & __GFP_DIRECT_RECLAIM)) {
      // GFP_KERNEL may sleep to reclaim memory: not allowed in interrupt context or under a spinlock.
      const t = k.sched.current;
      k.printk(`\x013BUG: sleeping function called from invalid context at include/linux/sched/mm.h:306\n`);
      k.printk(`\x013in_atomic(): ${k.preemptCount > 0 || k.inInterrupt > 0 ? 1 : 0}, irqs_disabled(): ${k.irqsEnabled ? 0 : 1}, non_block: 0, pid: ${t?.pid ?? 0}, name: ${t?.comm ?? 'swapper'}\n`);
    }
    if (size > KMALLOC_MAX_SIZE) {
      m.kernel.printk(`\x014WARNING: ${m.name}: kmalloc(${size}) exceeds KMALLOC_MAX_SIZE\n`);
      return 0;
    }
    const ptr = m.heap.alloc(size, (flags & __GFP_ZERO) !== 0, 'kmalloc');
    if (!ptr && !(flags & __GFP_NOWARN)) warnAllocFailure(k, size, gfpName(flags));
    return ptr;
  };
  const kfree = (ptr: number) => {
    if (ptr === 0 || ptr === 16) return;
    const r = m.heap.free(ptr);
    if (r !== 'ok') kasanBadFree(m.kernel, r === 'double' ? 'double-free' : 'invalid-free', ptr);
  };
  return {
    __kmalloc: kmalloc,
    kmalloc,
    kzalloc: (size: number, flags: number) => kmalloc(size, flags | __GFP_ZERO),
    kcalloc: (n: number, size: number, flags: number) => kmalloc(n * size, flags | __GFP_ZERO),
    kmalloc_array: (n: number, size: number, flags: number) => kmalloc(n * size, flags),
    krealloc: (ptr: number, size: number, flags: number) => {
      const old = ptr ? m.heap.sizeOf(ptr) : 0;
      const next = kmalloc(size, flags);
      if (next && ptr && old !== undefined) m.u8().copyWithin(next, ptr, ptr + Math.min(old, size));
      if (next) kfree(ptr);
      return next;
    },
    kfree,
    kvfree: kfree,
    vmalloc: (size: number) => kmalloc(size, GFP_KERNEL),
    vzalloc: (size: number) => kmalloc(size, GFP_KERNEL | __GFP_ZERO),
    vfree: kfree,
    ksize: (ptr: number) => m.heap.sizeOf(ptr) ?? 0,
    kstrdup: (s: number, flags: number) => {
      const str = m.cstring(s);
      if (str === undefined) return 0;
      const bytes = new TextEncoder().encode(str);
      const p = kmalloc(bytes.length + 1, flags);
      if (p) { m.u8().set(bytes, p); m.u8()[p + bytes.length] = 0; }
      return p;
    },
  };
}
