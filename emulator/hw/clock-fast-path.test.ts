import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.js';

// elapseQuietly() is the CPU's per-access fast path (a port access charging its bus cycle): it may
// only move time when no event falls due on the way, and must see the queue's head change as
// events are scheduled, cancelled and fired.
describe('VirtualClock.elapseQuietly', () => {
  it('moves time when nothing falls due, and refuses when an event is due at or before the new time', () => {
    const clock = new VirtualClock(5_000_000_000);
    expect(clock.elapseQuietly(1000)).toBe(true);
    expect(clock.now).toBe(5_000_001_000);
    clock.schedule(5_000_003_000, () => undefined);
    expect(clock.elapseQuietly(1999)).toBe(true);
    expect(clock.elapseQuietly(1)).toBe(false);
    expect(clock.now).toBe(5_000_002_999);
  });

  it('follows the head of the queue through schedule, cancel and fire', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const late = clock.schedule(10_000, () => fired.push('late'));
    const early = clock.schedule(2_000, () => fired.push('early'));
    expect(clock.elapseQuietly(2_000)).toBe(false);
    clock.cancel(early);
    expect(clock.elapseQuietly(2_000)).toBe(true);
    clock.schedule(3_000, () => fired.push('soon'));
    expect(clock.elapseQuietly(1_000)).toBe(false);
    clock.elapse(1_000);
    expect(fired).toEqual(['soon']);
    expect(clock.elapseQuietly(6_999)).toBe(true);
    expect(clock.elapseQuietly(1)).toBe(false);
    clock.cancel(late);
    expect(clock.elapseQuietly(1_000_000)).toBe(true);
    expect(clock.now).toBe(1_009_999);
    expect(fired).toEqual(['soon']);
  });

  it('never moves time backwards', () => {
    const clock = new VirtualClock(100);
    expect(clock.elapseQuietly(-1)).toBe(false);
    expect(clock.now).toBe(100);
  });
});
