// Test helpers: boot a machine in-process (the compiler stays warm across
// tests of one file) with a temporary workspace holding the given files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machine, type MachineConfig } from '../../emulator/machine.js';
import { createNodeHost } from '../../main/host/node-host.js';

const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary workspace folder holding `files`; removed when the test process exits. */
export function tempWorkspace(files: Record<string, string | Uint8Array> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-test-'));
  created.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}

export interface ShResult {
  status: number;
  output: string;
  machine: Machine;
  workspace: string;
}

/** Runs `script` in a fresh machine, like `driverlab sh -c`. Output has \r\n turned into \n. */
export async function runSh(script: string, opts: { files?: Record<string, string | Uint8Array>; workspace?: string; config?: MachineConfig; prepare?: (machine: Machine) => void } = {}): Promise<ShResult> {
  const workspace = opts.workspace ?? tempWorkspace(opts.files);
  let out = '';
  // As `driverlab sh` does: boot messages are hidden (every boot's, a reboot's too) unless asked for.
  const machine = new Machine(createNodeHost({ workspace }), { showBoot: false, ...opts.config }, (t) => { out += t; });
  machine.boot();
  machine.endInput();
  // E.g. keys pressed or the reset button at given virtual times: machine.clock.schedule(t, () => machine.sysrq('s')).
  opts.prepare?.(machine);
  // A script that never ends (a driver that sleeps forever) fails its test instead of spinning on.
  const watchdog = setTimeout(() => machine.stop(), 55_000);
  const status = await machine.runShell(script).finally(() => clearTimeout(watchdog));
  return { status, output: out.replace(/\r\n/g, '\n'), machine, workspace };
}

export const SEEDS_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/seeds');

/**
 * The code blocks of a seed document, by the file name in their first comment
 * line (`// hello.c`, `# Makefile`), exactly as printed. Makefile recipes in the
 * seed are indented with one space (lost tabs); `tabs` restores the TAB.
 */
export function seedFiles(seed: string): Map<string, string> {
  const text = fs.readFileSync(path.join(SEEDS_DIR, seed), 'utf8');
  const files = new Map<string, string>();
  for (const m of text.matchAll(/```(?:c|makefile)\n(.*?)```/gs)) {
    const body = m[1]!;
    const name = /^(?:\/\/|#)\s*([\w.]+)\s*\n/.exec(body)?.[1];
    if (name && !files.has(name)) files.set(name, body);
  }
  return files;
}

export function withTabs(makefile: string): string {
  return makefile.replace(/^ (?=\S)/gm, '\t');
}
