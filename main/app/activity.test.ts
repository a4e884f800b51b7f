// Time spent in a lab from the learner's activity: spans merge across short pauses, end at a
// long one, and reach the store seldom but completely.
import { describe, expect, it } from 'vitest';
import { ActivityClock, IDLE_MS, SAVE_EVERY_MS } from './activity.js';

function clock() {
  let t = 1_000_000;
  const writes: [string, number, number][] = [];
  const activity = new ActivityClock((lab, start, ms) => writes.push([lab, start, ms]), () => t);
  return { activity, writes, advance: (ms: number) => { t += ms; }, get t() { return t; } };
}

describe('ActivityClock', () => {
  it('merges activity with short pauses into one span, saving it at most every SAVE_EVERY_MS', () => {
    const c = clock();
    const start = c.t;
    c.activity.touch('hello');
    for (let i = 0; i < 100; i++) { c.advance(1000); c.activity.touch('hello'); }
    // One write when the span started, then one per SAVE_EVERY_MS: not one per keystroke.
    expect(c.writes.length).toBe(1 + Math.floor(100_000 / SAVE_EVERY_MS));
    c.activity.flush();
    expect(c.writes.at(-1)).toEqual(['hello', start, 100_000]);
    expect(new Set(c.writes.map((w) => w[1]))).toEqual(new Set([start]));
  });

  it('ends a span at a long pause and starts another; labs are counted apart', () => {
    const c = clock();
    const first = c.t;
    c.activity.touch('hello');
    c.advance(60_000);
    c.activity.touch('hello');
    c.advance(IDLE_MS + 1);
    const second = c.t;
    c.activity.touch('hello');
    c.activity.touch('chardev');
    c.advance(10_000);
    c.activity.touch('hello');
    c.activity.flush();
    const last = new Map<string, number>();
    for (const [lab, start, ms] of c.writes) last.set(`${lab}@${start}`, ms);
    expect(Object.fromEntries(last)).toEqual({ [`hello@${first}`]: 60_000, [`hello@${second}`]: 10_000, [`chardev@${second}`]: 0 });
  });
});
