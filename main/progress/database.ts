// The progress database file: opening it, checking it, migrating it, and setting aside a damaged
// one. This is the only place that opens progress.db; ProgressStore (store.ts) is its user.
//
// Durability: WAL with synchronous=FULL, so a transaction that returned has been fsync'ed to the
// WAL and survives a power cut (better-sqlite3 builds SQLite with WAL synchronous=NORMAL by
// default, which may lose the last commits). The journal mode is persistent in the file; the
// other settings are per connection and set at every open.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { salvageInto } from './salvage.js';

export type Db = Database.Database;

export const DATABASE_FILE = 'progress.db';

/** A database written by a newer DriverLab: it is refused and left exactly as it is. */
export class NewerDatabaseError extends Error {
  constructor(readonly file: string, readonly version: number, readonly supported: number) {
    super(`${file} was written by a newer DriverLab (progress schema version ${version}; this one knows up to ${supported}). ` +
      'Update DriverLab to use it; the file was not changed.');
  }
}

/** A migration that could not be applied: its transaction was rolled back, the file is as before it. */
export class MigrationError extends Error {}

export interface OpenOptions {
  /** The schema's migrations (tests give shorter lists to build older versions). */
  migrations?: readonly Migration[];
  /** Clock for the name of a damaged file set aside. */
  now?: () => number;
}

export interface OpenedDatabase {
  db: Db;
  /** What the learner must be told, e.g. that a damaged file was set aside and where it is. */
  notices: string[];
}

/** SQLite's word that a file is damaged, as opposed to busy, unreadable or on a full disk. */
function isDamage(e: unknown): boolean {
  const code = e instanceof Database.SqliteError ? e.code : undefined;
  return code === 'SQLITE_NOTADB' || (code !== undefined && code.startsWith('SQLITE_CORRUPT'));
}

export function userVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * user_version as the file's header has it (offset 60), read without SQLite, which would create
 * -wal and -shm files beside a WAL database even to read it. undefined if not an SQLite file.
 */
function headerUserVersion(file: string): number | undefined {
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.readSync(fd, header, 0, 100, 0) < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\0') return undefined;
  } finally {
    fs.closeSync(fd);
  }
  return header.readInt32BE(60);
}

/**
 * Looks at an existing file without writing to it: refuses a newer schema (NewerDatabaseError)
 * and returns why the file is damaged, or undefined when it is sound.
 */
function inspect(file: string, supported: number): string | undefined {
  const inHeader = headerUserVersion(file);
  if (inHeader !== undefined && inHeader > supported) throw new NewerDatabaseError(file, inHeader, supported);
  let db: Db | undefined;
  try {
    // The header may be behind a WAL that has not been checkpointed yet: ask SQLite too.
    db = new Database(file, { readonly: true, fileMustExist: true });
    const version = userVersion(db);
    if (version > supported) throw new NewerDatabaseError(file, version, supported);
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (problems.length === 1 && problems[0] === 'ok') return undefined;
    return `integrity check failed: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; ... (${problems.length} problems)` : ''}`;
  } catch (e) {
    if (isDamage(e)) return (e as Error).message;
    throw e;
  } finally {
    db?.close();
  }
}

/** "20250102T030405Z": sortable, and valid in file names everywhere. */
function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}/, '').replace(/[-:]/g, '');
}

/** Renames a damaged file (and its WAL, which belongs to it and must not meet a new file) aside. */
function setAside(file: string, now: number): string {
  let aside = `${file}.corrupt-${fileStamp(now)}`;
  for (let n = 1; fs.existsSync(aside); n++) aside = `${file}.corrupt-${fileStamp(now)}-${n}`;
  fs.renameSync(file, aside);
  for (const suffix of ['-wal', '-shm', '-journal']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
  }
  return aside;
}

/**
 * Applies the migrations the database does not have yet. Each one runs with its version bump in
 * one IMMEDIATE transaction: a crash or an error leaves the previous version, never half a
 * migration; a second process migrating at the same time waits and then finds nothing to do.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migration ${m.name} is numbered ${m.version}, expected ${i + 1}`);
  });
  for (const m of migrations) {
    db.transaction(() => {
      const version = userVersion(db);
      if (version >= m.version) return;
      try {
        db.exec(m.sql);
      } catch (e) {
        throw new MigrationError(`progress database migration ${m.name} failed: ${(e as Error).message}`, { cause: e });
      }
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new MigrationError(`progress database migration ${m.name} left ${broken.length} broken references`);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

function configure(db: Db): void {
  if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') throw new Error(`${db.name}: cannot use write-ahead logging`);
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

/**
 * Opens (creating if needed) the progress database `file`, migrated to the current schema.
 * A damaged file is set aside as `<file>.corrupt-<time>`, a new one created, and whatever can
 * still be read from the old one imported; `notices` says so. A newer file is refused.
 */
export function openDatabase(file: string, options: OpenOptions = {}): OpenedDatabase {
  const migrations = options.migrations ?? MIGRATIONS;
  const notices: string[] = [];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const damage = fs.existsSync(file) ? inspect(file, migrations.length) : undefined;
  const aside = damage !== undefined ? setAside(file, (options.now ?? Date.now)()) : undefined;
  const db = new Database(file);
  try {
    configure(db);
    const version = userVersion(db); // again: another process may have migrated meanwhile
    if (version > migrations.length) throw new NewerDatabaseError(file, version, migrations.length);
    migrate(db, migrations);
    if (aside !== undefined) {
      const salvage = salvageInto(aside, db);
      notices.push(`Your progress database was damaged (${damage}). It has been moved to ${aside} ` +
        `and a new one created; ${salvage.summary}.`);
    }
  } catch (e) {
    db.close();
    throw e;
  }
  return { db, notices };
}
