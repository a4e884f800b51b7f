// modutils 2.1.121, the module tools of Linux 2.2 (Documentation/Changes), for the 2.2 personality:
// insmod takes an object file as `gcc -c` left it, links ("relocates") it itself, checks the kernel
// version it was built for and its unresolved symbols, parses the MODULE_PARM values and writes them
// into the module before init_module() runs; modinfo shows .modinfo and the typed parameters.
// Every message is insmod's error(): the file name, a colon, the text.
import type { Kernel } from '../../kernel/kernel.js';
import type { LoadedModule } from '../../kernel/module.js';
import { KERNEL_TICK, readModinfo } from '../../kernel/module.js';
import { EEXIST, strerror } from '../../kernel/errno.js';
import { assignParams, parseModuleParmType, type ModuleArg, type ParamDecl, type ParamType, type ParamValue } from '../../boot/modparams.js';
import { isObjectFile, linkObjectModule } from '../../toolchain/modlink.js';
import { storeValue } from '../../kernel/params.js';
import { SysError, type Proc } from '../libc.js';

export const MODUTILS_VERSION = '2.1.121';

/**
 * modprobe-style lookup of a bare module name: `<name><ext>` anywhere below /lib/modules/$(uname -r)
 * (2.2 kept modules in misc/, char/, net/ ...; modules_install of a kbuild Makefile uses extra/).
 */
export async function searchModulePath(k: Kernel, p: Proc, name: string, exts: readonly string[]): Promise<string | undefined> {
  const root = `/lib/modules/${k.release.release}`;
  const walk = async (dir: string, depth: number): Promise<string | undefined> => {
    let names: string[];
    try { names = await p.readdir(dir); } catch (e) { if (e instanceof SysError) return undefined; throw e; }
    for (const ext of exts) if (names.includes(`${name}${ext}`)) return `${dir}/${name}${ext}`;
    if (depth >= 4) return undefined;
    for (const n of names) {
      if (n === 'build' || n === 'source') continue;
      let st;
      try { st = await p.lstat(`${dir}/${n}`); } catch { continue; }
      if (!st.isDir) continue;
      const found = await walk(`${dir}/${n}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(root, 0);
}

const SIZES: Readonly<Record<string, number>> = { b: 1, h: 2, i: 4, l: 4, s: 4 };

interface ParmSpec { decl: ParamDecl; letter: string; charSize?: number }

/** The MODULE_PARM entries of .modinfo ("parm_io" = "1-4i"), by parameter name. */
function parmSpecs(fields: Map<string, string[]>): Map<string, ParmSpec | { error: string }> {
  const specs = new Map<string, ParmSpec | { error: string }>();
  for (const [key, values] of fields) {
    if (!key.startsWith('parm_') || key.startsWith('parm_desc_')) continue;
    const name = key.slice(5);
    const fmt = values[0] ?? '';
    const t = parseModuleParmType(fmt);
    const letter = /[a-z]/.exec(fmt)?.[0] ?? '';
    if ('error' in t) {
      specs.set(name, { error: letter && letter !== 'c' ? `unknown parameter type '${letter}' for ${name}` : `parameter type 'c' for ${name} must be followed by the maximum size` });
      continue;
    }
    const decl: ParamDecl = { name, type: t.type, ...(t.max > 1 || t.min !== 1 ? { array: { min: t.min, max: t.max } } : {}) };
    specs.set(name, { decl, letter, charSize: t.charSize });
  }
  return specs;
}

/** One value into the module at `addr`, as insmod patched the object: cN copies the string into the char array. */
function storeParm(mod: LoadedModule, spec: ParmSpec, addr: number, value: ParamValue): void {
  if (spec.letter === 'c') {
    const bytes = new TextEncoder().encode(String(value));
    mod.u8().set(bytes, addr);
    mod.u8()[addr + bytes.length] = 0;
    return;
  }
  storeValue(mod, spec.decl.type as ParamType, addr, SIZES[spec.letter] ?? 4, value);
}

const USAGE = `Usage:
insmod [-fkmopsvVxX] [-o name] module [[sym=value]...]

  module              Filename of a loadable kernel module (*.o)
  -f, --force         Force loading under wrong kernel version
  -k, --autoclean     Make module autoclean-able
  -m                  Generate load map (so crashes can be traced)
  -o NAME
      --name=NAME     Set internal module name to NAME
  -p, --poll          Poll mode; check if the module matches the kernel
  -s, --syslog        Report errors via syslog
  -v, --verbose       Verbose output
  -V, --version       Show version
  -x                  Do not export externs
  -X                  Do export externs (default)
`;

export function insmod22(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    let mName: string | undefined;
    let force = false;
    let noload = false;
    const rest: string[] = [];
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (rest.length || !a.startsWith('-') || a === '-') { rest.push(a); continue; }
      if (a === '-o' || a === '--name') mName = argv[++i];
      else if (a.startsWith('--name=')) mName = a.slice(7);
      else if (a.startsWith('-o') && a.length > 2) mName = a.slice(2);
      else if (a === '-V' || a === '--version') await p.err(`insmod version ${MODUTILS_VERSION}\n`);
      else if (a === '-f' || a === '--force') force = true;
      else if (a === '-p' || a === '--poll' || a === '-n') noload = true;
      else if (!/^-[kmsvxXL]+$/.test(a) && !['--autoclean', '--syslog', '--verbose', '--lock'].includes(a)) { await p.err(USAGE); return 1; }
    }
    if (!rest.length) { await p.err(USAGE); return 1; }
    let filename = rest[0]!;
    const args = rest.slice(1);
    const base = filename.slice(filename.lastIndexOf('/') + 1);
    mName ??= base.replace(/\.(o|mod|ko)$/, '');

    // A bare name is looked up along the module path, as modprobe does.
    if (!filename.includes('/') && !filename.includes('.')) {
      const found = await searchModulePath(k, p, filename, ['.o', '.ko']);
      if (!found) {
        await p.err(`insmod: ${filename}: no module by that name found\n`);
        for (const ext of ['.o', '.ko']) {
          if (await p.exists(`${filename}${ext}`)) {
            await p.err(`insmod: (${filename}${ext} is in the current directory; a bare name is only searched for in /lib/modules/${k.release.release}: use insmod ./${filename}${ext})\n`);
            break;
          }
        }
        return 1;
      }
      filename = found;
    }
    const error = (msg: string) => p.err(`${filename}: ${msg}\n`);

    let bytes: Uint8Array;
    try {
      bytes = await p.readFile(filename);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await error(`${filename}: ${e.message}`);
      return 1;
    }
    // Shorter than an ELF header: fread() fails without setting errno.
    if (bytes.length < 52) { await error('error reading ELF header: Success'); return 1; }
    let module: WebAssembly.Module;
    try { module = new WebAssembly.Module(bytes as BufferSource); } catch { await error('not an ELF file'); return 1; }

    // "Relocation": the object linked into a module (the same pipeline as kbuild's, cached by content).
    if (isObjectFile(module)) {
      const r = await linkObjectModule(k, mName, bytes);
      k.charge(40_000_000);
      if (!r.ko) { await p.err(r.stderr.replace(/wasm-ld: error: /g, `${filename}: `) || `${filename}: relocation failed\n`); return 1; }
      bytes = r.ko;
      module = new WebAssembly.Module(bytes as BufferSource);
    }
    const info = readModinfo(module).fields;
    const moduleVersion = info.get('kernel_version')?.[0];
    if (moduleVersion === undefined) { await error("couldn't find the kernel version the module was compiled for"); return 1; }
    if (moduleVersion !== k.release.release) {
      const text = `kernel-module version mismatch\n\t${filename} was compiled for kernel version ${moduleVersion}\n\twhile this kernel is version ${k.release.release}`;
      if (!force) { await error(`${text}.`); return 1; }
      await p.out(`Warning: ${text}\n`);
    }

    const exported = new Set([...k.modules.exportedSymbols(), KERNEL_TICK.slice(4)]);
    const unresolved = WebAssembly.Module.imports(module).filter((i) => i.kind === 'function' && i.module === 'env' && !exported.has(i.name));
    if (unresolved.length) {
      for (const u of unresolved) await error(`unresolved symbol ${u.name}`);
      return 1;
    }

    // new_process_module_arguments(): each sym=value against its MODULE_PARM type; the first error ends it.
    const specs = parmSpecs(info);
    const exportNames = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    const assignments: { spec: ParmSpec; values: ParamValue[] }[] = [];
    for (const word of args) {
      const eq = word.indexOf('=');
      if (eq < 0) continue;
      const arg: ModuleArg = { name: word.slice(0, eq), value: word.slice(eq + 1) };
      const spec = specs.get(arg.name);
      if (!spec) { await error(`invalid parameter ${arg.name}`); return 1; }
      if (!exportNames.has(`__dl_parm_${arg.name}`)) { await error(`symbol for parameter ${arg.name} not found`); return 1; }
      if ('error' in spec) { await error(spec.error); return 1; }
      const r = assignParams([spec.decl], [arg], '2.2', mName);
      if (!r.ok) { await error(r.error.slice(r.error.indexOf(': ') + 2)); return 1; }
      const got = r.values[arg.name];
      const values = Array.isArray(got) ? got : got === undefined ? [] : [got];
      if (spec.charSize !== undefined) {
        const long = values.find((v) => new TextEncoder().encode(String(v)).length >= spec.charSize!);
        if (long !== undefined) { await error(`string too long for ${arg.name} (max ${spec.charSize - 1})`); return 1; }
      }
      assignments.push({ spec, values });
    }
    if (noload) return 0;

    if (p.uid !== 0) { await error(`create_module: ${strerror(1)}`); return 1; }
    const name = info.get('name')?.[0] ?? mName;
    if (k.modules.get(name)) { await error(`a module named ${name} already exists`); return 1; }
    const r = await k.modules.load(bytes, '', (mod) => {
      for (const { spec, values } of assignments) {
        const addr = Number(mod.export(`__dl_parm_${spec.decl.name}`)!()) >>> 0;
        const stride = spec.charSize ?? SIZES[spec.letter] ?? 4;
        values.forEach((v, i) => storeParm(mod, spec, addr + i * stride, v));
      }
      return undefined;
    });
    if (r.status < 0) {
      await error(r.status === -EEXIST ? `a module named ${name} already exists` : `init_module: ${r.reason ?? strerror(-r.status)}`);
      return 1;
    }
    return 0;
  };
}

/**
 * modinfo of modutils: the default format "filename:/description:/author:" (multi-line fields in
 * quotes, "<none>" when missing), then one "parm:" line per MODULE_PARM with its type and count.
 */
export function modinfo22(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    let fmt: string | undefined = 'filename:    %n\ndescription: %d\nauthor:      %a\n';
    let params = true;
    const files: string[] = [];
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-a' || a === '--author') { fmt = '%a\n'; params = false; }
      else if (a === '-d' || a === '--description') { fmt = '%d\n'; params = false; }
      else if (a === '-n' || a === '--filename') { fmt = '%n\n'; params = false; }
      else if (a === '-p' || a === '--parameters') { fmt = undefined; params = true; }
      else if (a === '-f' || a === '--format') { fmt = (argv[++i] ?? '').replace(/\\n/g, '\n'); params = false; }
      else if (a === '-V' || a === '--version') { await p.out(`modinfo (Linux modutils) ${MODUTILS_VERSION}\n`); return 0; }
      else if (a.startsWith('-')) { await p.out(MODINFO_USAGE); return 1; }
      else files.push(a);
    }
    if (!files.length) { await p.out(MODINFO_USAGE); return 1; }
    for (let filename of files) {
      if (!filename.includes('/') && !filename.includes('.')) {
        const found = await searchModulePath(k, p, filename, ['.o', '.ko']);
        if (!found) { await p.err(`modinfo: ${filename}: no module by that name found\n`); continue; }
        filename = found;
      }
      let fields: Map<string, string[]>;
      try {
        let bytes = await p.readFile(filename);
        let module = new WebAssembly.Module(bytes as BufferSource);
        if (isObjectFile(module)) {
          const r = await linkObjectModule(k, filename.slice(filename.lastIndexOf('/') + 1).replace(/\.(o|mod|ko)$/, ''), bytes);
          if (!r.ko) throw new WebAssembly.CompileError(r.stderr);
          bytes = r.ko;
          module = new WebAssembly.Module(bytes as BufferSource);
        }
        fields = readModinfo(module).fields;
      } catch (e) {
        if (e instanceof SysError) { await p.err(`${filename}: ${filename}: ${e.message}\n`); continue; }
        if (e instanceof WebAssembly.CompileError) { await p.err(`${filename}: not an ELF file\n`); continue; }
        throw e;
      }
      if (fmt !== undefined) await p.out(formatQuery(fmt, filename, fields));
      if (params) await p.out(showParameters(fields));
    }
    return 0;
  };
}

const MODINFO_USAGE = `usage: modinfo <options> <module>
  -a, --author            display module author
  -d, --description       display module description
  -n, --filename          display module filename
  -f <str>
      --format <str>      print the <query-string>
  -p, --parameters        display module parameters
  -V, --version           show version
  -h, --help              this usage screen
`;

/** format_query_string(): %n %a %d and %{tag}; author and description quoted, later lines indented. */
function formatQuery(fmt: string, filename: string, fields: Map<string, string[]>): string {
  const tag = (name: string, multiLine: boolean): string => {
    if (name === 'filename') return filename;
    const v = fields.get(name)?.[0];
    if (v === undefined) return '<none>';
    return multiLine ? `"${v.replace(/\n/g, '\n  ')}"` : v;
  };
  return fmt.replace(/%(%|n|a|d|\{([^}]*)\})/g, (_m, what: string, name?: string) => {
    if (what === '%') return '%';
    if (what === 'n') return tag('filename', false);
    if (what === 'a') return tag('author', true);
    if (what === 'd') return tag('description', true);
    return tag(name!, name === 'author' || name === 'description');
  });
}

/** show_module_parameters(): "parm:        io int array (min = 1, max = 4), description "..."". */
function showParameters(fields: Map<string, string[]>): string {
  const TYPE_NAMES: Readonly<Record<string, string>> = { b: 'byte', h: 'short', i: 'int', l: 'long', s: 'string', c: 'char' };
  let out = '';
  for (const [key, values] of fields) {
    if (!key.startsWith('parm_') || key.startsWith('parm_desc_')) continue;
    const name = key.slice(5);
    const m = /^(?:(\d+)(?:-(\d+))?)?(.?)/.exec(values[0] ?? '')!;
    const min = m[1] === undefined ? 1 : Number(m[1]);
    const max = m[2] === undefined ? min : Number(m[2]);
    const type = TYPE_NAMES[m[3] ?? ''];
    let line = `parm:        ${name} ${type ?? (m[3] ? `unknown format character '${m[3]}'` : 'no format character!')}`;
    if (min > 1 || max > 1) line += ` array (min = ${min}, max = ${max})`;
    const desc = fields.get(`parm_desc_${name}`)?.[0];
    if (desc) line += `, description "${desc.replace(/\n/g, '\n  ')}"`;
    out += `${line}\n`;
  }
  return out;
}
