// What every coreutils command shares: GNU getopt_long argument parsing, the
// usage-error and diagnostic formats ("prog: message", "Try 'prog --help' ..."),
// GNU's quoting of file names in messages, and reading inputs ('-' is stdin).
import { SysError, type Proc } from '../../libc.js';

export const COREUTILS_VERSION = '9.4';

export type ArgMode = 'none' | 'required' | 'optional';

export interface LongOption {
  name: string;
  /** The key reported for it: usually its short option letter. */
  key: string;
  arg?: ArgMode;
}

export interface ParsedOption {
  key: string;
  value?: string;
}

export interface ParsedArgs {
  options: ParsedOption[];
  operands: string[];
}

/** A usage error (invalid option, missing argument): printed with the "Try --help" line. */
export class UsageError extends Error {}

/**
 * getopt_long as glibc does it: bundled short options (`-la`), arguments attached (`-n5`,
 * `--lines=5`) or separate, unambiguous prefixes of long options, `--` ending the options,
 * and options after operands (permutation) unless `stopAtOperand` (POSIX `+` mode).
 * `shortSpec` is getopt's: a letter, then `:` for a required argument, `::` for an optional one.
 */
export function getopt(argv: readonly string[], shortSpec: string, longs: readonly LongOption[] = [], stopAtOperand = false): ParsedArgs {
  const shorts = parseShortSpec(shortSpec);
  const allLongs = [...longs, { name: 'help', key: 'help' }, { name: 'version', key: 'version' }];
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === '--') { operands.push(...argv.slice(i)); break; }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const long = findLong(allLongs, name, arg);
      const mode = long.arg ?? 'none';
      if (eq >= 0) {
        if (mode === 'none') throw new UsageError(`option '--${long.name}' doesn't allow an argument`);
        options.push({ key: long.key, value: arg.slice(eq + 1) });
      } else if (mode === 'required') {
        if (i >= argv.length) throw new UsageError(`option '--${long.name}' requires an argument`);
        options.push({ key: long.key, value: argv[i++]! });
      } else {
        options.push({ key: long.key });
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const mode = shorts.get(letter);
        if (mode === undefined) throw new UsageError(`invalid option -- '${letter}'`);
        if (mode === 'none') { options.push({ key: letter }); continue; }
        const rest = arg.slice(j + 1);
        if (rest) options.push({ key: letter, value: rest });
        else if (mode === 'optional') options.push({ key: letter });
        else if (i < argv.length) options.push({ key: letter, value: argv[i++]! });
        else throw new UsageError(`option requires an argument -- '${letter}'`);
        break;
      }
      continue;
    }
    operands.push(arg);
    if (stopAtOperand) { operands.push(...argv.slice(i)); break; }
  }
  return { options, operands };
}

function parseShortSpec(spec: string): Map<string, ArgMode> {
  const map = new Map<string, ArgMode>();
  for (let i = 0; i < spec.length; i++) {
    const letter = spec[i]!;
    if (spec.startsWith('::', i + 1)) { map.set(letter, 'optional'); i += 2; }
    else if (spec[i + 1] === ':') { map.set(letter, 'required'); i += 1; }
    else map.set(letter, 'none');
  }
  return map;
}

function findLong(longs: readonly LongOption[], name: string, arg: string): LongOption {
  const exact = longs.find((l) => l.name === name);
  if (exact) return exact;
  const candidates = longs.filter((l) => l.name.startsWith(name));
  const distinct = candidates.filter((l, k) => candidates.findIndex((m) => m.key === l.key && m.arg === l.arg) === k);
  if (name && distinct.length === 1) return distinct[0]!;
  if (name && distinct.length > 1) {
    throw new UsageError(`option '${arg.split('=')[0]}' is ambiguous; possibilities:${distinct.map((l) => ` '--${l.name}'`).join('')}`);
  }
  throw new UsageError(`unrecognized option '${arg.split('=')[0]}'`);
}

/** One invocation of a command: its name (argv[0], as GNU's program_name) and diagnostics. */
export class Tool {
  /** The exit status so far: raised by failures that do not stop the command. */
  status = 0;
  readonly name: string;

  /**
   * `programName` is the command's own name (GNU's PROGRAM_NAME, used by --version); messages
   * use argv[0], as GNU's program_name.
   */
  constructor(readonly p: Proc, argv: readonly string[], private readonly programName: string, private readonly help = '', private readonly package_ = 'GNU coreutils') {
    this.name = argv[0] || programName;
  }

  /** Parses options; a number means "exit with this status now" (--help, --version, usage error). */
  async parse(argv: readonly string[], shortSpec: string, longs: readonly LongOption[] = [], usageStatus = 1, stopAtOperand = false): Promise<ParsedArgs | number> {
    let parsed: ParsedArgs;
    try {
      parsed = getopt(argv.slice(1), shortSpec, longs, stopAtOperand);
    } catch (e) {
      if (e instanceof UsageError) return this.usage(e.message, usageStatus);
      throw e;
    }
    if (parsed.options.some((o) => o.key === 'help')) { await this.p.out(this.helpText()); return 0; }
    if (parsed.options.some((o) => o.key === 'version')) { await this.p.out(this.versionText()); return 0; }
    return parsed;
  }

  helpText(): string {
    return this.help.replace(/PROG/g, this.name);
  }

  versionText(): string {
    const version = this.package_ === 'GNU grep' ? '3.11' : COREUTILS_VERSION;
    return `${this.programName} (${this.package_}) ${version}\n`;
  }

  /** "prog: message" on stderr. */
  async warn(message: string): Promise<void> {
    await this.p.err(`${this.name}: ${message}\n`);
  }

  /** "prog: message" and remembers the failure in the exit status. */
  async error(message: string, status = 1): Promise<void> {
    await this.warn(message);
    this.status = Math.max(this.status, status);
  }

  /** "prog: what: strerror" for a failed system call (what may be empty). */
  async sysError(what: string, e: unknown, status = 1): Promise<void> {
    await this.error(`${what}${what ? ': ' : ''}${errorText(e)}`, status);
  }

  /** Just the "Try" line, after errors already reported (GNU's usage(EXIT_FAILURE)). */
  async tryHelp(status = 1): Promise<number> {
    await this.p.err(`Try '${this.name} --help' for more information.\n`);
    return status;
  }

  /** A usage error: the message, the "Try" line, and the status to exit with. */
  async usage(message: string, status = 1): Promise<number> {
    await this.p.err(`${this.name}: ${message}\nTry '${this.name} --help' for more information.\n`);
    return status;
  }
}

/** strerror text of a SysError; anything else is a bug and propagates. */
export function errorText(e: unknown): string {
  if (e instanceof SysError) return e.message;
  throw e;
}

export function errnoOf(e: unknown): number {
  if (e instanceof SysError) return e.errno;
  throw e;
}

// ---- quoting of names in messages (gnulib quotearg) -------------------------------------

const SHELL_SPECIAL = /[\s'"\\$`!*?[\]{}()<>|&;#~=%^]/;

function shellQuote(s: string): string {
  if (!s.includes("'")) return `'${s}'`;
  if (!/[\\$`"!]/.test(s)) return `"${s}"`;
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** quoteaf: always quoted, shell style ('x', "it's"); what ls, rm, cp ... print. */
export function quoteAlways(s: string): string {
  return shellQuote(s);
}

/** quotef: quoted only when the name has characters special to the shell. */
export function quoteIfNeeded(s: string): string {
  return s === '' || SHELL_SPECIAL.test(s) ? shellQuote(s) : s;
}

/** quote: locale style in the C locale ('x' with \ escapes); for option values. */
export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
}

// ---- bytes and text -----------------------------------------------------------------------

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function encodeUtf8(s: string): Uint8Array {
  return utf8.encode(s);
}

export function decodeUtf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** Bytes as a string of code units 0-255: text processing in the C locale, byte for byte. */
export function bytesToLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

export function latin1ToBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, part) => n + part.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const part of parts) { out.set(part, off); off += part.length; }
  return out;
}

// ---- inputs ---------------------------------------------------------------------------------

/** Opens an input operand; '-' is standard input (fd 0, never closed here). */
export async function openInput(p: Proc, name: string): Promise<number> {
  return name === '-' ? 0 : p.open(name);
}

export async function closeInput(p: Proc, fd: number): Promise<void> {
  if (fd !== 0) await ignoreSysError(p.close(fd));
}

/**
 * Awaits a system call whose failure does not matter (closing after an error). Only
 * SysError is ignored: a signal that kills the process must still end it.
 */
export async function ignoreSysError(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
  }
}

/** The display name GNU uses for an input operand. */
export function inputName(name: string): string {
  return name === '-' ? 'standard input' : name;
}

export interface Line {
  /** The line without its newline, as bytes. */
  bytes: Uint8Array;
  /** Whether a newline ended it (the last line of a file may lack one). */
  newline: boolean;
}

/** Reads a descriptor line by line, as it arrives (so `yes | grep -m1 y` ends). */
export async function* readLines(p: Proc, fd: number, chunkSize = 65536, onChunk?: (chunk: Uint8Array) => void): AsyncGenerator<Line> {
  let pending: Uint8Array = new Uint8Array(0);
  for (;;) {
    const chunk = await p.read(fd, chunkSize);
    if (chunk.length === 0) break;
    onChunk?.(chunk);
    const data = pending.length ? concatBytes([pending, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      yield { bytes: data.subarray(start, nl), newline: true };
      start = nl + 1;
    }
    pending = data.slice(start);
  }
  if (pending.length) yield { bytes: pending, newline: false };
}

/** Splits text into lines; a final line without a newline counts as a line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// ---- numbers ---------------------------------------------------------------------------------

const SIZE_SUFFIXES: Readonly<Record<string, number>> = { b: 512, k: 1024, K: 1024, m: 1024 ** 2, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5, E: 1024 ** 6 };

/**
 * A count with an optional multiplier suffix as xstrtoumax reads it (K = 1024, KB = 1000,
 * KiB = 1024, b = 512 ...); undefined if it is not one.
 */
export function parseCount(text: string): number | undefined {
  const m = /^(\d+)([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  const suffix = m[2]!;
  if (!suffix) return value;
  const unit = SIZE_SUFFIXES[suffix[0]!];
  if (unit === undefined) return undefined;
  const rest = suffix.slice(1);
  if (rest === '') return value * unit;
  if (suffix[0] === 'b') return undefined;
  if (rest === 'B') return value * 1000 ** Math.round(Math.log(unit) / Math.log(1024));
  if (rest === 'iB') return value * unit;
  return undefined;
}

/** Formats a byte count as ls -h and friends do: 4.0K, 13K, 1.5M (rounding up, powers of 1024). */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return String(bytes);
  const units = 'KMGTPEZY';
  let unit = 0;
  let value = bytes / 1024;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  if (value < 10) {
    const tenths = Math.ceil(value * 10) / 10;
    return tenths < 10 ? `${tenths.toFixed(1)}${units[unit]}` : `10${units[unit]}`;
  }
  const whole = Math.ceil(value);
  if (whole >= 1024 && unit < units.length - 1) return `1.0${units[unit + 1]}`;
  return `${whole}${units[unit]}`;
}

// ---- dates -------------------------------------------------------------------------------

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export const pad2 = (n: number) => String(n).padStart(2, '0');

/** ctime(3) of a UTC time in ms, without its newline: "Wed Jan 15 10:30:05 2025". */
export function ctime(ms: number): string {
  const d = new Date(ms);
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** The machine's wall clock in ns since the Unix epoch. */
export function nowNs(p: Proc): number {
  return p.kernel.wallTimeNs();
}

// ---- user and group names ----------------------------------------------------------------

/** Names from /etc/passwd and /etc/group, read once per command. */
export class UserDb {
  private users?: Map<number, string>;
  private groups?: Map<number, string>;

  constructor(private readonly p: Proc) {}

  private async table(path: string): Promise<Map<number, string>> {
    const map = new Map<number, string>();
    let text = '';
    try { text = await this.p.readText(path); } catch (e) { if (!(e instanceof SysError)) throw e; }
    for (const line of text.split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined && /^\d+$/.test(id) && !map.has(Number(id))) map.set(Number(id), name);
    }
    return map;
  }

  async userName(uid: number): Promise<string> {
    this.users ??= await this.table('/etc/passwd');
    return this.users.get(uid) ?? String(uid);
  }

  async groupName(gid: number): Promise<string> {
    this.groups ??= await this.table('/etc/group');
    return this.groups.get(gid) ?? String(gid);
  }

  async uidOf(name: string): Promise<number | undefined> {
    this.users ??= await this.table('/etc/passwd');
    for (const [id, n] of this.users) if (n === name) return id;
    return undefined;
  }

  async gidOf(name: string): Promise<number | undefined> {
    this.groups ??= await this.table('/etc/group');
    for (const [id, n] of this.groups) if (n === name) return id;
    return undefined;
  }

  /** The primary group of a user, from /etc/passwd's fourth field. */
  async primaryGid(uid: number): Promise<number | undefined> {
    let text = '';
    try { text = await this.p.readText('/etc/passwd'); } catch (e) { if (!(e instanceof SysError)) throw e; }
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f[2] === String(uid) && f[3] && /^\d+$/.test(f[3])) return Number(f[3]);
    }
    return undefined;
  }
}

/** The process's file mode creation mask (the kernel applies it; chmod's "+w" needs it too). */
export function umaskOf(p: Proc): number {
  return p.task.umask;
}

/** Joins a directory and a name the way coreutils builds paths (no doubled slash). */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path === '' ? '' : '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function dirName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path.startsWith('/') ? '/' : '.';
  const slash = trimmed.lastIndexOf('/');
  if (slash < 0) return '.';
  const dir = trimmed.slice(0, slash).replace(/\/+$/, '');
  return dir === '' ? '/' : dir;
}
