// Time control for the machine's run loop (Machine.runUntil): pause (the virtual clock
// freezes: no task runs, no hardware event fires, a `sleep 1` does not finish), single-step to
// the next event on the virtual clock, and the pacing: at the wall clock's pace, or as fast as
// the host can go (idle time skipped).
//
// A step is one event of the clock's queue (a PIT tick, a card finishing a command, a kernel
// timer): the machine runs until that event has fired, with what it sets off at the same
// instant (the interrupt handler it raises), and stops at the first point it can.
import type { EventHandle, VirtualClock } from './hw/clock.js';

export type Pacing = 'fast' | 'realtime';

/** A clock event as the inspector names it. */
export interface ClockEventInfo {
  atNs: number;
  label?: string;
}

export interface ClockStatus {
  nowNs: number;
  paused: boolean;
  /** A step is under way (the machine runs until the next clock event has fired). */
  stepping: boolean;
  pacing: Pacing;
  /** Clock events fired since power-on. */
  firedEvents: number;
  /** What fires next, and when. */
  next?: ClockEventInfo;
}

export interface StepResult {
  fromNs: number;
  toNs: number;
  /** The clock event the step went to. */
  event?: ClockEventInfo;
  /** Clock events that fired (1, unless running code crossed several before it could stop). */
  fired: number;
}

interface Step {
  firedBefore: number;
  fromNs: number;
  target: ClockEventInfo | undefined;
  resolve: (result: StepResult) => void;
}

export class TimeControl {
  private paused = false;
  private step: Step | undefined;
  private resumeRunLoop: (() => void) | undefined;
  /** Told whenever pause, pacing or a step changes (the session publishes the clock's status). */
  onChange: (() => void) | undefined;

  /**
   * `clock` is the current machine's (a reset brings a new one); `kick` wakes the run loop
   * wherever it waits (for input, for the wall clock) and makes running code stop at its next
   * preemption point.
   */
  constructor(private readonly clock: () => VirtualClock, public pacing: Pacing, private readonly kick: () => void) {}

  get isPaused(): boolean {
    return this.paused;
  }

  get isStepping(): boolean {
    return this.step !== undefined;
  }

  status(): ClockStatus {
    const clock = this.clock();
    const status: ClockStatus = { nowNs: clock.now, paused: this.paused, stepping: this.step !== undefined, pacing: this.pacing, firedEvents: clock.firedCount };
    const next = clock.nextEvent();
    if (next) status.next = info(next);
    return status;
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.kick();
    this.onChange?.();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.finishStep();
    this.resumeRunLoop?.();
    this.onChange?.();
  }

  setPacing(pacing: Pacing): void {
    if (pacing === this.pacing) return;
    this.pacing = pacing;
    this.kick();
    this.onChange?.();
  }

  /** Pauses if running, then lets the machine run to the next clock event. */
  stepToNextEvent(): Promise<StepResult> {
    this.pause();
    const clock = this.clock();
    const pending = this.step;
    if (pending) return new Promise((resolve) => { const before = pending.resolve; pending.resolve = (r) => { before(r); resolve(r); }; });
    return new Promise((resolve) => {
      const next = clock.nextEvent();
      this.step = { firedBefore: clock.firedCount, fromNs: clock.now, target: next && info(next), resolve };
      this.resumeRunLoop?.();
      this.onChange?.();
    });
  }

  /**
   * Asked by the run loop at every turn: true when it must not go on (paused, and no step under
   * way or the step's event has fired). A step ends here.
   */
  mustHold(): boolean {
    if (!this.paused) return false;
    if (this.step && this.clock().firedCount > this.step.firedBefore) this.finishStep();
    return this.step === undefined;
  }

  /** The run loop waits here while paused; `release()` (power off, reset) lets it go too. */
  held(): Promise<void> {
    return new Promise((resolve) => { this.resumeRunLoop = () => { this.resumeRunLoop = undefined; resolve(); }; });
  }

  /** Lets a run loop that waits in held() go (the machine stops or is reset). */
  release(): void {
    this.resumeRunLoop?.();
  }

  private finishStep(): void {
    const step = this.step;
    if (!step) return;
    this.step = undefined;
    const clock = this.clock();
    const result: StepResult = { fromNs: step.fromNs, toNs: clock.now, fired: clock.firedCount - step.firedBefore };
    if (step.target) result.event = step.target;
    step.resolve(result);
    this.onChange?.();
  }
}

function info(e: EventHandle): ClockEventInfo {
  return e.label === undefined ? { atNs: e.atNs } : { atNs: e.atNs, label: e.label };
}
