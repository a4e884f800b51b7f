// Check runs off the app's main thread (main/app/worker-framework.ts): lab 1's real checks run
// in the check worker while the lab's terminal keeps echoing, the main event loop stays free,
// items arrive one by one before the run ends, and the run is recorded as before. A check that
// hangs is stopped after the timeout and the worker restarted; Cancel stops a run between items
// (same worker, still warm) or, when a check spins in host code, by replacing the worker.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { DriverLabCore } from '../main/app/core.js';
import { workerLabFramework } from '../main/app/worker-framework.js';
import type { CheckProgress, Services, TerminalChunk } from '../main/ipc/common/contract.js';
import { folderLabProvider } from '../main/labs/catalog.js';
import { ProgressStore } from '../main/progress/store.js';
import { writeLab } from './helpers/labs.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const LABS = path.join(ROOT, 'labs');
const PROMPT = 'user@driverlab:/home/lab$ ';

const homes: string[] = [];
afterAll(() => { for (const h of homes) fs.rmSync(h, { recursive: true, force: true }); });
function makeHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-checkworker-'));
  homes.push(home);
  return home;
}
const api = (core: DriverLabCore): Services => core.servicesFor({ description: 'test', mayUse: () => true });

function progressOf(core: DriverLabCore, lab: string): CheckProgress[] {
  const seen: CheckProgress[] = [];
  core.events.labs.checkProgress(lab, (p) => seen.push(p));
  return seen;
}

describe('check runs in the check worker', () => {
  it("runs lab 1's checks while the terminal keeps echoing: the main event loop stays free", async () => {
    const home = makeHome();
    const framework = workerLabFramework(LABS);
    const core = new DriverLabCore({ home, labs: folderLabProvider(LABS), framework });
    try {
      const labs = api(core);
      // The reference solution, with a comment no earlier run compiled: clang really runs.
      for (const file of fs.readdirSync(path.join(LABS, 'hello-proc', 'solution'))) {
        let text = fs.readFileSync(path.join(LABS, 'hello-proc', 'solution', file), 'utf8');
        if (file.endsWith('.c')) text += `/* run ${process.pid}-${Date.now()} */\n`;
        await labs.workspace.write('hello-proc', file, text);
      }
      await labs.machine.open('hello-proc');
      const session = core.sessionFor('hello-proc')!;
      let screen = '';
      session.output.attach((chunk: TerminalChunk) => {
        screen += chunk.data.replace(/\r\n/g, '\n');
        session.output.ack(chunk.stream, chunk.data.length);
      });
      const until = async (test: () => boolean, what: string, ms = 30_000) => {
        for (const start = Date.now(); !test(); await new Promise((r) => setTimeout(r, 10))) {
          if (Date.now() - start > ms) throw new Error(`never saw ${what}; the terminal shows:\n${screen.slice(-800)}`);
        }
      };
      await until(() => screen.endsWith(PROMPT), 'the prompt');

      const progress = progressOf(core, 'hello-proc');
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const started = performance.now();
      let finished = false;
      const run = labs.labs.check('hello-proc').finally(() => { finished = true; });
      // The learner keeps typing: each echo comes back while the checks run.
      let echoes = 0;
      while (!finished) {
        const word = `tick${echoes}`;
        await labs.terminal.input('hello-proc', `echo ${word}\n`);
        await until(() => screen.includes(`\n${word}\n${PROMPT}`) || finished, `the echo of ${word}`);
        if (!finished) echoes++;
        await new Promise((r) => setTimeout(r, 50));
      }
      const result = await run;
      const wallMs = performance.now() - started;
      delay.disable();
      const maxDelayMs = delay.max / 1e6;
      console.log(`check run: ${wallMs.toFixed(0)} ms; main event loop delay max ${maxDelayMs.toFixed(0)} ms, mean ${(delay.mean / 1e6).toFixed(1)} ms; ${echoes} echoes meanwhile`);

      expect(result.passed, JSON.stringify(result.items, null, 1)).toBe(true);
      expect(echoes).toBeGreaterThan(0);
      // In-process, clang alone blocks the loop for 0.7-2 s at a time, a third of the run.
      expect(maxDelayMs).toBeLessThan(wallMs / 4);
      // Items came one by one, each run's list growing, before the run ended.
      const running = progress.filter((p) => p.state === 'running');
      expect(running.at(-1)?.items.length).toBe(result.items.length);
      expect(new Set(running.map((p) => p.items.length)).size).toBeGreaterThan(result.items.length / 2);
      expect(running[0]!.total).toBe(result.items.length);
      expect(progress.at(-1)).toEqual({ lab: 'hello-proc', state: 'done', total: result.items.length, items: result.items });
      // Recorded as before, with the files the checks saw.
      const history = await labs.progress.history('hello-proc');
      expect(history.runs.map((r) => [r.runId, r.passed])).toEqual([[result.runId, true]]);
      expect(history.runs[0]!.files).toContain('hello.c');
    } finally {
      await core.close();
    }
  }, 180_000);

  const HANGING_CHECKS = `import type { Check } from '@driverlab/checks';

// The checks' type check knows no host timers; the worker has them.
declare const setTimeout: (callback: (value?: unknown) => void, ms: number) => unknown;

const checks: Check[] = [
  { id: 'first', title: 'the first item', run() {} },
  {
    id: 'second',
    title: 'the second item',
    async run(t) {
      const how = t.files.read('hello.c') ?? '';
      if (how.includes('spin')) for (;;) { /* host code that never yields */ }
      if (how.includes('wait')) await new Promise((resolve) => setTimeout(resolve, 800));
      if (how.includes('hang')) await new Promise(() => undefined);
    },
  },
  { id: 'third', title: 'the third item', run() {} },
];

export default checks;
`;

  function hangingLab(): { home: string; labsDir: string } {
    const home = makeHome();
    const labsDir = path.join(home, 'labs');
    writeLab(labsDir, 'hangs', { files: { 'checks.ts': HANGING_CHECKS } });
    return { home, labsDir };
  }

  it('stops a check that hangs after the timeout, restarts the worker, and the next run works', async () => {
    const { home, labsDir } = hangingLab();
    const framework = workerLabFramework(labsDir, { timeoutMs: 4000 });
    const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir), framework });
    try {
      const labs = api(core);
      const progress = progressOf(core, 'hangs');
      await labs.workspace.write('hangs', 'hello.c', 'spin\n');
      await expect(labs.labs.check('hangs')).rejects.toThrow("The checks of 'hangs' did not finish within 4 s, so they were stopped and the check worker restarted.");
      const stopped = progress.at(-1)!;
      expect(stopped).toMatchObject({ state: 'error', items: [{ id: 'first', status: 'passed' }] });
      expect(stopped.message).toContain('look at what your code waits for');
      expect((await labs.progress.history('hangs')).runs).toEqual([]);

      await labs.workspace.write('hangs', 'hello.c', 'fine\n');
      expect(await labs.labs.check('hangs')).toMatchObject({ passed: true, items: [{ status: 'passed' }, { status: 'passed' }, { status: 'passed' }] });
    } finally {
      await core.close();
    }
  }, 90_000);

  it('cancels between items, keeping the worker; one that spins is ended with its thread', async () => {
    const { home, labsDir } = hangingLab();
    const framework = workerLabFramework(labsDir, { cancelGraceMs: 1000 });
    const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir), framework });
    try {
      const labs = api(core);
      const progress = progressOf(core, 'hangs');
      const whenItem = (id: string) => new Promise<void>((resolve) => core.events.labs.checkProgress('hangs', (p) => { if (p.items.some((i) => i.id === id)) resolve(); }));
      expect(await labs.labs.cancelCheck('hangs')).toEqual({ cancelled: false });

      // The second item waits 0.8 s: Cancel then takes effect before the third.
      await labs.workspace.write('hangs', 'hello.c', 'wait\n');
      const waiting = labs.labs.check('hangs');
      // A second Check during the run joins it.
      const joined = labs.labs.check('hangs');
      await whenItem('first');
      const thread = framework.checks.threadId;
      expect(await labs.labs.cancelCheck('hangs')).toEqual({ cancelled: true });
      await expect(waiting).rejects.toThrow('The check run was cancelled; nothing was recorded.');
      await expect(joined).rejects.toThrow('The check run was cancelled');
      expect(progress.at(-1)).toMatchObject({ state: 'cancelled', items: [{ id: 'first' }, { id: 'second' }] });
      expect(framework.checks.threadId).toBe(thread);

      // A check spinning in host code never sees the cancel: its thread is replaced.
      await labs.workspace.write('hangs', 'hello.c', 'spin\n');
      const spinning = labs.labs.check('hangs');
      await whenItem('first');
      await labs.labs.cancelCheck('hangs');
      await expect(spinning).rejects.toThrow('The check run was cancelled');
      expect(framework.checks.threadId).not.toBe(thread);
      expect(progress.at(-1)).toMatchObject({ state: 'cancelled', items: [{ id: 'first' }] });

      await labs.workspace.write('hangs', 'hello.c', 'fine\n');
      expect((await labs.labs.check('hangs')).passed).toBe(true);
      expect((await labs.progress.history('hangs')).runs.map((r) => r.passed)).toEqual([true]);
    } finally {
      await core.close();
    }
    const store = ProgressStore.open({ home });
    try {
      expect(store.labHistory('hangs').runs).toHaveLength(1);
    } finally {
      store.close();
    }
  }, 90_000);
});
