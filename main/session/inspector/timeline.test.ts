// The timeline's aggregation: each event while few fit the screen, counts per pixel when many,
// '~' where one pixel holds several changes of a level, and after the detail ring overflows
// (a flood) coarse counts that still add up; the list of a window in order, bounded.
import { describe, expect, it } from 'vitest';
import type { MachineEvent } from '../../../emulator/events.js';
import { COARSE_BIN_NS, MAX_LIST_EVENTS, Timeline, type LaneSpec } from './timeline.js';

const PORTS: LaneSpec = { id: 'io:card', label: 'ports card', kind: 'marks', order: 0 };
const IRQ5: LaneSpec = { id: 'irq:5', label: 'IRQ 5', kind: 'level', order: 1 };
const out = (t: number, value = 1): MachineEvent => ({ t, kind: 'port', dir: 'out', port: 0x202, size: 1, value });
const edge = (t: number, level: boolean): MachineEvent => ({ t, kind: 'irq', line: 5, level });
const timeline = (laneCapacity?: number) => new Timeline({ laneCapacity, describe: (e) => ({ text: `${e.kind}@${e.t}`, tone: 'info' }) });

describe('the timeline', () => {
  it('draws each event while they fit, counts per pixel when they do not', () => {
    const tl = timeline();
    for (let i = 0; i < 10; i++) tl.add(PORTS, out(i * 1000));
    const few = tl.query({ fromNs: 0, toNs: 10_000, width: 100, anchor: 'end' });
    expect(few.lanes[0]!.marks!.map((m) => m.t)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    expect(few.lanes[0]!.counts).toBeUndefined();
    // Ten events on a screen of ten pixels: one count a pixel.
    const narrow = tl.query({ fromNs: 0, toNs: 10_000, width: 10, anchor: 'end' });
    expect(narrow.lanes[0]!.marks).toBeUndefined();
    expect(narrow.lanes[0]!.counts).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(narrow.lanes[0]!.total).toBe(10);
  });

  it('shows a level lane as segments, several changes within a pixel as ~', () => {
    const tl = timeline();
    tl.add(IRQ5, edge(1000, true), '1');
    tl.add(IRQ5, edge(3000, false), '0');
    // A burst: four edges within 40 ns.
    for (let i = 0; i < 4; i++) tl.add(IRQ5, edge(6000 + i * 10, i % 2 === 0), i % 2 === 0 ? '1' : '0');
    const slice = tl.query({ fromNs: 0, toNs: 10_000, width: 100, anchor: 'end' });
    expect(slice.lanes[0]!.segments).toEqual([
      { from: 0, to: 1000, value: '?' },
      { from: 1000, to: 3000, value: '1' },
      { from: 3000, to: 6000, value: '0' },
      { from: 6000, to: 6100, value: '~' },
      { from: 6100, to: 10_000, value: '0' },
    ]);
    // Zoomed into the burst, each edge is its own segment again.
    const zoomed = tl.query({ fromNs: 6000, toNs: 6040, width: 400, anchor: 'end' });
    expect(zoomed.lanes[0]!.segments!.map((s) => s.value)).toEqual(['1', '0', '1', '0']);
    expect(tl.valueOf('irq:5')).toBe('0');
  });

  it('keeps counting after a flood pushes the details out: nothing is lost from the counts', () => {
    const tl = timeline(1000);
    const n = 50_000;
    // 100 000 events a second of virtual time, for half a second.
    for (let i = 0; i < n; i++) tl.add(PORTS, out(i * 10_000));
    const all = tl.query({ fromNs: 0, toNs: n * 10_000, width: 500, anchor: 'end' });
    const lane = all.lanes[0]!;
    expect(lane.marks).toBeUndefined();
    expect(lane.total).toBe(n);
    expect(lane.counts!.reduce((a, b) => a + b, 0)).toBe(n);
    expect(all.detailFromNs).toBe((n - 1000) * 10_000);
    // The list holds the last events of the window, in order, and no more than its bound.
    expect(all.events).toHaveLength(MAX_LIST_EVENTS);
    expect(all.events.at(-1)!.event.t).toBe((n - 1) * 10_000);
    expect(all.events.every((e, i) => i === 0 || e.seq > all.events[i - 1]!.seq)).toBe(true);
    // A window wholly before the details: coarse counts only, per 10 ms bin.
    const old = tl.query({ fromNs: 0, toNs: COARSE_BIN_NS, width: 1, anchor: 'start' });
    expect(old.lanes[0]!.total).toBe(COARSE_BIN_NS / 10_000);
    expect(old.events).toEqual([]);
  });

  it('lists the events of all lanes in the order they happened, from the window start', () => {
    const tl = timeline();
    tl.add(PORTS, out(100));
    tl.add(IRQ5, edge(200, true), '1');
    tl.add(PORTS, out(300, 1));
    tl.add(IRQ5, edge(300, false), '0');
    const slice = tl.query({ fromNs: 0, toNs: 1000, width: 200, anchor: 'start' });
    expect(slice.events.map((e) => e.text)).toEqual(['port@100', 'irq@200', 'port@300', 'irq@300']);
    const onlyIrq = tl.query({ fromNs: 0, toNs: 1000, width: 200, anchor: 'start', lanes: ['irq:5'] });
    expect(onlyIrq.events.map((e) => e.lane)).toEqual(['irq:5', 'irq:5']);
    expect(onlyIrq.eventsInWindow).toBe(4);
  });
});
