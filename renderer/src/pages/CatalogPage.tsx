// The lab catalog: the labs by topic in curriculum order, each with its status and the time
// spent from the progress store, the lab to do next, the drills with their best scores, and
// free play. Refreshes when progress changes (a check run, another window).
import { useCallback, useEffect, useState, type MouseEvent } from 'react';
import { curriculumOrder, type LabCatalog, type LabProgress, type LabStatus, type LabSummary, type ProgressOverview } from '../../../main/ipc/common/contract';
import { useApp, why } from '../app-context';
import { duration, millis } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { labSummary, labTitle } from '../labs';
import { hrefFor, navigate } from '../route';

const STATUS_ICON: Record<LabStatus, string> = { 'not started': '○', 'in progress': '◐', passed: '✓' };

export function useOpenLab(): (id: string) => void {
  const { api, report } = useApp();
  return useCallback((id: string) => {
    api.labs.open(id).then(({ here }) => { if (here) navigate({ page: 'lab', lab: id }); }, (e: unknown) => report(why(e)));
  }, [api, report]);
}

function LabRow(props: { lab: LabSummary; progress: LabProgress | undefined; titles: Map<string, string>; onOpen(id: string): void }) {
  const { lab, progress } = props;
  const { t, language } = useI18n();
  const status = progress?.status ?? 'not started';
  const open = (e: MouseEvent) => { e.preventDefault(); props.onOpen(lab.id); };
  const prerequisites = (lab.prerequisites ?? []).map((p) => props.titles.get(p) ?? p);
  return (
    <li>
      <a className={`lab-row ${status.replace(' ', '-')}`} href={hrefFor({ page: 'lab', lab: lab.id })} onClick={open} data-testid="lab-row" data-lab={lab.id} data-status={status}>
        <span className={`status-icon ${status.replace(' ', '-')}`} aria-hidden>{STATUS_ICON[status]}</span>
        <span className="lab-main">
          <span className="lab-name">{labTitle(lab, language)}</span>
          <span className="lab-summary">{labSummary(lab, language)}</span>
          <span className="lab-meta">
            <span className={`status-word ${status.replace(' ', '-')}`}>{t(`status.${status}` as MessageKey)}</span>
            {lab.difficulty && <span className={`chip diff-${lab.difficulty}`}>{t(`difficulty.${lab.difficulty}` as MessageKey)}</span>}
            {lab.estimatedMinutes && <span className="chip">{t('catalog.minutes', { n: lab.estimatedMinutes })}</span>}
            <span className="chip kernel">{t(`kernel.${lab.personality}` as MessageKey)}</span>
            {prerequisites.length > 0 && <span className="muted">{t('catalog.after', { labs: prerequisites.join(', ') })}</span>}
          </span>
        </span>
        <span className="lab-stats">
          {progress && progress.timeSpentMs > 0 && <span>{duration(progress.timeSpentMs, language)}</span>}
          {progress && progress.checkRuns > 0 && <span className="muted">{t('catalog.runs', { n: progress.checkRuns })}</span>}
        </span>
      </a>
    </li>
  );
}

export function CatalogPage() {
  const { api, client, report } = useApp();
  const { t, language } = useI18n();
  const [catalog, setCatalog] = useState<LabCatalog>();
  const [overview, setOverview] = useState<ProgressOverview>();
  const openLab = useOpenLab();

  const load = useCallback(() => {
    api.labs.list().then(setCatalog, (e: unknown) => report(why(e)));
    api.progress.overview().then(setOverview, (e: unknown) => report(why(e)));
  }, [api, report]);
  useEffect(() => {
    load();
    return client.listen('progress', 'changed', '', load);
  }, [client, load]);

  if (!catalog) return <div className="page catalog-page"><p className="muted">{t('catalog.loading')}</p></div>;

  const progressOf = new Map(overview?.labs.map((l) => [l.id, l]) ?? []);
  const labs = catalog.labs.filter((l) => l.kind !== 'drill').sort(curriculumOrder);
  const drills = catalog.labs.filter((l) => l.kind === 'drill').sort(curriculumOrder);
  const titles = new Map(catalog.labs.map((l) => [l.id, labTitle(l, language)]));
  const topics: { topic: string; labs: LabSummary[] }[] = [];
  for (const lab of labs) {
    const group = topics.find((g) => g.topic === lab.topic);
    if (group) group.labs.push(lab);
    else topics.push({ topic: lab.topic, labs: [lab] });
  }
  const next = overview?.next ? labs.find((l) => l.id === overview.next) : undefined;
  const nextStatus = next ? progressOf.get(next.id)?.status ?? 'not started' : undefined;
  const passed = labs.filter((l) => progressOf.get(l.id)?.status === 'passed').length;
  const drillScores = new Map(overview?.drills.map((d) => [d.drillId, d]) ?? []);

  return (
    <div className="page catalog-page" data-testid="catalog">
      <header className="page-head">
        <h1>{t('catalog.title')}</h1>
        {overview && labs.length > 0 && (
          <div className="stats" data-testid="catalog-stats">
            <span>{t('catalog.passedOf', { passed, total: labs.length })}</span>
            <span>{t('catalog.timeSpent', { time: duration(overview.totalTimeMs, language) })}</span>
            <span>{overview.streakDays > 0 ? t('catalog.streak', { n: overview.streakDays }) : t('catalog.noStreak')}</span>
          </div>
        )}
      </header>

      {next && (
        <a className="next-card" href={hrefFor({ page: 'lab', lab: next.id })} onClick={(e) => { e.preventDefault(); openLab(next.id); }} data-testid="next-lab">
          <span className="next-label">{nextStatus === 'in progress' ? t('catalog.continue') : passed === 0 ? t('catalog.start') : t('catalog.nextUp')}</span>
          <span className="next-title">{labTitle(next, language)}</span>
          <span className="next-summary">{labSummary(next, language)}</span>
          <span className="next-open">{t('catalog.open')} →</span>
        </a>
      )}
      {overview && labs.length > 0 && !next && <p className="all-done">{t('catalog.allDone')}</p>}

      {topics.map((group) => {
        const done = group.labs.filter((l) => progressOf.get(l.id)?.status === 'passed').length;
        return (
          <section className="topic" key={group.topic}>
            <h2>
              <span>{group.topic}</span>
              <span className="topic-progress" aria-label={t('catalog.topicProgress', { passed: done, total: group.labs.length })}>
                <span className="bar"><span style={{ width: `${(100 * done) / group.labs.length}%` }} /></span>
                <span className="muted">{t('catalog.topicProgress', { passed: done, total: group.labs.length })}</span>
              </span>
            </h2>
            <ul className="lab-list">
              {group.labs.map((lab) => <LabRow key={lab.id} lab={lab} progress={progressOf.get(lab.id)} titles={titles} onOpen={openLab} />)}
            </ul>
          </section>
        );
      })}
      {labs.length === 0 && <p className="muted">{t('catalog.noLabs')}</p>}

      {drills.length > 0 && (
        <section className="topic">
          <h2><span>{t('catalog.drills')}</span></h2>
          <ul className="lab-list">
            {drills.map((d) => {
              const best = drillScores.get(d.id)?.best;
              return (
                <li key={d.id}>
                  <a className="lab-row" href={hrefFor({ page: 'lab', lab: d.id })} onClick={(e) => { e.preventDefault(); openLab(d.id); }} data-testid="lab-row" data-lab={d.id}>
                    <span className="status-icon drill-kind" aria-hidden>◆</span>
                    <span className="lab-main"><span className="lab-name">{labTitle(d, language)}</span><span className="lab-summary">{labSummary(d, language)}</span></span>
                    <span className="lab-stats">{best && <span>{t('col.best')}: {millis(best.score.virtualMs)}, {t('drill.bytes', { n: best.score.bytesLost })}</span>}</span>
                  </a>
                </li>
              );
            })}
          </ul>
        </section>
      )}

      <section className="topic">
        <ul className="lab-list">
          <li>
            <a className="lab-row free-play" href={hrefFor({ page: 'lab', lab: catalog.freePlay.id })} onClick={(e) => { e.preventDefault(); openLab(catalog.freePlay.id); }} data-testid="lab-row" data-lab={catalog.freePlay.id}>
              <span className="status-icon" aria-hidden>▸</span>
              <span className="lab-main"><span className="lab-name">{t('catalog.freePlay')}</span><span className="lab-summary">{labSummary(catalog.freePlay, language)}</span></span>
              <span className="lab-stats"><span className="chip kernel">{t(`kernel.${catalog.freePlay.personality}` as MessageKey)}</span></span>
            </a>
          </li>
        </ul>
      </section>

      {catalog.problems.length > 0 && (
        <section className="topic problems-list">
          <h2><span>{t('catalog.problems')}</span></h2>
          {catalog.problems.map((p) => <p key={p.folder} className="problem">labs/{p.folder}: {p.message}</p>)}
        </section>
      )}
    </div>
  );
}
