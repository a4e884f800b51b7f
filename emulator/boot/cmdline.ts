// The kernel command line, as Linux parses it at boot.
//
// References: lib/cmdline.c (get_option, get_options, get_range, next_arg),
// lib/vsprintf.c (simple_strtoull), kernel/params.c (parse_args),
// init/main.c (2.2: parse_options, checksetup, get_options; modern:
// unknown_bootoption, obsolete_checksetup).
//
// Everything here is a pure function: bad input gives an error value, never an exception.

const INT_BITS = 32;

/** Wraps a BigInt to a C `int`, as assigning an unsigned long long to an int does. */
function toCInt(value: bigint): number {
  return Number(BigInt.asIntN(INT_BITS, value));
}

function digitValue(ch: string | undefined): number {
  if (ch === undefined) return 99;
  const c = ch.toLowerCase();
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87;
  return 99;
}

const isXDigit = (ch: string | undefined): boolean => digitValue(ch) < 16;

/** _parse_integer_fixup_radix for base 0: "0x" + hex digit is hex, a leading 0 octal, else decimal. */
export function detectRadix(s: string, at: number): { base: number; start: number } {
  if (s[at] === '0') {
    if (s[at + 1]?.toLowerCase() === 'x' && isXDigit(s[at + 2])) return { base: 16, start: at + 2 };
    return { base: 8, start: at };
  }
  return { base: 10, start: at };
}

/**
 * simple_strtoull(s + at, &end, 0): no sign, no leading blanks; stops at the first character that is
 * not a digit of the base. `end === at` means no number. Overflow wraps modulo 2^64 as in C.
 */
export function simpleStrtoull(s: string, at: number): { value: bigint; end: number } {
  const { base, start } = detectRadix(s, at);
  let value = 0n;
  let i = start;
  for (; i < s.length; i++) {
    const d = digitValue(s[i]);
    if (d >= base) break;
    value = BigInt.asUintN(64, value * BigInt(base) + BigInt(d));
  }
  return { value, end: i };
}

/** simple_strtol: simple_strtoull with an optional leading '-'. */
export function simpleStrtol(s: string, at: number): { value: bigint; end: number } {
  if (s[at] === '-') {
    const r = simpleStrtoull(s, at + 1);
    return r.end === at + 1 ? { value: 0n, end: at } : { value: -r.value, end: r.end };
  }
  return simpleStrtoull(s, at);
}

const enum OptionResult { None = 0, Last = 1, Comma = 2, Range = 3 }

/** get_option(): one integer at `at`; see lib/cmdline.c for the four results. */
function getOption(s: string, at: number): { res: OptionResult; value: number; next: number } {
  if (at >= s.length) return { res: OptionResult.None, value: 0, next: at };
  let cur = at;
  let negative = false;
  if (s[cur] === '-') {
    negative = true;
    cur++; // a lone '-' is consumed even when no number follows, as in the kernel
  }
  const { value, end } = simpleStrtoull(s, cur);
  const v = toCInt(negative ? -value : value);
  if (end === cur) return { res: OptionResult.None, value: v, next: cur };
  if (s[end] === ',') return { res: OptionResult.Comma, value: v, next: end + 1 };
  if (s[end] === '-') return { res: OptionResult.Range, value: v, next: end };
  return { res: OptionResult.Last, value: v, next: end };
}

export interface GetOptionsResult {
  /** ints[0] is the count of values that follow, as in the kernel's int array. */
  ints: number[];
  /** What get_options() returned: the text where parsing stopped ("" when all was numbers). */
  rest: string;
}

/**
 * get_options(str, nints, ints) as in modern lib/cmdline.c: a comma-separated list of integers and
 * "a-b" ranges (expanded to a, a+1, ..., b). At most nints-1 values are stored; the rest of the
 * string stays in `rest`. nints 0 only counts (the kernel's validate mode).
 *
 * One deliberate difference: when a range overflows the array the kernel's ints[0] counts the whole
 * range although only nints-1 values were stored; here ints[0] never exceeds what is stored, so a
 * driver looping over ints[1..ints[0]] stays inside the array.
 */
export function getOptions(str: string, nints: number): GetOptionsResult {
  const validate = nints === 0;
  const stored: number[] = [];
  let pos = 0;
  let i = 1;
  const store = (index: number, value: number): void => {
    if (!validate && index < nints) stored[index - 1] = value;
  };
  while (i < nints || validate) {
    const opt = getOption(str, pos);
    pos = opt.next;
    if (opt.res === OptionResult.None) break;
    store(i, opt.value);
    if (opt.res === OptionResult.Range) {
      pos++; // skip the '-'
      const upper = toCInt(simpleStrtol(str, pos).value);
      const rangeCount = upper - opt.value;
      let room = validate ? 0 : nints - i;
      for (let x = opt.value, k = i; room > 0 && x < upper; x++, room--, k++) store(k, x);
      if (rangeCount < 0) break;
      // The last number of the range is read again by the next get_option().
      i += rangeCount - 1;
    }
    i++;
    if (opt.res === OptionResult.Last) break;
  }
  const count = validate ? i - 1 : Math.max(0, Math.min(i - 1, nints - 1, stored.length));
  return { ints: validate ? [count] : [count, ...stored.slice(0, count)], rest: str.slice(pos) };
}

/**
 * get_options() of Linux 2.0/2.2 (init/main.c), for comparison with what the 1998 article shows:
 * up to 10 values (ints[11]), each read with simple_strtol up to the next comma (so "12xy,5" gives
 * 12 and 5), and it returns where it stopped: null when every item was a number. The setup function
 * received that pointer as `str`, not the whole option text.
 */
export function getOptions22(str: string): { ints: number[]; rest: string | null } {
  const values: number[] = [];
  let cur: number | null = 0;
  while (cur !== null && (str[cur] === '-' || (str[cur] ?? '') >= '0' && (str[cur] ?? '') <= '9') && values.length < 10) {
    values.push(toCInt(simpleStrtol(str, cur).value));
    const comma: number = str.indexOf(',', cur);
    cur = comma < 0 ? null : comma + 1;
  }
  return { ints: [values.length, ...values], rest: cur === null ? null : str.slice(cur) };
}

// ---------------------------------------------------------------------------------------------
// Splitting the command line into words: next_arg() of lib/cmdline.c.

export interface CmdlineWord {
  /** The parameter name, or the whole word when it has no '='. Quotes removed as next_arg does. */
  param: string;
  /** The text after the first '=', quotes removed; undefined when the word has no '='. */
  value: string | undefined;
}

const isSpace = (ch: string | undefined): boolean => ch !== undefined && ' \t\n\v\f\r'.includes(ch);

function skipSpaces(s: string, at: number): number {
  while (isSpace(s[at])) at++;
  return at;
}

/**
 * One word at `at` (not a space), as next_arg(): double quotes group spaces ("a b" or name="a b");
 * they cannot be escaped; the first '=' splits name and value (but an '=' in first position does
 * not count, as in the kernel).
 */
function nextArg(s: string, at: number): { word: CmdlineWord; next: number } {
  let start = at;
  let inQuote = false;
  let quoted = false;
  if (s[start] === '"') {
    start++;
    inQuote = true;
    quoted = true;
  }
  let equals = 0;
  let i = 0;
  for (; start + i < s.length; i++) {
    const ch = s[start + i];
    if (isSpace(ch) && !inQuote) break;
    if (equals === 0 && ch === '=') equals = i;
    if (ch === '"') inQuote = !inQuote;
  }
  let end = start + i;
  if (quoted && i > 0 && s[end - 1] === '"') end--;
  let word: CmdlineWord;
  if (equals === 0) {
    word = { param: s.slice(start, end), value: undefined };
  } else {
    let valueStart = start + equals + 1;
    let valueEnd = end;
    if (s[valueStart] === '"') {
      valueStart++;
      if (s[start + i - 1] === '"') valueEnd = start + i - 1;
    }
    word = { param: s.slice(start, start + equals), value: s.slice(valueStart, Math.max(valueStart, valueEnd)) };
  }
  return { word, next: skipSpaces(s, start + i + (start + i < s.length ? 1 : 0)) };
}

/** Splits a command line into words the way parse_args() does (double quotes group spaces). */
export function splitCmdline(cmdline: string): CmdlineWord[] {
  const words: CmdlineWord[] = [];
  let pos = skipSpaces(cmdline, 0);
  while (pos < cmdline.length) {
    const { word, next } = nextArg(cmdline, pos);
    words.push(word);
    pos = next > pos ? next : cmdline.length; // always advances
  }
  return words;
}

/** The word as the kernel hands it on: "name=value" or "name". */
export const joinWord = (w: CmdlineWord): string => (w.value === undefined ? w.param : `${w.param}=${w.value}`);

// ---------------------------------------------------------------------------------------------
// Dispatching words to setup functions and to init.

export interface SetupHandler {
  /** The prefix, with its '=': "my_device=". */
  name: string;
  /**
   * 'setup22': a 2.0/2.2 bootsetups[] entry, void my_device_setup(char *str, int *ints).
   * 'setup': a modern __setup("my_device=", fn), int fn(char *str).
   */
  kind: 'setup22' | 'setup';
}

export type SetupCall =
  | {
      name: string;
      kind: 'setup22';
      /** The option text after the name, as the 1998 article shows it. */
      str: string;
      /** getOptions(str, 10): ints[0] = count, then at most 9 values. */
      ints: number[];
      /** What a real 2.2 kernel passed instead (init/main.c get_options): see getOptions22. */
      kernel22: { str: string | null; ints: number[] };
    }
  | { name: string; kind: 'setup'; str: string };

export interface BootDispatch {
  calls: SetupCall[];
  /** init's argv, starting with "init" as in init/main.c's argv_init. */
  initArgv: string[];
  /** init's environment, starting with HOME=/ and TERM=linux as in envp_init. */
  initEnvp: string[];
  /** Words no kernel code claimed, in order; Linux passes them to init (argv or envp). */
  unknown: string[];
  root: string | undefined;
  /** From ro / rw: the last one wins. Undefined when neither was given. */
  readOnly: boolean | undefined;
  init: string | undefined;
  console: string[];
  panic: number | undefined;
  /** oops=panic: every oops is a panic (panic_on_oops). */
  oopsPanic: boolean;
  /** The console loglevel: from loglevel=N, or 4 for quiet, 10 for debug (the last one wins). */
  loglevel: number | undefined;
  quiet: boolean;
  bootImage: string | undefined;
  /** Messages the kernel prints for malformed known parameters. */
  errors: string[];
}

const MAX_INIT_ARGS = 32;
const MAX_INIT_ENVS = 32;

/** kstrtoint(s, 0): the whole string must be a number (a trailing newline is allowed). */
export function kstrtoint(s: string, bits = 32, signed = true): { ok: true; value: number } | { ok: false; error: 'EINVAL' | 'ERANGE' } {
  let text = s.endsWith('\n') ? s.slice(0, -1) : s;
  let negative = false;
  if (text.startsWith('+')) text = text.slice(1);
  else if (signed && text.startsWith('-')) {
    negative = true;
    text = text.slice(1);
  }
  if (text === '') return { ok: false, error: 'EINVAL' };
  const { base, start } = detectRadix(text, 0);
  let value = 0n;
  let i = start;
  for (; i < text.length; i++) {
    const d = digitValue(text[i]);
    if (d >= base) break;
    value = value * BigInt(base) + BigInt(d);
    if (value > 1n << 64n) return { ok: false, error: 'ERANGE' };
  }
  if (i !== text.length) return { ok: false, error: 'EINVAL' };
  const v = negative ? -value : value;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (v < min || v > max) return { ok: false, error: 'ERANGE' };
  return { ok: true, value: Number(v) };
}

/**
 * Decides, word by word, what the kernel does with a command line: the built-in parameters it
 * consumes (root=, ro, rw, quiet, debug, init=, console=, panic=, oops=, loglevel=), the setup functions
 * of drivers (first matching prefix wins, as checksetup() does), and everything else goes to init:
 * words with '=' into its environment (BOOT_IMAGE= from LILO ends up there, as on a real system),
 * the others into its argv. After "--" every word goes to init's argv.
 */
export function dispatchSetup(cmdline: string, handlers: readonly SetupHandler[]): BootDispatch {
  const out: BootDispatch = {
    calls: [], initArgv: ['init'], initEnvp: ['HOME=/', 'TERM=linux'], unknown: [],
    root: undefined, readOnly: undefined, init: undefined, console: [], panic: undefined, oopsPanic: false,
    loglevel: undefined, quiet: false, bootImage: undefined, errors: [],
  };
  let afterDashes = false;
  for (const word of splitCmdline(cmdline)) {
    const text = joinWord(word);
    if (afterDashes) {
      if (out.initArgv.length <= MAX_INIT_ARGS) out.initArgv.push(text);
      continue;
    }
    if (word.value === undefined && word.param === '--') {
      afterDashes = true;
      continue;
    }
    if (consumeBuiltin(word, out)) continue;
    const handler = handlers.find((h) => h.name !== '' && text.startsWith(h.name));
    if (handler) {
      out.calls.push(makeCall(handler, text.slice(handler.name.length)));
      continue;
    }
    if (word.param === 'BOOT_IMAGE') out.bootImage = word.value;
    out.unknown.push(text);
    if (word.value !== undefined) {
      // Same name twice: the later one replaces the earlier, as unknown_bootoption() does.
      const at = out.initEnvp.findIndex((e) => e.startsWith(`${word.param}=`));
      if (at >= 0) out.initEnvp[at] = text;
      else if (out.initEnvp.length < MAX_INIT_ENVS) out.initEnvp.push(text);
    } else if (out.initArgv.length <= MAX_INIT_ARGS) {
      out.initArgv.push(text);
    }
  }
  return out;
}

function makeCall(handler: SetupHandler, str: string): SetupCall {
  if (handler.kind === 'setup') return { name: handler.name, kind: 'setup', str };
  const real = getOptions22(str);
  return { name: handler.name, kind: 'setup22', str, ints: getOptions(str, 10).ints, kernel22: { str: real.rest, ints: real.ints } };
}

function consumeBuiltin(word: CmdlineWord, out: BootDispatch): boolean {
  const { param, value } = word;
  if (value === undefined) {
    switch (param) {
      case 'ro': out.readOnly = true; return true;
      case 'rw': out.readOnly = false; return true;
      case 'quiet': out.quiet = true; out.loglevel = 4; return true;
      case 'debug': out.loglevel = 10; return true;
      default: return false;
    }
  }
  switch (param) {
    case 'root': out.root = value; return true;
    case 'init': out.init = value; out.initArgv = ['init']; return true;
    case 'console': out.console.push(value); return true;
    case 'panic': {
      const n = kstrtoint(value);
      if (n.ok) out.panic = n.value;
      else out.errors.push(`Booting kernel: \`${value}' invalid for parameter \`panic'`);
      return true;
    }
    case 'oops':
      // oops_setup(): only "panic" means anything.
      if (value === 'panic') out.oopsPanic = true;
      return true;
    case 'loglevel': {
      const r = getOptions(value, 2);
      if (r.ints[0] === 1 && r.ints[1] !== undefined) out.loglevel = r.ints[1];
      else out.errors.push("Malformed early option 'loglevel'");
      return true;
    }
    default: return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Linux 2.2: parse_options() of init/main.c.

export interface Options22 {
  /** init's argv: "init" and the words without '=' nobody claimed. */
  initArgv: string[];
  /** init's environment: HOME=/ and TERM=linux, then the NAME=value words nobody claimed. */
  initEnvp: string[];
  /** Words no kernel code claimed, in order (as they went to init). */
  unknown: string[];
  readOnly: boolean | undefined;
  init: string | undefined;
  loglevel: number | undefined;
}

/** MAX_INIT_ARGS and MAX_INIT_ENVS of 2.2's init/main.c. */
const MAX_INIT_ARGS_22 = 8;
const MAX_INIT_ENVS_22 = 8;

/** 2.2's word splitting: at spaces, except inside a double-quoted part (the quotes stay in the word). */
export function splitOptions22(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === ' ' && !quoted) { if (word) words.push(word); word = ''; continue; }
    word += ch;
  }
  if (word) words.push(word);
  return words;
}

/**
 * parse_options() of Linux 2.2: ro, rw, debug, quiet and init= are the kernel's own; every other
 * word is offered to checksetup() (`claim`: the setup tables of init/main.c, then the __setup()
 * handlers); what nobody claims goes to init, into its environment when it holds '=', else into its
 * arguments. init= forgets the arguments gathered before it. A word that no longer fits in init's
 * argv or envp ends the parsing, as the kernel's `break` does.
 */
export function parseOptions22(line: string, claim: (word: string) => boolean): Options22 {
  const out: Options22 = { initArgv: ['init'], initEnvp: ['HOME=/', 'TERM=linux'], unknown: [], readOnly: undefined, init: undefined, loglevel: undefined };
  for (const word of splitOptions22(line)) {
    if (word === 'ro') { out.readOnly = true; continue; }
    if (word === 'rw') { out.readOnly = false; continue; }
    if (word === 'debug') { out.loglevel = 10; continue; }
    if (word === 'quiet') { out.loglevel = 4; continue; }
    if (word.startsWith('init=')) { out.init = word.slice(5); out.initArgv = ['init']; continue; }
    if (claim(word)) continue;
    if (word.includes('=')) {
      if (out.initEnvp.length > MAX_INIT_ENVS_22) break;
      out.initEnvp.push(word);
    } else {
      if (out.initArgv.length > MAX_INIT_ARGS_22) break;
      out.initArgv.push(word);
    }
    out.unknown.push(word);
  }
  return out;
}
