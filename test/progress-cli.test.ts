// The progress commands through the real CLI (bin/driverlab.js, built by `tsc -b`), on a
// temporary DRIVERLAB_HOME.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../main/progress/migrations/index.js';
import { ProgressStore } from '../main/progress/store.js';
import { dbFiles, dbPath, enc, items, seededStore, tempHome, workspace } from './helpers/progress.js';

const CLI = path.resolve(import.meta.dirname, '../bin/driverlab.js');

function driverlab(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', timeout: 60_000, cwd: home,
    // No labs folder: these tests are about the store's records, not the catalog.
    // And this process's time zone: noon() is local.
    env: { ...process.env, DRIVERLAB_HOME: home, DRIVERLAB_LABS: path.join(home, 'no-labs') },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('driverlab progress', () => {
  it('--json prints the overview the store computes', () => {
    const home = tempHome();
    const store = seededStore(home);
    const expected = JSON.parse(JSON.stringify({ ...store.overview(), drills: store.allDrillScores() }));
    store.close();
    const r = driverlab(home, 'progress', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout);
    // The CLI's clock is the real one: the streak of the fixed test days is over by now.
    expect({ ...got, streakDays: expected.streakDays }).toEqual(expected);
    expect(got.labs.map((l: { id: string; status: string }) => [l.id, l.status])).toEqual([['chardev', 'in progress'], ['hello-proc', 'passed']]);
    expect(got.drills[0]).toMatchObject({ drillId: 'sysrq-sync', attempts: 2, best: { score: { bytesLost: 0, fixPassed: true } } });
  });

  it('prints a summary, and says so when there is nothing yet', () => {
    const empty = tempHome();
    expect(driverlab(empty, 'progress')).toEqual({ status: 0, stdout: 'No progress recorded yet.\n', stderr: '' });
    expect(dbFiles(empty)).toEqual(['progress.db']);

    const home = tempHome();
    seededStore(home).close();
    const r = driverlab(home, 'progress');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 of 2 labs passed · streak 0 days · 20 min in labs\n');
    expect(r.stdout).toContain('\nOther labs: 1 of 2 passed\n  in progress  chardev     0 min   1 check run\n  passed       hello-proc  20 min  3 check runs\n');
    expect(r.stdout).toContain('  sysrq-sync: 2 attempts\n    best: fix passed, 0 bytes lost, recovered in 2.5 s virtual, 12 keys\n');
    expect(driverlab(home, 'progress', '--verbose')).toMatchObject({ status: 2, stderr: "driverlab progress: unknown argument '--verbose'\n" });
  });
});

describe('driverlab history', () => {
  it("lists a lab's check runs with what failed", () => {
    const home = tempHome();
    seededStore(home).close();
    const r = driverlab(home, 'history', 'hello-proc');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      'hello-proc: passed on 2025-03-08 12:02 · first opened 2025-03-07 12:00 · 20 min spent · 1 hint revealed',
      '',
      'run  when              result      seed  kernel  files',
      '1    2025-03-08 12:00  failed 1/2  1     modern  4',
      '    failed: check 1 -- check 1 failed: expected 1, got 0',
      '2    2025-03-08 12:01  failed 1/2  2     modern  4',
      '    failed: check 1 -- check 1 failed: expected 1, got 0',
      '3    2025-03-08 12:02  passed 2/2  3     modern  4',
      '',
      'Restore a run\'s files with: driverlab restore hello-proc RUN',
      '',
    ].join('\n'));
    expect(driverlab(home, 'history', 'irq')).toEqual({ status: 0, stdout: 'irq: not started\nNo check runs recorded.\n', stderr: '' });
    expect(driverlab(home, 'history', '../x').status).toBe(2);
  });
});

describe('driverlab restore', () => {
  function setup() {
    const home = tempHome();
    const store = ProgressStore.open({ home });
    const failing = store.recordCheckRun({ labId: 'hello-proc', seed: 1, personality: 'modern', items: items(false), files: workspace(3, 1) });
    const passing = store.recordCheckRun({ labId: 'hello-proc', seed: 2, personality: 'modern', items: items(true), files: workspace(3, 2) });
    store.close();
    return { home, ws: path.join(home, 'workspaces', 'hello-proc'), failing, passing };
  }
  const read = (dir: string, p: string) => fs.readFileSync(path.join(dir, p));

  it("writes a run's files into the lab's workspace, keeping (and naming) files the run did not have", () => {
    const { home, ws, passing, failing } = setup();
    let r = driverlab(home, 'restore', 'hello-proc', String(passing.runId));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const [p, data] of Object.entries(workspace(3, 2))) expect(read(ws, p)).toEqual(Buffer.from(data));
    expect(r.stdout).toContain(`Restored check run ${passing.runId} of hello-proc (`);
    expect(r.stdout).toContain(`passed 1/1) into ${ws}:\n  wrote: Makefile, hello.c, src/part2.c\n`);

    // Build products and notes the run did not save stay.
    fs.writeFileSync(path.join(ws, 'hello.ko'), 'module');
    fs.mkdirSync(path.join(ws, 'notes'));
    fs.writeFileSync(path.join(ws, 'notes', 'todo.txt'), 'todo');
    r = driverlab(home, 'restore', 'hello-proc', String(failing.runId));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  wrote: hello.c\n  already as in the run: Makefile, src/part2.c\n  kept (not in the run, not deleted): hello.ko, notes/todo.txt\n');
    expect(read(ws, 'hello.c')).toEqual(Buffer.from(workspace(3, 1)['hello.c']!));
    expect(fs.readFileSync(path.join(ws, 'hello.ko'), 'utf8')).toBe('module');
    expect(fs.readdirSync(ws).filter((f) => f.includes('driverlab-restore'))).toEqual([]);
  });

  it('refuses to overwrite changes no check run saved, unless --force; --to restores elsewhere', () => {
    const { home, ws, passing } = setup();
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'hello.c'), 'my unsaved work');
    let r = driverlab(home, 'restore', 'hello-proc', String(passing.runId));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`driverlab restore: these files in ${ws} hold changes no check run saved, and restoring would overwrite them:\n` +
      '  hello.c\nNothing was changed. Run the lab\'s check first (it saves them), restore elsewhere with --to DIR, or overwrite them with --force.\n');
    expect(fs.readFileSync(path.join(ws, 'hello.c'), 'utf8')).toBe('my unsaved work');
    expect(fs.existsSync(path.join(ws, 'Makefile'))).toBe(false);

    const other = path.join(home, 'elsewhere');
    r = driverlab(home, 'restore', 'hello-proc', String(passing.runId), '--to', other);
    expect(r.status).toBe(0);
    expect(read(other, 'hello.c')).toEqual(Buffer.from(workspace(3, 2)['hello.c']!));

    r = driverlab(home, 'restore', 'hello-proc', String(passing.runId), '--force');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  overwrote unsaved changes (--force): hello.c\n');
    expect(read(ws, 'hello.c')).toEqual(Buffer.from(workspace(3, 2)['hello.c']!));

    // A file whose content some run saved is overwritten without --force: it can be restored.
    r = driverlab(home, 'restore', 'hello-proc', '1');
    expect(r.status).toBe(0);
  });

  it('names the problem with a run that is not there, or a file in the way', () => {
    const { home, ws, passing } = setup();
    expect(driverlab(home, 'restore', 'hello-proc', '99')).toMatchObject({ status: 1, stderr: 'driverlab restore: hello-proc has no check run 99 (see: driverlab history hello-proc)\n' });
    expect(driverlab(home, 'restore', 'chardev', String(passing.runId))).toMatchObject({ status: 1 });
    expect(driverlab(home, 'restore', 'hello-proc')).toMatchObject({ status: 2 });
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'src'), 'a file where the run has a folder');
    const r = driverlab(home, 'restore', 'hello-proc', String(passing.runId), '--force');
    expect(r).toMatchObject({ status: 1, stderr: `driverlab restore: cannot restore into ${ws}; nothing was changed:\n  src/part2.c: src is not a folder\n\n` });
    expect(fs.existsSync(path.join(ws, 'hello.c'))).toBe(false);
  });
});

describe('driverlab export and import', () => {
  it('round-trips between two homes, merges, and imports idempotently', () => {
    const a = tempHome();
    seededStore(a).close();
    const file = path.join(tempHome(), 'progress.json');
    let r = driverlab(a, 'export', file);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toBe(`Exported 2 labs, 4 check runs, 1 hint, 2 drill attempts, 1 setting to ${file}\n`);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ format: 'driverlab-progress', version: 1 });

    const b = tempHome();
    const own = ProgressStore.open({ home: b });
    own.recordCheckRun({ labId: 'irq', seed: 1, personality: 'modern', items: items(true), files: { 'irq.c': enc('x') } });
    own.close();
    r = driverlab(b, 'import', file);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`Imported ${file}: added 4 check runs, 2 drill attempts, 1 hint, 1 time span, 2 labs, 1 setting, 7 file versions; already here: nothing\n`);
    r = driverlab(b, 'import', file);
    expect(r.stdout).toBe(`Imported ${file}: added nothing; already here: 4 check runs, 2 drill attempts, 1 hint, 1 time span, 2 labs, 1 setting, 7 file versions\n`);
    const labs = JSON.parse(driverlab(b, 'progress', '--json').stdout).labs.map((l: { id: string }) => l.id);
    expect(labs).toEqual(['chardev', 'hello-proc', 'irq']);

    const viaStdout = driverlab(a, 'export', '-');
    expect(JSON.parse(viaStdout.stdout).checkRuns).toHaveLength(4);
  });

  it('refuses a file that is not a progress export, importing nothing', () => {
    const home = tempHome();
    const file = path.join(home, 'x.json');
    fs.writeFileSync(file, '{"format": "driverlab-progress", "version": 1, "exportedAt": "2025-03-01T00:00:00.000Z", "labs": [{"id": "../../etc"}]}');
    const r = driverlab(home, 'import', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`driverlab import: ${file}: blobs: expected an object\nNothing was imported.\n`);
    fs.writeFileSync(file, 'not json');
    expect(driverlab(home, 'import', file).stderr).toMatch(/^driverlab import: .*x\.json: Unexpected token/);
  });
});

describe('driverlab and the database file', () => {
  it('refuses a newer database and leaves it as it is', () => {
    const home = tempHome();
    seededStore(home).close();
    const raw = new Database(dbPath(home));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 7}`);
    raw.close();
    const before = fs.readFileSync(dbPath(home));
    const r = driverlab(home, 'progress');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`driverlab progress: ${dbPath(home)} was written by a newer DriverLab (progress schema version ${SCHEMA_VERSION + 7}; ` +
      `this one knows up to ${SCHEMA_VERSION}). Update DriverLab to use it; the file was not changed.\n`);
    expect(fs.readFileSync(dbPath(home)).equals(before)).toBe(true);
  });

  it('tells where a damaged database went and carries on', () => {
    const home = tempHome();
    fs.writeFileSync(dbPath(home), 'this is not a database, it is a text file that happens to be long enough '.repeat(20));
    const r = driverlab(home, 'progress');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^driverlab: Your progress database was damaged \\(file is not a database\\)\\. It has been moved to ${dbPath(home)}\\.corrupt-\\d{8}T\\d{6}Z and a new one created; nothing could be read from it`));
    expect(r.stdout).toBe('No progress recorded yet.\n');
    expect(dbFiles(home).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    // Recording works again, and the next run says nothing more.
    const store = ProgressStore.open({ home });
    store.recordCheckRun({ labId: 'hello-proc', seed: 1, personality: 'modern', items: items(true), files: {} });
    store.close();
    expect(driverlab(home, 'progress').stderr).toBe('');
  });
});
