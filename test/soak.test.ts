// The soak runs of bench/soak.ts, short: enough cycles that a leak of a kmalloc, a module's
// stack, an ioport or IRQ entry, a timer, a task or a clock event would show, and repeated runs
// that would differ if anything depended on the host (wall time, hash order, GC). `npm run soak`
// runs the long versions and records their figures.
import { describe, expect, it } from 'vitest';
import { soakCheckRepeat, soakInsmodRmmod, soakOpenReadClose, soakSameSeed, soakVirtualTime, type MachineSnapshot } from '../bench/soak.js';

/** The machine's side of two snapshots must be the same; the host's heap may differ by `heapSlack` bytes. */
function expectNoGrowth(before: MachineSnapshot, after: MachineSnapshot, heapSlack: number): void {
  const { hostHeap: heapBefore, ...machineBefore } = before;
  const { hostHeap: heapAfter, ...machineAfter } = after;
  expect(machineAfter).toEqual(machineBefore);
  expect(heapAfter - heapBefore).toBeLessThan(heapSlack);
}

describe('soak (short)', () => {
  it('50 insmod/rmmod cycles of the card driver leave the machine as they found it', async () => {
    const r = await soakInsmodRmmod(50, 5);
    expectNoGrowth(r.before, r.after, 2 << 20);
    expect(r.after.modules).toBe(0);
  });

  it('2 000 open/read/close cycles on the card driver: no module memory, task or heap growth', async () => {
    const r = await soakOpenReadClose(2000);
    expectNoGrowth(r.before, r.after, 2 << 20);
  });

  it('one virtual hour of timer interrupts: every tick taken, quickly, and nothing queued up', async () => {
    const r = await soakVirtualTime(1);
    expect(r.jiffies).toBeGreaterThanOrEqual(360_000);
    expect(r.jiffies).toBeLessThan(360_000 + 100);
    expect(r.timerInterrupts).toBeGreaterThanOrEqual(360_000 - 100);
    expectNoGrowth(r.before, r.after, 2 << 20);
  });

  it('the same seed gives the same run, output and events, every time; and a lab\'s checks give the same report', async () => {
    expect((await soakSameSeed(3)).distinct).toBe(1);
    expect((await soakCheckRepeat(2)).distinct).toBe(1);
  });
});
