// The one IPC contract between DriverLab's UI and its core (style.md, "Layers"): a service
// interface per area, the schema of every method's arguments, and the events each area
// publishes. Both transports carry exactly this: Electron IPC (the preload exposes it through
// contextBridge) and the WebSocket of browser mode. The core validates every argument against
// these schemas and checks the sender before a service sees a call.
//
// This file is "common" code: no Node, no DOM, no Electron. The renderer imports it too.
import * as v from 'valibot';
import type { Settings, SettingKey } from '../../progress/settings.js';
import type { CardFaultsView, InspectorState, RecordingView, TimeAction, TimeReport, TimelineQuery, TimelineSlice } from './inspector.js';

export type { Settings, SettingKey };

/** A lab session: the id of the lab it runs, or FREE_PLAY for the machine without a lab. */
export type SessionId = string;
export const FREE_PLAY = 'free-play';

// ---- Data shapes ---------------------------------------------------------------------------

export type Personality = 'modern' | '2.2';

/** The languages of the UI and of lab texts. */
export type Language = 'en' | 'ko';
export type Difficulty = 'beginner' | 'intermediate' | 'advanced';

/**
 * A lab as the catalog lists it. The optional fields come with the lab format (step 6: the
 * manifest); the UI shows them when they are there and does without them when not.
 */
export interface LabSummary {
  id: string;
  title: string;
  summary: string;
  topic: string;
  personality: Personality;
  /** A drill (a crash-and-recovery scenario with a score) rather than a lab. */
  kind?: 'lab' | 'drill';
  /** Position in the curriculum: the catalog lists labs in this order. */
  order?: number;
  /** Absent for free play. */
  difficulty?: Difficulty;
  estimatedMinutes?: number;
  /** Labs to pass first (ids): shown, never enforced. */
  prerequisites?: string[];
  /** Languages the instructions exist in ('en' always). */
  languages?: Language[];
  /** Title and summary in other languages than English. */
  translations?: Partial<Record<Language, { title?: string; summary?: string }>>;
}

/** A lab folder that could not be loaded, and why (the other labs still load). */
export interface LabProblem {
  folder: string;
  /** What is wrong, one problem a line, each naming the file: "checks.ts:12: ...". */
  message: string;
}

export interface LabCatalog {
  labs: LabSummary[];
  problems: LabProblem[];
  /** The machine without a lab: always there, even without a labs folder. */
  freePlay: LabSummary;
}

export interface LabDetails extends LabSummary {
  /** The instructions, as Markdown (English). */
  instructions: string;
  /** The instructions in other languages the lab has. */
  localizedInstructions?: Partial<Record<Language, string>>;
  /** How many hints the lab has (labs.hint reveals them one at a time, mildest first). */
  hintCount?: number;
  /** What the lab's checks look at, before any run: one entry per item. */
  checkItems?: { id: string; title: string }[];
  /** A drill's goal and its time limit. */
  drill?: DrillInfo;
}

export interface DrillInfo {
  /** What the learner must achieve (Markdown); the instructions when absent. */
  goal?: string;
  /** The time the learner is given; no limit when absent. */
  timeLimitSeconds?: number;
}

/** A place in the learner's workspace. */
export interface SourceLocation {
  /** Relative path in the workspace. */
  file: string;
  /** 1-based. */
  line?: number;
}

export type CheckItemStatus = 'passed' | 'failed' | 'not checked';

export interface CheckItemResult {
  id: string;
  title: string;
  status: CheckItemStatus;
  /** What the learner reads under the item ('' when it passed). */
  message: string;
  /** Where to look. */
  where?: SourceLocation;
}

/** One run of a lab's checks, as recorded in the progress store. */
export interface CheckRun {
  lab: string;
  /** The run's number in the progress store (history and restore name it). */
  runId: number;
  at: number;
  seed: number;
  personality: Personality;
  passed: boolean;
  items: CheckItemResult[];
}

/**
 * A check run as it goes (labs.checkProgress): the items finished so far, in order. A listener
 * that starts during a run (a reloaded page) gets the run's state at once.
 */
export interface CheckProgress {
  lab: string;
  /** 'error': the run ended without a result (a check worker that hung or crashed); `message` says why. */
  state: 'running' | 'done' | 'cancelled' | 'error';
  items: CheckItemResult[];
  /** How many items the run has, when the lab lists them. */
  total?: number;
  message?: string;
}

/** What labs.check rejects with when the run was cancelled (the UI tells it from a failure). */
export const CHECK_RUN_CANCELLED = 'The check run was cancelled; nothing was recorded.';

export interface Hint {
  /** 0-based, in order of strength. */
  index: number;
  title: string;
  /** Markdown, in the learner's language when the lab has it. */
  text: string;
}

/** A drill attempt's score (the progress store's DrillScore). */
export interface DrillScore {
  /** Virtual time from the fault to the recovery. */
  virtualMs: number;
  wallMs: number;
  /** Bytes of unsynced data the recovery lost. */
  bytesLost: number;
  keysPressed: number;
  /** Whether the learner's fix passed the drill's check afterwards. */
  fixPassed: boolean;
}

export interface DrillAttempt {
  at: number;
  score: DrillScore;
}

export interface DrillOutcome {
  score: DrillScore;
  /** The best attempt so far, this one included. */
  best: DrillAttempt;
  attempts: number;
}

export type MachineState = 'booting' | 'running' | 'off';

export interface MachineStatus {
  session: SessionId;
  state: MachineState;
  personality: Personality;
  /** Counts power-ons of this session: a new boot is a new number. */
  boot: number;
  /** Why the machine is off: 'not started', 'shut down', 'powered off', 'crashed: ...'. */
  reason?: string;
}

/** One batch of terminal output for one listener (see main/session/terminal-stream.ts). */
export interface TerminalChunk {
  /** The listener's stream; acknowledgements name it. */
  stream: number;
  data: string;
  /** Scrollback replayed to a listener that attached to a running machine. */
  replay: boolean;
}

export interface WorkspaceEntry {
  /** Relative, '/'-separated path inside the workspace (/home/lab in the machine). */
  path: string;
  size: number;
  /** Whether the editor can show it (UTF-8 text, not too big). */
  text: boolean;
  /** Last modification: the editor notices files changed by the machine (make, sed, a restore). */
  mtimeMs?: number;
}

export interface SavedFile {
  path: string;
  size: number;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'note';

/** One message of a build: clang's `file:line:col: error: ...`, make's, modpost's, the linker's. */
export interface BuildDiagnostic {
  /** Relative path in the workspace; absent when the message is about no workspace file. */
  file?: string;
  /** The file (or tool) as the build printed it. */
  source: string;
  /** 1-based. */
  line?: number;
  /** 1-based, in bytes of the line (clang counts a TAB as one column). */
  column?: number;
  severity: DiagnosticSeverity;
  message: string;
}

export interface BuildResult {
  /** The command line typed in the terminal. */
  command: string;
  outcome: 'succeeded' | 'failed' | 'interrupted';
  /** The command's exit status, when it ran to the end. */
  status?: number;
  diagnostics: BuildDiagnostic[];
}

/** An image (or other file) of a lab's instructions, for a data: URL. */
export interface LabAsset {
  mime: string;
  base64: string;
}

// ---- Progress (the progress store's records, as the UI sees them) -----------------------

export type LabStatus = 'not started' | 'in progress' | 'passed';

export interface LabProgress {
  id: string;
  title: string;
  /** null for a lab the database knows and the catalog does not (e.g. imported from a newer app). */
  topic: string | null;
  status: LabStatus;
  firstOpenedAt: number | null;
  firstPassedAt: number | null;
  timeSpentMs: number;
  checkRuns: number;
  lastRunAt: number | null;
  hintsRevealed: number;
}

export interface TopicProgress {
  topic: string | null;
  labs: number;
  passed: number;
  inProgress: number;
  timeSpentMs: number;
}

export interface DrillAttemptRecord {
  attemptId: number;
  uid: string;
  drillId: string;
  at: number;
  score: DrillScore;
}

export interface DrillScores {
  drillId: string;
  attempts: number;
  best: DrillAttemptRecord | null;
  last: DrillAttemptRecord | null;
}

export interface ProgressOverview {
  labs: LabProgress[];
  topics: TopicProgress[];
  labsPassed: number;
  totalTimeMs: number;
  /** Consecutive local days with activity, ending today (or yesterday, if today has none yet). */
  streakDays: number;
  /** The last local day with activity, YYYY-MM-DD. */
  lastActiveDay: string | null;
  /** Best and last scores of every drill attempted. */
  drills: DrillScores[];
  /** The lab to do next: the one in progress, else the first whose prerequisites are passed. */
  next: string | null;
}

export interface CheckRunRecord {
  runId: number;
  uid: string;
  labId: string;
  at: number;
  seed: number;
  personality: string;
  passed: boolean;
  items: { id: string; title: string; passed: boolean; message: string }[];
  /** Paths of the workspace snapshot, sorted. */
  files: string[];
}

export interface LabHistory {
  labId: string;
  status: LabStatus;
  firstOpenedAt: number | null;
  firstPassedAt: number | null;
  timeSpentMs: number;
  hints: { hintId: string; revealedAt: number }[];
  /** Oldest first. */
  runs: CheckRunRecord[];
}

/** What restoring a check run's files into the lab's workspace would do (main/progress/restore.ts). */
export interface RestorePlan {
  write: string[];
  identical: string[];
  /** Files whose current content no check run saved: restoring would lose it (unless forced). */
  unsaved: string[];
  blocked: { path: string; why: string }[];
  /** Files the run did not have: kept. */
  extra: string[];
}

// ---- Services ------------------------------------------------------------------------------

export interface LabsService {
  list(): Promise<LabCatalog>;
  get(lab: string): Promise<LabDetails>;
  /**
   * Asks where to show a lab: { here: true } means in the asking page; { here: false } means
   * the app opened or focused the lab's own window (Electron: one window per lab session).
   */
  open(lab: string): Promise<{ here: boolean }>;
  /**
   * Runs the lab's checks against the learner's workspace and records the run, with the files
   * it saw, in the progress store. A lab without checks refuses with a message saying so.
   */
  check(lab: string): Promise<CheckRun>;
  /**
   * Cancels the lab's check run in progress (its check() rejects and nothing is recorded);
   * `cancelled` is false when no run was in progress.
   */
  cancelCheck(lab: string): Promise<{ cancelled: boolean }>;
  /** Reveals hint `index` (the next one; earlier ones are revealed with it) and records it. */
  hint(lab: string, index: number): Promise<Hint>;
  /** The hints revealed so far, in order, in the learner's language. */
  hints(lab: string): Promise<Hint[]>;
  /** Starts a drill: its scenario runs in the lab's machine and the clock starts. */
  startDrill(lab: string): Promise<{ startedAt: number }>;
  /** Ends the attempt: measures the recovery, runs the fix's check and records the score. */
  finishDrill(lab: string): Promise<DrillOutcome>;
  /** A file the instructions show (an image), by its path in the lab's folder. */
  asset(lab: string, path: string): Promise<LabAsset>;
}

export interface MachineService {
  /** The session's machine, booted if it is not running yet (a reloaded UI finds it running). */
  open(session: SessionId): Promise<MachineStatus>;
  status(session: SessionId): Promise<MachineStatus>;
  /** Powers on a machine that is off. */
  boot(session: SessionId): Promise<MachineStatus>;
  /** The reset button: power cycle, whatever the machine is doing. */
  reset(session: SessionId): Promise<MachineStatus>;
  /** Cuts the power. */
  powerOff(session: SessionId): Promise<MachineStatus>;
  /**
   * Installs the machine's disk afresh and boots it: /home/user, /etc, a rebuilt kernel are gone
   * (the workspace on the host is not touched).
   */
  reinstall(session: SessionId): Promise<MachineStatus>;
  /** A clean reboot: `reboot` typed at the shell's prompt when the machine has it, else the kernel restarts. */
  reboot(session: SessionId): Promise<void>;
  /** Alt+SysRq+`key` on the machine's keyboard (Magic SysRq). */
  sysrq(session: SessionId, key: string): Promise<void>;
}

export interface TerminalService {
  /** Keys typed on the terminal. */
  input(session: SessionId, data: string): Promise<void>;
  resize(session: SessionId, columns: number, rows: number): Promise<void>;
  /** The listener of `stream` has written `chars` more characters of output to its screen. */
  ack(session: SessionId, stream: number, chars: number): Promise<void>;
}

export interface WorkspaceService {
  list(session: SessionId): Promise<WorkspaceEntry[]>;
  read(session: SessionId, path: string): Promise<string>;
  write(session: SessionId, path: string, content: string): Promise<SavedFile>;
  /**
   * Builds the workspace: types `make` at the shell's prompt in the terminal (where the learner
   * sees it run) and answers with the diagnostics once the prompt is back. Refused, with the
   * reason, while the terminal is busy.
   */
  build(session: SessionId): Promise<BuildResult>;
}

export interface ProgressService {
  overview(): Promise<ProgressOverview>;
  history(lab: string): Promise<LabHistory>;
  /** What restoring check run `runId`'s files would write, keep and lose. */
  planRestore(lab: string, runId: number): Promise<RestorePlan>;
  /** Puts the run's files back in the lab's workspace; files only the workspace holds need `force`. */
  restore(lab: string, runId: number, force: boolean): Promise<RestorePlan>;
}

export interface SettingsService {
  get(): Promise<Settings>;
  set(key: SettingKey, value: string | number): Promise<Settings>;
}

/** The hardware inspector of a session's machine (main/ipc/common/inspector.ts has the shapes). */
export interface InspectorService {
  /** The timeline over a window of virtual time, as many pixels wide as `query.width`. */
  timeline(session: SessionId, query: TimelineQuery): Promise<TimelineSlice>;
  /** Pause, resume, single-step to the next clock event, run at real time or as fast as possible. */
  time(session: SessionId, action: TimeAction): Promise<TimeReport>;
  /** A card's fault-injection switches; unnamed ones keep their value. */
  setFaults(session: SessionId, card: number, faults: Partial<CardFaultsView>): Promise<void>;
  /** The remote terminal: `text` arrives on the card's `port` from the far end (RX_NOTIFY). */
  remote(session: SessionId, card: number, port: number, text: string): Promise<{ accepted: number }>;
  /** Starts (true) or stops recording every event to a JSON-lines file in the workspace's traces/. */
  record(session: SessionId, on: boolean): Promise<RecordingView | null>;
}

export interface Services {
  labs: LabsService;
  machine: MachineService;
  terminal: TerminalService;
  workspace: WorkspaceService;
  progress: ProgressService;
  settings: SettingsService;
  inspector: InspectorService;
}

/** What each area publishes; a listener names the topic (the session, or '' for app-wide). */
export interface Events {
  /** A check run's items as they finish. */
  labs: { checkProgress: CheckProgress };
  machine: { status: MachineStatus };
  terminal: { output: TerminalChunk };
  /** Files of the session's workspace changed behind the editor's back (a restore). */
  workspace: { changed: { paths: string[] } };
  /** A check run was recorded, a hint revealed, a lab opened: progress pages refresh. */
  progress: { changed: Record<never, never> };
  settings: { changed: Settings };
  /** The session machine's inspector state, a few times a second while someone listens. */
  inspector: { state: InspectorState };
}

export type ServiceName = keyof Services;
export type MethodName<S extends ServiceName> = keyof Services[S] & string;
export type EventName<S extends ServiceName> = keyof Events[S] & string;
type Method<S extends ServiceName, M extends MethodName<S>> = Services[S][M] extends (...args: infer A) => Promise<infer R> ? { args: A; result: R } : never;
export type MethodArgs<S extends ServiceName, M extends MethodName<S>> = Method<S, M>['args'];
export type MethodResult<S extends ServiceName, M extends MethodName<S>> = Method<S, M>['result'];
export type EventPayload<S extends ServiceName, E extends EventName<S>> = Events[S][E];

// ---- Schemas -------------------------------------------------------------------------------

/** Lab ids are folder names (main/progress/paths.ts isValidLabId); so is 'free-play'. */
export const LabIdSchema = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'not a lab id'));
export const SessionIdSchema = LabIdSchema;

/** A workspace path: relative, no '.', '..' or empty segments, no backslash or NUL. */
export const WorkspacePathSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(1024),
  v.check((p) => !p.includes('\\') && !p.includes('\0') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), 'not a relative path inside the workspace'),
);

/** The most a single input call may carry: a large paste, not a file upload. */
export const MAX_INPUT_CHARS = 64 * 1024;
/** The editor saves source files, not disk images. */
export const MAX_FILE_CHARS = 1024 * 1024;

const count = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));

const SETTING_KEYS = ['language', 'theme', 'fontSize', 'terminalFontSize', 'consoleLogLevel'] as const satisfies readonly SettingKey[];

/** Magic SysRq's keys (drivers/tty/sysrq.c): letters and the log levels 0-9. */
export const SysrqKeySchema = v.pipe(v.string(), v.regex(/^[a-z0-9]$/, 'a SysRq key is one letter or digit'));

export interface MethodSpec<A> {
  /** The arguments, as a strict tuple: extra arguments are refused too. */
  args: v.GenericSchema<unknown, A>;
  /** The first argument is a session, which the sender must be allowed to use. */
  session: boolean;
}

type Contract = { [S in ServiceName]: { [M in MethodName<S>]: MethodSpec<MethodArgs<S, M>> } };

const none = { args: v.strictTuple([]), session: false };
const sessionOnly = { args: v.strictTuple([SessionIdSchema]), session: true };

export const CONTRACT: Contract = {
  labs: {
    list: none,
    get: { args: v.strictTuple([LabIdSchema]), session: false },
    open: { args: v.strictTuple([LabIdSchema]), session: false },
    check: { args: v.strictTuple([LabIdSchema]), session: true },
    cancelCheck: { args: v.strictTuple([LabIdSchema]), session: true },
    hint: { args: v.strictTuple([LabIdSchema, count(99)]), session: true },
    hints: { args: v.strictTuple([LabIdSchema]), session: true },
    startDrill: { args: v.strictTuple([LabIdSchema]), session: true },
    finishDrill: { args: v.strictTuple([LabIdSchema]), session: true },
    asset: { args: v.strictTuple([LabIdSchema, WorkspacePathSchema]), session: false },
  },
  machine: {
    open: sessionOnly,
    status: sessionOnly,
    boot: sessionOnly,
    reset: sessionOnly,
    powerOff: sessionOnly,
    reinstall: sessionOnly,
    reboot: sessionOnly,
    sysrq: { args: v.strictTuple([SessionIdSchema, SysrqKeySchema]), session: true },
  },
  terminal: {
    input: { args: v.strictTuple([SessionIdSchema, v.pipe(v.string(), v.maxLength(MAX_INPUT_CHARS))]), session: true },
    resize: { args: v.strictTuple([SessionIdSchema, v.pipe(count(1000), v.minValue(2)), v.pipe(count(1000), v.minValue(1))]), session: true },
    ack: { args: v.strictTuple([SessionIdSchema, count(2 ** 31), count(2 ** 31)]), session: true },
  },
  workspace: {
    list: sessionOnly,
    read: { args: v.strictTuple([SessionIdSchema, WorkspacePathSchema]), session: true },
    write: { args: v.strictTuple([SessionIdSchema, WorkspacePathSchema, v.pipe(v.string(), v.maxLength(MAX_FILE_CHARS))]), session: true },
    build: sessionOnly,
  },
  progress: {
    overview: none,
    history: { args: v.strictTuple([LabIdSchema]), session: false },
    planRestore: { args: v.strictTuple([LabIdSchema, count(2 ** 31)]), session: true },
    restore: { args: v.strictTuple([LabIdSchema, count(2 ** 31), v.boolean()]), session: true },
  },
  inspector: {
    timeline: {
      args: v.strictTuple([SessionIdSchema, v.strictObject({
        fromNs: v.pipe(v.number(), v.finite(), v.minValue(0)),
        toNs: v.pipe(v.number(), v.finite(), v.minValue(0)),
        width: v.pipe(count(4000), v.minValue(1)),
        anchor: v.picklist(['start', 'end']),
        lanes: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(64))), v.maxLength(256))),
      })]),
      session: true,
    },
    time: { args: v.strictTuple([SessionIdSchema, v.picklist(['pause', 'resume', 'step', 'realtime', 'fast'])]), session: true },
    setFaults: {
      args: v.strictTuple([SessionIdSchema, count(7), v.strictObject({
        extraLatencyMs: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(60_000))),
        lostIrqProbability: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
        stuckBusy: v.optional(v.boolean()),
        spuriousIrqPerSec: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(10_000))),
        crashAfterCommands: v.optional(v.nullable(count(1_000_000))),
      })]),
      session: true,
    },
    remote: { args: v.strictTuple([SessionIdSchema, count(7), count(3), v.pipe(v.string(), v.maxLength(4096))]), session: true },
    record: { args: v.strictTuple([SessionIdSchema, v.boolean()]), session: true },
  },
  settings: {
    get: none,
    set: { args: v.strictTuple([v.picklist(SETTING_KEYS), v.union([v.pipe(v.string(), v.maxLength(64)), v.number()])]), session: false },
  },
};

export interface EventSpec {
  /** Topic: a session (checked like a session argument) or '' for app-wide events. */
  topic: 'session' | 'app';
}

export const EVENTS: { [S in ServiceName]: { [E in EventName<S>]: EventSpec } } = {
  labs: { checkProgress: { topic: 'session' } },
  machine: { status: { topic: 'session' } },
  terminal: { output: { topic: 'session' } },
  workspace: { changed: { topic: 'session' } },
  progress: { changed: { topic: 'app' } },
  settings: { changed: { topic: 'app' } },
  inspector: { state: { topic: 'session' } },
};

/** Curriculum order: by the manifest's order; labs without one keep the catalog's order, after the others. */
export function curriculumOrder(a: LabSummary, b: LabSummary): number {
  if (a.order === undefined || b.order === undefined) return Number(a.order === undefined) - Number(b.order === undefined);
  return a.order - b.order;
}

/** Own-property lookup: a name like '__proto__' or 'toString' is not a method. */
export function methodSpec(service: string, method: string): MethodSpec<unknown[]> | undefined {
  if (!Object.hasOwn(CONTRACT, service)) return undefined;
  const methods = CONTRACT[service as ServiceName] as Record<string, MethodSpec<unknown[]>>;
  return Object.hasOwn(methods, method) ? methods[method] : undefined;
}

export function eventSpec(service: string, event: string): EventSpec | undefined {
  if (!Object.hasOwn(EVENTS, service)) return undefined;
  const events = EVENTS[service as ServiceName] as Record<string, EventSpec>;
  return Object.hasOwn(events, event) ? events[event] : undefined;
}
