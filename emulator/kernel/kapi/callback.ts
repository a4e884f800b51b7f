// Calling a module's C function from a kernel context of its own (a timer, a
// tasklet, a work item, a kernel thread). A fault inside it is that module's
// oops (LoadedModule.enter): in a timer or tasklet, interrupt context, the
// machine panics; a work item or kernel thread dies with its task.
import type { ModuleContext } from './context.js';
import type { Maybe } from '../maybe.js';

export function callback(m: ModuleContext, fnptr: number, ...args: number[]): Maybe<number> {
  const r = m.call(fnptr, ...args);
  return r instanceof Promise ? r.then(Number) : Number(r);
}
