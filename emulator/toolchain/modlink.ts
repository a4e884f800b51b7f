// The last steps of every module build, shared by kbuild (`make modules`) and by 2.2's insmod of a
// `gcc -c` object: compile the generated <mod>.mod.c (name, vermagic, struct module), link it with
// the module's objects, collect the .modinfo strings into the "modinfo" section, and make the C
// code resumable (Asyncify) around the blocking kernel API and at its preemption points.
import type { Kernel } from '../kernel/kernel.js';
import { BLOCKING_KAPI, KERNEL_TICK } from '../kernel/module.js';
import type { SourceFiles } from './compile.js';
import { appendCustomSection } from './wasm-sections.js';
import { fnv1a64 } from './hash.js';
import { compileService, headerTree, moduleCflags } from './kbuild.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The generated <mod>.mod.c: the module's name, vermagic and struct module. */
export function modSource(kernel: Kernel, _mod: string): string {
  const is22 = kernel.personality === '2.2';
  // 2.2's <linux/module.h> puts kernel_version into every file unless __NO_VERSION__ says otherwise.
  return `${is22 ? '#define __NO_VERSION__\n' : ''}#include <linux/module.h>

${is22 ? '__MODULE_INFO' : 'MODULE_INFO'}(name, KBUILD_MODNAME);
${is22 ? '__MODULE_INFO' : 'MODULE_INFO'}(vermagic, "${kernel.release.release}${is22 ? '' : ' SMP preempt mod_unload'}");

struct module __this_module = {
	.name = KBUILD_MODNAME,
};
`;
}

export interface ModObject { source: string; object?: Uint8Array; stderr: string }

/** Compiles `<dir>/<mod>.mod.c` (cached by content, so only the first module of a name costs a compile). */
export async function compileModObject(kernel: Kernel, dir: string, mod: string): Promise<ModObject> {
  const source = modSource(kernel, mod);
  const files: SourceFiles = new Map([[`${dir}/${mod}.mod.c`, enc.encode(source)]]);
  const r = await compileService(kernel).run('clang', [...moduleCflags(kernel, mod, `${mod}.mod`), '-c', `${dir}/${mod}.mod.c`, '-o', `${dir}/${mod}.mod.o`], files, headerTree(kernel));
  return { source, object: r.status === 0 ? r.outputs.get(`${dir}/${mod}.mod.o`.slice(1)) : undefined, stderr: r.stderr };
}

export interface LinkResult { ko?: Uint8Array; stderr: string }

/**
 * wasm-ld of `objects` (path -> object, the .mod.o among them) into `out`, then the module's
 * .modinfo strings (plus `extraInfo`) as its "modinfo" section, then Asyncify: what insmod loads.
 */
export async function linkModule(kernel: Kernel, out: string, objects: SourceFiles, extraInfo: string[] = []): Promise<LinkResult> {
  const link = await compileService(kernel).run('wasm-ld', [
    '--no-entry', '--allow-undefined', '--export-table', '--growable-table', '--export=__heap_base',
    '--export=__stack_pointer', '--export-if-defined=init_module', '--export-if-defined=cleanup_module',
    ...objects.keys(), '-o', out,
  ], objects);
  if (link.status !== 0) return { stderr: link.stderr };
  const linked = link.outputs.get(out.replace(/^\//, ''))!;
  const info = [...collectModinfo(linked), ...extraInfo];
  let ko = appendCustomSection(linked, 'modinfo', enc.encode(info.join('\0') + '\0'));
  // C code is made resumable (Asyncify) around the blocking kernel API it calls and at its
  // preemption points (loops and function entries), where interrupts and other CPUs get in.
  const blocking = WebAssembly.Module.imports(new WebAssembly.Module(ko as BufferSource))
    .filter((i) => i.module === 'env' && BLOCKING_KAPI.includes(i.name)).map((i) => `env.${i.name}`);
  ko = await kernel.host.compiler.asyncify(ko, blocking, KERNEL_TICK, true);
  return { ko, stderr: link.stderr };
}

/** Whether `bytes` is a relocatable object (`gcc -c` output, with a "linking" section) rather than a linked module. */
export function isObjectFile(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.customSections(module, 'linking').length > 0;
}

const linkedObjects = new WeakMap<object, Map<string, Uint8Array>>();
const LINKED_CACHE_LIMIT = 16;

/**
 * insmod of a 2.2 object file: the object linked into a loadable module named `name`, as 2.2's
 * insmod relocated the .o itself. Cached by content, so loading the same object again is instant.
 */
export async function linkObjectModule(kernel: Kernel, name: string, object: Uint8Array): Promise<LinkResult> {
  let cache = linkedObjects.get(kernel.host.compiler);
  if (!cache) { cache = new Map(); linkedObjects.set(kernel.host.compiler, cache); }
  const key = fnv1a64([kernel.personality, kernel.release.release, name, object]);
  const hit = cache.get(key);
  if (hit) return { ko: hit, stderr: '' };
  // Not below /tmp: the compiler's own temporary files live there and are not returned.
  const dir = '/var/lib/insmod';
  const mod = await compileModObject(kernel, dir, name);
  if (!mod.object) return { stderr: mod.stderr };
  const r = await linkModule(kernel, `${dir}/${name}.ko`, new Map([[`${dir}/${name}.o`, object], [`${dir}/${name}.mod.o`, mod.object]]));
  if (r.ko) {
    cache.set(key, r.ko);
    if (cache.size > LINKED_CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  }
  return r;
}

/**
 * Runs the module's __modinfo_* functions (in a throwaway instance whose
 * imports all trap) to collect its .modinfo strings in source order.
 */
export function collectModinfo(wasm: Uint8Array): string[] {
  const module = new WebAssembly.Module(wasm as BufferSource);
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') continue;
    (imports[imp.module] ??= {})[imp.name] = () => { throw new Error('modinfo probe called an import'); };
  }
  const inst = new WebAssembly.Instance(module, imports);
  const mem = inst.exports.memory as WebAssembly.Memory;
  const found: { order: number; text: string }[] = [];
  for (const [name, value] of Object.entries(inst.exports)) {
    const m = /^__modinfo_[A-Za-z0-9_]+?_(\d+)$/.exec(name);
    if (!m || typeof value !== 'function') continue;
    const ptr = (value as () => number)();
    const u8 = new Uint8Array(mem.buffer);
    let end = ptr;
    while (u8[end]) end++;
    found.push({ order: Number(m[1]), text: dec.decode(u8.subarray(ptr, end)) });
  }
  return found.sort((a, b) => a.order - b.order).map((f) => f.text);
}
