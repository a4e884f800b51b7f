// The cost of the fault checks kernel modules are built with (a NULL or wild
// pointer is an oops, not a silent write to address 0): the same memory-heavy
// loops built as a module is built, with and without the checks.
//
// How the checks were chosen (measured here, 2 shared cores, Node 20), as the
// slowdown of a byte-sum loop / a list walk / a byte copy loop:
//   a call to a checking import in the failing branch:        x1.6 / x1.1 / x2.0
//   the same, also checking the upper end of memory (global): x1.6 / x1.1 / x2.3
//   binaryen's SafeHeap (a call per access):                   x8 / x14 / x140
//   a trap in the failing branch, the NULL page only:         x1.2 / x1.0 / x1.0
//   a trap, both ends (below 4 KiB, or at or past 64 MiB) in one unsigned compare
//   with a constant:                                          x1.3 / x1.05 / x1.07   <- this one
// A call in the branch costs registers around the whole loop; a trap costs nothing until it
// fires, and leaves the address in two globals for the oops. The upper end costs a tight byte
// loop a little more than the NULL page alone, and gives a wild pointer's oops its address.
// The figures are ratios of the fastest of 21 alternating runs: a busy machine slows single runs
// by up to x2, and the fastest run is the least disturbed one.
import { processCompiler } from '../main/host/node-host.js';
import { KERNEL_TICK } from '../emulator/kernel/module.js';
import type { Row } from './stats.js';

const LOOPS_C = `struct item { int key; int val; struct item *next; };
static struct item pool[4096];
static unsigned char buf[65536];
unsigned char dst[65536];

void setup(void)
{
	for (int i = 0; i < 4096; i++) { pool[i].key = i; pool[i].val = i * 3; pool[i].next = &pool[(i * 7 + 1) & 4095]; }
	for (int i = 0; i < 65536; i++) buf[i] = (unsigned char)(i * 31);
}

/* a checksum over a buffer */
unsigned sum_bytes(int rounds)
{
	unsigned s = 0;
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < 65536; i++) s += buf[i] ^ r;
	return s;
}

/* a linked list walk */
int chase(int steps)
{
	struct item *p = &pool[0];
	int s = 0;
	for (int i = 0; i < steps; i++) { s += p->val; p->key++; p = p->next; }
	return s;
}

/* a driver filling a buffer */
void copy_bytes(int rounds)
{
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < 65536; i++) dst[i] = buf[(i + r) & 65535];
}
`;

type Loops = { setup: () => void; sum_bytes: (n: number) => number; chase: (n: number) => number; copy_bytes: (n: number) => void };

export async function benchFaultChecks(): Promise<Row[]> {
  const c = processCompiler();
  const r = await c.clang(['--target=wasm32', '-O2', '-fno-delete-null-pointer-checks', '-gline-tables-only', '-nostdlib', '-Wl,--no-entry', '-Wl,--export-all', '-o', 'loops.wasm', 'loops.c'], { 'loops.c': LOOPS_C });
  if (r.status !== 0) throw new Error(`bench: ${r.stderr}`);
  const wasm = r.outputs.get('loops.wasm')!;
  const load = (bytes: Uint8Array): Loops => {
    const refuel = { fuel: undefined as WebAssembly.Global | undefined };
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { __dl_tick: () => { refuel.fuel!.value = 10_000; } } });
    refuel.fuel = inst.exports.__dl_fuel as WebAssembly.Global;
    const loops = inst.exports as unknown as Loops;
    loops.setup();
    return loops;
  };
  // Both as modules are built (preemption points, Asyncify); one with the kernel's checks.
  const plain = load(await c.asyncify(wasm, [], KERNEL_TICK));
  const checked = load(await c.asyncify(wasm, [], KERNEL_TICK, true));
  if (plain.sum_bytes(3) !== checked.sum_bytes(3) || plain.chase(1000) !== checked.chase(1000)) throw new Error('bench: the checks changed a result');
  const loops: [string, (l: Loops) => void][] = [
    ['byte sum', (l) => l.sum_bytes(100)],
    ['list walk', (l) => l.chase(3_000_000)],
    ['byte copy', (l) => l.copy_bytes(100)],
  ];
  const rows: Row[] = [];
  for (const [name, run] of loops) {
    // Warm both up to the optimizing tier, then alternate them; on a busy machine the fastest of
    // many runs is the one least disturbed, so the figure is the ratio of the fastest runs.
    for (let i = 0; i < 5; i++) { run(plain); run(checked); }
    let [a, b] = [Infinity, Infinity];
    const RUNS = 21;
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now(); run(plain); a = Math.min(a, performance.now() - t);
      t = performance.now(); run(checked); b = Math.min(b, performance.now() - t);
    }
    rows.push({ name: `fault checks: slowdown of a ${name} loop`, value: `x${(b / a).toFixed(2)}`, target: '< x1.3', runs: RUNS });
  }
  return rows;
}
