// Names of module functions for messages (%ps): the C function a function
// pointer of a module refers to, from the wasm "name" section that wasm-ld
// writes, as Linux's kallsyms names module text.
import type { ModuleContext } from './kapi/context.js';

const names = new WeakMap<WebAssembly.Module, Map<number, string>>();

/** Function index -> name, from the "function names" subsection (id 1) of the name section. */
function functionNames(module: WebAssembly.Module): Map<number, string> {
  let map = names.get(module);
  if (map) return map;
  map = new Map();
  names.set(module, map);
  for (const sec of WebAssembly.Module.customSections(module, 'name')) {
    const b = new Uint8Array(sec);
    let p = 0;
    const leb = (): number => { let r = 0, shift = 0, c: number; do { c = b[p++]!; r |= (c & 0x7f) << shift; shift += 7; } while (c & 0x80); return r >>> 0; };
    while (p < b.length) {
      const id = b[p++]!;
      const size = leb();
      const end = p + size;
      if (id === 1) {
        for (let n = leb(); n > 0; n--) {
          const index = leb();
          const len = leb();
          map.set(index, new TextDecoder().decode(b.subarray(p, p + len)));
          p += len;
        }
      }
      p = end;
    }
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
  const name = mod && Number.isInteger(index) ? functionNames(mod.module).get(index) : undefined;
  return name ? `${name} [${m.name}]` : `0x${fnptr.toString(16)}`;
}
