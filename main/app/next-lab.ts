// Which lab the catalog suggests next: finish what was started (the lab in progress worked on
// last), else the first lab in curriculum order whose prerequisites are passed, else the first
// lab not passed yet. Drills are practice, never "next".
import { curriculumOrder, type LabProgress, type LabSummary } from '../ipc/common/contract.js';

export function suggestNextLab(labs: readonly LabSummary[], progress: readonly LabProgress[]): string | null {
  const byId = new Map(progress.map((p) => [p.id, p]));
  const ordered = labs.filter((l) => l.kind !== 'drill').sort(curriculumOrder);
  const status = (id: string) => byId.get(id)?.status ?? 'not started';
  const lastWorked = (p: LabProgress) => Math.max(p.lastRunAt ?? 0, p.firstOpenedAt ?? 0);
  const started = ordered.map((l) => byId.get(l.id)).filter((p): p is LabProgress => p?.status === 'in progress');
  if (started.length > 0) return started.reduce((a, b) => (lastWorked(b) > lastWorked(a) ? b : a)).id;
  const ready = ordered.find((l) => status(l.id) === 'not started' && (l.prerequisites ?? []).every((p) => status(p) === 'passed'));
  return (ready ?? ordered.find((l) => status(l.id) !== 'passed'))?.id ?? null;
}
