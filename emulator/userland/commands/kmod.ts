// kmod's insmod, rmmod, lsmod and modinfo, with their messages.
import type { Kernel } from '../../kernel/kernel.js';
import { ENOENT, ENOEXEC, ESRCH, EINVAL, EPERM, EBUSY, strerror } from '../../kernel/errno.js';
import { readModinfo } from '../../kernel/module.js';
import { SysError, type Proc } from '../libc.js';

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

/** Finds a module file: a path, or a name under /lib/modules/$(uname -r) (like modprobe). */
async function resolveModule(k: Kernel, p: Proc, name: string): Promise<string | undefined> {
  if (await p.exists(name)) return name;
  if (!name.includes('/')) {
    const base = `/lib/modules/${k.release.release}`;
    for (const cand of [`${base}/extra/${name}.ko`, `${base}/extra/${name}`, `${base}/kernel/drivers/char/${name}.ko`, `${name}.ko`]) {
      if (await p.exists(cand)) return cand;
    }
  }
  return undefined;
}

export function insmod(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
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

export function rmmod(k: Kernel) {
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
  return async (p: Proc, argv: string[]): Promise<number> => {
    const args = argv.slice(1).filter((a) => !a.startsWith('-'));
    const fieldOpt = argv.indexOf('-F');
    const only = fieldOpt > 0 ? argv[fieldOpt + 1] : undefined;
    const files = only ? args.filter((a) => a !== only) : args;
    if (!files.length) {
      await p.err('Usage:\n\tmodinfo [options] <modulename|filename> [args]\n');
      return 1;
    }
    let status = 0;
    for (const f of files) {
      const path = await resolveModule(k, p, f);
      let info;
      try {
        if (!path) throw new SysError(ENOENT);
        info = readModinfo(new WebAssembly.Module((await p.readFile(path)) as BufferSource));
      } catch (e) {
        if (e instanceof SysError || e instanceof WebAssembly.CompileError) {
          await p.err(`modinfo: ERROR: Module ${f} not found.\n`);
          status = 1;
          continue;
        }
        throw e;
      }
      const abs = path!.startsWith('/') ? path! : `${p.cwd}/${path}`;
      const lines: [string, string][] = [['filename', abs]];
      // The learner's MODULE_* entries appear last-declared first, as modinfo shows them.
      const own: [string, string][] = [];
      const trailing: [string, string][] = [];
      for (const [key, values] of info.fields) {
        for (const v of values) {
          if (['srcversion', 'depends', 'retpoline', 'name', 'vermagic'].includes(key)) trailing.push([key, v]);
          else own.push([key === 'parmdesc' ? 'parm' : key, v]);
        }
      }
      const order = ['srcversion', 'depends', 'retpoline', 'name', 'vermagic'];
      trailing.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
      lines.push(...own.reverse(), ...trailing);
      for (const [key, v] of lines) {
        if (only && key !== only) continue;
        await p.out(only ? `${v}\n` : `${(key + ':').padEnd(16, ' ')}${v}\n`);
      }
    }
    return status;
  };
}
