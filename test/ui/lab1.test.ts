// Lab 1 as it ships (labs/hello-proc), in Chromium through browser mode, with the app's own lab
// framework: its checks run in the check worker, as `npm run web` and the Electron app run
// them. A learner opens the catalog, opens the lab, completes the TODOs in the editor (the
// Makefile's and hello.c's), builds (a missing semicolon is marked inline, then fixed), loads
// the module and reads /proc/hello_proc in the terminal, runs the checks (the TODO left undone
// fails, pointing at it), finishes it, sees all checks pass, and finds the progress kept after
// a reload.
// Screenshots go to test-results/lab1-*.png.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DriverLabCore } from '../../main/app/core.js';
import { workerLabFramework } from '../../main/app/worker-framework.js';
import { folderLabProvider } from '../../main/labs/catalog.js';
import { startWebServer, type WebServer } from '../../main/server/web-server.js';
import { atPrompt, buildRenderer, hasChromium, launchChromium, learner, PROMPT, ROOT } from './learner.js';

const LABS = path.join(ROOT, 'labs');

/** The starter's TODOs (as regular expressions over the starter's text) and what the learner writes there. */
const TODO_1 = [String.raw`# TODO 1:.*`, 'obj-m += hello.o'] as const;
const TODO_2 = [
  String.raw`// TODO 2:[\s\S]*?-ENOMEM\.`,
  'proc_entry = proc_create(PROC_FILENAME, 0666, NULL, &hello_proc_ops);\n    if (!proc_entry) {\n        printk(KERN_ERR "Hello module: failed to create proc entry\\n");\n        return -ENOMEM;\n    }',
] as const;
const TODO_3 = [String.raw`// TODO 3:.*`, '.proc_read = hello_read,\n    .proc_write = hello_write,'] as const;
const TODO_4 = [
  String.raw`// TODO 4:[\s\S]*?return 0;`,
  'if (*pos >= message_len)\n        return 0;\n    if (count > message_len - *pos)\n        count = message_len - *pos;\n'
  + '    if (copy_to_user(buffer, message + *pos, count))\n        return -EFAULT;\n    *pos += count;\n    return count;',
] as const;
/** With the semicolon after printk(...) forgotten. */
const TODO_5_WRONG = [String.raw`// TODO 5:[\s\S]*?return -EINVAL;`, 'printk(KERN_INFO "Hello module: received %zu bytes\\n", count)\n    return count;'] as const;
const TODO_6 = [String.raw`// TODO 6:.*`, 'proc_remove(proc_entry);'] as const;

describe.skipIf(!hasChromium)('lab 1 as shipped, in Chromium (browser mode)', () => {
  let home: string;
  let core: DriverLabCore;
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  const { waitForScreen, typeInTerminal, shot, status, editInEditor, lineOfMarker } = learner(() => page);
  const onDisk = (file: string) => fs.readFileSync(path.join(home, 'workspaces', 'hello-proc', file), 'utf8');
  const verdict = () => page.getByTestId('checks-verdict').innerText().catch(() => '');

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-lab1-'));
    const rendererDir = path.join(home, 'renderer');
    await buildRenderer(rendererDir);
    const framework = workerLabFramework(LABS);
    framework.checks.start();
    core = new DriverLabCore({ home, labs: folderLabProvider(LABS), framework, labsDir: LABS });
    server = await startWebServer({ core, rendererDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 860 }, colorScheme: 'dark' });
    page.on('pageerror', (e) => console.error('page error:', e.message));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await core?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('opens the catalog, where lab 1 is the one to start with', async () => {
    await page.goto(server.url);
    await page.getByTestId('catalog-stats').waitFor();
    expect(await page.locator('[data-testid=lab-row][data-lab=hello-proc]').getAttribute('data-status')).toBe('not started');
    expect(await page.getByTestId('next-lab').innerText()).toContain('Hello, /proc: your first kernel module');
    await shot('lab1-catalog.png');
  });

  it('opens the lab: the instructions, the starter with its TODOs, the machine at its prompt', async () => {
    await page.locator('[data-lab=hello-proc]').click();
    await expect.poll(() => page.getByTestId('lab-title').innerText()).toBe('Hello, /proc: your first kernel module');
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('#define PROC_FILENAME "hello_proc"');
    expect(await page.locator('.cm-todo').first().innerText()).toMatch(/^TODO \d:$/);
    await waitForScreen(atPrompt, 'the shell prompt', 30_000);
    await shot('lab1-lab.png');
  });

  it('completes TODOs 1-5 in the editor; the build marks the missing semicolon, then succeeds', async () => {
    const tab = (name: string) => page.locator('.tab', { hasText: name });
    await tab('Makefile').click();
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('KERNEL_DIR');
    await editInEditor(TODO_1[0], TODO_1[1], { regexp: true });
    await tab('hello.c').click();
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('PROC_FILENAME');
    for (const [todo, code] of [TODO_4, TODO_5_WRONG, TODO_3, TODO_2]) await editInEditor(todo, code, { regexp: true });
    await page.keyboard.press('Control+Shift+B');
    await expect.poll(status, { timeout: 60_000 }).toMatch(/^Build failed: 1 error\(s\)/);
    expect(onDisk('hello.c')).toContain('received %zu bytes\\n", count)\n    return count;');
    await page.locator('.cm-lintRange-error').first().waitFor();
    const errorLine = onDisk('hello.c').split('\n').findIndex((l) => l.includes('received %zu bytes')) + 1;
    expect(await lineOfMarker('cm-lintRange-error')).toBe(errorLine);
    expect(await page.getByTestId('problems').innerText()).toContain("expected ';' after expression");
    await shot('lab1-build-error.png');

    // (In a plain search, CodeMirror reads \n as a newline: a regular expression says what is meant.)
    await editInEditor(String.raw`received %zu bytes\\n", count\)$`, 'received %zu bytes\\n", count);', { regexp: true });
    await page.getByTestId('build').click();
    await expect.poll(status, { timeout: 60_000 }).toMatch(/^Build succeeded/);
    expect(await page.locator('.cm-lintRange-error').count()).toBe(0);
  }, 150_000);

  it('loads the module and reads /proc/hello_proc in the terminal', async () => {
    await typeInTerminal('sudo insmod hello.ko && cat /proc/hello_proc\n');
    await waitForScreen((t) => t.includes('cat /proc/hello_proc\nHello from kernel module!\n') && atPrompt(t), 'the module answering');
    await typeInTerminal('sudo rmmod hello\n');
    await waitForScreen((t) => t.endsWith(`${PROMPT} sudo rmmod hello\n${PROMPT}`) || atPrompt(t), 'rmmod');
  });

  it('runs the checks: TODO 6 left undone fails and points at it; done, every check passes', async () => {
    await page.keyboard.press('Control+Shift+Enter');
    await expect.poll(verdict, { timeout: 120_000 }).toMatch(/^[12] of 9 checks failed$/);
    const failing = page.locator('[data-testid=check-item].failed');
    expect(await failing.first().innerText()).toMatch(/nothing is left behind after rmmod[\s\S]*still registered[\s\S]*Open hello\.c:\d+/);
    await shot('lab1-check-failing.png');
    await failing.first().getByRole('button', { name: /^Open hello\.c:/ }).click();
    await expect.poll(() => page.locator('.cm-activeLine').innerText()).toContain('TODO 6');

    await editInEditor(TODO_6[0], TODO_6[1], { regexp: true });
    await page.getByRole('button', { name: 'Run checks' }).click();
    await expect.poll(verdict, { timeout: 120_000 }).toBe('All 9 checks passed');
    expect(await page.locator('[data-testid=check-item].passed').count()).toBe(9);
    await shot('lab1-checks-passed.png');
  }, 300_000);

  it('keeps the progress across a reload', async () => {
    await page.reload();
    await page.getByRole('tab', { name: /Checks/ }).click();
    await expect.poll(verdict).toBe('All 9 checks passed');
    await page.getByRole('link', { name: 'Labs', exact: true }).click();
    await expect.poll(() => page.locator('[data-lab=hello-proc]').getAttribute('data-status')).toBe('passed');
    expect((await core.servicesFor({ description: 'test', mayUse: () => true }).progress.history('hello-proc')).runs.map((r) => r.passed)).toEqual([false, true]);
  });
});
