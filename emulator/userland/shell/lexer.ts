// The shell's tokenizer (POSIX XCU 2.3 "Token Recognition").
//
// Words come out already split into parts (literals, $parameters, $(...), $((...)), ~), because
// finding where a word ends requires understanding its quotes and substitutions anyway. A
// `$(...)` body is handed to the parser (through NestedParsers, to keep this file free of the
// grammar): only a parser knows that the `)` in `$(case x in a) ...;; esac)` does not end it.
//
// Reserved words are not recognised here; the parser decides, because `if` is a keyword only in
// command position. Here-document bodies are read by the lexer when it reaches the newline that
// ends the line of their `<<` operator, and attached to the HereDoc node it made for the delimiter.

import type { HereDoc, Literal, Param, ParamOp, Script, Tilde, Word, WordPart } from './ast.js';
import { SyntaxFailure, asFinal, unexpectedEof, unmatched } from './syntax-error.js';

export type Operator =
  | '&&' | '||' | ';;' | ';' | '&' | '|' | '|&' | '(' | ')'
  | '<' | '>' | '>>' | '<<' | '<<-' | '<&' | '>&' | '<>' | '>|' | '&>' | '&>>';

/** `offset` is where the token starts as reported in the AST; `end` is the index after it in the lexer's text. */
export type Token =
  | { kind: 'word'; word: Word; bare: string | null; heredoc: HereDoc | null; offset: number; end: number }
  | { kind: 'ionumber'; fd: number; text: string; offset: number; end: number }
  | { kind: 'op'; op: Operator; offset: number; end: number }
  | { kind: 'newline'; offset: number; end: number }
  | { kind: 'eof'; offset: number; end: number };

export type WordToken = Extract<Token, { kind: 'word' }>;

interface PendingHereDoc {
  node: HereDoc;
  stripTabs: boolean;
  /** Index of the `<<` in the lexer's text, for the end-of-file message. */
  start: number;
}

export interface CommandSubstitutionResult {
  script: Script;
  /** Index just after the closing `)`. */
  end: number;
  /** Here-documents whose `<<` was inside the substitution but whose body follows the line. */
  pendingHereDocs: PendingHereDoc[];
}

/** The parser's entry points the lexer needs for text nested inside a word. */
export interface NestedParsers {
  /** Parses from `start` (just after `$(`) up to and including the matching `)`. */
  commandSubstitution(src: string, start: number, base: number, nesting: Nesting): CommandSubstitutionResult;
  /** Parses a complete text cut out of the input (the inside of backquotes). */
  standalone(text: string, base: number, nesting: Nesting): Script;
}

export const MAX_NESTING = 128;

/** Bounds recursion so that hostile input yields a syntax error instead of a stack overflow. */
export class Nesting {
  private level = 0;

  enter(offset: number): void {
    this.level++;
    if (this.level > MAX_NESTING) {
      throw new SyntaxFailure(`syntax error: nesting deeper than ${MAX_NESTING} levels`, offset, false);
    }
  }

  leave(): void {
    this.level--;
  }
}

const DOUBLE_QUOTE_ESCAPABLE = '$`"\\\n';
const PARAM_ARG_ESCAPABLE = '$`"\\\n}';
const HEREDOC_ESCAPABLE = '$`\\\n';
const SPECIAL_PARAMS = '@*#?-$!';

const META = 1;
const WORD_SPECIAL = 2;
/** Character classes by char code (ASCII only; everything else is plain word text). */
const CHAR_CLASS = new Uint8Array(128);
for (const c of ' \t\n|&;<>()') CHAR_CLASS[c.charCodeAt(0)] = META | WORD_SPECIAL;
for (const c of '\\\'"$`') CHAR_CLASS[c.charCodeAt(0)] = WORD_SPECIAL;

/** Characters that end a word: blanks, newline and the operator characters. */
function isMeta(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 128 && ((CHAR_CLASS[code] ?? 0) & META) !== 0;
}

/** Index of the first character at or after `from` that ends a run of plain unquoted word text. */
function endOfPlainText(src: string, from: number): number {
  let i = from;
  for (; i < src.length; i++) {
    const code = src.charCodeAt(i);
    if (code < 128 && ((CHAR_CLASS[code] ?? 0) & WORD_SPECIAL) !== 0) break;
  }
  return i;
}

function isNameStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isNameChar(c: string | undefined): boolean {
  return isNameStart(c) || isDigit(c);
}

export function isName(text: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text);
}

/** Collects word parts, merging neighbouring literals of the same quotedness. */
class PartsBuilder {
  readonly parts: WordPart[] = [];
  /** Counts additions, so a reader can tell whether it produced anything. */
  additions = 0;

  literal(value: string, quoted: boolean): void {
    this.additions++;
    const last = this.parts[this.parts.length - 1];
    if (last !== undefined && last.type === 'Literal' && last.quoted === quoted) {
      last.value += value;
      return;
    }
    // An empty quoted literal is kept: it is what makes "" an (empty) argument.
    if (value === '' && !quoted) return;
    this.parts.push({ type: 'Literal', value, quoted });
  }

  push(part: WordPart): void {
    this.additions++;
    this.parts.push(part);
  }
}

/**
 * Splits tilde-prefixes out of unquoted literals (POSIX 2.6.1): `~` up to the first `/` at the
 * start of a word, and in assignment values also after `=` and every unquoted `:`. A prefix that
 * would run into a quoted or expanded part (`~"x"`, `~$u`) is not a tilde-prefix.
 */
export function withTildes(parts: WordPart[], inAssignment: boolean): WordPart[] {
  const first = parts[0];
  if (!inAssignment && (first?.type !== 'Literal' || first.quoted || !first.value.startsWith('~'))) {
    return parts;
  }
  const result: WordPart[] = [];
  parts.forEach((part, index) => {
    const atWordStart = index === 0;
    if (part.type !== 'Literal' || part.quoted || (!inAssignment && !atWordStart)) {
      result.push(part);
      return;
    }
    result.push(...splitTildes(part.value, atWordStart, index === parts.length - 1, inAssignment));
  });
  return result;
}

function splitTildes(value: string, atWordStart: boolean, isLastPart: boolean, inAssignment: boolean): WordPart[] {
  const out: WordPart[] = [];
  let literalStart = 0;
  let candidate = atWordStart;
  let i = 0;
  while (i < value.length) {
    if (candidate && value[i] === '~') {
      let j = i + 1;
      while (j < value.length && value[j] !== '/' && !(inAssignment && value[j] === ':')) j++;
      if (j < value.length || isLastPart) {
        if (i > literalStart) out.push({ type: 'Literal', value: value.slice(literalStart, i), quoted: false });
        const tilde: Tilde = { type: 'Tilde', user: value.slice(i + 1, j) };
        out.push(tilde);
        literalStart = j;
        i = j;
        candidate = false;
        continue;
      }
    }
    candidate = inAssignment && value[i] === ':';
    i++;
  }
  if (literalStart < value.length) out.push({ type: 'Literal', value: value.slice(literalStart), quoted: false });
  return out;
}

/** Quote removal on a here-document delimiter as written (`'EOF'`, `"EOF"`, `\EOF`, `E"O"F`). */
function removeDelimiterQuotes(raw: string): { delimiter: string; quoted: boolean } {
  let delimiter = '';
  let quoted = false;
  let i = 0;
  while (i < raw.length) {
    const c = raw[i] as string;
    if (c === "'") {
      quoted = true;
      const end = raw.indexOf("'", i + 1);
      delimiter += raw.slice(i + 1, end < 0 ? raw.length : end);
      i = end < 0 ? raw.length : end + 1;
    } else if (c === '"') {
      quoted = true;
      i++;
      while (i < raw.length && raw[i] !== '"') {
        if (raw[i] === '\\' && i + 1 < raw.length && '$`"\\'.includes(raw[i + 1] as string)) i++;
        delimiter += raw[i];
        i++;
      }
      i++;
    } else if (c === '\\') {
      quoted = true;
      if (i + 1 < raw.length) delimiter += raw[i + 1];
      i += 2;
    } else if (c === '$' && (raw[i + 1] === "'" || raw[i + 1] === '"')) {
      i++;
    } else {
      delimiter += c;
      i++;
    }
  }
  return { delimiter, quoted };
}

const ANSI_C_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '?': '?',
};

export class Lexer {
  private pos: number;
  private pendingHereDocs: PendingHereDoc[] = [];
  /** Set after `<<` / `<<-`: the next word is a here-document delimiter. */
  private hereDocOp: { op: '<<' | '<<-'; start: number } | null = null;

  constructor(
    private readonly src: string,
    start: number,
    /** Added to indexes in `src` to give AST offsets (non-zero for nested texts). */
    private readonly base: number,
    private readonly nested: NestedParsers,
    private readonly nesting: Nesting,
  ) {
    this.pos = start;
  }

  takePendingHereDocs(): PendingHereDoc[] {
    const pending = this.pendingHereDocs;
    this.pendingHereDocs = [];
    return pending;
  }

  next(): Token {
    this.skipBlanksAndComments();
    const start = this.pos;
    const offset = this.base + start;
    const c = this.src[start];
    if (c === undefined) {
      const pending = this.pendingHereDocs[0];
      if (pending !== undefined) throw this.hereDocAtEof(pending);
      this.hereDocOp = null;
      return { kind: 'eof', offset, end: start };
    }
    if (c === '\n') {
      this.pos++;
      this.hereDocOp = null;
      this.readHereDocBodies();
      return { kind: 'newline', offset, end: start + 1 };
    }
    const op = this.readOperator();
    if (op !== null) {
      this.hereDocOp = op === '<<' || op === '<<-' ? { op, start } : null;
      return { kind: 'op', op, offset, end: this.pos };
    }
    const word = this.readWord();
    const after = this.src[this.pos];
    if ((after === '<' || after === '>') && /^[0-9]+$/.test(word.raw)) {
      this.hereDocOp = null;
      return { kind: 'ionumber', fd: Number(word.raw), text: word.raw, offset, end: this.pos };
    }
    const only = word.parts.length === 1 ? word.parts[0] : undefined;
    const bare = only?.type === 'Literal' && !only.quoted ? only.value : null;
    const heredoc = this.hereDocOp === null ? null : this.registerHereDoc(word, this.hereDocOp);
    this.hereDocOp = null;
    return { kind: 'word', word, bare, heredoc, offset, end: this.pos };
  }

  private skipBlanksAndComments(): void {
    const src = this.src;
    while (this.pos < src.length) {
      const c = src[this.pos];
      if (c === ' ' || c === '\t') {
        this.pos++;
      } else if (c === '\\' && src[this.pos + 1] === '\n') {
        this.pos += 2;
        this.failIfInputEndsAfterContinuation();
      } else if (c === '#') {
        const newline = src.indexOf('\n', this.pos);
        this.pos = newline < 0 ? src.length : newline;
      } else {
        return;
      }
    }
  }

  /** A backslash-newline at the very end of the input asks for another line. */
  private failIfInputEndsAfterContinuation(): void {
    if (this.pos >= this.src.length) throw unexpectedEof(this.base + this.pos);
  }

  private readOperator(): Operator | null {
    const src = this.src;
    const c = src[this.pos];
    const c1 = src[this.pos + 1];
    let op: Operator | null = null;
    switch (c) {
      case '&':
        if (c1 === '&') op = '&&';
        else if (c1 === '>') op = src[this.pos + 2] === '>' ? '&>>' : '&>';
        else op = '&';
        break;
      case '|':
        op = c1 === '|' ? '||' : c1 === '&' ? '|&' : '|';
        break;
      case ';':
        op = c1 === ';' ? ';;' : ';';
        break;
      case '(':
      case ')':
        op = c;
        break;
      case '<':
        if (c1 === '<') op = src[this.pos + 2] === '-' ? '<<-' : '<<';
        else if (c1 === '&') op = '<&';
        else if (c1 === '>') op = '<>';
        else op = '<';
        break;
      case '>':
        if (c1 === '>') op = '>>';
        else if (c1 === '&') op = '>&';
        else if (c1 === '|') op = '>|';
        else op = '>';
        break;
      default:
        return null;
    }
    this.pos += op.length;
    return op;
  }

  // ---- words ----

  private readWord(): Word {
    const src = this.src;
    const start = this.pos;
    const plainEnd = endOfPlainText(src, start);
    this.pos = plainEnd;
    const plain = src.slice(start, plainEnd);
    if (plainEnd >= src.length || isMeta(src[plainEnd] as string)) {
      // Most words are plain text: skip the general machinery.
      const parts: WordPart[] = [{ type: 'Literal', value: plain, quoted: false }];
      return this.makeWord(plain.startsWith('~') ? withTildes(parts, false) : parts, start);
    }
    const out = new PartsBuilder();
    out.literal(plain, false);
    while (this.pos < src.length) {
      const c = src[this.pos] as string;
      if (isMeta(c)) break;
      switch (c) {
        case '\\':
          this.readUnquotedBackslash(out);
          break;
        case "'":
          this.readSingleQuoted(out);
          break;
        case '"':
          this.readDoubleQuoted(out);
          break;
        case '$':
          this.readDollar(out, false);
          break;
        case '`':
          this.readBackquote(out, false);
          break;
        default: {
          const end = endOfPlainText(src, this.pos + 1);
          out.literal(src.slice(this.pos, end), false);
          this.pos = end;
        }
      }
    }
    return this.makeWord(withTildes(out.parts, false), start);
  }

  private makeWord(parts: WordPart[], start: number): Word {
    return { type: 'Word', parts, raw: this.src.slice(start, this.pos), offset: this.base + start };
  }

  private readUnquotedBackslash(out: PartsBuilder): void {
    const next = this.src[this.pos + 1];
    if (next === undefined) throw unexpectedEof(this.base + this.pos);
    this.pos += 2;
    if (next === '\n') {
      this.failIfInputEndsAfterContinuation();
      return;
    }
    out.literal(next, true);
  }

  /** Inside double quotes, a here-document or a parameter's word, `\` quotes only some characters. */
  private readQuotedBackslash(out: PartsBuilder, escapable: string): void {
    const next = this.src[this.pos + 1];
    if (next === '\n') {
      this.pos += 2;
    } else if (next !== undefined && escapable.includes(next)) {
      out.literal(next, true);
      this.pos += 2;
    } else {
      out.literal('\\', true);
      this.pos++;
    }
  }

  private readSingleQuoted(out: PartsBuilder): void {
    const end = this.src.indexOf("'", this.pos + 1);
    if (end < 0) throw unmatched("'", this.base + this.pos);
    out.literal(this.src.slice(this.pos + 1, end), true);
    this.pos = end + 1;
  }

  private readDoubleQuoted(out: PartsBuilder): void {
    const src = this.src;
    const open = this.pos;
    const additionsBefore = out.additions;
    this.pos++;
    while (true) {
      const c = src[this.pos];
      switch (c) {
        case undefined:
          throw unmatched('"', this.base + open);
        case '"':
          this.pos++;
          // "" is an empty argument; but "$@" with no parameters must stay nothing at all.
          if (out.additions === additionsBefore) out.literal('', true);
          return;
        case '\\':
          this.readQuotedBackslash(out, DOUBLE_QUOTE_ESCAPABLE);
          break;
        case '$':
          this.readDollar(out, true);
          break;
        case '`':
          this.readBackquote(out, true);
          break;
        default: {
          let end = this.pos + 1;
          while (end < src.length && !'"\\$`'.includes(src[end] as string)) end++;
          out.literal(src.slice(this.pos, end), true);
          this.pos = end;
        }
      }
    }
  }

  /** `$'...'`: bash's ANSI-C quoting. */
  private readAnsiCQuoted(out: PartsBuilder): void {
    const src = this.src;
    const open = this.pos;
    let i = this.pos + 2;
    let value = '';
    while (true) {
      const c = src[i];
      if (c === undefined) throw unmatched("'", this.base + open);
      if (c === "'") break;
      if (c !== '\\') {
        value += c;
        i++;
        continue;
      }
      const e = src[i + 1];
      if (e === undefined) throw unmatched("'", this.base + open);
      const simple = ANSI_C_ESCAPES[e];
      if (simple !== undefined) {
        value += simple;
        i += 2;
      } else if (e >= '0' && e <= '7') {
        const digits = /^[0-7]{1,3}/.exec(src.slice(i + 1, i + 4))?.[0] ?? e;
        value += String.fromCharCode(parseInt(digits, 8) & 0xff);
        i += 1 + digits.length;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const max = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const digits = new RegExp(`^[0-9a-fA-F]{1,${max}}`).exec(src.slice(i + 2, i + 2 + max))?.[0];
        if (digits === undefined) {
          value += '\\' + e;
        } else {
          const code = parseInt(digits, 16);
          value += code <= 0x10ffff ? String.fromCodePoint(code) : '';
        }
        i += 2 + (digits?.length ?? 0);
      } else {
        value += '\\' + e;
        i += 2;
      }
    }
    out.literal(value, true);
    this.pos = i + 1;
  }

  private readDollar(out: PartsBuilder, quoted: boolean): void {
    const src = this.src;
    const next = src[this.pos + 1];
    if (next === '{') {
      this.readBraceParam(out, quoted);
    } else if (next === '(') {
      if (src[this.pos + 2] === '(' && this.tryReadArithmetic(out, quoted)) return;
      this.readCommandSubstitution(out, quoted);
    } else if (next === "'" && !quoted) {
      this.readAnsiCQuoted(out);
    } else if (next === '"' && !quoted) {
      // bash's $"..." (locale translation) is plain double quoting here.
      this.pos++;
    } else if (isNameStart(next)) {
      let end = this.pos + 2;
      while (isNameChar(src[end])) end++;
      out.push(simpleParam(src.slice(this.pos + 1, end), quoted));
      this.pos = end;
    } else if (next !== undefined && (isDigit(next) || SPECIAL_PARAMS.includes(next))) {
      out.push(simpleParam(next, quoted));
      this.pos += 2;
    } else {
      out.literal('$', quoted);
      this.pos++;
    }
  }

  private readBraceParam(out: PartsBuilder, quoted: boolean): void {
    const src = this.src;
    const open = this.pos;
    this.nesting.enter(this.base + open);
    this.pos += 2;
    let op: ParamOp | null = null;
    let name: string;
    if (src[this.pos] === '#' && src[this.pos + 1] !== '}' && this.paramNameLength(this.pos + 1) > 0) {
      this.pos++;
      op = 'length';
      name = this.readParamName();
    } else {
      name = this.readParamName();
    }
    if (name === '') throw this.badSubstitution(open);
    if (op === null) op = this.readParamOp();
    let arg: Word | null = null;
    if (op !== null && op !== 'length') arg = this.readParamWord(quoted, open);
    if (src[this.pos] !== '}') throw this.badSubstitution(open);
    this.pos++;
    const param: Param = { type: 'Param', name, op, arg, quoted };
    out.push(param);
    this.nesting.leave();
  }

  private paramNameLength(at: number): number {
    const c = this.src[at];
    if (isNameStart(c)) {
      let end = at + 1;
      while (isNameChar(this.src[end])) end++;
      return end - at;
    }
    if (isDigit(c)) {
      let end = at + 1;
      while (isDigit(this.src[end])) end++;
      return end - at;
    }
    return c !== undefined && SPECIAL_PARAMS.includes(c) ? 1 : 0;
  }

  private readParamName(): string {
    const length = this.paramNameLength(this.pos);
    const name = this.src.slice(this.pos, this.pos + length);
    this.pos += length;
    return name;
  }

  private readParamOp(): ParamOp | null {
    const src = this.src;
    const c = src[this.pos];
    const c1 = src[this.pos + 1];
    let op: ParamOp | null = null;
    if (c === ':' && (c1 === '-' || c1 === '=' || c1 === '+' || c1 === '?')) op = `:${c1}`;
    else if (c === '-' || c === '=' || c === '+' || c === '?') op = c;
    else if (c === '#') op = c1 === '#' ? '##' : '#';
    else if (c === '%') op = c1 === '%' ? '%%' : '%';
    if (op !== null) this.pos += op.length;
    return op;
  }

  /** The word after a `${name op` up to the matching `}`; `quoted` when the whole `${...}` is inside "...". */
  private readParamWord(quoted: boolean, open: number): Word {
    const src = this.src;
    const start = this.pos;
    const out = new PartsBuilder();
    let braces = 0;
    while (true) {
      const c = src[this.pos];
      if (c === undefined) throw unmatched('}', this.base + open);
      if (c === '}' && braces === 0) break;
      switch (c) {
        case '{':
        case '}':
          braces += c === '{' ? 1 : -1;
          out.literal(c, quoted);
          this.pos++;
          break;
        case '\\':
          if (quoted) this.readQuotedBackslash(out, PARAM_ARG_ESCAPABLE);
          else this.readUnquotedBackslash(out);
          break;
        case "'":
          if (quoted) {
            out.literal(c, true);
            this.pos++;
          } else {
            this.readSingleQuoted(out);
          }
          break;
        case '"':
          this.readDoubleQuoted(out);
          break;
        case '$':
          this.readDollar(out, quoted);
          break;
        case '`':
          this.readBackquote(out, quoted);
          break;
        default: {
          let end = this.pos + 1;
          while (end < src.length && !'{}\\\'"$`'.includes(src[end] as string)) end++;
          out.literal(src.slice(this.pos, end), quoted);
          this.pos = end;
        }
      }
    }
    return this.makeWord(quoted ? out.parts : withTildes(out.parts, false), start);
  }

  private badSubstitution(open: number): SyntaxFailure {
    const close = this.src.indexOf('}', open);
    if (close < 0) return unmatched('}', this.base + open);
    return new SyntaxFailure(`${this.src.slice(open, close + 1)}: bad substitution`, this.base + open, false);
  }

  private readCommandSubstitution(out: PartsBuilder, quoted: boolean): void {
    const open = this.pos;
    this.nesting.enter(this.base + open);
    const result = this.nested.commandSubstitution(this.src, open + 2, this.base, this.nesting);
    this.pos = result.end;
    this.pendingHereDocs.push(...result.pendingHereDocs);
    out.push({ type: 'CommandSubst', script: result.script, backquoted: false, quoted });
    this.nesting.leave();
  }

  /**
   * `$((` starts arithmetic only if a matching `))` closes it; otherwise it is a command
   * substitution whose body starts with a subshell, as in `$((cd /; ls); pwd)`.
   */
  private tryReadArithmetic(out: PartsBuilder, quoted: boolean): boolean {
    const src = this.src;
    const open = this.pos;
    const contentStart = open + 3;
    let depth = 0;
    let i = contentStart;
    for (; i < src.length; i++) {
      const c = src[i];
      if (c === '(') {
        depth++;
      } else if (c === ')') {
        if (depth > 0) depth--;
        else if (src[i + 1] === ')') break;
        // `$((x)` at the end of input: more input decides which it is, and both need more.
        else if (i + 1 >= src.length) throw unmatched(')', this.base + open);
        else return false;
      } else if (c === '\\') {
        i++;
      } else if (c === "'") {
        const close = src.indexOf("'", i + 1);
        if (close < 0) break;
        i = close;
      }
    }
    if (i >= src.length) throw unmatched(')', this.base + open);
    this.nesting.enter(this.base + open);
    const inner = this.subLexer(src.slice(contentStart, i), this.base + contentStart);
    const expression = inner.readQuotedText(HEREDOC_ESCAPABLE, true);
    this.pos = i + 2;
    out.push({ type: 'Arithmetic', expression, quoted });
    this.nesting.leave();
    return true;
  }

  private readBackquote(out: PartsBuilder, quoted: boolean): void {
    const src = this.src;
    const open = this.pos;
    let text = '';
    let chunkStart = open + 1;
    let i = open + 1;
    while (true) {
      const c = src[i];
      if (c === undefined) throw unmatched('`', this.base + open);
      if (c === '`') break;
      if (c === '\\') {
        const next = src[i + 1];
        if (next === '$' || next === '`' || next === '\\' || (quoted && next === '"')) {
          text += src.slice(chunkStart, i) + next;
          i += 2;
          chunkStart = i;
          continue;
        }
      }
      i++;
    }
    text += src.slice(chunkStart, i);
    this.nesting.enter(this.base + open);
    const script = this.nested.standalone(text, this.base + open + 1, this.nesting);
    this.pos = i + 1;
    out.push({ type: 'CommandSubst', script, backquoted: true, quoted });
    this.nesting.leave();
  }

  private subLexer(text: string, base: number): Lexer {
    return new Lexer(text, 0, base, this.nested, this.nesting);
  }

  /**
   * Reads the whole remaining text as one quoted word: a here-document body, or the inside of
   * `$((...))` (where double quotes are simply dropped, as bash does).
   */
  readQuotedText(escapable: string, dropDoubleQuotes: boolean): Word {
    const src = this.src;
    const start = this.pos;
    const out = new PartsBuilder();
    try {
      while (this.pos < src.length) {
        const c = src[this.pos];
        if (c === '\\') {
          this.readQuotedBackslash(out, escapable);
        } else if (c === '$') {
          this.readDollar(out, true);
        } else if (c === '`') {
          this.readBackquote(out, true);
        } else if (c === '"' && dropDoubleQuotes) {
          this.pos++;
        } else {
          let end = this.pos + 1;
          while (end < src.length && !'\\$`"'.includes(src[end] as string)) end++;
          out.literal(src.slice(this.pos, end), true);
          this.pos = end;
        }
      }
    } catch (error) {
      throw error instanceof SyntaxFailure ? asFinal(error) : error;
    }
    if (out.additions === 0) out.literal('', true);
    return this.makeWord(out.parts, start);
  }

  // ---- here-documents ----

  private registerHereDoc(word: Word, op: { op: '<<' | '<<-'; start: number }): HereDoc {
    const { delimiter, quoted } = removeDelimiterQuotes(word.raw);
    const node: HereDoc = {
      type: 'HereDoc',
      fd: 0,
      op: op.op,
      delimiter,
      quoted,
      body: { type: 'Word', parts: [], raw: '', offset: word.offset },
      offset: this.base + op.start,
    };
    this.pendingHereDocs.push({ node, stripTabs: op.op === '<<-', start: op.start });
    return node;
  }

  private readHereDocBodies(): void {
    for (const pending of this.takePendingHereDocs()) this.readHereDocBody(pending);
  }

  private readHereDocBody(pending: PendingHereDoc): void {
    const src = this.src;
    const { node } = pending;
    const bodyStart = this.pos;
    const lines: string[] = [];
    while (true) {
      if (this.pos >= src.length) throw this.hereDocAtEof(pending);
      const newline = src.indexOf('\n', this.pos);
      const lineEnd = newline < 0 ? src.length : newline;
      let line = src.slice(this.pos, lineEnd);
      if (pending.stripTabs) line = line.replace(/^\t+/, '');
      this.pos = newline < 0 ? src.length : newline + 1;
      if (line === node.delimiter) break;
      lines.push(line, '\n');
    }
    const text = lines.join('');
    const base = this.base + bodyStart;
    if (node.quoted) {
      const literal: Literal = { type: 'Literal', value: text, quoted: true };
      node.body = { type: 'Word', parts: [literal], raw: text, offset: base };
    } else {
      node.body = this.subLexer(text, base).readQuotedText(HEREDOC_ESCAPABLE, false);
    }
  }

  private hereDocAtEof(pending: PendingHereDoc): SyntaxFailure {
    const line = lineAt(this.src, pending.start);
    return new SyntaxFailure(
      `warning: here-document at line ${line} delimited by end-of-file (wanted \`${pending.node.delimiter}')`,
      this.base + this.src.length,
      true,
    );
  }
}

function simpleParam(name: string, quoted: boolean): Param {
  return { type: 'Param', name, op: null, arg: null, quoted };
}

/** 1-based line number of an index in a text. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
