// The scheduler on its own: a task that ends while it is marked held (its code went on outside
// its turn) must give its CPU back, or nothing runs on that CPU again and the machine idles
// forever (seen in check runs under host load).
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../hw/clock.js';
import { Scheduler, Task } from './sched.js';

const cred = { uid: 0, gid: 0, euid: 0, egid: 0 };

describe('Scheduler', () => {
  it('frees the CPU of a task that finishes while held', async () => {
    const s = new Scheduler(new VirtualClock(), 1, 1);
    const stray = new Task(1, undefined, 'stray', cred, undefined);
    const next = new Task(2, undefined, 'next', cred, undefined);
    let ran = false;
    s.start(stray, async () => {
      void s.hold(true); // parked for the host, but its code goes on instead of waiting
      stray.state = 'Z';
      s.finished(stray);
    });
    expect(await s.runOne()).toBe(true);
    s.start(next, async () => { ran = true; s.finished(next); });
    expect(await s.runOne()).toBe(true);
    expect(ran).toBe(true);
    expect(s.cpus[0]!.current).toBeUndefined();
  });
});
