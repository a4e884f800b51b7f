// The progress store on real SQLite files in temporary folders: migrations, refusal of a newer
// file, records and queries, blob deduplication, export/import, damaged files.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { MigrationError, NewerDatabaseError, migrate } from '../main/progress/database.js';
import { DocumentError, type ProgressDocument } from '../main/progress/document.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../main/progress/migrations/index.js';
import { SettingError } from '../main/progress/settings.js';
import { ProgressStore, RecordError } from '../main/progress/store.js';
import { dbFiles, dbPath, enc, items, noon, seededStore, tempHome, workspace } from './helpers/progress.js';

const require = createRequire(import.meta.url);
const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main/progress/migrations');

function schema(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();
  } finally {
    db.close();
  }
}

function pragma(file: string, name: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

/** A database at schema version `version`, built by running the first migrations. */
function databaseAt(home: string, version: number): void {
  fs.mkdirSync(home, { recursive: true });
  const db = new Database(dbPath(home));
  migrate(db, MIGRATIONS.slice(0, version));
  db.close();
}

/** The document without what differs between two exports of the same records. */
function comparable(doc: ProgressDocument) {
  const sortBy = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
  return {
    ...doc,
    exportedAt: undefined,
    checkRuns: sortBy(doc.checkRuns, (r) => r.uid),
    drillAttempts: sortBy(doc.drillAttempts, (d) => d.uid),
    labs: sortBy(doc.labs, (l) => l.id),
    timeSpent: sortBy(doc.timeSpent, (t) => t.labId + t.startedAt),
    hints: sortBy(doc.hints, (h) => h.labId + h.hintId),
  };
}

describe('progress database: migrations', () => {
  it('lists every numbered migration file of the folder, in order', () => {
    const files = fs.readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{3}_.*\.ts$/.test(f)).sort();
    expect(files.map((f) => f.replace(/\.ts$/, ''))).toEqual(MIGRATIONS.map((m) => m.name));
    MIGRATIONS.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.name.startsWith(String(i + 1).padStart(3, '0') + '_')).toBe(true);
    });
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('creates a new database with WAL, foreign keys and synchronous=FULL', () => {
    const home = path.join(tempHome(), 'not', 'yet', 'there');
    const store = ProgressStore.open({ home });
    expect(store.notices).toEqual([]);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    store.close();
    expect(pragma(dbPath(home), 'journal_mode')).toBe('wal'); // persistent in the file
  });

  it('migrates an empty file and every earlier version to the current schema', () => {
    const fresh = tempHome();
    ProgressStore.open({ home: fresh }).close();
    const expected = schema(dbPath(fresh));
    expect(expected.length).toBeGreaterThan(5);

    const empty = tempHome();
    fs.writeFileSync(dbPath(empty), ''); // a 0-byte file is an empty SQLite database
    ProgressStore.open({ home: empty }).close();
    expect(schema(dbPath(empty))).toEqual(expected);

    for (let version = 0; version < SCHEMA_VERSION; version++) {
      const home = tempHome();
      databaseAt(home, version);
      expect(pragma(dbPath(home), 'user_version')).toBe(version);
      const store = ProgressStore.open({ home });
      expect(store.notices).toEqual([]);
      store.close();
      expect(pragma(dbPath(home), 'user_version')).toBe(SCHEMA_VERSION);
      expect(schema(dbPath(home))).toEqual(expected);
    }
  });

  it('keeps the records of a database opened again (no migration runs twice)', () => {
    const home = tempHome();
    seededStore(home).close();
    const store = ProgressStore.open({ home });
    expect(store.labHistory('hello-proc').runs).toHaveLength(3);
    store.close();
  });

  it('rolls back a failing migration together with its version bump', () => {
    const home = tempHome();
    databaseAt(home, 1);
    const broken = [...MIGRATIONS.slice(0, 1), { version: 2, name: '002_broken', sql: 'CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);' }];
    expect(() => ProgressStore.open({ home, migrations: broken })).toThrow(MigrationError);
    expect(pragma(dbPath(home), 'user_version')).toBe(1);
    const db = new Database(dbPath(home), { readonly: true });
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    db.close();
    expect(dbFiles(home).filter((f) => f.includes('corrupt'))).toEqual([]);
  });

  for (const journal of ['wal', 'delete'] as const) {
    it(`refuses a database from a newer DriverLab and leaves it byte for byte (${journal} journal)`, () => {
      const home = tempHome();
      seededStore(home).close();
      const raw = new Database(dbPath(home));
      raw.pragma(`journal_mode = ${journal}`);
      raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      raw.close();
      const before = fs.readFileSync(dbPath(home));
      const filesBefore = dbFiles(home);
      let error: unknown;
      try {
        ProgressStore.open({ home });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NewerDatabaseError);
      expect((error as Error).message).toContain(`written by a newer DriverLab (progress schema version ${SCHEMA_VERSION + 1}; this one knows up to ${SCHEMA_VERSION})`);
      expect((error as Error).message).toContain('the file was not changed');
      expect(fs.readFileSync(dbPath(home)).equals(before)).toBe(true);
      expect(dbFiles(home)).toEqual(filesBefore);
    });
  }
});

describe('progress store: records and queries', () => {
  it('derives lab status, time, hints and the overview per lab and per topic', () => {
    const store = seededStore(tempHome());
    const catalog = [
      { id: 'hello-proc', title: 'A /proc hello module', topic: 'Kernel modules' },
      { id: 'chardev', title: 'A character device', topic: 'Character devices' },
      { id: 'irq', title: 'Interrupts', topic: 'Character devices' },
    ];
    const o = store.overview(catalog);
    expect(o.labs.map((l) => [l.id, l.status, l.checkRuns, l.hintsRevealed, l.timeSpentMs])).toEqual([
      ['hello-proc', 'passed', 3, 1, 20 * 60_000],
      ['chardev', 'in progress', 1, 0, 0],
      ['irq', 'not started', 0, 0, 0],
    ]);
    expect(o.labs[0]).toMatchObject({ title: 'A /proc hello module', firstOpenedAt: noon(3), firstPassedAt: noon(2) + 2 * 60_000, lastRunAt: noon(2) + 2 * 60_000 });
    expect(o.topics).toEqual([
      { topic: 'Kernel modules', labs: 1, passed: 1, inProgress: 0, timeSpentMs: 20 * 60_000 },
      { topic: 'Character devices', labs: 2, passed: 0, inProgress: 1, timeSpentMs: 0 },
    ]);
    expect(o.labsPassed).toBe(1);
    expect(o.totalTimeMs).toBe(20 * 60_000);
    // Activity 3, 2 and 1 days ago, none yet today: yesterday's streak still stands.
    expect(o.streakDays).toBe(3);
    expect(o.lastActiveDay).toBe('2025-03-09');
    // A lab the catalog does not know is still shown.
    expect(store.overview([]).labs.map((l) => [l.id, l.topic])).toEqual([['chardev', null], ['hello-proc', null]]);
    store.close();
  });

  it('counts a streak of consecutive local days, ending today or yesterday', () => {
    let today = noon(0);
    const store = ProgressStore.open({ home: tempHome(), now: () => today });
    expect(store.overview().streakDays).toBe(0);
    store.openLab('hello-proc', noon(5)); // an old day, then a gap
    store.revealHint('hello-proc', '1', noon(2) - 11 * 3600_000); // 01:00 two days ago
    store.recordDrillAttempt({ drillId: 'oops', at: noon(1) + 11 * 3600_000, score: { virtualMs: 1, wallMs: 1, bytesLost: 0, keysPressed: 1, fixPassed: true } }); // 23:00 yesterday
    expect(store.overview().streakDays).toBe(2);
    store.addTimeSpent('hello-proc', noon(0), 60_000);
    expect(store.overview().streakDays).toBe(3);
    today = noon(-2); // two days later, nothing done since: the streak is over
    expect(store.overview().streakDays).toBe(0);
    expect(store.overview().lastActiveDay).toBe('2025-03-10');
    store.close();
  });

  it("keeps a lab's history: runs oldest first, items and messages, seed, kernel, files", () => {
    const store = seededStore(tempHome());
    const h = store.labHistory('hello-proc');
    expect(h.status).toBe('passed');
    expect(h.hints).toEqual([{ hintId: 'copy-to-user', revealedAt: noon(2) }]);
    expect(h.runs.map((r) => [r.seed, r.passed])).toEqual([[1, false], [2, false], [3, true]]);
    expect(h.runs[0]!.items).toEqual(items(true, false));
    expect(h.runs[0]!.items[1]!.message).toBe('check 1 failed: expected 1, got 0');
    expect(h.runs[0]!.personality).toBe('modern');
    expect(h.runs[0]!.files).toEqual(['Makefile', 'hello.c', 'src/part2.c', 'src/part3.c']);
    expect(store.labHistory('chardev').runs[0]!.personality).toBe('2.2');
    expect(store.labHistory('irq')).toMatchObject({ status: 'not started', runs: [], firstOpenedAt: null });
    // A passed lab stays passed when a later run fails, and remembers when it first passed.
    store.recordCheckRun({ labId: 'hello-proc', at: noon(0), seed: 9, personality: 'modern', items: items(false), files: {} });
    expect(store.labHistory('hello-proc')).toMatchObject({ status: 'passed', firstPassedAt: noon(2) + 2 * 60_000 });
    // No items is not a pass.
    expect(store.recordCheckRun({ labId: 'irq', seed: 1, personality: 'modern', items: [], files: {} }).passed).toBe(false);
    store.close();
  });

  it("gives a drill's best and last scores", () => {
    const store = seededStore(tempHome());
    const s = store.drillScores('sysrq-sync');
    expect(s.attempts).toBe(2);
    expect(s.best?.score).toEqual({ virtualMs: 2500, wallMs: 20_000, bytesLost: 0, keysPressed: 12, fixPassed: true });
    store.recordDrillAttempt({ drillId: 'sysrq-sync', at: noon(0), score: { virtualMs: 100, wallMs: 1000, bytesLost: 4096, keysPressed: 3, fixPassed: true } });
    const again = store.drillScores('sysrq-sync');
    expect(again.last?.score.bytesLost).toBe(4096);
    expect(again.best?.score.bytesLost).toBe(0); // losing data is worse than being slow
    expect(store.drillScores('never-tried')).toEqual({ drillId: 'never-tried', attempts: 0, best: null, last: null });
    store.close();
  });

  it('stores each file content once however many snapshots hold it, and gives snapshots back exactly', () => {
    const store = ProgressStore.open({ home: tempHome() });
    const versions = [0, 1, 2, 1];
    const runs = versions.map((v) => store.recordCheckRun({ labId: 'hello-proc', seed: 1, personality: 'modern', items: items(true), files: workspace(20, v) }));
    const count = (table: string) => store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    expect(count('blobs')).toBe(20 + 2); // 19 unchanged files, and hello.c in 3 versions
    expect(count('snapshot_files')).toBe(4 * 20);
    runs.forEach((r, i) => expect(store.snapshot(r.runId)).toEqual(new Map(Object.entries(workspace(20, versions[i])))));
    store.close();
  });

  it('validates what it is asked to record, and the settings', () => {
    const store = ProgressStore.open({ home: tempHome() });
    expect(() => store.recordCheckRun({ labId: '../etc', seed: 1, personality: 'modern', items: [], files: {} })).toThrow(RecordError);
    expect(() => store.recordCheckRun({ labId: 'hello-proc', seed: 1, personality: 'modern', items: [], files: { '../../.bashrc': enc('x') } })).toThrow(/not a relative path inside the workspace/);
    expect(() => store.recordCheckRun({ labId: 'hello-proc', seed: 1.5, personality: 'modern', items: [], files: {} })).toThrow(RecordError);
    expect(() => store.recordDrillAttempt({ drillId: 'oops', score: { virtualMs: -1, wallMs: 0, bytesLost: 0, keysPressed: 0, fixPassed: true } })).toThrow(/virtualMs/);
    expect(store.db.prepare('SELECT count(*) FROM check_runs').pluck().get()).toBe(0);

    expect(store.settings()).toEqual({ language: 'en', theme: 'system', fontSize: 14, terminalFontSize: 14, consoleLogLevel: 4 });
    store.setSetting('language', 'ko');
    store.setSetting('consoleLogLevel', 6);
    expect(store.settings()).toMatchObject({ language: 'ko', consoleLogLevel: 6 });
    expect(() => store.setSetting('fontSize', 200)).toThrow(new SettingError('fontSize must be a whole number from 8 to 32, not 200'));
    expect(() => store.setSetting('theme', 'blue' as 'dark')).toThrow("theme must be one of 'system', 'light', 'dark'");
    expect(() => store.setSetting('consoleLogLevel', 0)).toThrow(SettingError);
    expect(store.settings()).toMatchObject({ fontSize: 14, theme: 'system' });
    store.close();
  });
});

describe('progress store: export and import', () => {
  it('round-trips every record through the JSON document', () => {
    const a = seededStore(tempHome());
    const doc = a.exportDocument();
    const b = ProgressStore.open({ home: tempHome(), now: () => noon() });
    const report = b.importDocument(JSON.parse(JSON.stringify(doc)));
    expect(report.checkRuns).toEqual({ added: 4, present: 0 });
    expect(report.drillAttempts).toEqual({ added: 2, present: 0 });
    expect(comparable(b.exportDocument())).toEqual(comparable(doc));
    expect(b.overview()).toEqual(a.overview());
    expect(b.settings()).toEqual(a.settings());
    const passing = b.labHistory('hello-proc').runs.at(-1)!;
    expect(b.snapshot(passing.runId)).toEqual(new Map(Object.entries(workspace(4, 2))));
    a.close();
    b.close();
  });

  it('merges without losing records, and importing twice changes nothing', () => {
    const a = seededStore(tempHome());
    const b = ProgressStore.open({ home: tempHome(), now: () => noon(0) });
    // b's own history: an earlier first opening of hello-proc, a newer setting, its own runs.
    b.openLab('hello-proc', noon(9));
    b.recordCheckRun({ labId: 'irq', at: noon(0), seed: 5, personality: 'modern', items: items(true), files: { 'irq.c': enc('irq') } });
    b.recordDrillAttempt({ drillId: 'sysrq-sync', at: noon(0), score: { virtualMs: 1, wallMs: 1, bytesLost: 0, keysPressed: 1, fixPassed: true } });
    b.setSetting('fontSize', 20, noon(0));
    b.setSetting('theme', 'dark', noon(0));
    const doc = JSON.parse(JSON.stringify(a.exportDocument()));
    const first = b.importDocument(doc);
    expect(first.checkRuns).toEqual({ added: 4, present: 0 });
    const merged = b.exportDocument();
    expect(merged.checkRuns).toHaveLength(5);
    expect(merged.drillAttempts).toHaveLength(3);
    const hello = b.labHistory('hello-proc');
    expect(hello.firstOpenedAt).toBe(noon(9)); // the earlier opening is kept
    expect(hello.status).toBe('passed');
    expect(b.settings()).toMatchObject({ fontSize: 20, theme: 'dark' }); // b's settings are newer

    const second = b.importDocument(doc);
    for (const tally of Object.values(second)) expect(tally.added).toBe(0);
    expect(comparable(b.exportDocument())).toEqual(comparable(merged));

    // And the other way: a gets b's records, keeps its own.
    a.importDocument(JSON.parse(JSON.stringify(merged)));
    expect(comparable(a.exportDocument())).toEqual(comparable(merged));
    a.close();
    b.close();
  });

  it('refuses an invalid or newer document as a whole, naming the problem', () => {
    const store = seededStore(tempHome());
    const good = JSON.parse(JSON.stringify(store.exportDocument())) as ProgressDocument;
    const before = store.exportDocument();
    const target = ProgressStore.open({ home: tempHome() });
    const variants: [string, (d: ProgressDocument) => unknown][] = [
      ['format: this is not a DriverLab progress export', (d) => ({ ...d, format: 'something-else' })],
      ['version: the file is version 2, written by a newer DriverLab', (d) => ({ ...d, version: 2 })],
      ['is not a relative path inside the workspace', (d) => { d.checkRuns[0]!.files['../../.bashrc'] = Object.values(d.checkRuns[0]!.files)[0]!; return d; }],
      ['content does not match its sha256', (d) => { const k = Object.keys(d.blobs)[0]!; d.blobs[k] = Buffer.from('evil').toString('base64'); return d; }],
      ['checkRuns[1].items[0].passed: expected true or false', (d) => { (d.checkRuns[1]!.items[0] as unknown as Record<string, unknown>).passed = 'yes'; return d; }],
      ['settings[0]: fontSize must be a whole number from 8 to 32', (d) => { d.settings[0]!.value = 99; return d; }],
      ['drillAttempts[0].at', (d) => { d.drillAttempts[0]!.at = 'yesterday'; return d; }],
      ['is in neither the document nor the database', (d) => { const k = Object.values(d.checkRuns[3]!.files)[0]!; delete d.blobs[k]; return d; }],
    ];
    for (const [message, mutate] of variants) {
      const bad = mutate(JSON.parse(JSON.stringify(good)));
      expect(() => target.importDocument(bad), message).toThrow(DocumentError);
      expect(() => target.importDocument(bad)).toThrow(message);
      expect(target.exportDocument().checkRuns, message).toEqual([]);
    }
    expect(comparable(store.exportDocument())).toEqual(comparable(before));
    store.close();
    target.close();
  });
});

describe('progress database: damaged files', () => {
  /** Runs `damage` on a closed, seeded database, opens it again; returns the store and the file set aside. */
  function damagedStore(runs: number, damage: (bytes: Buffer, file: string) => Buffer) {
    const home = tempHome();
    const original = seededStore(home, runs);
    const uids = original.labHistory('hello-proc').runs.map((r) => r.uid);
    original.close();
    expect(dbFiles(home)).toEqual(['progress.db']); // closed cleanly: everything is in the main file
    const damaged = damage(fs.readFileSync(dbPath(home)), dbPath(home));
    fs.writeFileSync(dbPath(home), damaged);
    const store = ProgressStore.open({ home, now: () => Date.UTC(2025, 2, 10, 9, 30, 15) });
    const aside = path.join(home, 'progress.db.corrupt-20250310T093015Z');
    expect(fs.readFileSync(aside).equals(damaged)).toBe(true);
    expect(store.notices).toHaveLength(1);
    expect(store.notices[0]).toContain(`It has been moved to ${aside} and a new one created`);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    return { store, uids, aside, home };
  }

  it('a file that is not a database: set aside, a new one created, nothing to recover', () => {
    const { store } = damagedStore(3, () => Buffer.from('<html>This is not what you saved.</html>\n'.repeat(100)));
    expect(store.notices[0]).toMatch(/^Your progress database was damaged \(file is not a database\)\./);
    expect(store.notices[0]).toContain('nothing could be read from it (file is not a database)');
    expect(store.exportDocument().checkRuns).toEqual([]);
    // The new database works.
    store.recordCheckRun({ labId: 'hello-proc', seed: 1, personality: 'modern', items: items(true), files: workspace(2) });
    expect(store.labHistory('hello-proc').status).toBe('passed');
    store.close();
  });

  /** The leaf pages of a table: page number and number of rows (SQLite's dbstat). */
  function leaves(file: string, table: string): { pageno: number; ncell: number }[] {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare<[string], { pageno: number; ncell: number }>("SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno").all(table);
    } finally {
      db.close();
    }
  }
  const PAGE = 4096;

  it('a truncated file: the records on the pages before the cut are recovered', () => {
    let expected = 0;
    const { store, uids } = damagedStore(60, (bytes, file) => {
      // Cut the file so that the first leaf page of check_runs survives and the others do not.
      const runLeaves = leaves(file, 'check_runs');
      expect(runLeaves.length).toBeGreaterThan(1);
      const kept = runLeaves[0]!.pageno;
      expect(runLeaves.at(-1)!.pageno).toBeGreaterThan(kept);
      expected = runLeaves.filter((l) => l.pageno <= kept).reduce((n, l) => n + l.ncell, 0);
      return bytes.subarray(0, kept * PAGE);
    });
    expect(store.notices[0]).toMatch(/^Your progress database was damaged \(database disk image is malformed\)\./);
    expect(store.notices[0]).toMatch(/recovered from it: \d+ check runs.*; could not be read to the end: .*check_runs/);
    const recovered = [...store.labHistory('hello-proc').runs, ...store.labHistory('chardev').runs];
    expect(recovered.length).toBe(expected);
    // What came back is what was recorded, and every snapshot file kept has its content.
    for (const r of store.labHistory('hello-proc').runs) {
      expect(uids).toContain(r.uid);
      const files = store.snapshot(r.runId);
      expect([...files.keys()]).toEqual(r.files);
      for (const [p, data] of files) expect(data).toEqual(workspace(4, r.seed - 1)[p]);
    }
    expect(store.drillScores('sysrq-sync').attempts).toBe(2);
    store.close();
  });

  it('a destroyed page in the middle: the rows on the pages after it are recovered too', () => {
    let lost = 0;
    let total = 0;
    const { store } = damagedStore(60, (bytes, file) => {
      const fileLeaves = leaves(file, 'snapshot_files');
      expect(fileLeaves.length).toBeGreaterThan(2);
      total = fileLeaves.reduce((n, l) => n + l.ncell, 0);
      const victim = fileLeaves[1]!;
      lost = victim.ncell;
      bytes.fill(0, (victim.pageno - 1) * PAGE, victim.pageno * PAGE);
      return bytes;
    });
    expect(store.notices[0]).toMatch(/could not be read to the end: snapshot_files/);
    const runs = [...store.labHistory('hello-proc').runs, ...store.labHistory('chardev').runs];
    expect(runs).toHaveLength(61);
    expect(runs.reduce((n, r) => n + r.files.length, 0)).toBe(total - lost);
    store.close();
  });

  it('a file failing PRAGMA integrity_check: every readable record is recovered', () => {
    let uidIndexPage = 0;
    const { store, uids } = damagedStore(3, (bytes, file) => {
      // Flip one character of a run's uid inside the uid index only: the table stays intact,
      // the index no longer matches it.
      const db = new Database(file, { readonly: true });
      uidIndexPage = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_check_runs_1'").pluck().get() as number;
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const uid = db.prepare('SELECT uid FROM check_runs ORDER BY run_id').pluck().get() as string;
      db.close();
      const page = bytes.subarray((uidIndexPage - 1) * pageSize, uidIndexPage * pageSize);
      const at = page.indexOf(uid);
      expect(at).toBeGreaterThan(0);
      page[at] = page[at] === 0x61 ? 0x62 : 0x61; // another hex digit
      return bytes;
    });
    expect(uidIndexPage).toBeGreaterThan(1);
    expect(store.notices[0]).toMatch(/^Your progress database was damaged \(integrity check failed: .*sqlite_autoindex_check_runs_1/);
    expect(store.labHistory('hello-proc').runs.map((r) => r.uid)).toEqual(uids);
    expect(store.labHistory('chardev').runs).toHaveLength(1);
    expect(store.drillScores('sysrq-sync').attempts).toBe(2);
    expect(store.labHistory('hello-proc').hints).toHaveLength(1);
    expect(store.settings().fontSize).toBe(16);
    expect(store.notices[0]).toContain('recovered from it: 4 check runs, 2 drill attempts, 1 hint');
    store.close();
  });

  it('refuses a newer version still in the write-ahead log of a crashed newer app', () => {
    const home = tempHome();
    seededStore(home).close();
    // A newer DriverLab bumps the version and dies before a checkpoint copies it into the file.
    const newer = `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(dbPath(home))});
      db.pragma('wal_autocheckpoint = 0');
      db.pragma('user_version = ${SCHEMA_VERSION + 1}');
      process.kill(process.pid, 'SIGKILL');`;
    spawnSync(process.execPath, ['-e', newer]);
    expect(dbFiles(home)).toContain('progress.db-wal');
    const before = fs.readFileSync(dbPath(home));
    const walBefore = fs.readFileSync(dbPath(home) + '-wal');
    expect(() => ProgressStore.open({ home })).toThrow(NewerDatabaseError);
    expect(fs.readFileSync(dbPath(home)).equals(before)).toBe(true);
    expect(fs.readFileSync(dbPath(home) + '-wal').equals(walBefore)).toBe(true);
  });

  it('does not set aside a database that is only busy or unreadable', () => {
    const home = tempHome();
    seededStore(home).close();
    fs.chmodSync(dbPath(home), 0o000);
    try {
      if (process.getuid?.() === 0) return; // root reads anything: nothing to test
      expect(() => ProgressStore.open({ home })).toThrow();
      expect(dbFiles(home)).toEqual(['progress.db']);
    } finally {
      fs.chmodSync(dbPath(home), 0o644);
    }
  });
});
