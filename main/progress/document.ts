// The progress export document: a versioned JSON file that holds every record, how it is read
// from a database (strictly for export, record by record for the salvage of a damaged file),
// checked when it comes back, and merged into a database.
//
// Merging never loses a record: check runs, drill attempts and blobs are inserted if their key is
// new; labs keep the earliest first-opened and first-passed times, time spans the longest
// duration, hints the first reveal, settings the most recently changed value. Merging the same
// document twice changes nothing the second time.
import type Database from 'better-sqlite3';
import type { Db } from './database.js';
import { isSafeRelativePath, isValidLabId } from './paths.js';
import { RecordWriter, sha256 } from './records.js';
import { validateSetting } from './settings.js';
import type { CheckItem, DrillScore } from './types.js';

export const DOCUMENT_FORMAT = 'driverlab-progress';
export const DOCUMENT_VERSION = 1;

/** Times are ISO 8601 UTC strings with milliseconds ("2025-03-01T09:30:00.000Z"). */
export interface ProgressDocument {
  format: typeof DOCUMENT_FORMAT;
  version: typeof DOCUMENT_VERSION;
  exportedAt: string;
  labs: { id: string; firstOpenedAt: string; firstPassedAt: string | null }[];
  timeSpent: { labId: string; startedAt: string; durationMs: number }[];
  checkRuns: {
    uid: string;
    labId: string;
    at: string;
    seed: number;
    personality: string;
    passed: boolean;
    items: CheckItem[];
    /** Workspace path -> sha256 of its content in `blobs`. */
    files: Record<string, string>;
  }[];
  hints: { labId: string; hintId: string; revealedAt: string }[];
  drillAttempts: { uid: string; drillId: string; at: string; score: DrillScore }[];
  settings: { key: string; value: unknown; updatedAt: string }[];
  /** sha256 -> base64 content. */
  blobs: Record<string, string>;
}

export class DocumentError extends Error {}

const SHA256 = /^[0-9a-f]{64}$/;
const UID = /^[0-9A-Za-z-]{1,64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const iso = (ms: number) => new Date(ms).toISOString();

// ---- checking values: each throws DocumentError naming where in the document the problem is

function fail(at: string, what: string): never {
  throw new DocumentError(`${at}: ${what}`);
}
function object(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'expected an object');
  return v as Record<string, unknown>;
}
function array(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) fail(at, 'expected a list');
  return v;
}
function string(v: unknown, at: string, pattern?: RegExp): string {
  if (typeof v !== 'string') fail(at, 'expected a string');
  if (pattern && !pattern.test(v)) fail(at, `${JSON.stringify(v).slice(0, 80)} is not valid here`);
  return v;
}
function integer(v: unknown, at: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(at, `expected a whole number >= ${min}`);
  return v;
}
function boolean(v: unknown, at: string): boolean {
  if (typeof v !== 'boolean') fail(at, 'expected true or false');
  return v;
}
function time(v: unknown, at: string): number {
  const s = string(v, at);
  const ms = ISO_TIME.test(s) ? Date.parse(s) : NaN;
  if (Number.isNaN(ms) || iso(ms) !== s) fail(at, `${JSON.stringify(s).slice(0, 40)} is not a time like "2025-03-01T09:30:00.000Z"`);
  return ms;
}
function labId(v: unknown, at: string): string {
  if (!isValidLabId(v)) fail(at, `${JSON.stringify(v)} is not a lab id`);
  return v;
}

function checkItem(v: unknown, at: string): CheckItem {
  const o = object(v, at);
  return { id: string(o.id, `${at}.id`), title: string(o.title, `${at}.title`), passed: boolean(o.passed, `${at}.passed`), message: string(o.message, `${at}.message`) };
}

function drillScore(v: unknown, at: string): DrillScore {
  const o = object(v, at);
  return {
    virtualMs: integer(o.virtualMs, `${at}.virtualMs`), wallMs: integer(o.wallMs, `${at}.wallMs`),
    bytesLost: integer(o.bytesLost, `${at}.bytesLost`), keysPressed: integer(o.keysPressed, `${at}.keysPressed`),
    fixPassed: boolean(o.fixPassed, `${at}.fixPassed`),
  };
}

/**
 * Checks that `value` (parsed JSON) is a progress document this version understands, every
 * record well formed and every blob's content matching its hash. Times stay ISO strings.
 */
export function parseDocument(value: unknown): ProgressDocument {
  const o = object(value, 'document');
  if (o.format !== DOCUMENT_FORMAT) fail('format', `this is not a DriverLab progress export (expected "${DOCUMENT_FORMAT}")`);
  const version = integer(o.version, 'version', 1);
  if (version > DOCUMENT_VERSION) fail('version', `the file is version ${version}, written by a newer DriverLab; this one reads up to version ${DOCUMENT_VERSION}`);
  const blobs: Record<string, string> = {};
  for (const [hash, b64] of Object.entries(object(o.blobs, 'blobs'))) {
    const at = `blobs.${hash.slice(0, 12)}`;
    string(hash, at, SHA256);
    const data = Buffer.from(string(b64, at, /^[A-Za-z0-9+/]*={0,2}$/), 'base64');
    if (sha256(data) !== hash) fail(at, 'content does not match its sha256');
    blobs[hash] = b64 as string;
  }
  const list = <T>(key: string, f: (v: Record<string, unknown>, at: string) => T): T[] =>
    array(o[key], key).map((v, i) => f(object(v, `${key}[${i}]`), `${key}[${i}]`));
  const doc: ProgressDocument = {
    format: DOCUMENT_FORMAT,
    version: DOCUMENT_VERSION,
    exportedAt: iso(time(o.exportedAt, 'exportedAt')),
    labs: list('labs', (r, at) => {
      time(r.firstOpenedAt, `${at}.firstOpenedAt`);
      if (r.firstPassedAt !== null) time(r.firstPassedAt, `${at}.firstPassedAt`);
      return { id: labId(r.id, `${at}.id`), firstOpenedAt: r.firstOpenedAt as string, firstPassedAt: r.firstPassedAt as string | null };
    }),
    timeSpent: list('timeSpent', (r, at) => {
      time(r.startedAt, `${at}.startedAt`);
      return { labId: labId(r.labId, `${at}.labId`), startedAt: r.startedAt as string, durationMs: integer(r.durationMs, `${at}.durationMs`) };
    }),
    checkRuns: list('checkRuns', (r, at) => {
      time(r.at, `${at}.at`);
      const files: Record<string, string> = {};
      for (const [p, hash] of Object.entries(object(r.files, `${at}.files`))) {
        if (!isSafeRelativePath(p)) fail(`${at}.files`, `${JSON.stringify(p)} is not a relative path inside the workspace`);
        string(hash, `${at}.files[${JSON.stringify(p)}]`, SHA256);
        files[p] = hash as string;
      }
      return {
        uid: string(r.uid, `${at}.uid`, UID), labId: labId(r.labId, `${at}.labId`), at: r.at as string,
        seed: integer(r.seed, `${at}.seed`, Number.MIN_SAFE_INTEGER), personality: string(r.personality, `${at}.personality`, /^[\w.-]{1,32}$/),
        passed: boolean(r.passed, `${at}.passed`),
        items: array(r.items, `${at}.items`).map((v, i) => checkItem(v, `${at}.items[${i}]`)),
        files,
      };
    }),
    hints: list('hints', (r, at) => {
      time(r.revealedAt, `${at}.revealedAt`);
      return { labId: labId(r.labId, `${at}.labId`), hintId: string(r.hintId, `${at}.hintId`, /^.{1,200}$/s), revealedAt: r.revealedAt as string };
    }),
    drillAttempts: list('drillAttempts', (r, at) => {
      time(r.at, `${at}.at`);
      return { uid: string(r.uid, `${at}.uid`, UID), drillId: labId(r.drillId, `${at}.drillId`), at: r.at as string, score: drillScore(r.score, `${at}.score`) };
    }),
    settings: list('settings', (r, at) => {
      time(r.updatedAt, `${at}.updatedAt`);
      const key = string(r.key, `${at}.key`);
      try {
        validateSetting(key, r.value);
      } catch (e) {
        fail(at, (e as Error).message);
      }
      return { key, value: r.value, updatedAt: r.updatedAt as string };
    }),
    blobs,
  };
  return doc;
}

// ---- reading a database into a document

type Row = Record<string, unknown>;

interface TableRead {
  rows: Row[];
  /** Why reading stopped early, for a damaged table. */
  error?: string;
}

/**
 * A table's rows in rowid order. With `tolerant`, a read that fails keeps what it got and skips
 * the damaged stretch: it looks for the next rowid a seek can reach (nextReachable) and reads on
 * from there. A missing or garbled page then costs the rows on it, not the rest of the table.
 */
function readTable(db: Db, table: string, tolerant: boolean): TableRead {
  // Seeks use >=, never >: a seek for "> x" visits the page that holds x, which may be the damaged one.
  const select = <T>(what: string, limit = '') => db.prepare<[number], T>(`SELECT ${what} FROM "${table}" WHERE rowid >= ? ORDER BY rowid${limit}`);
  if (!tolerant) return { rows: select<Row>('rowid AS "rowid", *').all(-Infinity) };
  let scan: Database.Statement<[number], Row>;
  let probe: Database.Statement<[number], number>;
  try {
    scan = select<Row>('rowid AS "rowid", *');
    probe = select<number>('rowid', ' LIMIT 1').pluck();
  } catch (e) {
    return { rows: [], error: (e as Error).message }; // no schema, or no such table
  }
  const rows: Row[] = [];
  let error: string | undefined;
  let from = -Infinity; // the first rowid neither read nor given up
  for (;;) {
    const start = from;
    try {
      for (const row of scan.iterate(from)) {
        rows.push(row);
        from = (row.rowid as number) + 1;
      }
      return { rows, error };
    } catch (e) {
      error ??= (e as Error).message;
    }
    // A scan that failed before its first row gives that row up (it may be reachable by rowid
    // and not readable in full, e.g. with a lost overflow page).
    if (from === start) from = Number.isFinite(from) ? from + 1 : 1;
    const next = nextReachable(probe, from);
    if (next === undefined) return { rows, error };
    from = next;
  }
}

/**
 * The first rowid >= `from` that a seek can reach, or undefined if there is none: probes at
 * from + 1, 2, 4, 8, ... until one answers, then halves the gap back to where the damage ends.
 */
function nextReachable(probe: Database.Statement<[number], number>, from: number): number | undefined {
  const reach = (rowid: number): { found: number | undefined } | undefined => {
    try {
      return { found: probe.get(rowid) };
    } catch {
      return undefined; // in the damaged stretch
    }
  };
  let lo = from; // unreachable (the scan just failed there)
  let hi = from + 1;
  let answer = reach(hi);
  while (answer === undefined) {
    lo = hi;
    hi = from + (hi - from) * 2;
    if (hi > Number.MAX_SAFE_INTEGER) return undefined;
    answer = reach(hi);
  }
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const r = reach(mid);
    if (r === undefined) lo = mid;
    else { hi = mid; answer = r; }
  }
  return answer.found; // undefined: nothing beyond, the end of the table
}

export const TABLES = ['labs', 'lab_time', 'check_runs', 'check_items', 'snapshot_files', 'blobs', 'hints_revealed', 'drill_attempts', 'settings'] as const;

export interface ReadResult {
  doc: ProgressDocument;
  /** Records read, per table. */
  counts: Record<string, number>;
  /** Tables that could not be read to the end, with SQLite's reason. */
  damagedTables: { table: string; error: string }[];
  /** Rows read but not valid (a damaged page can hold garbage that still parses). */
  invalidRows: number;
  /** Snapshot files left out of their run because their content could not be read. */
  lostFiles: number;
}

/**
 * Reads every record of `db` into a document. Strict (export): any error throws. Tolerant
 * (salvage): each table is read on its own, as far as it can be, and invalid rows are skipped;
 * snapshot files whose content was lost are dropped from their run.
 */
export function readDocument(db: Db, opts: { tolerant: boolean; now?: number }): ReadResult {
  const tables = {} as Record<(typeof TABLES)[number], Row[]>;
  const damagedTables: ReadResult['damagedTables'] = [];
  for (const t of TABLES) {
    const r = readTable(db, t, opts.tolerant);
    tables[t] = r.rows;
    if (r.error !== undefined) damagedTables.push({ table: t, error: r.error });
  }
  let invalidRows = 0;
  let lostFiles = 0;
  /** Converts each row, skipping (tolerant) or throwing (strict) on invalid ones. */
  const rows = <T>(table: (typeof TABLES)[number], f: (r: Row, at: string) => T): T[] => {
    const out: T[] = [];
    for (const r of tables[table]) {
      try {
        out.push(f(r, `${table} row ${String(r.rowid)}`));
      } catch (e) {
        if (!opts.tolerant) throw e;
        invalidRows++;
      }
    }
    return out;
  };
  const ms = (v: unknown, at: string): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || Math.abs(v) > 8.64e15) fail(at, 'expected a time in milliseconds');
    return v;
  };
  const bit = (v: unknown, at: string) => {
    if (v !== 0 && v !== 1) fail(at, 'expected 0 or 1');
    return v === 1;
  };

  const blobs: Record<string, string> = {};
  rows('blobs', (r, at) => {
    const hash = string(r.sha256, at, SHA256);
    if (!(r.data instanceof Uint8Array) || sha256(r.data) !== hash) fail(at, 'content does not match its sha256');
    blobs[hash] = Buffer.from(r.data).toString('base64');
  });

  const itemsByRun = new Map<unknown, { position: number; item: CheckItem }[]>();
  rows('check_items', (r, at) => {
    const item = { id: string(r.item_id, at), title: string(r.title, at), passed: bit(r.passed, at), message: string(r.message, at) };
    const list = itemsByRun.get(r.run_id) ?? [];
    list.push({ position: integer(r.position, at), item });
    itemsByRun.set(r.run_id, list);
  });
  const filesByRun = new Map<unknown, Record<string, string>>();
  rows('snapshot_files', (r, at) => {
    if (!isSafeRelativePath(r.path)) fail(at, 'bad path');
    const hash = string(r.sha256, at, SHA256);
    if (opts.tolerant && blobs[hash] === undefined) { lostFiles++; return; }
    const files = filesByRun.get(r.run_id) ?? {};
    files[r.path] = hash;
    filesByRun.set(r.run_id, files);
  });

  const doc: ProgressDocument = {
    format: DOCUMENT_FORMAT,
    version: DOCUMENT_VERSION,
    exportedAt: iso(opts.now ?? Date.now()),
    labs: rows('labs', (r, at) => ({
      id: labId(r.lab_id, at),
      firstOpenedAt: iso(ms(r.first_opened_at, at)),
      firstPassedAt: r.first_passed_at === null ? null : iso(ms(r.first_passed_at, at)),
    })),
    timeSpent: rows('lab_time', (r, at) => ({ labId: labId(r.lab_id, at), startedAt: iso(ms(r.started_at, at)), durationMs: integer(r.duration_ms, at) })),
    checkRuns: rows('check_runs', (r, at) => ({
      uid: string(r.uid, at, UID), labId: labId(r.lab_id, at), at: iso(ms(r.started_at, at)),
      seed: integer(r.seed, at, Number.MIN_SAFE_INTEGER), personality: string(r.personality, at), passed: bit(r.passed, at),
      items: (itemsByRun.get(r.run_id) ?? []).sort((a, b) => a.position - b.position).map((x) => x.item),
      files: filesByRun.get(r.run_id) ?? {},
    })),
    hints: rows('hints_revealed', (r, at) => ({ labId: labId(r.lab_id, at), hintId: string(r.hint_id, at), revealedAt: iso(ms(r.revealed_at, at)) })),
    drillAttempts: rows('drill_attempts', (r, at) => ({
      uid: string(r.uid, at, UID), drillId: labId(r.drill_id, at), at: iso(ms(r.attempted_at, at)),
      score: { virtualMs: integer(r.virtual_ms, at), wallMs: integer(r.wall_ms, at), bytesLost: integer(r.bytes_lost, at), keysPressed: integer(r.keys_pressed, at), fixPassed: bit(r.fix_passed, at) },
    })),
    settings: rows('settings', (r, at) => {
      const key = string(r.key, at);
      const value: unknown = JSON.parse(string(r.value, at));
      validateSetting(key, value);
      return { key, value, updatedAt: iso(ms(r.updated_at, at)) };
    }),
    blobs,
  };
  const counts = Object.fromEntries(TABLES.map((t) => [t, tables[t].length]));
  return { doc, counts, damagedTables, invalidRows, lostFiles };
}

// ---- merging a document into a database

export interface Tally {
  added: number;
  present: number;
}

export interface MergeReport {
  labs: Tally;
  checkRuns: Tally;
  timeSpent: Tally;
  hints: Tally;
  drillAttempts: Tally;
  settings: Tally;
  blobs: Tally;
}

/** Merges `doc` (from parseDocument or readDocument) into `db` in one transaction. */
export function mergeDocument(db: Db, doc: ProgressDocument): MergeReport {
  const w = new RecordWriter(db);
  const tally = (): Tally => ({ added: 0, present: 0 });
  const report: MergeReport = { labs: tally(), checkRuns: tally(), timeSpent: tally(), hints: tally(), drillAttempts: tally(), settings: tally(), blobs: tally() };
  const count = (t: Tally, added: boolean) => { if (added) t.added++; else t.present++; };
  const ms = (s: string) => Date.parse(s);
  db.transaction(() => {
    for (const [hash, b64] of Object.entries(doc.blobs)) count(report.blobs, w.putBlob(hash, Buffer.from(b64, 'base64')));
    const labOpened = db.prepare<[string], { first_opened_at: number; first_passed_at: number | null }>('SELECT first_opened_at, first_passed_at FROM labs WHERE lab_id = ?');
    for (const lab of doc.labs) {
      const before = labOpened.get(lab.id);
      w.touchLab(lab.id, ms(lab.firstOpenedAt), lab.firstPassedAt === null ? null : ms(lab.firstPassedAt));
      const after = labOpened.get(lab.id)!;
      count(report.labs, before === undefined || before.first_opened_at !== after.first_opened_at || before.first_passed_at !== after.first_passed_at);
    }
    for (const run of doc.checkRuns) {
      if (w.hasRun(run.uid)) { report.checkRuns.present++; continue; }
      const files = Object.entries(run.files);
      for (const [p, hash] of files) {
        if (!w.hasBlob(hash)) throw new DocumentError(`check run ${run.uid}: the content of ${p} (${hash.slice(0, 12)}) is in neither the document nor the database`);
      }
      w.insertRun({ ...run, at: ms(run.at), files });
      report.checkRuns.added++;
    }
    for (const t of doc.timeSpent) count(report.timeSpent, w.putTime(t.labId, ms(t.startedAt), t.durationMs));
    for (const h of doc.hints) count(report.hints, w.putHint(h.labId, h.hintId, ms(h.revealedAt)));
    for (const d of doc.drillAttempts) count(report.drillAttempts, w.putDrillAttempt(d.uid, d.drillId, ms(d.at), d.score));
    for (const s of doc.settings) count(report.settings, w.putSetting(s.key, JSON.stringify(s.value), ms(s.updatedAt)));
  }).immediate();
  return report;
}

const NOUNS: Record<keyof MergeReport, [string, string]> = {
  checkRuns: ['check run', 'check runs'], drillAttempts: ['drill attempt', 'drill attempts'], hints: ['hint', 'hints'],
  timeSpent: ['time span', 'time spans'], labs: ['lab', 'labs'], settings: ['setting', 'settings'], blobs: ['file version', 'file versions'],
};

/** "3 check runs, 1 drill attempt" for the records a merge added (or found present). */
export function describeTallies(report: MergeReport, which: keyof Tally): string {
  const parts = (Object.keys(NOUNS) as (keyof MergeReport)[])
    .filter((k) => report[k][which] > 0)
    .map((k) => `${report[k][which]} ${NOUNS[k][report[k][which] === 1 ? 0 : 1]}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}
