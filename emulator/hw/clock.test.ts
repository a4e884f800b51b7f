import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_SEC, NS_PER_US, VirtualClock } from './clock.js';

describe('VirtualClock', () => {
  it('exports the unit constants', () => {
    expect([NS_PER_US, NS_PER_MS, NS_PER_SEC]).toEqual([1e3, 1e6, 1e9]);
  });

  it('fires events in time order, and same-time events in insertion order', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.schedule(300, () => fired.push('c'));
    clock.schedule(100, () => fired.push('a1'));
    clock.schedule(200, () => fired.push('b'));
    clock.schedule(100, () => fired.push('a2'));
    clock.schedule(100, () => fired.push('a3'));
    clock.advanceTo(1000);
    expect(fired).toEqual(['a1', 'a2', 'a3', 'b', 'c']);
  });

  it('keeps insertion order among many same-time events (heap stability)', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    for (let i = 0; i < 1000; i++) clock.schedule((i % 7) * 10, () => fired.push(i));
    clock.advanceTo(100);
    const expected = [...Array(1000).keys()].sort((a, b) => (a % 7) - (b % 7) || a - b);
    expect(fired).toEqual(expected);
  });

  it('sets now to each event time before its handler runs and ends at the target', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.schedule(10, () => seen.push(clock.now));
    clock.schedule(25, () => seen.push(clock.now));
    clock.advanceTo(40);
    expect(seen).toEqual([10, 25]);
    expect(clock.now).toBe(40);
  });

  it('fires events at exactly the target time but not after it', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.schedule(50, () => fired.push(50));
    clock.schedule(51, () => fired.push(51));
    clock.advanceTo(50);
    expect(fired).toEqual([50]);
    expect(clock.nextEventTime()).toBe(51);
    expect(clock.pendingCount).toBe(1);
  });

  it('cancelled events never fire; cancelling twice or after firing is harmless', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const a = clock.schedule(10, () => fired.push('a'));
    const b = clock.schedule(20, () => fired.push('b'));
    const c = clock.schedule(30, () => fired.push('c'));
    expect(b.pending).toBe(true);
    clock.cancel(b);
    clock.cancel(b);
    expect(b.pending).toBe(false);
    expect(clock.pendingCount).toBe(2);
    clock.advanceTo(15);
    clock.cancel(a);
    clock.advanceTo(100);
    expect(fired).toEqual(['a', 'c']);
    expect(c.pending).toBe(false);
    expect(clock.pendingCount).toBe(0);
  });

  it('cancelling from the middle of a large heap keeps the order of the rest', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const handles = [];
    for (let i = 0; i < 200; i++) handles.push(clock.schedule((i * 7919) % 200, () => fired.push((i * 7919) % 200)));
    for (let i = 0; i < 200; i += 3) clock.cancel(handles[i]!);
    clock.advanceTo(1000);
    const expected = [...Array(200).keys()].filter((i) => i % 3 !== 0).map((i) => (i * 7919) % 200).sort((a, b) => a - b);
    expect(fired).toEqual(expected);
  });

  it('a handler can cancel a later event', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const later = clock.schedule(20, () => fired.push('later'));
    clock.schedule(10, () => clock.cancel(later));
    clock.advanceTo(30);
    expect(fired).toEqual([]);
  });

  it('advanceTo fires events that handlers schedule within the range, in order', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.schedule(10, () => {
      fired.push(`outer@${clock.now}`);
      clock.scheduleIn(5, () => {
        fired.push(`inner@${clock.now}`);
        clock.scheduleIn(0, () => fired.push(`same-time@${clock.now}`));
      });
      clock.schedule(500, () => fired.push('too-late'));
    });
    clock.schedule(12, () => fired.push(`between@${clock.now}`));
    clock.advanceTo(100);
    expect(fired).toEqual(['outer@10', 'between@12', 'inner@15', 'same-time@15']);
    expect(clock.nextEventTime()).toBe(500);
  });

  it('runDue fires what is due now, including events scheduled for now by handlers', () => {
    const clock = new VirtualClock(1000);
    const fired: string[] = [];
    clock.schedule(1000, () => {
      fired.push('a');
      clock.scheduleIn(0, () => fired.push('b'));
    });
    clock.schedule(1001, () => fired.push('future'));
    expect(clock.runDue()).toBe(2);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now).toBe(1000);
    expect(clock.runDue()).toBe(0);
  });

  it('treats a time in the past as now instead of rewriting history', () => {
    const clock = new VirtualClock();
    clock.advanceTo(100);
    const seen: number[] = [];
    const h = clock.schedule(40, () => seen.push(clock.now));
    expect(h.atNs).toBe(100);
    clock.runDue();
    expect(seen).toEqual([100]);
  });

  it('refuses to go backwards and rejects nonsense times (host bugs)', () => {
    const clock = new VirtualClock();
    clock.advanceTo(100);
    expect(() => clock.advanceTo(99)).toThrow(RangeError);
    expect(() => clock.schedule(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => clock.advanceBy(-1)).toThrow(RangeError);
    expect(clock.now).toBe(100);
  });

  it('advanceBy moves relative to now', () => {
    const clock = new VirtualClock();
    clock.advanceBy(5 * NS_PER_MS);
    clock.advanceBy(NS_PER_US);
    expect(clock.now).toBe(5_001_000);
  });

  it('an advance nested in a handler never lets time run backwards', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.schedule(10, () => clock.advanceTo(80));
    clock.schedule(50, () => seen.push(clock.now));
    clock.advanceTo(20);
    expect(seen).toEqual([50]);
    expect(clock.now).toBe(80);
  });

  it('labels handles for the inspector', () => {
    const clock = new VirtualClock();
    const h = clock.schedule(10, () => {}, 'card0 reply');
    expect(h.label).toBe('card0 reply');
    expect(h.atNs).toBe(10);
  });

  it('fires one event at a time for single-stepping, and counts every event fired', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.schedule(20, () => fired.push('b'), 'b');
    clock.schedule(10, () => fired.push('a'), 'a');
    clock.schedule(20, () => fired.push('c'), 'c');
    expect(clock.nextEvent()?.label).toBe('a');
    expect(clock.fireNext()?.label).toBe('a');
    expect([clock.now, clock.firedCount, fired]).toEqual([10, 1, ['a']]);
    // Two events due at the same instant: one step each.
    expect(clock.fireNext()?.label).toBe('b');
    expect([clock.now, clock.firedCount, fired]).toEqual([20, 2, ['a', 'b']]);
    clock.advanceTo(30);
    expect([clock.firedCount, fired]).toEqual([3, ['a', 'b', 'c']]);
    expect(clock.fireNext()).toBeUndefined();
    expect(clock.now).toBe(30);
  });

  it('handles a million periodic events quickly', () => {
    const clock = new VirtualClock();
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      clock.scheduleIn(10 * NS_PER_MS, tick);
    };
    clock.schedule(0, tick);
    clock.schedule(0, () => {}, 'a second, idle queue member');
    const started = Date.now();
    clock.advanceTo(10_000 * NS_PER_SEC - 1);
    expect(ticks).toBe(1_000_000);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
