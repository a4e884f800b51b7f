// Drill mode: the goal, a clock running from the start of the attempt (against the drill's
// time limit, when it has one), and the score when the learner says they have recovered.
import { useEffect, useState } from 'react';
import type { DrillOutcome, LabDetails } from '../../../main/ipc/common/contract';
import { useApp, why } from '../app-context';
import { clock, millis } from '../format';
import { useI18n } from '../i18n';
import { Markdown } from './Markdown';

type Phase = { kind: 'ready' } | { kind: 'running'; startedAt: number } | { kind: 'finishing'; startedAt: number } | { kind: 'done'; outcome: DrillOutcome };

export function DrillBar(props: { lab: LabDetails; onStarted(): void }) {
  const { lab } = props;
  const { api, report } = useApp();
  const { t } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'ready' });
  const [now, setNow] = useState(Date.now());
  const limitMs = lab.drill?.timeLimitSeconds !== undefined ? lab.drill.timeLimitSeconds * 1000 : undefined;

  useEffect(() => {
    if (phase.kind !== 'running') return;
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [phase.kind]);

  const start = () => {
    api.labs.startDrill(lab.id).then(() => {
      setNow(Date.now());
      setPhase({ kind: 'running', startedAt: Date.now() });
      props.onStarted();
    }, (e: unknown) => report(why(e)));
  };
  const finish = () => {
    if (phase.kind !== 'running') return;
    setPhase({ kind: 'finishing', startedAt: phase.startedAt });
    api.labs.finishDrill(lab.id).then((outcome) => setPhase({ kind: 'done', outcome }), (e: unknown) => {
      report(why(e));
      setPhase({ kind: 'running', startedAt: phase.startedAt });
    });
  };

  const elapsed = phase.kind === 'running' || phase.kind === 'finishing' ? now - phase.startedAt : 0;
  const over = limitMs !== undefined && elapsed > limitMs;

  return (
    <div className="drill" data-testid="drill">
      <div className="drill-head">
        <span className="drill-label">{t('drill.goal')}</span>
        <span className="spacer" />
        {(phase.kind === 'running' || phase.kind === 'finishing') && (
          <span className={over ? 'drill-clock over' : 'drill-clock'} data-testid="drill-clock" title={over ? t('drill.over') : undefined}>
            {clock(elapsed)}{limitMs !== undefined && <span className="muted"> / {clock(limitMs)}</span>}
          </span>
        )}
        {phase.kind === 'ready' && <button className="primary" onClick={start}>{t('drill.start')}</button>}
        {phase.kind === 'running' && <button className="primary" onClick={finish}>{t('drill.finish')}</button>}
        {phase.kind === 'done' && <button onClick={() => setPhase({ kind: 'ready' })}>{t('drill.again')}</button>}
      </div>
      <div className="drill-goal"><Markdown text={lab.drill?.goal ?? lab.summary} /></div>
      {limitMs !== undefined && phase.kind === 'ready' && <div className="muted small-text">{t('drill.limit', { t: clock(limitMs) })}</div>}
      {phase.kind === 'done' && <DrillScoreCard outcome={phase.outcome} />}
    </div>
  );
}

function DrillScoreCard(props: { outcome: DrillOutcome }) {
  const { score, best, attempts } = props.outcome;
  const { t } = useI18n();
  const rows: [string, string, string][] = [
    [t('drill.fix'), score.fixPassed ? t('yes') : t('no'), best.score.fixPassed ? t('yes') : t('no')],
    [t('drill.bytesLost'), t('drill.bytes', { n: score.bytesLost }), t('drill.bytes', { n: best.score.bytesLost })],
    [t('drill.virtual'), millis(score.virtualMs), millis(best.score.virtualMs)],
    [t('drill.wall'), clock(score.wallMs), clock(best.score.wallMs)],
    [t('drill.keys'), String(score.keysPressed), String(best.score.keysPressed)],
  ];
  return (
    <table className="score" data-testid="drill-score">
      <thead><tr><th>{t('drill.score')}</th><th /><th>{attempts === 1 ? t('drill.bestFirst') : t('drill.best', { n: attempts })}</th></tr></thead>
      <tbody>{rows.map(([name, mine, theirs]) => <tr key={name}><td>{name}</td><td className="num">{mine}</td><td className="num muted">{theirs}</td></tr>)}</tbody>
    </table>
  );
}
