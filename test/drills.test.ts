// The drills (curriculum.md, "Drills"), attempted the way a learner does at the terminal: the
// scenario typed at the prompt, the trigger, then keys, SysRq and the reset button, and the
// attempt scored. For every drill a good recovery scores full marks and a bad one what it lost.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { loadLabs } from '../main/labs/loader.js';
import { DrillAttempt } from '../main/labs/drill-attempt.js';
import type { Drill } from '../main/labs/drill.js';
import { runLabChecks } from '../main/labs/check-runner.js';
import { readLearnerFiles } from '../main/labs/workspace.js';
import { TerminalCommands } from '../main/session/terminal-command.js';
import { promptState } from '../main/session/terminal-command.js';
import { tempWorkspace } from './helpers/machine.js';

const LABS = path.resolve(import.meta.dirname, '../labs');
const drills = loadLabs(LABS);

async function drill(id: string): Promise<Drill> {
  const set = await drills;
  const d = set.drills.find((x) => x.manifest.id === id);
  if (!d) throw new Error(`no drill ${id}: ${JSON.stringify(set.problems.filter((p) => p.folder === id))}`);
  return d;
}

/** A drill attempt on an interactive machine, driven as a learner at its terminal would. */
async function begin(id: string) {
  const d = await drill(id);
  const workspace = tempWorkspace(Object.fromEntries(d.starter));
  let screen = '';
  const m = d.manifest;
  const machine = new Machine(createNodeHost({ workspace }), { personality: m.personality, seed: m.machine.seed ?? 1, cards: m.machine.cards, cmdline: m.machine.cmdline, pacing: 'realtime', showBoot: false }, (t) => {
    screen += t;
    commands.observe(t);
  });
  const commands = new TerminalCommands(() => machine.kernel, (keys) => machine.input(keys));
  const poll = setInterval(() => commands.poll(), 10);
  machine.boot();
  const shell = machine.runShell();
  const attempt = new DrillAttempt(d, machine);
  const run = (command: string) => commands.run(command);
  /** Resolves once `cond` holds, polled while the machine runs. */
  const until = async (cond: () => boolean, what: string) => {
    const deadline = Date.now() + 30_000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const atPrompt = () => !('busy' in promptState(machine.kernel));
  await until(atPrompt, 'the first prompt');
  await attempt.start(run);
  return {
    drill: d, machine, attempt, workspace, until, atPrompt,
    get screen() { return screen.replace(/\r\n/g, '\n'); },
    /** Types a command line and waits for the prompt to come back. */
    async type(line: string, o: { reboots?: boolean } = {}) {
      const mark = screen.length;
      const kernel = machine.kernel;
      attempt.input(`${line}\r`);
      // A reboot's TERM brings the old kernel's shell back to a prompt before the restart.
      await until(() => screen.length > mark && (!o.reboots || machine.kernel !== kernel) && atPrompt(), `the prompt after ${line}`);
      return screen.slice(mark).replace(/\r\n/g, '\n');
    },
    /** The reset button; resolves at the prompt of the next boot. */
    async reset() {
      const kernel = machine.kernel;
      attempt.reset();
      await until(() => machine.kernel !== kernel && atPrompt(), 'the prompt after the reset');
    },
    /** Alt+SysRq+key; resolves after a second of the machine's time. */
    async sysrq(key: string) {
      attempt.sysrq(key);
      const t = machine.virtualTimeNs;
      await until(() => machine.virtualTimeNs > t + 1e9, 'a second after SysRq');
    },
    fixWith(files: ReadonlyMap<string, Uint8Array>) {
      for (const [p, data] of files) fs.writeFileSync(path.join(workspace, p), data);
    },
    async finish() {
      await until(atPrompt, 'the prompt before measuring');
      const dataOutput = await attempt.measureData(run);
      const fixPassed = d.fix ? (await runLabChecks(d.fix, readLearnerFiles(workspace))).passed : false;
      const score = attempt.score({ dataOutput, fixPassed });
      clearInterval(poll);
      machine.stop();
      await shell;
      return score;
    },
  };
}

const REMAKE_NODES = 'for i in 0 1 2 3; do sudo mknod -m 666 /dev/my_device$i c 125 $i; done';

describe('oops-hunt', () => {
  it('a good recovery: the oops names the line, rmmod is refused, the fix is loaded after a reboot: full marks', async () => {
    const a = await begin('oops-hunt');
    await a.until(() => a.screen.includes('Segmentation fault') && a.atPrompt(), 'cat to die');
    const faulty = new TextDecoder().decode(a.drill.starter.get('my_device.c')).split('\n').findIndex((l) => l.includes('strlen(port->message)')) + 1;
    expect(a.screen).toContain(`<===== (/home/lab/my_device.c:${faulty})`);
    expect(await a.type('sudo rmmod my_device')).toContain('my_device: Device or resource busy');
    a.fixWith(a.drill.solution);
    await a.type('sudo reboot', { reboots: true });
    await a.type(`make -s && sudo insmod my_device.ko && ${REMAKE_NODES}`);
    expect(await a.type('cat /dev/my_device1; echo "cat: $?"')).toMatch(/\ncat: 0\n/);
    const score = await a.finish();
    expect(score).toMatchObject({ bytesLost: 0, fixPassed: true });
    expect(score.keysPressed).toBe(['sudo rmmod my_device', 'sudo reboot', `make -s && sudo insmod my_device.ko && ${REMAKE_NODES}`, 'cat /dev/my_device1; echo "cat: $?"'].join('\r').length + 1);
    expect(score.virtualMs).toBeGreaterThan(0);
  }, 120_000);

  it('a bad recovery: a reboot without the fix brings the same oops back, and the fix does not pass', async () => {
    const a = await begin('oops-hunt');
    await a.until(() => a.screen.includes('Segmentation fault') && a.atPrompt(), 'cat to die');
    await a.type('sudo reboot', { reboots: true });
    await a.type(`make -s && sudo insmod my_device.ko && ${REMAKE_NODES}`);
    expect(await a.type('cat /dev/my_device1')).toContain('Unable to handle kernel NULL pointer dereference');
    const score = await a.finish();
    expect(score).toMatchObject({ bytesLost: 0, fixPassed: false });
  }, 120_000);
});

describe('hard-lockup', () => {
  const frozen = async (a: Awaited<ReturnType<typeof begin>>) => {
    const t = a.machine.virtualTimeNs;
    await a.until(() => a.machine.virtualTimeNs > t + 2e9, 'two seconds of the frozen machine');
    expect(a.atPrompt()).toBe(false);
  };

  it('a good recovery: the reset button at once, the wait fixed to sleep: full marks', async () => {
    const a = await begin('hard-lockup');
    await frozen(a);
    await a.reset();
    a.fixWith(a.drill.solution);
    await a.type('make -s && sudo insmod my_device.ko && sudo mknod -m 666 /dev/my_device0 c 125 0');
    expect(await a.type('echo restart > /dev/my_device0; cat /dev/my_device0')).toMatch(/\nrunning\n/);
    const score = await a.finish();
    expect(score).toMatchObject({ bytesLost: 0, fixPassed: true });
  }, 120_000);

  it('a bad recovery: SysRq does nothing with interrupts off, keys are lost, and a reset without the fix does not pass', async () => {
    const a = await begin('hard-lockup');
    await frozen(a);
    const before = a.screen;
    for (const key of 'reisub') await a.sysrq(key);
    // Not one SysRq key reached the kernel: the keyboard interrupt never ran.
    expect(a.screen).toBe(before);
    expect(a.atPrompt()).toBe(false);
    await a.reset();
    const score = await a.finish();
    expect(score).toMatchObject({ bytesLost: 0, fixPassed: false, keysPressed: 7 });
    expect(a.attempt.actions).toEqual(['SysRq-R', 'SysRq-E', 'SysRq-I', 'SysRq-S', 'SysRq-U', 'SysRq-B', 'reset']);
  }, 120_000);
});

describe('lost-interrupt', () => {
  it('a good recovery: the stuck IRQ bit and ERROR=7 in the log, the handler fixed to ACK every interrupt, reloaded: full marks', async () => {
    const a = await begin('lost-interrupt');
    await a.until(() => a.screen.includes('Input/output error') && a.atPrompt(), 'the write to fail');
    const log = await a.type('dmesg | tail -1; grep my_device /proc/interrupts');
    // STATUS: IRQ (0x80), ERROR (0x40), EXIST (0x10), ANSWER (0x02), READY (0x01); its one interrupt was READY's.
    expect(log).toMatch(/my_device: the card at 0x200 did not answer in 3 s \(STATUS=0xd3 ERROR=7\)\n +5: +1 +XT-PIC +my_device\n/);
    a.fixWith(a.drill.solution);
    await a.type('make -s && sudo rmmod my_device && sudo insmod ./my_device.o');
    expect(await a.type('echo hello > /dev/my_device0; cat /dev/my_device0')).toMatch(/\nhello\n/);
    const score = await a.finish();
    expect(score).toMatchObject({ bytesLost: 0, fixPassed: true });
  }, 120_000);

  it('a bad recovery: reloading the same driver resets the card, but the next write hangs again, and the fix does not pass', async () => {
    const a = await begin('lost-interrupt');
    await a.until(() => a.screen.includes('Input/output error') && a.atPrompt(), 'the write to fail');
    await a.type('sudo rmmod my_device && sudo insmod ./my_device.o');
    expect(await a.type('echo hello > /dev/my_device0')).toContain('Input/output error');
    const score = await a.finish();
    expect(score).toMatchObject({ bytesLost: 0, fixPassed: false });
  }, 120_000);
});

// The drill needs the root file system on the disk: /home/user survives a reboot only there.
describe('sysrq-reisub', () => {
  const stuck = async (a: Awaited<ReturnType<typeof begin>>) => {
    await a.until(() => [...a.machine.kernel.tasks.values()].some((t) => t.comm === 'cat' && t.state === 'D'), 'cat stuck in D');
    expect(a.atPrompt()).toBe(false);
  };
  /** Alt+SysRq+key, then the kernel's word that it is done (in its log: KERN_INFO stays off the console). */
  const press = async (a: Awaited<ReturnType<typeof begin>>, key: string, done: string) => {
    const log = () => a.machine.kernel.log.read().map((r) => r.text);
    const mark = log().length;
    a.attempt.sysrq(key);
    await a.until(() => log().slice(mark).some((l) => l.includes(done)), done);
  };
  /** The boot's check of the root file system (a machine whose root is on its disk). */
  const rootCheck = (a: Awaited<ReturnType<typeof begin>>) => (a.machine as unknown as { rootCheck?: { clean: boolean; output: string } }).rootCheck;

  it('a good recovery: S, U, B; the notes survive the reboot and fsck finds the root clean: full marks', async () => {
    const a = await begin('sysrq-reisub');
    expect(a.screen).toContain(`notes written: ${a.drill.manifest.data!.bytes} bytes, not yet on the disk`);
    await stuck(a);
    await press(a, 's', 'Emergency Sync complete');
    await press(a, 'u', 'Emergency Remount complete');
    const kernel = a.machine.kernel;
    a.attempt.sysrq('b');
    await a.until(() => a.machine.kernel !== kernel && a.atPrompt(), 'the prompt after SysRq-B');
    expect(rootCheck(a)).toMatchObject({ clean: true, output: expect.stringMatching(/\/dev\/hda1: clean, /) });
    const score = await a.finish();
    expect(score).toMatchObject({ bytesLost: 0, fixPassed: true, keysPressed: 3 });
    expect(a.attempt.actions).toEqual(['SysRq-S', 'SysRq-U', 'SysRq-B']);
  }, 120_000);

  it('a bad recovery: B without S loses the notes, and the next boot finds the root not cleanly unmounted', async () => {
    const a = await begin('sysrq-reisub');
    await stuck(a);
    const kernel = a.machine.kernel;
    a.attempt.sysrq('b');
    await a.until(() => a.machine.kernel !== kernel && a.atPrompt(), 'the prompt after SysRq-B');
    expect(rootCheck(a)).toMatchObject({ clean: false, output: expect.stringContaining('/dev/hda1 was not cleanly unmounted, check forced.') });
    const score = await a.finish();
    expect(score).toMatchObject({ bytesLost: a.drill.manifest.data!.bytes, fixPassed: false, keysPressed: 1 });
  }, 120_000);
});
