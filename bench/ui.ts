// The app's figures: the renderer's JavaScript bundle, and in browser mode the time from
// navigating to a lab's address until its view is interactive (the editor shows the lab's file
// and the terminal its shell prompt), for a lab opened for the first time (its machine boots).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from 'playwright-core';
import { DriverLabCore } from '../main/app/core.js';
import { folderLabProvider } from '../main/labs/catalog.js';
import { startWebServer } from '../main/server/web-server.js';
import { median, type Row } from './stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const RUNS = 7;

const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;

/** A small lab in the lab format (labs/README.md). */
function writeBenchLab(labsDir: string, id: string, order: number): void {
  const files: Record<string, string> = {
    'lab.json': JSON.stringify({ id, title: `Lab ${order}`, summary: 'A lab.', topic: 'bench', order, difficulty: 'beginner', estimatedMinutes: 5, personality: 'modern', languages: ['en'] }),
    'README.md': '# A lab\n\nBuild it with `make`.\n',
    'hints.md': '# Hints\n\n## Build\n\nType make.\n',
    'starter/hello.c': '#include <linux/module.h>\n\nMODULE_LICENSE("GPL"); /* TODO 1: a module */\n',
    'solution/hello.c': '#include <linux/module.h>\n\nMODULE_LICENSE("GPL");\n',
    'checks.ts': "import type { Check } from '@driverlab/checks';\n\nconst checks: Check[] = [{ id: 'file', title: 'hello.c is there', run(t) { t.expect(t.files.exists('hello.c'), { summary: 'no hello.c' }); } }];\n\nexport default checks;\n",
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(labsDir, id, name)), { recursive: true });
    fs.writeFileSync(path.join(labsDir, id, name), content);
  }
}

export async function benchUi(): Promise<Row[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-bench-ui-'));
  try {
    const rendererDir = path.join(home, 'renderer');
    await build({ root: path.join(ROOT, 'renderer'), configFile: path.join(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'silent', build: { outDir: rendererDir, emptyOutDir: true } });
    const scripts = fs.readdirSync(path.join(rendererDir, 'assets')).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(rendererDir, 'assets', f)));
    const raw = scripts.reduce((n, s) => n + s.length, 0);
    const gzip = scripts.reduce((n, s) => n + gzipSync(s).length, 0);
    const rows: Row[] = [{ name: 'renderer JS bundle (minified / gzip)', value: `${kb(raw)} / ${kb(gzip)}` }];
    if (!fs.existsSync(CHROMIUM)) {
      console.warn(`bench: ${CHROMIUM} is missing (apt-get install -y chromium): no browser-mode figure`);
      return rows;
    }

    // A lab per run, so each run opens a lab whose machine has never booted and whose
    // workspace is made from its starter.
    const labsDir = path.join(home, 'labs');
    for (let i = 0; i <= RUNS; i++) writeBenchLab(labsDir, `lab-${i}`, i);
    const core = new DriverLabCore({ home, labs: folderLabProvider(labsDir, { cacheDir: path.join(home, 'checks-cache') }), labsDir });
    const server = await startWebServer({ core, rendererDir });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const times: number[] = [];
      for (let i = 0; i <= RUNS; i++) {
        // A fresh browser context: nothing cached, as on the first visit.
        const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
        const page = await context.newPage();
        const start = performance.now();
        await page.goto(`${server.url}#/lab/lab-${i}`);
        await page.waitForFunction(() => {
          const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
          return (doc.querySelector('.cm-content')?.textContent ?? '').includes('MODULE_LICENSE') && /\$ $/.test((doc.querySelector('.xterm-rows')?.textContent ?? '').trimEnd() + ' ');
        }, undefined, { polling: 'raf', timeout: 30_000 });
        const elapsed = performance.now() - start;
        // The first run warms the server's and Chromium's caches of code; it is not counted.
        if (i > 0) times.push(elapsed);
        await context.close();
      }
      rows.push({ name: 'browser mode: navigation to an interactive lab view', value: `${median(times).toFixed(0)} ms`, target: '< 1.5 s', runs: times.length });
    } finally {
      await browser.close();
      await server.close();
      await core.close();
    }
    return rows;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
