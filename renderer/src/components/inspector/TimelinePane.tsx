// The timeline: logic-analyzer lanes over virtual time (ports, shared memory, each IRQ line,
// the CPUs' interrupt flag, the card's state, tasks, printk), drawn on a canvas from slices the
// machine's worker decimates for the canvas's width; the wheel zooms (microseconds to
// minutes), a drag pans, Follow keeps the right edge at the machine's now. A click on a lane
// picks the event under it: its details and the C line behind it; a click on a lane's name
// keeps the list under the lanes to the lanes so chosen (the window's events, in the order they
// happened).
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { InspectorState, TimelineEvent, TimelineLane, TimelineSlice } from '../../../../main/ipc/common/inspector';
import { useApp } from '../../app-context';
import { useI18n } from '../../i18n';
import { formatClock, formatSpan } from './format';

const LABEL_W = 118;
const LANE_H = 19;
const AXIS_H = 18;
const MIN_SPAN = 1_000;
const MAX_SPAN = 600e9;
const PRESETS: [string, number][] = [['10 µs', 10e3], ['1 ms', 1e6], ['100 ms', 100e6], ['1 s', 1e9], ['10 s', 10e9], ['1 min', 60e9]];

interface View {
  follow: boolean;
  span: number;
  /** The window's end when not following. */
  end: number;
}

function css(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function niceStep(span: number): number {
  const raw = span / 7;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

const TONES: Record<string, string> = { in: '--syn-type', out: '--syn-keyword', read: '--syn-type', write: '--syn-function', card: '--syn-macro', info: '--muted', warn: '--warn', error: '--bad' };
const STATE_COLORS: Record<string, string> = {
  R: '--ok', S: '--accent', D: '--warn', T: '--muted', Z: '--bad',
  halted: '--muted', 'start-window': '--warn', starting: '--warn', running: '--ok', busy: '--syn-function', answering: '--syn-macro',
};

function draw(canvas: HTMLCanvasElement, slice: TimelineSlice, selected: number | undefined, chosen: ReadonlySet<string>) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = AXIS_H + slice.lanes.length * LANE_H + 4;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const g = canvas.getContext('2d')!;
  g.scale(dpr, dpr);
  const color = (v: string) => css(v);
  const plot = width - LABEL_W;
  const span = slice.toNs - slice.fromNs;
  const x = (t: number) => LABEL_W + ((t - slice.fromNs) / span) * plot;
  g.font = '11px "DejaVu Sans Mono", Menlo, Consolas, monospace';
  g.textBaseline = 'middle';
  // The axis.
  g.fillStyle = color('--muted');
  g.strokeStyle = color('--border');
  const step = niceStep(span);
  for (let t = Math.ceil(slice.fromNs / step) * step; t <= slice.toNs; t += step) {
    const px = Math.round(x(t)) + 0.5;
    g.beginPath();
    g.moveTo(px, AXIS_H - 4);
    g.lineTo(px, height);
    g.stroke();
    g.fillText(formatClock(t).replace(/0+ s$/, ' s').replace(/\. s$/, ' s'), px + 3, AXIS_H / 2);
  }
  if (slice.detailFromNs > slice.fromNs) {
    g.fillStyle = color('--bg-hover');
    g.fillRect(LABEL_W, AXIS_H, Math.max(0, x(slice.detailFromNs) - LABEL_W), height - AXIS_H);
  }
  slice.lanes.forEach((lane, i) => {
    const top = AXIS_H + i * LANE_H;
    const mid = top + LANE_H / 2;
    g.fillStyle = i % 2 ? color('--bg-pane') : color('--bg');
    g.fillRect(0, top, width, LANE_H);
    if (chosen.has(lane.id)) {
      g.fillStyle = color('--accent-soft');
      g.fillRect(0, top, LABEL_W - 4, LANE_H);
    }
    g.fillStyle = chosen.has(lane.id) ? color('--accent') : color('--text');
    g.fillText(lane.label.length > 16 ? `${lane.label.slice(0, 15)}…` : lane.label, 4, mid);
    drawLane(g, lane, top, x, plot, color);
  });
  if (selected !== undefined) {
    g.strokeStyle = color('--accent');
    g.lineWidth = 1;
    const px = Math.round(x(selected)) + 0.5;
    g.beginPath();
    g.moveTo(px, AXIS_H);
    g.lineTo(px, height);
    g.stroke();
  }
}

function drawLane(g: CanvasRenderingContext2D, lane: TimelineLane, top: number, x: (t: number) => number, plot: number, color: (v: string) => string) {
  const hi = top + 4;
  const lo = top + LANE_H - 4;
  if (lane.segments) {
    for (const s of lane.segments) {
      const a = Math.max(LABEL_W, x(s.from));
      const b = Math.max(a + 1, x(s.to));
      if (s.value === '~') {
        g.fillStyle = color('--warn-soft');
        g.fillRect(a, hi, b - a, lo - hi);
        g.strokeStyle = color('--warn');
        g.strokeRect(a + 0.5, hi + 0.5, b - a - 1, lo - hi - 1);
      } else if (lane.kind === 'level') {
        g.strokeStyle = s.value === '?' ? color('--muted') : lane.id.startsWith('flag') ? color('--ok') : color('--warn');
        g.lineWidth = 1.5;
        const y = s.value === '1' ? hi : lo;
        g.beginPath();
        g.moveTo(a, y);
        g.lineTo(b, y);
        g.stroke();
        g.lineWidth = 1;
      } else if (s.value !== '?' && s.value !== '') {
        g.fillStyle = color(STATE_COLORS[s.value] ?? '--muted');
        g.globalAlpha = 0.35;
        g.fillRect(a, hi, b - a, lo - hi);
        g.globalAlpha = 1;
        if (b - a > 40) {
          g.fillStyle = color('--text');
          g.fillText(s.value, a + 3, top + LANE_H / 2);
        }
      }
    }
    // Edges of a level lane: the verticals between segments.
    if (lane.kind === 'level') {
      g.strokeStyle = lane.id.startsWith('flag') ? color('--ok') : color('--warn');
      for (let i = 1; i < lane.segments.length; i++) {
        const px = Math.round(x(lane.segments[i]!.from)) + 0.5;
        g.beginPath();
        g.moveTo(px, hi);
        g.lineTo(px, lo);
        g.stroke();
      }
    }
  }
  if (lane.kind === 'marks' && lane.marks) {
    for (const m of lane.marks) {
      const px = Math.round(x(m.t)) + 0.5;
      g.strokeStyle = color(TONES[m.tone] ?? '--muted');
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(px, hi);
      g.lineTo(px, lo);
      g.stroke();
      g.lineWidth = 1;
    }
  }
  if (lane.counts) {
    const max = Math.max(1, ...lane.counts);
    g.fillStyle = color('--accent');
    const w = plot / lane.counts.length;
    lane.counts.forEach((n, i) => {
      if (!n) return;
      const h = Math.max(2, (Math.log1p(n) / Math.log1p(max)) * (lo - hi));
      g.fillRect(LABEL_W + i * w, lo - h, Math.max(1, w), h);
    });
  }
}

export function TimelinePane({ state, session }: { state: InspectorState; session: string }) {
  const { api } = useApp();
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>({ follow: true, span: 200e6, end: 0 });
  const [slice, setSlice] = useState<TimelineSlice>();
  const [selected, setSelected] = useState<TimelineEvent>();
  /** Lanes the list is kept to (all when none). */
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const inFlight = useRef(false);
  const drag = useRef<{ x: number; end: number; moved: boolean } | undefined>(undefined);
  const now = state.clock.nowNs;

  const windowOf = useCallback((v: View) => {
    const end = v.follow ? now : v.end;
    return { fromNs: Math.max(0, end - v.span), toNs: Math.max(end, v.span) };
  }, [now]);

  useEffect(() => {
    const c = canvas.current;
    if (!c || inFlight.current) return;
    inFlight.current = true;
    const w = windowOf(view);
    const lanes = chosen.size ? { lanes: [...chosen] } : {};
    api.inspector.timeline(session, { ...w, width: Math.max(50, c.clientWidth - LABEL_W), anchor: 'end', ...lanes })
      .then(setSlice, () => undefined)
      .finally(() => { inFlight.current = false; });
  }, [api, session, view, windowOf, state, chosen]);

  useLayoutEffect(() => {
    if (canvas.current && slice) draw(canvas.current, slice, selected?.event.t, chosen);
  }, [slice, selected, chosen]);

  useEffect(() => {
    if (view.follow && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [slice, view.follow]);

  const zoom = (factor: number, atFraction = 1) => {
    setView((v) => {
      const w = windowOf(v);
      const span = Math.min(MAX_SPAN, Math.max(MIN_SPAN, v.span * factor));
      const anchor = w.fromNs + (w.toNs - w.fromNs) * atFraction;
      const end = anchor + (1 - atFraction) * span;
      return v.follow && atFraction === 1 ? { ...v, span } : { follow: false, span, end };
    });
  };

  const onWheel = (e: React.WheelEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const frac = Math.min(1, Math.max(0, (e.clientX - rect.left - LABEL_W) / (rect.width - LABEL_W)));
    zoom(e.deltaY > 0 ? 1.4 : 1 / 1.4, frac);
  };

  const onDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    drag.current = { x: e.clientX, end: windowOf(view).toNs, moved: false };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    if (Math.abs(dx) < 3 && !d.moved) return;
    d.moved = true;
    const plot = e.currentTarget.clientWidth - LABEL_W;
    setView((v) => ({ follow: false, span: v.span, end: Math.max(v.span, d.end - (dx / plot) * v.span) }));
  };
  const onUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = undefined;
    if (!d || d.moved || !slice) return;
    // A click: the event nearest the pointer on the lane under it.
    const rect = e.currentTarget.getBoundingClientRect();
    const laneIndex = Math.floor((e.clientY - rect.top - AXIS_H) / LANE_H);
    const lane = slice.lanes[laneIndex];
    if (!lane) return;
    if (e.clientX - rect.left < LABEL_W) {
      setChosen((old) => {
        const next = new Set(old);
        if (!next.delete(lane.id)) next.add(lane.id);
        return next;
      });
      return;
    }
    const plot = rect.width - LABEL_W;
    const pxNs = (slice.toNs - slice.fromNs) / plot;
    const at = slice.fromNs + ((e.clientX - rect.left - LABEL_W) / plot) * (slice.toNs - slice.fromNs);
    void api.inspector.timeline(session, { fromNs: Math.max(0, at - 4 * pxNs), toNs: at + 4 * pxNs, width: 8, anchor: 'start', lanes: [lane.id] }).then((s) => {
      const nearest = s.events.slice().sort((a, b) => Math.abs(a.event.t - at) - Math.abs(b.event.t - at))[0];
      if (nearest) setSelected(nearest);
    });
  };

  const w = slice ?? { ...windowOf(view), eventsInWindow: 0, detailFromNs: 0 };
  return (
    <div className="timeline" data-testid="timeline">
      <div className="tl-bar">
        <button className={`small${view.follow ? ' on' : ''}`} onClick={() => setView((v) => ({ ...v, follow: !v.follow, end: windowOf(v).toNs }))} data-testid="tl-follow">{t('insp.follow')}</button>
        <button className="small icon" onClick={() => zoom(1 / 2)} title="zoom in">＋</button>
        <button className="small icon" onClick={() => zoom(2)} title="zoom out">－</button>
        {PRESETS.map(([label, span]) => <button key={label} className={`small ghost${Math.abs(view.span - span) < 1 ? ' on' : ''}`} onClick={() => setView((v) => ({ ...v, span }))}>{label}</button>)}
        <span className="spacer" />
        <span className="muted mono" data-testid="tl-window">{formatSpan(w.toNs - w.fromNs)} · {w.eventsInWindow.toLocaleString('en-US')} events</span>
      </div>
      <div className="tl-lanes"><canvas ref={canvas} className="tl-canvas" onWheel={onWheel} onPointerDown={onDown} onPointerMove={onMove} onPointerUp={onUp} data-testid="tl-canvas" data-lanes={slice?.lanes.map((l) => l.id).join(',')} data-chosen={[...chosen].join(',')} /></div>
      {slice && slice.detailFromNs > slice.fromNs && <p className="muted small-text tl-note">{t('insp.detailOnly', { t: formatClock(slice.detailFromNs) })}</p>}
      <div className="tl-split">
        <div className="tl-list" ref={list} data-testid="tl-list">
          {slice?.events.map((e) => (
            <div key={e.seq} className={`tl-event${selected?.seq === e.seq ? ' sel' : ''}`} onClick={() => setSelected(e)} data-testid="timeline-event" data-seq={e.seq}>
              <span className="mono muted">{formatClock(e.event.t)}</span>
              <span className="tl-lane">{e.lane}</span>
              <span className="mono">{e.text}</span>
            </div>
          ))}
        </div>
        <div className="tl-details" data-testid="tl-details">
          {selected ? (
            <>
              <div className="mono"><b>{formatClock(selected.event.t)}</b> {selected.lane}</div>
              <div className="mono">{selected.text}</div>
              {'src' in selected.event && selected.event.src && <div className="src-line" data-testid="event-src">{selected.event.src}{'fn' in selected.event && selected.event.fn ? `  (${selected.event.fn})` : ''}</div>}
              <pre>{JSON.stringify(selected.event, null, 1)}</pre>
            </>
          ) : <p className="muted">{t('insp.details')}</p>}
        </div>
      </div>
    </div>
  );
}
