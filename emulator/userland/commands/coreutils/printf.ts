// printf and /bin/echo. Output is built as a byte string (one code unit per byte) so that
// \NNN escapes and %s widths count bytes, as in C.
import type { Proc } from '../../libc.js';
import { Tool, bytesToLatin1, decodeUtf8, encodeUtf8, latin1ToBytes, quote } from './common.js';

const PRINTF_HELP = `Usage: PROG FORMAT [ARGUMENT]...
  or:  PROG OPTION
Print ARGUMENT(s) according to FORMAT, or execute according to OPTION:

      --help        display this help and exit
      --version     output version information and exit

FORMAT controls the output as in C printf.  Interpreted sequences are:

  \\"      double quote
  \\\\      backslash
  \\a      alert (BEL)
  \\b      backspace
  \\c      produce no further output
  \\e      escape
  \\f      form feed
  \\n      new line
  \\r      carriage return
  \\t      horizontal tab
  \\v      vertical tab
  \\NNN    byte with octal value NNN (1 to 3 digits)
  \\xHH    byte with hexadecimal value HH (1 to 2 digits)
  \\uHHHH  Unicode (ISO/IEC 10646) character with hex value HHHH (4 digits)
  %%      a single %
  %b      ARGUMENT as a string with '\\' escapes interpreted,
          except that octal escapes are of the form \\0 or \\0NNN
  %q      ARGUMENT is printed in a format that can be reused as shell input

and all C format specifications ending with one of diouxXfeEgGcs, with
ARGUMENTs converted to proper type first.  Variable widths are handled.
`;

const ECHO_HELP = `Usage: PROG [SHORT-OPTION]... [STRING]...
  or:  PROG LONG-OPTION
Echo the STRING(s) to standard output.

  -n             do not output the trailing newline
  -e             enable interpretation of backslash escapes
  -E             disable interpretation of backslash escapes (default)
      --help     display this help and exit
      --version  output version information and exit

If -e is in effect, the following sequences are recognized:

  \\\\      backslash
  \\a      alert (BEL)
  \\b      backspace
  \\c      produce no further output
  \\e      escape
  \\f      form feed
  \\n      new line
  \\r      carriage return
  \\t      horizontal tab
  \\v      vertical tab
  \\0NNN   byte with octal value NNN (1 to 3 digits)
  \\xHH    byte with hexadecimal value HH (1 to 2 digits)
`;

/** The one-letter escapes of printf, and the ones echo -e knows (no \\" there). */
const PRINTF_ESCAPES = '"\\abcefnrtv';
const ECHO_ESCAPES = '\\abcefnrtv';

/** Thrown by \c: stop all output. */
class StopOutput extends Error {}

/** A fatal printf error (invalid conversion): message, exit status 1. */
class PrintfFatal extends Error {}

const asBytes = (s: string) => bytesToLatin1(encodeUtf8(s));

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { '"': 34, '\\': 92, a: 7, b: 8, e: 27, f: 12, n: 10, r: 13, t: 9, v: 11 };

/**
 * One backslash escape at s[i] === '\\' (GNU print_esc). `octalZero`: %b and echo's form,
 * where \0 may be followed by three more octal digits; `isEcho`: echo -e's narrower set
 * (no \", \u; a bare \x stays as is). Returns the byte string and the next index.
 */
function escape(s: string, i: number, octalZero: boolean, isEcho = false): [string, number] {
  const allowed = isEcho ? ECHO_ESCAPES : PRINTF_ESCAPES;
  let j = i + 1;
  const c = s[j];
  if (c === 'x') {
    let hex = '';
    while (hex.length < 2 && /[0-9a-fA-F]/.test(s[j + 1] ?? '')) hex += s[++j];
    if (!hex && isEcho) return ['\\x', j + 1];
    if (!hex) throw new PrintfFatal('missing hexadecimal number in escape');
    return [String.fromCharCode(parseInt(hex, 16)), j + 1];
  }
  if (c !== undefined && /[0-7]/.test(c)) {
    const max = octalZero && c === '0' ? 4 : 3;
    let digits = '';
    while (digits.length < max && /[0-7]/.test(s[j] ?? '')) digits += s[j++];
    return [String.fromCharCode(parseInt(digits, 8) & 0xff), j];
  }
  if (c !== undefined && allowed.includes(c)) {
    if (c === 'c') throw new StopOutput();
    return [String.fromCharCode(SIMPLE_ESCAPES[c]!), j + 1];
  }
  if ((c === 'u' || c === 'U') && !isEcho) {
    const n = c === 'u' ? 4 : 8;
    const hex = s.slice(j + 1, j + 1 + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new PrintfFatal('missing hexadecimal number in escape');
    return [asBytes(String.fromCodePoint(parseInt(hex, 16))), j + 1 + n];
  }
  return [c === undefined ? '\\' : `\\${asBytes(c)}`, c === undefined ? j : j + 1];
}

/** Where output collects, so that \c can stop it midway and keep what came before. */
interface Sink { text: string }

/** Interprets the escapes of a whole string (printf %b, echo -e), appending to `sink`. */
function expandEscapes(s: string, octalZero: boolean, sink: Sink, isEcho = false): void {
  let i = 0;
  while (i < s.length) {
    const bs = s.indexOf('\\', i);
    if (bs < 0) { sink.text += asBytes(s.slice(i)); break; }
    sink.text += asBytes(s.slice(i, bs));
    const [text, next] = escape(s, bs, octalZero, isEcho);
    sink.text += text;
    i = next;
  }
}

interface Spec {
  flags: string;
  width?: number;
  precision?: number;
  conversion: string;
}

function pad(body: string, spec: Spec, zeroAllowed: boolean): string {
  const width = spec.width ?? 0;
  if (body.length >= width) return body;
  if (spec.flags.includes('-')) return body + ' '.repeat(width - body.length);
  if (zeroAllowed && spec.flags.includes('0')) {
    const prefix = /^([-+ ]?(?:0[xX])?)/.exec(body)![1]!;
    return prefix + '0'.repeat(width - body.length) + body.slice(prefix.length);
  }
  return ' '.repeat(width - body.length) + body;
}

function formatInteger(value: bigint, spec: Spec): string {
  const conv = spec.conversion;
  const signed = conv === 'd' || conv === 'i';
  const v = signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value);
  const negative = v < 0n;
  const magnitude = negative ? -v : v;
  const radix = conv === 'o' ? 8 : conv === 'x' || conv === 'X' ? 16 : 10;
  let digits = magnitude.toString(radix);
  if (conv === 'X') digits = digits.toUpperCase();
  if (spec.precision !== undefined) {
    if (spec.precision === 0 && magnitude === 0n) digits = '';
    digits = digits.padStart(spec.precision, '0');
  }
  if (spec.flags.includes('#')) {
    if (conv === 'o' && !digits.startsWith('0')) digits = '0' + digits;
    if ((conv === 'x' || conv === 'X') && magnitude !== 0n) digits = (conv === 'x' ? '0x' : '0X') + digits;
  }
  const sign = negative ? '-' : signed && spec.flags.includes('+') ? '+' : signed && spec.flags.includes(' ') ? ' ' : '';
  return pad(sign + digits, spec, spec.precision === undefined);
}

/**
 * toFixed/toExponential with C's rounding: to nearest, ties to even on the exact binary value
 * (printf '%.0f' 2.5 is 2; JavaScript rounds such ties up).
 */
export function roundC(x: number, digits: number, exponential: boolean): string {
  const format = (d: number) => (exponential ? x.toExponential(d) : x.toFixed(d));
  const plain = format(Math.min(100, digits));
  if (digits + 30 > 100 || !Number.isFinite(x)) return plain;
  const precise = format(digits + 30);
  if (!exponential && precise.includes('e')) return plain;
  const [mantissa = '', exponent] = precise.split('e');
  const dot = mantissa.indexOf('.');
  if (!/^50*$/.test(mantissa.slice(dot + 1 + digits))) return plain;
  const lastKept = mantissa[digits === 0 ? dot - 1 : dot + digits]!;
  if (Number(lastKept) % 2 === 1) return plain;
  const kept = mantissa.slice(0, digits === 0 ? dot : dot + 1 + digits);
  return exponent === undefined ? kept : `${kept}e${exponent}`;
}

/** C's %e digits: mantissa with `precision` decimals and an exponent of at least two digits. */
function exponential(v: number, precision: number): string {
  return roundC(v, precision, true).replace(/e([+-])(\d)$/, 'e$10$2');
}

function formatFloat(value: number, spec: Spec): string {
  const conv = spec.conversion;
  const upper = conv === conv.toUpperCase();
  const alt = spec.flags.includes('#');
  const sign = value < 0 || Object.is(value, -0) ? '-' : spec.flags.includes('+') ? '+' : spec.flags.includes(' ') ? ' ' : '';
  const v = Math.abs(value);
  let body: string;
  if (!Number.isFinite(v)) {
    body = Number.isNaN(v) ? 'nan' : 'inf';
  } else {
    const precision = spec.precision ?? 6;
    switch (conv.toLowerCase()) {
      case 'f':
        body = roundC(v, precision, false);
        if (alt && precision === 0) body += '.';
        break;
      case 'e':
        body = exponential(v, precision);
        if (alt && precision === 0) body = body.replace('e', '.e');
        break;
      case 'a':
        body = hexFloat(v, spec.precision);
        break;
      default: {
        const p = precision === 0 ? 1 : precision;
        const exp = v === 0 ? 0 : Number(exponential(v, p - 1).split('e')[1]);
        body = p > exp && exp >= -4 ? roundC(v, p - 1 - exp, false) : exponential(v, p - 1);
        // Without '#', %g drops trailing zeros of the fraction, and a bare decimal point.
        if (!alt) body = body.replace(/\.(\d*?)0*(?=e|$)/, (_, digits: string) => (digits ? `.${digits}` : ''));
      }
    }
  }
  if (upper) body = body.toUpperCase();
  return pad(sign + body, spec, Number.isFinite(v));
}

/** %a for a double: 0x1.8p+1. */
function hexFloat(v: number, precision: number | undefined): string {
  if (v === 0) return '0x0p+0';
  let exp = Math.floor(Math.log2(v));
  let mantissa = v / 2 ** exp;
  if (mantissa >= 2) { mantissa /= 2; exp++; }
  let frac = '';
  let rest = mantissa - 1;
  for (let k = 0; k < 13 && (precision === undefined ? rest > 0 : k < precision); k++) {
    rest *= 16;
    const digit = Math.floor(rest);
    frac += digit.toString(16);
    rest -= digit;
  }
  return `0x1${frac ? '.' + frac : ''}p${exp >= 0 ? '+' : ''}${exp}`;
}

/** Shell quoting for %q (bash/coreutils style). */
function shellQuoted(s: string): string {
  if (s === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  const hasControl = [...s].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);
  if (!hasControl && !s.includes("'")) return `'${s}'`;
  return s.replace(/[^A-Za-z0-9_@%+=:,./-]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 32 || code === 127) return `$'\\${code.toString(8).padStart(3, '0')}'`;
    return `\\${c}`;
  });
}

/** One printf run: reports conversion problems and keeps the exit status. */
class Printer implements Sink {
  status = 0;
  text = '';
  private readonly warnings: string[] = [];

  constructor(private readonly name: string) {}

  messages(): string {
    return this.warnings.map((w) => `${this.name}: ${w}\n`).join('');
  }

  private warn(text: string): void {
    this.warnings.push(text);
    this.status = 1;
  }

  /** strtoimax-style: 'c or "c is the character's code; 0x hex, 0 octal; errors as GNU. */
  integer(arg: string | undefined, unsigned: boolean): bigint {
    if (arg === undefined) return 0n;
    if (/^['"]/.test(arg)) return BigInt(arg.length > 1 ? (encodeUtf8(arg.slice(1))[0] ?? 0) : 0);
    const m = /^\s*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(arg);
    if (!m) { this.warn(`${quote(arg)}: expected a numeric value`); return 0n; }
    const text = m[2]!;
    let v = /^0[xX]/.test(text) ? BigInt(text) : text.startsWith('0') && text.length > 1 ? BigInt('0o' + text.slice(1)) : BigInt(text);
    if (m[1] === '-') v = -v;
    const max = unsigned ? 2n ** 64n - 1n : 2n ** 63n - 1n;
    const min = unsigned ? -max : -(2n ** 63n);
    if (v > max || v < min) {
      this.warn(`${quote(arg)}: Numerical result out of range`);
      v = v > max ? max : min;
    } else if (m[0].length < arg.length) {
      this.warn(`${quote(arg)}: value not completely converted`);
    }
    return v;
  }

  float(arg: string | undefined): number {
    if (arg === undefined) return 0;
    if (/^['"]/.test(arg)) return arg.length > 1 ? arg.codePointAt(1)! : 0;
    const m = /^\s*([-+]?(?:inf(?:inity)?|nan|0[xX][0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?(?:[pP][-+]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))/i.exec(arg);
    if (!m) { this.warn(`${quote(arg)}: expected a numeric value`); return 0; }
    const text = m[1]!.toLowerCase();
    let v: number;
    if (/inf/.test(text)) v = text.startsWith('-') ? -Infinity : Infinity;
    else if (/nan/.test(text)) v = NaN;
    else if (/0x/.test(text)) v = parseHexFloat(text);
    else v = Number(text);
    if (m[0].length < arg.length) this.warn(`${quote(arg)}: value not completely converted`);
    return v;
  }

  /** Formats `format` once with args from `args[start]` into `text`; returns the args used. */
  pass(format: string, args: readonly string[], start: number): number {
    let k = start;
    const next = () => (k < args.length ? args[k++] : undefined);
    let i = 0;
    while (i < format.length) {
      const c = format[i]!;
      if (c === '\\') {
        const [text, n] = escape(format, i, false);
        this.text += text;
        i = n;
        continue;
      }
      if (c !== '%') {
        const end = format.slice(i).search(/[\\%]/);
        const literal = end < 0 ? format.slice(i) : format.slice(i, i + end);
        this.text += asBytes(literal);
        i += literal.length;
        continue;
      }
      if (format[i + 1] === '%') { this.text += '%'; i += 2; continue; }
      const m = /^%([-+ #0']*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|j|z|t|L)?(.?)/s.exec(format.slice(i))!;
      const [whole, flags, widthText, precisionText, , conversion] = m;
      if (!conversion || !'diouxXfFeEgGaAcsbq'.includes(conversion)) {
        throw new PrintfFatal(`${whole}: invalid conversion specification`);
      }
      i += whole.length;
      const spec: Spec = { flags: flags!, conversion };
      if (widthText === '*') {
        const w = Number(this.integer(next(), false));
        if (w < 0) { spec.flags += '-'; spec.width = -w; } else spec.width = w;
      } else if (widthText) spec.width = Number(widthText);
      if (precisionText === '*') {
        const pr = Number(this.integer(next(), false));
        if (pr >= 0) spec.precision = pr;
      } else if (precisionText !== undefined) spec.precision = Number(precisionText || 0);
      this.convert(spec, next());
    }
    return k - start;
  }

  private convert(spec: Spec, arg: string | undefined): void {
    switch (spec.conversion) {
      case 'd': case 'i':
        this.text += formatInteger(this.integer(arg, false), spec);
        return;
      case 'o': case 'u': case 'x': case 'X':
        this.text += formatInteger(this.integer(arg, true), spec);
        return;
      case 'c':
        // C's %c of an empty string is its terminating NUL.
        this.text += pad(asBytes(arg ?? '').slice(0, 1) || '\0', spec, false);
        return;
      case 's':
      case 'q': {
        let s = asBytes(spec.conversion === 'q' ? (arg === undefined ? '' : shellQuoted(arg)) : arg ?? '');
        if (spec.precision !== undefined && spec.conversion === 's') s = s.slice(0, spec.precision);
        this.text += pad(s, spec, false);
        return;
      }
      case 'b': {
        // \c inside stops everything, with what was expanded so far already output.
        const expanded: Sink = { text: '' };
        try {
          expandEscapes(arg ?? '', true, expanded);
        } catch (e) {
          if (e instanceof StopOutput) this.text += expanded.text;
          throw e;
        }
        let s = expanded.text;
        if (spec.precision !== undefined) s = s.slice(0, spec.precision);
        this.text += pad(s, spec, false);
        return;
      }
      default:
        this.text += formatFloat(this.float(arg), spec);
    }
  }
}

function parseHexFloat(text: string): number {
  const m = /^([-+]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([-+]?\d+))?$/.exec(text);
  if (!m) return NaN;
  const frac = m[3] ?? '';
  const mantissa = parseInt((m[2] || '0') + frac, 16) / 16 ** frac.length;
  const v = mantissa * 2 ** Number(m[4] ?? 0);
  return m[1] === '-' ? -v : v;
}

/** Formats one number with a printf floating-point FORMAT (seq -f). */
export function formatFloatDirective(format: string, value: number): string {
  const printer = new Printer('seq');
  printer.pass(format, [String(value)], 0);
  return decodeUtf8(latin1ToBytes(printer.text));
}

export async function printf(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'printf', PRINTF_HELP);
  if (argv.length === 2 && argv[1] === '--help') { await p.out(t.helpText()); return 0; }
  if (argv.length === 2 && argv[1] === '--version') { await p.out(t.versionText()); return 0; }
  let args = argv.slice(1);
  if (args[0] === '--') args = args.slice(1);
  const format = args[0];
  if (format === undefined) return t.usage('missing operand');
  const printer = new Printer(t.name);
  let pos = 1;
  try {
    for (;;) {
      const used = printer.pass(format, args, pos);
      pos += used;
      if (used === 0 || pos >= args.length) break;
    }
  } catch (e) {
    if (e instanceof PrintfFatal) {
      await p.write(1, latin1ToBytes(printer.text));
      await p.err(printer.messages());
      await t.warn(e.message);
      return 1;
    }
    if (!(e instanceof StopOutput)) throw e;
    pos = args.length;
  }
  if (printer.text) await p.write(1, latin1ToBytes(printer.text));
  const messages = printer.messages();
  if (messages) await p.err(messages);
  if (pos < args.length) await t.warn(`warning: ignoring excess arguments, starting with ${quote(args[pos]!)}`);
  return printer.status;
}

/** /bin/echo: -n, -e, -E as GNU echo reads them (only leading arguments made of those letters). */
export async function echo(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'echo', ECHO_HELP);
  const args = argv.slice(1);
  if (args.length === 1 && args[0] === '--help') { await p.out(t.helpText()); return 0; }
  if (args.length === 1 && args[0] === '--version') { await p.out(t.versionText()); return 0; }
  let newline = true;
  let escapes = false;
  while (args.length && /^-[neE]+$/.test(args[0]!)) {
    for (const c of args.shift()!.slice(1)) {
      if (c === 'n') newline = false;
      else if (c === 'e') escapes = true;
      else escapes = false;
    }
  }
  const sink: Sink = { text: '' };
  try {
    args.forEach((a, k) => {
      if (k) sink.text += ' ';
      if (escapes) expandEscapes(a, true, sink, true);
      else sink.text += asBytes(a);
    });
    if (newline) sink.text += '\n';
  } catch (e) {
    // \c: what came before it, and nothing more (not even the newline).
    if (!(e instanceof StopOutput) && !(e instanceof PrintfFatal)) throw e;
  }
  await p.write(1, latin1ToBytes(sink.text));
  return 0;
}
