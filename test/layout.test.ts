// The kernel reads and writes struct file, struct inode, struct file_operations
// and friends in module memory at the offsets of kapi/layout.ts: compile
// offsetof() of the real headers with the real clang and compare, per
// personality, so the two can never drift apart.
import { describe, expect, it } from 'vitest';
import { createNodeHost } from '../main/host/node-host.js';
import { Machine } from '../emulator/machine.js';
import type { Personality } from '../emulator/kernel/kernel.js';
import { headerTree, moduleCflags } from '../emulator/toolchain/kbuild.js';
import { toFileTree } from '../emulator/toolchain/compile.js';
import { MODERN, MODERN_DEFERRED, MODERN_IO, MODERN_PARAM, MODERN_TASK, V2_2, V2_2_IRQ, V2_2_SCHED, V2_2_TIMER } from '../emulator/kernel/kapi/layout.js';

const CASES: [Personality, Record<string, Record<string, number>>, string[]][] = [
  ['modern', { ...MODERN, ...MODERN_IO, ...MODERN_DEFERRED, ...MODERN_TASK, ...MODERN_PARAM }, ['linux/fs.h', 'linux/sched.h', 'linux/moduleparam.h', 'linux/proc_fs.h', 'linux/cdev.h', 'linux/mutex.h', 'linux/ioport.h',
    'linux/timer.h', 'linux/completion.h', 'linux/interrupt.h', 'linux/workqueue.h', 'linux/spinlock.h']],
  ['2.2', { ...V2_2, ...V2_2_SCHED, ...V2_2_IRQ, ...V2_2_TIMER }, ['linux/fs.h', 'linux/sched.h', 'asm/ptrace.h', 'linux/timer.h']],
];

describe('struct layouts shared by C headers and the kernel', () => {
  for (const [personality, layout, headers] of CASES) {
    it(`match offsetof() in the ${personality} headers`, async () => {
      const host = createNodeHost({});
      const m = new Machine(host, { personality }, () => undefined);
      m.boot();
      const checks: string[] = [];
      for (const [struct, fields] of Object.entries(layout)) {
        for (const [field, off] of Object.entries(fields)) {
          if (field === 'size') checks.push(`_Static_assert(sizeof(struct ${struct}) == ${off}, "sizeof(struct ${struct})");`);
          else checks.push(`_Static_assert(__builtin_offsetof(struct ${struct}, ${field}) == ${off}, "${struct}.${field}");`);
        }
      }
      const src = `${headers.map((h) => `#include <${h}>`).join('\n')}\n${checks.join('\n')}\n`;
      const tree = toFileTree(new Map([['/t/layout.c', new TextEncoder().encode(src)]]));
      Object.assign(tree, headerTree(m.kernel).tree, { t: tree.t });
      const r = await host.compiler.clang([...moduleCflags(m.kernel, 'layout', 'layout'), '-c', '/t/layout.c', '-o', '/t/layout.o'], tree);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  }
});
