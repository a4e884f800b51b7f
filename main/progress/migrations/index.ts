// The schema's migrations, in order. Migration N brings a database from user_version N-1 to N.
//
// They are TypeScript modules holding SQL text, not .sql files read at run time: tsc does not
// copy .sql files into dist/, and a migration must ship inside whatever carries the code that
// expects its schema (dist/, Electron's asar, a bundle) without a path to resolve or a package
// `files` entry to forget. test/progress.test.ts checks that this list and the folder agree.
import m001 from './001_initial.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_initial', sql: m001 },
];

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
