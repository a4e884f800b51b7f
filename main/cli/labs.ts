// `driverlab labs | show | start | check | hint | reset | drill`: the labs from the terminal.
// Loaded only for these commands (it loads SQLite and, when checks are not cached, TypeScript).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NewerDatabaseError } from '../progress/database.js';
import { dataHome, labWorkspaceDir } from '../progress/paths.js';
import { labDiskPath } from '../host/disk-image.js';
import { ProgressStore } from '../progress/store.js';
import type { CheckItem } from '../progress/types.js';
import { packageRoot } from '../host/node-host.js';
import { checksCacheDir } from '../labs/compile-checks.js';
import { loadLabs, localized, readManifests, type Lab, type LabSet } from '../labs/loader.js';
import type { LabCatalogEntry } from '../progress/types.js';
import { runLabChecks, type CheckRunReport, type ItemResult } from '../labs/check-runner.js';
import { hasFiles, isBuildOutput, readLearnerFiles, writeFiles } from '../labs/workspace.js';
import type { Language } from '../labs/manifest.js';
import { runDrill } from './drill.js';

export const LAB_COMMANDS = ['labs', 'show', 'start', 'check', 'hint', 'reset', 'drill'] as const;

export interface LabIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

class CommandError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}
const usage = (msg: string) => new CommandError(msg, 2);

/** The labs folder: $DRIVERLAB_LABS, else the one DriverLab ships. */
export function labsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DRIVERLAB_LABS ? path.resolve(env.DRIVERLAB_LABS) : path.join(packageRoot(), 'labs');
}

/** The labs as the progress commands list them. */
export function labCatalog(env: NodeJS.ProcessEnv = process.env): LabCatalogEntry[] {
  return readManifests(labsDir(env)).map((m) => ({ id: m.id, title: m.title, topic: m.topic }));
}


interface Parsed {
  positional: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

/** `driverlab check --seed N --seeds N`: the shared machine's seed (where race items start), and how many seeds they try. */
interface SeedOptions {
  seed?: number;
  seeds?: number;
}

function parseArgs(args: string[], flags: string[], values: string[]): Parsed {
  const p: Parsed = { positional: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (values.includes(name)) {
      const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw usage(`${name} needs a value`);
      p.values.set(name, v);
    } else if (flags.includes(a)) p.flags.add(a);
    else if (a.startsWith('-')) throw usage(`unknown option '${a}'`);
    else p.positional.push(a);
  }
  return p;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function minutes(m: number): string {
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** Rows of columns, padded to line up. */
function table(rows: string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd() + '\n').join('');
}

function indent(text: string, by: string): string {
  return text.split('\n').map((l) => (l ? by + l : l)).join('\n');
}

class LabCommands {
  private set: LabSet | undefined;

  constructor(private readonly store: ProgressStore, private readonly io: LabIo, private readonly env: NodeJS.ProcessEnv) {}

  private get language(): Language {
    return this.store.settings().language;
  }

  private async labs(): Promise<LabSet> {
    this.set ??= await loadLabs(labsDir(this.env), { cacheDir: checksCacheDir() });
    return this.set;
  }

  private async lab(id: string | undefined, command: string): Promise<Lab> {
    if (id === undefined) throw usage(`usage: driverlab ${command} LAB (see: driverlab labs)`);
    const set = await this.labs();
    const lab = set.labs.find((l) => l.manifest.id === id);
    if (lab) return lab;
    const problems = set.problems.filter((p) => p.folder === id);
    if (problems.length > 0) {
      throw new CommandError(`lab ${id} cannot be used; its folder has problems:\n${problems.map((p) => `  ${p.message}`).join('\n')}`, 1);
    }
    throw new CommandError(`no lab '${id}' (see: driverlab labs)`, 1);
  }

  private workspace(lab: Lab, dir: string | undefined): string {
    return path.resolve(dir ?? labWorkspaceDir(this.store.home, lab.manifest.id));
  }

  // ---- driverlab labs

  async list(args: string[]): Promise<number> {
    const p = parseArgs(args, ['--json'], []);
    if (p.positional.length > 0) throw usage('usage: driverlab labs [--json]');
    const set = await this.labs();
    const overview = this.store.overview(set.labs.map((l) => ({ id: l.manifest.id, title: l.manifest.title, topic: l.manifest.topic })));
    const status = new Map(overview.labs.map((l) => [l.id, l]));
    if (p.flags.has('--json')) {
      this.io.out(JSON.stringify({
        labs: set.labs.map((l) => ({ ...l.manifest, status: status.get(l.manifest.id)?.status ?? 'not started', checkRuns: status.get(l.manifest.id)?.checkRuns ?? 0 })),
        drills: set.drills.map((d) => d.manifest),
        problems: set.problems,
      }, null, 2) + '\n');
      return 0;
    }
    if (set.labs.length === 0) this.io.out(`No labs found in ${labsDir(this.env)}.\n`);
    else {
      this.io.out(`DriverLab: ${plural(set.labs.length, 'lab')}, ${overview.labsPassed} passed\n\n`);
      this.io.out(table([
        ['#', 'lab', 'status', 'title', 'kernel', 'level', 'time'],
        ...set.labs.map((l) => {
          const m = l.manifest;
          return [String(m.order), m.id, status.get(m.id)?.status ?? 'not started', m.title, m.personality, m.difficulty, minutes(m.estimatedMinutes)];
        }),
      ]));
      const next = set.labs.find((l) => status.get(l.manifest.id)?.status !== 'passed');
      if (next) {
        const verb = status.get(next.manifest.id)?.status === 'in progress' ? 'Carry on with' : 'Start with';
        this.io.out(`\n${verb}: driverlab start ${next.manifest.id}\n`);
      } else this.io.out('\nEvery lab passed. Well done!\n');
    }
    if (set.drills.length > 0) {
      this.io.out(`\nDrills (driverlab drill ID):\n${table(set.drills.map((d) => [d.manifest.id, d.manifest.title]))}`);
    }
    if (set.problems.length > 0) {
      this.io.out('\nProblems in the labs folder (a lab whose files are broken is left out):\n');
      for (const pr of set.problems) this.io.out(`  ${pr.folder}/${pr.message}\n`);
    }
    return 0;
  }

  // ---- driverlab show LAB

  async show(args: string[]): Promise<number> {
    const p = parseArgs(args, [], []);
    const lab = await this.lab(p.positional[0], 'show');
    this.io.out(this.instructions(lab));
    return 0;
  }

  private instructions(lab: Lab): string {
    const text = localized(lab.instructions, this.language) ?? '';
    return text.endsWith('\n') ? text : `${text}\n`;
  }

  // ---- driverlab start LAB

  async start(args: string[]): Promise<number> {
    const p = parseArgs(args, ['--no-shell'], ['--dir', '--seed', '--kernel']);
    if (p.positional.length > 1) throw usage('usage: driverlab start LAB [--dir DIR] [--no-shell] [--seed N] [--kernel 2.2|modern]');
    const kernel = p.values.get('--kernel');
    if (kernel !== undefined && kernel !== '2.2' && kernel !== 'modern') throw usage(`unknown kernel '${kernel}': use --kernel 2.2 or --kernel modern`);
    const lab = await this.lab(p.positional[0], 'start');
    const m = lab.manifest;
    const dir = this.workspace(lab, p.values.get('--dir'));
    this.io.out(`${m.id}: ${m.title}\n(${m.difficulty}, about ${minutes(m.estimatedMinutes)}, ${m.personality} kernel)\n\n`);
    if (hasFiles(dir)) {
      this.io.out(`Your workspace ${dir} already has your files: carrying on where you left off.\n(driverlab reset ${m.id} puts the starter files back, after saving yours.)\n\n`);
    } else {
      fs.mkdirSync(dir, { recursive: true });
      writeFiles(dir, lab.starter);
      this.io.out(`Copied the starter files into ${dir}: ${[...lab.starter.keys()].join(', ')}\n\n`);
    }
    const opened = Date.now();
    this.store.openLab(m.id, opened);
    this.io.out(`${'-'.repeat(78)}\n${this.instructions(lab)}${'-'.repeat(78)}\n\n`);
    this.io.out(`Edit the files in ${dir} with your editor; in the virtual PC they are /home/lab.\n` +
      `Check your work with: driverlab check ${m.id}   (stuck? driverlab hint ${m.id})\n`);
    if (p.flags.has('--no-shell')) return 0;
    // A lab's driver may build for both kernels (version-compat): the other one is a flag away.
    const personality = kernel ?? m.personality;
    this.io.out(`Opening the virtual PC (${personality} kernel); type exit to leave.\n\n`);
    const seed = Number(p.values.get('--seed') ?? m.machine.seed ?? 1);
    const { runInteractive } = await import('./driverlab.js');
    try {
      return await runInteractive({
        workspace: dir, personality, seed, showBoot: true, cards: m.machine.cards, cmdline: m.machine.cmdline,
        // A disk is installed for one kernel: --kernel gets a disk of its own.
        disk: labDiskPath(this.store.home, personality === m.personality ? m.id : `${m.id}-${personality}`),
      });
    } finally {
      this.store.addTimeSpent(m.id, opened, Date.now() - opened);
    }
  }

  // ---- driverlab check LAB

  async check(args: string[]): Promise<number> {
    const p = parseArgs(args, ['--json', '--watch'], ['--dir', '--seed', '--seeds']);
    if (p.positional.length !== 1) throw usage('usage: driverlab check LAB [--dir DIR] [--json] [--watch] [--seed N] [--seeds N]');
    const lab = await this.lab(p.positional[0], 'check');
    const dir = this.workspace(lab, p.values.get('--dir'));
    if (!fs.existsSync(dir)) {
      throw new CommandError(`${dir} does not exist: run driverlab start ${lab.manifest.id} first${p.values.has('--dir') ? ` --dir ${p.values.get('--dir')}` : ''}`, 1);
    }
    const number = (name: string, min: number) => {
      const text = p.values.get(name);
      const n = text === undefined ? undefined : Number(text);
      if (n !== undefined && (!Number.isInteger(n) || n < min)) throw usage(`${name} needs ${min === 0 ? 'a non-negative' : 'a positive'} integer`);
      return n;
    };
    const seeds: SeedOptions = { seed: number('--seed', 0), seeds: number('--seeds', 1) };
    const json = p.flags.has('--json');
    if (!p.flags.has('--watch')) {
      const startedAt = Date.now();
      const report = await this.checkOnce(lab, dir, seeds, json);
      // Checking is working on the lab too (a --watch session counts as one span instead).
      this.store.addTimeSpent(lab.manifest.id, startedAt, Date.now() - startedAt);
      return report.passed ? 0 : 1;
    }
    return this.watch(lab, dir, seeds, json);
  }

  private async checkOnce(lab: Lab, dir: string, { seed, seeds }: SeedOptions, json: boolean): Promise<CheckRunReport> {
    const id = lab.manifest.id;
    const wasPassed = this.store.labHistory(id).status === 'passed';
    const files = readLearnerFiles(dir);
    const startedAt = Date.now();
    if (!json) this.io.out(`Checking ${id} (${lab.manifest.personality} kernel, seed ${seed ?? lab.manifest.machine.seed ?? 1}${seeds ? `, ${seeds} seeds for races` : ''}) in ${dir}\n\n`);
    const report = await runLabChecks(lab, files, { seed, seeds, onItem: json ? undefined : (r) => this.io.out(formatItem(r)) });
    const items: CheckItem[] = report.items.map((i) => ({ id: i.id, title: i.title, passed: i.status === 'passed', message: i.message }));
    const run = this.store.recordCheckRun({
      labId: id, at: startedAt, seed: report.seed, personality: report.personality, items,
      files: new Map([...files].map(([p, f]) => [p, f.data])),
    });
    if (json) {
      this.io.out(JSON.stringify({ lab: id, personality: report.personality, seed: report.seed, passed: report.passed, run: run.runId, wallMs: report.wallMs, items: report.items }, null, 2) + '\n');
      return report;
    }
    const passed = report.items.filter((i) => i.status === 'passed').length;
    this.io.out('\n');
    if (report.passed) {
      this.io.out(`All ${plural(report.items.length, 'check')} passed: ${id} is done${wasPassed ? '' : ' (first time: well done!)'}.\n`);
      const next = (await this.labs()).labs.find((l) => l.manifest.order > lab.manifest.order);
      if (next && !wasPassed) this.io.out(`Next: driverlab start ${next.manifest.id}\n`);
    } else {
      const waiting = report.items.filter((i) => i.status === 'not checked').length;
      this.io.out(`${passed} of ${plural(report.items.length, 'check')} passed${waiting ? ` (${waiting} wait for an earlier one to pass)` : ''}. ` +
        `Fix the first failure and check again (stuck? driverlab hint ${id}).\n`);
    }
    this.io.out(`Saved as check run ${run.runId} (driverlab history ${id}).\n`);
    return report;
  }

  private async watch(lab: Lab, dir: string, seeds: SeedOptions, json: boolean): Promise<number> {
    const opened = Date.now();
    let pending = true;
    let wake: (() => void) | undefined;
    const watcher = fs.watch(dir, { recursive: true }, (_event, name) => {
      const rel = String(name ?? '').split(path.sep).join('/');
      if (rel && (rel.split('/').some((s) => s.startsWith('.')) || isBuildOutput(rel))) return;
      pending = true;
      wake?.();
    });
    let stopped = false;
    const stop = () => { stopped = true; wake?.(); };
    process.once('SIGINT', stop);
    try {
      while (!stopped) {
        if (pending) {
          pending = false;
          await this.checkOnce(lab, dir, seeds, json);
          if (!json) this.io.out(`\nWatching ${dir}: the checks run again when a file changes (Ctrl-C stops).\n`);
        }
        await new Promise<void>((resolve) => { wake = resolve; if (pending || stopped) resolve(); });
        wake = undefined;
        // Editors save in several steps: let them finish before checking.
        if (!stopped) await new Promise((r) => setTimeout(r, 300));
      }
    } finally {
      watcher.close();
      process.off('SIGINT', stop);
      this.store.addTimeSpent(lab.manifest.id, opened, Date.now() - opened);
    }
    return 0;
  }

  // ---- driverlab hint LAB

  async hint(args: string[]): Promise<number> {
    const p = parseArgs(args, [], []);
    if (p.positional.length !== 1) throw usage('usage: driverlab hint LAB');
    const lab = await this.lab(p.positional[0], 'hint');
    const id = lab.manifest.id;
    const hints = localized(lab.hints, this.language);
    const revealed = new Set(this.store.labHistory(id).hints.map((h) => h.hintId));
    const next = hints.findIndex((h) => !revealed.has(h.id));
    if (next < 0) {
      this.io.out(`You have seen all ${plural(hints.length, 'hint')} of ${id}; here they are again.\n`);
      hints.forEach((h, i) => this.io.out(`\nHint ${i + 1} of ${hints.length}: ${h.title}\n\n${indent(h.text, '  ')}\n`));
      return 0;
    }
    const h = hints[next]!;
    this.store.revealHint(id, h.id);
    this.io.out(`Hint ${next + 1} of ${hints.length}: ${h.title}\n\n${indent(h.text, '  ')}\n`);
    const left = hints.length - next - 1;
    this.io.out(left > 0 ? `\n(${plural(left, 'stronger hint')} left: driverlab hint ${id})\n` : '\n(That was the last hint.)\n');
    return 0;
  }

  // ---- driverlab reset LAB

  async reset(args: string[]): Promise<number> {
    const p = parseArgs(args, [], ['--dir']);
    if (p.positional.length !== 1) throw usage('usage: driverlab reset LAB [--dir DIR]');
    const lab = await this.lab(p.positional[0], 'reset');
    const id = lab.manifest.id;
    const dir = this.workspace(lab, p.values.get('--dir'));
    const files = readLearnerFiles(dir);
    if (files.size > 0) {
      // Saved as a check run without items: `driverlab restore` brings it back like any run.
      const run = this.store.recordCheckRun({ labId: id, seed: lab.manifest.machine.seed ?? 1, personality: lab.manifest.personality, items: [], files: new Map([...files].map(([f, w]) => [f, w.data])) });
      this.io.out(`Saved your files (${[...files.keys()].join(', ')}) as check run ${run.runId}: driverlab restore ${id} ${run.runId} brings them back.\n`);
    }
    if (fs.existsSync(dir)) {
      for (const name of fs.readdirSync(dir)) if (!name.startsWith('.')) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
    fs.mkdirSync(dir, { recursive: true });
    writeFiles(dir, lab.starter);
    this.io.out(`${dir} holds the starter files again: ${[...lab.starter.keys()].join(', ')}\n`);
    return 0;
  }

  // ---- driverlab drill ID

  async drill(args: string[]): Promise<number> {
    const p = parseArgs(args, [], []);
    if (p.positional.length !== 1) throw usage('usage: driverlab drill ID (see: driverlab labs)');
    const set = await this.labs();
    const drill = set.drills.find((d) => d.manifest.id === p.positional[0]);
    if (!drill) throw new CommandError(`no drill '${p.positional[0]}' (see: driverlab labs)`, 1);
    const fixLab = drill.manifest.fixLab ? set.labs.find((l) => l.manifest.id === drill.manifest.fixLab) : undefined;
    const fixDir = fixLab ? this.workspace(fixLab, undefined) : undefined;
    const result = await runDrill(drill, {
      out: this.io.out,
      workspace: fixDir && fs.existsSync(fixDir) ? fixDir : undefined,
      fixCheck: fixLab && fixDir ? async () => (await runLabChecks(fixLab, readLearnerFiles(fixDir))).passed : undefined,
    });
    const attempt = this.store.recordDrillAttempt({ drillId: drill.manifest.id, score: result.score });
    const best = this.store.drillScores(drill.manifest.id).best;
    const s = result.score;
    this.io.out(`\nDrill ${drill.manifest.id}: recovered in ${(s.virtualMs / 1000).toFixed(1)} s of virtual time (${(s.wallMs / 1000).toFixed(0)} s yours), ` +
      `${plural(s.bytesLost, 'byte')} lost, ${plural(s.keysPressed, 'key')} pressed, fix ${s.fixPassed ? 'passed' : 'not passed'}.\n` +
      `Saved as attempt ${attempt.attemptId}${best?.attemptId === attempt.attemptId ? ': your best so far' : ''}.\n`);
    return 0;
  }
}

function formatItem(r: ItemResult): string {
  if (r.status === 'passed') return `  ✓ ${r.title}\n`;
  // Why is in the recorded message (driverlab history); here the failure above says it.
  if (r.status === 'not checked') return `  - ${r.title} (not checked yet)\n`;
  return `  ✗ ${r.title}\n${indent(r.message, '      ')}\n`;
}

/** Runs one of the lab commands; returns the exit status. */
export async function runLabCommand(command: string, args: string[], io: LabIo = {
  out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t),
}): Promise<number> {
  const env = io.env ?? process.env;
  let store: ProgressStore;
  try {
    store = ProgressStore.open({ home: dataHome(env) });
  } catch (e) {
    if (e instanceof NewerDatabaseError) {
      io.err(`driverlab ${command}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const commands = new LabCommands(store, io, env);
  const run: Record<(typeof LAB_COMMANDS)[number], (args: string[]) => Promise<number>> = {
    labs: (a) => commands.list(a), show: (a) => commands.show(a), start: (a) => commands.start(a), check: (a) => commands.check(a),
    hint: (a) => commands.hint(a), reset: (a) => commands.reset(a), drill: (a) => commands.drill(a),
  };
  try {
    for (const notice of store.notices) io.err(`driverlab: ${notice}\n`);
    if (!(command in run)) throw new Error(`not a lab command: ${command}`);
    return await run[command as keyof typeof run](args);
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
