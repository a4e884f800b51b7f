// The inspector's timeline (logic-analyzer lanes over virtual time), kept in the machine's
// worker: every event goes to its lane, each lane a bounded ring of the latest events in full
// detail plus counts per 10 ms of virtual time for the last ten minutes. A query for a window
// answers with what a screen of `width` pixels can show: each event when there are few, counts
// per pixel when there are many, level and state lanes as segments ('~' where one pixel holds
// several changes), and the events of the window as a list.
//
// A flood (100 000 events a second) costs each event a ring slot and a counter; formatting
// waits for a query, which only formats what it returns. What falls out of the rings is still
// in the trace file (trace-file.ts), never sampled.
import type { MachineEvent } from '../../../emulator/events.js';
import type { LaneKind, MarkTone, TimelineEvent, TimelineLane, TimelineMark, TimelineQuery, TimelineSegment, TimelineSlice } from '../../ipc/common/inspector.js';

export const COARSE_BIN_NS = 10_000_000;
/** Ten minutes of 10 ms bins. */
const COARSE_BINS = 60_000;
export const DEFAULT_LANE_CAPACITY = 16_384;
/** Events the list of a slice holds at most. */
export const MAX_LIST_EVENTS = 400;
/** A lane draws its events one by one up to one per this many pixels. */
const PIXELS_PER_MARK = 3;

interface Entry {
  t: number;
  seq: number;
  event: MachineEvent;
  /** The lane's level or state from this event on ('1', '0', 'S'...). */
  value: string | undefined;
}

export interface LaneSpec {
  id: string;
  label: string;
  kind: LaneKind;
  /** Lanes are listed by this, then by when they first had an event. */
  order: number;
}

class Lane {
  private readonly ring: (Entry | undefined)[];
  private head = 0;
  size = 0;
  /** Events that fell out of the ring: before `detailFromNs` only coarse counts are left. */
  dropped = 0;
  detailFromNs = 0;
  /** The lane's value just before its oldest entry (level and state lanes). */
  valueBefore: string | undefined;
  total = 0;
  lastT = 0;
  private readonly coarse = new Uint32Array(COARSE_BINS);
  private readonly coarseBin = new Int32Array(COARSE_BINS).fill(-1);

  constructor(readonly spec: LaneSpec, readonly created: number, readonly capacity: number) {
    this.ring = new Array<Entry | undefined>(capacity);
  }

  push(entry: Entry): void {
    this.total++;
    this.lastT = entry.t;
    const bin = Math.floor(entry.t / COARSE_BIN_NS);
    const slot = bin % COARSE_BINS;
    if (this.coarseBin[slot] !== bin) {
      this.coarseBin[slot] = bin;
      this.coarse[slot] = 0;
    }
    this.coarse[slot]!++;
    if (this.size < this.capacity) {
      this.ring[(this.head + this.size++) % this.capacity] = entry;
      return;
    }
    this.valueBefore = this.ring[this.head]!.value ?? this.valueBefore;
    this.ring[this.head] = entry;
    this.head = (this.head + 1) % this.capacity;
    this.dropped++;
    this.detailFromNs = this.ring[this.head]!.t;
  }

  at(i: number): Entry {
    return this.ring[(this.head + i) % this.capacity]!;
  }

  /** The first index whose entry is at `t` or later. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).t < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index whose entry is after `t`. */
  upperBound(t: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).t <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Events of [fromNs, toNs) that only the coarse counts remember. */
  coarseCount(fromNs: number, toNs: number, add?: (t: number, n: number) => void): number {
    if (toNs <= fromNs) return 0;
    let n = 0;
    const first = Math.floor(fromNs / COARSE_BIN_NS);
    const last = Math.min(Math.floor((toNs - 1) / COARSE_BIN_NS), first + COARSE_BINS - 1);
    for (let bin = first; bin <= last; bin++) {
      const slot = bin % COARSE_BINS;
      if (this.coarseBin[slot] !== bin) continue;
      // Only the part of the bin before the details start: the details count the rest.
      const count = bin === Math.floor(this.detailFromNs / COARSE_BIN_NS) ? Math.max(0, this.coarse[slot]! - this.countDetailIn(bin)) : this.coarse[slot]!;
      if (!count) continue;
      n += count;
      add?.(Math.max(fromNs, Math.min(toNs - 1, bin * COARSE_BIN_NS + COARSE_BIN_NS / 2)), count);
    }
    return n;
  }

  private countDetailIn(bin: number): number {
    return this.lowerBound((bin + 1) * COARSE_BIN_NS) - this.lowerBound(bin * COARSE_BIN_NS);
  }
}

export interface TimelineOptions {
  laneCapacity?: number;
  /** Formats an event for the list and the marks (only events a query returns are formatted). */
  describe(event: MachineEvent): { text: string; tone: MarkTone };
  /** Lanes beyond this many of one group (task lanes) make room by dropping the quietest. */
  maxLanesPerGroup?: number;
}

export class Timeline {
  private readonly lanes = new Map<string, Lane>();
  private created = 0;
  private seq = 0;
  nowNs = 0;

  constructor(private readonly options: TimelineOptions) {}

  /** Events added since the timeline began. */
  get count(): number {
    return this.seq;
  }

  add(spec: LaneSpec, event: MachineEvent, value?: string): void {
    let lane = this.lanes.get(spec.id);
    if (!lane) {
      lane = new Lane(spec, this.created++, this.options.laneCapacity ?? DEFAULT_LANE_CAPACITY);
      this.lanes.set(spec.id, lane);
      this.makeRoom(spec);
    }
    if (event.t > this.nowNs) this.nowNs = event.t;
    lane.push({ t: event.t, seq: this.seq++, event, value });
  }

  /** A lane's current value (level, state). */
  valueOf(laneId: string): string | undefined {
    const lane = this.lanes.get(laneId);
    if (!lane) return undefined;
    return lane.size ? lane.at(lane.size - 1).value : lane.valueBefore;
  }

  laneIds(): string[] {
    return [...this.lanes.keys()];
  }

  private makeRoom(spec: LaneSpec): void {
    const max = this.options.maxLanesPerGroup ?? 32;
    const group = [...this.lanes.values()].filter((l) => l.spec.order === spec.order);
    if (group.length <= max) return;
    group.sort((a, b) => a.lastT - b.lastT);
    this.lanes.delete(group[0]!.spec.id);
  }

  query(q: TimelineQuery): TimelineSlice {
    const width = Math.max(1, Math.min(4000, Math.floor(q.width)));
    const from = q.fromNs;
    const to = Math.max(q.toNs, from + 1);
    const pxNs = (to - from) / width;
    const lanes = [...this.lanes.values()].sort((a, b) => a.spec.order - b.spec.order || a.created - b.created);
    const listed = q.lanes ? new Set(q.lanes) : undefined;
    const out: TimelineLane[] = [];
    const candidates: { lane: Lane; entry: Entry }[] = [];
    let inWindow = 0;
    let detailFromNs = 0;
    for (const lane of lanes) {
      const i0 = lane.lowerBound(from);
      const i1 = lane.upperBound(to);
      const detailStart = lane.dropped ? lane.detailFromNs : 0;
      if (lane.dropped) detailFromNs = Math.max(detailFromNs, detailStart);
      const coarse = from < detailStart ? lane.coarseCount(from, Math.min(to, detailStart)) : 0;
      const total = i1 - i0 + coarse;
      inWindow += total;
      const view: TimelineLane = { id: lane.spec.id, label: lane.spec.label, kind: lane.spec.kind, total };
      if (lane.spec.kind === 'marks') {
        if (coarse === 0 && total * PIXELS_PER_MARK <= width) view.marks = marks(lane, i0, i1, this.options.describe);
        else view.counts = counts(lane, i0, i1, from, to, width, detailStart);
      } else {
        view.segments = segments(lane, i0, i1, from, to, pxNs, detailStart);
        // A state lane with nothing in the window and no state (a task that had exited) is not drawn.
        if (total === 0 && view.segments.every((s) => s.value === '' || s.value === '?')) continue;
        if (total * PIXELS_PER_MARK <= width && coarse === 0) view.marks = marks(lane, i0, i1, this.options.describe);
      }
      out.push(view);
      if (listed && !listed.has(lane.spec.id)) continue;
      // The list: the first or last events of the window, from each lane as many as it could need.
      const take = Math.min(i1 - i0, MAX_LIST_EVENTS);
      const start = q.anchor === 'start' ? i0 : i1 - take;
      for (let i = start; i < start + take; i++) candidates.push({ lane, entry: lane.at(i) });
    }
    candidates.sort((a, b) => a.entry.seq - b.entry.seq);
    const chosen = q.anchor === 'start' ? candidates.slice(0, MAX_LIST_EVENTS) : candidates.slice(-MAX_LIST_EVENTS);
    const events: TimelineEvent[] = chosen.map(({ lane, entry }) => ({ seq: entry.seq, lane: lane.spec.id, text: this.options.describe(entry.event).text, event: entry.event }));
    return { fromNs: from, toNs: to, nowNs: this.nowNs, detailFromNs, lanes: out, events, eventsInWindow: inWindow };
  }
}

function marks(lane: Lane, i0: number, i1: number, describe: TimelineOptions['describe']): TimelineMark[] {
  const out: TimelineMark[] = [];
  for (let i = i0; i < i1; i++) {
    const e = lane.at(i);
    const d = describe(e.event);
    out.push({ t: e.t, seq: e.seq, tone: d.tone, text: d.text });
  }
  return out;
}

function counts(lane: Lane, i0: number, i1: number, from: number, to: number, width: number, detailStart: number): number[] {
  const out = new Array<number>(width).fill(0);
  const px = (t: number) => Math.min(width - 1, Math.max(0, Math.floor(((t - from) / (to - from)) * width)));
  for (let i = i0; i < i1; i++) out[px(lane.at(i).t)]!++;
  if (from < detailStart) lane.coarseCount(from, Math.min(to, detailStart), (t, n) => { out[px(t)]! += n; });
  return out;
}

/**
 * Level and state lanes: the value over the window; where one pixel holds several changes the
 * segment is '~' (the UI draws it as activity), before the details start too.
 */
function segments(lane: Lane, i0: number, i1: number, from: number, to: number, pxNs: number, detailStart: number): TimelineSegment[] {
  const out: TimelineSegment[] = [];
  const push = (a: number, b: number, value: string) => {
    if (b <= a) return;
    const last = out.at(-1);
    if (last && last.value === value && last.to >= a) last.to = b;
    else out.push({ from: a, to: b, value });
  };
  let cursor = from;
  let value = i0 > 0 ? lane.at(i0 - 1).value : lane.valueBefore;
  if (from < detailStart) {
    const until = Math.min(to, detailStart);
    push(from, until, lane.coarseCount(from, until) > 0 ? '~' : value ?? '?');
    cursor = until;
    value = lane.size ? lane.valueBefore : value;
  }
  let i = i0;
  while (i < i1) {
    const e = lane.at(i);
    // Changes closer together than a pixel make one '~' segment.
    let j = i + 1;
    while (j < i1 && lane.at(j).t - e.t < pxNs) j++;
    push(cursor, e.t, value ?? '?');
    if (j - i > 1) {
      const end = Math.max(lane.at(j - 1).t, e.t + pxNs);
      push(e.t, Math.min(end, to), '~');
      cursor = Math.min(end, to);
    } else cursor = e.t;
    value = lane.at(j - 1).value ?? value;
    i = j;
  }
  push(cursor, to, value ?? '?');
  return out;
}
