// Lab 11 checks: interrupts and the data a handler shares with processes, the article's way
// (shared/seeds/004, "경쟁의 제거" and "MY_DEVICE_INTERRUPT 함수"): cli/sti that must not turn
// interrupts on inside a fast handler, a restore_flags missed on one branch that hangs the
// machine (found and told from what the hang leaves: who turned interrupts off, where the CPU
// spins, the timer that stopped), spin_lock_irqsave, and a stress script over several seeds.
import type { Check, CheckContext, CheckMachine, CpuView, ShellResult } from '@driverlab/checks';

const SETUP = 'sudo insmod my_device.ko && sudo sh makedev.sh >/dev/null';
const STRESS_SEEDS = 6;
/** Virtual time a stress run may take (it needs about 2 s); a hang costs this plus the check's 10 s grace. */
const STRESS_TIMEOUT_MS = 6000;
/** The cards' IRQ lines (lab.json). */
const CARD_IRQS = [5, 7];
/** The stale answer, made sure of: a writer interrupted alone on card 1 while the card works, and another write at once. */
const STALE = './card_test /dev/my_device4 1 9 > /dev/null & sleep 0.005; kill -INT $!; wait; ./card_test /dev/my_device5 2 4';

function shown(r: ShellResult): string {
  return r.output.trimEnd() || `(no output, exit status ${r.status})`;
}

function verdicts(output: string): string[] {
  return output.split('\n').filter((l) => /^my_device\d: /.test(l)).sort();
}

const secs = (ns: number) => `${(ns / 1e9).toFixed(6)} s`;
const fn = (frame: string | undefined) => frame?.replace(/\+0x[0-9a-f]+.*$/, '');

/**
 * What a hang with interrupts off leaves behind, in the learner's terms: who turned them off
 * and whether it still runs, where the CPU spins, what stopped with them (the timer, jiffies).
 */
function hangReport(m: CheckMachine, cpu: CpuView): { summary: string; seen: string } {
  const off = cpu.irqsOff!;
  const by = off.by.map(fn).filter((f): f is string => !!f);
  const spin = (cpu.spinningIn ?? []).map(fn).filter((f): f is string => !!f);
  // A function that turned them off and is no longer running returned with them off. (The
  // compiler inlines small static functions into their callers: then both are the caller.)
  const returned = by[0] !== undefined && spin.length > 0 && !spin.includes(by[0]);
  const ticks = m.resources().irqs.find((i) => i.irq === 0)?.count ?? cpu.timerTicks;
  const summary = `The machine hung: interrupts were turned off in ${by[0] ?? 'the driver'}() at ${secs(off.sinceNs)}` +
    (returned ? `, which returned to ${by[1] ?? 'its caller'}() without turning them on again` : ' and never turned on again') +
    (spin.length ? `; since then the CPU has been running a loop in ${spin[0]}(), waiting for something only an interrupt can bring.` : '.');
  const seen = [
    `interrupts off since ${secs(off.sinceNs)}, turned off at ${off.by.join(' <- ')}`,
    spin.length ? `the CPU loops at ${cpu.spinningIn!.join(' <- ')}` : '',
    `the timer interrupt (IRQ 0) stopped at ${ticks} ticks: jiffies stand still, so a timeout counted in jiffies never comes`,
    `the cards' interrupts are not taken: ${CARD_IRQS.map((irq) => `IRQ ${irq} line ${m.irqLine(irq).high ? 'high, waiting for its handler' : 'low'}`).join('; ')}`,
  ].filter(Boolean).join('\n');
  return { summary, seen };
}

/**
 * Runs `command` on `m`; when the machine hangs with interrupts off, fails with what the hang
 * tells (pointing at TODO 2) instead of the bare timeout.
 */
async function runOrTellHang(t: CheckContext, m: CheckMachine, command: string, timeoutMs: number): Promise<ShellResult> {
  try {
    return await m.sh(command, { timeoutMs });
  } catch (e) {
    const cpu = m.cpus().find((c) => !c.irqsEnabled && c.irqsOff);
    if (!cpu) throw e;
    const { summary, seen } = hangReport(m, cpu);
    t.fail({
      summary,
      seen,
      expected: 'every path through a save_flags()/cli() reaches restore_flags() before it returns',
      where: t.todo(2),
      hint: 'The article: "함수가 조건문 등으로 분기할 때 자칫 restore_flags 함수가 수행되지 않는 등의 오류가 있으면 시스템이 정지하게 된다." Look at each return of the function that turned interrupts off.',
    });
  }
}

/**
 * An interrupt handled inside a card's fast handler. The kernel starts handling a line by
 * masking it and acknowledging it with a specific EOI (0x60 + line to the 8259), and ends by
 * unmasking it: another line acknowledged in between was handled inside. Returns when and
 * which, or undefined.
 */
function nestedInterrupt(m: CheckMachine): { t: number; outer: number; inner: number } | undefined {
  const imr = [0xff, 0xff];
  let inside: number | undefined;
  for (const e of m.portAccesses({ dir: 'out' })) {
    const chip = e.port === 0x21 ? 0 : e.port === 0xa1 ? 1 : undefined;
    if (chip !== undefined) {
      const cleared = imr[chip]! & ~e.value;
      if (inside !== undefined && Math.floor(inside / 8) === chip && cleared & (1 << (inside & 7))) inside = undefined;
      imr[chip] = e.value;
      continue;
    }
    if ((e.port !== 0x20 && e.port !== 0xa0) || (e.value & 0xf8) !== 0x60) continue;
    const irq = (e.port === 0xa0 ? 8 : 0) + (e.value & 7);
    if (irq === 2) continue; // the slave's EOI to the master's cascade line
    if (inside !== undefined && irq !== inside) return { t: e.t, outer: inside, inner: irq };
    if (CARD_IRQS.includes(irq)) inside = irq;
  }
  return undefined;
}

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds my_device.ko for the 2.2 kernel, and `gcc` builds card_test',
    async run(t) {
      await t.machine.build();
      t.expect(t.files.exists('my_device.ko'), { summary: '`make` finished but built no my_device.ko.', where: { file: 'Makefile' } });
      await t.machine.build('gcc -o card_test card_test.c');
    },
  },
  {
    id: 'insmod',
    title: '`sudo insmod my_device.ko` finds and starts both cards; a message comes back on each',
    needs: ['build'],
    async run(t) {
      const r = await runOrTellHang(t, t.machine, `${SETUP} && ./card_test /dev/my_device0 2 && ./card_test /dev/my_device4 2`, 20_000);
      t.expectEqual(verdicts(r.output).join('\n'), 'my_device0: 2 messages came back\nmy_device4: 2 messages came back', {
        summary: 'The driver does not get a message back on each card.',
        seen: shown(r),
        where: t.find('my_device.c', 'int init_module'),
      });
    },
  },
  {
    id: 'fast-handler',
    title: 'my_device_interrupt, a fast (SA_INTERRUPT) handler, runs with interrupts disabled to the end: nothing nests inside it',
    needs: ['insmod'],
    async run(t) {
      const m = t.machine;
      const r = await runOrTellHang(t, m, './card_test /dev/my_device0 6 2 & ./card_test /dev/my_device4 6 2 & wait', 20_000);
      t.expectEqual(verdicts(r.output).join('\n'), 'my_device0: 6 messages came back\nmy_device4: 6 messages came back', { summary: 'card_test on both cards failed.', seen: shown(r) });
      const nested = nestedInterrupt(m);
      if (!nested) return;
      const name = (irq: number) => (irq === 0 ? 'the timer\'s interrupt (IRQ 0)' : `IRQ ${irq}${CARD_IRQS.includes(irq) ? ` (card ${CARD_IRQS.indexOf(irq)})` : ''}`);
      t.fail({
        summary: `${name(nested.inner)} was handled inside my_device_interrupt (IRQ ${nested.outer}) at ${secs(nested.t)}: something in the fast handler turned interrupts on.`,
        seen: `IRQ ${nested.outer}'s handler had not finished (its line still masked) when ${name(nested.inner)} came in`,
        expected: 'a handler registered with SA_INTERRUPT runs with interrupts disabled from start to end',
        where: t.todo(1),
        hint: 'The article: "인터럽트 루틴은 인터럽트 불가능 상태에서 수행되기 때문에 어떠한 경우에도 sti를 실행해서는 안 된다." A small function the handler calls may do it: "무심코 다른 루틴에서의 필요에 의해서 이 함수에 save_flags-sti-restore_flags를 쓰게 될 수 도 있다."',
      });
    },
  },
  {
    id: 'stale-answer',
    title: 'after a Ctrl-C leaves a command on the card, the next one waits for the card and gets its own answer (the machine does not hang)',
    needs: ['insmod'],
    async run(t) {
      // On a machine of its own: a hang leaves nothing to run the next items on.
      const m = await t.boot();
      const mark = m.mark();
      await runOrTellHang(t, m, SETUP, 20_000);
      const r = await runOrTellHang(t, m, STALE, 2000);
      t.expectEqual(verdicts(r.output).join('\n'), 'my_device5: 2 messages came back', {
        summary: 'After a writer on card 1 was interrupted in the middle of its command, the next writer did not get its own messages back.',
        seen: shown(r),
        where: t.todo(2),
      });
      const warned = m.problems(mark).find((p) => /interrupts disabled|spinlock/.test(p.text));
      t.expect(warned === undefined, { summary: `The kernel reported: ${warned?.text}`, where: t.todo(2) });
    },
  },
  {
    id: 'spinlock',
    title: 'my_device_ring() keeps its critical section with the card\'s spinlock: spin_lock_irqsave / spin_unlock_irqrestore on card->lock',
    needs: ['stale-answer'],
    run(t) {
      const text = t.files.read('my_device.c') ?? '';
      const start = text.indexOf('static int my_device_ring(');
      const body = start < 0 ? '' : text.slice(start, text.indexOf('\n}\n', start));
      const where = t.find('my_device.c', 'static int my_device_ring(') ?? t.todo(3);
      t.expect(body !== '', { summary: 'my_device.c has no my_device_ring() any more.', where: t.todo(3) });
      const code = body.replace(/\/\*[\s\S]*?\*\//g, '');
      const locks = (code.match(/spin_lock_irqsave\s*\(\s*&card->lock\s*,\s*flags\s*\)/g) ?? []).length;
      const unlocks = (code.match(/spin_unlock_irqrestore\s*\(\s*&card->lock\s*,\s*flags\s*\)/g) ?? []).length;
      const old = /\b(save_flags|restore_flags|cli|sti)\s*\(/.exec(code)?.[1];
      t.expect(locks >= 1 && unlocks >= 2 && !old, {
        summary: old
          ? `my_device_ring() still uses ${old}(): write its critical section with the card's spinlock.`
          : 'my_device_ring() does not take card->lock with spin_lock_irqsave() and give it back with spin_unlock_irqrestore() on each of its two ways out.',
        seen: `spin_lock_irqsave(&card->lock, flags): ${locks}, spin_unlock_irqrestore(&card->lock, flags): ${unlocks}`,
        expected: 'one spin_lock_irqsave, and a spin_unlock_irqrestore before each return',
        where: [where, t.todo(3)],
      });
    },
  },
  {
    id: 'stress',
    title: `the driver survives stress.sh under ${STRESS_SEEDS} scheduler seeds: every message back, the timer never stopped, no warning`,
    needs: ['fast-handler', 'stale-answer'],
    async run(t) {
      await t.forSeeds(STRESS_SEEDS, async (m, seed) => {
        const timer = () => m.resources().irqs.find((i) => i.irq === 0)?.count ?? 0;
        const start = m.now();
        const ticksBefore = timer();
        const r = await runOrTellHang(t, m, `${SETUP} && sh stress.sh ${seed}`, STRESS_TIMEOUT_MS);
        const wanted = ['my_device0', 'my_device1', 'my_device4', 'my_device5'].map((d) => `${d}: 8 messages came back`).join('\n');
        t.expectEqual(verdicts(r.output).join('\n'), wanted, { summary: 'Not every card_test of stress.sh got its messages back.', seen: shown(r), where: t.todo(2) });
        t.expectNoProblems(m, { where: t.todo(2) });
        const ticks = timer() - ticksBefore;
        const expected = Math.floor((m.now() - start) / 1e7);
        t.expect(ticks >= expected - 2, {
          summary: 'The timer interrupt missed ticks during stress.sh: interrupts stayed disabled for too long.',
          seen: `${ticks} timer interrupts in ${((m.now() - start) / 1e9).toFixed(2)} s`,
          expected: `about ${expected} (HZ = 100)`,
          where: t.todo(1),
        });
      });
    },
  },
  {
    id: 'rmmod',
    title: '`sudo rmmod my_device` logs each card\'s statistics and gives back ports, IRQs and memory',
    needs: ['insmod'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo rmmod my_device');
      t.expectEqual(r.status, 0, { summary: 'rmmod failed.', seen: shown(r) });
      const stats = m.dmesg(mark).map((l) => /^my_device: card (\d): (\d+) commands, (\d+) interrupts$/.exec(l.text)).filter((x) => x !== null);
      t.expectEqual(stats.length, 2, { summary: 'rmmod did not log the statistics of both cards.', seen: m.dmesg(mark).map((l) => l.text).join('\n') || '(no messages)' });
      for (const s of stats) {
        t.expectEqual(Number(s[3]), Number(s[2]) + 1, {
          summary: `Card ${s[1]}'s counts disagree: every command is answered by one interrupt, and the card's start by one more.`,
          seen: s[0],
          where: t.find('my_device.c', 'static void my_device_count'),
        });
      }
      const left = m.unloads(mark).find((u) => u.module === 'my_device');
      t.expect(!left || (left.leftovers.length === 0 && left.leakedAllocations === 0), {
        summary: `The module left ${[...(left?.leftovers ?? []), ...(left?.leakedAllocations ? [`${left.leakedBytes} bytes of kmalloc`] : [])].join(', ')} behind.`,
        where: t.find('my_device.c', 'static void my_device_release_card'),
      });
    },
  },
  {
    id: 'no-oops',
    title: 'the kernel reported no BUG, WARNING or Oops',
    needs: ['insmod'],
    run(t) {
      t.expectNoProblems();
    },
  },
];

export default checks;
