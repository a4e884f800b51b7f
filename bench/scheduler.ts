// The engine's WebAssembly declarations (bench/ has no DOM lib), as emulator/ sees them.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../emulator/engine-globals.d.ts" />
// Step 3's figures: task switches through a driver's wait queue, interrupt
// delivery into a C handler, and what preemption points cost a compute loop.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machine } from '../emulator/machine.js';
import { irqLine } from '../emulator/hw/irq.js';
import { createNodeHost, processCompiler } from '../main/host/node-host.js';
import { KERNEL_TICK } from '../emulator/kernel/module.js';
import { median, type Row } from './stats.js';

const PINGPONG_C = `#include <linux/module.h>
#include <linux/fs.h>
#include <linux/wait.h>
MODULE_LICENSE("GPL");
static DECLARE_WAIT_QUEUE_HEAD(wq);
static int turn;
/* ioctl(fd, me, rounds): wait for my turn, hand it over, and again. */
static long pp_ioctl(struct file *f, unsigned int me, unsigned long rounds)
{
	unsigned long i;
	for (i = 0; i < rounds; i++) {
		if (wait_event_interruptible(wq, turn == me))
			return -ERESTARTSYS;
		turn = !me;
		wake_up(&wq);
	}
	return 0;
}
static const struct file_operations fops = { .owner = THIS_MODULE, .unlocked_ioctl = pp_ioctl };
static int __init pp_init(void) { return register_chrdev(210, "pingpong", &fops) < 0 ? -EBUSY : 0; }
static void __exit pp_exit(void) { unregister_chrdev(210, "pingpong"); }
module_init(pp_init);
module_exit(pp_exit);
`;

const PP_USER_C = `#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
int main(int argc, char **argv) { int fd = open("/dev/pp", O_RDWR); return ioctl(fd, atoi(argv[1]), atol(argv[2])) ? 1 : 0; }
`;

const IRQ_C = `#include <linux/module.h>
#include <linux/interrupt.h>
MODULE_LICENSE("GPL");
static unsigned long count;
static irqreturn_t bench_irq(int irq, void *dev) { count++; return IRQ_HANDLED; }
static int __init b_init(void) { return request_irq(7, bench_irq, 0, "bench", &count); }
static void __exit b_exit(void) { free_irq(7, &count); }
module_init(b_init);
module_exit(b_exit);
`;

const MAKEFILE = 'obj-m += pingpong.o irqbench.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n';
const ROUNDS = 20_000;

export async function benchScheduler(): Promise<Row[]> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-bench-'));
  fs.writeFileSync(path.join(ws, 'pingpong.c'), PINGPONG_C);
  fs.writeFileSync(path.join(ws, 'irqbench.c'), IRQ_C);
  fs.writeFileSync(path.join(ws, 'pp.c'), PP_USER_C);
  fs.writeFileSync(path.join(ws, 'Makefile'), MAKEFILE);
  const rows: Row[] = [];

  // Two processes hand a turn back and forth through the driver's wait queue: every round is two switches.
  const switchRates: number[] = [];
  for (let i = 0; i < 5; i++) {
    const m = new Machine(createNodeHost({ workspace: ws }), {}, () => undefined);
    m.boot();
    m.endInput();
    if (await m.runShell('make -s && gcc -o pp pp.c && sudo insmod pingpong.ko && sudo mknod /dev/pp c 210 0 && sudo chmod 666 /dev/pp') !== 0) throw new Error('bench: pingpong setup failed');
    const before = m.kernel.sched.contextSwitches;
    const t = performance.now();
    if (await m.runShell(`./pp 0 ${ROUNDS} & ./pp 1 ${ROUNDS}; wait`) !== 0) throw new Error('bench: pingpong failed');
    switchRates.push((m.kernel.sched.contextSwitches - before) / ((performance.now() - t) / 1000));
  }
  rows.push({ name: 'context switches/s (ping-pong through a driver)', value: Math.round(median(switchRates)).toLocaleString('en-US'), target: '> 100,000', runs: switchRates.length });

  // IRQ 7 edges: PIC, INTA, do_IRQ, the C handler, EOI.
  const irqRates: number[] = [];
  {
    const m = new Machine(createNodeHost({ workspace: ws }), { cards: [] }, () => undefined);
    m.boot();
    m.endInput();
    if (await m.runShell('make -s && sudo insmod irqbench.ko') !== 0) throw new Error('bench: irqbench setup failed');
    const line = irqLine(m.pic, 7);
    const k = m.kernel;
    for (let r = 0; r < 5; r++) {
      const n = 100_000;
      const before = k.irqCounts[7]!;
      const t = performance.now();
      for (let i = 0; i < n; i++) { line.raise(); k.handleInterrupts(); line.lower(); }
      if (k.irqCounts[7]! - before !== n) throw new Error('bench: interrupts were lost');
      irqRates.push(n / ((performance.now() - t) / 1000));
    }
  }
  rows.push({ name: 'interrupts/s delivered into a C handler', value: Math.round(median(irqRates)).toLocaleString('en-US'), target: '> 200,000', runs: irqRates.length });
  fs.rmSync(ws, { recursive: true, force: true });

  rows.push(await benchInstrumentation());
  return rows;
}

const COMPUTE_C = `unsigned work(unsigned n) {
	unsigned s = 0;
	for (unsigned i = 0; i < n; i++) { s += i * i ^ (s >> 3); if (s & 0x100000) s = s * 7 + 1; }
	return s;
}
`;

/** The same compute loop built with and without preemption points (both asyncified as modules are). */
async function benchInstrumentation(): Promise<Row> {
  const c = processCompiler();
  const r = await c.clang(['--target=wasm32', '-O2', '-nostdlib', '-Wl,--no-entry', '-Wl,--export=work', '-Wl,--export=__stack_pointer', '-o', 'work.wasm', 'work.c'], { 'work.c': COMPUTE_C });
  if (r.status !== 0) throw new Error(`bench: ${r.stderr}`);
  const wasm = r.outputs.get('work.wasm')!;
  const plain = await c.asyncify(wasm, []);
  const ticked = await c.asyncify(wasm, [], KERNEL_TICK);
  const instance = (bytes: Uint8Array) => {
    const refuel = { fuel: undefined as WebAssembly.Global | undefined };
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { __dl_tick: () => { refuel.fuel!.value = 10_000; } } });
    refuel.fuel = inst.exports.__dl_fuel as WebAssembly.Global | undefined;
    return inst.exports.work as (n: number) => number;
  };
  const [a, b] = [instance(plain), instance(ticked)];
  if (a(1000) !== b(1000)) throw new Error('bench: instrumentation changed the result');
  const N = 30_000_000;
  const ratios: number[] = [];
  for (let i = 0; i < 7; i++) {
    let t = performance.now(); a(N); const ta = performance.now() - t;
    t = performance.now(); b(N); const tb = performance.now() - t;
    ratios.push(tb / ta);
  }
  return { name: 'preemption points: slowdown of a compute loop', value: `x${median(ratios).toFixed(2)}`, target: '< x1.3', runs: ratios.length };
}
