// Shell pattern matching (POSIX XCU 2.13): `*`, `?`, bracket expressions `[a-z]`, `[!x]`, `[^x]`,
// character classes `[[:digit:]]`, and `\` quoting the next character. Used by `case`, by
// `${x#pattern}` and friends, and (one path component at a time) by pathname expansion.

type PatternToken =
  | { kind: 'char'; char: string }
  | { kind: 'any' }
  | { kind: 'star' }
  | { kind: 'set'; negated: boolean; test: (char: string) => boolean };

const CLASSES: Readonly<Record<string, RegExp>> = {
  alnum: /[\p{L}\p{N}]/u,
  alpha: /\p{L}/u,
  blank: /[ \t]/,
  cntrl: /\p{Cc}/u,
  digit: /[0-9]/,
  graph: /[^\p{Cc}\p{Z}]/u,
  lower: /\p{Ll}/u,
  print: /[^\p{Cc}]/u,
  punct: /[!-/:-@[-`{-~]/,
  space: /\s/,
  upper: /\p{Lu}/u,
  xdigit: /[0-9A-Fa-f]/,
  word: /[\p{L}\p{N}_]/u,
};

/** Characters `\`-escaped by escapeGlob. */
const GLOB_SPECIAL = /[*?[\]\\]/g;

/** Quotes text so that it matches itself only (for quoted parts of a pattern). */
export function escapeGlob(text: string): string {
  return text.replace(GLOB_SPECIAL, '\\$&');
}

/** Removes the backslashes of a pattern that has no unquoted special characters. */
export function unescapeGlob(pattern: string): string {
  return pattern.replace(/\\(.)/gsu, '$1');
}

/** True if the pattern has an unquoted `*`, `?` or complete bracket expression. */
export function hasGlobMagic(pattern: string): boolean {
  return compile(pattern).some((token) => token.kind !== 'char');
}

/** Whole-string match of `text` against a shell pattern. `*` and `?` match `/` too. */
export function matchPattern(pattern: string, text: string): boolean {
  return matchTokens(compile(pattern), Array.from(text));
}

/**
 * The length of the shortest or longest prefix (or suffix) of `text` matching `pattern`, or -1:
 * what `${x#p}`, `${x##p}`, `${x%p}` and `${x%%p}` remove.
 */
export function matchAffix(pattern: string, text: string, where: 'prefix' | 'suffix', longest: boolean): number {
  const tokens = compile(pattern);
  const chars = Array.from(text);
  const n = chars.length;
  for (let step = 0; step <= n; step++) {
    const length = longest ? n - step : step;
    const slice = where === 'prefix' ? chars.slice(0, length) : chars.slice(n - length);
    if (matchTokens(tokens, slice)) return slice.join('').length;
  }
  return -1;
}

function compile(pattern: string): PatternToken[] {
  const chars = Array.from(pattern);
  const tokens: PatternToken[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
      i++;
    } else if (c === '?') {
      tokens.push({ kind: 'any' });
      i++;
    } else if (c === '\\' && i + 1 < chars.length) {
      tokens.push({ kind: 'char', char: chars[i + 1] as string });
      i += 2;
    } else if (c === '[') {
      const bracket = compileBracket(chars, i);
      if (bracket === null) {
        tokens.push({ kind: 'char', char: c });
        i++;
      } else {
        tokens.push(bracket.token);
        i = bracket.end;
      }
    } else {
      tokens.push({ kind: 'char', char: c });
      i++;
    }
  }
  return tokens;
}

/** Parses `[...]` starting at `open`; null when there is no closing `]` (then `[` is literal). */
function compileBracket(chars: string[], open: number): { token: PatternToken; end: number } | null {
  let i = open + 1;
  const negated = chars[i] === '!' || chars[i] === '^';
  if (negated) i++;
  const tests: ((char: string) => boolean)[] = [];
  let first = true;
  while (i < chars.length) {
    const c = chars[i] as string;
    if (c === ']' && !first) {
      const token: PatternToken = { kind: 'set', negated, test: (char) => tests.some((test) => test(char)) };
      return { token, end: i + 1 };
    }
    first = false;
    if (c === '[' && chars[i + 1] === ':') {
      const close = chars.indexOf(':', i + 2);
      if (close > 0 && chars[close + 1] === ']') {
        const regex = CLASSES[chars.slice(i + 2, close).join('')];
        tests.push(regex === undefined ? () => false : (char) => regex.test(char));
        i = close + 2;
        continue;
      }
    }
    let low = c;
    if (c === '\\' && i + 1 < chars.length) {
      i++;
      low = chars[i] as string;
    }
    i++;
    if (chars[i] === '-' && i + 1 < chars.length && chars[i + 1] !== ']') {
      let high = chars[i + 1] as string;
      i += 2;
      if (high === '\\' && i < chars.length) {
        high = chars[i] as string;
        i++;
      }
      const from = low.codePointAt(0) ?? 0;
      const to = high.codePointAt(0) ?? 0;
      tests.push((char) => {
        const code = char.codePointAt(0) ?? -1;
        return code >= from && code <= to;
      });
    } else {
      const only = low;
      tests.push((char) => char === only);
    }
  }
  return null;
}

function matchOne(token: PatternToken, char: string): boolean {
  switch (token.kind) {
    case 'char':
      return token.char === char;
    case 'any':
      return true;
    case 'set':
      return token.test(char) !== token.negated;
    case 'star':
      return false;
  }
}

/** Classic wildcard matching with backtracking to the last `*`: O(pattern × text) at worst. */
function matchTokens(tokens: PatternToken[], chars: string[]): boolean {
  let p = 0;
  let t = 0;
  let starAt = -1;
  let starText = 0;
  while (t < chars.length) {
    const token = tokens[p];
    if (token?.kind === 'star') {
      starAt = p++;
      starText = t;
    } else if (token !== undefined && matchOne(token, chars[t] as string)) {
      p++;
      t++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (tokens[p]?.kind === 'star') p++;
  return p === tokens.length;
}
