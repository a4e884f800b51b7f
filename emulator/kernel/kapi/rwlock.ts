// <linux/rwlock.h>: reader-writer spinlocks over module memory, made like the
// spinlocks of irqflags.ts: holding one makes the task atomic (preempt count),
// the _irq/_irqsave variants turn the CPU's interrupt flag off, the _bh ones
// hold softirqs back. On one CPU a contended rwlock can never be released by
// its holder while we spin, so contention is reported the way lock debugging does.
import type { KapiTable, ModuleContext } from './context.js';
import { MODERN_DEFERRED } from './layout.js';
import { bhDisable, bhEnable, irqEnable, irqRestore, irqSave } from './irqflags.js';
import { pointer } from '../warn.js';

const L = MODERN_DEFERRED.rwlock;
const WRITER = -1;

export function rwlockApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const cnt = (addr: number) => m.view().getInt32(addr + L.cnt, true);
  const me = () => k.sched.current?.pid ?? 0;
  /** spinlock_debug.c's reports: "BUG: rwlock recursion on CPU#0, insmod/42, 5f1e2d3c". */
  const bug = (addr: number, what: string) => {
    const t = k.sched.current;
    k.printk(`\x010BUG: ${what} on CPU#0, ${t?.comm ?? 'swapper/0'}/${t?.pid ?? 0}, ${pointer(addr)} in ${m.name}\n`);
  };
  const ownedByMe = (addr: number) => m.view().getUint32(addr + L.owner, true) === me();
  /** write_lock() by the lock's own writer: reported (Linux would hang here), then unwound by the matching unlock. */
  const recursion = new Map<number, number>();

  const readLock = (addr: number) => {
    if (cnt(addr) === WRITER) bug(addr, ownedByMe(addr) ? 'rwlock recursion' : 'read-lock lockup');
    m.view().setInt32(addr + L.cnt, Math.max(cnt(addr), 0) + 1, true);
    k.preemptCount++;
  };
  const readUnlock = (addr: number) => {
    if (cnt(addr) <= 0) bug(addr, 'rwlock already unlocked');
    else { m.view().setInt32(addr + L.cnt, cnt(addr) - 1, true); k.preemptCount = Math.max(0, k.preemptCount - 1); }
  };
  const writeLock = (addr: number) => {
    const c = cnt(addr);
    if (c === WRITER && ownedByMe(addr)) {
      bug(addr, 'rwlock recursion');
      recursion.set(addr, (recursion.get(addr) ?? 0) + 1);
      k.preemptCount++;
      return;
    }
    if (c !== 0) bug(addr, 'write-lock lockup');
    m.view().setInt32(addr + L.cnt, WRITER, true);
    m.view().setUint32(addr + L.owner, me(), true);
    k.preemptCount++;
  };
  const writeUnlock = (addr: number) => {
    const depth = recursion.get(addr);
    if (depth) {
      if (depth > 1) recursion.set(addr, depth - 1); else recursion.delete(addr);
      k.preemptCount = Math.max(0, k.preemptCount - 1);
      return;
    }
    if (cnt(addr) !== WRITER) bug(addr, 'rwlock already unlocked');
    else if (!ownedByMe(addr)) bug(addr, 'rwlock wrong owner');
    if (cnt(addr) === WRITER) k.preemptCount = Math.max(0, k.preemptCount - 1);
    m.view().setInt32(addr + L.cnt, 0, true);
    m.view().setUint32(addr + L.owner, 0, true);
  };

  return {
    read_lock: readLock,
    read_unlock: readUnlock,
    write_lock: writeLock,
    write_unlock: writeUnlock,
    read_trylock: (addr: number) => { if (cnt(addr) === WRITER) return 0; readLock(addr); return 1; },
    write_trylock: (addr: number) => { if (cnt(addr) !== 0) return 0; writeLock(addr); return 1; },
    read_lock_irq: (addr: number) => { k.irqsEnabled = false; readLock(addr); },
    read_unlock_irq: (addr: number) => { readUnlock(addr); irqEnable(k); },
    write_lock_irq: (addr: number) => { k.irqsEnabled = false; writeLock(addr); },
    write_unlock_irq: (addr: number) => { writeUnlock(addr); irqEnable(k); },
    read_lock_bh: (addr: number) => { bhDisable(k); readLock(addr); },
    read_unlock_bh: (addr: number) => { readUnlock(addr); bhEnable(k); },
    write_lock_bh: (addr: number) => { bhDisable(k); writeLock(addr); },
    write_unlock_bh: (addr: number) => { writeUnlock(addr); bhEnable(k); },
    __dl_read_lock_irqsave: (addr: number) => { const f = irqSave(k); readLock(addr); return f; },
    __dl_write_lock_irqsave: (addr: number) => { const f = irqSave(k); writeLock(addr); return f; },
    read_unlock_irqrestore: (addr: number, flags: number) => { readUnlock(addr); irqRestore(k, flags); },
    write_unlock_irqrestore: (addr: number, flags: number) => { writeUnlock(addr); irqRestore(k, flags); },
  };
}
