// <linux/interrupt.h> (and 2.2's <linux/sched.h>, <asm/irq.h>): request_irq/free_irq with the
// handler types of each personality, enable/disable_irq, and IRQ autoprobing.
//
// 2.2: `void handler(int irq, void *dev_id, struct pt_regs *regs)`; SA_INTERRUPT makes a "fast"
// handler that runs with interrupts disabled, without it the handler runs with them enabled;
// SA_SHIRQ shares the line. Modern: `irqreturn_t handler(int irq, void *dev_id)`, always with
// interrupts disabled; IRQF_SHARED needs a dev_id (-EINVAL without, as Linux checks).
// A handler is C code of the module, called on whatever stack the interrupted code is using (as
// 2.2 did), never allowed to sleep: the kernel refuses with "scheduling while atomic".
import type { IrqAction } from '../kernel.js';
import { EINVAL } from '../errno.js';
import { WaitQueue } from '../sched.js';
import { NR_IRQS, PROBE_COOKIE_22, disableIrq, enableIrq, probeFilter, probeOff, probeStartup, removeIrqAction, warn } from '../irq.js';
import type { KapiTable, ModuleContext } from './context.js';
import { V2_2_IRQ } from './layout.js';
import { symbolOf } from '../kallsyms.js';

/** asm-i386/signal.h of 2.2 */
export const SA_INTERRUPT = 0x20000000, SA_SHIRQ = 0x04000000;
/** include/linux/interrupt.h */
export const IRQF_SHARED = 0x00000080;
export const IRQ_NONE = 0, IRQ_HANDLED = 1;
/** 2.2's __KERNEL_CS and the EFLAGS of interrupted kernel code (IF set: it was interruptible). */
const KERNEL_CS = 0x10, INTERRUPTED_EFLAGS = 0x246;
/** Where __builtin_return_address() of a module would point on 2.2 (modules live at 0xc8800000 up). */
const MODULE_TEXT_22 = 0xc8800000;
const PT = V2_2_IRQ.pt_regs;

export function irqApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const is22 = k.personality === '2.2';
  /** Track keys of this module's actions, for untrack() at free_irq. */
  const keys = new Map<IrqAction, string>();
  /** The devname pointer each action was requested with (modern free_irq() returns it). */
  const namePtrs = new Map<IrqAction, number>();
  let seq = 0;
  let regs = 0;

  /** The struct pt_regs a 2.2 handler receives: orig_eax holds irq - 256, as the IRQ entry stub pushes it. */
  const ptRegs = (irq: number): number => {
    if (!regs) regs = m.heap.alloc(PT.size, true, 'kernel');
    const v = m.view();
    v.setInt32(regs + PT.orig_eax, irq - 256, true);
    v.setUint32(regs + PT.xcs, KERNEL_CS, true);
    v.setUint32(regs + PT.eflags, INTERRUPTED_EFLAGS, true);
    return regs;
  };

  /** Runs the C handler; a fault in it is the module's oops in interrupt context (LoadedModule.enter). */
  const runHandler = (fn: number, irq: number, devId: number): boolean => {
    const r = is22 ? m.call(fn, irq, devId, ptRegs(irq)) : m.call(fn, irq, devId);
    // Sleeping in a handler is refused before the C stack could unwind, so the call never suspends.
    if (r instanceof Promise) return true;
    return is22 || Number(r) !== IRQ_NONE;
  };

  const request = (irq: number, handler: number, threadFn: number, flags: number, namePtr: number, devId: number): number => {
    irq >>>= 0; flags >>>= 0; devId >>>= 0;
    const name = m.cstring(namePtr) ?? '';
    if (!is22 && (flags & IRQF_SHARED) && !devId) return -EINVAL;
    if (irq >= NR_IRQS) return -EINVAL;
    if (!handler) return -EINVAL;
    if (threadFn) {
      k.printk(`\x013${m.name}: request_threaded_irq(${irq}, "${name}"): threaded handlers are not available on this machine; use a plain request_irq()\n`);
      return -EINVAL;
    }
    const action: IrqAction = {
      name, devId, owner: m.name, flags,
      shared: (flags & (is22 ? SA_SHIRQ : IRQF_SHARED)) !== 0,
      interruptsEnabled: is22 && (flags & SA_INTERRUPT) === 0,
      handler: (n) => runHandler(handler, n, devId),
      symbol: () => ({ ptr: handler, name: symbolOf(m, handler) }),
    };
    const r = k.requestIrq(irq, action);
    if (r !== 0) return r;
    const key = `${irq}/${devId}/${seq++}`;
    keys.set(action, key);
    namePtrs.set(action, namePtr);
    m.track('IRQ', key, () => { removeIrqAction(k, irq, (a) => a === action); keys.delete(action); });
    return 0;
  };
  const freeIrq = (irq: number, devId: number): number => {
    irq >>>= 0; devId >>>= 0;
    if (irq >= NR_IRQS) return 0;
    const action = removeIrqAction(k, irq, (a) => a.owner === m.name && (a.devId ?? 0) === devId && keys.has(a));
    if (!action) {
      if (is22) k.printk(`Trying to free free IRQ${irq}\n`);
      else warn(k, `Trying to free already-free IRQ ${irq}`, 'kernel/irq/manage.c:1893 __free_irq');
      return 0;
    }
    m.untrack('IRQ', keys.get(action)!);
    keys.delete(action);
    const namePtr = namePtrs.get(action) ?? 0;
    namePtrs.delete(action);
    return namePtr;
  };

  /** An uninterruptible sleep of the current task (msleep), for the modern probe's settle delays. */
  const msleep = (ms: number): Promise<number> => {
    const wq = new WaitQueue('msleep');
    const ev = k.clock.scheduleIn(ms * 1e6, () => k.wakeAll(wq), 'msleep');
    return k.sleepOn(wq, 'msleep', false).then((r) => { k.clock.cancel(ev); return r; });
  };

  return {
    request_irq: (irq: number, handler: number, flags: number, name: number, dev: number) => request(irq, handler, 0, flags, name, dev),
    request_threaded_irq: request,
    free_irq: freeIrq,
    disable_irq: (irq: number) => { disableIrq(k, irq >>> 0); },
    disable_irq_nosync: (irq: number) => { disableIrq(k, irq >>> 0); },
    enable_irq: (irq: number) => {
      irq >>>= 0;
      if (enableIrq(k, irq)) return;
      if (is22) k.printk(`enable_irq() unbalanced from ${MODULE_TEXT_22.toString(16)}\n`);
      else warn(k, `Unbalanced enable for IRQ ${irq}`, 'kernel/irq/manage.c:774 __enable_irq');
    },
    // One CPU runs interrupts at a time here, and never while the caller runs: nothing to wait for.
    synchronize_irq: () => undefined,
    /**
     * 2.2: arms every free line and busy-waits 100 ms with interrupts on (lines that fire meanwhile
     * are noise), then returns its cookie. Modern: starts the free lines, sleeps 20 ms to flush
     * long-standing interrupts, arms them, sleeps 100 ms, and returns the mask of quiet lines.
     */
    probe_irq_on: () => {
      if (m.asyncState() === 2) return m.sleepUntil(() => Promise.resolve(0));
      if (is22) {
        probeStartup(k, true);
        k.charge(100e6);
        probeFilter(k);
        return PROBE_COOKIE_22;
      }
      probeStartup(k, false);
      return m.sleepUntil(() => msleep(20).then(() => { probeStartup(k, true); return msleep(100); }).then(() => probeFilter(k)));
    },
    probe_irq_off: (val: number) => {
      if (is22 && (val >>> 0) !== PROBE_COOKIE_22) k.printk(`Bad IRQ probe from ${MODULE_TEXT_22.toString(16)}\n`);
      return probeOff(k);
    },
  };
}
