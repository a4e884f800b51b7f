// The core behind every face of the app (ARCHITECTURE.md decision 8): the services of the IPC
// contract over the lab sessions, their machines and workspaces, and the learner's settings.
// The Electron main process and the browser-mode server each create one and connect their
// senders to its IpcServer; neither adds logic of its own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckProgress, CheckRun, Hint, MachineStatus, SavedFile, Services, SessionId, Settings, WorkspaceEntry } from '../ipc/common/contract.js';
import { FREE_PLAY, MAX_FILE_CHARS } from '../ipc/common/contract.js';
import { ActivityClock } from './activity.js';
import { buildWorkspace } from './build.js';
import { CheckRunCancelled, hintId, hintIndex, type LabFramework } from './lab-framework.js';
import { readLabAsset } from './lab-assets.js';
import { Listeners } from './listeners.js';
import { labHistory, planRunRestore, progressOverview, restoreRun } from './progress-service.js';
import { IpcServer, type EventSources, type Sender } from '../ipc/server.js';
import type { LabProvider } from '../labs/catalog.js';
import { writeFiles } from '../labs/workspace.js';
import { NodeDirectory } from '../host/node-host.js';
import { labDiskPath } from '../host/disk-image.js';
import { labWorkspaceDir } from '../progress/paths.js';
import { ProgressStore } from '../progress/store.js';
import { validateSetting } from '../progress/settings.js';
import { MachineSession, defaultWorkerFactory, type WorkerFactory } from '../session/machine-session.js';

export interface CoreOptions {
  /** The data folder: progress.db and workspaces/<lab>. */
  home: string;
  labs: LabProvider;
  /** The labs folder, where the instructions' images are (labs/<id>/...). */
  labsDir?: string;
  /** Checks, hints and drills (step 6); whatever is missing, the UI says is missing. */
  framework?: LabFramework;
  workerFactory?: WorkerFactory;
}

/** The editor lists at most this many workspace entries (a build tree is not source). */
const MAX_WORKSPACE_ENTRIES = 2000;

export class DriverLabCore {
  readonly events: EventSources;
  readonly server: IpcServer;
  private readonly sessions = new Map<SessionId, MachineSession>();
  private readonly opening = new Map<SessionId, Promise<MachineSession>>();
  private readonly creatingWorkspaces = new Map<SessionId, Promise<string>>();
  private readonly settingsChanged = new Listeners<Settings>();
  private readonly progressChanged = new Listeners<Record<never, never>>();
  private readonly workspaceChanged = new Map<SessionId, Listeners<{ paths: string[] }>>();
  /** Each lab's check run in progress: at most one, which a second Check joins. */
  private readonly checkRuns = new Map<string, { run: Promise<CheckRun>; controller: AbortController; progress: CheckProgress }>();
  private readonly checkProgress = new Map<string, Listeners<CheckProgress>>();
  private store: ProgressStore | undefined;
  /** Time spent per lab, from what the learner does in it (free play is not a lab). */
  private readonly activity = new ActivityClock((lab, start, ms) => this.progress().addTimeSpent(lab, start, ms));

  constructor(private readonly options: CoreOptions) {
    this.events = {
      labs: {
        checkProgress: (lab, emit) => {
          const stop = this.checkListeners(lab).add(emit);
          // A page that comes back during a run (a reload) shows it as it is; after the
          // listen call has answered, so the page knows the listener by then.
          const current = this.checkRuns.get(lab);
          if (current) setImmediate(() => { if (this.checkRuns.get(lab) === current) emit(current.progress); });
          return stop;
        },
      },
      machine: {
        status: (id, emit) => this.existing(id).onStatus(emit),
      },
      terminal: {
        output: (id, emit) => this.existing(id).output.attach(emit).detach,
      },
      workspace: {
        changed: (id, emit) => this.workspaceListeners(id).add(emit),
      },
      progress: {
        changed: (_topic, emit) => this.progressChanged.add(emit),
      },
      settings: {
        changed: (_topic, emit) => this.settingsChanged.add(emit),
      },
      inspector: {
        state: (id, emit) => this.existing(id).onInspector(emit),
      },
    };
    this.server = new IpcServer((sender) => this.servicesFor(sender), this.events);
  }

  /** The contract's services as `sender` sees them. */
  servicesFor(sender: Sender): Services {
    const options = this.options;
    return {
      labs: {
        list: () => options.labs.catalog(),
        get: (lab) => options.labs.details(lab, this.progress().settings().language),
        open: async (lab) => {
          await options.labs.details(lab);
          return { here: sender.openLab ? await sender.openLab(lab) : true };
        },
        check: async (lab) => {
          this.worked(lab);
          return this.runChecks(lab);
        },
        cancelCheck: async (lab) => {
          const current = this.checkRuns.get(lab);
          current?.controller.abort();
          return { cancelled: current !== undefined };
        },
        hint: async (lab, index) => {
          const hint = await this.revealHint(lab, index);
          this.progressChanged.emit({});
          return hint;
        },
        hints: (lab) => this.revealedHints(lab),
        startDrill: async (lab) => {
          const start = await this.framework('startDrill', lab, 'is not a drill');
          await start(lab, await this.session(lab));
          return { startedAt: Date.now() };
        },
        finishDrill: async (lab) => {
          const finish = await this.framework('finishDrill', lab, 'is not a drill');
          const score = await finish(lab, await this.session(lab));
          const store = this.progress();
          store.recordDrillAttempt({ drillId: lab, score });
          this.progressChanged.emit({});
          const scores = store.drillScores(lab);
          return { score, best: { at: scores.best!.at, score: scores.best!.score }, attempts: scores.attempts };
        },
        asset: async (lab, file) => {
          await options.labs.details(lab);
          if (!options.labsDir) throw new Error(`${file}: this DriverLab has no labs folder to show images from`);
          return readLabAsset(options.labsDir, lab, file);
        },
      },
      machine: {
        open: async (id) => {
          const session = await this.session(id);
          if (id !== FREE_PLAY) {
            this.progress().openLab(id);
            this.progressChanged.emit({});
          }
          if (session.status().reason === 'not started') session.boot();
          return session.status();
        },
        status: async (id) => this.existing(id).status(),
        boot: async (id) => (await this.session(id)).boot(),
        reset: async (id) => (await this.session(id)).reset(),
        powerOff: async (id) => this.existing(id).powerOff(),
        reinstall: async (id) => (await this.session(id)).reinstall(),
        reboot: async (id) => this.existing(id).reboot(),
        sysrq: async (id, key) => this.existing(id).sysrq(key),
      },
      terminal: {
        input: async (id, data) => {
          this.existing(id).input(data);
          this.worked(id);
        },
        resize: async (id, columns, rows) => this.existing(id).resize(columns, rows),
        ack: async (id, stream, chars) => this.existing(id).output.ack(stream, chars),
      },
      workspace: {
        list: async (id) => listWorkspace(await this.workspaceDir(id)),
        read: async (id, file) => readText(new NodeDirectory(await this.workspaceDir(id)), file),
        write: async (id, file, content) => {
          const saved = writeText(new NodeDirectory(await this.workspaceDir(id)), file, content);
          this.worked(id);
          return saved;
        },
        build: async (id) => {
          this.worked(id);
          return buildWorkspace(this.existing(id));
        },
      },
      progress: {
        overview: async () => progressOverview(this.progress(), await options.labs.catalog()),
        history: async (lab) => labHistory(this.progress(), lab),
        planRestore: async (lab, runId) => planRunRestore(this.progress(), lab, runId),
        restore: async (lab, runId, force) => {
          await this.workspaceDir(lab);
          const plan = restoreRun(this.progress(), lab, runId, force);
          this.workspaceChanged.get(lab)?.emit({ paths: plan.write });
          return plan;
        },
      },
      settings: {
        get: async () => this.progress().settings(),
        set: async (key, value) => {
          const store = this.progress();
          store.setSetting(key, validateSetting(key, value));
          const settings = store.settings();
          if (key === 'consoleLogLevel') for (const s of this.sessions.values()) s.setConsoleLogLevel(settings.consoleLogLevel);
          this.settingsChanged.emit(settings);
          return settings;
        },
      },
      inspector: {
        timeline: async (id, query) => this.existing(id).inspect({ what: 'timeline', query }),
        time: async (id, action) => this.existing(id).inspect({ what: 'time', action }),
        setFaults: async (id, card, faults) => { await this.existing(id).inspect({ what: 'faults', card, faults }); },
        remote: async (id, card, port, text) => this.existing(id).inspect({ what: 'receive', card, port, data: [...new TextEncoder().encode(text)] }),
        record: async (id, on) => this.existing(id).inspect({ what: 'trace', record: on }),
      },
    };
  }

  /** A session's machine status, or undefined when it was never opened. */
  sessionStatus(id: SessionId): MachineStatus | undefined {
    return this.sessions.get(id)?.status();
  }

  /** The open session (tests use it to pull a machine's plug). */
  sessionFor(id: SessionId): MachineSession | undefined {
    return this.sessions.get(id);
  }

  async close(): Promise<void> {
    for (const { controller } of this.checkRuns.values()) controller.abort();
    await this.options.framework?.close?.();
    await Promise.all([...this.sessions.values()].map((s) => s.dispose()));
    this.sessions.clear();
    if (this.store) this.activity.flush();
    this.store?.close();
    this.store = undefined;
  }

  /** The learner did something in a lab: it counts as time spent there. */
  private worked(id: SessionId): void {
    if (id !== FREE_PLAY) this.activity.touch(id);
  }

  private workspaceListeners(id: SessionId): Listeners<{ paths: string[] }> {
    let l = this.workspaceChanged.get(id);
    if (!l) this.workspaceChanged.set(id, (l = new Listeners()));
    return l;
  }

  /** A part of the lab framework, or an error a learner can read when this DriverLab lacks it. */
  private async framework<K extends keyof LabFramework>(part: K, lab: string, missing: string): Promise<NonNullable<LabFramework[K]>> {
    await this.options.labs.details(lab);
    const fn = this.options.framework?.[part];
    if (!fn) throw new Error(`'${lab}' ${missing} in this version of DriverLab`);
    return fn.bind(this.options.framework) as NonNullable<LabFramework[K]>;
  }

  private checkListeners(lab: string): Listeners<CheckProgress> {
    let l = this.checkProgress.get(lab);
    if (!l) this.checkProgress.set(lab, (l = new Listeners()));
    return l;
  }

  /**
   * Runs the lab's checks (a second call during a run joins it), publishing each item as it
   * finishes, and records the finished run. A cancelled run records nothing.
   */
  private runChecks(lab: string): Promise<CheckRun> {
    const current = this.checkRuns.get(lab);
    if (current) return current.run;
    const controller = new AbortController();
    const entry = { controller, progress: { lab, state: 'running', items: [] } as CheckProgress };
    const publish = (change: Partial<CheckProgress>) => {
      entry.progress = { ...entry.progress, ...change };
      this.checkListeners(lab).emit(entry.progress);
    };
    const run = (async () => {
      const runChecks = await this.framework('runChecks', lab, 'has no checks');
      const total = (await this.options.labs.details(lab)).checkItems?.length;
      publish(total === undefined ? {} : { total });
      const report = await runChecks(lab, await this.workspaceDir(lab), {
        signal: controller.signal,
        onItem: (item) => publish({ items: [...entry.progress.items, item] }),
      });
      const at = Date.now();
      const recorded = this.progress().recordCheckRun({
        labId: lab, at, seed: report.seed, personality: report.personality, files: report.files,
        items: report.items.map((it) => ({ id: it.id, title: it.title, passed: it.status === 'passed', message: it.message })),
      });
      publish({ state: 'done', items: report.items });
      this.progressChanged.emit({});
      return { lab, runId: recorded.runId, at, seed: report.seed, personality: report.personality, passed: recorded.passed, items: report.items };
    })().catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      publish({ state: e instanceof CheckRunCancelled ? 'cancelled' : 'error', message });
      throw e;
    }).finally(() => this.checkRuns.delete(lab));
    this.checkRuns.set(lab, Object.assign(entry, { run }));
    return run;
  }

  private async hintText(lab: string, index: number): Promise<Hint | undefined> {
    const get = await this.framework('hint', lab, 'has no hints');
    const hint = await get(lab, index, this.progress().settings().language);
    return hint && { index, ...hint };
  }

  /** Hints come one at a time, mildest first: revealing one reveals those before it. */
  private async revealHint(lab: string, index: number): Promise<Hint> {
    const hint = await this.hintText(lab, index);
    if (!hint) throw new Error(`'${lab}' has no hint ${index + 1}`);
    const store = this.progress();
    for (let i = 0; i <= index; i++) store.revealHint(lab, hintId(i));
    return hint;
  }

  private async revealedHints(lab: string): Promise<Hint[]> {
    if (!this.options.framework?.hint) return [];
    const indexes = this.progress().labHistory(lab).hints.map((h) => hintIndex(h.hintId)).filter((i) => i !== undefined);
    const hints = await Promise.all([...new Set(indexes)].sort((a, b) => a - b).map((i) => this.hintText(lab, i)));
    return hints.filter((h) => h !== undefined);
  }

  private existing(id: SessionId): MachineSession {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`session '${id}' is not open`);
    return session;
  }

  /** The session of a lab, created (not booted) on first use; one per lab, shared by its windows. */
  private session(id: SessionId): Promise<MachineSession> {
    const open = this.sessions.get(id);
    if (open) return Promise.resolve(open);
    let pending = this.opening.get(id);
    if (!pending) {
      pending = (async () => {
        const config = await this.options.labs.session(id, await this.workspaceDir(id));
        // One hard disk per lab session, in the data folder: the machine keeps it across app restarts.
        const session = new MachineSession({ ...config, diskImage: labDiskPath(this.options.home, id) }, this.options.workerFactory ?? defaultWorkerFactory);
        session.setConsoleLogLevel(this.progress().settings().consoleLogLevel);
        this.sessions.set(id, session);
        return session;
      })().finally(() => this.opening.delete(id));
      this.opening.set(id, pending);
    }
    return pending;
  }

  /**
   * The lab's workspace folder; asking the catalog first means no folder is made for a lab that
   * does not exist. A new one starts with the lab's starter files.
   */
  private async workspaceDir(id: SessionId): Promise<string> {
    await this.options.labs.details(id);
    const dir = labWorkspaceDir(this.options.home, id);
    if (fs.existsSync(dir)) return dir;
    // The folder appears with its files in one step: a page's first calls (the file list, the
    // machine) come together, and one that found the folder made but still empty would show
    // an editor with no files.
    let creating = this.creatingWorkspaces.get(id);
    if (!creating) {
      creating = (async () => {
        const starter = await this.options.labs.starter(id);
        if (!fs.existsSync(dir)) {
          fs.mkdirSync(dir, { recursive: true });
          writeFiles(dir, starter);
        }
        return dir;
      })().finally(() => this.creatingWorkspaces.delete(id));
      this.creatingWorkspaces.set(id, creating);
    }
    return creating;
  }

  private progress(): ProgressStore {
    this.store ??= ProgressStore.open({ home: this.options.home });
    return this.store;
  }
}

/** Files under `root`, sorted, hidden ones and editor temporaries left out. */
export function listWorkspace(root: string): WorkspaceEntry[] {
  const entries: WorkspaceEntry[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entries.length >= MAX_WORKSPACE_ENTRIES) return;
      if (ent.name.startsWith('.') || ent.name.endsWith('.driverlab-tmp')) continue;
      const rel = prefix ? `${prefix}/${ent.name}` : ent.name;
      const full = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(full, rel);
      else if (ent.isFile()) {
        const { size, mtimeMs } = fs.statSync(full);
        entries.push({ path: rel, size, mtimeMs: Math.floor(mtimeMs), text: size <= MAX_FILE_CHARS && isText(fs.readFileSync(full)) });
      }
    }
  };
  walk(root, '');
  return entries;
}

function isText(data: Uint8Array): boolean {
  if (data.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses a path whose folders leave the workspace through a symbolic link: the editor writes
 * the learner's files, nothing else on the host.
 */
function checkInside(dir: NodeDirectory, file: string): void {
  const root = fs.realpathSync(dir.root);
  const parent = path.dirname(path.join(dir.root, file));
  let real: string;
  try {
    real = fs.realpathSync(parent);
  } catch {
    throw new Error(`${path.posix.dirname(file)}: No such directory`);
  }
  if (real !== root && !real.startsWith(root + path.sep)) throw new Error(`${file}: outside the workspace`);
}

function readText(dir: NodeDirectory, file: string): string {
  checkInside(dir, file);
  const stat = dir.stat(file);
  if (!stat || stat.kind !== 'file') throw new Error(`${file}: No such file`);
  const data = dir.readFile(file);
  if (data.length > MAX_FILE_CHARS || !isText(data)) throw new Error(`${file}: not a text file the editor can open`);
  return new TextDecoder().decode(data);
}

function writeText(dir: NodeDirectory, file: string, content: string): SavedFile {
  checkInside(dir, file);
  if (dir.stat(file)?.kind === 'dir') throw new Error(`${file}: Is a directory`);
  const data = new TextEncoder().encode(content);
  dir.writeFile(file, data);
  return { path: file, size: data.length };
}
