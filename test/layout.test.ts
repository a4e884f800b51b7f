// The kernel reads and writes struct file, struct inode and struct proc_ops in
// module memory at the offsets of kapi/layout.ts: compile offsetof() of the real
// headers with the real clang and compare, so the two can never drift apart.
import { describe, expect, it } from 'vitest';
import { createNodeHost } from '../main/host/node-host.js';
import { Machine } from '../emulator/machine.js';
import { headerTree, moduleCflags } from '../emulator/toolchain/kbuild.js';
import { toFileTree } from '../emulator/toolchain/compile.js';
import { MODERN } from '../emulator/kernel/kapi/layout.js';

describe('struct layouts shared by C headers and the kernel', () => {
  it('match offsetof() in the modern headers', async () => {
    const host = createNodeHost({});
    const m = new Machine(host, {}, () => undefined);
    m.boot();
    const checks: string[] = [];
    for (const [struct, fields] of Object.entries(MODERN)) {
      for (const [field, off] of Object.entries(fields)) {
        if (field === 'size') checks.push(`_Static_assert(sizeof(struct ${struct}) == ${off}, "sizeof(struct ${struct})");`);
        else checks.push(`_Static_assert(__builtin_offsetof(struct ${struct}, ${field}) == ${off}, "${struct}.${field}");`);
      }
    }
    const src = `#include <linux/fs.h>\n#include <linux/proc_fs.h>\n#include <linux/cdev.h>\n#include <linux/mutex.h>\n${checks.join('\n')}\n`;
    const tree = toFileTree(new Map([['/t/layout.c', new TextEncoder().encode(src)]]));
    Object.assign(tree, headerTree(m.kernel).tree, { t: tree.t });
    const r = await host.compiler.clang([...moduleCflags(m.kernel, 'layout', 'layout'), '-c', '/t/layout.c', '-o', '/t/layout.o'], tree);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
