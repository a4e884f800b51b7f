// `driverlab progress | export | import | history | restore`: the progress store from the
// terminal. The same store (main/progress/store.ts) serves the desktop app.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NewerDatabaseError } from '../progress/database.js';
import { DocumentError, describeTallies, type ProgressDocument } from '../progress/document.js';
import { dataHome, isValidLabId, labWorkspaceDir } from '../progress/paths.js';
import { applyRestore, planRestore } from '../progress/restore.js';
import { ProgressStore } from '../progress/store.js';
import type { CheckRunRecord, DrillScore, LabCatalogEntry, LabProgress } from '../progress/types.js';

export const PROGRESS_COMMANDS = ['progress', 'export', 'import', 'history', 'restore'] as const;
export type ProgressCommand = (typeof PROGRESS_COMMANDS)[number];

export interface ProgressIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  /** The labs (step 6's catalog); labs the database knows beyond it are shown by id. */
  catalog?: readonly LabCatalogEntry[];
}

class CommandError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}
const usage = (msg: string) => new CommandError(msg, 2);

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local "2025-03-01 09:30". */
function when(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

function duration(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min === 0) return ms > 0 ? '< 1 min' : '0 min';
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${pad2(min % 60)} min`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Rows of columns, padded to line up; columns empty in every row are left out. */
function table(allRows: string[][], indent = '  '): string {
  const used = allRows[0]!.map((_, i) => allRows.some((r) => r[i] !== ''));
  const rows = allRows.map((r) => r.filter((_, i) => used[i]));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd() + '\n').join('');
}

function score(s: DrillScore): string {
  return `${s.fixPassed ? 'fix passed' : 'fix failed'}, ${plural(s.bytesLost, 'byte')} lost, recovered in ${(s.virtualMs / 1000).toFixed(1)} s virtual, ${plural(s.keysPressed, 'key')}`;
}

function runResult(r: CheckRunRecord): string {
  // `driverlab reset` saves the learner's files as a run without items.
  if (r.items.length === 0) return 'files saved';
  return `${r.passed ? 'passed' : 'failed'} ${r.items.filter((i) => i.passed).length}/${r.items.length}`;
}

function progressCommand(store: ProgressStore, args: string[], io: ProgressIo): number {
  const json = args.includes('--json');
  const unknown = args.find((a) => a !== '--json');
  if (unknown !== undefined) throw usage(`unknown argument '${unknown}'`);
  const overview = store.overview(io.catalog ?? []);
  const drills = store.allDrillScores();
  if (json) {
    io.out(JSON.stringify({ ...overview, drills }, null, 2) + '\n');
    return 0;
  }
  if (overview.labs.every((l) => l.status === 'not started') && drills.length === 0) {
    io.out('No progress recorded yet.\n');
    return 0;
  }
  io.out(`${overview.labsPassed} of ${plural(overview.labs.length, 'lab')} passed · ` +
    `streak ${plural(overview.streakDays, 'day')} · ${duration(overview.totalTimeMs)} in labs\n`);
  for (const topic of overview.topics) {
    const labs = overview.labs.filter((l) => l.topic === topic.topic);
    io.out(`\n${topic.topic ?? 'Other labs'}: ${topic.passed} of ${topic.labs} passed\n`);
    io.out(table(labs.map((l: LabProgress) => [
      l.status, l.id, l.title === l.id ? '' : l.title, duration(l.timeSpentMs), plural(l.checkRuns, 'check run'),
    ])));
  }
  if (drills.length > 0) {
    io.out('\nDrills:\n');
    for (const d of drills) {
      io.out(`  ${d.drillId}: ${plural(d.attempts, 'attempt')}\n    best: ${score(d.best!.score)}\n    last: ${score(d.last!.score)}\n`);
    }
  }
  return 0;
}

function historyCommand(store: ProgressStore, args: string[], io: ProgressIo): number {
  const [labId, ...rest] = args;
  if (labId === undefined || rest.length > 0) throw usage('usage: driverlab history LAB');
  if (!isValidLabId(labId)) throw usage(`'${labId}' is not a lab id`);
  const h = store.labHistory(labId);
  const facts: string[] = [h.status];
  if (h.firstPassedAt !== null) facts[0] = `passed on ${when(h.firstPassedAt)}`;
  if (h.firstOpenedAt !== null) facts.push(`first opened ${when(h.firstOpenedAt)}`, `${duration(h.timeSpentMs)} spent`);
  if (h.hints.length > 0) facts.push(`${plural(h.hints.length, 'hint')} revealed`);
  io.out(`${labId}: ${facts.join(' · ')}\n`);
  if (h.runs.length === 0) {
    io.out('No check runs recorded.\n');
    return 0;
  }
  io.out('\n');
  const header = ['run', 'when', 'result', 'seed', 'kernel', 'files'];
  const lines = table([header, ...h.runs.map((r) => [String(r.runId), when(r.at), runResult(r), String(r.seed), r.personality, String(r.files.length)])], '').split('\n');
  io.out(lines[0] + '\n');
  h.runs.forEach((r, i) => {
    io.out(lines[i + 1] + '\n');
    for (const item of r.items.filter((it) => !it.passed)) io.out(`    failed: ${item.title}${item.message ? ` -- ${item.message}` : ''}\n`);
  });
  io.out(`\nRestore a run's files with: driverlab restore ${labId} RUN\n`);
  return 0;
}

function restoreCommand(store: ProgressStore, args: string[], io: ProgressIo): number {
  const positional: string[] = [];
  let dir: string | undefined;
  let force = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--to') {
      dir = args[++i];
      if (dir === undefined) throw usage('--to needs a folder');
    } else if (a.startsWith('--to=')) dir = a.slice(5);
    else if (a === '--force') force = true;
    else if (a.startsWith('-')) throw usage(`unknown option '${a}'`);
    else positional.push(a);
  }
  const [labId, runArg] = positional;
  if (labId === undefined || runArg === undefined || positional.length > 2) throw usage('usage: driverlab restore LAB RUN [--to DIR] [--force]');
  if (!isValidLabId(labId)) throw usage(`'${labId}' is not a lab id`);
  const runId = /^\d+$/.test(runArg) ? Number(runArg) : NaN;
  const run = Number.isSafeInteger(runId) ? store.checkRun(runId) : undefined;
  if (run === undefined || run.labId !== labId) {
    throw new CommandError(`${labId} has no check run ${runArg} (see: driverlab history ${labId})`, 1);
  }
  const target = path.resolve(dir ?? labWorkspaceDir(store.home, labId));
  const files = store.snapshot(run.runId);
  const plan = planRestore(files, target, (data) => store.hasContent(data));
  if (plan.blocked.length > 0) {
    throw new CommandError(`cannot restore into ${target}; nothing was changed:\n` +
      plan.blocked.map((b) => `  ${b.path}: ${b.why}\n`).join(''), 1);
  }
  if (plan.unsaved.length > 0 && !force) {
    throw new CommandError(`these files in ${target} hold changes no check run saved, and restoring would overwrite them:\n` +
      plan.unsaved.map((p) => `  ${p}\n`).join('') +
      'Nothing was changed. Run the lab\'s check first (it saves them), restore elsewhere with --to DIR, ' +
      'or overwrite them with --force.', 1);
  }
  fs.mkdirSync(target, { recursive: true });
  applyRestore(files, target, plan);
  io.out(`Restored check run ${run.runId} of ${labId} (${when(run.at)}, ${runResult(run)}) into ${target}:\n`);
  const list = (label: string, paths: string[]) => { if (paths.length > 0) io.out(`  ${label}: ${paths.join(', ')}\n`); };
  list('wrote', plan.write.filter((p) => !plan.unsaved.includes(p)));
  list('overwrote unsaved changes (--force)', plan.unsaved);
  list('already as in the run', plan.identical);
  list('kept (not in the run, not deleted)', plan.extra);
  if (files.size === 0) io.out('  the run saved no files\n');
  return 0;
}

function exportCommand(store: ProgressStore, args: string[], io: ProgressIo): number {
  const [file, ...rest] = args;
  if (file === undefined || rest.length > 0) throw usage('usage: driverlab export FILE');
  const doc = store.exportDocument();
  const text = JSON.stringify(doc, null, 1) + '\n';
  if (file === '-') {
    io.out(text);
    return 0;
  }
  // Written beside its destination and renamed: an interrupted export never leaves half a file.
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  io.out(`Exported ${describeDocument(doc)} to ${file}\n`);
  return 0;
}

function describeDocument(doc: ProgressDocument): string {
  return [plural(doc.labs.length, 'lab'), plural(doc.checkRuns.length, 'check run'), plural(doc.hints.length, 'hint'),
    plural(doc.drillAttempts.length, 'drill attempt'), plural(doc.settings.length, 'setting')].join(', ');
}

function importCommand(store: ProgressStore, args: string[], io: ProgressIo): number {
  const [file, ...rest] = args;
  if (file === undefined || rest.length > 0) throw usage('usage: driverlab import FILE');
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (e) {
    throw new CommandError(`${file}: ${(e as Error).message}`, 1);
  }
  try {
    const report = store.importDocument(value);
    io.out(`Imported ${file}: added ${describeTallies(report, 'added')}; already here: ${describeTallies(report, 'present')}\n`);
  } catch (e) {
    if (e instanceof DocumentError) throw new CommandError(`${file}: ${e.message}\nNothing was imported.`, 1);
    throw e;
  }
  return 0;
}

const COMMANDS: Record<ProgressCommand, (store: ProgressStore, args: string[], io: ProgressIo) => number> = {
  progress: progressCommand, history: historyCommand, restore: restoreCommand, export: exportCommand, import: importCommand,
};

/** Runs one of the progress commands; returns the exit status. */
export function runProgressCommand(command: string, args: string[], io: ProgressIo = {
  out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t),
}): number {
  if (!(PROGRESS_COMMANDS as readonly string[]).includes(command)) throw new Error(`not a progress command: ${command}`);
  let store: ProgressStore;
  try {
    store = ProgressStore.open({ home: dataHome(io.env ?? process.env) });
  } catch (e) {
    if (e instanceof NewerDatabaseError) {
      io.err(`driverlab ${command}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  try {
    for (const notice of store.notices) io.err(`driverlab: ${notice}\n`);
    return COMMANDS[command as ProgressCommand](store, args, io);
  } catch (e) {
    if (e instanceof CommandError) {
      io.err(`driverlab ${command}: ${e.message}\n`);
      return e.status;
    }
    throw e;
  } finally {
    store.close();
  }
}
