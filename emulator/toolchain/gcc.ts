// gcc/cc for user programs: C to a WASI binary with wasi-libc, plus DriverLab's
// runtime (ioctl that reaches drivers, abort = SIGABRT, glibc's strerror, NULL
// dereference = SIGSEGV via -fsanitize=null). Diagnostics are clang's, unchanged.
import { normalizePath } from '../kernel/fs/vfs.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Proc } from '../userland/libc.js';
import { SysError } from '../userland/libc.js';
import type { SourceFiles } from './compile.js';
import { compileService, includeLayers } from './kbuild.js';
import { compileKernelObjects, isKernelCompile } from './kgcc.js';
import { USER_ADDRESS_SPACE_MAX } from '../kernel/memory.js';

/** The WASI imports through which a user program can sleep in the kernel. */
/** The preemption-point import of user programs (see Host.asyncify). */
export const USER_TICK = 'driverlab.tick';

export const BLOCKING_SYSCALLS = ['wasi_snapshot_preview1.fd_read', 'wasi_snapshot_preview1.fd_write', 'wasi_snapshot_preview1.fd_seek',
  'wasi_snapshot_preview1.fd_close', 'wasi_snapshot_preview1.path_open', 'wasi_snapshot_preview1.poll_oneoff', 'driverlab.ioctl'];

/** POSIX calls wasi-libc only declares on request; getpid() itself is DriverLab's (the real pid). */
const WASI_EMULATIONS = ['-D_WASI_EMULATED_GETPID', '-D_WASI_EMULATED_SIGNAL', '-D_WASI_EMULATED_PROCESS_CLOCKS'];

/** Where user programs find DriverLab's headers (sys/ioctl.h) in the machine and in the compiler. */
export const USER_INCLUDE = '/lib/driverlab/include';
const RUNTIME_C = `${USER_INCLUDE}/driverlab/runtime.c`;

/** User programs see the shared uapi headers and DriverLab's user-space additions. */
function userFiles(k: Kernel): SourceFiles {
  const files: SourceFiles = new Map();
  for (const [path, data] of includeLayers(k, ['common', 'user'])) files.set(`${USER_INCLUDE}/${path}`, data);
  return files;
}

export function installUserHeaders(k: Kernel): void {
  for (const [path, data] of userFiles(k)) k.writeSystemFile(path, data);
}

interface GccArgs {
  sources: string[];
  objects: string[];
  output?: string;
  compileOnly: boolean;
  flags: string[];
  includeDirs: string[];
}

function parseArgs(argv: string[]): GccArgs | string {
  const a: GccArgs = { sources: [], objects: [], compileOnly: false, flags: [], includeDirs: [] };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => argv[++i];
    if (arg === '-o') { const o = next(); if (o === undefined) return "missing filename after '-o'"; a.output = o; }
    else if (arg === '-c') a.compileOnly = true;
    else if (arg === '-I') { const d = next(); if (d === undefined) return "missing path after '-I'"; a.includeDirs.push(d); }
    else if (arg.startsWith('-I')) a.includeDirs.push(arg.slice(2));
    else if (arg === '-D' || arg === '-U') { const d = next(); if (d === undefined) return `macro name missing after '${arg}'`; a.flags.push(arg + d); }
    else if (/^-(D|U|O|g|W|std=|f|m)/.test(arg) || arg === '-pedantic' || arg === '-ansi' || arg === '-w') a.flags.push(arg);
    else if (/^-l/.test(arg) || /^-L/.test(arg) || arg === '-static' || arg === '-pthread') { /* one libc has everything */ }
    else if (arg.startsWith('-')) return `unrecognized command-line option '${arg}'`;
    else if (arg.endsWith('.o')) a.objects.push(arg);
    else a.sources.push(arg);
  }
  if (!a.sources.length && !a.objects.length) return 'no input files';
  return a;
}

async function collectSources(p: Proc, a: GccArgs): Promise<SourceFiles | SysError> {
  const files: SourceFiles = new Map();
  // Normalized, as clang looks them up: "-I." means the directory itself, not "/home/lab/.".
  const abs = (f: string) => normalizePath(f, p.cwd);
  for (const s of [...a.sources, ...a.objects]) {
    try { files.set(abs(s), await p.readFile(s)); } catch (e) { if (e instanceof SysError) return Object.assign(e, { path: s }); throw e; }
  }
  // Headers next to the sources and in -I directories, one level deep.
  const dirs = new Set([...a.sources.map((s) => abs(s).replace(/\/[^/]*$/, '') || '/'), ...a.includeDirs.map(abs)]);
  for (const d of dirs) {
    let names: string[] = [];
    try { names = await p.readdir(d); } catch { continue; }
    for (const n of names) {
      if (n.endsWith('.h')) { try { files.set(`${d}/${n}`, await p.readFile(`${d}/${n}`)); } catch { /* unreadable header: clang will say */ } }
    }
  }
  return files;
}

export function gccProgram(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const name = argv[0] ?? 'gcc';
    if (argv.includes('--version')) {
      await p.out(`${name} (DriverLab) 22.0.0 (clang 22 targeting wasm32-wasip1)\n`);
      return 0;
    }
    const a = parseArgs(argv);
    if (typeof a === 'string') {
      await p.err(`${name}: fatal error: ${a}\ncompilation terminated.\n`);
      return 1;
    }
    if (isKernelCompile(k, a.compileOnly, a.flags)) return compileKernelObjects(k, p, name, a);
    const sources = await collectSources(p, a);
    if (sources instanceof SysError) {
      await p.err(`${name}: error: ${(sources as SysError & { path: string }).path}: ${sources.message}\n${name}: fatal error: no input files\ncompilation terminated.\n`);
      return 1;
    }
    for (const [path, data] of userFiles(k)) sources.set(path, data);
    const abs = (f: string) => normalizePath(f, p.cwd);
    const base = ['--target=wasm32-wasip1', '-isystem', USER_INCLUDE, ...WASI_EMULATIONS, '-fsanitize=null', '-fno-sanitize-recover=null', ...a.flags, ...a.includeDirs.map((d) => `-I${abs(d)}`)];
    const svc = compileService(k);
    if (a.compileOnly) {
      let status = 0;
      for (const s of a.sources) {
        const out = a.output && a.sources.length === 1 ? abs(a.output) : abs(s.replace(/^.*\//, '').replace(/\.c$/, '.o'));
        const r = await svc.run('clang', [...base, '-c', abs(s), '-o', out], sources);
        k.charge(150_000_000);
        if (r.stderr) await p.err(r.stderr);
        if (r.status !== 0) { status = 1; continue; }
        await p.writeFile(out, r.outputs.get(out.slice(1))!, false, 0o666);
      }
      return status;
    }
    const output = abs(a.output ?? 'a.out');
    // Each source becomes an object of its own (cached by content: the runtime is compiled once), then one link.
    const objects = new Map<string, Uint8Array>();
    for (const s of [...a.sources.map(abs), RUNTIME_C]) {
      const obj = `/build/gcc-${objects.size}.o`;
      // The runtime is built the same way for every program, so it compiles once and is cached.
      const args = s === RUNTIME_C ? ['--target=wasm32-wasip1', '-O2', '-isystem', USER_INCLUDE, ...WASI_EMULATIONS, '-c', s, '-o', obj] : [...base, '-c', s, '-o', obj];
      const r = await svc.run('clang', args, s === RUNTIME_C ? userFiles(k) : sources);
      k.charge(150_000_000);
      if (r.stderr) await p.err(r.stderr);
      if (r.status !== 0) return 1;
      objects.set(obj, r.outputs.get(obj.slice(1))!);
    }
    for (const o of a.objects) objects.set(abs(o), sources.get(abs(o))!);
    // The address space has a ceiling (see USER_ADDRESS_SPACE_MAX): past it memory.grow fails and malloc returns NULL.
    const r = await svc.run('clang', ['--target=wasm32-wasip1', ...objects.keys(), '-lwasi-emulated-signal', '-lwasi-emulated-process-clocks', `-Wl,--max-memory=${USER_ADDRESS_SPACE_MAX}`, '-o', output], objects);
    k.charge(100_000_000);
    if (r.stderr) await p.err(r.stderr.replace(/wasm-ld: error: /g, '/usr/bin/ld: '));
    if (r.status !== 0) {
      await p.err(`collect2: error: ld returned 1 exit status\n`);
      return 1;
    }
    const linked = r.outputs.get(output.slice(1));
    if (!linked) { await p.err(`${name}: error: linker produced no output\n`); return 1; }
    // System calls may sleep in the kernel and loops are preemption points: the program must be able to suspend in both.
    const bin = await k.host.compiler.asyncify(linked, BLOCKING_SYSCALLS, USER_TICK);
    try {
      await p.writeFile(a.output ?? 'a.out', bin, false, 0o777);
      await p.chmod(a.output ?? 'a.out', 0o755 & ~p.task.umask | 0o111);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await p.err(`/usr/bin/ld: cannot open output file ${a.output ?? 'a.out'}: ${e.message}\n`);
      return 1;
    }
    return 0;
  };
}
