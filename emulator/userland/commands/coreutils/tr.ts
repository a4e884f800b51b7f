// tr: translate, squeeze or delete bytes (GNU tr works on bytes, not characters).
import type { Proc } from '../../libc.js';
import { Tool, bytesToLatin1, encodeUtf8, quote, type LongOption } from './common.js';

const HELP = `Usage: PROG [OPTION]... STRING1 [STRING2]
Translate, squeeze, and/or delete characters from standard input,
writing to standard output.  STRING1 and STRING2 specify arrays of
characters ARRAY1 and ARRAY2 that control the action.

  -c, -C, --complement    use the complement of ARRAY1
  -d, --delete            delete characters in ARRAY1, do not translate
  -s, --squeeze-repeats   replace each sequence of a repeated character
                            that is listed in the last specified ARRAY,
                            with a single occurrence of that character
  -t, --truncate-set1     first truncate ARRAY1 to length of ARRAY2
      --help        display this help and exit
      --version     output version information and exit

ARRAYs are specified as strings of characters.  Most represent themselves.
Interpreted sequences are:

  \\NNN            character with octal value NNN (1 to 3 octal digits)
  \\\\              backslash
  \\a              audible BEL
  \\b              backspace
  \\f              form feed
  \\n              new line
  \\r              return
  \\t              horizontal tab
  \\v              vertical tab
  CHAR1-CHAR2     all characters from CHAR1 to CHAR2 in ascending order
  [CHAR*]         in ARRAY2, copies of CHAR until length of ARRAY1
  [CHAR*REPEAT]   REPEAT copies of CHAR, REPEAT octal if starting with 0
  [:alnum:]       all letters and digits
  [:alpha:]       all letters
  [:blank:]       all horizontal whitespace
  [:cntrl:]       all control characters
  [:digit:]       all digits
  [:graph:]       all printable characters, not including space
  [:lower:]       all lower case letters
  [:print:]       all printable characters, including space
  [:punct:]       all punctuation characters
  [:space:]       all horizontal or vertical whitespace
  [:upper:]       all upper case letters
  [:xdigit:]      all hexadecimal digits
  [=CHAR=]        all characters which are equivalent to CHAR
`;

const LONGS: LongOption[] = [
  { name: 'complement', key: 'c' },
  { name: 'delete', key: 'd' },
  { name: 'squeeze-repeats', key: 's' },
  { name: 'truncate-set1', key: 't' },
];

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const CLASSES: Readonly<Record<string, number[]>> = {
  alnum: [...range(48, 57), ...range(65, 90), ...range(97, 122)],
  alpha: [...range(65, 90), ...range(97, 122)],
  blank: [9, 32],
  cntrl: [...range(0, 31), 127],
  digit: range(48, 57),
  graph: range(33, 126),
  lower: range(97, 122),
  print: range(32, 126),
  punct: [...range(33, 47), ...range(58, 64), ...range(91, 96), ...range(123, 126)],
  space: [9, 10, 11, 12, 13, 32],
  upper: range(65, 90),
  xdigit: [...range(48, 57), ...range(65, 70), ...range(97, 102)],
};

class TrError extends Error {}

/** One element of a parsed set: bytes, a class (kept by name for upper/lower pairing), or [c*n]. */
type SetItem =
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'class'; name: string; bytes: number[] }
  | { kind: 'repeat'; byte: number; count: number | undefined };

const ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** Reads one possibly escaped byte at `i`; returns it and the next index. */
function readChar(s: string, i: number): [number, number] {
  if (s[i] !== '\\' || i + 1 >= s.length) return [s.charCodeAt(i), i + 1];
  const c = s[i + 1]!;
  if (/[0-7]/.test(c)) {
    let j = i + 1;
    let value = 0;
    while (j < s.length && j < i + 4 && /[0-7]/.test(s[j]!) && value * 8 + Number(s[j]) <= 255) value = value * 8 + Number(s[j++]);
    return [value, j];
  }
  return [ESCAPES[c] ?? c.charCodeAt(0), i + 2];
}

function parseSet(text: string): SetItem[] {
  const s = bytesToLatin1(encodeUtf8(text));
  const items: SetItem[] = [];
  let i = 0;
  while (i < s.length) {
    const cls = /^\[:([a-z]+):\]/.exec(s.slice(i));
    if (cls) {
      const bytes = CLASSES[cls[1]!];
      if (!bytes) throw new TrError(`invalid character class ${quote(cls[1]!)}`);
      items.push({ kind: 'class', name: cls[1]!, bytes });
      i += cls[0].length;
      continue;
    }
    const equiv = /^\[=(.|\\[0-7]{1,3}|\\.)=\]/.exec(s.slice(i));
    if (equiv) {
      items.push({ kind: 'bytes', bytes: [readChar(equiv[1]!, 0)[0]] });
      i += equiv[0].length;
      continue;
    }
    if (s[i] === '[') {
      const repeat = /^\[((?:\\[0-7]{1,3}|\\.|[^\\]))\*(\d*)\]/.exec(s.slice(i));
      if (repeat) {
        const [byte] = readChar(repeat[1]!, 0);
        const n = repeat[2]!;
        if (n && !/^(0[0-7]*|[1-9]\d*)$/.test(n)) throw new TrError(`invalid repeat count ${quote(n)} in [c*n] construct`);
        const count = n === '' ? undefined : n.startsWith('0') ? parseInt(n, 8) : Number(n);
        items.push({ kind: 'repeat', byte, count: count === 0 ? undefined : count });
        i += repeat[0].length;
        continue;
      }
    }
    const [from, next] = readChar(s, i);
    if (s[next] === '-' && next + 1 < s.length) {
      const [to, after] = readChar(s, next + 1);
      if (to < from) {
        throw new TrError(`range-endpoints of '${String.fromCharCode(from)}-${String.fromCharCode(to)}' are in reverse collating sequence order`);
      }
      items.push({ kind: 'bytes', bytes: range(from, to) });
      i = after;
      continue;
    }
    items.push({ kind: 'bytes', bytes: [from] });
    i = next;
  }
  return items;
}

/** Expands a set to its array of bytes; `fill` is the length [c*] repeats stretch to. */
function expand(items: readonly SetItem[], fill = 0): number[] {
  const fixed = items.reduce((n, it) => n + (it.kind === 'repeat' ? it.count ?? 0 : it.bytes.length), 0);
  const out: number[] = [];
  for (const it of items) {
    if (it.kind === 'repeat') out.push(...new Array<number>(it.count ?? Math.max(0, fill - fixed)).fill(it.byte));
    else out.push(...it.bytes);
  }
  return out;
}

function complementOf(bytes: readonly number[]): number[] {
  const present = new Set(bytes);
  return range(0, 255).filter((b) => !present.has(b));
}

export async function tr(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'tr', HELP);
  const parsed = await t.parse(argv, 'cCdst', LONGS);
  if (typeof parsed === 'number') return parsed;
  const keys = new Set(parsed.options.map((o) => o.key));
  const complement = keys.has('c') || keys.has('C');
  const del = keys.has('d'), squeeze = keys.has('s'), truncate = keys.has('t');
  const args = parsed.operands;
  // GNU's operand rules: translating takes two sets, -d one, -s one or two, -ds two.
  const min = del === squeeze ? 2 : 1;
  const max = del && !squeeze ? 1 : 2;
  if (args.length < min) {
    if (args.length === 0) return t.usage('missing operand');
    const why = squeeze ? 'Two strings must be given when both deleting and squeezing repeats.' : 'Two strings must be given when translating.';
    return t.usage(`missing operand after ${quote(args[args.length - 1]!)}\n${why}`);
  }
  if (args.length > max) {
    const why = args.length === 2 ? '\nOnly one string may be given when deleting without squeezing repeats.' : '';
    return t.usage(`extra operand ${quote(args[max]!)}${why}`);
  }
  const translating = !del && args.length === 2;

  let set1: number[], set2: number[] = [];
  try {
    const items1 = parseSet(args[0]!);
    if (items1.some((it) => it.kind === 'repeat')) throw new TrError('the [c*] repeat construct may not appear in string1');
    set1 = expand(items1);
    if (complement) set1 = complementOf(set1);
    if (args.length > 1) {
      const items2 = parseSet(args[1]!);
      if (translating && items2.some((it) => it.kind === 'class' && it.name !== 'upper' && it.name !== 'lower')) {
        throw new TrError("when translating, the only character classes that may appear in\nstring2 are 'upper' and 'lower'");
      }
      set2 = expand(items2, set1.length);
      if (translating && set2.length === 0 && set1.length > 0) throw new TrError('when not truncating set1, string2 must be non-empty');
    }
  } catch (e) {
    if (e instanceof TrError) { await t.warn(e.message); return 1; }
    throw e;
  }

  const map = range(0, 255);
  if (translating) {
    if (truncate) set1 = set1.slice(0, set2.length);
    const last = set2[set2.length - 1] ?? 0;
    set1.forEach((b, i) => { map[b] = set2[i] ?? last; });
  }
  const deleting = new Set(del ? set1 : []);
  const squeezing = new Set(squeeze ? (del || translating ? set2 : set1) : []);

  let previous = -1;
  for (;;) {
    const chunk = await p.read(0, 65536);
    if (chunk.length === 0) break;
    const out = new Uint8Array(chunk.length);
    let n = 0;
    for (const b of chunk) {
      if (deleting.has(b)) continue;
      const c = map[b]!;
      if (squeezing.has(c) && c === previous) continue;
      out[n++] = c;
      previous = c;
    }
    if (n) await p.write(1, out.subarray(0, n));
  }
  return 0;
}
