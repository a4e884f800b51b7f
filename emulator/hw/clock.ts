// The virtual clock and its event queue: the only notion of time in the machine.
//
// Every device that does something "later" (the PIT's next edge, a card finishing a command)
// schedules an event here instead of reading a host timer, so the same inputs always give the
// same interleaving (ARCHITECTURE.md, decision 4). Time is a JS number of nanoseconds: integers
// stay exact up to 2^53 ns, about 104 virtual days, far beyond any lab.
//
// The queue is a binary min-heap ordered by (time, insertion sequence). The sequence number makes
// events due at the same instant fire in the order they were scheduled, which is what makes runs
// reproducible. Each entry remembers its heap index so cancel() removes it in O(log n) instead of
// leaving tombstones that a long run (8.64 M PIT ticks per virtual day) would pile up.

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_SEC = 1_000_000_000;

/** What schedule() returns: enough to cancel the event and to show it in the inspector. */
export interface EventHandle {
  /** Virtual time (ns) at which the event fires. */
  readonly atNs: number;
  readonly label: string | undefined;
  /** True until the event has fired or been cancelled. */
  readonly pending: boolean;
}

const NOT_QUEUED = -1;

class ClockEvent implements EventHandle {
  heapIndex = NOT_QUEUED;

  constructor(
    readonly atNs: number,
    readonly seq: number,
    readonly fn: () => void,
    readonly label: string | undefined,
  ) {}

  get pending(): boolean {
    return this.heapIndex !== NOT_QUEUED;
  }
}

function firesBefore(a: ClockEvent, b: ClockEvent): boolean {
  return a.atNs < b.atNs || (a.atNs === b.atNs && a.seq < b.seq);
}

export class VirtualClock {
  // Both times start as the small integer 0 and get their real values in the constructor. A class
  // field declared without a value starts as undefined, and V8 then keeps it as a tagged pointer,
  // so every store of a new time (each port access moves time on) allocated a heap number; a
  // field first seen holding numbers only is a double, stored in place.
  private nowNs = 0;
  /** heap[0].atNs, or Infinity with nothing queued: the one number the CPU's fast path compares against. */
  private nextDueNs = 0;
  private nextSeq = 0;
  private readonly heap: ClockEvent[] = [];
  private fired = 0;

  /** `startNs` lets a restored snapshot resume at the time it was saved. */
  constructor(startNs = 0) {
    checkTime(startNs, 'start time');
    this.nowNs = startNs;
    this.nextDueNs = Infinity;
  }

  get now(): number {
    return this.nowNs;
  }

  get pendingCount(): number {
    return this.heap.length;
  }

  /**
   * Runs `fn` at virtual time `atNs`. A time already past is treated as "now": the event fires at
   * the next runDue()/advance, after everything already due, rather than rewriting history.
   */
  schedule(atNs: number, fn: () => void, label?: string): EventHandle {
    checkTime(atNs, 'event time');
    const event = new ClockEvent(Math.max(atNs, this.nowNs), this.nextSeq++, fn, label);
    event.heapIndex = this.heap.length;
    this.heap.push(event);
    this.siftUp(event.heapIndex);
    return event;
  }

  scheduleIn(deltaNs: number, fn: () => void, label?: string): EventHandle {
    checkTime(deltaNs, 'delay');
    return this.schedule(this.nowNs + deltaNs, fn, label);
  }

  /** Harmless on an event that already fired or was already cancelled. */
  cancel(h: EventHandle): void {
    if (!(h instanceof ClockEvent)) return;
    const index = h.heapIndex;
    // The identity check keeps a handle from another clock from removing one of ours.
    if (index === NOT_QUEUED || this.heap[index] !== h) return;
    this.removeAt(index);
  }

  /** Every pending event, soonest first (what the inspector and the kernel's timer list show). */
  pendingEvents(): EventHandle[] {
    return [...this.heap].sort((a, b) => (firesBefore(a, b) ? -1 : 1));
  }

  nextEventTime(): number | undefined {
    return this.heap[0]?.atNs;
  }

  /** The next event to fire, or undefined (what single-stepping the machine goes to). */
  nextEvent(): EventHandle | undefined {
    return this.heap[0];
  }

  /** How many events have fired since the clock was made: single-stepping counts them. */
  get firedCount(): number {
    return this.fired;
  }

  /**
   * Moves time to the next event and fires that one only, even if others are due at the same
   * instant (single-stepping). Returns it, or undefined when nothing is scheduled.
   */
  fireNext(): EventHandle | undefined {
    const first = this.heap[0];
    if (first === undefined) return undefined;
    this.removeAt(0);
    if (first.atNs > this.nowNs) this.nowNs = first.atNs;
    this.fired++;
    first.fn();
    return first;
  }

  /** Fires every event due at the current time, including ones that handlers schedule for now. */
  runDue(): number {
    return this.fireUntil(this.nowNs);
  }

  /**
   * Moves time forward to `ns`, firing due events in order with `now` set to each event's time.
   * Going backwards is a host bug (some caller lost track of time), so it throws.
   * Safe to call from inside a handler (a driver busy-waiting in an interrupt): time never
   * moves backwards when the outer call resumes.
   */
  advanceTo(ns: number): void {
    checkTime(ns, 'target time');
    if (ns < this.nowNs) {
      throw new RangeError(`VirtualClock cannot go back from ${this.nowNs} ns to ${ns} ns`);
    }
    this.fireUntil(ns);
    if (ns > this.nowNs) this.nowNs = ns;
  }

  /**
   * Moves time forward by `ns` if no event falls due meanwhile, and says whether it did: the fast
   * path of a CPU spending a little time (a port access), which then has nothing else to do.
   */
  elapseQuietly(ns: number): boolean {
    const t = this.nowNs + ns;
    if (t >= this.nextDueNs || !(ns >= 0)) return false;
    this.nowNs = t;
    return true;
  }

  /** Moves time forward by `ns`, through advanceTo() (firing what falls due) only when something does. */
  elapse(ns: number): void {
    if (!this.elapseQuietly(ns)) this.advanceTo(this.nowNs + ns);
  }

  advanceBy(ns: number): void {
    checkTime(ns, 'interval');
    this.advanceTo(this.nowNs + ns);
  }

  private fireUntil(limitNs: number): number {
    let fired = 0;
    const heap = this.heap;
    while (heap.length > 0) {
      const first = heap[0]!;
      if (first.atNs > limitNs) break;
      this.removeAt(0);
      if (first.atNs > this.nowNs) this.nowNs = first.atNs;
      fired++;
      this.fired++;
      first.fn();
    }
    return fired;
  }

  private removeAt(index: number): void {
    const heap = this.heap;
    const removed = heap[index]!;
    const last = heap.pop()!;
    removed.heapIndex = NOT_QUEUED;
    if (last !== removed) {
      heap[index] = last;
      last.heapIndex = index;
      if (index > 0 && firesBefore(last, heap[(index - 1) >> 1]!)) this.siftUp(index);
      else this.siftDown(index);
    }
    this.nextDueNs = heap.length > 0 ? heap[0]!.atNs : Infinity;
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const event = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!firesBefore(event, parent)) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = event;
    event.heapIndex = index;
    this.nextDueNs = heap[0]!.atNs;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const length = heap.length;
    const event = heap[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && firesBefore(heap[right]!, heap[left]!)) child = right;
      const childEvent = heap[child]!;
      if (!firesBefore(childEvent, event)) break;
      heap[index] = childEvent;
      childEvent.heapIndex = index;
      index = child;
    }
    heap[index] = event;
    event.heapIndex = index;
  }
}

function checkTime(ns: number, what: string): void {
  if (!Number.isFinite(ns)) throw new RangeError(`VirtualClock: ${what} must be a finite number of ns, got ${ns}`);
  if (ns < 0) throw new RangeError(`VirtualClock: ${what} must not be negative, got ${ns}`);
}
