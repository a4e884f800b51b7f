// kmod's insmod, rmmod, lsmod and modinfo, with their messages.
import type { Kernel } from '../../kernel/kernel.js';
import { ENOENT, ENOEXEC, ESRCH, EINVAL, EPERM, EBUSY, strerror } from '../../kernel/errno.js';
import { SysError, type Proc } from '../libc.js';
import { insmod22, modinfo22, searchModulePath } from './modutils.js';

/** kmod's mod_strerror(): insmod's words for init_module(2) errors. */
function modStrerror(errno: number): string {
  switch (errno) {
    case ENOEXEC: return 'Invalid module format';
    case ENOENT: return 'Unknown symbol in module';
    case ESRCH: return 'Module has wrong symbol version';
    case EINVAL: return 'Invalid parameters';
    default: return strerror(errno);
  }
}

/** Finds a module file: a path, or a bare name below /lib/modules/$(uname -r) (like modprobe). */
async function resolveModule(k: Kernel, p: Proc, name: string): Promise<string | undefined> {
  if (await p.exists(name)) return name;
  if (name.includes('/')) return undefined;
  return searchModulePath(k, p, name.replace(/\.ko$/, ''), ['.ko']);
}

/** "Says why not": a bare name is not looked for in the current directory, which is where the learner's module is. */
async function cwdHint(p: Proc, name: string): Promise<void> {
  if (name.includes('/') || name.endsWith('.ko') || !(await p.exists(`${name}.ko`))) return;
  await p.err(`insmod: (${name}.ko is in the current directory; a bare name is only searched for in /lib/modules: use insmod ./${name}.ko)\n`);
}

export function insmod(k: Kernel) {
  const modutils = insmod22(k);
  return async (p: Proc, argv: string[]): Promise<number> => {
    if (k.personality === '2.2') return modutils(p, argv);
    const args = argv.slice(1).filter((a) => !a.startsWith('-') || a === '-');
    if (argv.includes('-h') || argv.includes('--help') || args.length === 0) {
      await p.err('Usage:\n\tinsmod [options] filename [args]\nOptions:\n\t-V, --version     show version\n\t-h, --help        show this help\n');
      return args.length === 0 ? 1 : 0;
    }
    const [file, ...params] = args as [string, ...string[]];
    const path = await resolveModule(k, p, file);
    let bytes: Uint8Array;
    try {
      if (!path) throw new SysError(ENOENT);
      bytes = await p.readFile(path);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await p.err(`insmod: ERROR: could not load module ${file}: ${e.message}\n`);
      await cwdHint(p, file);
      return 1;
    }
    if (p.uid !== 0) {
      await p.err(`insmod: ERROR: could not insert module ${file}: ${strerror(EPERM)}\n`);
      return 1;
    }
    const r = await k.modules.load(bytes, params.join(' '));
    if (r.status < 0) {
      await p.err(`insmod: ERROR: could not insert module ${file}: ${r.reason ?? modStrerror(-r.status)}\n`);
      return 1;
    }
    return 0;
  };
}

/** modutils' rmmod of the 2.2 era: delete_module(2), and perror() when it fails. */
function rmmod22(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const names = argv.slice(1).filter((a) => !a.startsWith('-'));
    if (!names.length) {
      await p.err('Usage: rmmod [-a] [-r] [-s] module ...\n');
      return 1;
    }
    let status = 0;
    for (const name of names) {
      const r = !k.modules.get(name) ? { status: -ENOENT } : p.uid !== 0 ? { status: -EPERM } : await k.modules.unload(name);
      if (r.status === 0) continue;
      status = 1;
      await p.err(r.status === -ENOENT ? `rmmod: module ${name} is not loaded\n` : `${name}: ${strerror(-r.status)}\n`);
    }
    return status;
  };
}

export function rmmod(k: Kernel) {
  if (k.personality === '2.2') return rmmod22(k);
  return async (p: Proc, argv: string[]): Promise<number> => {
    const names = argv.slice(1).filter((a) => !a.startsWith('-'));
    if (!names.length) {
      await p.err('Usage:\n\trmmod [options] modulename ...\nOptions:\n\t-f, --force       forces a module unload and may crash your\n\t                  machine. This requires Forced Module Removal\n\t                  option in your kernel. DANGEROUS\n\t-s, --syslog      print to syslog, not stderr\n\t-v, --verbose     enables more messages\n\t-V, --version     show version\n\t-h, --help        show this help\n');
      return 1;
    }
    let status = 0;
    for (const raw of names) {
      const name = raw.replace(/^.*\//, '').replace(/\.k?o$/, '').replace(/-/g, '_');
      const mod = k.modules.modules.get(name);
      if (!mod) {
        await p.err(`rmmod: ERROR: Module ${name} is not currently loaded\n`);
        status = 1;
        continue;
      }
      if (p.uid !== 0) {
        await p.err(`rmmod: ERROR: ../libkmod/libkmod-module.c:799 kmod_module_remove_module() could not remove '${name}': Operation not permitted\nrmmod: ERROR: could not remove module ${name}: Operation not permitted\n`);
        status = 1;
        continue;
      }
      if (mod.refcount > 0) {
        await p.err(`rmmod: ERROR: Module ${name} is in use\n`);
        status = 1;
        continue;
      }
      const r = await k.modules.unload(name);
      if (r.status < 0) {
        await p.err(r.status === -EBUSY
          ? `rmmod: ERROR: ../libkmod/libkmod-module.c:799 kmod_module_remove_module() could not remove '${name}': Device or resource busy\nrmmod: ERROR: could not remove module ${name}: Device or resource busy\n`
          : `rmmod: ERROR: could not remove module ${name}: ${strerror(-r.status)}\n`);
        status = 1;
      }
    }
    return status;
  };
}

export function lsmod(k: Kernel) {
  return async (p: Proc): Promise<number> => {
    let out = 'Module                  Size  Used by\n';
    for (const m of k.modules.list()) {
      const size = Math.ceil(m.sizeBytes / 4096) * 4096;
      out += `${m.name.padEnd(19, ' ')} ${String(size).padStart(8, ' ')}  ${m.refcount}\n`;
    }
    await p.out(out);
    return 0;
  };
}

export function modinfo(k: Kernel) {
  const modutils = modinfo22(k);
  return async (p: Proc, argv: string[]): Promise<number> => {
    if (k.personality === '2.2') return modutils(p, argv);
    let only: string | undefined;
    const files: string[] = [];
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-F' || a === '--field') only = argv[++i];
      else if (a.startsWith('--field=')) only = a.slice(8);
      else if (a === '-p' || a === '--parameters') only = 'parm';
      else if (a === '-a' || a === '--author') only = 'author';
      else if (a === '-d' || a === '--description') only = 'description';
      else if (a === '-l' || a === '--license') only = 'license';
      else if (a === '-n' || a === '--filename') only = 'filename';
      else if (!a.startsWith('-')) files.push(a);
    }
    if (!files.length) {
      await p.err('modinfo: ERROR: missing module or filename.\n');
      return 1;
    }
    let status = 0;
    for (const f of files) {
      const path = await resolveModule(k, p, f);
      let info;
      try {
        if (!path) throw new SysError(ENOENT);
        info = modinfoEntries(new WebAssembly.Module((await p.readFile(path)) as BufferSource));
      } catch (e) {
        if (e instanceof SysError || e instanceof WebAssembly.CompileError) {
          await p.err(`modinfo: ERROR: Module ${f} not found.\n`);
          status = 1;
          continue;
        }
        throw e;
      }
      const abs = path!.startsWith('/') ? path! : `${p.cwd}/${path}`;
      await p.out(formatKmodModinfo(abs, info, only));
    }
    return status;
  };
}

/** The "modinfo" section's key=value strings in the order they lie there. */
function modinfoEntries(module: WebAssembly.Module): [string, string][] {
  const entries: [string, string][] = [];
  for (const sec of WebAssembly.Module.customSections(module, 'modinfo')) {
    for (const entry of new TextDecoder().decode(sec).split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) entries.push([entry.slice(0, eq), entry.slice(eq + 1)]);
    }
  }
  return entries;
}

/**
 * kmod's modinfo output: the .modinfo entries (the learner's MODULE_* in reverse declaration order,
 * as they lie in the section), then one "parm:" line per parameter joining MODULE_PARM_DESC and
 * the type, "name:description (type)". With `only`, just that field's values (parm: the joined lines).
 */
export function formatKmodModinfo(filename: string, section: readonly [string, string][], only?: string): string {
  if (only === 'filename') return `${filename}\n`;
  const own: [string, string][] = [];
  const trailing: [string, string][] = [];
  const order = ['srcversion', 'depends', 'retpoline', 'name', 'vermagic'];
  for (const [key, v] of section) (order.includes(key) ? trailing : own).push([key, v]);
  trailing.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  const entries = [...own.reverse(), ...trailing];
  // process_parm(): a parameter's description and type, in the order its first entry comes.
  const params = new Map<string, { desc?: string; type?: string }>();
  for (const [key, v] of entries) {
    if (key !== 'parm' && key !== 'parmtype') continue;
    const colon = v.indexOf(':');
    if (colon < 0) continue;
    const name = v.slice(0, colon);
    const p = params.get(name) ?? {};
    if (key === 'parm') p.desc = v.slice(colon + 1); else p.type = v.slice(colon + 1);
    params.set(name, p);
  }
  // kmod prepends each new parameter to its list, so they print in the opposite order: source order.
  const parmLines = [...params].reverse().map(([name, p]) =>
    p.desc === undefined ? `${name}:${p.type}` : p.type === undefined ? `${name}:${p.desc}` : `${name}:${p.desc} (${p.type})`);
  if (only === 'parm') return parmLines.map((l) => `${l}\n`).join('');
  if (only) return entries.filter(([key]) => key === only).map(([, v]) => `${v}\n`).join('');
  const line = (key: string, v: string) => `${(key + ':').padEnd(16, ' ')}${v}\n`;
  return line('filename', filename) +
    entries.filter(([key]) => key !== 'parm' && key !== 'parmtype').map(([key, v]) => line(key, v)).join('') +
    parmLines.map((l) => line('parm', l)).join('');
}
