// Running a lab's checks: a copy of the learner's workspace in memory, machines booted from the
// lab's configuration on it, each item run in order against the context check-api.ts
// describes, and a result per item that says what was seen, what was expected and where to look.
import type { Host, HostCompiler } from '../../emulator/host.js';
import { createNodeHost } from '../host/node-host.js';
import type { BootOptions, CheckContext, CheckFiles, CheckMachine, Failure, LabInfo, Location } from './check-api.js';
import { LabMachine } from './check-machine.js';
import { checkErrorLocation } from './compile-checks.js';
import { CheckFailure, formatFailure, toFailure } from './failure.js';
import type { Lab } from './loader.js';
import { MemoryWorkspace } from './memory-workspace.js';
import type { WorkspaceFile } from './workspace.js';

export type ItemStatus = 'passed' | 'failed' | 'not checked';

export interface ItemResult {
  id: string;
  title: string;
  status: ItemStatus;
  /** What the learner reads under the item ('' when it passed). */
  message: string;
  failure?: Failure;
  /** Wall time the item took. */
  ms: number;
}

export interface CheckRunReport {
  labId: string;
  personality: LabInfo['personality'];
  seed: number;
  items: ItemResult[];
  passed: boolean;
  wallMs: number;
  /** The most seeds one t.forSeeds() of the run went through (0 when the lab has no race items). */
  seedsTried: number;
}

export interface RunOptions {
  /** The shared machine's seed (default: the manifest's machine.seed, else 1). */
  seed?: number;
  /** Called as each item finishes (the CLI prints it at once). */
  onItem?: (result: ItemResult) => void;
  /** Stops the run before its next item (the app's Cancel); the run rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * How many scheduler seeds each t.forSeeds() tries, instead of the count the lab asks for
   * (`driverlab check LAB --seeds N`: a race lab's thorough run).
   */
  seeds?: number;
}

const DEFAULT_BUSY_WAIT_MS = 10;

function textOf(data: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

/** The first line of `text` matching `pattern`, 1-based. */
function lineOf(text: string, pattern: string | RegExp): number | undefined {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => (typeof pattern === 'string' ? l.includes(pattern) : pattern.test(l)));
  return i < 0 ? undefined : i + 1;
}

function show(x: unknown): string {
  return typeof x === 'string' ? x : JSON.stringify(x);
}

class Context implements CheckContext {
  readonly lab: LabInfo;
  readonly files: CheckFiles;
  private shared: LabMachine | undefined;
  seedsTried = 0;

  constructor(
    private readonly labDef: Lab, workspace: MemoryWorkspace, private readonly host: Host, private readonly hostBusy: () => boolean, seed: number,
    private readonly runOptions: RunOptions,
  ) {
    const m = labDef.manifest;
    this.lab = { id: m.id, title: m.title, personality: m.personality, seed, limits: { busyWaitMs: m.limits.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS } };
    this.files = {
      list: () => [...workspace.files().keys()].sort(),
      read: (p) => {
        const st = workspace.stat(p);
        return st?.kind === 'file' ? textOf(workspace.readFile(p)) : undefined;
      },
      exists: (p) => workspace.stat(p) !== undefined,
      write: (p, content) => {
        const parts = p.split('/');
        for (let i = 1; i < parts.length; i++) {
          const dir = parts.slice(0, i).join('/');
          if (!workspace.stat(dir)) workspace.mkdir(dir);
        }
        workspace.writeFile(p, new TextEncoder().encode(content));
      },
    };
  }

  get machine(): LabMachine {
    this.shared ??= this.newMachine({ seed: this.lab.seed });
    return this.shared;
  }

  private newMachine(options: BootOptions): LabMachine {
    const m = this.labDef.manifest.machine;
    return new LabMachine(this.host, {
      hostBusy: this.hostBusy,
      personality: options.personality ?? this.lab.personality,
      seed: options.seed ?? this.lab.seed,
      cmdline: options.cmdline ?? m.cmdline,
      cards: options.cards ?? m.cards,
    });
  }

  async boot(options: BootOptions = {}): Promise<LabMachine> {
    return this.newMachine(options);
  }

  /**
   * A seed given on the command line (`--seed N`) is where the seeds start, whatever the check
   * asks for: that is how a failure's seed is replayed, first and exactly.
   */
  async forSeeds(count: number, fn: (machine: LabMachine, seed: number) => Promise<void>, options: { first?: number } = {}): Promise<void> {
    const first = this.runOptions.seed ?? options.first ?? this.lab.seed;
    const total = this.runOptions.seeds ?? count;
    for (let seed = first; seed < first + total; seed++) {
      // A many-seeds item is most of a run: Cancel need not wait for its end.
      this.runOptions.signal?.throwIfAborted();
      const machine = this.newMachine({ seed });
      this.seedsTried = Math.max(this.seedsTried, seed - first + 1);
      try {
        await fn(machine, seed);
      } catch (e) {
        if (!(e instanceof CheckFailure)) throw e;
        const f = e.failure;
        throw new CheckFailure({
          ...f,
          summary: `With scheduler seed ${seed} (${seed - first + 1} of ${total} tried): ${f.summary}`,
          hint: [f.hint, `The same seed replays the same interleaving, first: driverlab check ${this.lab.id} --seed ${seed}`].filter(Boolean).join('\n'),
        });
      }
    }
  }

  todo(n: number): Location {
    const marker = new RegExp(`\\bTODO ${n}:`);
    for (const file of this.files.list()) {
      const text = this.files.read(file);
      const line = text === undefined ? undefined : lineOf(text, marker);
      if (line !== undefined) return { file, line, note: `TODO ${n}` };
    }
    const inStarter = this.labDef.todos.find((t) => t.n === n);
    if (!inStarter) throw new Error(`the starter has no TODO ${n}`);
    return { file: inStarter.file, line: inStarter.line, note: `TODO ${n} of the starter` };
  }

  find(file: string, pattern: string | RegExp): Location | undefined {
    const text = this.files.read(file);
    const line = text === undefined ? undefined : lineOf(text, pattern);
    return line === undefined ? undefined : { file, line };
  }

  fail(failure: Failure | string): never {
    throw new CheckFailure(toFailure(failure));
  }

  expect(condition: unknown, failure: Failure | string): void {
    if (!condition) this.fail(failure);
  }

  expectEqual<T>(seen: T, expected: T, failure: Failure | string): void {
    const same = typeof seen === 'object' && seen !== null ? JSON.stringify(seen) === JSON.stringify(expected) : Object.is(seen, expected);
    if (same) return;
    const f = toFailure(failure);
    // A failure that shows its own evidence (the command's output for an exit status) says it better.
    this.fail(f.seen !== undefined ? f : { seen: show(seen), expected: show(expected), ...f });
  }

  expectNoProblems(machine: CheckMachine = this.machine, options: { kernel?: string; where?: Location } = {}): void {
    const p = machine.problems()[0];
    if (!p) return;
    this.fail({ summary: `The ${options.kernel ? `${options.kernel} ` : ''}kernel reported: ${p.text}`, seen: [p.text, ...p.details].join('\n'), where: p.where ?? options.where });
  }

  expectMatch(text: string, pattern: RegExp, failure: Failure | string): RegExpMatchArray {
    const m = pattern.exec(text);
    if (!m) {
      const f = toFailure(failure);
      this.fail(f.seen !== undefined ? f : { seen: text, expected: `text matching ${pattern}`, ...f });
    }
    return m;
  }
}

/** The item among `needs` that did not pass, traced back through not-checked items to the one that failed. */
function firstFailedNeed(needs: readonly string[], done: readonly ItemResult[], needsOf: (id: string) => readonly string[]): ItemResult | undefined {
  for (const id of needs) {
    const item = done.find((i) => i.id === id);
    if (!item || item.status === 'passed') continue;
    return item.status === 'failed' ? item : firstFailedNeed(needsOf(id), done, needsOf) ?? item;
  }
  return undefined;
}

/**
 * A failure that names a file but no line points at the file's first TODO marker when the
 * learner has one left there: that is where the work is missing.
 */
function pointAtTodos(f: Failure, t: CheckContext): Failure {
  if (f.where === undefined) return f;
  const at = (l: Location): Location => {
    if (l.line !== undefined) return l;
    const todo = t.find(l.file, /\bTODO \d+:/);
    if (!todo) return l;
    const n = /\bTODO (\d+):/.exec(t.files.read(l.file)!.split('\n')[todo.line! - 1]!)![1];
    return { ...todo, note: `TODO ${n}` };
  };
  return { ...f, where: Array.isArray(f.where) ? f.where.map(at) : at(f.where) };
}

/**
 * The host every machine of a check run shares: the process's warm compiler (counting the calls
 * in progress, see LabMachine's deadlines), the workspace copy.
 */
function checkHost(workspace: MemoryWorkspace): { host: Host; busy: () => boolean } {
  const base = createNodeHost({});
  let calls = 0;
  const counted = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    calls++;
    try {
      return await f(...a);
    } finally {
      calls--;
    }
  };
  const c = base.compiler;
  const compiler: HostCompiler = {
    clang: counted(c.clang.bind(c)), wasmLd: counted(c.wasmLd.bind(c)), asyncify: counted(c.asyncify.bind(c)),
  };
  return { host: { ...base, compiler, workspace }, busy: () => calls > 0 };
}

/** Runs `lab`'s checks against a copy of `files` (the learner's workspace, read by readLearnerFiles). */
export async function runLabChecks(lab: Lab, files: ReadonlyMap<string, WorkspaceFile>, options: RunOptions = {}): Promise<CheckRunReport> {
  const started = performance.now();
  const seed = options.seed ?? lab.manifest.machine.seed ?? 1;
  const workspace = new MemoryWorkspace(files);
  const { host, busy } = checkHost(workspace);
  const t = new Context(lab, workspace, host, busy, seed, options);
  const items: ItemResult[] = [];
  for (const check of lab.checks.checks) {
    options.signal?.throwIfAborted();
    const itemStart = performance.now();
    const finish = (status: ItemStatus, message: string, failure?: Failure) => {
      const r: ItemResult = { id: check.id, title: check.title, status, message, failure, ms: Math.round(performance.now() - itemStart) };
      items.push(r);
      options.onItem?.(r);
    };
    const blocker = firstFailedNeed(check.needs ?? [], items, (id) => lab.checks.checks.find((c) => c.id === id)?.needs ?? []);
    if (blocker) {
      finish('not checked', `Not checked: it needs "${blocker.title}", which ${blocker.status === 'failed' ? 'failed' : 'was not checked'}.`);
      continue;
    }
    try {
      await check.run(t);
      finish('passed', '');
    } catch (e) {
      if (e instanceof CheckFailure) {
        const failure = pointAtTodos(e.failure, t);
        finish('failed', formatFailure(failure), failure);
      } else {
        const line = checkErrorLocation(e, lab.checks);
        const failure: Failure = {
          summary: `The check itself failed, which is a bug in the lab, not in your code: ${(e as Error)?.message ?? String(e)}${line ? ` (checks.ts:${line})` : ''}`,
        };
        finish('failed', formatFailure(failure), failure);
      }
    }
  }
  return {
    labId: lab.manifest.id, personality: lab.manifest.personality, seed, items,
    passed: items.length > 0 && items.every((i) => i.status === 'passed'),
    wallMs: Math.round(performance.now() - started),
    seedsTried: t.seedsTried,
  };
}
