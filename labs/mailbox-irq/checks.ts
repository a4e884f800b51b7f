// Lab 8 checks: the article's interrupt-driven write and read (shared/seeds/004, "WRITE,READ/
// INTERRUPT 함수의 수행 과정": memcpy_toio, the doorbell at INTERRUPT_ADDR, a sleep with a timeout
// on the card's queue; the handler's memcpy_fromio, MY_DEVICE_ANSWERED and wake_up_interruptible)
// and the datasheet's interrupt protocol. Data must round-trip through the loopback ports, also
// more than one mailbox holds and from two processes at once; every interrupt the card raises,
// even the ones nobody asked for (READY, bytes from the remote end), must be acknowledged, or the
// card gives up with ERROR=7; a card that never answers must time out; and a signal must end the
// wait at once without leaving the card busy under the next command (ERROR=5).
import type { Check, CheckContext, CheckMachine, Mark, ShellResult } from '@driverlab/checks';

const IO = 0x200;
const IRQ = 5;
const ACK = IO + 3;

function shown(r: ShellResult): string {
  return r.output.replace(/^\[ *\d+\.\d+\] /gm, '').trimEnd() || '(no output)';
}

const ERRORS: Record<number, string> = { 0: 'none', 1: 'TIMING', 2: 'BAD_FIRMWARE', 3: 'BAD_COMMAND', 4: 'BAD_PORT', 5: 'OVERRUN', 6: 'NOT_READY', 7: 'NO_ACK' };
const cardState = (m: CheckMachine) => {
  const c = m.card();
  return `card: ${c.phase}, ERROR=${c.error} (${ERRORS[c.error] ?? '?'}), IRQ line ${c.irqAsserted ? 'high' : 'low'}`;
};

/** The card's ERROR register must not have been set: each code has its own culprit. */
function expectNoCardError(t: CheckContext, m: CheckMachine, doing: string): void {
  const { error } = m.card();
  if (error === 7) {
    t.fail({
      summary: `While ${doing}, an interrupt went unacknowledged for a second: the card set ERROR=7 (NO_ACK) and will not interrupt again until it is reset.`,
      seen: cardState(m), where: t.todo(2),
      hint: 'The handler must write ACK for every interrupt of the card, whatever the card mailbox says (READY, RX_NOTIFY too).',
    });
  }
  if (error === 5) {
    t.fail({
      summary: `While ${doing}, the doorbell rang while the card was still busy with a command: ERROR=5 (OVERRUN), the new command ignored.`,
      seen: cardState(m), where: t.todo(5),
      hint: 'Before ringing, wait until the card has answered the previous command (my_device_wait_answer).',
    });
  }
  t.expect(error === 0, { summary: `While ${doing}, the card reported ERROR=${error} (${ERRORS[error] ?? '?'}).`, seen: cardState(m), where: t.todo(5) });
}

/** Every rising edge of the card's IRQ line since `since` was followed by an ACK, and the line is low. */
function expectAcked(t: CheckContext, m: CheckMachine, since: Mark, doing: string): void {
  const edges = m.irqLine(IRQ, since).edges;
  const acks = m.portAccesses({ port: ACK, dir: 'out', since }).length;
  t.expect(!m.card().irqAsserted && acks >= edges, {
    summary: `While ${doing}, the card interrupted ${edges} time(s) and was acknowledged ${acks} time(s): an interrupt was left unacknowledged.`,
    seen: cardState(m), expected: 'one write of 1 to ACK (base + 3) for every interrupt', where: t.todo(2),
  });
}

/** A command that never returns is the wait's fault; say so instead of only "it did not finish". */
async function shBounded(t: CheckContext, m: CheckMachine, command: string, timeoutMs: number): Promise<ShellResult> {
  try {
    return await m.sh(command, { timeoutMs });
  } catch (e) {
    const failure = (e as { failure?: { summary: string } }).failure;
    if (!failure || !/did not finish within/.test(failure.summary)) throw e;
    t.fail({
      summary: `\`${command}\` did not finish within ${timeoutMs / 1000} s (the check killed it): a process waits for an answer that never comes, and nothing ends the wait.`,
      where: t.todo(4),
      hint: 'Sleep with a timeout (interruptible_sleep_on_timeout), and give up with -EIO when it runs out.',
    });
  }
}

/** A payload of `n` bytes that shows where a byte went missing or came twice. */
function pattern(n: number): string {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `${String(i).padStart(4, '0')} `;
  return s.slice(0, n - 1) + '\n';
}

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
    id: 'insmod',
    title: '`sudo insmod my_device.o` takes IRQ 5 and starts the card, and the handler acknowledges its "ready" interrupt',
    needs: ['build'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo insmod ./my_device.o && sudo sh makedev.sh');
      t.expectEqual(r.status, 0, { summary: 'insmod or makedev.sh failed.', seen: shown(r), where: t.todo(1) });
      t.expect(m.resources().irqs.some((i) => i.irq === IRQ && i.handlers.includes('my_device')), {
        summary: 'After insmod, /proc/interrupts has no my_device on IRQ 5: the interrupt handler was not registered.', where: t.todo(1),
      });
      t.expect(m.card().phase === 'running', { summary: 'The card is not running after insmod.', seen: `${shown(r)}\n${cardState(m)}`, where: t.todo(1) });
      expectAcked(t, m, mark, 'the card started');
    },
  },
  {
    id: 'round-trip',
    title: '`echo hello > /dev/my_device1; cat /dev/my_device1` prints hello: WRITE and READ through the mailboxes, the loopback plug in between',
    needs: ['insmod'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await shBounded(t, m, 'echo hello > /dev/my_device1; cat /dev/my_device1', 20_000);
      if (r.output !== 'hello\n') {
        const card = m.card();
        const sent = card.txTotal[1] ?? 0;
        if (sent === 0) {
          t.fail({ summary: 'The WRITE never reached the card: port 1 sent nothing.', seen: shown(r), where: [t.todo(5), t.todo(6)] });
        }
        if ((card.rxPending[1] ?? 0) > 0) {
          t.fail({ summary: 'The card got "hello" on port 1, but the read did not fetch it with a READ command.', seen: shown(r), where: [t.todo(7), t.todo(5)] });
        }
        t.fail({
          summary: 'The card answered the READ with the bytes (the port is empty now), but they did not reach cat: the reply\'s payload was not copied out of the card mailbox, or not to the user.',
          seen: shown(r), expected: 'hello', where: [t.todo(3), t.todo(7)],
        });
      }
      const other = await m.sh('echo two > /dev/my_device2; cat /dev/my_device3; cat /dev/my_device2');
      t.expectEqual(other.output, 'two\n', { summary: 'What was written to port 2 must be read from port 2 only.', where: t.todo(7) });
      expectNoCardError(t, m, 'writing and reading');
      expectAcked(t, m, mark, 'writing and reading');
    },
  },
  {
    id: 'big',
    title: '4096 bytes through port 0: more than one mailbox holds, in one write(), back in two reads',
    needs: ['round-trip'],
    async run(t) {
      const m = t.machine;
      const data = pattern(4096);
      t.files.write('.check/sent', data);
      const r = await shBounded(t, m, 'cat .check/sent > /dev/my_device0; cat /dev/my_device0 > .check/got; wc -c < .check/got', 20_000);
      const got = t.files.read('.check/got') ?? '';
      if (got !== data) {
        const first = [...data].findIndex((ch, i) => got[i] !== ch);
        t.fail({
          summary: `${data.length} bytes went in, ${got.length} came back${got.length === data.length ? ', different' : ''}. A mailbox holds ${4096 - 4}: the write must go as several WRITE commands.`,
          seen: `${shown(r)} bytes; the first difference at byte ${first}`, where: t.todo(6),
        });
      }
      expectNoCardError(t, m, 'sending 4096 bytes');
    },
  },
  {
    id: 'rx-notify',
    title: 'bytes from the remote end (an unasked-for RX_NOTIFY interrupt) are acknowledged, and can be read',
    needs: ['round-trip'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      m.card().receive(2, 'from the remote end\n');
      const r = await shBounded(t, m, 'sleep 1.2; cat /dev/my_device2', 20_000);
      expectAcked(t, m, mark, 'bytes arrived on port 2 from the remote end');
      expectNoCardError(t, m, 'bytes arrived on port 2 from the remote end');
      t.expectEqual(r.output, 'from the remote end\n', { summary: 'The bytes that arrived on port 2 could not be read from /dev/my_device2.', where: t.todo(3) });
    },
  },
  {
    id: 'news-while-waiting',
    title: 'bytes from the remote end while a read waits for its answer: the RX_NOTIFY interrupt is not taken for the answer',
    needs: ['rx-notify'],
    async run(t) {
      const m = await t.boot();
      await m.sh('sudo insmod ./my_device.o && sudo sh makedev.sh && echo slow > /dev/my_device0');
      m.card().setFaults({ extraLatencyMs: 500 });
      // The read sleeps in the driver for its answer when this command returns; the news comes then.
      await m.sh('(cat /dev/my_device0 > .check/read0 2>&1; echo "status $?" >> .check/read0) & sleep 0.1');
      m.card().receive(2, 'news\n');
      m.card().setFaults({ extraLatencyMs: 0 });
      await shBounded(t, m, 'sleep 1.5', 20_000);
      t.expectEqual(t.files.read('.check/read0'), 'slow\nstatus 0\n', {
        summary: 'A read was waiting for its answer when bytes arrived on another port: the handler took that RX_NOTIFY interrupt for the answer and woke the reader with it.',
        expected: 'slow, the answer to the READ, when it came', where: t.todo(3),
        hint: 'Only an answer (a status that is not RX_NOTIFY or READY) sets MY_DEVICE_ANSWERED and wakes the sleeper.',
      });
      const port2 = await shBounded(t, m, 'cat /dev/my_device2', 20_000);
      t.expectEqual(port2.output, 'news\n', { summary: 'The bytes that arrived on port 2 could not be read afterwards.', where: t.todo(3) });
      expectNoCardError(t, m, 'bytes arrived while a read waited');
    },
  },
  {
    id: 'two-processes',
    title: 'two processes writing to ports 0 and 1 at once both get their data through, one command at a time',
    needs: ['round-trip'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await shBounded(t, m, 'for i in 1 2 3 4 5 6; do echo a$i > /dev/my_device0; done & for i in 1 2 3 4 5 6; do echo b$i > /dev/my_device1; done; wait; cat /dev/my_device0 /dev/my_device1', 30_000);
      expectNoCardError(t, m, 'two processes wrote at once');
      t.expectEqual(r.output, 'a1\na2\na3\na4\na5\na6\nb1\nb2\nb3\nb4\nb5\nb6\n', { summary: 'With two writers at once, data went missing or to the wrong port.', where: [t.todo(4), t.todo(5)] });
      expectAcked(t, m, mark, 'two processes wrote at once');
    },
  },
  {
    id: 'timeout',
    title: 'a card whose interrupts are lost: the read fails with EIO after the timeout instead of hanging, and the next command works',
    needs: ['round-trip'],
    async run(t) {
      const m = await t.boot();
      await m.sh('sudo insmod ./my_device.o && sudo sh makedev.sh');
      m.card().setFaults({ lostIrqProbability: 1 });
      const r = await shBounded(t, m, 'cat /dev/my_device0; echo "status $?"', 15_000);
      t.expectMatch(r.output, /Input\/output error\nstatus 1\n$/, {
        summary: 'When the card never interrupts, the read must end with EIO once the timeout is over.',
        seen: shown(r), expected: 'cat: /dev/my_device0: Input/output error', where: t.todo(4),
      });
      m.card().setFaults({ lostIrqProbability: 0 });
      const after = await shBounded(t, m, 'echo again > /dev/my_device0; cat /dev/my_device0', 15_000);
      t.expectEqual(after.output, 'again\n', {
        summary: 'After a command timed out, the next one does not work: the timed-out command must be given up (MY_DEVICE_ANSWERED set again).',
        where: t.todo(4),
      });
    },
  },
  {
    id: 'ctrl-c',
    title: 'Ctrl-C while a read waits for a slow card ends it at once (EINTR), and the next command waits for the card instead of overrunning it',
    needs: ['round-trip'],
    async run(t) {
      const m = await t.boot();
      await m.sh('sudo insmod ./my_device.o && sudo sh makedev.sh');
      m.card().setFaults({ extraLatencyMs: 1000 });
      const mark = m.mark();
      const r = await shBounded(t, m, 'cat /dev/my_device0 & sleep 0.3; cat /proc/uptime; kill -INT $!; wait $!; echo "status $?"; cat /proc/uptime', 15_000);
      const [killed, ended] = [...r.output.matchAll(/^(\d+\.\d+) \d+\.\d+$/gm)].map((x) => Number(x[1]));
      t.expectMatch(r.output, /status 130\n/, { summary: 'cat was not ended by Ctrl-C (SIGINT).', seen: shown(r), where: t.todo(4) });
      const late = (ended ?? 0) - (killed ?? 0);
      const spin = m.longestBusyWait(mark);
      if (spin && spin.ms > t.lab.limits.busyWaitMs) {
        t.fail({
          summary: `After Ctrl-C, ${spin.comm} spun in the kernel for ${Math.round(spin.ms)} ms, with the whole machine frozen: with a signal pending, a sleep in TASK_INTERRUPTIBLE returns at once, so a loop that sleeps again without looking never sleeps.`,
          seen: shown(r), expected: 'the read returning -EINTR at once', where: t.todo(4),
          hint: 'Test signal_pending(current) before every sleep of the loop, and return -EINTR.',
        });
      }
      t.expect(late < 0.1, {
        summary: `After Ctrl-C the read went on for ${late.toFixed(2)} s more: the driver's wait did not end at the signal (an uninterruptible sleep, or a loop that went back to sleep).`,
        seen: shown(r), expected: 'the read returning -EINTR at once', where: t.todo(4),
        hint: 'After every wake-up, signal_pending(current) says whether a signal came: return -EINTR then.',
      });
      m.card().setFaults({ extraLatencyMs: 0 });
      const after = await shBounded(t, m, 'echo after > /dev/my_device0; cat /dev/my_device0', 15_000);
      expectNoCardError(t, m, 'the next command ran after the interrupted read');
      t.expectEqual(after.output, 'after\n', {
        summary: 'After the interrupted read, the next write and read do not work: the card was still busy with the abandoned command.',
        where: t.todo(5),
      });
    },
  },
  {
    id: 'rmmod',
    title: '`sudo rmmod my_device` frees the IRQ, the mailboxes, the ports and major 125, and halts the card',
    needs: ['insmod'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo rmmod my_device');
      t.expectEqual(r.status, 0, { summary: 'rmmod failed.', seen: shown(r) });
      const left = m.unloads(mark).find((u) => u.module === 'my_device');
      t.expect(!left?.leftovers.length, { summary: 'rmmod unloaded the module with registrations left (the kernel removed them).', seen: left?.leftovers.join(', '), where: t.todo(1) });
      t.expect(!left?.leakedAllocations, { summary: 'The mailboxes (kmalloc) were not freed at rmmod.', seen: `${left?.leakedAllocations} allocation(s)` });
      t.expect(m.card().phase !== 'running', { summary: 'The card still runs after rmmod.', seen: cardState(m) });
    },
  },
  {
    id: 'no-oops',
    title: 'the kernel reported no BUG (no sleeping in the interrupt handler), WARNING or Oops',
    needs: ['build'],
    run(t) {
      const sleptInHandler = /scheduling while atomic/.test(t.machine.problems()[0]?.text ?? '');
      t.expectNoProblems(t.machine, { where: sleptInHandler ? t.todo(2) : undefined });
    },
  },
];

export default checks;
