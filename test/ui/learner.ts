// What the UI tests do as a learner does it, in Chromium through browser mode: build the
// renderer, read the terminal (xterm.js's rows), type in it, find and edit text in the editor
// (CodeMirror's search panel, as a learner finds a TODO), take screenshots.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS = path.join(ROOT, 'test-results');
export const PROMPT = 'user@driverlab:/home/lab$';
export const hasChromium = fs.existsSync(CHROMIUM);

/** The renderer as `npm run build` makes it, in `outDir`. */
export async function buildRenderer(outDir: string): Promise<void> {
  await build({ root: path.join(ROOT, 'renderer'), configFile: path.join(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

export function launchChromium(): Promise<Browser> {
  fs.mkdirSync(RESULTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export const lines = (text: string) => text.split('\n').map((l) => l.replace(/\s+$/, '')).filter(Boolean);
export const lastLine = (text: string) => lines(text).at(-1) ?? '';
export const atPrompt = (text: string) => lastLine(text) === PROMPT;

/** The learner's actions on the page `current()` returns (tests open it in beforeAll). */
export function learner(current: () => Page) {
  /** What the terminal shows, row by row (xterm.js's DOM renderer). */
  const screen = () => current().locator('.xterm-rows').innerText();

  async function waitForScreen(test: (text: string) => boolean, what: string, ms = 20_000): Promise<string> {
    const start = Date.now();
    for (;;) {
      const text = await screen().catch(() => '');
      if (test(text)) return text;
      if (Date.now() - start > ms) throw new Error(`the terminal never showed ${what}; it shows:\n${text}`);
      await current().waitForTimeout(25);
    }
  }

  async function typeInTerminal(text: string) {
    await current().locator('.xterm').click();
    await current().keyboard.type(text);
  }

  const shot = (name: string) => current().screenshot({ path: path.join(RESULTS, name) });
  const status = () => current().getByTestId('status-message').innerText();

  /**
   * Selects the first match of `text` in the editor with its search panel (Ctrl+F), as a learner
   * would find it; with `regexp`, `text` is a regular expression (one with \s or \n spans lines).
   */
  async function findInEditor(text: string, options: { regexp?: boolean } = {}) {
    const page = current();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Control+f');
    const regexp = page.locator('.cm-search input[name=re]');
    if ((await regexp.isChecked()) !== Boolean(options.regexp)) await regexp.click();
    const field = page.locator('.cm-search input[name=search]');
    await field.fill(text);
    // The panel takes its query on change (or keyup), not on input.
    await field.dispatchEvent('change');
    await field.press('Enter');
    await page.keyboard.press('Escape');
  }

  /** Replaces the first `from` in the open editor with `to`, typing it in. */
  async function editInEditor(from: string, to: string, options: { regexp?: boolean } = {}) {
    await findInEditor(from, options);
    await current().keyboard.insertText(to);
  }

  /** The editor line (1-based) that holds a marker of `cls`, from its place on the screen. */
  async function lineOfMarker(cls: string): Promise<number> {
    const page = current();
    const marker = await page.locator(`.cm-content .${cls}`).first().boundingBox();
    const numbers = await page.locator('.cm-lineNumbers .cm-gutterElement').evaluateAll((els) => els.map((e) => ({ text: e.textContent, top: e.getBoundingClientRect().top, bottom: e.getBoundingClientRect().bottom })));
    const middle = marker!.y + marker!.height / 2;
    return Number(numbers.find((n) => n.top <= middle && middle < n.bottom)!.text);
  }

  return { screen, waitForScreen, typeInTerminal, shot, status, findInEditor, editInEditor, lineOfMarker };
}
