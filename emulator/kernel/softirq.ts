// Softirqs and tasklets (kernel/softirq.c): the work interrupt handlers defer
// to the end of the interrupt. irq_exit() runs what is pending with interrupts
// enabled again, but still in interrupt context: in_interrupt() is true and
// nothing here may sleep. Timers (TIMER_SOFTIRQ) and tasklets (TASKLET_SOFTIRQ)
// run this way, in Linux's order, after the hardware handlers.
import type { Kernel } from './kernel.js';

export const HI_SOFTIRQ = 0, TIMER_SOFTIRQ = 1, TASKLET_SOFTIRQ = 6;
const NR_SOFTIRQS = 10;
/** __do_softirq() restarts at most this often before leaving the rest for later (ksoftirqd). */
const MAX_SOFTIRQ_RESTART = 10;

/** A scheduled tasklet: the kernel's half of a struct tasklet_struct in module memory. */
export interface Tasklet {
  readonly owner: string;
  /** Whether tasklet_disable() holds it back (count != 0 in the C struct). */
  disabled(): boolean;
  /** Clears TASKLET_STATE_SCHED and runs the function; a new schedule from inside it queues it again. */
  run(): void;
}

export class Softirq {
  private pending = 0;
  private readonly actions: ((() => void) | undefined)[] = new Array(NR_SOFTIRQS);
  /** local_bh_disable() depth (spin_lock_bh holds it too): softirqs wait until it drops to 0. */
  bhDisabled = 0;
  private readonly tasklets: Tasklet[][] = [[], []];

  constructor(private readonly k: Kernel) {
    this.open(HI_SOFTIRQ, () => this.runTasklets(0));
    this.open(TASKLET_SOFTIRQ, () => this.runTasklets(1));
  }

  /** open_softirq() */
  open(nr: number, action: () => void): void {
    this.actions[nr] = action;
  }

  /** raise_softirq(): runs at the next irq_exit() or local_bh_enable(). */
  raise(nr: number): void {
    this.pending |= 1 << nr;
  }

  /**
   * irq_exit() and local_bh_enable(): runs pending softirqs unless the CPU is
   * already in interrupt context, interrupts are off, or bottom halves are disabled.
   */
  irqExit(): void {
    if (!this.pending || this.k.inInterrupt > 0 || !this.k.irqsEnabled || this.bhDisabled > 0) return;
    this.k.inInterrupt++;
    try {
      for (let restart = 0; this.pending && restart < MAX_SOFTIRQ_RESTART; restart++) {
        const pending = this.pending;
        this.pending = 0;
        for (let nr = 0; nr < NR_SOFTIRQS; nr++) if (pending & (1 << nr)) this.actions[nr]?.();
      }
    } finally {
      this.k.inInterrupt--;
    }
  }

  /** __tasklet_schedule() / __tasklet_hi_schedule(): the caller has set TASKLET_STATE_SCHED. */
  scheduleTasklet(t: Tasklet, hi: boolean): void {
    this.tasklets[hi ? 0 : 1]!.push(t);
    this.raise(hi ? HI_SOFTIRQ : TASKLET_SOFTIRQ);
  }

  /** Takes a tasklet off the list (tasklet_kill of a module going away). */
  unscheduleTasklet(t: Tasklet): boolean {
    for (const list of this.tasklets) {
      const i = list.indexOf(t);
      if (i >= 0) { list.splice(i, 1); return true; }
    }
    return false;
  }

  isTaskletScheduled(t: Tasklet): boolean {
    return this.tasklets.some((list) => list.includes(t));
  }

  /** tasklet_action_common(): a disabled tasklet stays scheduled and is retried at the next softirq. */
  private runTasklets(which: 0 | 1): void {
    const list = this.tasklets[which]!.splice(0);
    const retry: Tasklet[] = [];
    for (const t of list) {
      if (t.disabled()) retry.push(t);
      else t.run();
    }
    if (retry.length) {
      this.tasklets[which]!.unshift(...retry);
      this.raise(which === 0 ? HI_SOFTIRQ : TASKLET_SOFTIRQ);
    }
  }
}
