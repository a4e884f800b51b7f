// Reading what can still be read from a damaged progress database, into a new one.
import Database from 'better-sqlite3';
import type { Db } from './database.js';
import { describeTallies, mergeDocument, readDocument, type MergeReport } from './document.js';

export interface SalvageResult {
  /** For the learner: what was recovered and what could not be read. */
  summary: string;
  report?: MergeReport;
}

/**
 * Opens the damaged file `file` read-only and merges every record that can be read into `db`.
 * Each table is read on its own (document.ts readDocument, tolerant), so one bad page costs the
 * rows on it, not the file.
 */
export function salvageInto(file: string, db: Db): SalvageResult {
  let old: Db;
  try {
    old = new Database(file, { readonly: true, fileMustExist: true });
    // Read past what SQLite would otherwise refuse outright, e.g. a truncated file whose header
    // promises more pages than there are (writable_schema is honoured only outside defensive mode).
    // The connection is read-only: nothing is written to the damaged file.
    old.unsafeMode(true);
    old.pragma('writable_schema = ON');
  } catch (e) {
    return { summary: `nothing could be read from it (${(e as Error).message})` };
  }
  try {
    let read: ReturnType<typeof readDocument>;
    try {
      read = readDocument(old, { tolerant: true });
    } catch (e) {
      return { summary: `nothing could be read from it (${(e as Error).message})` };
    }
    const recovered = Object.values(read.counts).reduce((a, b) => a + b, 0);
    if (recovered === 0) {
      const why = read.damagedTables[0]?.error;
      return { summary: `nothing could be read from it${why ? ` (${why})` : ''}` };
    }
    let report: MergeReport;
    try {
      report = mergeDocument(db, read.doc);
    } catch (e) {
      // The new database must open whatever the old one holds: a salvage that fails adds nothing.
      return { summary: `what could be read from it could not be imported (${(e as Error).message})` };
    }
    let summary = `recovered from it: ${describeTallies(report, 'added')}`;
    if (read.damagedTables.length > 0) {
      summary += `; could not be read to the end: ${read.damagedTables.map((t) => t.table).join(', ')} (${read.damagedTables[0]!.error})`;
    }
    if (read.lostFiles > 0) summary += `; ${read.lostFiles} workspace files of check runs had lost their content and were left out`;
    if (read.invalidRows > 0) summary += `; ${read.invalidRows} damaged records skipped`;
    return { summary, report };
  } finally {
    old.close();
  }
}
