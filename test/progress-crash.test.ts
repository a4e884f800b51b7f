// Power-cut safety, approximated by SIGKILL: a child process records check runs in a loop and
// reports each one after recordCheckRun returned; it is killed at random moments (while
// starting, opening or migrating the database, or recording), 200 times on the same database.
// Every run it reported must be there, and the file must pass integrity_check every time.
// The child runs the built store (dist/, from `tsc -b`), as the CLI does.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { dbFiles, dbPath, tempHome } from './helpers/progress.js';

const STORE = path.resolve(import.meta.dirname, '../dist/main/progress/store.js');

const CHILD = `
import { writeSync } from 'node:fs';
const { ProgressStore } = await import(${JSON.stringify(STORE)});
const store = ProgressStore.open({ home: process.argv[1] });
if (store.notices.length > 0) { writeSync(2, store.notices.join('\\n')); process.exit(3); }
const enc = (s) => new TextEncoder().encode(s);
for (let i = 0; ; i++) {
  const files = { 'Makefile': enc('obj-m += hello.o\\n'), 'hello.c': enc('/* edit ' + process.pid + '.' + i + ' */\\n' + 'int x;\\n'.repeat(200)) };
  for (let f = 0; f < 3; f++) files['src/part' + f + '.c'] = enc('int part' + f + ';\\n'.repeat(100 + (i % 7)));
  const run = store.recordCheckRun({ labId: 'hello-proc', seed: i, personality: 'modern',
    items: [{ id: 'loads', title: 'module loads', passed: true, message: '' }, { id: 'reads', title: 'read', passed: i % 3 === 0, message: 'got ' + i }], files });
  writeSync(1, run.uid + '\\n'); // only once the commit has returned
}
`;

/** Runs the child until it is killed `delayMs` after it started (or after its first report). */
function runAndKill(home: string, delayMs: number, afterFirstReport: boolean): Promise<{ reported: string[]; stderr: string; code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = () => { timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs); };
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; if (afterFirstReport) arm(); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    if (!afterFirstReport) arm();
    // A child that never reports (it failed) is killed after a while, and the test says why.
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      // A line without its newline was cut by the kill: its run may or may not be committed.
      const reported = out.split('\n').slice(0, -1);
      resolve({ reported, stderr, code, signal });
    });
  });
}

/** Kills per run: enough to land in every phase many times, few enough for the suite's budget. */
const KILLS = 200;

describe('progress database: killed at random moments', () => {
  it('keeps every reported check run and passes integrity_check, 200 kills in a row', async () => {
    const home = tempHome();
    const reported: string[] = [];
    let killedWhileRecording = 0;
    for (let i = 0; i < KILLS; i++) {
      // Half the kills land anywhere from startup to recording, half while recording.
      const afterFirstReport = i % 2 === 1;
      const r = await runAndKill(home, Math.random() * (afterFirstReport ? 40 : 250), afterFirstReport);
      expect(r.stderr, `kill ${i}`).toBe('');
      expect(r.signal, `kill ${i}`).toBe('SIGKILL');
      reported.push(...r.reported);
      if (r.reported.length > 0) killedWhileRecording++;

      if (!fs.existsSync(dbPath(home))) {
        expect(r.reported).toEqual([]); // killed before it created the file
        continue;
      }
      const db = new Database(dbPath(home), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true }), `kill ${i}`).toBe('ok');
        const present = new Set(db.prepare('SELECT uid FROM check_runs').pluck().all());
        const missing = reported.filter((uid) => !present.has(uid));
        expect(missing, `kill ${i}: reported as committed, not in the database`).toEqual([]);
        // A run is all there or not at all: items and snapshot with it.
        expect(db.prepare('SELECT count(*) FROM check_runs r WHERE (SELECT count(*) FROM check_items i WHERE i.run_id = r.run_id) != 2 OR (SELECT count(*) FROM snapshot_files f WHERE f.run_id = r.run_id) != 5').pluck().get()).toBe(0);
      } finally {
        db.close();
      }
    }
    expect(killedWhileRecording).toBeGreaterThan(KILLS / 4);
    expect(reported.length).toBeGreaterThan(KILLS);
    expect(dbFiles(home).filter((f) => f.includes('corrupt'))).toEqual([]);
  }, 600_000);
});
