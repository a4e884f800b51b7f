// npm run soak: the long soak runs (bench/soak.ts), printed as a table and recorded in
// bench/results/soak.json. Counts can be given as arguments: cycles=1000 orc=100000 hours=24 checks=500.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, type Row } from './stats.js';
import { soakCheckRepeat, soakInsmodRmmod, soakOpenReadClose, soakSameSeed, soakVirtualTime, type MachineSnapshot } from './soak.js';

const args = new Map(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const count = (name: string, dflt: number) => Number(args.get(name) ?? dflt);

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What differs between two snapshots of the machine (empty: nothing grew), and the host heap's change. */
function growth(before: MachineSnapshot, after: MachineSnapshot): { machine: string[]; heapBytes: number } {
  const machine = (Object.keys(before) as (keyof MachineSnapshot)[]).filter((k) => k !== 'hostHeap' && before[k] !== after[k]).map((k) => `${k}: ${String(before[k]).slice(0, 40)} -> ${String(after[k]).slice(0, 40)}`);
  return { machine, heapBytes: after.hostHeap - before.hostHeap };
}

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
const rows: Row[] = [];
const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/results/soak.json');
/** Written after each run, so a long soak stopped early still leaves what it measured. */
function record(): void {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ ...results, rows }, null, 2) + '\n');
}

const cycles = count('cycles', 1000);
const insmod = await soakInsmodRmmod(cycles);
const g1 = growth(insmod.before, insmod.after);
results.insmodRmmod = { cycles, ms: insmod.ms, machineGrowth: g1.machine, hostHeapGrowthBytes: g1.heapBytes };
rows.push({ name: `${cycles} insmod/rmmod cycles of the card driver: machine growth`, value: g1.machine.length ? g1.machine.join('; ') : 'none', target: 'none' });
rows.push({ name: `${cycles} insmod/rmmod cycles: host heap growth after GC (${s(insmod.ms)})`, value: kib(g1.heapBytes), target: '< 2 MiB' });
record();

const orcCycles = count('orc', 100_000);
const orc = await soakOpenReadClose(orcCycles);
const g2 = growth(orc.before, orc.after);
results.openReadClose = { cycles: orcCycles, ms: orc.ms, machineGrowth: g2.machine, hostHeapGrowthBytes: g2.heapBytes };
rows.push({ name: `${orcCycles} open/read/close cycles: machine growth`, value: g2.machine.length ? g2.machine.join('; ') : 'none', target: 'none' });
rows.push({ name: `${orcCycles} open/read/close cycles: host heap growth after GC (${s(orc.ms)})`, value: kib(g2.heapBytes), target: '< 2 MiB' });
record();

const hours = count('hours', 24);
const day = await soakVirtualTime(hours);
const g3 = growth(day.before, day.after);
results.virtualTime = { hours, jiffies: day.jiffies, timerInterrupts: day.timerInterrupts, ms: day.ms, machineGrowth: g3.machine, hostHeapGrowthBytes: g3.heapBytes };
rows.push({ name: `${hours} virtual hours idle: jiffies, timer interrupts`, value: `${day.jiffies}, ${day.timerInterrupts}`, target: `${hours * 360_000}` });
rows.push({ name: `${hours} virtual hours idle: wall time, machine growth`, value: `${s(day.ms)}, ${g3.machine.length ? g3.machine.join('; ') : 'none'}` });
record();

const checks = count('checks', 500);
const repeat = await soakCheckRepeat(checks);
results.checkRepeat = repeat;
rows.push({ name: `lab hello-proc's check run x${checks}, same seed: distinct reports (${s(repeat.ms)})`, value: String(repeat.distinct), target: '1' });
record();
const seedRuns = count('seeds', 50);
const same = await soakSameSeed(seedRuns);
results.sameSeed = same;
rows.push({ name: `card driver script x${seedRuns}, seed 7: distinct output+event streams (${s(same.ms)})`, value: String(same.distinct), target: '1' });

printTable(rows);
record();
console.log(`\nrecorded in ${path.relative(process.cwd(), out)}`);
