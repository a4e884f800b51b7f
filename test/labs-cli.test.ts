// The lab commands through the real CLI (bin/driverlab.js, built by `tsc -b`): labs, start,
// check (recorded in a real SQLite file, never touching the learner's files), hint, reset,
// check --watch, drill.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressStore } from '../main/progress/store.js';
import { writeLab } from './helpers/labs.js';

const CLI = path.resolve(import.meta.dirname, '../bin/driverlab.js');
const LABS = path.resolve(import.meta.dirname, '../labs');

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `driverlab-${prefix}-`));
}

function driverlab(home: string, args: string[], options: { input?: string; labs?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', timeout: 120_000, cwd: home, input: options.input ?? '',
    env: { ...process.env, DRIVERLAB_HOME: home, DRIVERLAB_LABS: options.labs ?? LABS },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `dir` with its content and modification time. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const ent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = path.join(rel, ent.name);
      if (ent.isDirectory()) walk(p);
      else out[p] = `${fs.statSync(path.join(dir, p)).mtimeMs} ${fs.readFileSync(path.join(dir, p), 'utf8')}`;
    }
  };
  walk('');
  return out;
}

function copySolution(lab: string, to: string): void {
  for (const name of fs.readdirSync(path.join(LABS, lab, 'solution'))) fs.copyFileSync(path.join(LABS, lab, 'solution', name), path.join(to, name));
}

describe('driverlab labs, start, check, hint, reset', () => {
  it('takes a learner from the list to a passed lab, recording every check run', () => {
    const home = tempDir('cli');
    const labs = driverlab(home, ['labs']);
    expect(labs.stderr).toBe('');
    expect(labs.stdout).toMatch(/^DriverLab: \d+ labs, 0 passed\n\n {2}# +lab +status +title/);
    expect(labs.stdout).toMatch(/\n {2}1 +hello-proc +not started +Hello, \/proc: your first kernel module +modern +beginner +45 min\n/);
    expect(labs.stdout).toMatch(/\n {2}3 +major-minor +not started .* 2\.2 +intermediate +1 h\n/);
    expect(labs.stdout).toContain('\nStart with: driverlab start hello-proc\n');

    const ws = path.join(home, 'workspaces', 'hello-proc');
    const start = driverlab(home, ['start', 'hello-proc', '--no-shell']);
    expect(start.status).toBe(0);
    expect(start.stdout).toContain(`Copied the starter files into ${ws}: Makefile, hello.c\n`);
    expect(start.stdout).toContain('# Lab 1: Hello, /proc');
    expect(fs.readFileSync(path.join(ws, 'hello.c'), 'utf8')).toBe(fs.readFileSync(path.join(LABS, 'hello-proc/starter/hello.c'), 'utf8'));
    expect(driverlab(home, ['start', 'hello-proc', '--no-shell']).stdout).toContain(`Your workspace ${ws} already has your files: carrying on where you left off.`);

    const before = tree(ws);
    const failed = driverlab(home, ['check', 'hello-proc']);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain(`Checking hello-proc (modern kernel, seed 1) in ${ws}\n\n  ✗ \`make\` builds hello.ko\n      \`make\` failed (exit status 2).\n` +
      '      Seen: scripts/Makefile.build:44: Makefile: no obj-m found\n      Look at: Makefile:2 (TODO 1)\n');
    expect(failed.stdout).toMatch(/\n0 of 9 checks passed \(8 wait for an earlier one to pass\)\. Fix the first failure and check again \(stuck\? driverlab hint hello-proc\)\.\nSaved as check run 1 \(driverlab history hello-proc\)\.\n$/);
    expect(tree(ws)).toEqual(before);

    const hint = driverlab(home, ['hint', 'hello-proc']);
    expect(hint.stdout).toMatch(/^Hint 1 of 4: Build first, then one TODO at a time\n\n {2}Fix the `Makefile`/);
    expect(hint.stdout).toMatch(/\(3 stronger hints left: driverlab hint hello-proc\)\n$/);
    expect(driverlab(home, ['hint', 'hello-proc']).stdout).toMatch(/^Hint 2 of 4: Which kernel function does each TODO need\?\n/);

    copySolution('hello-proc', ws);
    const solved = tree(ws);
    const passed = driverlab(home, ['check', 'hello-proc', '--json']);
    expect(passed.stderr).toBe('');
    expect(passed.status).toBe(0);
    const report = JSON.parse(passed.stdout);
    expect(report).toMatchObject({ lab: 'hello-proc', personality: 'modern', seed: 1, passed: true, run: 2 });
    expect(report.items.map((i: { status: string }) => i.status)).toEqual(Array(9).fill('passed'));
    expect(tree(ws)).toEqual(solved);

    const store = ProgressStore.open({ home });
    const history = store.labHistory('hello-proc');
    expect(history.status).toBe('passed');
    expect(history.hints.map((h) => h.hintId)).toEqual(['hint-1', 'hint-2']);
    expect(history.runs.map((r) => [r.passed, r.items.filter((i) => i.passed).length, r.files])).toEqual([
      [false, 0, ['Makefile', 'hello.c']],
      [true, 9, ['Makefile', 'hello.c']],
    ]);
    expect(history.runs[0]!.items[0]).toEqual({ id: 'build', title: '`make` builds hello.ko', passed: false, message: '`make` failed (exit status 2).\nSeen: scripts/Makefile.build:44: Makefile: no obj-m found\nLook at: Makefile:2 (TODO 1)' });
    expect(new TextDecoder().decode(store.snapshot(2).get('hello.c'))).toBe(fs.readFileSync(path.join(LABS, 'hello-proc/solution/hello.c'), 'utf8'));
    store.close();

    expect(driverlab(home, ['labs']).stdout).toMatch(/\n {2}1 +hello-proc +passed +/);
    expect(driverlab(home, ['labs']).stdout).toContain('\nStart with: driverlab start char-device\n');

    fs.writeFileSync(path.join(ws, 'notes.txt'), 'mine\n');
    const reset = driverlab(home, ['reset', 'hello-proc']);
    expect(reset.stdout).toBe(`Saved your files (Makefile, hello.c, notes.txt) as check run 3: driverlab restore hello-proc 3 brings them back.\n${ws} holds the starter files again: Makefile, hello.c\n`);
    expect(fs.readdirSync(ws).sort()).toEqual(['Makefile', 'hello.c']);
    expect(fs.readFileSync(path.join(ws, 'hello.c'), 'utf8')).toBe(fs.readFileSync(path.join(LABS, 'hello-proc/starter/hello.c'), 'utf8'));
    expect(driverlab(home, ['history', 'hello-proc']).stdout).toMatch(/\n3 +\S+ \S+ +files saved +1 +modern +3\n/);
    const restore = driverlab(home, ['restore', 'hello-proc', '3']);
    expect(restore.status).toBe(0);
    expect(fs.readFileSync(path.join(ws, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(fs.readFileSync(path.join(ws, 'hello.c'), 'utf8')).toBe(fs.readFileSync(path.join(LABS, 'hello-proc/solution/hello.c'), 'utf8'));
  }, 300_000);

  it('says what to do when a lab or its workspace does not exist', () => {
    const home = tempDir('cli-errors');
    expect(driverlab(home, ['check', 'nosuch'])).toEqual({ status: 1, stdout: '', stderr: "driverlab check: no lab 'nosuch' (see: driverlab labs)\n" });
    expect(driverlab(home, ['check', 'hello-proc'])).toEqual({ status: 1, stdout: '', stderr: `driverlab check: ${path.join(home, 'workspaces', 'hello-proc')} does not exist: run driverlab start hello-proc first\n` });
    expect(driverlab(home, ['hint'])).toEqual({ status: 2, stdout: '', stderr: 'driverlab hint: usage: driverlab hint LAB\n' });
    const labs = tempDir('labs');
    writeLab(labs, 'broken', { files: { 'hints.md': null } });
    expect(driverlab(home, ['start', 'broken'], { labs }).stderr).toBe('driverlab start: lab broken cannot be used; its folder has problems:\n  hints.md: missing\n');
  }, 120_000);
});

describe('the learner\'s language', () => {
  it('shows lab 1\'s instructions and hints in Korean when the language setting is ko', () => {
    const home = tempDir('ko');
    const store = ProgressStore.open({ home });
    store.setSetting('language', 'ko');
    store.close();
    expect(driverlab(home, ['show', 'hello-proc']).stdout).toMatch(/^# 실습 1: Hello, \/proc — 첫 번째 커널 모듈\n/);
    expect(driverlab(home, ['hint', 'hello-proc']).stdout).toMatch(/^Hint 1 of 4: 먼저 빌드, 그다음 TODO 하나씩\n/);
    // Lab 3 has no Korean text: English it is.
    expect(driverlab(home, ['show', 'major-minor']).stdout).toMatch(/^# Lab 3: Major and minor numbers/);
  }, 60_000);
});

describe('driverlab check --watch', () => {
  it('checks again when a file of the workspace changes', async () => {
    const home = tempDir('watch');
    const labs = tempDir('labs');
    writeLab(labs, 'tiny');
    const ws = path.join(home, 'ws');
    expect(driverlab(home, ['start', 'tiny', '--dir', ws, '--no-shell'], { labs }).status).toBe(0);
    const child = spawn(process.execPath, [CLI, 'check', 'tiny', '--dir', ws, '--watch'], { cwd: home, env: { ...process.env, DRIVERLAB_HOME: home, DRIVERLAB_LABS: labs } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const waitFor = async (what: RegExp) => {
      for (let i = 0; i < 600 && !what.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(what);
    };
    try {
      await waitFor(/0 of 1 check passed[\s\S]*Watching /);
      fs.writeFileSync(path.join(ws, 'hello.c'), '/* hello */\n');
      await waitFor(/All 1 check passed: tiny is done \(first time: well done!\)\.[\s\S]*Watching [\s\S]*$/);
      expect(out.match(/^Checking tiny/gm)).toHaveLength(2);
    } finally {
      child.kill('SIGINT');
    }
  }, 120_000);
});

describe('driverlab drill', () => {
  it('runs the scenario, counts the keys, and records the attempt with its score', () => {
    const home = tempDir('drill');
    const labs = tempDir('labs');
    fs.mkdirSync(path.join(labs, 'stuck-sleep'));
    fs.writeFileSync(path.join(labs, 'stuck-sleep', 'drill.json'), JSON.stringify({
      id: 'stuck-sleep', title: 'A task that will not end', summary: 'Find it and end it.', personality: 'modern',
      data: { path: '/root/notes', bytes: 6 },
    }));
    fs.writeFileSync(path.join(labs, 'stuck-sleep', 'README.md'), 'A `sleep` hogs the machine: end it.\n');
    fs.writeFileSync(path.join(labs, 'stuck-sleep', 'scenario.sh'), 'echo notes > /root/notes\necho "the scenario ran"\n');
    const r = driverlab(home, ['drill', 'stuck-sleep'], { labs, input: 'ls\nexit\n' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^stuck-sleep: A task that will not end\n\nA `sleep` hogs the machine: end it\.\n\nSetting up the scenario\.\.\./);
    expect(r.stdout).toContain('the scenario ran');
    expect(r.stdout).toMatch(/\nDrill stuck-sleep: recovered in \d+\.\d s of virtual time \(\d+ s yours\), 0 bytes lost, 8 keys pressed, fix not passed\.\nSaved as attempt 1: your best so far\.\n$/);
    const progress = JSON.parse(driverlab(home, ['progress', '--json'], { labs }).stdout);
    expect(progress.drills).toMatchObject([{ drillId: 'stuck-sleep', attempts: 1, best: { score: { bytesLost: 0, keysPressed: 8, fixPassed: false } } }]);
  }, 120_000);
});
