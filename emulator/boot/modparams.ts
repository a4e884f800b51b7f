// Module parameters: `insmod my_device io=0x200,0x300 irq=5,7`.
//
// Two personalities:
//  * 'modern': kmod's insmod joins its arguments with spaces and the kernel parses them
//    (kernel/params.c parse_args, param_array, param_set_*; kstrto* number rules;
//    unknown_module_param_cb for unknown names). Errors are dmesg lines.
//  * '2.2': modutils 2.x insmod parses them itself against the MODULE_PARM type strings
//    (insmod.c process_module_arguments: strtoul(.., 0) per value, "too many values for ..").
//
// Numbers are base 0 in both: 0x.. is hex, a leading 0 octal, anything else decimal. So the
// article's `insmod my_device io=200,300,400` sets io[0] to DECIMAL 200 (0xC8), not port 0x200;
// a learner wants io=0x200,0x300,0x400.

import { joinWord, kstrtoint, splitCmdline } from './cmdline.js';

export type ParamType = 'byte' | 'short' | 'ushort' | 'int' | 'uint' | 'long' | 'ulong' | 'charp' | 'bool' | 'invbool' | 'hexint';

export interface ParamDecl {
  name: string;
  type: ParamType;
  /** An array parameter: at most `max` values (module_param_array), at least `min` (2.2 "1-4i"). */
  array?: { max: number; min?: number };
}

export interface ModuleArg { name: string; value: string | undefined }

export type ParamValue = number | boolean | string;

export type AssignResult =
  | { ok: true; values: Record<string, ParamValue | ParamValue[]>; log: string[] }
  | { ok: false; log: string[]; error: string };

/** Splits insmod's arguments into name/value pairs the way the kernel will see them. */
export function parseModuleArgs(args: readonly string[]): ModuleArg[] | { error: string } {
  for (const a of args) {
    if ((a.match(/"/g) ?? []).length % 2 === 1) return { error: `unbalanced quote in argument '${a}'` };
  }
  return splitCmdline(args.join(' ')).map((w) => ({ name: w.param, value: w.value }));
}

const MODERN_TYPE_CHAR: Readonly<Record<string, string>> = {
  b: 'byte', h: 'short', i: 'int', l: 'long', s: 'charp',
};

/**
 * MODULE_PARM(var, "1-4i") type strings of Linux 2.2: optional "min-max" or "n" count, then
 * b (byte), h (short), i (int), l (long), s (string) or cN (char[N] string).
 */
export function parseModuleParmType(spec: string): { min: number; max: number; type: ParamType; charSize?: number } | { error: string } {
  const m = /^(?:(\d+)(?:-(\d+))?)?([bhilsc])(\d*)$/.exec(spec);
  if (!m) return { error: `invalid parameter type string "${spec}"` };
  const min = m[1] === undefined ? 1 : Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (max < min) return { error: `invalid parameter type string "${spec}": max ${max} is less than min ${min}` };
  const letter = m[3] ?? '';
  if (letter === 'c') {
    if (m[4] === '') return { error: `parameter type 'c' must be followed by the maximum size in "${spec}"` };
    return { min, max, type: 'charp', charSize: Number(m[4]) };
  }
  if (m[4] !== '') return { error: `invalid parameter type string "${spec}"` };
  return { min, max, type: MODERN_TYPE_CHAR[letter] as ParamType };
}

const paramEq = (a: string, b: string): boolean => a.replace(/-/g, '_') === b.replace(/-/g, '_');

/**
 * Assigns insmod's arguments to the declared parameters. `module` names the module in messages.
 */
export function assignParams(
  declared: readonly ParamDecl[],
  args: readonly ModuleArg[],
  personality: '2.2' | 'modern',
  module = 'my_device',
): AssignResult {
  return personality === 'modern' ? assignModern(declared, args, module) : assign22(declared, args, module);
}

// ---------------------------------------------------------------------------------------------
// Modern kernels.

type SetResult = { ok: true; value: ParamValue } | { ok: false; errno: 'EINVAL' | 'ERANGE' | 'ENOSPC'; log?: string };

const INT_LIMITS: Readonly<Record<string, { bits: number; signed: boolean }>> = {
  byte: { bits: 8, signed: false }, short: { bits: 16, signed: true }, ushort: { bits: 16, signed: false },
  int: { bits: 32, signed: true }, uint: { bits: 32, signed: false }, hexint: { bits: 32, signed: false },
  // long is 32 bits on the emulated i386.
  long: { bits: 32, signed: true }, ulong: { bits: 32, signed: false },
};

/** kstrtobool(): only the first character (two for on/off) counts. */
export function kstrtobool(s: string): boolean | undefined {
  const c = s[0];
  if (c !== undefined && 'yYtT1'.includes(c)) return true;
  if (c !== undefined && 'nNfF0'.includes(c)) return false;
  if (c === 'o' || c === 'O') {
    const d = s[1];
    if (d === 'n' || d === 'N') return true;
    if (d === 'f' || d === 'F') return false;
  }
  return undefined;
}

const CHARP_MAX = 1024;

function setOne(decl: ParamDecl, val: string | undefined): SetResult {
  if (decl.type === 'bool' || decl.type === 'invbool') {
    const b = kstrtobool(val ?? '1');
    if (b === undefined) return { ok: false, errno: 'EINVAL' };
    return { ok: true, value: decl.type === 'invbool' ? !b : b };
  }
  if (val === undefined) return { ok: false, errno: 'EINVAL' };
  if (decl.type === 'charp') {
    if (val.length > CHARP_MAX) return { ok: false, errno: 'ENOSPC', log: `${decl.name}: string parameter too long` };
    return { ok: true, value: val };
  }
  const lim = INT_LIMITS[decl.type] ?? { bits: 32, signed: true };
  const r = kstrtoint(val, lim.bits, lim.signed);
  return r.ok ? { ok: true, value: r.value } : { ok: false, errno: r.error };
}

function setArray(decl: ParamDecl, val: string, max: number, log: string[]): SetResult | { ok: true; values: ParamValue[] } {
  const values: ParamValue[] = [];
  const pieces = val.split(',');
  for (const piece of pieces) {
    if (values.length === max) {
      log.push(`${decl.name}: can only take ${max} arguments`);
      return { ok: false, errno: 'EINVAL' };
    }
    const r = setOne(decl, piece);
    if (!r.ok) return r;
    values.push(r.value);
  }
  const min = decl.array?.min ?? 1;
  if (values.length < min) {
    log.push(`${decl.name}: needs at least ${min} arguments`);
    return { ok: false, errno: 'EINVAL' };
  }
  return { ok: true, values };
}

function assignModern(declared: readonly ParamDecl[], args: readonly ModuleArg[], module: string): AssignResult {
  const values: Record<string, ParamValue | ParamValue[]> = {};
  const log: string[] = [];
  let failed = false;
  for (const arg of args) {
    const decl = declared.find((d) => paramEq(d.name, arg.name));
    if (!decl) {
      log.push(`${module}: unknown parameter '${arg.name}' ignored`);
      continue;
    }
    let result: SetResult | { ok: true; values: ParamValue[] };
    if (decl.array) result = arg.value === undefined ? { ok: false, errno: 'EINVAL' } : setArray(decl, arg.value, decl.array.max, log);
    else result = setOne(decl, arg.value);
    if (result.ok) {
      values[decl.name] = 'values' in result ? result.values : result.value;
      continue;
    }
    if (result.log !== undefined) log.push(result.log);
    failed = true;
    const shown = arg.value ?? '';
    log.push(result.errno === 'ENOSPC'
      ? `${module}: \`${shown}' too large for parameter \`${arg.name}'`
      : `${module}: \`${shown}' invalid for parameter \`${arg.name}'`);
  }
  if (failed) return { ok: false, log, error: `insmod: ERROR: could not insert module ${module}.ko: Invalid parameters` };
  return { ok: true, values, log };
}

// ---------------------------------------------------------------------------------------------
// Linux 2.2 with modutils 2.x: insmod itself parses, and the first error aborts the load.
// The wording follows modutils' insmod.c, whose error() prefixes the object file name; the
// MODULE_PARM lookup key is "parm_<name>"; modutils 2.1.121 (the one Linux 2.2 lists in
// Documentation/Changes) strips the prefix again before "invalid parameter" (2.3+ printed it).

/** strtoul(s + at, &end, 0) of the C library: leading blanks and a sign allowed; wraps like C. */
function strtoul(s: string, at: number): { value: number; end: number } {
  let i = at;
  while (s[i] === ' ' || s[i] === '\t' || s[i] === '\n') i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s.slice(i));
  if (!m) return { value: 0, end: at };
  const digits = m[0];
  let v = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  if (negative) v = -v;
  return { value: Number(BigInt.asUintN(32, v)), end: i + digits.length };
}

const C_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** modutils' C quoting: from just after the opening quote to the closing one; undefined when it never comes. */
function unquoteC(q: string, at: number): { text: string; end: number } | undefined {
  let text = '';
  let i = at;
  for (; q[i] !== '"'; i++) {
    if (i >= q.length) return undefined;
    if (q[i] !== '\\') { text += q[i]; continue; }
    const c = q[++i];
    if (c === undefined) return undefined;
    const octal = /^[0-7]{1,3}/.exec(q.slice(i))?.[0];
    if (octal) { text += String.fromCharCode(parseInt(octal, 8) & 0xff); i += octal.length - 1; }
    else text += C_ESCAPES[c] ?? c;
  }
  return { text, end: i + 1 };
}

function castC(type: ParamType, raw: number): ParamValue {
  switch (type) {
    case 'byte': return raw & 0xff;
    case 'short': return (raw << 16) >> 16;
    case 'ushort': return raw & 0xffff;
    case 'uint': case 'ulong': case 'hexint': return raw >>> 0;
    case 'bool': return raw !== 0;
    case 'invbool': return raw === 0;
    default: return raw | 0;
  }
}

function assign22(declared: readonly ParamDecl[], args: readonly ModuleArg[], module: string): AssignResult {
  const values: Record<string, ParamValue | ParamValue[]> = {};
  const log: string[] = [];
  const fail = (msg: string): AssignResult => {
    log.push(`${module}.o: ${msg}`);
    return { ok: false, log, error: `${module}.o: ${msg}` };
  };
  for (const arg of args) {
    if (arg.value === undefined) continue; // modutils skips words without '='
    const decl = declared.find((d) => d.name === arg.name);
    if (!decl) return fail(`invalid parameter ${arg.name}`);
    const min = decl.array ? decl.array.min ?? 1 : 1;
    const max = decl.array ? decl.array.max : 1;
    const q = arg.value;
    const got: ParamValue[] = [];
    let n = q === '' ? 0 : 1;
    let pos = 0;
    for (;;) {
      if (decl.type === 'charp' && q[pos] === '"') {
        // A quoted string is C-unquoted and may hold commas; an unquoted one ends at the next comma.
        const r = unquoteC(q, pos + 1);
        if (r === undefined) return fail(`improperly terminated string argument for ${decl.name}`);
        got.push(r.text);
        pos = r.end;
      } else if (decl.type === 'charp') {
        const comma = q.indexOf(',', pos);
        got.push(comma < 0 ? q.slice(pos) : q.slice(pos, comma));
        pos = comma < 0 ? q.length : comma;
      } else {
        const r = strtoul(q, pos);
        got.push(castC(decl.type, r.value));
        pos = r.end;
      }
      while (q[pos] === ' ' || q[pos] === '\t') pos++;
      if (pos >= q.length) break;
      if (q[pos] !== ',') return fail(`invalid argument syntax for ${decl.name}`);
      if (++n > max) return fail(`too many values for ${decl.name} (max ${max})`);
      pos++;
    }
    if (n < min) return fail(`too few values for ${decl.name} (min ${min})`);
    values[decl.name] = decl.array ? got.slice(0, Math.max(n, got.length)) : (got[0] ?? 0);
  }
  return { ok: true, values, log };
}

/**
 * The arguments as one line that parse_args() splits back into the same words, for /proc or
 * messages: a value holding blanks is double-quoted (name="a b"), as a learner would type it.
 */
export const formatModuleArgs = (args: readonly ModuleArg[]): string =>
  args.map((a) => joinWord({ param: a.name, value: a.value !== undefined && /\s/.test(a.value) ? `"${a.value}"` : a.value })).join(' ');
