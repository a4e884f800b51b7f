// The one IPC contract between DriverLab's UI and its core (style.md, "Layers"): a service
// interface per area, the schema of every method's arguments, and the events each area
// publishes. Both transports carry exactly this: Electron IPC (the preload exposes it through
// contextBridge) and the WebSocket of browser mode. The core validates every argument against
// these schemas and checks the sender before a service sees a call.
//
// This file is "common" code: no Node, no DOM, no Electron. The renderer imports it too.
import * as v from 'valibot';
import type { Settings, SettingKey } from '../../progress/settings.js';

export type { Settings, SettingKey };

/** A lab session: the id of the lab it runs, or FREE_PLAY for the machine without a lab. */
export type SessionId = string;
export const FREE_PLAY = 'free-play';

// ---- Data shapes ---------------------------------------------------------------------------

export type Personality = 'modern' | '2.2';

/** A lab as the catalog lists it. */
export interface LabSummary {
  id: string;
  title: string;
  summary: string;
  topic: string;
  personality: Personality;
  /** Absent for free play. */
  difficulty?: 'beginner' | 'intermediate' | 'advanced';
  estimatedMinutes?: number;
  /** Labs to do first (ids). */
  prerequisites?: string[];
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
  /** The instructions, as Markdown. */
  instructions: string;
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
}

export interface SavedFile {
  path: string;
  size: number;
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
}

export interface SettingsService {
  get(): Promise<Settings>;
  set(key: SettingKey, value: string | number): Promise<Settings>;
}

export interface Services {
  labs: LabsService;
  machine: MachineService;
  terminal: TerminalService;
  workspace: WorkspaceService;
  settings: SettingsService;
}

/** What each area publishes; a listener names the topic (the session, or '' for app-wide). */
export interface Events {
  labs: Record<never, never>;
  machine: { status: MachineStatus };
  terminal: { output: TerminalChunk };
  workspace: Record<never, never>;
  settings: { changed: Settings };
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

const SETTING_KEYS = ['language', 'theme', 'fontSize', 'consoleLogLevel'] as const satisfies readonly SettingKey[];

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
  },
  machine: {
    open: sessionOnly,
    status: sessionOnly,
    boot: sessionOnly,
    reset: sessionOnly,
    powerOff: sessionOnly,
    reinstall: sessionOnly,
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
  labs: {},
  machine: { status: { topic: 'session' } },
  terminal: { output: { topic: 'session' } },
  workspace: {},
  settings: { changed: { topic: 'app' } },
};

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
