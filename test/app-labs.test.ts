// The labs service's check runs, hints and drills in the core: what the lab framework reports is
// recorded in the real progress store (history, snapshots, drill scores), and a DriverLab
// without a part of the framework says so in words a learner can act on.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DriverLabCore } from '../main/app/core.js';
import type { LabFramework } from '../main/app/lab-framework.js';
import { folderLabProvider } from '../main/labs/catalog.js';
import { ProgressStore } from '../main/progress/store.js';
import { folderLabFramework } from '../main/app/folder-framework.js';
import { writeLab } from './helpers/labs.js';

const homes: string[] = [];
afterAll(() => { for (const h of homes) fs.rmSync(h, { recursive: true, force: true }); });

function makeHome(): { home: string; labsDir: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-labs-'));
  homes.push(home);
  const labsDir = path.join(home, 'labs');
  writeLab(labsDir, 'hello', { manifest: { title: 'Hello', topic: 'modules' } });
  return { home, labsDir };
}

const HINTS = { en: ['Look at module_init.', 'Return 0 from init.'], ko: ['module_init을 보세요.', 'init에서 0을 반환하세요.'] };

/** A framework whose check reads the workspace as the real one would: passed when hello.c returns 0. */
const framework: LabFramework = {
  async runChecks(_lab, workspace) {
    const source = fs.readFileSync(path.join(workspace, 'hello.c'), 'utf8');
    const ok = source.includes('return 0;');
    return {
      seed: 7, personality: 'modern', files: new Map([['hello.c', new TextEncoder().encode(source)]]),
      items: [
        { id: 'builds', title: 'hello.c builds', status: 'passed', message: '' },
        { id: 'init', title: 'init returns 0', status: ok ? 'passed' : 'failed', message: ok ? '' : 'init returns -1', where: ok ? undefined : { file: 'hello.c', line: 3 } },
      ],
    };
  },
  async hint(_lab, index, language) {
    const text = HINTS[language][index];
    return text === undefined ? undefined : { title: `Hint ${index + 1}`, text };
  },
};

describe('labs service: checks, hints and drills', () => {
  it('records each check run with its files, and the history shows it', async () => {
    const { home, labsDir } = makeHome();
    const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir), framework });
    try {
      const api = core.servicesFor({ description: 'test', mayUse: () => true });
      const ws = path.join(home, 'workspaces', 'hello');
      fs.mkdirSync(ws, { recursive: true });
      fs.writeFileSync(path.join(ws, 'hello.c'), 'int init(void)\n{\n\treturn -1;\n}\n');
      const failed = await api.labs.check('hello');
      expect(failed).toMatchObject({ lab: 'hello', passed: false, seed: 7, items: [{ status: 'passed' }, { status: 'failed', message: 'init returns -1', where: { file: 'hello.c', line: 3 } }] });
      fs.writeFileSync(path.join(ws, 'hello.c'), 'int init(void)\n{\n\treturn 0;\n}\n');
      const passed = await api.labs.check('hello');
      expect(passed.passed).toBe(true);
      expect(passed.runId).toBeGreaterThan(failed.runId);
    } finally {
      await core.close();
    }
    const store = ProgressStore.open({ home });
    try {
      const history = store.labHistory('hello');
      expect(history.status).toBe('passed');
      expect(history.runs.map((r) => [r.passed, r.items.map((i) => i.passed)])).toEqual([[false, [true, false]], [true, [true, true]]]);
      expect(new TextDecoder().decode(store.snapshot(history.runs[0]!.runId).get('hello.c'))).toContain('return -1;');
    } finally {
      store.close();
    }
  });

  it('shows progress with the next lab, and restores a run\'s files without losing unsaved work', async () => {
    const { home, labsDir } = makeHome();
    writeLab(labsDir, 'chardev', { manifest: { title: 'Chardev', topic: 'devices', order: 0 } });
    const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir), framework });
    try {
      const api = core.servicesFor({ description: 'test', mayUse: () => true });
      const changed: string[][] = [];
      core.events.workspace.changed('hello', (e) => changed.push(e.paths));
      expect((await api.progress.overview()).next).toBe('chardev');
      const ws = path.join(home, 'workspaces', 'hello');
      fs.mkdirSync(ws, { recursive: true });
      fs.writeFileSync(path.join(ws, 'hello.c'), 'int init(void)\n{\n\treturn 0;\n}\n');
      await api.machine.open('hello');
      const run = await api.labs.check('hello');
      const overview = await api.progress.overview();
      expect(overview.labs.map((l) => [l.id, l.status, l.checkRuns])).toEqual([['chardev', 'not started', 0], ['hello', 'passed', 1]]);
      expect(overview).toMatchObject({ labsPassed: 1, streakDays: 1, next: 'chardev', drills: [] });
      expect((await api.progress.history('hello')).runs.map((r) => r.runId)).toEqual([run.runId]);

      fs.writeFileSync(path.join(ws, 'hello.c'), 'broken, and never checked\n');
      expect(await api.progress.planRestore('hello', run.runId)).toMatchObject({ write: ['hello.c'], unsaved: ['hello.c'] });
      await expect(api.progress.restore('hello', run.runId, false)).rejects.toThrow('restoring would overwrite changes no check run saved in hello.c. Nothing was changed');
      expect(fs.readFileSync(path.join(ws, 'hello.c'), 'utf8')).toBe('broken, and never checked\n');
      await api.progress.restore('hello', run.runId, true);
      expect(fs.readFileSync(path.join(ws, 'hello.c'), 'utf8')).toContain('return 0;');
      expect(changed).toEqual([['hello.c']]);
      await expect(api.progress.restore('chardev', run.runId, true)).rejects.toThrow(`chardev has no check run ${run.runId}`);
    } finally {
      await core.close();
    }
  }, 30_000);

  it('runs the real checks of a lab folder and takes its hints (main/labs through the LabFramework)', async () => {
    const { home, labsDir } = makeHome();
    const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir), framework: folderLabFramework(labsDir) });
    try {
      const api = core.servicesFor({ description: 'test', mayUse: () => true });
      const lab = await api.labs.get('hello');
      expect(lab).toMatchObject({ kind: 'lab', order: 1, hintCount: 2, checkItems: [{ id: 'greeting', title: 'hello.c says hello' }], languages: ['en'] });
      // A new workspace starts with the starter, whose TODO the failure points at.
      expect(await api.workspace.read('hello', 'hello.c')).toBe('/* TODO 1: say hello */\n');
      const failed = await api.labs.check('hello');
      expect(failed).toMatchObject({ passed: false, items: [{ id: 'greeting', status: 'failed', where: { file: 'hello.c', line: 1 } }] });
      expect(failed.items[0]!.message).toContain('hello.c does not say hello');
      await api.workspace.write('hello', 'hello.c', '/* hello */\n');
      expect(await api.labs.check('hello')).toMatchObject({ passed: true, items: [{ status: 'passed', message: '' }] });
      expect(await api.labs.hint('hello', 0)).toEqual({ index: 0, title: 'Say it', text: 'Write hello.' });
      expect((await api.progress.history('hello')).runs.map((r) => r.passed)).toEqual([false, true]);
    } finally {
      await core.close();
    }
  }, 60_000);

  it('reveals hints one at a time in the learner language, and remembers them', async () => {
    const { home, labsDir } = makeHome();
    const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir), framework });
    try {
      const api = core.servicesFor({ description: 'test', mayUse: () => true });
      expect(await api.labs.hints('hello')).toEqual([]);
      expect(await api.labs.hint('hello', 1)).toEqual({ index: 1, title: 'Hint 2', text: 'Return 0 from init.' });
      // Revealing the second revealed the first with it.
      await api.settings.set('language', 'ko');
      expect((await api.labs.hints('hello')).map((h) => h.text)).toEqual(HINTS.ko);
      await expect(api.labs.hint('hello', 2)).rejects.toThrow("'hello' has no hint 3");
    } finally {
      await core.close();
    }
  });

  it("makes a new lab's workspace with its starter files before any call sees it", async () => {
    const { home, labsDir } = makeHome();
    const labs = folderLabProvider(labsDir);
    // A starter that takes a moment to come (the real labs load their folder first).
    const slow = { ...labs, starter: async (id: string) => { await new Promise((r) => setTimeout(r, 50)); return labs.starter(id); } };
    const core = new DriverLabCore({ home, labs: slow });
    try {
      const api = core.servicesFor({ description: 'test', mayUse: () => true });
      // What a page asks at once when it opens a lab for the first time.
      const lists = await Promise.all([api.workspace.list('hello'), api.workspace.list('hello'), api.workspace.read('hello', 'hello.c')]);
      expect(lists.slice(0, 2).map((l) => (l as { path: string }[]).map((e) => e.path))).toEqual([['hello.c'], ['hello.c']]);
      expect(lists[2]).toBe('/* TODO 1: say hello */\n');
    } finally {
      await core.close();
    }
  });

  it('says what is missing when this DriverLab has no checks, hints or drills', async () => {
    const { home, labsDir } = makeHome();
    const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir) });
    try {
      const api = core.servicesFor({ description: 'test', mayUse: () => true });
      await expect(api.labs.check('hello')).rejects.toThrow("'hello' has no checks in this version of DriverLab");
      await expect(api.labs.hint('hello', 0)).rejects.toThrow("'hello' has no hints in this version of DriverLab");
      expect(await api.labs.hints('hello')).toEqual([]);
      await expect(api.labs.startDrill('hello')).rejects.toThrow("'hello' is not a drill in this version of DriverLab");
      await expect(api.labs.check('nosuch')).rejects.toThrow("no lab 'nosuch'");
    } finally {
      await core.close();
    }
  });

  it("gives the instructions' images as data, and nothing else of the lab's folder or beyond", async () => {
    const { home, labsDir } = makeHome();
    fs.mkdirSync(path.join(labsDir, 'hello', 'images'));
    fs.writeFileSync(path.join(labsDir, 'hello', 'images', 'dot.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    fs.writeFileSync(path.join(home, 'secret.png'), 'not yours');
    fs.symlinkSync(path.join(home, 'secret.png'), path.join(labsDir, 'hello', 'images', 'link.png'));
    const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir), labsDir });
    try {
      const api = core.servicesFor({ description: 'test', mayUse: () => true });
      expect(await api.labs.asset('hello', 'images/dot.png')).toEqual({ mime: 'image/png', base64: 'iVBORw==' });
      await expect(api.labs.asset('hello', 'lab.json')).rejects.toThrow('lab.json: instructions can show PNG, JPEG, GIF, WebP and SVG images only');
      await expect(api.labs.asset('hello', 'images/link.png')).rejects.toThrow("images/link.png: outside lab 'hello'");
      await expect(api.labs.asset('hello', 'images/none.png')).rejects.toThrow("images/none.png: no such file in lab 'hello'");
      await expect(api.labs.asset('nosuch', 'a.png')).rejects.toThrow("no lab 'nosuch'");
    } finally {
      await core.close();
    }
  });

  it('records drill attempts and answers with the best one', async () => {
    const { home, labsDir } = makeHome();
    const scores = [
      { virtualMs: 900, wallMs: 20_000, bytesLost: 0, keysPressed: 12, fixPassed: true },
      { virtualMs: 400, wallMs: 9_000, bytesLost: 512, keysPressed: 6, fixPassed: true },
    ];
    const drills: LabFramework = { async startDrill() {}, async finishDrill() { return scores.shift()!; } };
    const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir), framework: drills });
    try {
      const api = core.servicesFor({ description: 'test', mayUse: () => true });
      await api.labs.startDrill('hello');
      const first = await api.labs.finishDrill('hello');
      expect(first).toMatchObject({ attempts: 1, best: { score: { virtualMs: 900 } } });
      await api.labs.startDrill('hello');
      const second = await api.labs.finishDrill('hello');
      // Fewer bytes lost beats a faster recovery.
      expect(second).toMatchObject({ attempts: 2, score: { bytesLost: 512 }, best: { score: { bytesLost: 0, virtualMs: 900 } } });
    } finally {
      await core.close();
    }
  });
});
