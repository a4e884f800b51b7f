// <linux/bug.h>: BUG() and WARN() of modern modules. On x86 each is a ud2
// with a bug-table entry the trap handler reports (lib/bug.c report_bug);
// here the header calls the kernel with the same file and line. (2.2's BUG()
// in <asm/page.h> is printk and the trap itself: see oops.ts.)
import type { KapiTable, ModuleContext } from './context.js';
import { formatC } from '../format.js';
import { KernelFault, warnReport } from '../oops.js';
import { stackFrames } from '../symbols.js';

export function bugApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  return {
    __dl_bug: (file: number, line: number): void => {
      throw new KernelFault({ kind: 'invalid-opcode', bug: { file: m.cstring(file) ?? '?', line } });
    },
    __dl_warn: (file: number, line: number, fmt: number, va: number): void => {
      const message = fmt ? formatC(m.cstring(fmt) ?? '', m.varargs(va)) : undefined;
      // The first frame is the C function the WARN is in, at its call here.
      warnReport(k, `${m.cstring(file) ?? '?'}:${line}`, stackFrames(k, new Error().stack ?? ''), message);
    },
  };
}
