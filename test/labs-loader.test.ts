// Broken lab folders: each is reported with the lab, the file and what is wrong (a line number
// when there is one), and the other labs still load.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DriverLabCore } from '../main/app/core.js';
import { loadLabs } from '../main/labs/loader.js';
import { folderLabProvider } from '../main/labs/catalog.js';
import { MINIMAL_CHECKS, writeLab } from './helpers/labs.js';

function labsDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-labs-'));
}

describe('loading a labs folder', () => {
  it('reports each broken lab with its file and problem, and loads the others', async () => {
    const dir = labsDir();
    writeLab(dir, 'good');
    writeLab(dir, 'no-readme', { files: { 'README.md': null } });
    writeLab(dir, 'bad-manifest', { manifest: { difficulty: 'easy', estimatedMinutes: 'ten', personalty: '2.2' } });
    writeLab(dir, 'wrong-id', { manifest: { id: 'other' } });
    writeLab(dir, 'type-error', { files: { 'checks.ts': MINIMAL_CHECKS.replace("t.files.read('hello.c')", "t.files.reed('hello.c')") } });
    writeLab(dir, 'syntax-error', { files: { 'checks.ts': MINIMAL_CHECKS.replace('run(t) {', 'run(t) {{') } });
    writeLab(dir, 'imports-fs', { files: { 'checks.ts': `import * as fs from 'node:fs';\n${MINIMAL_CHECKS}` } });
    writeLab(dir, 'no-export', { files: { 'checks.ts': MINIMAL_CHECKS.replace('export default checks;', 'export { checks };') } });
    writeLab(dir, 'bad-needs', { files: { 'checks.ts': MINIMAL_CHECKS.replace("id: 'greeting',", "id: 'greeting', needs: ['build'],") } });
    writeLab(dir, 'todo-gap', { files: { 'starter/hello.c': '/* TODO 1: say */\n/* TODO 3: hello */\n', 'solution/hello.c': '/* hello */\n/* TODO 2: left over */\n' } });
    writeLab(dir, 'ko-missing', { manifest: { languages: ['en', 'ko'] }, files: { 'hints.ko.md': '# 힌트\n\n## 하나\n\n안녕\n' } });
    fs.mkdirSync(path.join(dir, 'Not_A_Lab'));

    const set = await loadLabs(dir);
    expect(set.labs.map((l) => l.manifest.id)).toEqual(['good']);
    const problems = set.problems.map((p) => `${p.folder}/${p.message}`);
    expect(problems).toEqual([
      'Not_A_Lab/not a lab id: use lower-case letters, digits, ".", "_" and "-"',
      'bad-manifest/lab.json: difficulty: Invalid type: Expected ("beginner" | "intermediate" | "advanced") but received "easy"',
      'bad-manifest/lab.json: estimatedMinutes: Invalid type: Expected number but received "ten"',
      "bad-manifest/lab.json: personalty: unknown key 'personalty' (misspelt? labs/README.md lists the keys of lab.json)",
      'ko-missing/README.ko.md: missing (lab.json lists the language \'ko\')',
      'ko-missing/hints.ko.md: has 1 hints, hints.md has 2',
      'no-readme/README.md: missing (lab.json lists the language \'en\')',
      'todo-gap/starter/: there is no TODO 2, but there is a TODO 3 (number them 1, 2, 3... in the order the learner does them)',
      'todo-gap/solution/hello.c:2: the reference solution still has TODO 2',
      "wrong-id/lab.json: id 'other' is not the folder's name 'wrong-id'",
      'bad-needs/checks.ts: check 1 (\'greeting\'): needs \'build\', which is not an earlier check',
      "imports-fs/checks.ts:1: Cannot find module 'node:fs' or its corresponding type declarations.",
      'imports-fs/checks.ts:1: checks may only import types from \'@driverlab/checks\' (import type { Check } from \'@driverlab/checks\'); the check context gives everything else',
      'no-export/checks.ts: the default export must be the array of checks (export default checks;)',
      'syntax-error/checks.ts:9: Declaration or statement expected.',
      "type-error/checks.ts:8: Property 'reed' does not exist on type 'CheckFiles'.",
    ]);
  }, 60_000);

  it('gives the app one problem entry per folder, and free play always', async () => {
    const dir = labsDir();
    writeLab(dir, 'good', { manifest: { title: 'A good lab' } });
    writeLab(dir, 'broken', { files: { 'README.md': null, 'hints.md': null } });
    const catalog = await folderLabProvider(dir).catalog();
    expect(catalog.labs.map((l) => [l.id, l.title, l.difficulty])).toEqual([['good', 'A good lab', 'beginner']]);
    expect(catalog.problems).toEqual([{ folder: 'broken', message: "README.md: missing (lab.json lists the language 'en')\nhints.md: missing" }]);
    expect(catalog.freePlay.id).toBe('free-play');
  }, 60_000);

  it('picks the instructions in the learner\'s language, English when a lab has no translation', async () => {
    const dir = labsDir();
    writeLab(dir, 'both', { manifest: { languages: ['en', 'ko'] }, files: { 'README.ko.md': '# 안녕\n' } });
    writeLab(dir, 'english', { manifest: { order: 2 } });
    const provider = folderLabProvider(dir);
    expect((await provider.details('both', 'ko')).instructions).toBe('# 안녕\n');
    expect((await provider.details('both', 'en')).instructions).toBe('# both\n\nSay hello.\n');
    expect((await provider.details('english', 'ko')).instructions).toBe('# english\n\nSay hello.\n');
    await expect(provider.details('nosuch')).rejects.toThrow("no lab 'nosuch'");
  }, 60_000);
});

describe('the app\'s labs', () => {
  it('starts a new workspace with the starter files, in the learner\'s language, and boots the lab\'s machine', async () => {
    const dir = labsDir();
    writeLab(dir, 'cards', {
      manifest: { personality: '2.2', languages: ['en', 'ko'], machine: { cards: [{ io: '0x300', irq: 7, mem: '0xd4000' }], seed: 9 } },
      files: { 'README.ko.md': '# 카드\n' },
    });
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-app-'));
    const core = new DriverLabCore({ home, labs: folderLabProvider(dir) });
    const services = core.servicesFor({ description: 'test', mayUse: () => true });
    try {
      expect(await services.workspace.list('cards')).toEqual([{ path: 'hello.c', size: 24, text: true, mtimeMs: expect.any(Number) }]);
      await services.workspace.write('cards', 'hello.c', '/* mine */\n');
      expect(await services.workspace.read('cards', 'hello.c')).toBe('/* mine */\n');
      await services.settings.set('language', 'ko');
      expect((await services.labs.get('cards')).instructions).toBe('# 카드\n');
      expect(await folderLabProvider(dir).session('cards', '/ws')).toEqual({
        id: 'cards', workspace: '/ws',
        machine: { personality: '2.2', pacing: 'realtime', seed: 9, cards: [{ io: 0x300, irq: 7, mem: 0xd4000 }], cmdline: '' },
      });
    } finally {
      await core.close();
    }
    // The learner's file stays theirs: a workspace that exists is never filled again.
    const again = new DriverLabCore({ home, labs: folderLabProvider(dir) });
    expect(await again.servicesFor({ description: 'test', mayUse: () => true }).workspace.read('cards', 'hello.c')).toBe('/* mine */\n');
    await again.close();
  }, 60_000);
});
