// The check API (main/labs/check-api.ts) as a lab author uses it: a lab whose checks look at a
// probe module's busy-waits, sleeps, leaks, BUG reports and port accesses, and whose other items
// fail on purpose (a command that never ends, a race over seeds, a check that crashes) so that
// their messages can be read here.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLabChecks, type CheckRunReport } from '../main/labs/check-runner.js';
import { loadLabs } from '../main/labs/loader.js';
import { readLearnerFiles } from '../main/labs/workspace.js';
import { createNodeHost } from '../main/host/node-host.js';
import { LabMachine } from '../main/labs/check-machine.js';
import { MemoryWorkspace } from '../main/labs/memory-workspace.js';
import { writeLab } from './helpers/labs.js';

const PROBE_C = `#include <linux/module.h>
#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <linux/spinlock.h>

/* TODO 1: nothing to do; the checks drive this module through its mode parameter. */
static int mode;
module_param(mode, int, 0);
static void *kept;
static DEFINE_SPINLOCK(lock);

static int __init probe_init(void)
{
	unsigned long flags;

	switch (mode) {
	case 1: mdelay(50); break;
	case 2: msleep(50); break;
	case 3: kept = kmalloc(100, GFP_KERNEL); break;
	case 4:
		spin_lock_irqsave(&lock, flags);
		kept = kmalloc(10, GFP_KERNEL);
		spin_unlock_irqrestore(&lock, flags);
		kfree(kept);
		kept = NULL;
		break;
	case 5: return inb(0x201) == 0xa5 ? 0 : -EIO;
	}
	return 0;
}

static void __exit probe_exit(void) { }

module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("GPL");
`;

const CHECKS = `import type { Check, CheckContext } from '@driverlab/checks';

async function load(t: CheckContext, mode: number): Promise<void> {
  const r = await t.machine.sh(\`sudo insmod probe.ko mode=\${mode} && sudo rmmod probe\`);
  t.expect(r.status === 0, { summary: 'probe did not load', seen: r.output });
}

const checks: Check[] = [
  { id: 'build', title: 'builds', async run(t) { await t.machine.build(); } },
  {
    id: 'busy-wait', title: 'mdelay is a busy-wait', needs: ['build'],
    async run(t) {
      const mark = t.machine.mark();
      await load(t, 1);
      const b = t.machine.longestBusyWait(mark);
      t.expect(b !== undefined && b.ms >= 50 && b.ms < 60 && b.comm === 'insmod', { summary: 'busy-wait not seen', seen: JSON.stringify(b) });
    },
  },
  {
    id: 'sleep', title: 'msleep is not', needs: ['build'],
    async run(t) {
      const mark = t.machine.mark();
      await load(t, 2);
      const b = t.machine.longestBusyWait(mark);
      t.expect(b === undefined || b.ms < 1, { summary: 'a sleep was taken for a busy-wait', seen: JSON.stringify(b) });
      t.expect(t.machine.now() - mark.timeNs >= 50e6, 'no time passed');
    },
  },
  {
    id: 'leak', title: 'a kmalloc leak is reported at unload', needs: ['build'],
    async run(t) {
      const mark = t.machine.mark();
      await load(t, 3);
      t.expectEqual(t.machine.unloads(mark), [{ module: 'probe', leftovers: [], leakedAllocations: 1, leakedBytes: 112 }], 'leak not reported');
    },
  },
  {
    id: 'bug', title: 'sleeping under a spinlock is a BUG report', needs: ['build'],
    async run(t) {
      const mark = t.machine.mark();
      await load(t, 4);
      const p = t.machine.problems(mark);
      t.expectEqual(p.map((x) => [x.kind, x.text]), [['BUG', 'BUG: sleeping function called from invalid context at include/linux/sched/mm.h:306']], 'no BUG');
      t.expectMatch(p[0]!.details[0]!, /^in_atomic\\(\\): 1, irqs_disabled\\(\\): 1/, 'no details');
    },
  },
  {
    id: 'ports', title: 'port accesses and the card are seen', needs: ['build'],
    async run(t) {
      const mark = t.machine.mark();
      const r = await t.machine.sh('sudo insmod probe.ko mode=5');
      t.expectEqual(r.status, 0, 'mode 5 failed');
      const reads = t.machine.portAccesses({ port: 0x201, dir: 'in', since: mark });
      t.expectEqual(reads.map((e) => e.value), [0xa5], 'ID register read not seen');
      t.expectEqual(t.machine.kmalloc('probe'), { allocations: 0, bytes: 0 }, 'kmalloc of a live module');
      t.expect((t.machine.card().status & 0x10) !== 0 && t.machine.card().io === 0x200, 'card not seen');
      t.expect(t.machine.resources().modules.some((m) => m.name === 'probe'), 'module not listed');
      t.expect(t.machine.tasks().every((task) => task.state !== 'R'), 'a task still runs between commands');
      t.expectEqual(t.machine.irqLine(0).edges > 0, true, 'no timer interrupts');
      t.expect(t.machine.dmesg().length > 10, 'no boot messages');
    },
  },
  {
    id: 'copy', title: 'the workspace is a copy', needs: ['build'],
    async run(t) {
      t.files.write('made-by-check.txt', 'x\\n');
      const r = await t.machine.sh('cat made-by-check.txt && echo y > made-in-machine.txt');
      t.expectEqual(r.output, 'x\\n', 'the copy is not what the machine sees');
      t.expectEqual(t.files.read('made-in-machine.txt'), 'y\\n', 'what the machine wrote is not in the copy');
      t.expectEqual(t.todo(1), { file: 'probe.c', line: 7, note: 'TODO 1' }, 'TODO 1 not found');
    },
  },
  { id: 'timeout', title: 'a command that never ends', async run(t) { await t.machine.sh('sleep 100', { timeoutMs: 2000 }); } },
  { id: 'after-timeout', title: 'the machine goes on', async run(t) { t.expectEqual((await t.machine.sh('echo alive')).output, 'alive\\n', 'dead'); } },
  {
    id: 'seeds', title: 'a race shows with one seed',
    async run(t) {
      await t.forSeeds(4, async (m, seed) => {
        const r = await m.sh('echo $((1 + 1))');
        t.expect(m.seed === seed && r.output === '2\\n', 'wrong machine');
        if (seed === 7) t.fail({ summary: 'the race happened', seen: 'two writers' });
      }, { first: 5 });
    },
  },
  {
    id: 'crash', title: 'a check with a bug',
    run() {
      const values: number[] = [];
      return void values.map((v) => v.toFixed(1)).at(0)!.length;
    },
  },
  { id: 'needs-crash', title: 'depends on the crash', needs: ['crash'], run() {} },
];

export default checks;
`;

let report: CheckRunReport;
beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-api-'));
  writeLab(dir, 'api', { files: { 'checks.ts': CHECKS, 'starter/probe.c': PROBE_C, 'starter/Makefile': 'obj-m += probe.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n', 'starter/hello.c': null, 'solution/hello.c': null, 'solution/probe.c': '/* the same */\n' } });
  const set = await loadLabs(dir);
  expect(set.problems).toEqual([]);
  report = await runLabChecks(set.labs[0]!, readLearnerFiles(path.join(dir, 'api', 'starter')));
}, 180_000);

function item(id: string) {
  return report.items.find((i) => i.id === id)!;
}

describe('the check API', () => {
  it('sees busy-waits and sleeps, leaks, BUG reports, port accesses, the card, a copy of the workspace', () => {
    for (const id of ['build', 'busy-wait', 'sleep', 'leak', 'bug', 'ports', 'copy', 'after-timeout']) {
      expect({ id, status: item(id).status, message: item(id).message }).toEqual({ id, status: 'passed', message: '' });
    }
  });

  it('kills a command that outlives its time and says so', () => {
    expect(item('timeout').message).toBe('`sleep 100` did not finish within 2 s of virtual time; the check killed it.\nSeen: (no output)\n' +
      'A read or open that sleeps and is never woken up looks like this.');
  });

  it('names the seed a failure happened with, and how to replay it', () => {
    expect(item('seeds').message).toBe('With scheduler seed 7 (3 of 4 tried): the race happened\nSeen: two writers\n' +
      'The same seed replays the same interleaving, first: driverlab check api --seed 7');
  });

  it('reports a check that crashes as the lab\'s bug, with its line in checks.ts, and skips what needs it', () => {
    expect(item('crash').status).toBe('failed');
    expect(item('crash').message).toMatch(/^The check itself failed, which is a bug in the lab, not in your code: .*\(checks\.ts:89\)$/);
    expect(item('needs-crash')).toMatchObject({ status: 'not checked', message: 'Not checked: it needs "a check with a bug", which failed.' });
    expect(report.passed).toBe(false);
  });
});

describe('a check machine', () => {
  it('does not count the host\'s compile time against a command\'s timeout', async () => {
    const workspace = new MemoryWorkspace(new Map([['t.c', { data: new TextEncoder().encode('int main(void) { return 0; }\n') }]]));
    const base = createNodeHost({});
    let busy = 0;
    const slow = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A) => {
      busy++;
      try {
        await new Promise((r) => setTimeout(r, 1000));
        return await f(...a);
      } finally {
        busy--;
      }
    };
    const c = base.compiler;
    const host = { ...base, workspace, compiler: { clang: slow(c.clang.bind(c)), wasmLd: slow(c.wasmLd.bind(c)), asyncify: slow(c.asyncify.bind(c)) } };
    const m = new LabMachine(host, { personality: 'modern', seed: 1, hostBusy: () => busy > 0 });
    const r = await m.sh('gcc -o t t.c && ./t && echo built', { timeoutMs: 2000 });
    expect(r).toEqual({ output: 'built\n', status: 0 });
    // Without the host at work, the same deadline is kept.
    await expect(m.sh('sleep 5', { timeoutMs: 2000 })).rejects.toThrow('`sleep 5` did not finish within 2 s of virtual time; the check killed it.');
  }, 120_000);
});
