// POSIX regular expressions as GNU grep reads them (basic, with the GNU extensions \| \+ \?
// \< \> \w \s, and extended), translated to JavaScript RegExp source. Errors carry glibc's
// messages ("Unmatched ( or \(", ...).

export class RegexError extends Error {}

const WORD = 'A-Za-z0-9_';

const CLASS_RANGES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\n\\v\\f\\r',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

/** Characters with a meaning in JavaScript patterns, escaped when they are literal here. */
const JS_SPECIAL = /[\\^$.*+?()[\]{}|/-]/;

export function escapeLiteral(c: string): string {
  return JS_SPECIAL.test(c) ? `\\${c}` : c;
}

/** A fixed string (grep -F) as JavaScript RegExp source. */
export function fixedToRegex(text: string): string {
  return [...text].map(escapeLiteral).join('');
}

/** Escapes a character for use inside a JavaScript [...] class. */
function classChar(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}

/** Parses a bracket expression starting after its '['; returns the JS class and the next index. */
function bracket(re: string, start: number): [string, number] {
  let i = start;
  let negated = false;
  if (re[i] === '^') { negated = true; i++; }
  // GNU grep words a bracket cut off right after '[' or '[^' differently from other cases.
  if (i >= re.length) throw new RegexError('Invalid regular expression');
  const items: string[] = [];
  let first = true;
  const unmatched = () => new RegexError('Unmatched [, [^, [:, [., or [=');
  // Reads one element (a character or a [.x.] / [=x=] collating element), or a class.
  const element = (): { char?: string; cls?: string } => {
    if (re[i] === '[' && (re[i + 1] === ':' || re[i + 1] === '.' || re[i + 1] === '=')) {
      const kind = re[i + 1]!;
      const end = re.indexOf(`${kind}]`, i + 2);
      if (end < 0) throw unmatched();
      const name = re.slice(i + 2, end);
      i = end + 2;
      if (kind === ':') {
        const cls = CLASS_RANGES[name];
        if (!cls) throw new RegexError('Invalid character class name');
        return { cls };
      }
      if ([...name].length !== 1) throw new RegexError('Invalid collation character');
      return { char: name };
    }
    return { char: re[i++]! };
  };
  for (;;) {
    if (i >= re.length) throw unmatched();
    if (re[i] === ']' && !first) { i++; break; }
    first = false;
    const from = element();
    if (from.cls !== undefined) { items.push(from.cls); continue; }
    if (re[i] === '-' && re[i + 1] !== ']' && i + 1 < re.length) {
      i++;
      const to = element();
      if (to.cls !== undefined) throw new RegexError('Invalid range end');
      if (to.char! < from.char!) throw new RegexError('Invalid range end');
      items.push(`${classChar(from.char!)}-${classChar(to.char!)}`);
      continue;
    }
    items.push(classChar(from.char!));
  }
  return [`[${negated ? '^' : ''}${items.join('')}]`, i];
}

/**
 * Translates a POSIX basic (`extended` false) or extended regular expression to JavaScript.
 * Capturing groups stay in order, so back-references \1..\9 keep their numbers.
 */
export function posixToRegex(re: string, extended: boolean, warn: (message: string) => void = () => undefined): string {
  const bracketMisuse = /^\[:[a-z]+:\]$/.exec(re);
  if (bracketMisuse) throw new RegexError(`character class syntax is [[:space:]], not [:space:]`);
  let out = '';
  /** Where the last atom (with its quantifiers) starts in `out`, or -1 if there is none. */
  let atomStart = -1;
  let quantified = false;
  let groups = 0;
  const closed = new Set<number>();
  const open: { number: number; outStart: number }[] = [];
  /** True at the start of the pattern, of a group or of an alternative (for BRE * and ^). */
  let atBeginning = true;

  const atom = (text: string) => {
    atomStart = out.length;
    out += text;
    quantified = false;
    atBeginning = false;
  };
  const quantify = (q: string) => {
    if (quantified) out = `${out.slice(0, atomStart)}(?:${out.slice(atomStart)})`;
    out += q;
    quantified = true;
  };
  const anchor = (text: string) => {
    out += text;
    atomStart = -1;
    quantified = false;
    atBeginning = false;
  };
  const beginGroup = () => {
    groups++;
    open.push({ number: groups, outStart: out.length });
    out += '(';
    atomStart = -1;
    atBeginning = true;
  };
  const endGroup = () => {
    const g = open.pop();
    if (!g) {
      // An unmatched ')' is an ordinary character in GNU's extended syntax.
      if (extended) { atom('\\)'); return; }
      throw new RegexError('Unmatched ) or \\)');
    }
    out += ')';
    closed.add(g.number);
    atomStart = g.outStart;
    quantified = false;
    atBeginning = false;
  };
  const alternate = () => {
    out += '|';
    atomStart = -1;
    quantified = false;
    atBeginning = true;
  };
  /** At the end of the pattern, of a group or before an alternation (for BRE $). */
  const atEnd = (i: number) => {
    if (i + 1 >= re.length) return true;
    return extended ? re[i + 1] === ')' || re[i + 1] === '|' : re.startsWith('\\)', i + 1) || re.startsWith('\\|', i + 1);
  };
  /** Parses an interval body at `i` (after the opening brace); returns [quantifier, next index] or undefined. */
  const interval = (i: number): [string, number] | undefined => {
    const close = extended ? '}' : '\\}';
    const end = re.indexOf(close, i);
    const body = end < 0 ? undefined : re.slice(i, end);
    const m = body === undefined ? null : /^(\d*)(,?)(\d*)$/.exec(body);
    if (!m || (m[1] === '' && m[2] === '')) {
      if (extended) return undefined;
      throw new RegexError(end < 0 ? 'Unmatched \\{' : 'Invalid content of \\{\\}');
    }
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[3] === '' ? undefined : Number(m[3]);
    if (min > 32767 || (max !== undefined && max > 32767)) throw new RegexError('Regular expression too big');
    if (max !== undefined && max < min) throw new RegexError('Invalid content of \\{\\}');
    const q = m[2] ? `{${min},${max ?? ''}}` : `{${min}}`;
    return [q, end + close.length];
  };

  let i = 0;
  while (i < re.length) {
    const c = re[i]!;
    if (c === '\\') {
      if (i + 1 >= re.length) throw new RegexError('Trailing backslash');
      const e = re[i + 1]!;
      i += 2;
      if (!extended && e === '(') { beginGroup(); continue; }
      if (!extended && e === ')') { endGroup(); continue; }
      if (!extended && e === '|') { alternate(); continue; }
      if (!extended && e === '{') {
        if (atomStart < 0) { atom('\\{'); continue; }
        const iv = interval(i)!;
        quantify(iv[0]);
        i = iv[1];
        continue;
      }
      if (!extended && (e === '+' || e === '?')) {
        if (atomStart < 0) atom(escapeLiteral(e));
        else quantify(e);
        continue;
      }
      if (/[1-9]/.test(e)) {
        const n = Number(e);
        if (!closed.has(n)) throw new RegexError('Invalid back reference');
        atom(`\\${n}`);
        continue;
      }
      if (e === '<') { anchor(`(?<![${WORD}])(?=[${WORD}])`); continue; }
      if (e === '>') { anchor(`(?<=[${WORD}])(?![${WORD}])`); continue; }
      if (e === 'b' || e === 'B') { anchor(`\\${e}`); continue; }
      if (e === '`') { anchor('^'); continue; }
      if (e === "'") { anchor('$'); continue; }
      if (e === 'w') { atom(`[${WORD}]`); continue; }
      if (e === 'W') { atom(`[^${WORD}]`); continue; }
      if (e === 's') { atom('\\s'); continue; }
      if (e === 'S') { atom('\\S'); continue; }
      atom(escapeLiteral(e));
      continue;
    }
    if (c === '[') {
      const [cls, next] = bracket(re, i + 1);
      atom(cls);
      i = next;
      continue;
    }
    if (c === '.') { atom('.'); i++; continue; }
    if (c === '*') {
      if (atomStart >= 0) quantify('*');
      else if (extended) warn('* at start of expression');
      else atom('\\*');
      i++;
      continue;
    }
    if (c === '^') {
      if (extended || atBeginning) anchor('^');
      else atom('\\^');
      i++;
      continue;
    }
    if (c === '$') {
      if (extended || atEnd(i)) anchor('$');
      else atom('\\$');
      i++;
      continue;
    }
    if (extended) {
      if (c === '(') { beginGroup(); i++; continue; }
      if (c === ')') { endGroup(); i++; continue; }
      if (c === '|') { alternate(); i++; continue; }
      // A repetition with nothing before it repeats the empty string (grep warns).
      if (c === '+' || c === '?') {
        if (atomStart < 0) warn(`${c} at start of expression`);
        else quantify(c);
        i++;
        continue;
      }
      if (c === '{') {
        const iv = interval(i + 1);
        if (!iv) { atom('\\{'); i++; continue; }
        // At the start GNU drops just the brace: '{1}' then matches "1}".
        if (atomStart < 0) { warn('{...} at start of expression'); i++; continue; }
        quantify(iv[0]);
        i = iv[1];
        continue;
      }
    }
    atom(escapeLiteral(c));
    i++;
  }
  if (open.length) throw new RegexError('Unmatched ( or \\(');
  return out;
}
