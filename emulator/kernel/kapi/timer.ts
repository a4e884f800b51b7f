// <linux/timer.h>, both generations. Modern: timer_setup() and a callback
// that gets the timer (from_timer() finds the containing struct); 2.2:
// init_timer() and a callback that gets timer->data. The kernel keeps each
// armed timer by the address of its struct timer_list in the module's memory,
// reads timer->function when it fires (in the timer softirq), and mirrors
// "pending" into the struct's list link, where timer_pending() looks.
import type { KapiTable, ModuleContext } from './context.js';
import { MODERN_DEFERRED, V2_2_TIMER } from './layout.js';
import type { KernelTimer } from '../timer.js';
import { callback } from './callback.js';
import { symbolOf } from '../kallsyms.js';
import { pointer, warn } from '../warn.js';

const T = MODERN_DEFERRED.timer_list;
const T22 = V2_2_TIMER.timer_list;

export function timerApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const modern = k.personality === 'modern';
  const timers = new Map<number, KernelTimer>();
  /** Timers that went through timer_setup(): debugobjects knows them. */
  const initialized = new Set<number>();
  const view = () => m.view();
  const fnOf = (addr: number) => view().getUint32(addr + (modern ? T.function : T22.function), true);
  const key = (addr: number) => addr.toString(16);

  // timer_pending() is !hlist_unhashed(&timer->entry) (modern) or timer->prev != NULL (2.2).
  const link = modern ? T.entry + MODERN_DEFERRED.hlist_node.pprev : T22.prev;
  const markPending = (addr: number, on: boolean) => view().setUint32(addr + link, on ? addr : 0, true);

  /** debugobjects' report: "ODEBUG: free active (active state 0) object: ... object type: timer_list hint: fn [mod]". */
  const odebug = (what: string, state: string, addr: number, where: string) => warn(k, where,
    `\x013ODEBUG: ${what} ${state} (active state 0) object: ${pointer(addr)} object type: timer_list hint: ${symbolOf(m, fnOf(addr))}`);

  const timerAt = (addr: number): KernelTimer => {
    let t = timers.get(addr);
    if (!t) {
      t = { owner: m.name, fn: () => expire(addr) };
      timers.set(addr, t);
    }
    return t;
  };

  /** call_timer_fn(): the timer is detached first, so the callback may re-arm it. */
  const expire = (addr: number) => {
    markPending(addr, false);
    m.untrack('timer', key(addr));
    const fn = fnOf(addr);
    callback(m, fn, modern ? addr : view().getUint32(addr + T22.data, true));
  };

  const arm = (addr: number, expires: number): number => {
    const t = timerAt(addr);
    view().setUint32(addr + (modern ? T.expires : T22.expires), expires >>> 0, true);
    const was = k.timers.mod(t, expires >>> 0);
    markPending(addr, true);
    m.track('timer', key(addr), () => leaked(addr));
    return was ? 1 : 0;
  };

  const del = (addr: number): number => {
    const t = timers.get(addr);
    const was = t ? k.timers.del(t) : false;
    if (was) {
      markPending(addr, false);
      m.untrack('timer', key(addr));
    }
    return was ? 1 : 0;
  };

  /** A module unloaded with the timer armed: its struct is freed while the timer wheel still points at it. */
  const leaked = (addr: number) => {
    if (modern) odebug('free', 'active', addr, 'lib/debugobjects.c:514 debug_print_object+0x8d/0xb0');
    k.timers.del(timers.get(addr)!);
  };

  /** Linux 6.x silently drops a start of a timer without a function (shut down, or never set up). */
  const startable = (addr: number): boolean => {
    if (fnOf(addr)) return true;
    if (!initialized.has(addr)) odebug('assert_init', 'not available', addr, 'lib/debugobjects.c:514 debug_print_object+0x8d/0xb0');
    return false;
  };

  const addTimer = (addr: number) => {
    if (timers.get(addr) && k.timers.pending(timers.get(addr)!)) {
      if (modern) warn(k, 'kernel/time/timer.c:1241 add_timer+0x1f/0x30');
      else k.printk(`bug: kernel timer added twice at ${(0xc8800000 + addr).toString(16)}.\n`);
      return;
    }
    const expires = view().getUint32(addr + (modern ? T.expires : T22.expires), true);
    if (modern && !startable(addr)) return;
    arm(addr, expires);
  };

  const modTimer = (addr: number, expires: number): number => {
    if (modern && !startable(addr)) return 0;
    return arm(addr, expires);
  };

  const shutdown = (addr: number): number => {
    const was = del(addr);
    view().setUint32(addr + T.function, 0, true);
    return was;
  };

  return {
    // timer_setup(timer, callback, flags)
    init_timer_key: (addr: number, fn: number, flags: number) => {
      const t = timers.get(addr);
      if (t && k.timers.pending(t)) {
        odebug('init', 'active', addr, 'lib/debugobjects.c:514 debug_print_object+0x8d/0xb0');
        del(addr);
      }
      view().setUint32(addr + T.entry, 0, true);
      view().setUint32(addr + T.entry + 4, 0, true);
      view().setUint32(addr + T.function, fn, true);
      view().setUint32(addr + T.flags, flags, true);
      initialized.add(addr);
    },
    add_timer: addTimer,
    mod_timer: modTimer,
    // timer_reduce(): only ever moves the expiry earlier.
    timer_reduce: (addr: number, expires: number) => {
      const t = timers.get(addr);
      const cur = t && k.timers.expires(t);
      if (cur !== undefined && ((expires - cur) | 0) >= 0) return 1;
      return modTimer(addr, expires);
    },
    // Modern: del_timer() and del_timer_sync() are inline wrappers of these.
    timer_delete: del,
    // With one CPU running softirqs to completion, a callback is never half-run when a task gets here.
    timer_delete_sync: del,
    timer_shutdown: shutdown,
    timer_shutdown_sync: shutdown,
    // Linux 2.2's names.
    del_timer: del,
  };
}
