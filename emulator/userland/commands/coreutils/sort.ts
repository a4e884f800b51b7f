// sort: sort lines of text files, in the C locale's byte order, with GNU's key fields.
import type { Proc } from '../../libc.js';
import { O_CREAT, O_TRUNC, O_WRONLY } from '../../libc.js';
import { Tool, bytesToLatin1, closeInput, encodeUtf8, errorText, latin1ToBytes, openInput, quote, quoteIfNeeded, splitLines, type LongOption } from './common.js';

const HELP = `Usage: PROG [OPTION]... [FILE]...
Write sorted concatenation of all FILE(s) to standard output.

With no FILE, or when FILE is -, read standard input.

Ordering options:

  -b, --ignore-leading-blanks  ignore leading blanks
  -d, --dictionary-order      consider only blanks and alphanumeric characters
  -f, --ignore-case           fold lower case to upper case characters
  -g, --general-numeric-sort  compare according to general numerical value
  -h, --human-numeric-sort    compare human readable numbers (e.g., 2K 1G)
  -M, --month-sort            compare (unknown) < 'JAN' < ... < 'DEC'
  -n, --numeric-sort          compare according to string numerical value
  -r, --reverse               reverse the result of comparisons
  -V, --version-sort          natural sort of (version) numbers within text

Other options:

  -c, --check               check for sorted input; do not sort
  -k, --key=KEYDEF          sort via a key; KEYDEF gives location and type
  -o, --output=FILE         write result to FILE instead of standard output
  -s, --stable              stabilize sort by disabling last-resort comparison
  -t, --field-separator=SEP  use SEP instead of non-blank to blank transition
  -u, --unique              output only the first of lines with equal keys
      --help        display this help and exit
      --version     output version information and exit

KEYDEF is F[.C][OPTS][,F[.C][OPTS]] for start and stop position, where F is a
field number and C a character position in the field; both are origin 1, and
the stop position defaults to the line's end.
`;

const LONGS: LongOption[] = [
  { name: 'ignore-leading-blanks', key: 'b' },
  { name: 'dictionary-order', key: 'd' },
  { name: 'ignore-case', key: 'f' },
  { name: 'general-numeric-sort', key: 'g' },
  { name: 'human-numeric-sort', key: 'h' },
  { name: 'ignore-nonprinting', key: 'i' },
  { name: 'month-sort', key: 'M' },
  { name: 'numeric-sort', key: 'n' },
  { name: 'reverse', key: 'r' },
  { name: 'version-sort', key: 'V' },
  { name: 'check', key: 'c' },
  { name: 'key', key: 'k', arg: 'required' },
  { name: 'output', key: 'o', arg: 'required' },
  { name: 'stable', key: 's' },
  { name: 'field-separator', key: 't', arg: 'required' },
  { name: 'unique', key: 'u' },
  { name: 'zero-terminated', key: 'z' },
];

/** Sort failures exit with 2, like GNU sort. */
const SORT_FAILURE = 2;

interface Ordering {
  skipStartBlanks: boolean;
  skipEndBlanks: boolean;
  dictionary: boolean;
  fold: boolean;
  ignoreNonprinting: boolean;
  numeric: 'none' | 'n' | 'g' | 'h' | 'M' | 'V';
  reverse: boolean;
}

interface Key extends Ordering {
  /** 0-based start field and character offset. */
  startField: number;
  startChar: number;
  /** 0-based end field (undefined: end of line) and 1-based end character (0: end of field). */
  endField?: number;
  endChar: number;
}

class KeyError extends Error {}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

function noOrdering(): Ordering {
  return { skipStartBlanks: false, skipEndBlanks: false, dictionary: false, fold: false, ignoreNonprinting: false, numeric: 'none', reverse: false };
}

function hasOrdering(o: Ordering): boolean {
  return o.skipStartBlanks || o.skipEndBlanks || o.dictionary || o.fold || o.ignoreNonprinting || o.numeric !== 'none' || o.reverse;
}

/** Applies ordering letters (b d f g h i M n r V); returns the rest of the text. */
function applyOrdering(text: string, o: Ordering, blankFlag: 'start' | 'end' | 'both'): string {
  let i = 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === 'b') {
      if (blankFlag !== 'end') o.skipStartBlanks = true;
      if (blankFlag !== 'start') o.skipEndBlanks = true;
    } else if (c === 'd') o.dictionary = true;
    else if (c === 'f') o.fold = true;
    else if (c === 'i') o.ignoreNonprinting = true;
    else if (c === 'r') o.reverse = true;
    else if ('ghMnV'.includes(c)) o.numeric = c as Ordering['numeric'];
    else break;
  }
  return text.slice(i);
}

function parseKey(spec: string): Key {
  const key: Key = { ...noOrdering(), startField: 0, startChar: 0, endChar: 0 };
  const count = (text: string, what: string): [number, string] => {
    const m = /^\d+/.exec(text);
    if (!m) throw new KeyError(`${what}: invalid count at start of ${quote(text)}`);
    return [Number(m[0]), text.slice(m[0].length)];
  };
  const bad = (why: string) => new KeyError(`${why}: invalid field specification ${quote(spec)}`);
  let [field, rest] = count(spec, 'invalid number at field start');
  if (field === 0) throw bad('field number is zero');
  key.startField = field - 1;
  if (rest.startsWith('.')) {
    let char: number;
    [char, rest] = count(rest.slice(1), "invalid number after '.'");
    if (char === 0) throw bad('character offset is zero');
    key.startChar = char - 1;
  }
  rest = applyOrdering(rest, key, 'start');
  if (rest.startsWith(',')) {
    [field, rest] = count(rest.slice(1), "invalid number after ','");
    if (field === 0) throw bad('field number is zero');
    key.endField = field - 1;
    if (rest.startsWith('.')) [key.endChar, rest] = count(rest.slice(1), "invalid number after '.'");
    rest = applyOrdering(rest, key, 'end');
  }
  if (rest) throw bad('stray character in field spec');
  return key;
}

/** GNU's begfield/limfield: where a key starts and ends in a line. */
function keyText(line: string, key: Key, tab: string | undefined): string {
  const lim = line.length;
  let pos = 0;
  for (let n = key.startField; pos < lim && n > 0; n--) pos = skipField(line, pos, tab);
  if (key.skipStartBlanks) while (pos < lim && isBlank(line[pos])) pos++;
  const start = Math.min(lim, pos + key.startChar);
  if (key.endField === undefined) return line.slice(start);
  let end = 0;
  let words = key.endChar === 0 ? key.endField + 1 : key.endField;
  while (end < lim && words-- > 0) {
    if (tab === undefined) {
      while (end < lim && isBlank(line[end])) end++;
      while (end < lim && !isBlank(line[end])) end++;
    } else {
      while (end < lim && line[end] !== tab) end++;
      if (end < lim && (words > 0 || key.endChar !== 0)) end++;
    }
  }
  if (key.endChar !== 0) {
    if (key.skipEndBlanks) while (end < lim && isBlank(line[end])) end++;
    end = Math.min(lim, end + key.endChar);
  }
  return end > start ? line.slice(start, end) : '';
}

function skipField(line: string, pos: number, tab: string | undefined): number {
  const lim = line.length;
  if (tab !== undefined) {
    while (pos < lim && line[pos] !== tab) pos++;
    return pos < lim ? pos + 1 : pos;
  }
  while (pos < lim && isBlank(line[pos])) pos++;
  while (pos < lim && !isBlank(line[pos])) pos++;
  return pos;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** -n: the leading number (blanks, sign, digits, fraction); anything else counts as 0. */
function numericValue(text: string): number {
  const m = /^[ \t]*(-?\d*(?:\.\d*)?)/.exec(text);
  const v = Number(m?.[1]);
  return m && /\d/.test(m[1]!) && Number.isFinite(v) ? v : 0;
}

function humanValue(text: string): number {
  const m = /^[ \t]*(-?\d*(?:\.\d*)?)([KMGTPEZY]?)/.exec(text);
  if (!m || !/\d/.test(m[1]!)) return 0;
  return Number(m[1]) * 1024 ** (m[2] ? 'KMGTPEZY'.indexOf(m[2]) + 1 : 0);
}

function generalValue(text: string): number {
  const v = parseFloat(text.trim());
  return Number.isNaN(v) ? -Infinity : v;
}

function versionCompare(a: string, b: string): number {
  const split = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const x = split(a), y = split(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!, q = y[i]!;
    const d = /^\d/.test(p) && /^\d/.test(q) ? Number(p) - Number(q) : p < q ? -1 : p > q ? 1 : 0;
    if (d) return d;
  }
  return x.length - y.length;
}

function textCompare(a: string, b: string, o: Ordering): number {
  if (o.dictionary || o.ignoreNonprinting || o.fold) {
    const clean = (s: string) => {
      let r = s;
      if (o.dictionary) r = r.replace(/[^ \t0-9A-Za-z]/g, '');
      else if (o.ignoreNonprinting) r = r.replace(/[^\x20-\x7e]/g, '');
      return o.fold ? r.toUpperCase() : r;
    };
    a = clean(a);
    b = clean(b);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKey(a: string, b: string, o: Ordering): number {
  let d: number;
  switch (o.numeric) {
    case 'n': d = numericValue(a) - numericValue(b); break;
    case 'g': d = generalValue(a) - generalValue(b); break;
    case 'h': d = humanValue(a) - humanValue(b); break;
    case 'M': {
      const month = (s: string) => MONTH_NAMES.indexOf(s.trim().slice(0, 3).toUpperCase()) + 1;
      d = month(a) - month(b);
      break;
    }
    case 'V': d = versionCompare(a, b); break;
    default: d = textCompare(a, b, o);
  }
  if (Number.isNaN(d)) d = 0;
  d = Math.sign(d);
  return o.reverse ? -d : d;
}

export async function sort(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'sort', HELP);
  const parsed = await t.parse(argv, 'bcdfghik:Mno:rst:uVz', LONGS, SORT_FAILURE);
  if (typeof parsed === 'number') return parsed;
  const global = noOrdering();
  const keys: Key[] = [];
  let tab: string | undefined;
  let output: string | undefined;
  let unique = false, stable = false, check = false;
  try {
    for (const o of parsed.options) {
      if (o.key === 'k') keys.push(parseKey(o.value!));
      else if (o.key === 't') {
        const sep = bytesToLatin1(encodeUtf8(o.value!));
        if (sep === '') { await t.warn('empty tab'); return SORT_FAILURE; }
        if (sep.length > 1 && sep !== '\\0') { await t.warn(`multi-character tab ${quote(o.value!)}`); return SORT_FAILURE; }
        tab = sep === '\\0' ? '\0' : sep;
      } else if (o.key === 'o') output = o.value!;
      else if (o.key === 'u') unique = true;
      else if (o.key === 's') stable = true;
      else if (o.key === 'c') check = true;
      else if (o.key !== 'z') applyOrdering(o.key, global, 'both');
    }
  } catch (e) {
    if (e instanceof KeyError) { await t.warn(e.message); return SORT_FAILURE; }
    throw e;
  }
  // Keys without ordering options of their own take the global ones; with no -k at all,
  // global options make one key of the whole line.
  for (const key of keys) if (!hasOrdering(key)) Object.assign(key, global);
  if (!keys.length && hasOrdering(global)) keys.push({ ...global, startField: 0, startChar: 0, endChar: 0 });

  const compare = (a: string, b: string): number => {
    for (const key of keys) {
      const d = compareKey(keyText(a, key, tab), keyText(b, key, tab), key);
      if (d) return d;
    }
    if (keys.length && (unique || stable)) return 0;
    const d = a < b ? -1 : a > b ? 1 : 0;
    return global.reverse ? -d : d;
  };

  const lines: string[] = [];
  for (const file of parsed.operands.length ? parsed.operands : ['-']) {
    let fd: number;
    try {
      fd = await openInput(p, file);
    } catch (e) {
      await t.warn(`cannot read: ${quoteIfNeeded(file)}: ${errorText(e)}`);
      return SORT_FAILURE;
    }
    try {
      lines.push(...splitLines(bytesToLatin1(await p.readAll(fd))));
    } catch (e) {
      await t.warn(`read failed: ${quoteIfNeeded(file)}: ${errorText(e)}`);
      return SORT_FAILURE;
    } finally {
      await closeInput(p, fd);
    }
  }

  if (check) {
    for (let i = 1; i < lines.length; i++) {
      const d = compare(lines[i - 1]!, lines[i]!);
      if (d > 0 || (unique && d === 0)) {
        await t.warn(`${parsed.operands[0] ?? '-'}:${i + 1}: disorder: ${lines[i]}`);
        return 1;
      }
    }
    return 0;
  }

  lines.sort(compare);
  const kept = unique ? lines.filter((line, i) => i === 0 || compare(lines[i - 1]!, line) !== 0) : lines;
  const text = latin1ToBytes(kept.map((l) => l + '\n').join(''));
  if (output === undefined) {
    await p.write(1, text);
    return 0;
  }
  try {
    const fd = await p.open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o666);
    try { if (text.length) await p.write(fd, text); } finally { await p.close(fd); }
  } catch (e) {
    await t.warn(`open failed: ${quoteIfNeeded(output)}: ${errorText(e)}`);
    return SORT_FAILURE;
  }
  return 0;
}
