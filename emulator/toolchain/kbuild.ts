// kbuild for out-of-tree modules (scripts/Makefile.build + modpost, small):
// reads obj-m from the module's Makefile, compiles each object with the
// running kernel's headers, checks symbols against the kernel's exports
// (MODPOST), and links the .ko with its .modinfo section.
import type { Kernel } from '../kernel/kernel.js';
import type { Proc } from '../userland/libc.js';
import { SysError } from '../userland/libc.js';
import type { FileTree } from '../host.js';
import { CompileService, toFileTree, type SourceFiles } from './compile.js';
import { fnv1a64 } from './hash.js';
import { compileModObject, linkModule } from './modlink.js';
import { firmwareHeaderC } from '../hw/cards/my-device-firmware.js';

const services = new WeakMap<object, CompileService>();
const headerTrees = new WeakMap<Kernel, { key: string; tree: FileTree }>();

export function compileService(kernel: Kernel): CompileService {
  let s = services.get(kernel.host.compiler);
  if (!s) { s = new CompileService(kernel.host.compiler); services.set(kernel.host.compiler, s); }
  return s;
}

export function headersDir(kernel: Kernel): string {
  return `/usr/src/linux-headers-${kernel.release.release}`;
}

/**
 * Where the compiler sees the kernel headers: the build symlink's path, because
 * the toolchain's own sysroot occupies /usr inside the compiler.
 */
export function compilerIncludeDir(kernel: Kernel): string {
  return `/lib/modules/${kernel.release.release}/build/include`;
}

/**
 * Header files of emulator/include, layered: `common/` (shared by the kernel
 * personalities and user programs) first, then each later layer overriding it.
 * Paths come back relative to the include root.
 */
export function includeLayers(kernel: Kernel, layers: string[]): Map<string, Uint8Array> {
  const merged = new Map<string, Uint8Array>();
  const tree = kernel.host.systemTree('include');
  for (const layer of layers) {
    for (const [path, data] of tree) if (path.startsWith(`${layer}/`)) merged.set(path.slice(layer.length + 1), data);
  }
  return merged;
}

/**
 * The kernel headers of the machine's personality: the shipped layers plus the headers generated
 * from the hardware models (the MY_DEVICE firmware image as <asm/my_device_fw.h>).
 */
export function kernelHeaders(kernel: Kernel): Map<string, Uint8Array> {
  const headers = includeLayers(kernel, ['common', kernel.personality]);
  headers.set('asm/my_device_fw.h', enc.encode(firmwareHeaderC()));
  return headers;
}

/** The kernel headers as a compiler file tree, built once per machine. */
export function headerTree(kernel: Kernel): { key: string; tree: FileTree } {
  let t = headerTrees.get(kernel);
  if (!t) {
    const files: SourceFiles = new Map();
    for (const [path, data] of kernelHeaders(kernel)) {
      files.set(`${compilerIncludeDir(kernel)}/${path}`, data);
    }
    t = { key: `${kernel.personality}:${fnv1a64([...files.values()])}`, tree: toFileTree(files) };
    headerTrees.set(kernel, t);
  }
  return t;
}

/** Installs the headers into the machine's file system so learners can read them. */
export function installHeaders(kernel: Kernel): void {
  for (const [path, data] of kernelHeaders(kernel)) {
    kernel.writeSystemFile(`${headersDir(kernel)}/include/${path}`, data);
  }
}

export function moduleCflags(kernel: Kernel, modname: string, basename: string): string[] {
  return [
    // -fno-delete-null-pointer-checks, as Linux's Makefile has it: a NULL dereference stays a load
    // that faults (an oops), instead of code the compiler may assume never runs.
    '--target=wasm32', '-std=gnu11', '-O2', '-gline-tables-only', '-ffreestanding', '-nostdlib', '-fno-common', '-fno-strict-aliasing', '-fno-delete-null-pointer-checks',
    '-fno-builtin-printf', '-D__KERNEL__', '-DMODULE', `-DKBUILD_MODNAME="${modname}"`, `-DKBUILD_BASENAME="${basename}"`,
    `-I${compilerIncludeDir(kernel)}`, '-Wall', '-Wundef', '-Werror=implicit-function-declaration', '-Werror=implicit-int',
    '-Werror=return-type', '-Wno-unused-function', '-Wno-gnu-variable-sized-type-not-at-end',
  ];
}

const enc = new TextEncoder();

/** obj-m / <mod>-objs / <mod>-y from a kbuild Makefile (the variable assignments that matter). */
export function parseKbuildObjects(makefile: string): { modules: string[]; parts: Map<string, string[]> } {
  const modules: string[] = [];
  const parts = new Map<string, string[]>();
  const text = makefile.replace(/\\\n/g, ' ');
  for (const line of text.split('\n')) {
    const m = /^\s*obj-(?:m|\$\([A-Z_]+\))\s*[:+]?=\s*(.*)$/.exec(line);
    if (m) modules.push(...m[1]!.split(/\s+/).filter((w) => w.endsWith('.o')).map((w) => w.slice(0, -2)));
    const p = /^\s*([A-Za-z0-9_-]+)-(?:objs|y)\s*[:+]?=\s*(.*)$/.exec(line);
    if (p) parts.set(p[1]!, [...(parts.get(p[1]!) ?? []), ...p[2]!.split(/\s+/).filter((w) => w.endsWith('.o')).map((w) => w.slice(0, -2))]);
  }
  return { modules: [...new Set(modules)], parts };
}

async function sourceFiles(p: Proc, dir: string): Promise<SourceFiles> {
  const files: SourceFiles = new Map();
  const walk = async (d: string, depth: number) => {
    for (const name of await p.readdir(d)) {
      const full = `${d}/${name}`;
      const st = await p.stat(full);
      if (st.isDir) { if (depth < 3) await walk(full, depth + 1); }
      else if (/\.(c|h)$/.test(name)) files.set(full, await p.readFile(full));
    }
  };
  await walk(dir, 0);
  return files;
}

export interface KbuildResult { status: number }

/** `make -C <headers> M=dir modules`: builds every obj-m module in `dir`. */
export async function buildModules(kernel: Kernel, p: Proc, dir: string): Promise<number> {
  const svc = compileService(kernel);
  // kbuild's quiet_cmd_* lines are silenced by `make -s`, which reaches sub-makes through MAKEFLAGS.
  const silent = /^-?\w*s/.test((p.getenv('MAKEFLAGS') ?? '').trim().split(/\s+/)[0] ?? '');
  const log = (line: string) => (silent ? Promise.resolve(0) : p.out(line));
  const headers = headerTree(kernel);
  let makefile = '';
  for (const name of ['Kbuild', 'Makefile', 'makefile']) {
    try { makefile = await p.readText(`${dir}/${name}`); break; } catch { /* try the next */ }
  }
  const { modules, parts } = parseKbuildObjects(makefile);
  if (!modules.length) {
    await p.err(`scripts/Makefile.build:44: ${dir}/Makefile: no obj-m found\n`);
    return 2;
  }
  const sources = await sourceFiles(p, dir);
  const exported = new Set(kernel.modules.exportedSymbols());
  const objects = new Map<string, Uint8Array>();

  for (const mod of modules) {
    for (const obj of parts.get(mod) ?? [mod]) {
      const src = `${dir}/${obj}.c`;
      if (!sources.has(src)) {
        await p.err(`make[2]: *** No rule to make target '${dir}/${obj}.o', needed by '${dir}/${mod}.o'.  Stop.\n`);
        return 2;
      }
      await log(`  CC [M]  ${dir}/${obj}.o\n`);
      const r = await svc.run('clang', [...moduleCflags(kernel, mod, obj), '-c', src, '-o', `${dir}/${obj}.o`], sources, headers);
      kernel.charge(180_000_000);
      if (r.stderr) await p.err(r.stderr);
      if (r.status !== 0) {
        await p.err(`make[2]: *** [scripts/Makefile.build:243: ${dir}/${obj}.o] Error 1\n`);
        return 2;
      }
      const out = r.outputs.get(`${dir}/${obj}.o`.slice(1))!;
      objects.set(obj, out);
      await p.writeFile(`${dir}/${obj}.o`, out);
    }
  }

  await log(`  MODPOST ${dir}/Module.symvers\n`);
  for (const mod of modules) {
    const undefinedSyms = new Set<string>();
    for (const obj of parts.get(mod) ?? [mod]) {
      for (const imp of WebAssembly.Module.imports(new WebAssembly.Module(objects.get(obj)! as BufferSource))) {
        if (imp.kind === 'function' && imp.module === 'env' && !exported.has(imp.name)) undefinedSyms.add(imp.name);
      }
    }
    for (const sym of undefinedSyms) {
      await p.err(`ERROR: modpost: "${sym}" [${dir}/${mod}.ko] undefined!\n`);
    }
    if (undefinedSyms.size) {
      await p.err(`make[2]: *** [scripts/Makefile.modpost:145: ${dir}/Module.symvers] Error 1\n`);
      return 2;
    }
  }
  // Module.symvers lists the module's own exports: none, since modules here do not share symbols.
  await p.writeFile(`${dir}/Module.symvers`, '');
  await p.writeFile(`${dir}/modules.order`, modules.map((m) => `${dir}/${m}.o\n`).join(''));

  for (const mod of modules) {
    await log(`  CC [M]  ${dir}/${mod}.mod.o\n`);
    const modo = await compileModObject(kernel, dir, mod);
    await p.writeFile(`${dir}/${mod}.mod.c`, modo.source);
    if (!modo.object) { await p.err(modo.stderr); return 2; }
    await p.writeFile(`${dir}/${mod}.mod.o`, modo.object);

    await log(`  LD [M]  ${dir}/${mod}.ko\n`);
    const objs = (parts.get(mod) ?? [mod]).map((o) => `${dir}/${o}.o`);
    const linkFiles: SourceFiles = new Map(objs.map((o, i) => [o, objects.get((parts.get(mod) ?? [mod])[i]!)!]));
    linkFiles.set(`${dir}/${mod}.mod.o`, modo.object);
    const srcversion = fnv1a64(objs.map((o) => sources.get(o.replace(/\.o$/, '.c')) ?? new Uint8Array())).slice(0, 16).toUpperCase();
    const link = await linkModule(kernel, `${dir}/${mod}.ko`, linkFiles, [`srcversion=${srcversion.slice(0, 23)}`, 'depends=', 'retpoline=Y']);
    kernel.charge(40_000_000);
    if (!link.ko) {
      await p.err(link.stderr);
      await p.err(`make[2]: *** [scripts/Makefile.modfinal:56: ${dir}/${mod}.ko] Error 1\n`);
      return 2;
    }
    await p.writeFile(`${dir}/${mod}.ko`, link.ko);
  }
  return 0;
}

/** `make -C <headers> M=dir clean`. */
export async function cleanModules(p: Proc, dir: string): Promise<number> {
  let names: string[] = [];
  try { names = await p.readdir(dir); } catch (e) { if (!(e instanceof SysError)) throw e; }
  const victims = names.filter((n) => /\.(o|ko|mod|mod\.c|mod\.o|symvers|order|cmd)$/.test(n) || n === 'Module.symvers' || n === 'modules.order');
  if (victims.includes('Module.symvers')) await p.out(`  CLEAN   ${dir}/Module.symvers\n`);
  for (const v of victims) await p.unlink(`${dir}/${v}`);
  return 0;
}
