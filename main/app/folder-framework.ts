// The lab framework of the labs/ folder (main/labs/) as the app's core asks for it: checks run
// by the check runner on the learner's files (saved with the run, as `driverlab check` does),
// and the hints of the lab's hints files, in the learner's language.
import type { CheckItemResult, SourceLocation } from '../ipc/common/contract.js';
import type { Failure } from '../labs/check-api.js';
import { runLabChecks } from '../labs/check-runner.js';
import { checksCacheDir } from '../labs/compile-checks.js';
import type { Drill } from '../labs/drill.js';
import { loadLabs, localized, type Lab } from '../labs/loader.js';
import { readLearnerFiles, writeFiles } from '../labs/workspace.js';
import type { LabFramework } from './lab-framework.js';

/** The first place a failure points at. */
function placeOf(failure: Failure | undefined): SourceLocation | undefined {
  const where = failure?.where;
  const first = Array.isArray(where) ? where[0] : where;
  return first && (first.line !== undefined ? { file: first.file, line: first.line } : { file: first.file });
}

export function folderLabFramework(labsDir: string, options: { cacheDir?: string } = {}): LabFramework {
  const find = async (id: string): Promise<Lab> => {
    const lab = (await loadLabs(labsDir, { cacheDir: options.cacheDir ?? checksCacheDir() })).labs.find((l) => l.manifest.id === id);
    if (!lab) throw new Error(`'${id}' has no checks in this version of DriverLab`);
    return lab;
  };
  const findDrill = async (id: string): Promise<Drill> => {
    const drill = (await loadLabs(labsDir, { cacheDir: options.cacheDir ?? checksCacheDir() })).drills.find((d) => d.manifest.id === id);
    if (!drill) throw new Error(`'${id}' is not a drill in this version of DriverLab`);
    return drill;
  };
  return {
    async startDrill(id, session) {
      const drill = await findDrill(id);
      // Every attempt starts from the drill's faulty driver.
      writeFiles(session.config.workspace, drill.starter);
      await session.startDrill({ manifest: drill.manifest, scenario: drill.scenario });
    },
    async finishDrill(id, session) {
      const drill = await findDrill(id);
      const measure = await session.finishDrill();
      const fixPassed = measure.fixPassed || (drill.fix ? (await runLabChecks(drill.fix, readLearnerFiles(session.config.workspace))).passed : false);
      return { ...measure, fixPassed };
    },
    async runChecks(id, workspace) {
      const lab = await find(id);
      const files = readLearnerFiles(workspace);
      const report = await runLabChecks(lab, files);
      const items: CheckItemResult[] = report.items.map((i) => {
        const where = placeOf(i.failure);
        return { id: i.id, title: i.title, status: i.status, message: i.message, ...(where ? { where } : {}) };
      });
      return { seed: report.seed, personality: report.personality, items, files: new Map([...files].map(([p, f]) => [p, f.data])) };
    },
    async hint(id, index, language) {
      const hint = localized((await find(id)).hints, language)[index];
      return hint && { title: hint.title, text: hint.text };
    },
  };
}
