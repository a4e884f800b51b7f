// The progress service of the contract over the progress store: the overview with the next
// lab suggested, a lab's history, and restoring a check run's files into the lab's workspace
// under the same rules as `driverlab restore` (main/progress/restore.ts): nothing unsaved is
// overwritten unless forced, nothing is ever deleted.
import * as fs from 'node:fs';
import type { LabCatalog, LabHistory, ProgressOverview, RestorePlan } from '../ipc/common/contract.js';
import { labWorkspaceDir } from '../progress/paths.js';
import { applyRestore, planRestore } from '../progress/restore.js';
import type { ProgressStore } from '../progress/store.js';
import { suggestNextLab } from './next-lab.js';

export function progressOverview(store: ProgressStore, catalog: LabCatalog): ProgressOverview {
  const labs = catalog.labs.filter((l) => l.kind !== 'drill');
  const overview = store.overview(labs.map((l) => ({ id: l.id, title: l.title, topic: l.topic })));
  return { ...overview, drills: store.allDrillScores(), next: suggestNextLab(labs, overview.labs) };
}

export function labHistory(store: ProgressStore, lab: string): LabHistory {
  return store.labHistory(lab);
}

function runOf(store: ProgressStore, lab: string, runId: number) {
  const run = store.checkRun(runId);
  if (!run || run.labId !== lab) throw new Error(`${lab} has no check run ${runId}`);
  return run;
}

export function planRunRestore(store: ProgressStore, lab: string, runId: number): RestorePlan {
  runOf(store, lab, runId);
  return planRestore(store.snapshot(runId), labWorkspaceDir(store.home, lab), (data) => store.hasContent(data));
}

/** Writes the run's files; what the plan would lose needs `force`. Returns what was done. */
export function restoreRun(store: ProgressStore, lab: string, runId: number, force: boolean): RestorePlan {
  runOf(store, lab, runId);
  const dir = labWorkspaceDir(store.home, lab);
  const files = store.snapshot(runId);
  const plan = planRestore(files, dir, (data) => store.hasContent(data));
  if (plan.blocked.length > 0) {
    throw new Error(`cannot restore: ${plan.blocked.map((b) => `${b.path} ${b.why}`).join('; ')}. Nothing was changed.`);
  }
  if (plan.unsaved.length > 0 && !force) {
    throw new Error(`restoring would overwrite changes no check run saved in ${plan.unsaved.join(', ')}. Nothing was changed: run the checks first (they save your files), or restore anyway.`);
  }
  fs.mkdirSync(dir, { recursive: true });
  applyRestore(files, dir, plan);
  return plan;
}
