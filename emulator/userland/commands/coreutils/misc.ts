// Small commands: true, false, sleep, yes, seq, basename, dirname, env, printenv, pwd.
import type { Proc } from '../../libc.js';
import { SysError, exitStatus } from '../../libc.js';
import { Tool, baseName, dirName, encodeUtf8, errorText, quote } from './common.js';
import { formatFloatDirective, roundC } from './printf.js';

const ENOENT = 2;

export async function trueCommand(p: Proc, argv: string[]): Promise<number> {
  if (argv.length === 2 && argv[1] === '--help') await p.out(`Usage: ${argv[0]} [ignored command line arguments]\n  or:  ${argv[0]} OPTION\nExit with a status code indicating success.\n`);
  else if (argv.length === 2 && argv[1] === '--version') await p.out(new Tool(p, argv, 'true').versionText());
  return 0;
}

export async function falseCommand(p: Proc, argv: string[]): Promise<number> {
  if (argv.length === 2 && argv[1] === '--help') await p.out(`Usage: ${argv[0]} [ignored command line arguments]\n  or:  ${argv[0]} OPTION\nExit with a status code indicating failure.\n`);
  else if (argv.length === 2 && argv[1] === '--version') await p.out(new Tool(p, argv, 'false').versionText());
  return 1;
}

// ---- sleep ------------------------------------------------------------------------------------

const SLEEP_HELP = `Usage: PROG NUMBER[SUFFIX]...
  or:  PROG OPTION
Pause for NUMBER seconds.  SUFFIX may be 's' for seconds (the default),
'm' for minutes, 'h' for hours or 'd' for days.  NUMBER need not be an
integer.  Given two or more arguments, pause for the amount of time
specified by the sum of their values.

      --help        display this help and exit
      --version     output version information and exit
`;

const SLEEP_UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** A time interval as sleep reads it (strtod syntax, then one optional unit letter). */
export function parseInterval(text: string): number | undefined {
  const m = /^\s*(\+?(?:inf(?:inity)?|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|0[xX][0-9a-fA-F]+))([smhd]?)$/i.exec(text);
  if (!m) return undefined;
  const value = /inf/i.test(m[1]!) ? Infinity : Number(m[1]);
  return Number.isNaN(value) ? undefined : value * SLEEP_UNITS[m[2]!]!;
}

export async function sleep(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'sleep', SLEEP_HELP);
  const parsed = await t.parse(argv, '');
  if (typeof parsed === 'number') return parsed;
  if (!parsed.operands.length) return t.usage('missing operand');
  let seconds = 0;
  let ok = true;
  for (const arg of parsed.operands) {
    const s = parseInterval(arg);
    if (s === undefined) { await t.warn(`invalid time interval ${quote(arg)}`); ok = false; continue; }
    seconds += s;
  }
  if (!ok) return t.tryHelp();
  // The virtual clock has no "forever": a very long sleep is a day at a time.
  for (let left = seconds; left > 0;) {
    const step = Math.min(left, 86400);
    await p.sleep(Math.round(step * 1e9));
    left -= step;
  }
  return 0;
}

// ---- yes -------------------------------------------------------------------------------------

export async function yes(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'yes', `Usage: PROG [STRING]...\n  or:  PROG OPTION\nRepeatedly output a line with all specified STRING(s), or 'y'.\n\n      --help        display this help and exit\n      --version     output version information and exit\n`);
  const parsed = await t.parse(argv, '', [], 1, true);
  if (typeof parsed === 'number') return parsed;
  const line = encodeUtf8((parsed.operands.length ? parsed.operands.join(' ') : 'y') + '\n');
  // Many lines per write, as GNU yes fills a buffer; ends when the reader goes away.
  const copies = Math.max(1, Math.floor(8192 / line.length));
  const buffer = new Uint8Array(line.length * copies);
  for (let k = 0; k < copies; k++) buffer.set(line, k * line.length);
  for (;;) {
    try {
      await p.write(1, buffer);
    } catch (e) {
      // Normally SIGPIPE ends yes first; this is for a reader gone with the signal ignored.
      await t.warn(`standard output: ${errorText(e)}`);
      return 1;
    }
  }
}

// ---- seq -------------------------------------------------------------------------------------

const SEQ_HELP = `Usage: PROG [OPTION]... LAST
  or:  PROG [OPTION]... FIRST LAST
  or:  PROG [OPTION]... FIRST INCREMENT LAST
Print numbers from FIRST to LAST, in steps of INCREMENT.

  -f, --format=FORMAT      use printf style floating-point FORMAT
  -s, --separator=STRING   use STRING to separate numbers (default: \\n)
  -w, --equal-width        equalize width by padding with leading zeroes
      --help        display this help and exit
      --version     output version information and exit
`;

interface SeqNumber { value: number; precision: number; width: number }

function parseSeqNumber(text: string): SeqNumber | undefined {
  const m = /^\s*([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && !m[3])) {
    const special = /^\s*[-+]?(inf(inity)?|nan)$/i.exec(text);
    if (!special) return undefined;
    const value = Number(text.replace(/inf(inity)?/i, 'Infinity').replace(/nan/i, 'NaN'));
    return { value, precision: 0, width: text.length };
  }
  const value = Number(text);
  const exponent = Number(m[4] ?? 0);
  const precision = Math.max(0, (m[3]?.length ?? 0) - exponent);
  return { value, precision, width: text.trim().length };
}

export async function seq(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'seq', SEQ_HELP);
  // Options end where a negative number starts ("seq -5 -1").
  let end = argv.length;
  for (let k = 1; k < argv.length; k++) {
    const a = argv[k]!;
    if (/^-[\d.]/.test(a)) { end = k; break; }
    if (a === '-f' || a === '-s') k++;
  }
  const parsed = await t.parse(argv.slice(0, end), 'f:s:w', [
    { name: 'format', key: 'f', arg: 'required' },
    { name: 'separator', key: 's', arg: 'required' },
    { name: 'equal-width', key: 'w' },
  ]);
  if (typeof parsed === 'number') return parsed;
  const operands = [...parsed.operands, ...argv.slice(end)];
  let format: string | undefined;
  let separator = '\n';
  let equalWidth = false;
  for (const o of parsed.options) {
    if (o.key === 'f') format = o.value!;
    else if (o.key === 's') separator = o.value!;
    else if (o.key === 'w') equalWidth = true;
  }
  if (!operands.length) return t.usage('missing operand');
  if (operands.length > 3) return t.usage(`extra operand ${quote(operands[3]!)}`);
  const numbers: SeqNumber[] = [];
  for (const op of operands) {
    const n = parseSeqNumber(op);
    if (!n || Number.isNaN(n.value)) return t.usage(`invalid floating point argument: ${quote(op)}`);
    numbers.push(n);
  }
  const first = operands.length > 1 ? numbers[0]! : { value: 1, precision: 0, width: 1 };
  const step = operands.length === 3 ? numbers[1]! : { value: 1, precision: 0, width: 1 };
  const last = numbers[numbers.length - 1]!;
  if (step.value === 0) return t.usage(`invalid Zero increment value: ${quote(operands[1]!)}`);
  if (format !== undefined && equalWidth) return t.usage('format string may not be specified when printing equal width strings');
  if (format !== undefined && !/^(?:[^%]|%%)*%[-+ #0']*\d*(?:\.\d*)?[LlhqjzZt]*[aAeEfFgG](?:[^%]|%%)*$/.test(format)) {
    await t.warn(`format ${quote(format)} has no % directive`);
    return 1;
  }
  const precision = Math.max(first.precision, step.precision);
  let width = 0;
  if (equalWidth) {
    const widthOf = (n: SeqNumber) => roundC(n.value, precision, false).length;
    width = Math.max(widthOf(first), widthOf(last), first.width, last.width);
  }
  const render = (v: number): string => {
    if (format !== undefined) return formatFloatDirective(format, v);
    const text = roundC(v, precision, false);
    if (!equalWidth) return text;
    return v < 0 ? '-' + text.slice(1).padStart(width - 1, '0') : text.padStart(width, '0');
  };
  let out = '';
  let count = 0;
  try {
    let previous: string | undefined;
    for (let i = 0; ; i++) {
      const v = first.value + i * step.value;
      const text = render(v);
      const past = step.value > 0 ? v > last.value : v < last.value;
      // Like GNU seq: a value past LAST only by rounding error (it prints as LAST) is LAST.
      if (past && (text !== render(last.value) || text === previous)) break;
      previous = text;
      out += (count++ ? separator : '') + text;
      if (past) break;
      if (out.length >= 8192) { await p.out(out); out = ''; }
    }
    if (count) out += '\n';
    if (out) await p.out(out);
  } catch (e) {
    await t.warn(`write error: ${errorText(e)}`);
    return 1;
  }
  return 0;
}

// ---- basename, dirname ----------------------------------------------------------------------

export async function basename(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'basename', `Usage: PROG NAME [SUFFIX]\n  or:  PROG OPTION... NAME...\nPrint NAME with any leading directory components removed.\nIf specified, also remove a trailing SUFFIX.\n\n  -a, --multiple       support multiple arguments and treat each as a NAME\n  -s, --suffix=SUFFIX  remove a trailing SUFFIX; implies -a\n  -z, --zero           end each output line with NUL, not newline\n      --help        display this help and exit\n      --version     output version information and exit\n`);
  const parsed = await t.parse(argv, 'as:z', [
    { name: 'multiple', key: 'a' },
    { name: 'suffix', key: 's', arg: 'required' },
    { name: 'zero', key: 'z' },
  ]);
  if (typeof parsed === 'number') return parsed;
  let suffix = parsed.options.filter((o) => o.key === 's').pop()?.value;
  const multiple = suffix !== undefined || parsed.options.some((o) => o.key === 'a');
  const eol = parsed.options.some((o) => o.key === 'z') ? '\0' : '\n';
  const names = [...parsed.operands];
  if (!names.length) return t.usage('missing operand');
  if (!multiple) {
    if (names.length > 2) return t.usage(`extra operand ${quote(names[2]!)}`);
    suffix = names[1];
    names.length = 1;
  }
  const strip = (name: string) => {
    const base = baseName(name);
    return suffix && base !== suffix && base.endsWith(suffix) && base !== '/' ? base.slice(0, -suffix.length) : base;
  };
  await p.out(names.map((n) => strip(n) + eol).join(''));
  return 0;
}

export async function dirname(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'dirname', `Usage: PROG [OPTION] NAME...\nOutput each NAME with its last non-slash component and trailing slashes\nremoved; if NAME contains no /'s, output '.' (meaning the current directory).\n\n  -z, --zero     end each output line with NUL, not newline\n      --help        display this help and exit\n      --version     output version information and exit\n`);
  const parsed = await t.parse(argv, 'z', [{ name: 'zero', key: 'z' }]);
  if (typeof parsed === 'number') return parsed;
  if (!parsed.operands.length) return t.usage('missing operand');
  const eol = parsed.options.some((o) => o.key === 'z') ? '\0' : '\n';
  await p.out(parsed.operands.map((n) => dirName(n) + eol).join(''));
  return 0;
}

// ---- env, printenv, pwd ---------------------------------------------------------------------

const ENV_HELP = `Usage: PROG [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]
Set each NAME to VALUE in the environment and run COMMAND.

  -i, --ignore-environment  start with an empty environment
  -0, --null           end each output line with NUL, not newline
  -u, --unset=NAME     remove variable from the environment
  -C, --chdir=DIR      change working directory to DIR
      --help        display this help and exit
      --version     output version information and exit

A mere - implies -i.  If no COMMAND, print the resulting environment.
`;

export async function env(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'env', ENV_HELP);
  const parsed = await t.parse(argv, 'i0u:C:', [
    { name: 'ignore-environment', key: 'i' },
    { name: 'null', key: '0' },
    { name: 'unset', key: 'u', arg: 'required' },
    { name: 'chdir', key: 'C', arg: 'required' },
  ], 125, true);
  if (typeof parsed === 'number') return parsed;
  const vars = new Map(p.task.env);
  const operands = [...parsed.operands];
  if (operands[0] === '-') { vars.clear(); operands.shift(); }
  let eol = '\n';
  let dir: string | undefined;
  for (const o of parsed.options) {
    if (o.key === 'i') vars.clear();
    else if (o.key === 'u') vars.delete(o.value!);
    else if (o.key === '0') eol = '\0';
    else if (o.key === 'C') dir = o.value!;
  }
  while (operands.length && /^[^=]+=/.test(operands[0]!)) {
    const assignment = operands.shift()!;
    const eq = assignment.indexOf('=');
    vars.set(assignment.slice(0, eq), assignment.slice(eq + 1));
  }
  if (!operands.length) {
    if (dir !== undefined) return t.usage('must specify command with --chdir (-C)', 125);
    await p.out([...vars].map(([k, v]) => `${k}=${v}${eol}`).join(''));
    return 0;
  }
  if (eol === '\0') return t.usage('cannot specify --null (-0) with command', 125);
  if (dir !== undefined) {
    try {
      await p.stat(dir);
    } catch (e) {
      await t.warn(`cannot change directory to ${quote(dir)}: ${errorText(e)}`);
      return 125;
    }
  }
  try {
    const pid = await p.spawn(operands, { env: vars, cwd: dir === undefined ? undefined : resolve(p.cwd, dir) });
    return exitStatus((await p.waitpid(pid)).status);
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    await t.warn(`${quote(operands[0]!)}: ${e.message}`);
    return e.errno === ENOENT ? 127 : 126;
  }
}

function resolve(cwd: string, path: string): string {
  return path.startsWith('/') ? path : `${cwd.replace(/\/$/, '')}/${path}`;
}

export async function printenv(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'printenv', `Usage: PROG [OPTION]... [VARIABLE]...\nPrint the values of the specified environment VARIABLE(s).\nIf no VARIABLE is specified, print name and value pairs for them all.\n\n  -0, --null     end each output line with NUL, not newline\n      --help        display this help and exit\n      --version     output version information and exit\n`);
  const parsed = await t.parse(argv, '0', [{ name: 'null', key: '0' }], 2);
  if (typeof parsed === 'number') return parsed;
  const eol = parsed.options.length ? '\0' : '\n';
  if (!parsed.operands.length) {
    await p.out([...p.task.env].map(([k, v]) => `${k}=${v}${eol}`).join(''));
    return 0;
  }
  let found = 0;
  let out = '';
  for (const name of parsed.operands) {
    const v = name.includes('=') ? undefined : p.getenv(name);
    if (v !== undefined) { out += v + eol; found++; }
  }
  await p.out(out);
  return found === parsed.operands.length ? 0 : 1;
}

export async function pwd(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'pwd', `Usage: PROG [OPTION]...\nPrint the full filename of the current working directory.\n\n  -L, --logical   use PWD from environment, even if it contains symlinks\n  -P, --physical  avoid all symlinks\n      --help        display this help and exit\n      --version     output version information and exit\n`);
  const parsed = await t.parse(argv, 'LP', [{ name: 'logical', key: 'L' }, { name: 'physical', key: 'P' }]);
  if (typeof parsed === 'number') return parsed;
  if (parsed.operands.length) await t.warn('ignoring non-option arguments');
  await p.out(`${p.cwd}\n`);
  return 0;
}
