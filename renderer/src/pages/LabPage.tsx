// The lab view: instructions and checks on the left; the workspace editor over the machine's
// terminal on the right; Build, Check and the machine's controls on top. Build saves every
// file and runs make in the terminal, where the learner sees it, and the diagnostics land in
// the editor on their file and line; the next build replaces them.
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { CHECK_RUN_CANCELLED, FREE_PLAY, type BuildDiagnostic, type BuildResult, type LabDetails, type MachineStatus, type SourceLocation } from '../../../main/ipc/common/contract';
import { useApp, why } from '../app-context';
import { ChecksPanel, shownRun, type ShownRun } from '../components/ChecksPanel';
import { DrillBar } from '../components/DrillBar';
import { EditorPane, type EditorHandle } from '../components/EditorPane';
import { InspectorPanel } from '../components/inspector/InspectorPanel';
import { MachineControls } from '../components/MachineControls';
import { Markdown } from '../components/Markdown';
import { TerminalPane, type TerminalHandle } from '../components/TerminalPane';
import { useI18n, type MessageKey, type Translate } from '../i18n';
import { hrefFor } from '../route';
import { keysOf, shortcutFor } from '../shortcuts';
import { labTitle } from '../labs';

/** A pane size the learner dragged, kept across reloads (layout, not a setting). */
function useStoredSize(key: string, initial: number): [number, (n: number) => void] {
  const [size, setSize] = useState(() => Number(localStorage.getItem(key)) || initial);
  const set = useCallback((n: number) => {
    setSize(n);
    localStorage.setItem(key, String(Math.round(n)));
  }, [key]);
  return [size, set];
}

function dragSplitter(e: ReactPointerEvent, axis: 'x' | 'y', start: number, apply: (size: number) => void, invert = false) {
  e.preventDefault();
  const origin = axis === 'x' ? e.clientX : e.clientY;
  const move = (m: PointerEvent) => {
    const delta = (axis === 'x' ? m.clientX : m.clientY) - origin;
    apply(start + (invert ? -delta : delta));
  };
  const up = () => {
    window.removeEventListener('pointermove', move);
    window.removeEventListener('pointerup', up);
    document.body.classList.remove('dragging');
  };
  document.body.classList.add('dragging');
  window.addEventListener('pointermove', move);
  window.addEventListener('pointerup', up);
}

function buildMessage(t: Translate, r: BuildResult): string {
  const e = r.diagnostics.filter((d) => d.severity === 'error').length;
  const w = r.diagnostics.filter((d) => d.severity === 'warning').length;
  if (r.outcome === 'interrupted') return t('build.interrupted');
  if (r.outcome === 'succeeded') return w ? t('build.succeededWarnings', { w }) : t('build.succeeded');
  return e || w ? t('build.failed', { e, w }) : t('build.failedOther', { status: r.status ?? '?' });
}

function Problems(props: { diagnostics: readonly BuildDiagnostic[]; onOpen(d: BuildDiagnostic): void }) {
  const { t } = useI18n();
  const shown = props.diagnostics.filter((d) => d.severity !== 'note');
  if (shown.length === 0) return null;
  const errors = shown.filter((d) => d.severity === 'error').length;
  return (
    <div className="problems" data-testid="problems">
      <div className="problems-head">
        <span>{t('problems.title')}</span>
        <span className="count bad">{t('problems.errors', { n: errors })}</span>
        <span className="count warn">{t('problems.warnings', { n: shown.length - errors })}</span>
      </div>
      <ul>
        {shown.map((d, i) => (
          <li key={i}>
            <button className={`problem-row ${d.severity}`} onClick={() => props.onOpen(d)} disabled={!d.file}>
              <span className="sev">{d.severity === 'error' ? '✗' : '!'}</span>
              <span className="where">{d.file ? `${d.file}:${d.line ?? ''}${d.column ? `:${d.column}` : ''}` : d.source}</span>
              <span className="msg">{d.message}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function LabPage(props: { lab: string }) {
  const session = props.lab;
  const { api, client, report } = useApp();
  const { t, language } = useI18n();
  const [lab, setLab] = useState<LabDetails>();
  const [status, setStatus] = useState<MachineStatus>();
  const [side, setSide] = useState<'instructions' | 'checks'>('instructions');
  const [diagnostics, setDiagnostics] = useState<readonly BuildDiagnostic[]>([]);
  const [building, setBuilding] = useState(false);
  const [checking, setChecking] = useState(false);
  const [run, setRun] = useState<ShownRun>();
  const [checkError, setCheckError] = useState<string>();
  const [sideWidth, setSideWidth] = useStoredSize('driverlab.layout.side', 380);
  const [terminalHeight, setTerminalHeight] = useStoredSize('driverlab.layout.terminal', 300);
  const [inspectorWidth, setInspectorWidth] = useStoredSize('driverlab.layout.inspector', 600);
  const [inspecting, setInspecting] = useState(() => localStorage.getItem('driverlab.inspector.open') === '1');
  const toggleInspector = () => setInspecting((open) => {
    localStorage.setItem('driverlab.inspector.open', open ? '0' : '1');
    return !open;
  });
  const editor = useRef<EditorHandle>(null);
  const terminal = useRef<TerminalHandle>(null);
  const work = useRef<HTMLDivElement>(null);

  // Open the session: its machine boots on first open and keeps running across reloads.
  useEffect(() => {
    let stop: (() => void) | undefined;
    let live = true;
    setStatus(undefined);
    setRun(undefined);
    setDiagnostics([]);
    api.machine.open(session).then((s) => {
      if (!live) return;
      setStatus(s);
      stop = client.listen('machine', 'status', session, setStatus);
    }, (e: unknown) => report(t('machine.failed', { why: why(e) })));
    // The checks panel starts from the last run on record.
    api.progress.history(session).then((h) => {
      const last = h.runs.at(-1);
      if (live && last) setRun({ ...last, items: last.items.map((i) => ({ ...i, status: i.passed ? 'passed' : 'failed' })) });
    }, () => undefined);
    return () => { live = false; stop?.(); };
    // t is for messages only: a language change must not reopen the session.
  }, [api, client, session, report]);

  // The lab's texts come in the learner's language: a change of language fetches them again.
  useEffect(() => {
    let live = true;
    api.labs.get(session).then((l) => { if (live) setLab(l); }, (e: unknown) => report(why(e)));
    return () => { live = false; };
  }, [api, session, report, language]);

  const build = useCallback(async () => {
    if (building) return;
    setBuilding(true);
    try {
      await editor.current?.saveAll();
      const result = await api.workspace.build(session);
      setDiagnostics(result.diagnostics);
      report(buildMessage(t, result));
      void editor.current?.refresh();
    } catch (e) {
      report(t('build.refused', { why: why(e) }));
    } finally {
      setBuilding(false);
    }
  }, [api, session, building, report, t]);

  const check = useCallback(async () => {
    if (checking || session === FREE_PLAY) return;
    setSide('checks');
    setChecking(true);
    setCheckError(undefined);
    try {
      await editor.current?.saveAll();
      setRun(shownRun(await api.labs.check(session)));
    } catch (e) {
      if (why(e) === CHECK_RUN_CANCELLED) report(t('checks.cancelled'));
      else setCheckError(why(e));
    } finally {
      setChecking(false);
    }
  }, [api, session, checking, report, t]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const id = shortcutFor(e);
      if (!id || id === 'settings' || id === 'help') return;
      e.preventDefault();
      e.stopPropagation();
      if (id === 'build') void build();
      else if (id === 'check') void check();
      else if (id === 'terminal') terminal.current?.focus();
      else if (id === 'editor') editor.current?.focus();
    };
    // Capture: the editor and the terminal would take these keys for themselves.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [build, check]);

  const reveal = (where: SourceLocation) => void editor.current?.reveal(where.file, where.line);
  const loadAsset = useCallback((path: string) => api.labs.asset(session, path).then((a) => `data:${a.mime};base64,${a.base64}`), [api, session]);

  const off = status?.state === 'off';
  const instructions = lab ? (lab.localizedInstructions?.[language] ?? lab.instructions) : '';
  const isDrill = lab?.kind === 'drill' || lab?.drill !== undefined;
  const clampSide = (n: number) => Math.min(Math.max(n, 240), window.innerWidth * 0.6);
  const clampInspector = (n: number) => Math.min(Math.max(n, 360), window.innerWidth * 0.6);
  const clampTerminal = (n: number) => Math.min(Math.max(n, 120), (work.current?.clientHeight ?? 800) - 140);

  return (
    <div className="lab-page">
      <div className="labbar">
        <a className="crumb" href={hrefFor({ page: 'catalog' })}>{t('lab.allLabs')}</a>
        <span className="crumb-sep">/</span>
        <span className="lab-title" data-testid="lab-title">{lab ? labTitle(lab, language) : session}</span>
        {lab?.difficulty && <span className={`chip diff-${lab.difficulty}`}>{t(`difficulty.${lab.difficulty}` as MessageKey)}</span>}
        {lab?.estimatedMinutes && <span className="chip">{t('catalog.minutes', { n: lab.estimatedMinutes })}</span>}
        {lab && <span className="chip kernel" title="uname -r">{t(`kernel.${lab.personality}` as MessageKey)}</span>}
        <span className="spacer" />
        <button className="primary" onClick={() => void build()} disabled={building || !status || off} title={`${t('tip.build')} (${keysOf('build')})`} data-testid="build">
          {building ? t('machine.building') : t('machine.build')}
        </button>
        {session !== FREE_PLAY && (
          <button onClick={() => void check()} disabled={checking} title={`${t('tip.check')} (${keysOf('check')})`}>
            {checking ? t('machine.checking') : t('machine.check')}
          </button>
        )}
        <button className={inspecting ? 'on' : ''} onClick={toggleInspector} aria-pressed={inspecting} title={t('insp.tip')} data-testid="inspector-toggle">{t('insp.toggle')}</button>
        <span className="toolbar-sep" />
        <MachineControls session={session} status={status} onStatus={setStatus} afterAction={() => terminal.current?.focus()} />
      </div>

      <div className="lab-body" style={{ gridTemplateColumns: `${clampSide(sideWidth)}px 5px minmax(0, 1fr)${inspecting ? ` 5px ${clampInspector(inspectorWidth)}px` : ''}` }}>
        <aside className="side">
          <div className="side-tabs" role="tablist">
            <button role="tab" aria-selected={side === 'instructions'} className={side === 'instructions' ? 'active' : ''} onClick={() => setSide('instructions')}>{t('lab.instructions')}</button>
            {session !== FREE_PLAY && (
              <button role="tab" aria-selected={side === 'checks'} className={side === 'checks' ? 'active' : ''} onClick={() => setSide('checks')}>
                {t('lab.checks')}
                {run && <span className={run.passed ? 'tab-badge ok' : 'tab-badge bad'}>{run.passed ? '✓' : run.items.filter((i) => i.status !== 'passed').length}</span>}
              </button>
            )}
          </div>
          <div className="side-body">
            {lab && isDrill && <DrillBar lab={lab} onStarted={() => terminal.current?.focus()} />}
            {side === 'instructions' ? (
              <section className="instructions markdown" data-testid="instructions">
                {lab && (instructions ? <Markdown text={instructions} loadAsset={loadAsset} /> : <p className="muted">{t('lab.noInstructions')}</p>)}
              </section>
            ) : lab && (
              <ChecksPanel lab={lab} run={run} running={checking} error={checkError} onRun={() => void check()} onReveal={reveal} />
            )}
          </div>
        </aside>
        <div className="splitter vertical" role="separator" aria-orientation="vertical" onPointerDown={(e) => dragSplitter(e, 'x', clampSide(sideWidth), (n) => setSideWidth(clampSide(n)))} />
        <div className="work" ref={work} style={{ gridTemplateRows: `minmax(0, 1fr) 5px ${clampTerminal(terminalHeight)}px` }}>
          <section className="editor-area">
            <EditorPane session={session} diagnostics={diagnostics} handle={editor} />
            <Problems diagnostics={diagnostics} onOpen={(d) => void editor.current?.reveal(d.file!, d.line, d.column)} />
          </section>
          <div className="splitter horizontal" role="separator" aria-orientation="horizontal" onPointerDown={(e) => dragSplitter(e, 'y', clampTerminal(terminalHeight), (n) => setTerminalHeight(clampTerminal(n)), true)} />
          <section className="terminal-area">
            {status && <TerminalPane session={session} handle={terminal} title={t('terminal.boot', { n: status.boot })} />}
            {off && status?.reason !== 'not started' && (
              <div className="powered-off" role="alert" data-testid="powered-off">
                <p className="title">{t('off.title')}</p>
                <p className="muted">{status?.reason}</p>
                <button className="primary" onClick={() => { void api.machine.boot(session).then(setStatus, (e: unknown) => report(why(e))); terminal.current?.focus(); }}>{t('off.boot')}</button>
              </div>
            )}
          </section>
        </div>
        {inspecting && status && (
          <>
            <div className="splitter vertical" role="separator" aria-orientation="vertical" onPointerDown={(e) => dragSplitter(e, 'x', clampInspector(inspectorWidth), (n) => setInspectorWidth(clampInspector(n)), true)} />
            <InspectorPanel session={session} onClose={toggleInspector} />
          </>
        )}
      </div>
    </div>
  );
}
