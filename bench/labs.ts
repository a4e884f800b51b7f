// How long each shipped lab's checks take on its reference solution (the curriculum asks for
// under 10 s a lab): a whole check run as `driverlab check` does it, with clang warm (as in a
// learner's session) and the compile cache off (a learner's changed file is always compiled).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLabChecks, type RunOptions } from '../main/labs/check-runner.js';
import { loadLabs, type Lab } from '../main/labs/loader.js';
import type { WorkspaceFile } from '../main/labs/workspace.js';
import { median, type Row } from './stats.js';

const LABS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../labs');

export async function benchLabChecks(runs = 3): Promise<Row[]> {
  const { labs, problems } = await loadLabs(LABS);
  if (problems.length > 0) throw new Error(`bench: broken labs: ${JSON.stringify(problems)}`);
  const rows: Row[] = [];
  for (const lab of labs) {
    const files = new Map([...lab.starter, ...lab.solution].map(([p, data]) => [p, { data, mtimeMs: 0, mode: 0o644 }]));
    const normal = await timeChecks(lab, files, runs, {});
    // The CPU time says what the checks cost on a machine that is not busy with anything else.
    rows.push({
      name: `checks of lab ${lab.manifest.id} (${lab.checks.checks.length} items, solution; CPU time)`,
      value: normal.value, target: '< 10 s', runs,
    });
    // A race lab's thorough run (driverlab check LAB --seeds 200): the curriculum asks for 200 seeds in under 60 s.
    if (normal.seedsTried > 0) {
      const thorough = await timeChecks(lab, files, 1, { seeds: THOROUGH_SEEDS });
      rows.push({ name: `checks of lab ${lab.manifest.id} with --seeds ${THOROUGH_SEEDS} (solution; CPU time)`, value: thorough.value, target: '< 60 s', runs: 1 });
    }
  }
  return rows;
}

const THOROUGH_SEEDS = 200;

/** Median wall and CPU time of `runs` check runs of the solution, which must pass. */
async function timeChecks(lab: Lab, files: Map<string, WorkspaceFile>, runs: number, options: RunOptions): Promise<{ value: string; seedsTried: number }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let seedsTried = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const report = await runLabChecks(lab, files, options);
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    seedsTried = report.seedsTried;
    if (!report.passed) {
      const failed = report.items.filter((it) => it.status !== 'passed').map((it) => `${it.title}: ${it.message}`);
      throw new Error(`bench: the solution of ${lab.manifest.id} fails its checks:\n${failed.join('\n')}`);
    }
  }
  return { value: `${(median(times) / 1000).toFixed(1)} s (${(median(cpu) / 1000).toFixed(1)} s)`, seedsTried };
}
