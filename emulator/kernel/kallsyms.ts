// Names of module functions for messages (%ps): the C function a function
// pointer of a module refers to, from the wasm "name" section that wasm-ld
// writes, as Linux's kallsyms names module text.
import type { ModuleContext } from './kapi/context.js';
import { parseFunctionNames } from '../wasm/binary.js';

const names = new WeakMap<WebAssembly.Module, Map<number, string>>();

/** Function index -> name, from the "function names" subsection of the name section wasm-ld writes. */
export function moduleFunctionNames(module: WebAssembly.Module): Map<number, string> {
  let map = names.get(module);
  if (!map) {
    map = new Map();
    for (const sec of WebAssembly.Module.customSections(module, 'name')) for (const [i, n] of parseFunctionNames(new Uint8Array(sec))) map.set(i, n);
    names.set(module, map);
  }
  return map;
}

/** "%ps" of a C function pointer: "my_timer_fn [mymod]", or the bare pointer when unnamed. */
export function symbolOf(m: ModuleContext, fnptr: number): string {
  const mod = m.kernel.modules.get(m.name);
  const table = mod?.instance.exports.__indirect_function_table as WebAssembly.Table | undefined;
  let fn: unknown;
  try { fn = fnptr ? table?.get(fnptr) : undefined; } catch { fn = undefined; }
  // V8 names a wasm function object after its index in the module's function space.
  const index = typeof fn === 'function' ? Number((fn as { name: string }).name) : NaN;
  const name = mod && Number.isInteger(index) ? moduleFunctionNames(mod.module).get(index) : undefined;
  return name ? `${name} [${m.name}]` : `0x${fnptr.toString(16)}`;
}
