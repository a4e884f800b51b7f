// How long each shipped lab's checks take on its reference solution (the curriculum asks for
// under 10 s a lab): a whole check run as `driverlab check` does it, with clang warm (as in a
// learner's session) and the compile cache off (a learner's changed file is always compiled).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLabChecks } from '../main/labs/check-runner.js';
import { loadLabs } from '../main/labs/loader.js';
import { median, type Row } from './stats.js';

const LABS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../labs');

export async function benchLabChecks(runs = 3): Promise<Row[]> {
  const { labs, problems } = await loadLabs(LABS);
  if (problems.length > 0) throw new Error(`bench: broken labs: ${JSON.stringify(problems)}`);
  const rows: Row[] = [];
  for (const lab of labs) {
    const files = new Map([...lab.starter, ...lab.solution].map(([p, data]) => [p, { data, mtimeMs: 0, mode: 0o644 }]));
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      const report = await runLabChecks(lab, files);
      times.push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
      if (!report.passed) {
        const failed = report.items.filter((it) => it.status !== 'passed').map((it) => `${it.title}: ${it.message}`);
        throw new Error(`bench: the solution of ${lab.manifest.id} fails its checks:\n${failed.join('\n')}`);
      }
    }
    // The CPU time says what the checks cost on a machine that is not busy with anything else.
    rows.push({
      name: `checks of lab ${lab.manifest.id} (${lab.checks.checks.length} items, solution; CPU time)`,
      value: `${(median(times) / 1000).toFixed(1)} s (${(median(cpu) / 1000).toFixed(1)} s)`, target: '< 10 s', runs,
    });
  }
  return rows;
}
