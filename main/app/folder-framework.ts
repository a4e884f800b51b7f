// The lab framework of the labs/ folder (main/labs/) as the app's core asks for it: checks run
// by the check runner on the learner's files (saved with the run, as `driverlab check` does),
// and the hints of the lab's hints files, in the learner's language.
import type { CheckItemResult, SourceLocation } from '../ipc/common/contract.js';
import type { Failure } from '../labs/check-api.js';
import { runLabChecks, type ItemResult } from '../labs/check-runner.js';
import { checksCacheDir } from '../labs/compile-checks.js';
import { loadLabs, localized, type Lab } from '../labs/loader.js';
import { readLearnerFiles } from '../labs/workspace.js';
import { CheckRunCancelled, type LabFramework } from './lab-framework.js';

/** The first place a failure points at. */
function placeOf(failure: Failure | undefined): SourceLocation | undefined {
  const where = failure?.where;
  const first = Array.isArray(where) ? where[0] : where;
  return first && (first.line !== undefined ? { file: first.file, line: first.line } : { file: first.file });
}

/** A check runner item as the contract shows it. */
function itemResult(i: ItemResult): CheckItemResult {
  const where = placeOf(i.failure);
  return { id: i.id, title: i.title, status: i.status, message: i.message, ...(where ? { where } : {}) };
}

export function folderLabFramework(labsDir: string, options: { cacheDir?: string } = {}): LabFramework {
  const find = async (id: string): Promise<Lab> => {
    const lab = (await loadLabs(labsDir, { cacheDir: options.cacheDir ?? checksCacheDir() })).labs.find((l) => l.manifest.id === id);
    if (!lab) throw new Error(`'${id}' has no checks in this version of DriverLab`);
    return lab;
  };
  return {
    async runChecks(id, workspace, run = {}) {
      const lab = await find(id);
      const files = readLearnerFiles(workspace);
      const { onItem, signal } = run;
      if (signal?.aborted) throw new CheckRunCancelled();
      const report = await runLabChecks(lab, files, { signal, onItem: onItem && ((i) => onItem(itemResult(i))) }).catch((e: unknown) => {
        throw signal?.aborted ? new CheckRunCancelled() : e;
      });
      const items = report.items.map(itemResult);
      return { seed: report.seed, personality: report.personality, items, files: new Map([...files].map(([p, f]) => [p, f.data])) };
    },
    async hint(id, index, language) {
      const hint = localized((await find(id)).hints, language)[index];
      return hint && { title: hint.title, text: hint.text };
    },
  };
}
