// The progress page: labs passed, time spent, the streak, per topic and per lab; the drills'
// best and last scores; and a lab's check runs, each of which can put its files back into the
// lab's workspace (never losing unsaved work without asking, never deleting a file).
import { useCallback, useEffect, useState } from 'react';
import type { CheckRunRecord, LabCatalog, LabHistory, ProgressOverview, RestorePlan } from '../../../main/ipc/common/contract';
import { useApp, why } from '../app-context';
import { dateTime, day, duration, millis } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { labTitle } from '../labs';
import { hrefFor, navigate } from '../route';
import { useOpenLab } from './CatalogPage';
import { IpcError } from '../../../main/ipc/common/protocol';

function Stat(props: { label: string; value: string; sub?: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{props.label}</div>
      <div className="stat-value">{props.value}</div>
      {props.sub && <div className="stat-sub muted">{props.sub}</div>}
    </div>
  );
}

function RunCard(props: { lab: string; run: CheckRunRecord; onRestored(): void }) {
  const { lab, run } = props;
  const { api, report: say } = useApp();
  const { t, language } = useI18n();
  // A desktop window works on its own lab only: another lab's files are restored from its window.
  const failed = (e: unknown) => say(e instanceof IpcError && e.code === 'forbidden' ? t('restore.otherWindow') : why(e));
  const [plan, setPlan] = useState<RestorePlan>();
  const list = (paths: string[]) => (paths.length ? paths.join(', ') : t('restore.nothing'));

  const restore = (force: boolean) => {
    api.progress.restore(lab, run.runId, force).then((done) => {
      setPlan(undefined);
      say(t('restore.done', { id: run.runId, files: list(done.write) }));
      props.onRestored();
    }, failed);
  };

  return (
    <li className="run" data-testid="run">
      <div className="run-head">
        <span className={run.passed ? 'verdict ok' : 'verdict bad'}>{run.passed ? '✓' : '✗'}</span>
        <span className="run-id">{t('history.run', { id: run.runId })}</span>
        <span className="muted">{dateTime(run.at, language)}</span>
        <span className="spacer" />
        <span className="muted">seed {run.seed} · {run.personality}</span>
      </div>
      <ul className="run-items">
        {run.items.map((item) => (
          <li key={item.id} className={item.passed ? 'passed' : 'failed'}>
            <span className="check-icon">{item.passed ? '✓' : '✗'}</span> {item.title}
            {!item.passed && item.message && <div className="check-message">{item.message}</div>}
          </li>
        ))}
      </ul>
      <div className="run-foot">
        <span className="muted" title={run.files.join('\n')}>{t('history.files', { n: run.files.length })}</span>
        <span className="spacer" />
        {!plan && run.files.length > 0 && (
          <button className="small" onClick={() => api.progress.planRestore(lab, run.runId).then(setPlan, failed)}>{t('history.restore')}</button>
        )}
      </div>
      {plan && (
        <div className="restore-plan" role="dialog" aria-label={t('history.restore')}>
          {plan.write.length === 0
            ? <p>{t('restore.nothingToWrite', { id: run.runId })}</p>
            : <p>{t('restore.plan', { id: run.runId, write: list(plan.write), extra: list(plan.extra) })}</p>}
          {plan.blocked.map((b) => <p key={b.path} className="problem">{b.path}: {b.why}</p>)}
          {plan.unsaved.length > 0 && <p className="warn-text">{t('restore.unsaved', { files: plan.unsaved.join(', ') })}</p>}
          <div className="buttons">
            {plan.write.length > 0 && plan.blocked.length === 0 && (
              <button className={plan.unsaved.length ? 'danger' : 'primary'} onClick={() => restore(plan.unsaved.length > 0)}>
                {plan.unsaved.length ? t('restore.force') : t('restore.confirm')}
              </button>
            )}
            <button onClick={() => setPlan(undefined)}>{t('restore.cancel')}</button>
          </div>
        </div>
      )}
    </li>
  );
}

function HistoryPanel(props: { lab: string; title: string }) {
  const { api, client, report } = useApp();
  const { t, language } = useI18n();
  const [history, setHistory] = useState<LabHistory>();
  const openLab = useOpenLab();
  const load = useCallback(() => { api.progress.history(props.lab).then(setHistory, (e: unknown) => report(why(e))); }, [api, props.lab, report]);
  useEffect(() => {
    load();
    return client.listen('progress', 'changed', '', load);
  }, [client, load]);
  return (
    <section className="history" data-testid="history">
      <div className="history-head">
        <h2>{t('history.title', { lab: props.title })}</h2>
        <button className="small" onClick={() => openLab(props.lab)}>{t('history.openLab')}</button>
      </div>
      {history && (
        <p className="muted">
          {t(`status.${history.status}` as MessageKey)} · {duration(history.timeSpentMs, language)}
          {history.hints.length > 0 && ` · ${t('col.hints')} ${history.hints.length}`}
        </p>
      )}
      {history && history.runs.length === 0 && <p className="muted">{t('history.none')}</p>}
      <ol className="runs">
        {history?.runs.slice().reverse().map((run) => <RunCard key={run.runId} lab={props.lab} run={run} onRestored={load} />)}
      </ol>
    </section>
  );
}

export function ProgressPage(props: { lab?: string }) {
  const { api, client, report } = useApp();
  const { t, language } = useI18n();
  const [overview, setOverview] = useState<ProgressOverview>();
  const [catalog, setCatalog] = useState<LabCatalog>();
  const load = useCallback(() => {
    api.progress.overview().then(setOverview, (e: unknown) => report(why(e)));
    api.labs.list().then(setCatalog, () => undefined);
  }, [api, report]);
  useEffect(() => {
    load();
    return client.listen('progress', 'changed', '', load);
  }, [client, load]);

  const titleOf = (id: string, fallback: string) => {
    const lab = catalog?.labs.find((l) => l.id === id);
    return lab ? labTitle(lab, language) : fallback;
  };

  if (!overview) return <div className="page progress-page" />;
  const total = overview.labs.length;
  return (
    <div className={props.lab ? 'page progress-page with-history' : 'page progress-page'} data-testid="progress">
      <div className="progress-main">
        <header className="page-head"><h1>{t('progress.title')}</h1></header>
        <div className="stats-row">
          <Stat label={t('progress.labsPassed')} value={`${overview.labsPassed} / ${total}`} />
          <Stat label={t('progress.totalTime')} value={duration(overview.totalTimeMs, language)} />
          <Stat label={t('progress.streak')} value={overview.streakDays === 1 ? t('progress.oneDay') : t('progress.days', { n: overview.streakDays })}
            sub={overview.lastActiveDay ? t('progress.lastActive', { day: day(overview.lastActiveDay, language) }) : t('progress.never')} />
        </div>

        <h2>{t('progress.topics')}</h2>
        <table className="grid">
          <thead><tr><th>{t('col.topic')}</th><th className="num">{t('col.passed')}</th><th className="num">{t('col.inProgress')}</th><th className="num">{t('col.time')}</th></tr></thead>
          <tbody>
            {overview.topics.map((topic) => (
              <tr key={topic.topic ?? ''}>
                <td>{topic.topic ?? t('topic.other')}</td>
                <td className="num">{topic.passed} / {topic.labs}</td>
                <td className="num">{topic.inProgress}</td>
                <td className="num">{duration(topic.timeSpentMs, language)}</td>
              </tr>
            ))}
          </tbody>
        </table>

        <h2>{t('progress.labs')}</h2>
        <table className="grid clickable" data-testid="progress-labs">
          <thead><tr><th>{t('col.lab')}</th><th>{t('col.status')}</th><th className="num">{t('col.time')}</th><th className="num">{t('col.runs')}</th><th>{t('col.lastRun')}</th><th className="num">{t('col.hints')}</th></tr></thead>
          <tbody>
            {overview.labs.map((lab) => (
              <tr key={lab.id} className={lab.id === props.lab ? 'selected' : ''} onClick={() => navigate({ page: 'progress', lab: lab.id })} data-lab={lab.id}>
                <td><a href={hrefFor({ page: 'progress', lab: lab.id })} onClick={(e) => e.preventDefault()}>{titleOf(lab.id, lab.title)}</a></td>
                <td><span className={`status-word ${lab.status.replace(' ', '-')}`}>{t(`status.${lab.status}` as MessageKey)}</span></td>
                <td className="num">{duration(lab.timeSpentMs, language)}</td>
                <td className="num">{lab.checkRuns}</td>
                <td>{lab.lastRunAt ? dateTime(lab.lastRunAt, language) : '—'}</td>
                <td className="num">{lab.hintsRevealed}</td>
              </tr>
            ))}
          </tbody>
        </table>

        <h2>{t('progress.drills')}</h2>
        {overview.drills.length === 0 ? <p className="muted">{t('progress.noDrills')}</p> : (
          <table className="grid">
            <thead><tr><th>{t('col.drill')}</th><th className="num">{t('col.attempts')}</th><th>{t('col.best')}</th><th>{t('col.last')}</th></tr></thead>
            <tbody>
              {overview.drills.map((d) => {
                const score = (a: typeof d.best) => (a ? `${a.score.fixPassed ? '✓' : '✗'} ${millis(a.score.virtualMs)} · ${t('drill.bytes', { n: a.score.bytesLost })} · ${t('drill.keys')} ${a.score.keysPressed}` : '—');
                return <tr key={d.drillId}><td>{titleOf(d.drillId, d.drillId)}</td><td className="num">{d.attempts}</td><td>{score(d.best)}</td><td>{score(d.last)}</td></tr>;
              })}
            </tbody>
          </table>
        )}
      </div>
      {props.lab ? <HistoryPanel lab={props.lab} title={titleOf(props.lab, props.lab)} /> : <aside className="history empty muted">{t('history.pick')}</aside>}
    </div>
  );
}
