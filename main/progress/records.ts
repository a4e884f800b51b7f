// The writes every record goes through, whether it comes from the lab framework (store.ts), an
// imported document or a damaged file's salvage (document.ts). Each is idempotent on the
// record's natural key, which is what lets an import merge instead of duplicate.
// Callers run them inside a transaction.
import { createHash } from 'node:crypto';
import type { Db } from './database.js';
import type { CheckItem, DrillScore } from './types.js';

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface RunRecord {
  uid: string;
  labId: string;
  at: number;
  seed: number;
  personality: string;
  passed: boolean;
  items: readonly CheckItem[];
  /** path -> sha256 of a blob already in the database. */
  files: ReadonlyArray<readonly [string, string]>;
}

export class RecordWriter {
  private readonly stmts;

  constructor(private readonly db: Db) {
    const p = <T = unknown>(sql: string) => db.prepare<unknown[], T>(sql);
    this.stmts = {
      // min() of SQLite returns NULL if any argument is NULL: coalesce keeps the known time.
      touchLab: p(`INSERT INTO labs (lab_id, first_opened_at, first_passed_at) VALUES (?, ?, ?)
        ON CONFLICT (lab_id) DO UPDATE SET
          first_opened_at = min(first_opened_at, excluded.first_opened_at),
          first_passed_at = coalesce(min(first_passed_at, excluded.first_passed_at), first_passed_at, excluded.first_passed_at)`),
      hasBlob: p<number>('SELECT 1 FROM blobs WHERE sha256 = ?').pluck(),
      putBlob: p('INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)'),
      hasRun: p<number>('SELECT 1 FROM check_runs WHERE uid = ?').pluck(),
      insertRun: p('INSERT INTO check_runs (uid, lab_id, started_at, seed, personality, passed) VALUES (?, ?, ?, ?, ?, ?)'),
      insertItem: p('INSERT INTO check_items (run_id, position, item_id, title, passed, message) VALUES (?, ?, ?, ?, ?, ?)'),
      insertFile: p('INSERT INTO snapshot_files (run_id, path, sha256) VALUES (?, ?, ?)'),
      timeSpan: p<number>('SELECT duration_ms FROM lab_time WHERE lab_id = ? AND started_at = ?').pluck(),
      putTime: p(`INSERT INTO lab_time (lab_id, started_at, duration_ms) VALUES (?, ?, ?)
        ON CONFLICT (lab_id, started_at) DO UPDATE SET duration_ms = max(duration_ms, excluded.duration_ms)`),
      hintAt: p<number>('SELECT revealed_at FROM hints_revealed WHERE lab_id = ? AND hint_id = ?').pluck(),
      putHint: p(`INSERT INTO hints_revealed (lab_id, hint_id, revealed_at) VALUES (?, ?, ?)
        ON CONFLICT (lab_id, hint_id) DO UPDATE SET revealed_at = min(revealed_at, excluded.revealed_at)`),
      putDrill: p(`INSERT OR IGNORE INTO drill_attempts (uid, drill_id, attempted_at, virtual_ms, wall_ms, bytes_lost, keys_pressed, fix_passed)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      putSetting: p(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        WHERE excluded.updated_at > settings.updated_at`),
    };
  }

  /** The lab was opened at `openedAt` (and passed at `passedAt`): keeps the earliest of each. */
  touchLab(labId: string, openedAt: number, passedAt: number | null): void {
    this.stmts.touchLab.run(labId, openedAt, passedAt);
  }

  hasBlob(hash: string): boolean {
    return this.stmts.hasBlob.get(hash) !== undefined;
  }

  /** Stores `data` under its hash unless it is there already; true if it was new. */
  putBlob(hash: string, data: Uint8Array): boolean {
    if (this.hasBlob(hash)) return false;
    this.stmts.putBlob.run(hash, data.length, data);
    return true;
  }

  hasRun(uid: string): boolean {
    return this.stmts.hasRun.get(uid) !== undefined;
  }

  /** Inserts a check run that is not there yet (see hasRun); returns its run id. */
  insertRun(run: RunRecord): number {
    this.touchLab(run.labId, run.at, run.passed ? run.at : null);
    const runId = Number(this.stmts.insertRun.run(run.uid, run.labId, run.at, run.seed, run.personality, run.passed ? 1 : 0).lastInsertRowid);
    run.items.forEach((item, position) => {
      this.stmts.insertItem.run(runId, position, item.id, item.title, item.passed ? 1 : 0, item.message);
    });
    for (const [path, hash] of run.files) this.stmts.insertFile.run(runId, path, hash);
    return runId;
  }

  /** A span of time in a lab; a longer span with the same start extends it. True if it changed anything. */
  putTime(labId: string, startedAt: number, durationMs: number): boolean {
    const known = this.stmts.timeSpan.get(labId, startedAt);
    if (known !== undefined && known >= durationMs) return false;
    this.touchLab(labId, startedAt, null);
    this.stmts.putTime.run(labId, startedAt, durationMs);
    return true;
  }

  /** A hint shown; the first time counts. True if it changed anything. */
  putHint(labId: string, hintId: string, at: number): boolean {
    const known = this.stmts.hintAt.get(labId, hintId);
    if (known !== undefined && known <= at) return false;
    this.touchLab(labId, at, null);
    this.stmts.putHint.run(labId, hintId, at);
    return true;
  }

  /** True if the attempt was new. */
  putDrillAttempt(uid: string, drillId: string, at: number, s: DrillScore): boolean {
    return this.stmts.putDrill.run(uid, drillId, at, s.virtualMs, s.wallMs, s.bytesLost, s.keysPressed, s.fixPassed ? 1 : 0).changes > 0;
  }

  /** Sets a setting (a JSON value) unless the database has a newer one. True if it changed anything. */
  putSetting(key: string, json: string, updatedAt: number): boolean {
    return this.stmts.putSetting.run(key, json, updatedAt).changes > 0;
  }
}
