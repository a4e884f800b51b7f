// The hardware inspector beside the terminal: time control and the virtual clock on top, then
// the I/O ports, interrupts, shared memory, the card, the tasks and the timeline. It listens
// to the session's inspector state (aggregated in the machine's worker, a few times a second);
// while it is closed nobody listens and the machine does not even produce events.
import { useEffect, useRef, useState } from 'react';
import type { InspectorState, MemoryView, RecordingView, TimeAction } from '../../../../main/ipc/common/inspector';
import { useApp, why } from '../../app-context';
import { useI18n, type MessageKey } from '../../i18n';
import { formatClock } from './format';
import { CardPane, InterruptsPane, MemoryPane, PortsPane, TasksPane } from './Panes';
import { TimelinePane } from './TimelinePane';

export type InspectorTab = 'ports' | 'irq' | 'memory' | 'card' | 'tasks' | 'timeline';
const TABS: InspectorTab[] = ['ports', 'irq', 'memory', 'card', 'tasks', 'timeline'];

/** Each card's window as the UI has assembled it from full states and changed blocks, with when each byte last changed. */
export interface WindowImage {
  bytes: Uint8Array;
  changedAt: Float64Array;
}

function applyMemory(images: Map<number, WindowImage>, views: MemoryView[], now: number): Map<number, WindowImage> {
  const next = new Map(images);
  for (const v of views) {
    let image = next.get(v.card);
    if (!image || image.bytes.length !== v.size) image = { bytes: new Uint8Array(v.size), changedAt: new Float64Array(v.size) };
    else image = { bytes: image.bytes, changedAt: image.changedAt };
    for (const block of v.blocks) {
      for (let i = 0; i < block.hex.length / 2; i++) {
        const byte = parseInt(block.hex.slice(i * 2, i * 2 + 2), 16);
        const at = block.offset + i;
        // A full image after a reset or a new watcher is not a change.
        if (!v.full && image.bytes[at] !== byte) image.changedAt[at] = now;
        image.bytes[at] = byte;
      }
    }
    for (const w of v.writes) for (let i = w.offset; i < w.offset + w.size && i < image.changedAt.length; i++) image.changedAt[i] = now;
    next.set(v.card, image);
  }
  return next;
}

export function InspectorPanel(props: { session: string; onClose(): void }) {
  const { api, client, report } = useApp();
  const { t } = useI18n();
  const [state, setState] = useState<InspectorState>();
  const [tab, setTab] = useState<InspectorTab>(() => (localStorage.getItem('driverlab.inspector.tab') as InspectorTab | null) ?? 'timeline');
  const [images, setImages] = useState<Map<number, WindowImage>>(new Map());
  const [recording, setRecording] = useState<RecordingView | null>(null);
  const boot = useRef(0);

  useEffect(() => {
    setState(undefined);
    setImages(new Map());
    return client.listen('inspector', 'state', props.session, (s) => {
      const fresh = s.boot !== boot.current;
      boot.current = s.boot;
      setState(s);
      setImages((old) => applyMemory(fresh ? new Map() : old, s.memory, performance.now()));
      setRecording(s.recording ?? null);
    });
  }, [client, props.session]);

  const choose = (next: InspectorTab) => {
    setTab(next);
    localStorage.setItem('driverlab.inspector.tab', next);
  };
  const time = (action: TimeAction) => {
    api.inspector.time(props.session, action).then((r) => {
      setState((s) => (s ? { ...s, clock: r.clock } : s));
      if (r.step?.event) report(`${t('insp.step')}: ${r.step.event.label ?? 'event'} @ ${formatClock(r.step.event.atNs)}`);
    }, (e: unknown) => report(why(e)));
  };
  const record = () => {
    api.inspector.record(props.session, !recording?.recording).then((r) => {
      setRecording(r && r.recording ? r : null);
      if (r && !r.recording) report(t('insp.recorded', { file: r.file, n: r.events }));
    }, (e: unknown) => report(why(e)));
  };

  const clock = state?.clock;
  return (
    <aside className="inspector" data-testid="inspector">
      <div className="insp-bar">
        <span className={`insp-clock${clock?.paused ? ' paused' : ''}`} data-testid="clock" data-ns={clock?.nowNs ?? 0} data-fired={clock?.firedEvents ?? 0} data-paused={clock?.paused ? 'yes' : 'no'} title={clock?.next ? `next: ${clock.next.label ?? 'event'} @ ${formatClock(clock.next.atNs)}` : undefined}>
          {clock ? formatClock(clock.nowNs) : '—'}
        </span>
        {clock?.paused
          ? <button className="small primary" onClick={() => time('resume')} data-testid="time-resume">▶ {t('insp.resume')}</button>
          : <button className="small" onClick={() => time('pause')} disabled={!clock} title={t('insp.tipPause')} data-testid="time-pause">❚❚ {t('insp.pause')}</button>}
        <button className="small" onClick={() => time('step')} disabled={!clock || clock.stepping} title={t('insp.tipStep')} data-testid="time-step">▸| {t('insp.step')}</button>
        <span className="insp-seg">
          <button className={`small${clock?.pacing === 'realtime' ? ' on' : ''}`} onClick={() => time('realtime')} title={t('insp.tipRealtime')} data-testid="time-realtime">{t('insp.realtime')}</button>
          <button className={`small${clock?.pacing === 'fast' ? ' on' : ''}`} onClick={() => time('fast')} title={t('insp.tipFast')} data-testid="time-fast">{t('insp.fast')}</button>
        </span>
        <span className="spacer" />
        <button className={`small${recording?.recording ? ' danger' : ''}`} onClick={record} disabled={!state} data-testid="record">
          {recording?.recording ? `■ ${t('insp.stopRecord', { n: recording.events })}` : `● ${t('insp.record')}`}
        </button>
        {state && <span className="insp-rate muted" data-testid="event-rate">{t('insp.perSecond', { n: state.stream.perSecond.toLocaleString('en-US') })}</span>}
      </div>
      <div className="insp-tabs" role="tablist">
        {TABS.map((id) => (
          <button key={id} role="tab" aria-selected={tab === id} className={tab === id ? 'active' : ''} onClick={() => choose(id)} data-testid={`insp-tab-${id}`}>
            {t(`insp.${id}` as MessageKey)}
          </button>
        ))}
        <span className="spacer" />
        <button className="small ghost" onClick={props.onClose} aria-label="close" title={t('insp.toggle')}>✕</button>
      </div>
      <div className="insp-body">
        {!state ? <p className="muted insp-pad">{t('insp.waiting')}</p> : (
          <>
            {tab === 'ports' && <PortsPane state={state} />}
            {tab === 'irq' && <InterruptsPane state={state} />}
            {tab === 'memory' && <MemoryPane state={state} images={images} />}
            {tab === 'card' && <CardPane state={state} session={props.session} />}
            {tab === 'tasks' && <TasksPane state={state} />}
            {tab === 'timeline' && <TimelinePane state={state} session={props.session} />}
          </>
        )}
      </div>
    </aside>
  );
}
