// Time spent in a lab, measured by what the learner does there (typing in the terminal,
// saving, building, checking): activity with pauses shorter than IDLE_MS is one span of work;
// a longer pause ends it, so a window left open overnight is not a night of study. Spans are
// written to the progress store at most every SAVE_EVERY_MS while they grow, and when the app
// closes, so a keystroke is never a database write.

/** A pause longer than this ends a span of work. */
export const IDLE_MS = 5 * 60_000;
/** A growing span is saved at most this often. */
export const SAVE_EVERY_MS = 30_000;

interface Span {
  start: number;
  last: number;
  saved: number;
}

export class ActivityClock {
  private readonly spans = new Map<string, Span>();

  /** `record(lab, start, duration)` extends the span that began at `start` (ProgressStore.addTimeSpent). */
  constructor(private readonly record: (lab: string, startedAt: number, durationMs: number) => void, private readonly now: () => number = Date.now) {}

  /** The learner did something in `lab`. */
  touch(lab: string): void {
    const t = this.now();
    const span = this.spans.get(lab);
    if (span && t - span.last <= IDLE_MS && t >= span.last) {
      span.last = t;
      if (t - span.saved >= SAVE_EVERY_MS) this.save(lab, span);
      return;
    }
    if (span) this.save(lab, span);
    const next = { start: t, last: t, saved: t };
    this.spans.set(lab, next);
    this.save(lab, next);
  }

  /** Saves every span as it stands (the app is closing). */
  flush(): void {
    for (const [lab, span] of this.spans) this.save(lab, span);
  }

  private save(lab: string, span: Span): void {
    span.saved = this.now();
    this.record(lab, span.start, span.last - span.start);
  }
}
