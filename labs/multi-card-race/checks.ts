// Lab 9 checks: the 1998 article's two cards (shared/seeds/004, "경쟁의 제거"): minor -> card and
// port, one semaphore per card, and the static buffer of the interrupt handler that two cards
// share. The race is run over many scheduler seeds; a failing seed is replayed first with
// `driverlab check multi-card-race --seed N`, and its interleaving is told from the machine's event
// log, in the article's a.process / b.process terms.
import type { Check, CheckContext, CheckMachine, MachineEvent, ShellResult } from '@driverlab/checks';

/** Seeds of the normal run; `driverlab check multi-card-race --seeds 200` is the thorough one. */
const RACE_SEEDS = 50;
/** Rounds race.sh's card_tests run (race.sh's own number): enough for the race to show under most seeds. */
const RACE_ROUNDS = 4;
const SETUP = 'sudo insmod my_device.ko && sudo sh makedev.sh >/dev/null';
/** Lines of the failing interleaving shown (a failure quotes 12 lines: the output, a heading, the story). */
const STORY_LINES = 8;

function shown(r: ShellResult): string {
  return r.output.trimEnd() || `(no output, exit status ${r.status})`;
}

/** "my_device0: 4 messages came back" for each device, in order. */
function allCameBack(devices: string[], rounds: number): string {
  return devices.map((d) => `${d}: ${rounds} messages came back`).join('\n');
}

/** The lines of `output` that are card_test's verdicts (the shell may add its own). */
function verdicts(output: string): string[] {
  return output.split('\n').filter((l) => /^my_device\d: /.test(l));
}

/**
 * Runs `command`; when it never finishes because card_test slept in down() the whole time, the
 * card's semaphore was never made free (TODO 2), and the failure says so. Other failures are
 * thrown as they are.
 */
async function runOrExplainHang(t: CheckContext, m: CheckMachine, command: string): Promise<ShellResult> {
  const mark = m.mark();
  try {
    return await m.sh(command, { timeoutMs: 20_000 });
  } catch (e) {
    const since = new Map<number, number>();
    const stuck: string[] = [];
    for (const ev of m.events(mark)) {
      if (ev.kind !== 'task') continue;
      if (/__down/.test(ev.wchan) && ev.state !== 'R') since.set(ev.pid, ev.t);
      else if (ev.state === 'R' && since.has(ev.pid)) {
        if (ev.t - since.get(ev.pid)! > 10e9) stuck.push(`pid ${ev.pid} ${ev.comm}: slept in down() from ${(since.get(ev.pid)! / 1e9).toFixed(3)} s until the check killed it`);
        since.delete(ev.pid);
      }
    }
    if (stuck.length > 0) {
      t.fail({
        summary: `\`${command}\` never finished: card_test waited in down() for a semaphore that nobody held.`,
        seen: stuck.join('\n'),
        expected: 'the first down() on a card finds its semaphore free (count 1) and goes on',
        where: t.todo(2),
        hint: 'A semaphore is a count: down() takes one or sleeps until up() gives one back. Memory the driver never set is 0.',
      });
    }
    throw e;
  }
}

interface Line { t: number; text: string }

/**
 * What the two processes and the two cards did, from the machine's event log: each doorbell,
 * each card's interrupt (told when the handler acknowledges it: a fast handler's interrupts
 * wait their turn), each process running again after its sleep. card_test writes then reads, so a process's doorbells alternate WRITE and READ.
 */
function interleaving(m: CheckMachine, devices: Map<number, string>): { lines: Line[]; pidOfCard: Map<number, number> } {
  const cards = [m.card(0), m.card(1)];
  const lines: Line[] = [];
  const pidOfCard = new Map<number, number>();
  const rings = new Map<number, number>();
  const state = new Map<number, string>();
  const woken = new Set<number>();
  /** When each card last raised its IRQ line: told with the handler's acknowledgement. */
  const raised = new Map<number, number>();
  let lastLines = 0;
  let running: { pid: number; comm: string } | undefined;
  const who = (pid: number) => {
    const card = [...pidOfCard].find(([, p]) => p === pid)?.[0];
    return `process ${pid} (${card === undefined ? '?' : `/dev/${devices.get(card)}`})`;
  };
  for (const e of m.events() as readonly MachineEvent[]) {
    if (e.kind === 'switch') {
      running = e;
      if (woken.delete(e.pid)) lines.push({ t: e.t, text: `${who(e.pid)} runs again and takes the answer from card->mailbox_card` });
    } else if (e.kind === 'port' && e.dir === 'out' && running) {
      const bell = cards.findIndex((c) => e.port === c.io + 2);
      if (bell >= 0 && running.comm === 'card_test') {
        pidOfCard.set(bell, running.pid);
        const n = (rings.get(running.pid) ?? 0) + 1;
        rings.set(running.pid, n);
        lines.push({ t: e.t, text: `${who(running.pid)} rings card ${bell}'s doorbell (${n % 2 ? 'WRITE' : 'READ'}) and sleeps` });
      }
      const ack = cards.findIndex((c) => e.port === c.io + 3);
      if (ack >= 0) {
        const at = raised.get(ack);
        lines.push({ t: e.t, text: `card ${ack} interrupted${at === undefined ? '' : ` at ${(at / 1e9).toFixed(6)}`}: my_device_interrupt copied its answer` });
      }
    } else if (e.kind === 'pic') {
      cards.forEach((c, i) => {
        const bit = 1 << c.irq;
        if (e.lines & bit && !(lastLines & bit)) raised.set(i, e.t);
      });
      lastLines = e.lines;
    } else if (e.kind === 'task' && [...pidOfCard.values()].includes(e.pid)) {
      if (e.state === 'R' && state.get(e.pid) === 'S') woken.add(e.pid);
      if (e.state === 'Z') lines.push({ t: e.t, text: `${who(e.pid)} exits` });
      state.set(e.pid, e.state);
    }
  }
  return { lines, pidOfCard };
}

/** The interleaving that led to `failed` (a device whose card_test failed), as the article lists its a.process/b.process story. */
function story(m: CheckMachine, failed: string): string {
  const devices = new Map([[0, 'my_device0'], [1, 'my_device4']]);
  const { lines, pidOfCard } = interleaving(m, devices);
  const card = failed === 'my_device4' ? 1 : 0;
  const pid = pidOfCard.get(card);
  const end = lines.findIndex((l) => l.text.startsWith(`process ${pid} `) && l.text.endsWith('exits'));
  const upTo = end < 0 ? lines : lines.slice(0, end + 1);
  // From the last doorbells the two processes rang before the failing one gave up: the article's
  // "a.process 인터럽트를 걸고 대기모드로 감, b.process 인터럽트를 걸고 대기모드로 감" and what followed.
  const lastRing = (p: number | undefined) => {
    for (let i = upTo.length - 1; i >= 0; i--) if (p !== undefined && upTo[i]!.text.startsWith(`process ${p} `) && upTo[i]!.text.includes('doorbell')) return i;
    return -1;
  };
  const other = pidOfCard.get(1 - card);
  const rings = [lastRing(pid), lastRing(other)].filter((i) => i >= 0);
  const from = Math.max(rings.length ? Math.min(...rings) : 0, upTo.length - STORY_LINES);
  return upTo.slice(from).map((l) => `${(l.t / 1e9).toFixed(6).padStart(11)} s  ${l.text}`).join('\n');
}

/** Virtual seconds a command takes on `m`. */
async function timed(m: CheckMachine, command: string): Promise<{ r: ShellResult; s: number }> {
  const start = m.now();
  const r = await m.sh(command);
  return { r, s: (m.now() - start) / 1e9 };
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
    title: '`sudo insmod my_device.ko` finds and starts both cards: 0x200 on IRQ 5, 0x300 on IRQ 7',
    needs: ['build'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo insmod my_device.ko');
      t.expectEqual(r.status, 0, { summary: 'insmod failed: init_module returned an error.', seen: shown(r), where: t.find('my_device.c', 'int init_module') });
      const log = m.dmesg(mark).map((l) => l.text);
      for (const [n, io, irq] of [[0, '0x200', 5], [1, '0x300', 7]] as const) {
        t.expect(log.some((l) => l.startsWith(`my_device: card ${n} at ${io}, irq ${irq}`)), {
          summary: `Card ${n} (${io}, IRQ ${irq}) was not found and started.`,
          seen: log.join('\n') || '(no messages)',
          where: t.find('my_device.c', 'static int my_device_probe'),
        });
      }
      const irqs = m.resources().irqs.filter((i) => i.handlers.includes('my_device')).map((i) => i.irq);
      t.expectEqual(irqs, [5, 7], { summary: '/proc/interrupts does not list my_device on IRQ 5 and IRQ 7.' });
      t.expect(m.card(0).phase === 'running' && m.card(1).phase === 'running', 'Both cards should be running their firmware after insmod.');
    },
  },
  {
    id: 'one-port',
    title: 'a message sent out of /dev/my_device0 comes back (`./card_test /dev/my_device0 3`)',
    needs: ['insmod'],
    async run(t) {
      const r = await runOrExplainHang(t, t.machine, 'sudo sh makedev.sh >/dev/null && ./card_test /dev/my_device0 3');
      t.expectEqual(r.output, `${allCameBack(['my_device0'], 3)}\n`, {
        summary: 'card_test on /dev/my_device0 alone does not get its messages back.',
        seen: shown(r),
        where: t.find('my_device.c', 'static ssize_t my_device_transfer'),
      });
    },
  },
  {
    id: 'minors',
    title: 'each minor is its own card and port: /dev/my_device5 is card 1\'s port 1, /dev/my_device2 card 0\'s port 2',
    needs: ['one-port'],
    async run(t) {
      const m = t.machine;
      const sent = (card: number) => m.card(card).txTotal.slice();
      const before = [sent(0), sent(1)];
      const r = await runOrExplainHang(t, m, './card_test /dev/my_device5 1 && ./card_test /dev/my_device2 1');
      t.expectEqual(r.status, 0, { summary: 'card_test on /dev/my_device5 or /dev/my_device2 failed.', seen: shown(r), where: t.todo(1) });
      const grew = [0, 1].flatMap((card) => sent(card).flatMap((n, port) => (n > before[card]![port]! ? [`card ${card} port ${port}`] : [])));
      t.expectEqual(grew.join(', '), 'card 0 port 2, card 1 port 1', {
        summary: 'The messages did not go out of the card and port their minor numbers name.',
        seen: `bytes went out of: ${grew.join(', ') || 'no port'}`,
        expected: '/dev/my_device5 -> card 1 port 1, /dev/my_device2 -> card 0 port 2',
        where: t.todo(1),
        hint: 'minor = card * 4 + port (the datasheet): my_device5 is card 5 / 4 = 1, port 5 % 4 = 1.',
      });
    },
  },
  {
    id: 'same-card',
    title: 'two processes on two ports of one card take turns (the card\'s semaphore)',
    needs: ['minors'],
    async run(t) {
      const m = t.machine;
      const r = await runOrExplainHang(t, m, './card_test /dev/my_device0 4 7 & ./card_test /dev/my_device1 4 7 & wait');
      const seen = verdicts(r.output).sort();
      const wanted = allCameBack(['my_device0', 'my_device1'], 4);
      if (seen.join('\n') === wanted) return;
      t.fail({
        summary: 'Two processes using card 0 at once (/dev/my_device0 and /dev/my_device1) get each other\'s answers or none.',
        seen: [shown(r), m.card(0).error === 5 ? 'card 0: ERROR 5 (OVERRUN: the doorbell rang while the card was BUSY with the other command)' : ''].filter(Boolean).join('\n'),
        expected: wanted,
        where: [t.todo(3), t.todo(2)],
        hint: 'The article: "여러 부장치가 경쟁적으로 한 자원을 접근하는 루틴이 있으면 이 루틴의 앞뒤로 세마포를 설정한다."',
      });
    },
  },
  {
    id: 'race',
    title: `one process on each card at once, under ${RACE_SEEDS} scheduler seeds (\`sh race.sh SEED\`): every message comes back`,
    needs: ['same-card'],
    async run(t) {
      await t.forSeeds(RACE_SEEDS, async (m, seed) => {
        const r = await runOrExplainHang(t, m, `${SETUP} && sh race.sh ${seed}`);
        const seen = verdicts(r.output);
        const wanted = allCameBack(['my_device0', 'my_device4'], RACE_ROUNDS);
        if (seen.slice().sort().join('\n') === wanted) return;
        const failed = seen.find((l) => !/messages came back$/.test(l)) ?? '';
        const device = /^(my_device\d)/.exec(failed)?.[1] ?? 'my_device0';
        const other = /came back as "(my_device\d) /.exec(failed)?.[1];
        t.fail({
          summary: other
            ? `${device}'s message came back as ${other}'s: the other card's answer took its place before ${device}'s process could take it.`
            : `${device}'s process did not get its answer: ${failed.replace(/^my_device\d: /, '')}`,
          seen: `${shown(r)}\n\nWhat happened, from the machine's event log:\n${story(m, device)}`,
          expected: wanted,
          where: t.todo(4),
          hint: 'The article\'s list: a.process and b.process each ring their card and sleep; a.interrupt copies into the static data area, ' +
            'b.interrupt copies into the same one, and a.process wakes to the wrong data. "부장치끼리의 경쟁을 제거한다고 해서 주장치끼리의 경쟁까지 제거해 주지는 않는다."',
        });
      });
    },
  },
  {
    id: 'parallel',
    title: 'the two cards work at the same time: a semaphore per card, not one for the whole driver',
    needs: ['race'],
    async run(t) {
      const m = t.machine;
      const alone0 = await timed(m, './card_test /dev/my_device0 6 3');
      const alone4 = await timed(m, './card_test /dev/my_device4 6 3');
      const both = await timed(m, './card_test /dev/my_device0 6 3 & ./card_test /dev/my_device4 6 3 & wait');
      t.expectEqual(verdicts(both.r.output).sort().join('\n'), allCameBack(['my_device0', 'my_device4'], 6), { summary: 'card_test on both cards at once failed.', seen: shown(both.r), where: t.todo(4) });
      const apart = alone0.s + alone4.s;
      t.expect(both.s < apart * 0.75, {
        summary: 'The cards took turns: both at once took as long as one after the other.',
        seen: `my_device0 alone ${alone0.s.toFixed(3)} s, my_device4 alone ${alone4.s.toFixed(3)} s, both at once ${both.s.toFixed(3)} s (virtual time)`,
        expected: `both at once well under ${apart.toFixed(3)} s: card 1 does not wait for card 0`,
        where: t.todo(3),
        hint: 'The article: one semaphore for every card would remove the race too, "그렇지만 드라이버의 성능은 엄청나게 떨어질 것이다". Use card->semaphore, and a mailbox per card.',
      });
    },
  },
  {
    id: 'rmmod',
    title: '`sudo rmmod my_device` gives back both cards\' ports and IRQs, and every kmalloc',
    needs: ['insmod'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo rmmod my_device');
      t.expectEqual(r.status, 0, { summary: 'rmmod failed.', seen: shown(r) });
      const left = m.unloads(mark).find((u) => u.module === 'my_device');
      t.expect(!left || left.leftovers.length === 0, {
        summary: `The module was unloaded with ${left?.leftovers.join(', ')} still registered (the kernel undid them; Linux 2.2 would not have).`,
        where: t.find('my_device.c', 'static void my_device_release_card'),
      });
      t.expect(!left || left.leakedAllocations === 0, {
        summary: `The module leaked ${left?.leakedBytes} bytes of kmalloc memory in ${left?.leakedAllocations} allocation(s): what my_device_probe() allocates for a card, my_device_release_card() must kfree.`,
        where: [t.find('my_device.c', 'static void my_device_release_card') ?? { file: 'my_device.c' }, t.todo(4)],
      });
      const res = m.resources();
      t.expect(!res.ioports.some((p) => p.name === 'my_device') && !res.irqs.some((i) => i.handlers.includes('my_device')), 'my_device still holds I/O ports or IRQs after rmmod.');
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
