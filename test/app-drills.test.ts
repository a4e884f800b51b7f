// A drill through the app's core with the app's lab framework (fix checks in its check worker) and the real machine thread: the
// drill's faulty driver put in the session's workspace, the scenario typed at the machine's
// prompt, the learner's keys and the reset button counted in the worker, and the score (with
// the fix checked by the drill's checks) recorded in the progress store.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DriverLabCore } from '../main/app/core.js';
import { workerLabFramework } from '../main/app/worker-framework.js';
import { folderLabProvider } from '../main/labs/catalog.js';
import type { TerminalChunk } from '../main/ipc/common/contract.js';

const LABS = path.resolve(import.meta.dirname, '../labs');
const homes: string[] = [];
afterAll(() => { for (const h of homes) fs.rmSync(h, { recursive: true, force: true }); });

describe('a drill in the app', () => {
  it('lists the drills, runs hard-lockup in the lab session\'s machine, counts the reset, and scores the fix', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-drill-app-'));
    homes.push(home);
    const core = new DriverLabCore({ home, labs: folderLabProvider(LABS), framework: workerLabFramework(LABS) });
    let screen = '';
    const waitFor = async (test: () => boolean, what: string) => {
      const start = Date.now();
      while (!test()) {
        if (Date.now() - start > 60_000) throw new Error(`the terminal never showed ${what}; it shows:\n${screen.slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      const api = core.servicesFor({ description: 'test', mayUse: () => true });
      const catalog = await api.labs.list();
      expect(catalog.labs.filter((l) => l.kind === 'drill').map((l) => l.id).sort()).toEqual(['hard-lockup', 'lost-interrupt', 'oops-hunt', 'sysrq-reisub']);
      const details = await api.labs.get('hard-lockup');
      expect(details).toMatchObject({ kind: 'drill', personality: '2.2', drill: { goal: expect.stringContaining('# Drill: hard lockup') } });

      await api.machine.open('hard-lockup');
      core.sessionFor('hard-lockup')!.output.attach((chunk: TerminalChunk) => {
        screen += chunk.data.replace(/\r\n/g, '\n');
        core.sessionFor('hard-lockup')?.output.ack(chunk.stream, chunk.data.length);
      });
      await api.labs.startDrill('hard-lockup');
      await waitFor(() => screen.includes('echo restart > /dev/my_device0\n'), 'the trigger');
      const workspace = path.join(home, 'workspaces', 'hard-lockup');
      expect(fs.readFileSync(path.join(workspace, 'my_device.c'), 'utf8')).toContain('cli();');

      // Frozen: no prompt comes back. The reset button brings the machine back; the fixed driver is loaded.
      await api.terminal.input('hard-lockup', 'ls\r');
      await new Promise((r) => setTimeout(r, 1000));
      expect(screen.slice(screen.indexOf('echo restart > /dev/my_device0\n'))).not.toMatch(/\$ /);
      const mark = screen.length;
      await api.machine.reset('hard-lockup');
      await waitFor(() => screen.slice(mark).endsWith('$ '), 'the prompt after the reset');
      fs.copyFileSync(path.join(LABS, 'hard-lockup', 'solution', 'my_device.c'), path.join(workspace, 'my_device.c'));
      const typed = 'make -s && sudo insmod my_device.ko && sudo mknod -m 666 /dev/my_device0 c 125 0 && echo restart > /dev/my_device0 && cat /dev/my_device0\r';
      await api.terminal.input('hard-lockup', typed);
      await waitFor(() => /running\n[^\n]*\$ $/.test(screen), 'the card running');

      const outcome = await api.labs.finishDrill('hard-lockup');
      expect(outcome).toMatchObject({ attempts: 1, score: { bytesLost: 0, fixPassed: true, keysPressed: 3 + 1 + typed.length } });
      expect(outcome.score.virtualMs).toBeGreaterThan(0);
      const progress = await api.progress.overview();
      expect(progress.drills).toMatchObject([{ drillId: 'hard-lockup', attempts: 1 }]);
    } finally {
      await core.close();
    }
  }, 180_000);
});
