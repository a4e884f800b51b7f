// Deferred work and synchronisation in C modules: timers fire from the timer
// interrupt at the right jiffy, tasklets run after them in softirq context,
// work items and kernel threads run in process context and may sleep,
// completions hand events between tasks; misuse gets Linux's reports.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSh, type ShResult } from './helpers/machine.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const kbuild = (mod: string) => `obj-m += ${mod}.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n`;
const moduleFiles = (mod: string, extra: Record<string, string> = {}) => ({ [`${mod}.c`]: fixture(`${mod}.c`), Makefile: kbuild(mod), ...extra });
/** [timestamp, text] of the dmesg lines that match. */
const lines = (out: string, re: RegExp) => [...out.matchAll(new RegExp(`\\[\\s*(\\d+\\.\\d+)\\] (${re.source})`, 'g'))].map((m) => [Number(m[1]), m[2]!] as const);

describe('timers, tasklets and work items (modern)', () => {
  let r: ShResult;
  beforeAll(async () => {
    r = await runSh('make -s && sudo insmod ticker.ko && sleep 0.8 && ps -eo stat,wchan,cmd | grep kworker; sleep 1; sudo rmmod ticker; dmesg | grep ticker:', { files: moduleFiles('ticker') });
  });

  it('a timer re-arms itself 5 times at HZ/10: 10 jiffies and 100 ms of virtual time apart, in interrupt context', () => {
    const ticks = lines(r.output, /ticker: tick \d+ after \d+ jiffies, in_interrupt=\d pending=\d/);
    expect(ticks.map(([, t]) => t)).toEqual([1, 2, 3, 4, 5].map((n) => `ticker: tick ${n} after 10 jiffies, in_interrupt=1 pending=0`));
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]![0] - ticks[i - 1]![0]).toBeCloseTo(0.1, 4);
    expect(r.output).toContain('ticker: armed, pending=1\n');
  });

  it('a tasklet scheduled by the timer callback runs right after it, in softirq context', () => {
    const tick2 = lines(r.output, /ticker: tick 2 .*/)[0]!;
    const tasklet = lines(r.output, /ticker: tasklet after tick \d, in_interrupt=\d/)[0]!;
    expect(tasklet[1]).toBe('ticker: tasklet after tick 2, in_interrupt=1');
    expect(tasklet[0]).toBe(tick2[0]);
  });

  it('a work item scheduled by the timer runs in a kworker thread, in process context, and may sleep', () => {
    expect(r.output).toMatch(/^D +msleep +\[kworker\/0:\d\]$/m);
    const start = lines(r.output, /ticker: work after tick 5, in_interrupt=0/)[0]!;
    const end = lines(r.output, /ticker: work slept 500 ms/)[0]!;
    expect(end[0] - start[0]).toBeGreaterThanOrEqual(0.5);
    expect(end[0] - start[0]).toBeLessThan(0.52);
    expect(r.output).toContain('ticker: done=1\n');
  });

  it('atomic_t operations compile to wasm without threads and give Linux results', () => {
    expect(r.output).toContain('ticker: atomics inc_return=2 cmpxchg=2 dec_and_test=1 now=0\n');
  });

  it('write_lock_irqsave() turns interrupts off until write_unlock_irqrestore(); balanced rwlocks leave nothing held', () => {
    expect(r.output).toContain('ticker: under write_lock_irqsave irqs_disabled=1\n');
    expect(r.output).toContain('ticker: after write_unlock_irqrestore irqs_disabled=0\n');
    expect(r.output).not.toMatch(/spinlock\(s\) held|BUG/);
  });
});

describe('timer and lock misuse', () => {
  let r: ShResult;
  beforeAll(async () => {
    r = await runSh('make -s && sudo insmod careless.ko && sleep 0.5 && sudo rmmod careless && sleep 6; dmesg', { files: moduleFiles('careless') });
  });

  it('sleeping in a timer callback is "BUG: scheduling while atomic" and does not sleep', () => {
    const [sleeps, returns] = [lines(r.output, /careless: sleepy timer sleeps/)[0]!, lines(r.output, /careless: sleepy timer returns/)[0]!];
    expect(r.output).toMatch(/careless: sleepy timer sleeps\n.*BUG: scheduling while atomic: \S+\/\d+\/0x[0-9a-f]{8} in careless\n/);
    expect(returns[0]).toBe(sleeps[0]);
  });

  it('add_timer() on a pending timer is a WARNING and leaves it alone', () => {
    expect(r.output).toMatch(/------------\[ cut here \]------------\n.*WARNING: CPU: \d PID: \d+ at kernel\/time\/timer\.c:\d+ add_timer\+0x1f\/0x30\n.*Modules linked in: careless\(O\+\)\n/);
    expect(lines(r.output, /careless: sleepy timer sleeps/)).toHaveLength(1);
  });

  it('mod_timer() on a timer that timer_setup() never saw: ODEBUG assert_init, and it is not armed', () => {
    expect(r.output).toMatch(/ODEBUG: assert_init not available \(active state 0\) object: [0-9a-f]{8} object type: timer_list hint: 0x0\n/);
    expect(r.output).toContain('careless: never_set_up pending=0\n');
  });

  it('taking a rwlock for writing twice is reported as recursion; sleeping under a read lock is a BUG', () => {
    expect(r.output).toMatch(/BUG: rwlock recursion on CPU#0, insmod\/\d+, [0-9a-f]{8} in careless\n/);
    expect(r.output).toMatch(/BUG: scheduling while atomic: insmod\/\d+\/0x00000001 in careless\n/);
    expect(r.output).not.toMatch(/already unlocked|insmod\/\d+ returned from careless/);
  });

  it('rmmod with a timer still armed: ODEBUG "free active" names the callback, and the timer never fires', () => {
    expect(r.output).toMatch(/ODEBUG: free active \(active state 0\) object: [0-9a-f]{8} object type: timer_list hint: forgotten_fn \[careless\]\n/);
    expect(r.output).toContain('careless: unloaded but left timer registered; the kernel removed them\n');
    expect(r.output).not.toContain('forgotten timer fired');
  });
});

describe('kernel threads and workqueues (modern)', () => {
  let r: ShResult;
  beforeAll(async () => {
    r = await runSh('make -s && sudo insmod threads.ko && sleep 1.2 && ps -eo stat,wchan,cmd | grep threads; ps -eo cmd | grep -c "^\\[threads"; sudo rmmod threads; echo "after rmmod:"; ps -eo cmd | grep -c "^\\[threads"; dmesg | grep threads:', { files: moduleFiles('threads') });
  });

  it('a kernel thread shows in ps in brackets, sleeps in schedule_timeout, and kthread_stop() returns its result', () => {
    expect(r.output).toMatch(/^S +schedule_timeout +\[threads_poll\/0\]$/m);
    const polls = lines(r.output, /threads: poll \d+/);
    expect(polls.map(([, t]) => t)).toEqual(['threads: poll 1', 'threads: poll 2', 'threads: poll 3']);
    // schedule_timeout(HZ / 2) ends on the 50th tick after the call: between 49 and 50 jiffies later.
    expect(polls[1]![0] - polls[0]![0]).toBeGreaterThan(0.489);
    expect(polls[1]![0] - polls[0]![0]).toBeLessThanOrEqual(0.501);
    expect(r.output).toContain('threads: poller returned 3\n');
    expect(r.output).toMatch(/\n2\nafter rmmod:\n0\n/);
  });

  it('an ordered workqueue runs its items one at a time, in order, in process context where they sleep; its rescuer shows as [name]', () => {
    expect(r.output).toMatch(/^I +rescuer_thread +\[threads_wq\]$/m);
    const jobs = lines(r.output, /threads: job \d \w+/).map(([t, s]) => [t, s.slice(9)]);
    expect(jobs.map(([, s]) => s)).toEqual(['job 1 starts', 'job 1 ends', 'job 2 starts', 'job 2 ends']);
    expect((jobs[1]![0] as number) - (jobs[0]![0] as number)).toBeGreaterThanOrEqual(0.1);
  });

  it('a delayed work runs after its delay; cancel_delayed_work_sync() stops one still waiting', () => {
    const loaded = lines(r.output, /threads: later pending=1/)[0]!;
    const ran = lines(r.output, /threads: delayed work ran, pending=0/)[0]!;
    expect(ran[0] - loaded[0]).toBeGreaterThanOrEqual(0.19);
    expect(ran[0] - loaded[0]).toBeLessThan(0.21);
    expect(r.output).toContain('threads: never was pending: 1\n');
    expect(r.output).not.toContain('should have been cancelled');
    expect(r.output).not.toContain('left');
  });
});

describe('completions', () => {
  const files = moduleFiles('waiter', {
    'ioc.c': '#include <stdio.h>\n#include <stdlib.h>\n#include <fcntl.h>\n#include <sys/ioctl.h>\nint main(int c, char **v){ int fd = open("/dev/w", O_RDWR); printf("ioctl %s -> %ld\\n", v[1], (long)ioctl(fd, atoi(v[1]), 0)); return 0; }\n',
  });
  const SETUP = 'make -s && sudo insmod waiter.ko && sudo mknod /dev/w c 203 0 && sudo chmod 666 /dev/w';

  it('a reader sleeps in wait_for_completion until a writer completes it; a complete() before the wait is not lost', async () => {
    const r = await runSh(`${SETUP} && cat /dev/w > out & sleep 1; ps -o stat,wchan,comm | grep cat; echo go > /dev/w; wait; cat out; echo early > /dev/w; cat /dev/w`, { files });
    expect(r.output).toBe('S+   wait_for_completion_interruptible cat\ndone\ndone\n');
  });

  it('complete_all() wakes every waiter; a signal ends an interruptible wait with the driver seeing it', async () => {
    const r = await runSh(`${SETUP}; cat /dev/w & cat /dev/w & sleep 0.5; echo all > /dev/w; wait; gcc -o ioc ioc.c && ./ioc 2; cat /dev/w & sleep 0.5; kill -INT $!; wait $!; echo "status $?"; dmesg | grep -c "waiter: interrupted"`, { files });
    expect(r.output).toBe('done\ndone\nioctl 2 -> 0\nstatus 130\n1\n');
  });

  it('wait_for_completion_timeout() returns 0 after the timeout, or the jiffies left when completed in time', async () => {
    const r = await runSh(`${SETUP} && gcc -o ioc ioc.c && ./ioc 1; ./ioc 1 & sleep 0.4; echo go > /dev/w; wait`, { files });
    expect(r.output).toMatch(/^ioctl 1 -> 0\nioctl 1 -> (5[89]|60|61)\n$/);
  });
});

describe('Linux 2.2 timers', () => {
  it('init_timer/add_timer with function and data, re-added from the callback; a double add_timer is reported; del_timer says whether it was pending', async () => {
    const r = await runSh('make -s && sudo insmod timer22.ko && sleep 1.5 && sudo rmmod timer22 && sudo insmod timer22.ko && sudo rmmod timer22; dmesg | grep -E "timer22:|bug:"', {
      files: moduleFiles('timer22'), config: { personality: '2.2' },
    });
    expect(r.output).toMatch(/^\[[ .\d]+\] bug: kernel timer added twice at c88[0-9a-f]{5}\.\n\[[ .\d]+\] timer22: pending=1 mod_timer=1\n/);
    expect(lines(r.output, /timer22: .*/).map(([, t]) => t).slice(1)).toEqual([
      'timer22: tick 1 data=42 after 50 jiffies', 'timer22: tick 2 data=42 after 25 jiffies', 'timer22: tick 3 data=42 after 25 jiffies',
      'timer22: del_timer=0', 'timer22: pending=1 mod_timer=1', 'timer22: del_timer=1',
    ]);
  });
});
