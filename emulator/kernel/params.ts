// Module parameters on the kernel side (kernel/params.c, kernel/module/sysfs.c of Linux 6.8):
// the struct kernel_param of each module_param() found in the module, parse_args() of insmod's
// argument string into the module's variables before its init function runs, and
// /sys/module/<module>/ with parameters/<name> files showing (and, when perm allows, setting)
// the values, in param_get_*()'s formats.
//
// Linux 2.2 had none of this in the kernel: its insmod parsed MODULE_PARM values itself and wrote
// them into the module image (userland/commands/modutils.ts); `prepare` is that hook here.
//
// The pure parsing rules (kstrto*, arrays, bool forms, messages) are emulator/boot/modparams.ts.
import type { Kernel } from './kernel.js';
import type { InsmodResult, LoadedModule } from './module.js';
import { licenseIsGplCompatible } from './license.js';
import { EACCES, EINVAL, ENOSPC } from './errno.js';
import { assignParams, parseModuleArgs, type ParamDecl, type ParamType, type ParamValue } from '../boot/modparams.js';
import { ProcFs } from './fs/procfs.js';
import { genericLlseek, readFromBuffer } from './fs/ramfs.js';
import { O_ACCMODE, O_RDONLY, type FileOperations, type Inode } from './fs/types.js';
import { MODERN_PARAM } from './kapi/layout.js';

const KP = MODERN_PARAM.kernel_param;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** struct kernel_param as module_param() laid it out in the module's memory. */
export interface KernelParam {
  name: string;
  type: ParamType;
  perm: number;
  elemsize: number;
  /** Address of the variable (an array: of its first element). */
  arg: number;
  /** Address of the array's count, 0 for none. */
  num: number;
  /** ARRAY_SIZE of an array, 0 for a single value. */
  max: number;
}

const TYPES = new Set<string>(['byte', 'short', 'ushort', 'int', 'uint', 'long', 'ulong', 'hexint', 'charp', 'bool', 'invbool']);

/** The module's parameters: one exported "__dl_param_<name>" per module_param() returns its kernel_param. */
export function moduleParams(mod: LoadedModule): KernelParam[] {
  const params: KernelParam[] = [];
  for (const [exportName, fn] of Object.entries(mod.instance.exports)) {
    if (!exportName.startsWith('__dl_param_') || typeof fn !== 'function') continue;
    const p = (fn as () => number)() >>> 0;
    const v = mod.view();
    const type = mod.cstring(v.getUint32(p + KP.type, true)) ?? '';
    if (!TYPES.has(type)) continue;
    params.push({
      name: mod.cstring(v.getUint32(p + KP.name, true)) ?? exportName.slice('__dl_param_'.length),
      type: type as ParamType,
      perm: v.getUint16(p + KP.perm, true),
      elemsize: v.getUint16(p + KP.elemsize, true),
      arg: v.getUint32(p + KP.arg, true),
      num: v.getUint32(p + KP.num, true),
      max: v.getUint32(p + KP.max, true),
    });
  }
  return params;
}

const declOf = (p: KernelParam): ParamDecl => ({ name: p.name, type: p.type, ...(p.max ? { array: { max: p.max } } : {}) });

/** Stores one value the way param_set_<type>() does (charp: a kernel copy of the string). */
export function storeValue(mod: LoadedModule, type: ParamType, addr: number, size: number, value: ParamValue): void {
  const v = mod.view();
  if (type === 'charp') {
    v.setUint32(addr, mod.allocString(String(value)), true);
    return;
  }
  const n = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
  if (size === 1) v.setUint8(addr, n & 0xff);
  else if (size === 2) v.setUint16(addr, n & 0xffff, true);
  else v.setUint32(addr, n >>> 0, true);
}

function storeParam(mod: LoadedModule, p: KernelParam, value: ParamValue | ParamValue[]): void {
  if (!Array.isArray(value)) {
    storeValue(mod, p.type, p.arg, p.elemsize, value);
    return;
  }
  value.forEach((x, i) => storeValue(mod, p.type, p.arg + i * p.elemsize, p.elemsize, x));
  if (p.num) mod.view().setUint32(p.num, value.length, true);
}

/** pr_err/pr_warn of parse_args() and the param_set_*() functions. */
function logParseMessages(k: Kernel, lines: readonly string[]): void {
  for (const line of lines) k.printk(`${/unknown parameter '.*' ignored$/.test(line) ? '\x014' : '\x013'}${line}\n`);
}

/**
 * load_module()'s parse_args(mod->name, mod->args, mod->kp, ...): assigns insmod's arguments to
 * the module's parameters. Unknown names are ignored with a warning (unknown_module_param_cb);
 * a bad value fails the load with the error of the last bad argument. Returns 0 or -errno.
 */
export function parseModuleParams(k: Kernel, mod: LoadedModule, args: string): number {
  if (!args.trim()) return 0;
  const params = moduleParams(mod);
  const words = parseModuleArgs([args]);
  if ('error' in words) {
    k.printk(`\x013${mod.name}: ${words.error}\n`);
    return -EINVAL;
  }
  const r = assignParams(params.map(declOf), words, 'modern', mod.name);
  logParseMessages(k, r.log);
  if (!r.ok) return /too large for parameter `[^`']*'$/.test(r.log.at(-1) ?? '') ? -ENOSPC : -EINVAL;
  for (const p of params) {
    const value = r.values[p.name];
    if (value !== undefined) storeParam(mod, p, value);
  }
  return 0;
}

/**
 * insmod's arguments reach the module: parse_args() for the modern kernel; on 2.2 the kernel takes
 * none and insmod's own `prepare` has written them into the module already (or refuses the load).
 */
export function setupModuleParams(k: Kernel, mod: LoadedModule, args: string, prepare?: (mod: LoadedModule) => InsmodResult | undefined): InsmodResult | undefined {
  if (prepare) {
    const r = prepare(mod);
    if (r) return r;
  }
  if (k.personality !== 'modern') return undefined;
  const status = parseModuleParams(k, mod, args);
  return status ? { status } : undefined;
}

// ---- param_get_*(): the values as /sys shows them ------------------------------------------------

function formatValue(mod: LoadedModule, type: ParamType, addr: number, size: number): string {
  const v = mod.view();
  const raw = size === 1 ? v.getUint8(addr) : size === 2 ? v.getUint16(addr, true) : v.getUint32(addr, true);
  switch (type) {
    case 'charp': return mod.cstring(raw) ?? '(null)';
    case 'bool': return raw ? 'Y' : 'N';
    case 'invbool': return raw ? 'N' : 'Y';
    case 'short': return String((raw << 16) >> 16);
    case 'int': case 'long': return String(raw | 0);
    // "%#08x": eight characters with the 0x, so six digits at least.
    case 'hexint': return `0x${(raw >>> 0).toString(16).padStart(6, '0')}`;
    default: return String(raw >>> 0);
  }
}

/** param_attr_show(): one value and a newline; an array its values comma-separated (param_array_get). */
export function showParam(mod: LoadedModule, p: KernelParam): string {
  if (!p.max) return `${formatValue(mod, p.type, p.arg, p.elemsize)}\n`;
  const count = p.num ? Math.min(mod.view().getUint32(p.num, true), p.max) : p.max;
  if (count === 0) return '';
  const values: string[] = [];
  for (let i = 0; i < count; i++) values.push(formatValue(mod, p.type, p.arg + i * p.elemsize, p.elemsize));
  return `${values.join(',')}\n`;
}

/** param_attr_store(): a write to the parameter's file sets it as insmod would have. */
export function storeParamText(k: Kernel, mod: LoadedModule, p: KernelParam, text: string): number {
  const r = assignParams([declOf(p)], [{ name: p.name, value: text }], 'modern', mod.name);
  // Only the setters' own messages reach the log here; parse_args() is not involved.
  logParseMessages(k, r.log.filter((l) => !/ for parameter `/.test(l)));
  if (!r.ok) return /too large for parameter/.test(r.log.at(-1) ?? '') ? -ENOSPC : -EINVAL;
  storeParam(mod, p, r.values[p.name]!);
  return text.length;
}

// ---- /sys/module ------------------------------------------------------------------------------------

const sysfsOf = new WeakMap<Kernel, { fs: ProcFs; module: Inode }>();

/** Makes sysfs (modern kernels) with its /sys/module directory; `mount -t sysfs` mounts it (fs/namespace.ts). */
export function createSysfs(k: Kernel): void {
  if (k.personality !== 'modern') return;
  const fs = new ProcFs(k.fsctx, 4, 'sysfs');
  const module = fs.dir('module');
  fs.dir('kernel');
  fs.dir('class');
  fs.dir('devices');
  sysfsOf.set(k, { fs, module });
}

/** The root of sysfs, for mount(2); undefined on a kernel without one (2.2). */
export function sysfsRoot(k: Kernel): Inode | undefined {
  return sysfsOf.get(k)?.fs.root;
}

/** A sysfs attribute: generated at open, readable per its mode, writable only with a store method. */
function attribute(k: Kernel, show: () => string, store?: (text: string) => number): FileOperations {
  const ctx = k.fsctx;
  return {
    open: (_inode, file) => {
      // sysfs gives no write method to a read-only attribute: even root is refused.
      if ((file.flags & O_ACCMODE) !== O_RDONLY && !store) return -EACCES;
      file.priv = enc.encode(show());
      return 0;
    },
    read: (file, ubuf, count) => readFromBuffer(ctx, file, file.priv as Uint8Array, ubuf, count),
    write: (_file, ubuf, count) => {
      const bytes = ctx.fromUser(ubuf, count);
      if (!bytes) return -14;
      return store!(dec.decode(bytes));
    },
    llseek: (file, off, whence) => genericLlseek(file, off, whence, (file.priv as Uint8Array | undefined)?.length ?? 0),
  };
}

/** mod_sysfs_setup(): /sys/module/<name>/ with initstate, refcnt, taint and the parameters with a mode. */
export function moduleSysfsAdd(k: Kernel, mod: LoadedModule): void {
  const sys = sysfsOf.get(k);
  if (!sys) return;
  const { fs } = sys;
  fs.remove(sys.module, mod.name);
  const dir = fs.addDir(sys.module, mod.name, 0o755);
  fs.addEntry(dir, 'initstate', 0o444, attribute(k, () => `${mod.state}\n`));
  fs.addEntry(dir, 'refcnt', 0o444, attribute(k, () => `${mod.refcount}\n`));
  fs.addEntry(dir, 'taint', 0o444, attribute(k, () => `${licenseIsGplCompatible(mod.license) ? '' : 'P'}O\n`));
  const srcversion = mod.info.fields.get('srcversion')?.[0];
  if (srcversion) fs.addEntry(dir, 'srcversion', 0o444, attribute(k, () => `${srcversion}\n`));
  const version = mod.info.fields.get('version')?.[0];
  if (version) fs.addEntry(dir, 'version', 0o444, attribute(k, () => `${version}\n`));
  const visible = moduleParams(mod).filter((p) => p.perm !== 0);
  if (!visible.length) return;
  const pdir = fs.addDir(dir, 'parameters', 0o755);
  for (const p of visible) {
    const store = p.perm & 0o222 ? (text: string) => storeParamText(k, mod, p, text) : undefined;
    fs.addEntry(pdir, p.name, p.perm & 0o777, attribute(k, () => showParam(mod, p), store));
  }
}

/** mod_sysfs_teardown(). */
export function moduleSysfsRemove(k: Kernel, name: string): void {
  const sys = sysfsOf.get(k);
  if (sys) sys.fs.remove(sys.module, name);
}
