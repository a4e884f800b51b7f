// Faults from outside the learner's code: another program holding the progress database's lock,
// the disk filling up while the disk image or the workspace is saved, the compile service dying
// mid-compile. Each is reported in words a learner can act on, and nothing already saved is lost.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ProgressBusyError, ProgressStore } from '../main/progress/store.js';
import { enc, items, tempHome } from './helpers/progress.js';

/** Another process that opens the database and holds its write lock until told to let go. */
async function lockHolder(file: string): Promise<{ release: () => Promise<void> }> {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const child = spawn(process.execPath, ['-e', `
    const Database = require(${JSON.stringify(sqlite)});
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    process.stdin.on('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });
  `], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(); });
    child.on('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return {
    release: () => new Promise<void>((resolve) => { child.removeAllListeners('exit'); child.on('exit', () => resolve()); child.stdin.write('go\n'); }),
  };
}

describe('progress database locked by another process', () => {
  it('a check run recorded while another process holds the lock waits busy_timeout, says so, and is saved when the lock goes', async () => {
    const home = tempHome();
    const store = ProgressStore.open({ home, busyTimeoutMs: 200 });
    store.recordCheckRun({ labId: 'hello-proc', seed: 1, personality: 'modern', items: items(true, false), files: { 'hello.c': enc('one') } });
    const holder = await lockHolder(path.join(home, 'progress.db'));
    let error: unknown;
    try {
      store.recordCheckRun({ labId: 'hello-proc', seed: 1, personality: 'modern', items: items(true, true), files: { 'hello.c': enc('two') } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProgressBusyError);
    expect((error as Error).message).toMatch(/progress\.db is locked by another program .* Nothing is lost: this record is kept and will be saved as soon as it lets go/);
    // Still locked: the next write is kept too, after the first.
    expect(() => store.openLab('char-device')).toThrow(/2 records are kept/);
    await holder.release();
    store.revealHint('hello-proc', 'hint-1');
    const runs = store.labHistory('hello-proc').runs;
    expect(runs.map((r) => r.passed)).toEqual([false, true]);
    expect(store.labHistory('char-device').runs).toEqual([]);
    store.close();
    const reopened = ProgressStore.open({ home });
    expect(reopened.labHistory('hello-proc').runs).toHaveLength(2);
    expect(reopened.labHistory('hello-proc').hints.map((h) => h.hintId)).toEqual(['hint-1']);
    reopened.close();
  });
});
