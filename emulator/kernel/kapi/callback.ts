// Calling a module's C function from a kernel context of its own (a timer, a
// tasklet, a work item, a kernel thread): a trap inside it is an oops of that
// module, reported and survived, not an exception through the kernel.
import type { ModuleContext } from './context.js';
import type { Maybe } from '../maybe.js';

export function callback(m: ModuleContext, fnptr: number, ...args: number[]): Maybe<number> {
  const oops = (e: unknown): number => {
    const mod = m.kernel.modules.get(m.name);
    if (mod) return m.kernel.modules.oops(mod, e);
    m.kernel.printk(`\x011BUG: unable to handle page fault in code of unloaded module ${m.name}: ${(e as Error).message ?? e}\n`);
    return -14;
  };
  try {
    const r = m.call(fnptr, ...args);
    return r instanceof Promise ? r.then(Number, oops) : Number(r);
  } catch (e) {
    return oops(e);
  }
}
