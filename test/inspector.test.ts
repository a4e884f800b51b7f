// The inspector's aggregation over a real card driver (test/fixtures/isa_card.c: start-up, a
// WRITE and a READ through the mailboxes): per-port counters with the card's registers decoded,
// IRQ 5's edges and handled count with its handler, the card's state and mailbox headers, the
// shared memory as blocks with the writes that changed them, and the timeline listing the
// doorbell, the edge, the ACK and the card's reply in the order they happened. Unwatched, the
// machine's hot paths are not hooked at all.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh, tempWorkspace } from './helpers/machine.js';
import { InspectorAggregator } from '../main/session/inspector/aggregator.js';
import { WorkerInspector } from '../main/session/inspector/inspector-worker.js';
import type { InspectorState, RecordingView, TaskView } from '../main/ipc/common/inspector.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const MAKEFILE = 'obj-m += isa_card.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n';

describe('the inspector aggregation', () => {
  it('sees a card driver at work: ports decoded, IRQ 5 counted, the mailboxes, the timeline in order', async () => {
    let inspector: InspectorAggregator | undefined;
    const source = fixture('isa_card.c');
    const r = await runSh('make -s && sudo insmod isa_card.ko', {
      files: { 'isa_card.c': source, Makefile: MAKEFILE },
      prepare: (m) => {
        inspector = new InspectorAggregator(m, () => performance.now());
        expect(m.bus.onAccess).toBeUndefined();
        inspector.start();
        expect(m.bus.onAccess).toBeDefined();
      },
    });
    expect(r.status).toBe(0);
    const agg = inspector!;
    const state = agg.state(true, 1);

    const port = (p: number) => state.ports.find((v) => v.port === p)!;
    expect(port(0x202)).toMatchObject({ owner: 'my_device', register: 'DOORBELL', writes: 2, lastWrite: 1, decodedWrite: 'command waiting' });
    expect(port(0x203)).toMatchObject({ register: 'ACK', writes: 3 });
    expect(port(0x200)).toMatchObject({ register: 'STATUS/CONTROL', decodedRead: expect.stringMatching(/READY/) });
    expect(port(0x202).src).toMatch(/^\/home\/lab\/isa_card\.c:\d+$/);
    expect(state.portClaims).toContainEqual(expect.objectContaining({ start: 0x200, end: 0x20f, name: 'my_device', device: 'my_device' }));

    const irq5 = state.interrupts.lines[5]!;
    expect(irq5).toMatchObject({ edges: 3, handled: 3, level: false, masked: false, handlers: ['my_device'] });
    expect(state.interrupts.cpus[0]!.by).toBeDefined();

    const card = state.cards[0]!;
    expect(card).toMatchObject({ state: 'running', errorName: 'NONE', fwVersion: expect.any(Number) });
    expect(card.statusBits.filter((b) => b.set).map((b) => b.name)).toEqual(['READY', 'EXIST']);
    expect(card.regions.find((g) => g.name === 'card mailbox')!.header).toBe('status OK, port 2, length 5');
    expect(card.regions.find((g) => g.name === 'host mailbox')!.header).toBe('cmd READ, port 2, length 32');
    expect(card.events.map((e) => e.event)).toContain('answering');

    const memory = state.memory[0]!;
    expect(memory.full).toBe(true);
    const mailbox = memory.blocks.find((b) => b.offset === 0x3000)!;
    expect(Buffer.from(mailbox.hex, 'hex').subarray(4, 9).toString()).toBe('hello');
    expect(memory.writes.some((w) => w.by === 'card' && w.offset === 0x3000 && w.size === 9)).toBe(true);
    // The next state sends only what changed: nothing did.
    expect(agg.state(false, 1).memory[0]!.blocks).toEqual([]);

    // The timeline, from the last doorbell on: the doorbell, IRQ 5 up, the ACK, the card's reply before it.
    const slice = agg.query({ fromNs: 0, toNs: state.clock.nowNs + 1, width: 1000, anchor: 'end', lanes: ['io:my_device', 'irq:5', 'mem:my_device'] });
    const texts = slice.events.map((e) => e.text);
    const lastDoorbell = texts.map((t) => t.startsWith('out 0x202 DOORBELL ← 0x01')).lastIndexOf(true);
    const after = texts.slice(lastDoorbell);
    const at = (re: RegExp) => after.findIndex((t) => re.test(t));
    expect(at(/^card write 9 bytes at my_device card mailbox/)).toBeGreaterThan(0);
    expect(at(/^IRQ 5 raised/)).toBeGreaterThan(at(/^card write 9 bytes/));
    expect(at(/^out 0x203 ACK ← 0x01/)).toBeGreaterThan(at(/^IRQ 5 raised/));
    expect(at(/^IRQ 5 lowered/)).toBeGreaterThan(at(/^out 0x203 ACK/));
    expect(slice.lanes.map((l) => l.id)).toEqual(expect.arrayContaining(['io:my_device', 'mem:my_device', 'irq:5', 'flag:0', 'card:my_device', 'printk']));

    // Nobody watching: the hot paths are unhooked again.
    agg.finish();
    expect(r.machine.bus.onAccess).toBeUndefined();
    expect(r.machine.isa.onAccess).toBeUndefined();
  });

  it('answers the panel: the remote terminal raises RX_NOTIFY, fault switches reach the card, a recorded trace has every event', async () => {
    let inspector: WorkerInspector | undefined;
    const published: InspectorState[] = [];
    let recording: RecordingView | null = null;
    let accepted = -1;
    const workspace = tempWorkspace({ 'isa_card.c': fixture('isa_card.c'), Makefile: MAKEFILE });
    const r = await runSh('make -s && sudo insmod isa_card.ko && sleep 1 && grep my_device /proc/interrupts', {
      workspace,
      prepare: (m) => {
        inspector = new WorkerInspector(m, workspace, (s) => published.push(s));
        inspector.watch(true);
        void inspector.answer({ what: 'trace', record: true }).then((v) => { recording = v; });
        m.listen((e) => {
          if (e.kind !== 'module' || e.state !== 'live') return;
          // The far end types "hi" on port 1: the card buffers it and interrupts (RX_NOTIFY); the driver ACKs.
          void inspector!.answer({ what: 'receive', card: 0, port: 1, data: [0x68, 0x69] }).then((v) => { accepted = v.accepted; });
          void inspector!.answer({ what: 'faults', card: 0, faults: { stuckBusy: true, extraLatencyMs: 5 } });
        });
      },
    });
    expect(r.status).toBe(0);
    expect(accepted).toBe(2);
    // READY, WRITE, READ, and the RX_NOTIFY.
    expect(r.output).toMatch(/^\s*5:\s+4\s/m);
    const card = r.machine.cards[0]!;
    expect(card.state.ports[1]!.rx).toEqual([0x68, 0x69]);
    expect(card.faults).toMatchObject({ stuckBusy: true, extraLatencyNs: 5e6 });
    const state = inspector!.aggregator.state(false, 1);
    expect(state.cards[0]!.ports[1]).toMatchObject({ rxPending: 2, rxHead: [0x68, 0x69] });
    expect(state.cards[0]!.faults).toMatchObject({ stuckBusy: true, extraLatencyMs: 5 });
    expect(published.length).toBeGreaterThan(0);

    const saved = (await inspector!.answer({ what: 'trace', record: false }))!;
    inspector!.dispose();
    expect(recording).toMatchObject({ recording: true, file: expect.stringMatching(/^traces\/trace-[\d-]+\.jsonl$/) });
    const lines = fs.readFileSync(path.join(workspace, saved.file), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(saved.events);
    // Nothing sampled: as many events as the inspector counted while both listened.
    expect(saved.events).toBe(state.stream.total);
    expect(lines.map((l) => JSON.parse(l) as { kind: string }).some((e) => e.kind === 'card')).toBe(true);
  });

  it('shows a task asleep in a driver: state D, its wait queue, the module function it is in', async () => {
    let tasks: TaskView[] = [];
    const r = await runSh('make -s && sudo insmod blocker.ko && sudo mknod /dev/blocker c 203 0 && sudo chmod 666 /dev/blocker; cat /dev/blocker & sleep 0.1; echo x > /dev/blocker; wait', {
      files: { 'blocker.c': fixture('blocker.c'), Makefile: 'obj-m += blocker.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n' },
      prepare: (m) => {
        const agg = new InspectorAggregator(m, () => performance.now());
        agg.start();
        let asked = false;
        m.listen((e) => {
          if (asked || e.kind !== 'task' || e.comm !== 'cat' || e.state !== 'D') return;
          asked = true;
          // Once the task is suspended, from the run loop, as the worker's publishing is.
          m.clock.schedule(e.t + 20e6, () => { tasks = agg.state(false, 1).tasks; });
        });
      },
    });
    expect(r.status).toBe(0);
    const cat = tasks.find((t) => t.comm === 'cat')!;
    expect(cat).toMatchObject({ state: 'D', module: 'blocker', inModule: expect.stringMatching(/^blocker_\w+\+0x[0-9a-f]+\/0x[0-9a-f]+ \[blocker\]/), waitsOn: expect.stringMatching(/\(1 waiting\)$/) });
  });
});
