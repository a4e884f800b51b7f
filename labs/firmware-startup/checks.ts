// Lab 7 checks: the card's start-up (shared/seeds/004, "바이오스 다운로드" and the 400-500 ms rule
// with __delay versus schedule; the datasheet's "Start-up"): the firmware downloaded with
// memcpy_toio, RUN inside the window, the ready interrupt acknowledged, and what a grader cannot
// see from the outside: whether the driver spun for half a second (a heartbeat process beside
// insmod shows the machine frozen), whether it starts over when its sleep oversleeps the window
// (a module of the check's own keeps the CPU busy at the 450 ms mark), and whether a Ctrl-C
// during the wait leaves driver and card agreeing.
import type { Check, CheckContext, CheckMachine, Mark, ShellResult } from '@driverlab/checks';

const IO = 0x200;
const WINDOW_MS = [400, 500] as const;

/** Prints the machine's uptime ten times a second: it stops when nothing but the kernel runs. */
const HEARTBEAT = 'while true; do cat /proc/uptime; sleep 0.1; done\n';

/**
 * A stand-in for a busy machine: once the firmware shows up in the card's window, a timer 400 ms
 * later keeps the CPU for 250 ms (a driver busy-waiting in its timer), so that a sleep meant to
 * end at the 450 ms mark ends late and RUN misses the window. Once.
 */
const STALL_C = `#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/timer.h>
#include <linux/delay.h>
#include <asm/io.h>

static int mem = 0xd0000;
MODULE_PARM(mem, "i");
static struct timer_list timer;
static int armed;

static void stall(unsigned long unused)
{
	if (!armed) {
		if (readb(mem + 0x1000) != 'M') {
			mod_timer(&timer, jiffies + 1);
			return;
		}
		armed = 1;
		mod_timer(&timer, jiffies + 40);
		return;
	}
	printk(KERN_INFO "stall: the CPU is busy for 250 ms\\n");
	mdelay(250);
}

int init_module(void)
{
	init_timer(&timer);
	timer.function = stall;
	timer.expires = jiffies + 1;
	add_timer(&timer);
	return 0;
}

void cleanup_module(void)
{
	del_timer(&timer);
}
`;

function shown(r: ShellResult): string {
  return r.output.replace(/^\[ *\d+\.\d+\] /gm, '').trimEnd() || '(no output)';
}

/** What `echo "status $?"` at the end of a command line said. */
function statusOf(r: ShellResult): number {
  return Number(/status (\d+)\s*$/.exec(r.output)?.[1] ?? r.status);
}

/** Each RUN (1 to CONTROL) the driver wrote, with the time since the reset (0 to CONTROL) before it. */
function runs(m: CheckMachine, since?: Mark): { afterResetMs: number | undefined }[] {
  let reset: number | undefined;
  const out: { afterResetMs: number | undefined }[] = [];
  for (const e of m.portAccesses({ port: IO, dir: 'out', since })) {
    if ((e.value & 1) === 0) reset = e.t;
    else out.push({ afterResetMs: reset === undefined ? undefined : (e.t - reset) / 1e6 });
  }
  return out;
}

const inWindow = (ms: number | undefined) => ms !== undefined && ms >= WINDOW_MS[0] && ms <= WINDOW_MS[1];
const ms = (x: number) => `${Math.round(x)} ms`;

/** Why the card is not running, pointing at the TODO that makes it run. */
function diagnose(t: CheckContext, m: CheckMachine, since: Mark, seen: string): never {
  const card = m.card();
  const resets = m.portAccesses({ port: IO, dir: 'out', since }).filter((e) => (e.value & 1) === 0);
  const tries = runs(m, since);
  // The starter halts the card once when it gives up; a start-up resets it at every try.
  if (resets.length <= 1 && tries.length === 0) t.fail({ summary: 'The driver never reset the card to start it: 0 to CONTROL (the card\'s base port) opens the start-up window.', seen, where: t.todo(1) });
  if (card.error === 2) t.fail({ summary: 'The card rejected its firmware (ERROR=2, BAD_FIRMWARE): nothing, or not the whole image, was copied to the window at 0x1000.', seen, where: t.todo(2) });
  if (tries.length === 0) t.fail({ summary: 'The driver reset the card but never wrote RUN (1 to CONTROL).', seen, where: t.todo(4) });
  const late = tries.find((x) => !inWindow(x.afterResetMs));
  if (late && tries.every((x) => !inWindow(x.afterResetMs))) {
    const when = late.afterResetMs ?? 0;
    t.fail({
      summary: `RUN came ${ms(when)} after the reset, ${when < WINDOW_MS[0] ? 'too early' : 'too late'}: the card wants it 400 to 500 ms after, and answered ERROR=1 (TIMING).`,
      seen, where: t.todo(3),
      hint: when < WINDOW_MS[0]
        ? 'sleep_ms() does not wait. Set current->state before schedule_timeout(), or schedule_timeout() returns at once.'
        : when > 4000 ? 'The article\'s __delay((loops_per_sec/100) * ms) waits 10 ms per "ms": loops_per_sec/100 is the loops of 10 ms.' : undefined,
    });
  }
  t.fail({ summary: `The card is not running (ERROR=${card.error}).`, seen, where: [t.todo(4), t.todo(5)] });
}

/** The largest gap between two heartbeat lines, and where it was. */
function longestGap(beats: string | undefined): { gapMs: number; from: number; to: number } | undefined {
  const times = (beats ?? '').split('\n').map((l) => Number(l.split(' ')[0])).filter((x) => Number.isFinite(x) && x > 0);
  let best: { gapMs: number; from: number; to: number } | undefined;
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i]! - times[i - 1]!) * 1000;
    if (!best || gap > best.gapMs) best = { gapMs: gap, from: times[i - 1]!, to: times[i]! };
  }
  return best;
}

/** Where the shared machine's `start` item began, for the items that look back at it. */
const startMarks = new WeakMap<CheckMachine, Mark>();

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds my_device.o',
    async run(t) {
      await t.machine.build();
      t.expect(t.files.exists('my_device.o'), { summary: '`make` finished but built no my_device.o.', where: { file: 'Makefile' } });
    },
  },
  {
    id: 'start',
    title: '`sudo insmod my_device.o` starts the card: firmware downloaded, RUN inside the 400-500 ms window, READY',
    needs: ['build'],
    async run(t) {
      const m = t.machine;
      t.files.write('.check/heartbeat.sh', HEARTBEAT);
      const mark = m.mark();
      startMarks.set(m, mark);
      const r = await m.sh('sh .check/heartbeat.sh > .check/beats & HB=$!; sleep 0.3; sudo insmod ./my_device.o; S=$?; sleep 0.3; kill $HB; echo "status $S"');
      const seen = shown(r).replace(/\nstatus \d+$/, '');
      const card = m.card();
      if (statusOf(r) !== 0) diagnose(t, m, mark, seen);
      if (card.phase !== 'running') {
        t.fail({ summary: 'insmod succeeded, but the card is not running: the driver did not check that the firmware came up.', seen: `${seen}\ncard: ${card.phase}, ERROR=${card.error}`, where: t.todo(5) });
      }
      t.expectEqual(card.fwVersion, 1, { summary: 'The card runs, but not firmware version 1.', where: t.todo(2) });
      t.expect(m.dmesg(mark).some((l) => /firmware 1 running/.test(l.text)), {
        summary: 'The card runs, but the driver did not say so.', seen, expected: 'my_device: firmware 1 running on the card at 0x200', where: t.todo(4),
      });
    },
  },
  {
    id: 'no-busy-wait',
    title: 'the driver sleeps through the window instead of spinning: other processes run while insmod waits',
    needs: ['start'],
    run(t) {
      const m = t.machine;
      const limit = t.lab.limits.busyWaitMs;
      const busy = m.longestBusyWait(startMarks.get(m));
      if (!busy || busy.ms <= limit) return;
      const gap = longestGap(t.files.read('.check/beats'));
      t.fail({
        summary: `insmod spun in the kernel for ${ms(busy.ms)} without sleeping (this lab allows ${limit} ms): for all that time no other process ran.`,
        seen: [
          `the longest stretch in the kernel without sleeping: ${ms(busy.ms)}, by ${busy.comm}`,
          ...(gap ? [`a heartbeat printing /proc/uptime every 100 ms beside insmod stopped for ${ms(gap.gapMs)}: ${gap.from.toFixed(2)} s, then ${gap.to.toFixed(2)} s`] : []),
        ].join('\n'),
        expected: 'insmod asleep (schedule_timeout) through the 450 ms, the heartbeat ticking on',
        where: t.todo(3),
        hint: 'The article on __delay(): "이 함수는 문맥교환이 일어나지 않기 때문에 실행되는 동안 시스템이 정지해 있게 된다" (no context switch happens while it runs: the system stands still). mdelay() and udelay() are the same.',
      });
    },
  },
  {
    id: 'ready-ack',
    title: 'the card\'s "ready" interrupt is acknowledged: a second later the line is low and there is no ERROR=7',
    needs: ['start'],
    async run(t) {
      const m = t.machine;
      await m.sh('sleep 1.2');
      const card = m.card();
      const acks = m.portAccesses({ port: IO + 3, dir: 'out', since: startMarks.get(m) });
      t.expect(acks.length > 0 && !card.irqAsserted && card.error !== 7, {
        summary: card.error === 7
          ? 'The card\'s "ready" interrupt was never acknowledged: after 1 s the card set ERROR=7 (NO_ACK), and it will not interrupt again until reset.'
          : 'The card still holds its IRQ line up: its "ready" interrupt was not acknowledged.',
        seen: `ACK writes: ${acks.length}; IRQ line ${card.irqAsserted ? 'high' : 'low'}; ERROR=${card.error}`,
        expected: '1 written to ACK (base + 3) once READY is seen',
        where: t.todo(4),
      });
    },
  },
  {
    id: 'rmmod',
    title: '`sudo rmmod my_device` halts the card\'s CPU and gives its ports back',
    needs: ['start'],
    async run(t) {
      const m = t.machine;
      const r = await m.sh('sudo rmmod my_device');
      t.expectEqual(r.status, 0, { summary: 'rmmod failed.', seen: shown(r) });
      t.expect(m.card().phase !== 'running', { summary: 'After rmmod the card\'s firmware still runs, with no driver to answer it.', seen: `card: ${m.card().phase}`, where: t.todo(6) });
      t.expect(!m.resources().ioports.some((p) => p.name === 'my_device'), { summary: 'The card\'s ports are still claimed after rmmod.', where: t.todo(6) });
    },
  },
  {
    id: 'window-missed',
    title: 'when the machine is busy and the sleep ends late (ERROR=1), the driver notices and starts over',
    needs: ['start'],
    async run(t) {
      t.files.write('.check/stall.c', STALL_C);
      const m = await t.boot();
      const build = await m.sh('gcc -D__KERNEL__ -DMODULE -O2 -c .check/stall.c -o .check/stall.o');
      if (build.status !== 0) throw new Error(`the check's stall module did not build: ${build.output}`);
      const mark = m.mark();
      const r = await m.sh(`sudo insmod .check/stall.o mem=${m.card().mem}; sudo insmod ./my_device.o; echo "status $?"`);
      const seen = shown(r).replace(/\nstatus \d+$/, '');
      const missed = runs(m, mark).some((x) => !inWindow(x.afterResetMs));
      const card = m.card();
      if (!missed) return; // the driver's timing dodged the stall: nothing to see here
      if (statusOf(r) === 0 && card.phase !== 'running') {
        t.fail({ summary: 'The start-up window was missed (the CPU was busy when the sleep should have ended, and RUN came late), and the driver did not notice: insmod succeeded with the card stopped at ERROR=1.', seen, where: t.todo(5) });
      }
      t.expect(statusOf(r) === 0 && card.phase === 'running', {
        summary: 'The start-up window was missed once (the CPU was busy when the sleep should have ended) and the driver gave up; the datasheet says to start over at step 1.',
        seen, expected: 'a second try that starts the card', where: t.todo(5),
      });
    },
  },
  {
    id: 'ctrl-c',
    title: 'Ctrl-C while insmod waits: either the start goes on undisturbed or insmod fails cleanly, never RUN written early',
    needs: ['start'],
    async run(t) {
      const m = await t.boot();
      const mark = m.mark();
      const r = await m.sh('sudo sh -c \'insmod ./my_device.o & sleep 0.2; kill -INT $!; wait $!; echo "status $?"\'');
      const seen = shown(r).replace(/\nstatus \d+$/, '');
      const early = runs(m, mark).find((x) => x.afterResetMs !== undefined && x.afterResetMs < WINDOW_MS[0]);
      t.expect(early === undefined, {
        summary: `The signal cut the driver's sleep short and it went on as if the time had passed: RUN came ${ms(early?.afterResetMs ?? 0)} after the reset.`,
        seen, where: t.todo(3),
        hint: 'A fixed hardware delay is TASK_UNINTERRUPTIBLE. In TASK_INTERRUPTIBLE, schedule_timeout() returns early on a signal: then check signal_pending(current), halt the card and return -EINTR.',
      });
      const loaded = m.resources().modules.some((x) => x.name === 'my_device');
      const running = m.card().phase === 'running';
      t.expect(loaded === running, {
        summary: loaded ? 'After Ctrl-C the module is loaded but the card is not running.' : 'After Ctrl-C insmod failed but left the card running, with no driver.',
        seen: `${seen}\nmodule ${loaded ? 'loaded' : 'not loaded'}, card ${m.card().phase}`, where: [t.todo(3), t.todo(5)],
      });
      t.expect(loaded || !m.resources().ioports.some((p) => p.name === 'my_device'), { summary: 'After the interrupted insmod failed, the card\'s ports stayed claimed.', where: t.todo(5) });
    },
  },
  {
    id: 'no-oops',
    title: 'the kernel reported no BUG, WARNING or Oops',
    needs: ['build'],
    run(t) {
      t.expectNoProblems();
    },
  },
];

export default checks;
