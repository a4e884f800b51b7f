// npm run bench -- --check: a regression guard for the hot paths that does not depend on how
// fast or how busy the machine is. Each figure is a ratio of two loops run in the same process,
// interleaved, in process CPU time: a path's cost over the cost of the simplest call C code can
// make into the kernel. Load slows both loops alike, so the ratio stays put, and a change that
// makes the path slower moves it. Exits 1 when a ratio is over its limit.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machine } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { median, printTable, type Row } from './stats.js';

/** `mode` 0: inb() of the card's ID register; 1: jiffies, an import that only reads a field. */
const LOOPS_C = `#include <linux/module.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/jiffies.h>

static int loops, mode;
module_param(loops, int, 0);
module_param(mode, int, 0);
static unsigned long sum;

static int __init loops_init(void)
{
	int i;

	if (mode == 0)
		for (i = 0; i < loops; i++)
			sum += inb(0x201);
	else
		for (i = 0; i < loops; i++)
			sum += jiffies;
	return 0;
}

static void __exit loops_exit(void) { }

module_init(loops_init);
module_exit(loops_exit);
MODULE_LICENSE("GPL");
`;

export interface RatioCheck { name: string; ratio: number; limit: number; runs: number }

/**
 * inb() over jiffies, measured at load 15 on 2 cores: 2.6-3.2 since port I/O was made fast,
 * 4.3-5.0 before (each charge allocated a heap number for the new time, the bus looked the
 * device's properties up on every access).
 */
// A change that makes the baseline itself cheaper (e.g. Kernel.jiffies, declared without a value and so
// a tagged field, becoming a double field) raises the ratio without slowing port I/O: measure both
// loops before and after such a change and move the limit with it.
export const PORT_IO_RATIO_LIMIT = 3.6;

export async function checkPortIoRatio(runs = 9): Promise<RatioCheck> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-bench-'));
  try {
    fs.writeFileSync(path.join(ws, 'loops.c'), LOOPS_C);
    fs.writeFileSync(path.join(ws, 'Makefile'), 'obj-m += loops.o\n');
    const m = new Machine(createNodeHost({ workspace: ws }), {}, () => undefined);
    m.boot();
    m.endInput();
    if (await m.runShell('/usr/src/linux-headers-6.8.0-driverlab/scripts/kbuild modules /home/lab >/dev/null') !== 0) throw new Error('bench: loops.ko did not build');
    const LOOPS = 2_000_000;
    /** CPU ms of one insmod+rmmod running `n` iterations. */
    const load = async (mode: number, n: number) => {
      const t = process.cpuUsage();
      if (await m.runShell(`sudo insmod loops.ko mode=${mode} loops=${n} && sudo rmmod loops`) !== 0) throw new Error('bench: loops.ko failed');
      const d = process.cpuUsage(t);
      return (d.user + d.system) / 1000;
    };
    await load(0, LOOPS);
    await load(1, LOOPS);
    const ratios: number[] = [];
    for (let i = 0; i < runs; i++) {
      const empty = await load(0, 0);
      const ports = (await load(0, LOOPS)) - empty;
      const field = (await load(1, LOOPS)) - empty;
      ratios.push(ports / field);
    }
    return { name: 'port I/O (inb) over the cheapest import (jiffies), CPU time', ratio: median(ratios), limit: PORT_IO_RATIO_LIMIT, runs };
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

export async function runChecks(): Promise<boolean> {
  const checks = [await checkPortIoRatio()];
  const rows: Row[] = checks.map((c) => ({ name: c.name, value: `x${c.ratio.toFixed(2)}${c.ratio > c.limit ? ' TOO SLOW' : ''}`, target: `< x${c.limit}`, runs: c.runs }));
  printTable(rows);
  return checks.every((c) => c.ratio <= c.limit);
}
