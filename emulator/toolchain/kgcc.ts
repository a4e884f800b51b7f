// `gcc -D__KERNEL__ -DMODULE -O2 -Wall -c my_device.c` on the 2.2 personality: a module built the
// way the 1998 article's readers built one, without kbuild. The result is an object file (wasm,
// relocatable) that 2.2's insmod links itself (see userland/commands/modutils.ts).
//
// The kernel headers: 2.2-era distributions had /usr/include/linux and /usr/include/asm as
// symlinks into /usr/src/linux/include, so <linux/module.h> was found with no -I at all; those who
// wrote -I/usr/src/linux/include got the same files, and an -I directory that holds edited copies
// (include/linux/major.h after the article's step) is searched first.
// C as gcc 2.7/egcs compiled it: GNU C89, where calling an undeclared function is only a warning,
// so a misspelled kernel function shows up as insmod's "unresolved symbol".
import type { Kernel } from '../kernel/kernel.js';
import type { Proc } from '../userland/libc.js';
import { SysError } from '../userland/libc.js';
import type { SourceFiles } from './compile.js';
import { compileService, compilerIncludeDir, headerTree } from './kbuild.js';

export interface KernelCompile {
  sources: string[];
  output?: string;
  flags: string[];
  includeDirs: string[];
}

/** Whether gcc is building a kernel object: -c with __KERNEL__ defined, on the 2.2 personality. */
export function isKernelCompile(k: Kernel, compileOnly: boolean, flags: readonly string[]): boolean {
  return k.personality === '2.2' && compileOnly && flags.some((f) => f === '-D__KERNEL__' || f.startsWith('-D__KERNEL__='));
}

/** The .c/.h files of the build: the sources, headers beside them, and the -I trees (a few levels deep). */
async function kernelSources(p: Proc, c: KernelCompile): Promise<SourceFiles | SysError> {
  const abs = (f: string) => (f.startsWith('/') ? f : `${p.cwd}/${f}`);
  const files: SourceFiles = new Map();
  for (const s of c.sources) {
    try { files.set(abs(s), await p.readFile(s)); } catch (e) { if (e instanceof SysError) return Object.assign(e, { path: s }); throw e; }
  }
  const walk = async (dir: string, depth: number) => {
    let names: string[];
    try { names = await p.readdir(dir); } catch { return; }
    for (const n of names) {
      const full = `${dir}/${n}`;
      if (n.endsWith('.h')) { try { files.set(full, await p.readFile(full)); } catch { /* clang will say */ } continue; }
      if (depth === 0 || n.includes('.')) continue;
      try { if ((await p.stat(full)).isDir) await walk(full, depth - 1); } catch { /* unreadable: skipped */ }
    }
  };
  for (const d of new Set(c.sources.map((s) => abs(s).replace(/\/[^/]*$/, '') || '/'))) await walk(d, 0);
  for (const d of new Set(c.includeDirs.map(abs))) await walk(d, 2);
  return files;
}

/**
 * i386 code-generation options of 1998's gcc (-m386, -m486, -mpentium, -march=i686, -malign-*): a
 * 2.2 arch/i386/Makefile passes them for the processor chosen in `make config`. They choose how to
 * optimise for an x86, which says nothing for the machine's CPU, so they are taken and ignored.
 */
export const X86_CODEGEN_OPTION = /^-(m386|m486|mpentium(pro)?|m[kK]6|march=.*|mcpu=.*|malign-(loops|jumps|functions)=\d+|mno-fp-regs|mregparm=\d+)$/;

export async function compileKernelObjects(k: Kernel, p: Proc, name: string, c: KernelCompile): Promise<number> {
  const sources = await kernelSources(p, c);
  if (sources instanceof SysError) {
    await p.err(`${name}: ${(sources as SysError & { path: string }).path}: ${sources.message}\n${name}: fatal error: no input files\ncompilation terminated.\n`);
    return 1;
  }
  const abs = (f: string) => (f.startsWith('/') ? f : `${p.cwd}/${f}`);
  const inCompiler = compilerPath;
  const files: SourceFiles = new Map([...sources].map(([path, data]) => [inCompiler(path), data]));
  const base = [
    // gcc 2.7 never treated a NULL dereference as impossible; clang must be told not to (see moduleCflags).
    '--target=wasm32', '-std=gnu89', '-ffreestanding', '-nostdlib', '-fno-common', '-fno-builtin-printf', '-gline-tables-only', '-fno-delete-null-pointer-checks',
    ...c.flags.filter((f) => !X86_CODEGEN_OPTION.test(f)), ...c.includeDirs.map((d) => `-I${inCompiler(abs(d))}`), `-I${compilerIncludeDir(k)}`,
  ];
  const svc = compileService(k);
  let status = 0;
  for (const s of c.sources) {
    const out = c.output && c.sources.length === 1 ? abs(c.output) : abs(s.replace(/^.*\//, '').replace(/\.c$/, '.o'));
    const r = await svc.run('clang', [...base, '-c', inCompiler(abs(s)), '-o', inCompiler(out)], files, headerTree(k));
    k.charge(150_000_000);
    // Diagnostics name the source as it was given, as gcc's do.
    if (r.stderr) await p.err(machinePaths(r.stderr.split(inCompiler(abs(s))).join(s)));
    if (r.status !== 0) { status = 1; continue; }
    await p.writeFile(out, r.outputs.get(inCompiler(out).slice(1))!, false, 0o666);
  }
  return status;
}

const USR_IN_COMPILER = '/machine-usr';

/** Where a file of the machine is inside the compiler, whose /usr is its own (the sysroot): a kernel tree in /usr/src goes elsewhere. */
export function compilerPath(path: string): string {
  return path.startsWith('/usr/') ? `${USR_IN_COMPILER}${path.slice(4)}` : path;
}

/** The compiler's messages with the machine's paths. */
export function machinePaths(text: string): string {
  return text.split(USR_IN_COMPILER).join('/usr');
}
