// The lab view's machine through the core, with a real machine in its worker thread and real
// clang: Build types `make` in the terminal and answers with clang's diagnostics, refuses
// while the terminal is busy; the screen's size, the console log level and SysRq reach the
// machine, and survive a reboot.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverLabCore } from '../main/app/core.js';
import { FREE_PLAY, type Services, type TerminalChunk } from '../main/ipc/common/contract.js';
import { folderLabProvider } from '../main/labs/catalog.js';

const MAKEFILE = 'obj-m += hello.o\n\nall:\n\tmake -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n';
const BROKEN = '#include <linux/module.h>\n#include <linux/init.h>\nMODULE_LICENSE("GPL");\n\nstatic int __init hello_init(void)\n{\n\tint unused;\n\tpr_info("hello\\n")\n\treturn 0;\n}\nmodule_init(hello_init);\n';
const FIXED = BROKEN.replace('pr_info("hello\\n")\n', 'pr_info("hello\\n");\n').replace('\tint unused;\n', '');
const PROMPT = 'user@driverlab:/home/lab$ ';

describe('the lab machine through the core', () => {
  let home: string;
  let core: DriverLabCore;
  let api: Services;
  let screen = '';

  async function waitFor(test: (text: string) => boolean, what: string, ms = 20_000): Promise<string> {
    const start = Date.now();
    while (!test(screen)) {
      if (Date.now() - start > ms) throw new Error(`the terminal never showed ${what}; it shows:\n${screen.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return screen;
  }
  const atPrompt = (t: string, prompt = PROMPT) => t.endsWith(prompt);
  /** Types `keys` and waits for the prompt after `marker`. */
  async function run(keys: string, marker: string, prompt = PROMPT): Promise<string> {
    const from = screen.length;
    await api.terminal.input(FREE_PLAY, keys);
    await waitFor((t) => t.slice(from).includes(marker) && atPrompt(t, prompt), marker);
    return screen.slice(from);
  }

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-app-'));
    const ws = path.join(home, 'workspaces', FREE_PLAY);
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'Makefile'), MAKEFILE);
    fs.writeFileSync(path.join(ws, 'hello.c'), BROKEN);
    core = new DriverLabCore({ home, labs: folderLabProvider(path.join(home, 'labs')) });
    api = core.servicesFor({ description: 'test', mayUse: () => true });
    await api.machine.open(FREE_PLAY);
    core.sessionFor(FREE_PLAY)!.output.attach((chunk: TerminalChunk) => {
      screen += chunk.data.replace(/\r\n/g, '\n');
      core.sessionFor(FREE_PLAY)?.output.ack(chunk.stream, chunk.data.length);
    });
    await waitFor(atPrompt, 'the prompt');
  }, 60_000);

  afterAll(async () => {
    await core?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it("builds with make in the terminal and answers with clang's diagnostics, then none once fixed", async () => {
    const from = screen.length;
    const failed = await api.workspace.build(FREE_PLAY);
    expect(screen.slice(from)).toMatch(/^make\nmake -C \/lib\/modules\/6\.8\.0-driverlab\/build M=\/home\/lab modules\n/);
    expect(failed).toMatchObject({ command: 'make', outcome: 'failed', status: 2 });
    // clang reports no unused variables in a function with errors: only the error is left.
    expect(failed.diagnostics).toEqual([{ file: 'hello.c', source: '/home/lab/hello.c', line: 8, column: 20, severity: 'error', message: "expected ';' after expression" }]);
    // The answer comes once the shell is back at its prompt (the screen gets it a batch later).
    await waitFor(atPrompt, 'the prompt after make');

    await api.workspace.write(FREE_PLAY, 'hello.c', FIXED);
    const built = await api.workspace.build(FREE_PLAY);
    expect(built).toEqual({ command: 'make', outcome: 'succeeded', status: 0, diagnostics: [] });
    expect(fs.existsSync(path.join(home, 'workspaces', FREE_PLAY, 'hello.ko'))).toBe(true);
  }, 60_000);

  it('builds from /home/lab when the shell is elsewhere', async () => {
    await run('cd /tmp\n', '\n', 'user@driverlab:/tmp$ ');
    const from = screen.length;
    const built = await api.workspace.build(FREE_PLAY);
    expect(screen.slice(from)).toMatch(/^cd \/home\/lab && make\n/);
    expect(built, screen.slice(from)).toMatchObject({ outcome: 'succeeded', status: 0 });
  }, 60_000);

  it('refuses to type into a running program or a half-typed line', async () => {
    await api.terminal.input(FREE_PLAY, 'cat\n');
    await waitFor((t) => t.endsWith('cat\n'), 'cat running');
    await expect(api.workspace.build(FREE_PLAY)).rejects.toThrow("the terminal is running 'cat': wait for it to finish or stop it with Ctrl-C, then try again");
    await run('\x03', '^C');
    await api.terminal.input(FREE_PLAY, 'ech');
    await waitFor((t) => t.endsWith(`${PROMPT}ech`), 'the half-typed line');
    await expect(api.workspace.build(FREE_PLAY)).rejects.toThrow('a command is half typed in the terminal');
    await run('o done\n', 'done\n');
  }, 60_000);

  it('gives the machine the screen size and the console log level, across a reboot', async () => {
    await api.terminal.resize(FREE_PLAY, 117, 33);
    await api.settings.set('consoleLogLevel', 8);
    expect(await run('stty size; cat /proc/sys/kernel/printk\n', '33 117')).toContain('33 117\n8\t4\t1\t7\n');
    // The shell waits at its prompt: Reboot types what the learner would.
    const from = screen.length;
    await api.machine.reboot(FREE_PLAY);
    await waitFor((t) => t.slice(from).startsWith('sudo reboot\n') && t.slice(from).includes('reboot: Restarting system') && atPrompt(t), 'the reboot');
    // A reboot is a new boot of the same machine thread.
    expect(core.sessionStatus(FREE_PLAY)).toMatchObject({ state: 'running', boot: 2 });
    expect(await run('stty size; cat /proc/sys/kernel/printk\n', '33 117')).toContain('33 117\n8\t4\t1\t7\n');
  }, 60_000);

  it('reboots through the kernel when the terminal is busy', async () => {
    await api.terminal.input(FREE_PLAY, 'cat\n');
    await waitFor((t) => t.endsWith('cat\n'), 'cat running');
    const from = screen.length;
    await api.machine.reboot(FREE_PLAY);
    await waitFor((t) => t.slice(from).includes('reboot: Restarting system') && atPrompt(t), 'the reboot');
    expect(core.sessionStatus(FREE_PLAY)).toMatchObject({ state: 'running', boot: 3 });
  }, 60_000);

  it('presses Alt+SysRq+key on the machine keyboard', async () => {
    const from = screen.length;
    await api.machine.sysrq(FREE_PLAY, 'h');
    await waitFor((t) => t.slice(from).includes('sysrq: HELP : loglevel(0-9) reboot(b)'), 'the SysRq help');
  }, 30_000);
});
