// The machine's event stream, complete (step 9): a card driver's run seen as the inspector sees
// it (shared-memory writes by the host and by the card as address ranges, IRQ edges, the CPU's
// interrupt flag and who cleared it, the card's state machine, module load and unload, the C
// line behind a port access), listeners that come and go, and time control in the run loop:
// a paused clock holds a running `sleep 1`, and single steps go one clock event at a time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';
import type { MachineEvent } from '../emulator/machine.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const MAKEFILE = 'obj-m += isa_card.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n';
type Of<K extends MachineEvent['kind']> = Extract<MachineEvent, { kind: K }>;
const only = <K extends MachineEvent['kind']>(events: MachineEvent[], kind: K) => events.filter((e): e is Of<K> => e.kind === kind);
/** The 1-based line of the first line of `source` that contains `text`. */
const lineOf = (source: string, text: string) => source.split('\n').findIndex((l) => l.includes(text)) + 1;

describe('the event stream', () => {
  it('shows a card driver at work: memory ranges, IRQ edges, the interrupt flag, the card, the module, the C line', async () => {
    const source = fixture('isa_card.c');
    const events: MachineEvent[] = [];
    const r = await runSh('make -s && sudo insmod isa_card.ko && sudo rmmod isa_card', {
      files: { 'isa_card.c': source, Makefile: MAKEFILE },
      prepare: (m) => { m.listen((e) => events.push(e), { sources: true }); },
    });
    expect(r.status).toBe(0);
    expect(events.every((e, i) => i === 0 || e.t >= events[i - 1]!.t)).toBe(true);

    // memcpy_toio() of the firmware and of the command header: one event each, a range.
    const mem = only(events, 'mem');
    const firmware = mem.find((e) => e.by === 'host' && e.dir === 'write' && e.addr === 0xd1000)!;
    expect(firmware).toMatchObject({ owner: 'my_device', fn: expect.stringMatching(/^init_module\+0x[0-9a-f]+\/0x[0-9a-f]+ \[isa_card\]$/) });
    expect(firmware.size).toBeGreaterThan(16);
    expect(firmware.src).toBe(`/home/lab/isa_card.c:${lineOf(source, 'memcpy_toio(card.base + MEM_FIRMWARE')}`);
    const header = mem.find((e) => e.by === 'host' && e.dir === 'write' && e.addr === 0xd2000)!;
    expect(header).toMatchObject({ size: 4, src: `/home/lab/isa_card.c:${lineOf(source, 'memcpy_toio(card.base + MEM_HOST_MAILBOX, header')}` });
    // readb() of the ROM: one byte, its value.
    expect(mem.find((e) => e.dir === 'read' && e.addr === 0xd0000 && e.size === 1)).toMatchObject({ value: 'M'.charCodeAt(0) });
    // The card's replies: READY (header only), WRITE's (header only), READ's (header and "hello").
    const replies = mem.filter((e) => e.by === 'card');
    expect(replies.map((e) => [e.addr, e.size])).toEqual([[0xd3000, 4], [0xd3000, 4], [0xd3000, 9]]);
    expect(replies[0]!.src).toBeUndefined();

    // The doorbell, with the C line that rang it; the ACK from the interrupt handler.
    const ports = only(events, 'port');
    const doorbell = ports.find((e) => e.dir === 'out' && e.port === 0x202)!;
    expect(doorbell).toMatchObject({ value: 1, owner: 'my_device', src: `/home/lab/isa_card.c:${lineOf(source, 'outb(0x01, CARD_IO + REG_DOORBELL)')}` });
    expect(doorbell.fn).toMatch(/^card_command\+/);
    const ack = ports.find((e) => e.dir === 'out' && e.port === 0x203)!;
    expect(ack.fn).toMatch(/^card_interrupt\+/);
    // The kernel's own port I/O (the EOI to the PIC) has no C line.
    expect(ports.find((e) => e.port === 0x20 && e.dir === 'out')!.src).toBeUndefined();

    // IRQ 5: three raises (READY, WRITE, READ), each lowered by the ACK.
    const irq5 = only(events, 'irq').filter((e) => e.line === 5);
    expect(irq5.map((e) => e.level)).toEqual([true, false, true, false, true, false]);
    const raise = events.indexOf(irq5[2]!);
    const lower = events.indexOf(irq5[3]!);
    expect(events.indexOf(doorbell)).toBeLessThan(raise);
    expect(events.slice(raise, lower).some((e) => e === ack || (e.kind === 'port' && e.port === 0x203))).toBe(true);
    // The timer's line goes up and down too.
    expect(only(events, 'irq').some((e) => e.line === 0 && e.level)).toBe(true);

    // The interrupt flag: cleared by the entry into IRQ 5's handler, set again on the way back.
    const flags = only(events, 'irqflag');
    const inHandler = flags.find((e) => e.by === 'irq' && e.irq === 5 && !e.enabled)!;
    expect(inHandler).toBeDefined();
    expect(flags.find((e) => e.t >= inHandler.t && e.enabled && e.by === 'task')).toBeDefined();

    // The card's state machine: the start window, booting, running, then busy and answering per command.
    const card = only(events, 'card');
    expect(card.map((e) => e.event).slice(0, 6)).toEqual(['start-window', 'starting', 'running', 'answering', 'ack', 'busy']);
    expect(card.find((e) => e.event === 'busy')).toMatchObject({ card: 'my_device', io: 0x200, state: 'busy', detail: expect.stringMatching(/^WRITE port 2 length 5: BUSY for 20\.05 ms$/) });
    expect(card.find((e) => e.event === 'answering')!.state).toBe('answering');
    expect(card.find((e) => e.event === 'ack')!.state).toBe('running');

    // insmod and rmmod.
    expect(only(events, 'module').map((e) => `${e.name} ${e.state}`)).toEqual(['isa_card coming', 'isa_card live', 'isa_card gone']);
  }, 60_000);

  it('hooks the hot paths only while someone listens, across a reset too', async () => {
    const events: MachineEvent[] = [];
    let stop: (() => void) | undefined;
    const r = await runSh('echo one; sudo reboot; echo two', {
      prepare: (m) => {
        expect(m.bus.onAccess).toBeUndefined();
        stop = m.listen((e) => events.push(e));
        expect(m.bus.onAccess).toBeDefined();
        m.onReboot = () => {
          // The new chips are hooked as the old ones were; then the listener goes.
          expect(m.bus.onAccess).toBeDefined();
          expect(m.kernel.sched.onState).toBeDefined();
          stop!();
          expect(m.bus.onAccess).toBeUndefined();
          expect(m.pic.onChange).toBeUndefined();
          expect(m.kernel.onIrqFlag).toBeUndefined();
        };
      },
    });
    expect(r.output).toContain('two\n');
    expect(events.some((e) => e.kind === 'port')).toBe(true);
  }, 60_000);
});

describe('time control', () => {
  it('pauses the clock under a running sleep 1, steps one clock event at a time, and goes on when resumed', async () => {
    let steps: { fromNs: number; toNs: number; fired: number; label?: string; nowAfter: number }[] = [];
    let frozen: { before: number; after: number; sleeping: boolean } | undefined;
    let startedNs = 0;
    const r = await runSh('sleep 1; echo slept', {
      prepare: (m) => {
        const stop = m.listen((e) => {
          if (e.kind !== 'task' || e.comm !== 'sleep' || e.state !== 'S') return;
          stop();
          startedNs = e.t;
          m.pause();
          // From outside the run loop, as the inspector's buttons are.
          setTimeout(() => void (async () => {
            const before = m.clock.now;
            await new Promise((resolve) => setTimeout(resolve, 300));
            const sleeper = [...m.kernel.tasks.values()].find((t) => t.comm === 'sleep');
            frozen = { before, after: m.clock.now, sleeping: sleeper?.state === 'S' };
            for (let i = 0; i < 5; i++) {
              const next = m.clockStatus.next!;
              const s = await m.step();
              steps.push({ fromNs: s.fromNs, toNs: s.toNs, fired: s.fired, label: s.event?.label, nowAfter: m.clock.now });
              expect(s.event?.atNs).toBe(next.atNs);
            }
            expect(m.clockStatus.paused).toBe(true);
            m.resume();
          })(), 0);
        });
      },
    });
    expect(r.status).toBe(0);
    expect(r.output).toBe('slept\n');
    expect(frozen).toEqual({ before: frozen!.before, after: frozen!.before, sleeping: true });
    expect(frozen!.before - startedNs).toBeLessThan(1e9);
    expect(steps).toHaveLength(5);
    for (const [i, s] of steps.entries()) {
      expect(s.fired).toBe(1);
      expect(s.nowAfter).toBe(s.toNs);
      if (i > 0) expect(s.fromNs).toBe(steps[i - 1]!.toNs);
    }
    // An idle machine's next events are the timer's ticks (HZ=100: 10 ms apart).
    expect(steps.some((s) => /i8254 OUT0/.test(s.label ?? ''))).toBe(true);
    steps = [];
  }, 60_000);
});
