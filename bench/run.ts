// npm run bench: DriverLab's performance figures, as medians of several runs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../emulator/machine.js';
import { createNodeHost, processCompiler } from '../main/host/node-host.js';
import { median, measure, printTable, type Row } from './stats.js';
import { moduleCflags, headerTree } from '../emulator/toolchain/kbuild.js';
import { toFileTree } from '../emulator/toolchain/compile.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const seedText = fs.readFileSync(path.resolve(here, '../../../shared/seeds/000_29c68f9db2cc9634.txt'), 'utf8');
const HELLO_C = /```c\n(\/\/ hello\.c\n.*?)```/s.exec(seedText)![1]!;

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function bootToPrompt(): Promise<void> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-bench-'));
  let seen = '';
  const m = new Machine(createNodeHost({ workspace: ws }), {}, (t) => { seen += t; });
  m.boot();
  void m.runShell();
  await m.runUntil(() => seen.includes('$ '));
  m.stop();
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const arg = process.argv[2];
  if (arg === '--cold-compile') {
    // Run in a fresh process by the parent: the first compile pays for loading clang.
    const compiler = processCompiler();
    const t = performance.now();
    await compiler.clang(['--target=wasm32', '-c', 'x.c', '-o', 'x.o'], { 'x.c': 'int x;\n' });
    process.stdout.write(String(performance.now() - t));
    return;
  }

  await bootToPrompt();
  const boot = await measure(15, bootToPrompt);
  rows.push({ name: 'boot to first shell prompt', value: ms(median(boot)), target: '< 150 ms', runs: boot.length });

  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--cold-compile'], { encoding: 'utf8' });
    cold.push(Number(r.stdout));
  }
  rows.push({ name: 'cold first compile (new process)', value: ms(median(cold)), target: '~2 s', runs: cold.length });

  const host = createNodeHost({});
  const m = new Machine(host, {}, () => undefined);
  m.boot();
  const headers = headerTree(m.kernel);
  const compile = async () => {
    const tree = toFileTree(new Map([['/home/lab/hello.c', new TextEncoder().encode(HELLO_C)]]));
    Object.assign(tree, headers.tree, { home: tree.home });
    const r = await host.compiler.clang([...moduleCflags(m.kernel, 'hello', 'hello'), '-c', '/home/lab/hello.c', '-o', '/home/lab/hello.o'], tree);
    if (r.status !== 0) throw new Error(r.stderr);
  };
  await compile();
  const warm = await measure(7, compile);
  rows.push({ name: 'warm compile of hello.c (clang -c)', value: ms(median(warm)), target: '< 300 ms', runs: warm.length });

  printTable(rows);
}

await main();
