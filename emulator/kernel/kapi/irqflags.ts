// Interrupt flags and spinlocks: local_irq_save/restore, spin_lock_irqsave,
// and 2.2's cli/sti/save_flags/restore_flags act on the CPU's real interrupt
// flag, so a driver that forgets to restore it really stops the machine's
// interrupts. Holding a spinlock or disabling interrupts makes the task atomic:
// sleeping then is "BUG: scheduling while atomic".
import type { KapiTable, ModuleContext } from './context.js';
import type { Kernel } from '../kernel.js';

const IF = 0x200;

/** local_irq_save(): the flags to restore, with interrupts off. */
export function irqSave(k: Kernel): number {
  const f = k.irqsEnabled ? IF : 0;
  k.irqsEnabled = false;
  return f;
}

/** local_irq_restore(): interrupts that became pending meanwhile are taken now. */
export function irqRestore(k: Kernel, flags: number): void {
  k.irqsEnabled = (flags & IF) !== 0;
  if (k.irqsEnabled) k.handleInterrupts();
}

export function irqEnable(k: Kernel): void {
  k.irqsEnabled = true;
  k.handleInterrupts();
}

/** local_bh_disable(): softirqs (timers, tasklets) wait. */
export function bhDisable(k: Kernel): void {
  k.softirq.bhDisabled++;
}

/** local_bh_enable(): runs the softirqs that became pending while disabled. */
export function bhEnable(k: Kernel): void {
  k.softirq.bhDisabled = Math.max(0, k.softirq.bhDisabled - 1);
  k.softirq.irqExit();
}

export function irqflagsApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const save = () => irqSave(k);
  const restore = (flags: number) => irqRestore(k, flags);
  const enable = () => irqEnable(k);
  const locks = new Map<number, number>();
  const lock = (addr: number) => {
    const me = k.sched.current?.pid ?? 0;
    const v = m.view();
    if (v.getUint32(addr, true)) {
      const owner = v.getUint32(addr + 4, true);
      k.printk(owner === me
        ? `\x010BUG: spinlock recursion on CPU#0, ${k.sched.current?.comm ?? 'swapper'}/${me} in ${m.name}\n`
        : `\x010BUG: spinlock lockup suspected on CPU#0, ${k.sched.current?.comm ?? 'swapper'}/${me}, owner pid ${owner} in ${m.name}\n`);
    }
    v.setUint32(addr, 1, true);
    v.setUint32(addr + 4, me, true);
    k.preemptCount++;
    locks.set(addr, me);
  };
  const unlock = (addr: number) => {
    if (!m.view().getUint32(addr, true)) k.printk(`\x010BUG: spinlock already unlocked on CPU#0 in ${m.name}\n`);
    else k.preemptCount = Math.max(0, k.preemptCount - 1);
    m.view().setUint32(addr, 0, true);
    locks.delete(addr);
  };
  return {
    __dl_local_irq_save: save,
    local_irq_restore: restore,
    local_irq_disable: () => { k.irqsEnabled = false; },
    local_irq_enable: enable,
    irqs_disabled: () => (k.irqsEnabled ? 0 : 1),
    spin_lock: lock,
    spin_unlock: unlock,
    spin_trylock: (addr: number) => { if (m.view().getUint32(addr, true)) return 0; lock(addr); return 1; },
    spin_is_locked: (addr: number) => m.view().getUint32(addr, true),
    spin_lock_irq: (addr: number) => { k.irqsEnabled = false; lock(addr); },
    spin_unlock_irq: (addr: number) => { unlock(addr); enable(); },
    spin_lock_bh: (addr: number) => { bhDisable(k); lock(addr); },
    spin_unlock_bh: (addr: number) => { unlock(addr); bhEnable(k); },
    local_bh_disable: () => bhDisable(k),
    local_bh_enable: () => bhEnable(k),
    __dl_spin_lock_irqsave: (addr: number) => { const f = save(); lock(addr); return f; },
    spin_unlock_irqrestore: (addr: number, flags: number) => { unlock(addr); restore(flags); },
    __dl_save_flags: () => (k.irqsEnabled ? IF : 0),
    __dl_restore_flags: restore,
    __dl_cli: () => { k.irqsEnabled = false; },
    __dl_sti: enable,
  };
}
