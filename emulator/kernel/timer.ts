// Kernel timers (kernel/time/timer.c): one-shot callbacks at a jiffy. The
// timer interrupt checks for expired timers (run_local_timers) and raises
// TIMER_SOFTIRQ; the softirq runs them (run_timer_softirq), in interrupt
// context, after the hardware handlers. A timer that expires at jiffy J runs
// on the tick that makes jiffies == J.
import type { Kernel } from './kernel.js';
import { TIMER_SOFTIRQ } from './softirq.js';

export interface KernelTimer {
  /** The callback (call_timer_fn); the timer is no longer pending when it runs. */
  fn: () => void;
  /** For /proc/timer_list-like views and messages: who armed it. */
  readonly owner: string;
}

interface Armed { expires: number; seq: number }

/** jiffies are a wrapping 32-bit counter: compare as time_after_eq() does. */
export const timeAfterEq = (a: number, b: number): boolean => ((a - b) | 0) >= 0;

export class TimerBase {
  private readonly armed = new Map<KernelTimer, Armed>();
  private seq = 0;

  constructor(private readonly k: Kernel) {
    k.tickHooks.push(() => this.runLocalTimers());
    k.softirq.open(TIMER_SOFTIRQ, () => this.runTimerSoftirq());
  }

  /** __mod_timer(): (re)arms the timer for `expires` jiffies; whether it was pending. */
  mod(t: KernelTimer, expires: number): boolean {
    const was = this.armed.delete(t);
    this.armed.set(t, { expires: expires >>> 0, seq: this.seq++ });
    return was;
  }

  /** timer_delete(): whether it was pending. */
  del(t: KernelTimer): boolean {
    return this.armed.delete(t);
  }

  /** How many timers are armed (a soak test's leak check). */
  get armedCount(): number {
    return this.armed.size;
  }

  pending(t: KernelTimer): boolean {
    return this.armed.has(t);
  }

  expires(t: KernelTimer): number | undefined {
    return this.armed.get(t)?.expires;
  }

  /** run_local_timers(), from the tick: raises the softirq when something expired. */
  private runLocalTimers(): void {
    for (const a of this.armed.values()) {
      if (timeAfterEq(this.k.jiffies, a.expires)) { this.k.softirq.raise(TIMER_SOFTIRQ); return; }
    }
  }

  /** __run_timers(): expired timers in order of expiry, each detached before its callback runs. */
  private runTimerSoftirq(): void {
    const now = this.k.jiffies;
    const due = [...this.armed].filter(([, a]) => timeAfterEq(now, a.expires))
      .sort(([, a], [, b]) => ((a.expires - b.expires) | 0) || a.seq - b.seq);
    for (const [t, a] of due) {
      // An earlier callback may have deleted or re-armed this one.
      if (this.armed.get(t) !== a) continue;
      this.armed.delete(t);
      t.fn();
    }
  }
}
