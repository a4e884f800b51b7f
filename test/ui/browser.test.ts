// The real UI in Chromium, through browser mode (ARCHITECTURE.md decision 8): the renderer is
// built with Vite, served by the browser-mode server with a real core behind it, and driven
// by Playwright as a learner would use it: the xterm.js terminal, the CodeMirror editor, a
// reload, a flood, a machine whose thread dies. Screenshots go to test-results/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DriverLabCore } from '../../main/app/core.js';
import { FREE_PLAY } from '../../main/ipc/common/contract.js';
import { folderLabProvider } from '../../main/labs/catalog.js';
import { startWebServer, type WebServer } from '../../main/server/web-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const RESULTS = path.join(ROOT, 'test-results');
const PROMPT = 'user@driverlab:/home/lab$';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/ui: ${CHROMIUM} is missing (apt-get install -y chromium): the browser tests are skipped`);

const HELLO_C = '#include <linux/module.h>\n\nMODULE_LICENSE("GPL");\n';

describe.skipIf(!hasChromium)('the app in Chromium (browser mode)', () => {
  let home: string;
  let core: DriverLabCore;
  let server: WebServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-ui-'));
    const rendererDir = path.join(home, 'renderer');
    await build({ root: path.join(ROOT, 'renderer'), configFile: path.join(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
    fs.mkdirSync(path.join(home, 'workspaces', FREE_PLAY), { recursive: true });
    fs.writeFileSync(path.join(home, 'workspaces', FREE_PLAY, 'hello.c'), HELLO_C);
    core = new DriverLabCore({ home, labs: folderLabProvider(path.join(home, 'labs')) });
    server = await startWebServer({ core, rendererDir });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 860 }, colorScheme: 'dark' });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    fs.mkdirSync(RESULTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await core?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  /** What the terminal shows, row by row (xterm.js's DOM renderer). */
  const screen = () => page.locator('.xterm-rows').innerText();
  async function waitForScreen(test: (text: string) => boolean, what: string, ms = 15_000): Promise<string> {
    const start = Date.now();
    for (;;) {
      const text = await screen().catch(() => '');
      if (test(text)) return text;
      if (Date.now() - start > ms) throw new Error(`the terminal never showed ${what}; it shows:\n${text}`);
      await page.waitForTimeout(25);
    }
  }
  const lastLine = (text: string) => text.split('\n').map((l) => l.replace(/\s+$/, '')).filter(Boolean).at(-1) ?? '';
  const atPrompt = (text: string) => lastLine(text) === PROMPT;
  async function typeInTerminal(text: string) {
    await page.locator('.xterm').click();
    await page.keyboard.type(text);
  }
  const shot = (name: string) => page.screenshot({ path: path.join(RESULTS, name) });

  it('opens the page and runs uname -r in the xterm.js terminal', async () => {
    await page.goto(server.url);
    await waitForScreen(atPrompt, 'the shell prompt');
    // The token left the address bar (it stays in the tab's session storage for reloads).
    expect(page.url()).not.toContain('token=');
    await typeInTerminal('uname -r\n');
    const text = await waitForScreen((t) => /uname -r\n6\.8\.0-driverlab\n/.test(t) && atPrompt(t), 'uname -r');
    expect(text).toContain('6.8.0-driverlab');
    expect(await page.getByTestId('machine-state').innerText()).toContain('running');
    await shot('ui-terminal.png');
  });

  it('edits and saves a file in the editor, and cat shows it in the terminal', async () => {
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('MODULE_LICENSE("GPL");');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('MODULE_DESCRIPTION("edited in the browser");\n');
    await expect.poll(() => page.locator('.tab.active').innerText()).toContain('●');
    await page.keyboard.press('Control+S');
    await expect.poll(() => page.getByTestId('status-message').innerText()).toMatch(/^Saved hello\.c \(\d+ bytes\)/);
    expect(await page.locator('.tab.active').innerText()).not.toContain('●');
    expect(fs.readFileSync(path.join(home, 'workspaces', FREE_PLAY, 'hello.c'), 'utf8')).toBe(`${HELLO_C}MODULE_DESCRIPTION("edited in the browser");\n`);
    await typeInTerminal('cat hello.c\n');
    await waitForScreen((t) => t.includes('MODULE_DESCRIPTION("edited in the browser");') && atPrompt(t), 'the saved file');
    await shot('ui-editor-saved.png');
  });

  it('finds the machine still running after a reload, with its screen', async () => {
    await typeInTerminal('echo before-reload\n');
    await waitForScreen((t) => t.includes('\nbefore-reload\n'), 'echo before-reload');
    await page.reload();
    // The scrollback is replayed and the same boot is still running.
    await waitForScreen((t) => t.includes('\nbefore-reload\n') && atPrompt(t), 'the replayed screen');
    expect(await page.getByTestId('machine-state').innerText()).toContain('running');
    expect(core.sessionStatus(FREE_PLAY)).toMatchObject({ state: 'running', boot: 1 });
    await typeInTerminal('echo still-$((6*7))\n');
    await waitForScreen((t) => t.includes('\nstill-42\n') && atPrompt(t), 'echo after the reload');
    await shot('ui-after-reload.png');
  });

  it('stays responsive during an output flood: ^C is answered at once', async () => {
    await typeInTerminal('yes flood\n');
    await waitForScreen((t) => t.split('\nflood').length > 10, 'the flood');
    await page.waitForTimeout(1500);
    const start = Date.now();
    await page.keyboard.press('Control+C');
    await waitForScreen(atPrompt, 'the prompt after ^C', 5000);
    const ms = Date.now() - start;
    console.log(`flood: prompt back ${ms} ms after ^C`);
    expect(ms).toBeLessThan(1000);
    await typeInTerminal('echo calm\n');
    await waitForScreen((t) => t.includes('\ncalm\n') && atPrompt(t), 'echo after the flood');
  });

  it('says the machine powered off when its thread dies, and boots it again', async () => {
    await core.sessionFor(FREE_PLAY)!.thread!.terminate();
    const notice = page.getByTestId('powered-off');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.innerText()).toMatch(/The machine powered off\.\s+crashed: the machine thread exited with code 1\s+Boot again/);
    await shot('ui-powered-off.png');
    await notice.getByRole('button', { name: 'Boot again' }).click();
    await notice.waitFor({ state: 'detached' });
    await waitForScreen((t) => t.includes('Run /sbin/init as init process') && atPrompt(t), 'the new boot');
    await typeInTerminal('uname -r\n');
    await waitForScreen((t) => /uname -r\n6\.8\.0-driverlab\n/.test(t.slice(t.lastIndexOf('Run /sbin/init as init process'))) && atPrompt(t), 'uname -r on the new boot');
    expect(core.sessionStatus(FREE_PLAY)).toMatchObject({ state: 'running', boot: 2 });
  });

  it('switches to the light theme and keeps it', async () => {
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');
    await shot('ui-light.png');
    await page.reload();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');
  });
});
