// Words and `%` patterns, the two ways make looks at text.

/** Whitespace-separated words, as every make function sees its list arguments. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    if (isSpace(text[i])) {
      if (start >= 0) words.push(text.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) words.push(text.slice(start));
  return words;
}

export function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/** Removes leading and trailing whitespace (GNU's notion: blanks and newlines). */
export function stripSpace(text: string): string {
  return text.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '');
}

/** A `%` pattern split at its (first unescaped) percent. */
export interface Pattern {
  prefix: string;
  suffix: string;
}

/**
 * Finds the `%` of a pattern the way GNU's find_percent does: `\%` is a literal percent and
 * `\\` before a percent is a literal backslash. Returns the literal text when there is no
 * active percent.
 */
export function parsePattern(text: string): Pattern | string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\\') {
      let j = i;
      while (text[j] === '\\') j++;
      const count = j - i;
      if (text[j] === '%') {
        out += '\\'.repeat(Math.floor(count / 2));
        if (count % 2 === 0) return { prefix: out, suffix: text.slice(j + 1) };
        out += '%';
        i = j + 1;
        continue;
      }
      out += text.slice(i, j);
      i = j;
      continue;
    }
    if (c === '%') return { prefix: out, suffix: text.slice(i + 1) };
    out += c;
    i++;
  }
  return out;
}

/** The stem if `word` matches the pattern, else undefined. */
export function matchPattern(pattern: Pattern, word: string): string | undefined {
  if (word.length < pattern.prefix.length + pattern.suffix.length) return undefined;
  if (!word.startsWith(pattern.prefix) || !word.endsWith(pattern.suffix)) return undefined;
  return word.slice(pattern.prefix.length, word.length - pattern.suffix.length);
}

/** Whether `word` matches a pattern given as text (a word without `%` matches only itself). */
export function matchesPatternText(patternText: string, word: string): boolean {
  const pattern = parsePattern(patternText);
  return typeof pattern === 'string' ? pattern === word : matchPattern(pattern, word) !== undefined;
}

/** The replacement with its first `%` replaced by the stem (GNU's patsubst rule). */
export function substituteStem(replacement: Pattern | string, stem: string): string {
  return typeof replacement === 'string' ? replacement : replacement.prefix + stem + replacement.suffix;
}

/** $(patsubst from,to,text): words joined by single spaces, as GNU writes them. */
export function patsubst(from: string, to: string, text: string): string {
  const pattern = parsePattern(from);
  const replacement = parsePattern(to);
  return splitWords(text)
    .map((word) => {
      if (typeof pattern === 'string') return word === pattern ? substituteStem(replacement, '') : word;
      const stem = matchPattern(pattern, word);
      return stem === undefined ? word : substituteStem(replacement, stem);
    })
    .join(' ');
}

/** Where `c` occurs outside `$(...)` / `${...}` references, or -1. */
export function findOutsideReferences(text: string, c: string, from = 0): number {
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '$') {
      const open = text[i + 1];
      if (open === '(' || open === '{') {
        const end = findClosing(text, i + 2, open, open === '(' ? ')' : '}');
        if (end < 0) return -1;
        i = end;
      } else {
        i++;
      }
      continue;
    }
    if (ch === c) return i;
  }
  return -1;
}

/** Index of the delimiter closing a reference opened just before `from`, counting that kind only. */
export function findClosing(text: string, from: number, open: string, close: string): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === open) depth++;
    else if (ch === close) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}
