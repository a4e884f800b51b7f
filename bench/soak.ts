// Soak runs: what a long session does to the machine and to the host. Each run takes a count,
// so the same code serves `npm run soak` (the long versions, results in bench/results/soak.json)
// and npm test (short versions that still catch a leak or nondeterminism: test/soak.test.ts).
//
// Leaks are looked for where a driver's life leaves traces: the machine's free memory (module
// memory, kmalloc), its ioport and IRQ tables, /proc/devices, armed timers, tasks, the clock's
// event queue, and the host's heap after a full collection.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { Machine, type MachineConfig, type MachineEvent } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { modulesKb, programsKb } from '../emulator/kernel/memory.js';
import { procInterrupts } from '../emulator/kernel/irq.js';
import { HZ } from '../emulator/kernel/kernel.js';
import { runLabChecks } from '../main/labs/check-runner.js';
import { loadLabs } from '../main/labs/loader.js';

/** The repository's labs/: one folder up from bench/ when run from source (vitest), two from dist/bench. */
const LABS = ['..', '../..'].map((up) => path.resolve(path.dirname(fileURLToPath(import.meta.url)), up, 'labs')).find((d) => fs.existsSync(path.join(d, 'mailbox-irq')))!;

/** The card driver of lab 8 (Linux 2.2): request_region, two kmallocs, request_irq, register_chrdev. */
export function cardDriverFiles(): Record<string, string> {
  const lab = path.join(LABS, 'mailbox-irq');
  return {
    'my_device.c': fs.readFileSync(path.join(lab, 'solution', 'my_device.c'), 'utf8'),
    Makefile: fs.readFileSync(path.join(lab, 'starter', 'Makefile'), 'utf8'),
  };
}
const CARD_CONFIG: MachineConfig = { personality: '2.2' };

/** The heap after full collections: what the host really keeps. */
export function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** What the machine holds that a leak would grow. */
export interface MachineSnapshot {
  /** RAM the modules and user programs take (MemFree without the buffer cache, which grows by design). */
  usedKb: number;
  modules: number;
  tasks: number;
  timers: number;
  clockEvents: number;
  ioports: string;
  interrupts: string;
  devices: string;
  hostHeap: number;
}

function snapshot(m: Machine): MachineSnapshot {
  const k = m.kernel;
  // /proc/interrupts without its counts, which go up by design.
  const interrupts = procInterrupts(k).replace(/^( *\d+:)(?: +\d+)+/gm, '$1');
  return {
    usedKb: modulesKb(k) + programsKb(k), modules: k.modules.list().length, tasks: k.tasks.size, timers: k.timers.armedCount,
    clockEvents: m.clock.pendingCount, ioports: k.ioports.format(), interrupts, devices: k.chrdevs.procDevices(), hostHeap: heapAfterGc(),
  };
}

const MARK = '@@soak-snapshot@@';

/**
 * Runs `script` on a fresh machine; each `echo ${MARK}` in it takes a snapshot at that moment
 * (the terminal hears it while the machine runs). Returns the snapshots and the output.
 */
async function runWithSnapshots(script: string, files: Record<string, string>, config: MachineConfig = {}): Promise<{ snaps: MachineSnapshot[]; output: string; machine: Machine }> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-soak-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(workspace, name), text);
    const snaps: MachineSnapshot[] = [];
    let output = '';
    let machine: Machine | undefined = undefined;
    machine = new Machine(createNodeHost({ workspace }), { showBoot: false, ...config }, (t) => {
      if (t.includes(MARK)) snaps.push(snapshot(machine!));
      // Only the end is kept: a long run's output would itself be a leak.
      output = (output + t).slice(-20_000);
    });
    machine.boot();
    machine.endInput();
    const status = await machine.runShell(script);
    if (status !== 0) throw new Error(`soak: the script failed (${status}):\n${output.slice(-2000)}`);
    return { snaps, output: output.replace(/\r\n/g, '\n'), machine };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

export interface LeakResult {
  cycles: number;
  /** The snapshots after the warm-up and at the end. */
  before: MachineSnapshot;
  after: MachineSnapshot;
  ms: number;
}

/**
 * `cycles` insmod/rmmod cycles of the card driver, after `warmup` of them (the first loads fill
 * caches: clang's, V8's code, the page cache).
 */
export async function soakInsmodRmmod(cycles: number, warmup = 10): Promise<LeakResult> {
  const loop = (n: number) => `i=0; while [ $i -lt ${n} ]; do insmod my_device.o || exit 1; rmmod my_device || exit 1; i=$((i + 1)); done`;
  const t = performance.now();
  const script = `make -s && sudo sh -c '${loop(warmup)}; echo ${MARK}; ${loop(cycles)}; echo ${MARK}'`;
  const { snaps } = await runWithSnapshots(script, cardDriverFiles(), CARD_CONFIG);
  return { cycles, before: snaps[0]!, after: snaps[1]!, ms: performance.now() - t };
}

const OPEN_READ_CLOSE_C = (n: number) => `#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	char buf[16];
	for (long i = 0; i < ${n}; i++) {
		int fd = open("/dev/my_device0", O_RDONLY | O_NONBLOCK);
		if (fd < 0) { perror("open"); return 1; }
		read(fd, buf, sizeof(buf));
		close(fd);
	}
	return 0;
}
`;

/** `cycles` open/read/close cycles on the card driver's device, after a short warm-up. */
export async function soakOpenReadClose(cycles: number): Promise<LeakResult> {
  const t = performance.now();
  const files = { ...cardDriverFiles(), 'orc.c': OPEN_READ_CLOSE_C(cycles), 'warm.c': OPEN_READ_CLOSE_C(100) };
  const script = `make -s && gcc -o orc orc.c && gcc -o warm warm.c && sudo insmod my_device.o && sudo mknod /dev/my_device0 c 125 0 && sudo chmod 666 /dev/my_device0 && ./warm && echo ${MARK} && ./orc && echo ${MARK}`;
  const { snaps, output } = await runWithSnapshots(script, files, CARD_CONFIG);
  if (snaps.length < 2) throw new Error(`soak: open/read/close did not finish:\n${output.slice(-2000)}`);
  return { cycles, before: snaps[0]!, after: snaps[1]!, ms: performance.now() - t };
}

export interface VirtualTimeResult {
  hours: number;
  jiffies: number;
  timerInterrupts: number;
  ms: number;
  before: MachineSnapshot;
  after: MachineSnapshot;
}

/** A machine idle for `hours` of virtual time: every timer interrupt taken, the idle CPU skipping between them. */
export async function soakVirtualTime(hours: number): Promise<VirtualTimeResult> {
  const t = performance.now();
  const seconds = hours * 3600;
  const timerCount = (m: Machine) => Number(/^ *0:((?: +\d+)+)/m.exec(procInterrupts(m.kernel))?.[1]?.trim().split(/ +/).reduce((a, b) => a + Number(b), 0) ?? 0);
  const { snaps, machine } = await runWithSnapshots(`echo ${MARK}; sleep ${seconds}; echo ${MARK}`, {}, {});
  // Virtual time since boot, in ticks: what jiffies advanced by.
  const k = machine.kernel;
  const jiffies = Math.round((k.clock.now - k.bootNs) / (1e9 / HZ));
  return { hours, jiffies, timerInterrupts: timerCount(machine), ms: performance.now() - t, before: snaps[0]!, after: snaps[1]! };
}

export interface RepeatResult {
  runs: number;
  distinct: number;
  ms: number;
}

/**
 * A lab's whole check run repeated `runs` times with its seed: every run's report (each item's
 * status and message) must be the same.
 */
export async function soakCheckRepeat(runs: number, labId = 'hello-proc'): Promise<RepeatResult> {
  const { labs } = await loadLabs(LABS);
  const lab = labs.find((l) => l.manifest.id === labId);
  if (!lab) throw new Error(`soak: no lab ${labId}`);
  const files = new Map([...lab.starter, ...lab.solution].map(([p, data]) => [p, { data, mtimeMs: 0, mode: 0o644 }]));
  const reports = new Set<string>();
  const t = performance.now();
  for (let i = 0; i < runs; i++) {
    const report = await runLabChecks(lab, files);
    reports.add(JSON.stringify(report.items.map((it) => [it.id, it.status, it.message])));
  }
  return { runs, distinct: reports.size, ms: performance.now() - t };
}

/** The same script with the same seed, `runs` times: the whole terminal output and every machine event must be the same. */
export async function soakSameSeed(runs: number, seed = 7): Promise<RepeatResult> {
  const digests = new Set<string>();
  const t = performance.now();
  for (let i = 0; i < runs; i++) {
    const events: string[] = [];
    const onEvent = (e: MachineEvent) => { events.push(JSON.stringify(e)); };
    const script = 'make -s && sudo insmod my_device.o && cat /proc/interrupts /proc/ioports && sudo rmmod my_device && dmesg';
    const { output } = await runWithSnapshots(script, cardDriverFiles(), { ...CARD_CONFIG, seed, onEvent });
    digests.add(`${output}\n${events.join('\n')}`);
  }
  return { runs, distinct: digests.size, ms: performance.now() - t };
}
