// The progress store: what the lab framework records (check runs with workspace snapshots, hints,
// drill attempts, time) and what the UI and the CLI ask of it. One instance owns one open
// database; the desktop app and the CLI both go through it.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE, openDatabase, type Db } from './database.js';
import { mergeDocument, parseDocument, readDocument, type MergeReport, type ProgressDocument } from './document.js';
import type { Migration } from './migrations/index.js';
import { dataHome, isSafeRelativePath, isValidLabId } from './paths.js';
import { RecordWriter, sha256 } from './records.js';
import { DEFAULT_SETTINGS, isSettingKey, validateSetting, type SettingKey, type Settings } from './settings.js';
import type {
  CheckItem, CheckRunInput, CheckRunRecord, DrillAttemptInput, DrillAttemptRecord, DrillScore, DrillScores,
  LabCatalogEntry, LabHistory, LabProgress, LabStatus, ProgressOverview, TopicProgress, WorkspaceFiles,
} from './types.js';

export interface StoreOptions {
  /** The data folder (default: dataHome()); the database is <home>/progress.db. */
  home?: string;
  /** How long a write waits for another program's lock (SQLite's busy_timeout) before it is kept for later. */
  busyTimeoutMs?: number;
  now?: () => number;
  migrations?: readonly Migration[];
}

/** A caller's mistake in what it asked to record. */
export class RecordError extends Error {}

/**
 * Another program holds the database's write lock longer than the busy timeout. What was to be
 * recorded is kept in memory and written before the store's next write (or at close), in order.
 */
export class ProgressBusyError extends Error {
  constructor(file: string, readonly pending: number) {
    super(`The progress database ${file} is locked by another program (another DriverLab, or a database browser with unsaved changes?). ` +
      `Nothing is lost: ${pending === 1 ? 'this record is' : `${pending} records are`} kept and will be saved as soon as it lets go; close the other program if this persists.`);
  }
}

/** SQLite's busy_timeout for the store's connection: a write locked out longer than this is kept pending (ProgressBusyError). */
const BUSY_TIMEOUT_MS = 5000;

/** SQLite's codes for a lock another connection holds. */
function isBusy(e: unknown): boolean {
  return e instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(e.code);
}

function requireLabId(id: unknown, what = 'lab id'): string {
  if (!isValidLabId(id)) throw new RecordError(`${JSON.stringify(id)} is not a valid ${what}`);
  return id;
}

function requireCount(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new RecordError(`${what} must be a whole number >= 0, not ${JSON.stringify(v)}`);
  return v;
}

function requireTime(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new RecordError(`${what} must be a time in milliseconds since the epoch`);
  return v;
}

function fileEntries(files: WorkspaceFiles): [string, Uint8Array][] {
  const entries = files instanceof Map ? [...(files as ReadonlyMap<string, Uint8Array>)] : Object.entries(files as Record<string, Uint8Array>);
  for (const [p, data] of entries) {
    if (!isSafeRelativePath(p)) throw new RecordError(`workspace file ${JSON.stringify(p)}: not a relative path inside the workspace`);
    if (!(data instanceof Uint8Array)) throw new RecordError(`workspace file ${p}: content must be bytes`);
  }
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** YYYY-MM-DD of the local day `ms` falls in. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The local day before `day` (YYYY-MM-DD); noon keeps daylight-saving changes out of it. */
function dayBefore(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return localDay(new Date(y, m - 1, d - 1, 12).getTime());
}

function statusOf(lab: { first_opened_at: number; first_passed_at: number | null } | undefined): LabStatus {
  if (lab === undefined) return 'not started';
  return lab.first_passed_at !== null ? 'passed' : 'in progress';
}

/**
 * Which of two attempts at a drill is better: a fix that passed beats one that did not; then
 * fewer bytes lost, less virtual time to recover, fewer keys pressed, less wall time.
 */
export function compareDrillScores(a: DrillScore, b: DrillScore): number {
  return Number(b.fixPassed) - Number(a.fixPassed) || a.bytesLost - b.bytesLost || a.virtualMs - b.virtualMs ||
    a.keysPressed - b.keysPressed || a.wallMs - b.wallMs;
}

interface RunRow { run_id: number; uid: string; lab_id: string; started_at: number; seed: number; personality: string; passed: number }
interface LabRow { lab_id: string; first_opened_at: number; first_passed_at: number | null }
interface DrillRow { attempt_id: number; uid: string; drill_id: string; attempted_at: number; virtual_ms: number; wall_ms: number; bytes_lost: number; keys_pressed: number; fix_passed: number }

export class ProgressStore {
  /** What the learner must be told about the database (e.g. a damaged file set aside). */
  readonly notices: readonly string[];
  private readonly writer: RecordWriter;

  private constructor(readonly db: Db, readonly home: string, readonly file: string, private readonly now: () => number, notices: string[]) {
    this.notices = notices;
    this.writer = new RecordWriter(db);
  }

  static open(options: StoreOptions = {}): ProgressStore {
    const home = options.home ?? dataHome();
    const file = path.join(home, DATABASE_FILE);
    const now = options.now ?? Date.now;
    const { db, notices } = openDatabase(file, { migrations: options.migrations, now });
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? BUSY_TIMEOUT_MS}`);
    return new ProgressStore(db, home, file, now, notices);
  }

  close(): void {
    try {
      this.flushPending();
    } finally {
      this.db.close();
    }
  }

  /** Writes that met another program's lock, oldest first. */
  private readonly pending: (() => void)[] = [];

  /** Writes what earlier writes left pending; stops at the first that is still locked out. */
  private flushPending(): void {
    while (this.pending.length > 0) {
      try {
        this.pending[0]!();
      } catch (e) {
        if (isBusy(e)) throw new ProgressBusyError(this.file, this.pending.length);
        throw e;
      }
      this.pending.shift();
    }
  }

  /** Runs a write after any pending ones; if the database is locked, keeps it for later and says so. */
  private write<T>(f: () => T): T {
    try {
      this.flushPending();
    } catch (e) {
      if (e instanceof ProgressBusyError) { this.pending.push(() => { f(); }); throw new ProgressBusyError(this.file, this.pending.length); }
      throw e;
    }
    try {
      return f();
    } catch (e) {
      if (!isBusy(e)) throw e;
      this.pending.push(() => { f(); });
      throw new ProgressBusyError(this.file, this.pending.length);
    }
  }

  // ---- recording

  /** The learner opened a lab. */
  openLab(labId: string, at = this.now()): void {
    const id = requireLabId(labId);
    const when = requireTime(at, 'at');
    this.write(() => this.writer.touchLab(id, when, null));
  }

  /** The learner worked in a lab from `startedAt` for `durationMs`; call again with the same start to extend the span. */
  addTimeSpent(labId: string, startedAt: number, durationMs: number): void {
    const id = requireLabId(labId);
    const start = requireTime(startedAt, 'startedAt');
    const ms = requireCount(durationMs, 'durationMs');
    this.write(() => this.writer.putTime(id, start, ms));
  }

  /**
   * Records a check run with its workspace snapshot, durably (the transaction is fsync'ed before
   * this returns). A run passes when it has items and all of them passed.
   */
  recordCheckRun(input: CheckRunInput): { runId: number; uid: string; passed: boolean } {
    const labId = requireLabId(input.labId);
    const at = requireTime(input.at ?? this.now(), 'at');
    if (!Number.isSafeInteger(input.seed)) throw new RecordError(`seed must be an integer, not ${JSON.stringify(input.seed)}`);
    if (typeof input.personality !== 'string' || !/^[\w.-]{1,32}$/.test(input.personality)) throw new RecordError(`${JSON.stringify(input.personality)} is not a kernel personality`);
    const items: CheckItem[] = input.items.map((it, i) => {
      if (typeof it.id !== 'string' || typeof it.title !== 'string' || typeof it.passed !== 'boolean' || typeof it.message !== 'string') {
        throw new RecordError(`check item ${i}: needs id, title, message (strings) and passed (boolean)`);
      }
      return { id: it.id, title: it.title, passed: it.passed, message: it.message };
    });
    const files = fileEntries(input.files).map(([p, data]) => ({ path: p, data, hash: sha256(data) }));
    const passed = items.length > 0 && items.every((it) => it.passed);
    const uid = randomUUID();
    const runId = this.write(() => this.db.transaction(() => {
      for (const f of files) this.writer.putBlob(f.hash, f.data);
      return this.writer.insertRun({ uid, labId, at, seed: input.seed, personality: input.personality, passed, items, files: files.map((f) => [f.path, f.hash] as const) });
    }).immediate());
    return { runId, uid, passed };
  }

  /** The learner revealed a hint of a lab; the first reveal is the one kept. */
  revealHint(labId: string, hintId: string, at = this.now()): void {
    if (typeof hintId !== 'string' || hintId.length === 0 || hintId.length > 200) throw new RecordError(`${JSON.stringify(hintId)} is not a hint id`);
    const id = requireLabId(labId);
    const when = requireTime(at, 'at');
    this.write(() => this.writer.putHint(id, hintId, when));
  }

  recordDrillAttempt(input: DrillAttemptInput): { attemptId: number; uid: string } {
    const drillId = requireLabId(input.drillId, 'drill id');
    const at = requireTime(input.at ?? this.now(), 'at');
    const s = input.score;
    const score: DrillScore = {
      virtualMs: requireCount(s.virtualMs, 'virtualMs'), wallMs: requireCount(s.wallMs, 'wallMs'),
      bytesLost: requireCount(s.bytesLost, 'bytesLost'), keysPressed: requireCount(s.keysPressed, 'keysPressed'),
      fixPassed: s.fixPassed === true,
    };
    const uid = randomUUID();
    this.write(() => this.writer.putDrillAttempt(uid, drillId, at, score));
    const attemptId = this.db.prepare<[string], number>('SELECT attempt_id FROM drill_attempts WHERE uid = ?').pluck().get(uid)!;
    return { attemptId, uid };
  }

  // ---- settings

  settings(): Settings {
    const out: Settings = { ...DEFAULT_SETTINGS };
    for (const { key, value } of this.db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings').all()) {
      // A value this version does not accept (say, a language added later) keeps its default here.
      if (!isSettingKey(key)) continue;
      try {
        (out as unknown as Record<string, unknown>)[key] = validateSetting(key, JSON.parse(value));
      } catch { /* keep the default */ }
    }
    return out;
  }

  /** Validates and stores a setting; a SettingError says what the setting accepts. */
  setSetting<K extends SettingKey>(key: K, value: Settings[K], at = this.now()): void {
    const valid = validateSetting(key as string, value);
    this.db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(valid), requireTime(at, 'at'));
  }

  // ---- queries

  /** Every lab of the catalog (in its order), then labs the database knows and the catalog does not. */
  overview(catalog: readonly LabCatalogEntry[] = []): ProgressOverview {
    const labRows = new Map(this.db.prepare<[], LabRow>('SELECT * FROM labs').all().map((r) => [r.lab_id, r]));
    const time = new Map(this.db.prepare<[], [string, number]>('SELECT lab_id, SUM(duration_ms) FROM lab_time GROUP BY lab_id').raw().all());
    const runs = new Map(this.db.prepare<[], [string, number, number]>('SELECT lab_id, COUNT(*), MAX(started_at) FROM check_runs GROUP BY lab_id').raw().all().map((r) => [r[0], r]));
    const hints = new Map(this.db.prepare<[], [string, number]>('SELECT lab_id, COUNT(*) FROM hints_revealed GROUP BY lab_id').raw().all());
    const inCatalog = new Set(catalog.map((c) => c.id));
    const entries: { id: string; title: string; topic: string | null }[] = [
      ...catalog,
      ...[...labRows.keys()].filter((id) => !inCatalog.has(id)).sort().map((id) => ({ id, title: id, topic: null })),
    ];
    const labs: LabProgress[] = entries.map((e) => {
      const row = labRows.get(e.id);
      return {
        id: e.id, title: e.title, topic: e.topic, status: statusOf(row),
        firstOpenedAt: row?.first_opened_at ?? null, firstPassedAt: row?.first_passed_at ?? null,
        timeSpentMs: time.get(e.id) ?? 0, checkRuns: runs.get(e.id)?.[1] ?? 0, lastRunAt: runs.get(e.id)?.[2] ?? null,
        hintsRevealed: hints.get(e.id) ?? 0,
      };
    });
    const topics = new Map<string | null, TopicProgress>();
    for (const lab of labs) {
      const t = topics.get(lab.topic) ?? { topic: lab.topic, labs: 0, passed: 0, inProgress: 0, timeSpentMs: 0 };
      t.labs++;
      if (lab.status === 'passed') t.passed++;
      if (lab.status === 'in progress') t.inProgress++;
      t.timeSpentMs += lab.timeSpentMs;
      topics.set(lab.topic, t);
    }
    const days = this.activeDays();
    return {
      labs,
      topics: [...topics.values()].sort((a, b) => Number(a.topic === null) - Number(b.topic === null)),
      labsPassed: labs.filter((l) => l.status === 'passed').length,
      totalTimeMs: [...time.values()].reduce((a, b) => a + b, 0),
      streakDays: this.streak(days),
      lastActiveDay: [...days].sort().at(-1) ?? null,
    };
  }

  /** Local days on which the learner did anything: opened a lab, worked, ran a check, took a hint, tried a drill. */
  private activeDays(): Set<string> {
    // Distinct quarter hours first (every time zone's offset is a multiple of 15 minutes), so
    // the number of rows stays small however many records there are.
    const QUARTER = 15 * 60_000;
    const quarters = this.db.prepare<[], number>(`SELECT DISTINCT t / ${QUARTER} FROM (
        SELECT first_opened_at AS t FROM labs UNION ALL SELECT started_at FROM lab_time
        UNION ALL SELECT started_at FROM check_runs UNION ALL SELECT revealed_at FROM hints_revealed
        UNION ALL SELECT attempted_at FROM drill_attempts)`).pluck().all();
    return new Set(quarters.map((q) => localDay(q * QUARTER)));
  }

  private streak(days: Set<string>): number {
    let day = localDay(this.now());
    if (!days.has(day)) day = dayBefore(day); // today is not over: yesterday's streak still stands
    let n = 0;
    for (; days.has(day); day = dayBefore(day)) n++;
    return n;
  }

  /** Everything recorded about a lab, runs oldest first. */
  labHistory(labId: string): LabHistory {
    requireLabId(labId);
    const lab = this.db.prepare<[string], LabRow>('SELECT * FROM labs WHERE lab_id = ?').get(labId);
    const runs = this.db.prepare<[string], RunRow>('SELECT * FROM check_runs WHERE lab_id = ? ORDER BY started_at, run_id').all(labId);
    return {
      labId,
      status: statusOf(lab),
      firstOpenedAt: lab?.first_opened_at ?? null,
      firstPassedAt: lab?.first_passed_at ?? null,
      timeSpentMs: this.db.prepare<[string], number>('SELECT coalesce(SUM(duration_ms), 0) FROM lab_time WHERE lab_id = ?').pluck().get(labId)!,
      hints: this.db.prepare<[string], { hintId: string; revealedAt: number }>('SELECT hint_id AS hintId, revealed_at AS revealedAt FROM hints_revealed WHERE lab_id = ? ORDER BY revealed_at').all(labId),
      runs: runs.map((r) => this.runRecord(r)),
    };
  }

  checkRun(runId: number): CheckRunRecord | undefined {
    const row = this.db.prepare<[number], RunRow>('SELECT * FROM check_runs WHERE run_id = ?').get(runId);
    return row && this.runRecord(row);
  }

  private runRecord(r: RunRow): CheckRunRecord {
    const items = this.db.prepare<[number], { id: string; title: string; passed: number; message: string }>(
      'SELECT item_id AS id, title, passed, message FROM check_items WHERE run_id = ? ORDER BY position').all(r.run_id);
    return {
      runId: r.run_id, uid: r.uid, labId: r.lab_id, at: r.started_at, seed: r.seed, personality: r.personality, passed: r.passed === 1,
      items: items.map((it) => ({ ...it, passed: it.passed === 1 })),
      files: this.db.prepare<[number], string>('SELECT path FROM snapshot_files WHERE run_id = ? ORDER BY path').pluck().all(r.run_id),
    };
  }

  /** The workspace files saved with a check run. */
  snapshot(runId: number): Map<string, Uint8Array> {
    const rows = this.db.prepare<[number], { path: string; data: Buffer }>(
      'SELECT f.path, b.data FROM snapshot_files f JOIN blobs b USING (sha256) WHERE f.run_id = ? ORDER BY f.path').all(runId);
    return new Map(rows.map((r) => [r.path, new Uint8Array(r.data)]));
  }

  /** Whether some check run saved exactly this content (so overwriting a file holding it loses nothing). */
  hasContent(data: Uint8Array): boolean {
    return this.writer.hasBlob(sha256(data));
  }

  drillScores(drillId: string): DrillScores {
    requireLabId(drillId, 'drill id');
    const rows = this.db.prepare<[string], DrillRow>('SELECT * FROM drill_attempts WHERE drill_id = ? ORDER BY attempted_at, attempt_id').all(drillId);
    const attempts: DrillAttemptRecord[] = rows.map((r) => ({
      attemptId: r.attempt_id, uid: r.uid, drillId: r.drill_id, at: r.attempted_at,
      score: { virtualMs: r.virtual_ms, wallMs: r.wall_ms, bytesLost: r.bytes_lost, keysPressed: r.keys_pressed, fixPassed: r.fix_passed === 1 },
    }));
    const best = attempts.reduce<DrillAttemptRecord | null>((b, a) => (b === null || compareDrillScores(a.score, b.score) < 0 ? a : b), null);
    return { drillId, attempts: attempts.length, best, last: attempts.at(-1) ?? null };
  }

  /** Best and last scores of every drill attempted, by drill id. */
  allDrillScores(): DrillScores[] {
    return this.db.prepare<[], string>('SELECT DISTINCT drill_id FROM drill_attempts ORDER BY drill_id').pluck().all().map((id) => this.drillScores(id));
  }

  // ---- export and import

  exportDocument(): ProgressDocument {
    // One read transaction: a consistent picture even while another process records.
    return this.db.transaction(() => readDocument(this.db, { tolerant: false, now: this.now() }).doc)();
  }

  /** Checks `value` (parsed JSON) and merges it; nothing is written unless all of it is valid. */
  importDocument(value: unknown): MergeReport {
    return mergeDocument(this.db, parseDocument(value));
  }
}
