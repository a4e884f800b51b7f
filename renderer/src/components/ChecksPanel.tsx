// The lab's checks: run them (the lab view saves your files first), each item passed or failed
// with what the check saw and where to look, and the hints, revealed one at a time. A run's
// items appear as they finish (labs.checkProgress), and a run can be cancelled.
import { useCallback, useEffect, useState } from 'react';
import type { CheckItemStatus, CheckProgress, CheckRun, Hint, LabDetails, SourceLocation } from '../../../main/ipc/common/contract';
import { useApp, why } from '../app-context';
import { dateTime } from '../format';
import { useI18n } from '../i18n';
import { keysOf } from '../shortcuts';
import { InlineMarkdown, Markdown } from './Markdown';

/** What the panel shows of a run: the latest one this session, or the last one recorded. */
export interface ShownRun {
  runId: number;
  at: number;
  seed: number;
  passed: boolean;
  items: { id: string; title: string; status: CheckItemStatus; message: string; where?: SourceLocation }[];
}

export function shownRun(run: CheckRun): ShownRun {
  return { runId: run.runId, at: run.at, seed: run.seed, passed: run.passed, items: run.items };
}

/** An item of a run in progress has not finished yet: the first of them is being checked. */
type ShownStatus = CheckItemStatus | 'checking' | 'waiting';

const ICONS: Record<ShownStatus, string> = { passed: '✓', failed: '✗', 'not checked': '–', checking: '▸', waiting: '○' };

/** A run in progress: the items that finished, then the lab's others, still to come. */
function liveItems(live: CheckProgress, lab: LabDetails): { id: string; title: string; status: ShownStatus; message: string; where?: SourceLocation }[] {
  const done = new Set(live.items.map((i) => i.id));
  const rest = (lab.checkItems ?? []).filter((c) => !done.has(c.id));
  return [...live.items, ...rest.map((c, i) => ({ ...c, status: i === 0 ? 'checking' as const : 'waiting' as const, message: '' }))];
}

export function ChecksPanel(props: {
  lab: LabDetails;
  run: ShownRun | undefined;
  running: boolean;
  error: string | undefined;
  onRun(): void;
  onReveal(where: SourceLocation): void;
}) {
  const { lab, run } = props;
  const { api, client, report, settings } = useApp();
  const { t, language } = useI18n();
  const [hints, setHints] = useState<Hint[]>([]);
  const [live, setLive] = useState<CheckProgress>();
  useEffect(() => {
    setLive(undefined);
    return client.listen('labs', 'checkProgress', lab.id, setLive);
  }, [client, lab.id]);
  const inProgress = live?.state === 'running';
  const { running, onRun } = props;
  // A run this page did not start (it was reloaded during one, or another window started it):
  // Check joins it, so its result comes here too.
  useEffect(() => { if (inProgress && !running) onRun(); }, [inProgress, running, onRun]);

  const loadHints = useCallback(() => {
    api.labs.hints(lab.id).then(setHints, () => setHints([]));
  }, [api, lab.id]);
  // Hints come in the learner's language: a language change fetches them again.
  useEffect(() => loadHints(), [loadHints, settings.language]);
  useEffect(() => client.listen('progress', 'changed', '', loadHints), [client, loadHints]);

  const reveal = () => {
    api.labs.hint(lab.id, hints.length).then(() => loadHints(), (e: unknown) => report(why(e)));
  };

  const items = inProgress ? liveItems(live, lab) : run?.items ?? (lab.checkItems ?? []).map((c) => ({ ...c, status: 'not checked' as const, message: '', where: undefined }));
  const failed = run ? run.items.filter((i) => i.status !== 'passed').length : 0;
  const hintCount = lab.hintCount ?? 0;

  return (
    <div className="checks" data-testid="checks">
      <div className="checks-head">
        <button className="primary" onClick={props.onRun} disabled={props.running} title={`${t('tip.check')} (${keysOf('check')})`}>
          {props.running ? t('checks.running') : t('checks.run')}
        </button>
        {inProgress && (
          <>
            <button onClick={() => api.labs.cancelCheck(lab.id).catch((e: unknown) => report(why(e)))} data-testid="checks-cancel">{t('checks.cancel')}</button>
            <span className="muted" data-testid="checks-progress">{t('checks.progress', { done: live.items.length, n: live.total ?? items.length })}</span>
          </>
        )}
        {run && !inProgress && (
          <span className={run.passed ? 'verdict ok' : 'verdict bad'} data-testid="checks-verdict">
            {run.passed ? t('checks.allPassed', { n: run.items.length }) : t('checks.someFailed', { failed, n: run.items.length })}
          </span>
        )}
      </div>
      {run && !inProgress && <div className="muted small-text">{t('checks.lastRun', { run: run.runId, when: dateTime(run.at, language), seed: run.seed })}</div>}
      {props.error && <p className="problem" role="alert">{t('checks.unavailable', { why: props.error })}</p>}
      {items.length > 0 ? (
        <ul className="check-items">
          {items.map((item) => (
            <li key={item.id} className={`check-item ${item.status.replace(' ', '-')}`} data-testid="check-item">
              <span className="check-icon" aria-label={item.status}>{ICONS[item.status]}</span>
              <div className="check-body">
                <div className="check-title"><InlineMarkdown text={item.title} /></div>
                {item.message && <div className="check-message">{item.message}</div>}
                {item.where && (
                  <button className="link-button" onClick={() => props.onReveal(item.where!)}>
                    {t('checks.open', { where: item.where.line ? `${item.where.file}:${item.where.line}` : item.where.file })}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      ) : !props.error && <p className="muted">{t('checks.none')}</p>}

      {(hintCount > 0 || hints.length > 0) && (
        <section className="hints">
          <h3>{t('hints.title')} <span className="muted">{t('hints.count', { shown: hints.length, total: Math.max(hintCount, hints.length) })}</span></h3>
          {hints.length === 0 && <p className="muted">{t('hints.none')}</p>}
          {hints.map((h) => (
            <div className="hint" key={h.index} data-testid="hint">
              <div className="hint-title">{h.index + 1}. {h.title}</div>
              <Markdown text={h.text} />
            </div>
          ))}
          {hints.length < hintCount && <button onClick={reveal}>{t('hints.show', { n: hints.length + 1 })}</button>}
        </section>
      )}
    </div>
  );
}
