// ld, ar and nm over the machine's objects (wasm, as gcc -c leaves them): what a 2.2 kernel tree's
// Makefiles run. `ld -r` joins objects into one; `ld -e stext` links the kernel ("vmlinux") from
// init/*.o and the drivers' archives, resolving the kernel API the simulator provides, and leaves it
// able to sleep and be preempted like a module; `ar` keeps archives in the common ar format (whose
// members the linker takes only when something needs them, as GNU ld does); `nm` lists symbols for
// System.map. Messages are binutils' ("undefined reference to `foo'").
import type { Kernel } from '../kernel/kernel.js';
import { BLOCKING_KAPI, KERNEL_TICK } from '../kernel/module.js';
import { KERNEL_SETUPS } from '../kernel/bootparams.js';
import { SysError, type Proc } from '../userland/libc.js';
import type { SourceFiles } from './compile.js';
import { compileService } from './kbuild.js';
import { wasmSymbols } from './wasm-sections.js';
import { compilerPath, machinePaths } from './kgcc.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Symbols the kernel proper defines for its built-in C code: the API modules see, and the setup functions. */
export function kernelSymbols(k: Kernel): string[] {
  return [...k.modules.exportedSymbols(), ...Object.keys(KERNEL_SETUPS)];
}

/** The functions of vmlinux the kernel calls at boot (they are exported from the link). */
export const VMLINUX_ENTRY_POINTS = ['checksetup', 'chr_dev_init', 'linux_banner'];

const abs = (p: Proc, f: string) => (f.startsWith('/') ? f : `${p.cwd}/${f}`);
const rel = (p: Proc, f: string) => (f.startsWith(`${p.cwd}/`) ? f.slice(p.cwd.length + 1) : f);

/** wasm-ld's diagnostics in GNU ld's words, with the file names as they were given. */
function gnuLdMessages(p: Proc, stderr: string): string {
  const lines = stderr.split('\n').filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const undef = /^wasm-ld: error: (.*?): undefined symbol: (.*)$/.exec(l);
    if (undef) { out.push(`${rel(p, undef[1]!)}: undefined reference to \`${undef[2]}'`); continue; }
    const dup = /^wasm-ld: error: duplicate symbol: (.*)$/.exec(l);
    if (dup) {
      const first = /^>>> defined in (.*)$/.exec(lines[i + 1] ?? '')?.[1];
      const second = /^>>> defined in (.*)$/.exec(lines[i + 2] ?? '')?.[1];
      if (first && second) {
        out.push(`${rel(p, second)}: multiple definition of \`${dup[1]}'`, `${rel(p, first)}: first defined here`);
        i += 2;
        continue;
      }
    }
    out.push(l.replace(/^wasm-ld: (error|warning): /, 'ld: '));
  }
  return out.map((l) => `${l}\n`).join('');
}

/** ld: `-r` for a partial link; otherwise the kernel (`-e stext`): every symbol resolved or the link fails. */
export function ldProgram(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    let out = 'a.out';
    let relocatable = false;
    let entry: string | undefined;
    const inputs: string[] = [];
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-o') out = argv[++i] ?? out;
      else if (a === '-r' || a === '-i' || a === '--relocatable') relocatable = true;
      else if (a === '-e') entry = argv[++i];
      else if (a === '-m' || a === '-T') i++; // the emulation and the linker script: i386 ELF layout, nothing to do for wasm
      else if (a === '--start-group' || a === '--end-group' || a === '-s' || a === '-x' || a === '-X') { /* one pass resolves all */ }
      else if (a.startsWith('-')) { await p.err(`ld: unrecognized option '${a}'\nld: use the --help option for usage information\n`); return 1; }
      else inputs.push(a);
    }
    if (!inputs.length) { await p.err('ld: no input files\n'); return 1; }
    const files: SourceFiles = new Map();
    for (const f of inputs) {
      try { files.set(compilerPath(abs(p, f)), await p.readFile(f)); } catch (e) {
        if (!(e instanceof SysError)) throw e;
        await p.err(`ld: cannot open ${f}: ${e.message}\n`);
        return 1;
      }
    }
    const outPath = compilerPath(abs(p, out));
    const args = relocatable ? ['-r'] : [
      '--no-entry', '--export-table', '--growable-table', '--export=__heap_base', '--export=__stack_pointer',
      '--allow-undefined-file=/var/lib/ld/kernel-symbols',
      ...(entry === 'stext' ? ['--undefined=chr_dev_init'] : []),
      ...VMLINUX_ENTRY_POINTS.map((s) => `--export-if-defined=${s}`),
    ];
    files.set('/var/lib/ld/kernel-symbols', enc.encode(kernelSymbols(k).join('\n') + '\n'));
    const r = await compileService(k).run('wasm-ld', [...args, ...inputs.map((f) => compilerPath(abs(p, f))), '-o', outPath], files);
    k.charge(60_000_000);
    if (r.stderr) await p.err(gnuLdMessages(p, machinePaths(r.stderr)));
    const linked = r.outputs.get(outPath.slice(1));
    if (r.status !== 0 || !linked) return 1;
    let result = linked;
    if (!relocatable) {
      // The kernel's C code can sleep (schedule_timeout in a driver's init) and is preempted like a module's.
      const blocking = WebAssembly.Module.imports(new WebAssembly.Module(linked as BufferSource))
        .filter((i) => i.module === 'env' && BLOCKING_KAPI.includes(i.name)).map((i) => `env.${i.name}`);
      result = await k.host.compiler.asyncify(linked, blocking, KERNEL_TICK);
    }
    try {
      await p.writeFile(out, result, false, relocatable ? 0o666 : 0o777);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await p.err(`ld: cannot open output file ${out}: ${e.message}\n`);
      return 1;
    }
    return 0;
  };
}

// ---- ar --------------------------------------------------------------------------------------------

interface Member { name: string; data: Uint8Array; mtime: number }

const AR_MAGIC = '!<arch>\n';

function parseArchive(bytes: Uint8Array): Member[] | undefined {
  if (dec.decode(bytes.subarray(0, 8)) !== AR_MAGIC) return undefined;
  const members: Member[] = [];
  let longNames = '';
  let at = 8;
  while (at + 60 <= bytes.length) {
    const header = dec.decode(bytes.subarray(at, at + 60));
    const size = Number.parseInt(header.slice(48, 58).trim(), 10);
    const mtime = Number.parseInt(header.slice(16, 28).trim(), 10) || 0;
    const data = bytes.slice(at + 60, at + 60 + size);
    let name = header.slice(0, 16).trimEnd();
    at += 60 + size + (size % 2);
    if (name === '/' || name === '/SYM64/') continue;
    if (name === '//') { longNames = dec.decode(data); continue; }
    if (/^\/\d+$/.test(name)) {
      const off = Number(name.slice(1));
      name = longNames.slice(off, longNames.indexOf('/\n', off));
    } else if (name.endsWith('/')) name = name.slice(0, -1);
    members.push({ name, data, mtime });
  }
  return members;
}

function writeArchive(members: Member[]): Uint8Array {
  const parts: Uint8Array[] = [enc.encode(AR_MAGIC)];
  const long = members.filter((m) => m.name.length > 15);
  let table = '';
  const offsets = new Map<string, number>();
  for (const m of long) { offsets.set(m.name, table.length); table += `${m.name}/\n`; }
  const header = (name: string, size: number, mtime: number, mode: string) =>
    enc.encode(`${name.padEnd(16)}${String(mtime).padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${mode.padEnd(8)}${String(size).padEnd(10)}\`\n`);
  const add = (name: string, data: Uint8Array, mtime: number, mode = '100644') => {
    parts.push(header(name, data.length, mtime, mode), data);
    if (data.length % 2) parts.push(enc.encode('\n'));
  };
  if (table) add('//', enc.encode(table), 0, '');
  for (const m of members) add(offsets.has(m.name) ? `/${offsets.get(m.name)}` : `${m.name}/`, m.data, m.mtime);
  const total = parts.reduce((n, x) => n + x.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const x of parts) { out.set(x, o); o += x.length; }
  return out;
}

/** ar: r/q add or replace, c quietly create, s index (the linker finds members without one), t list, x extract, d delete, v verbose. */
export async function arProgram(p: Proc, argv: string[]): Promise<number> {
  const [, keyArg, archive, ...names] = argv;
  if (!keyArg || !archive) { await p.err('Usage: ar [-]{dmpqrstx}[abcDfilMNoOPsSTuvV] [member-name] [count] archive-file file...\n'); return 1; }
  const key = keyArg.replace(/^-/, '');
  const op = [...key].find((c) => 'dmpqrtx'.includes(c));
  const verbose = key.includes('v');
  if (!op && !key.includes('s')) { await p.err(`ar: no operation specified\n`); return 1; }
  let members: Member[] = [];
  let exists = true;
  try {
    const parsed = parseArchive(await p.readFile(archive));
    if (!parsed) { await p.err(`ar: ${archive}: file format not recognized\n`); return 1; }
    members = parsed;
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    exists = false;
    if (op !== 'r' && op !== 'q') { await p.err(`ar: ${archive}: No such file or directory\n`); return 1; }
  }
  const base = (n: string) => n.slice(n.lastIndexOf('/') + 1);
  if (op === 'r' || op === 'q') {
    if (!exists && !key.includes('c')) await p.err(`ar: creating ${archive}\n`);
    for (const n of names) {
      let data: Uint8Array;
      try { data = await p.readFile(n); } catch (e) {
        if (!(e instanceof SysError)) throw e;
        await p.err(`ar: ${n}: ${e.message}\n`);
        return 1;
      }
      const member = { name: base(n), data, mtime: Math.floor((await p.stat(n)).mtimeNs / 1e9) };
      const at = op === 'r' ? members.findIndex((m) => m.name === member.name) : -1;
      if (verbose) await p.out(`${at >= 0 ? 'r' : 'a'} - ${n}\n`);
      if (at >= 0) members[at] = member; else members.push(member);
    }
  } else if (op === 't') {
    for (const m of members) if (!names.length || names.includes(m.name)) await p.out(`${m.name}\n`);
    return 0;
  } else if (op === 'x') {
    for (const m of members) {
      if (names.length && !names.includes(m.name)) continue;
      if (verbose) await p.out(`x - ${m.name}\n`);
      await p.writeFile(m.name, m.data);
    }
    return 0;
  } else if (op === 'd') {
    for (const n of names) {
      const at = members.findIndex((m) => m.name === n);
      if (at >= 0) { if (verbose) await p.out(`d - ${n}\n`); members.splice(at, 1); }
      else await p.err(`No member named '${n}'\n`);
    }
  }
  await p.writeFile(archive, writeArchive(members));
  return 0;
}

/** nm: symbols sorted by name, "value type name" (undefined ones without a value). */
export async function nmProgram(p: Proc, argv: string[]): Promise<number> {
  const files = argv.slice(1).filter((a) => !a.startsWith('-'));
  if (!files.length) files.push('a.out');
  let status = 0;
  for (const f of files) {
    let bytes: Uint8Array;
    try { bytes = await p.readFile(f); } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await p.err(`nm: '${f}': ${e.message}\n`);
      status = 1;
      continue;
    }
    const members = parseArchive(bytes);
    const units = members ? members.map((m) => ({ title: `\n${m.name}:\n`, data: m.data })) : [{ title: files.length > 1 ? `\n${f}:\n` : '', data: bytes }];
    for (const u of units) {
      let symbols;
      try { symbols = wasmSymbols(u.data); } catch {
        await p.err(`nm: ${f}: file format not recognized\n`);
        status = 1;
        break;
      }
      symbols.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      await p.out(u.title + symbols.map((s) => `${s.type === 'U' ? ' '.repeat(8) : s.value.toString(16).padStart(8, '0')} ${s.type} ${s.name}\n`).join(''));
    }
  }
  return status;
}
