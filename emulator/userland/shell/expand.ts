// Word expansion (POSIX XCU 2.6): tilde, parameter, command and arithmetic expansion left to
// right, then field splitting of the unquoted expansion results, pathname expansion, quote removal.
//
// Expansion works on "pieces" of text that remember whether they were quoted, because the later
// steps must treat `"*"` and `*`, or `"$x"` and `$x`, differently even though the text is the same.

import type { Arithmetic, Param, Script, Tilde, Word, WordPart } from './ast.js';
import { ExpansionError, evaluateArithmetic } from './arith.js';
import { escapeGlob, hasGlobMagic, matchAffix, matchPattern } from './pattern.js';

export { ExpansionError } from './arith.js';
export { matchPattern };

/** What expansion needs from the shell that runs it. */
export interface ExpandContext {
  getVar(name: string): string | undefined;
  setVar(name: string, value: string): void;
  /** $1, $2, ... */
  positional: string[];
  /** $?, $!, $$ and $0. */
  special: { status: number; lastBgPid?: number; pid: number; name: string };
  /** `~` when $HOME is unset. */
  home: string;
  /** Runs a command substitution in a subshell and returns its standard output. */
  runSubst(script: Script): Promise<string>;
  /** Pathname expansion: the paths matching a pattern (`\` quotes), sorted; [] if none (globPaths does this). */
  glob(pattern: string): Promise<string[]>;
  /** `~user`; without it `~user` stays as written. */
  homeOf?(user: string): string | undefined;
}

const DEFAULT_IFS = ' \t\n';

interface Piece {
  text: string;
  quoted: boolean;
}

interface Field {
  pieces: Piece[];
  /** Has quoted content, so it survives even if empty (`""`, `"$empty"`). */
  keep: boolean;
}

/**
 * Where field splitting stands: inside a field, just after IFS white space, just after another
 * IFS character (where a second one delimits an empty field), or at the start.
 */
type SplitState = 'start' | 'inField' | 'afterBlank' | 'afterDelimiter';

/** Assembles the fields of one word. With `ifs` null nothing is split: the result is one field. */
class FieldBuilder {
  private readonly fields: Field[] = [];
  private current: Field | null = null;
  private state: SplitState = 'start';

  constructor(private readonly ifs: string | null) {}

  /** Literal text, or a quoted expansion result: never split. */
  appendFixed(text: string, quoted: boolean): void {
    if (text === '' && !quoted) return;
    this.current ??= { pieces: [], keep: false };
    if (quoted) this.current.keep = true;
    if (text !== '') this.current.pieces.push({ text, quoted });
    this.state = 'inField';
  }

  /** The result of an unquoted expansion: split on IFS (POSIX 2.6.5). */
  appendSplittable(text: string): void {
    const ifs = this.ifs;
    if (ifs === null || ifs === '') {
      this.appendFixed(text, false);
      return;
    }
    let runStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (!ifs.includes(c)) continue;
      if (i > runStart) this.appendFixed(text.slice(runStart, i), false);
      runStart = i + 1;
      if (c === ' ' || c === '\t' || c === '\n') {
        if (this.state === 'inField') {
          this.endField();
          this.state = 'afterBlank';
        }
      } else {
        // A non-blank IFS character always ends a field, an empty one if need be (`a::b`),
        // except that it and the blanks before it count as a single delimiter (`a :b`).
        if (this.state === 'inField') this.endField();
        else if (this.state !== 'afterBlank') this.fields.push({ pieces: [], keep: true });
        this.state = 'afterDelimiter';
      }
    }
    if (runStart < text.length) this.appendFixed(text.slice(runStart), false);
  }

  /** Between the elements of "$@": a field boundary, or a space when nothing is split. */
  breakField(): void {
    if (this.ifs === null) {
      this.appendFixed(' ', true);
      return;
    }
    this.endField();
    this.state = 'start';
  }

  finish(): Field[] {
    this.endField();
    return this.fields;
  }

  private endField(): void {
    const field = this.current;
    this.current = null;
    if (field !== null && (field.keep || field.pieces.length > 0)) this.fields.push(field);
  }
}

function fieldText(field: Field): string {
  return field.pieces.map((piece) => piece.text).join('');
}

/** The field as a pattern: quoted text is escaped so it matches only itself. */
function fieldPattern(field: Field): string {
  return field.pieces.map((piece) => (piece.quoted ? escapeGlob(piece.text) : piece.text)).join('');
}

function currentIfs(ctx: ExpandContext): string {
  return ctx.getVar('IFS') ?? DEFAULT_IFS;
}

/**
 * Expands command words (or `for` items) into argument strings: all expansions, field splitting,
 * pathname expansion and quote removal. "$@" gives one field per positional parameter.
 */
export async function expandWords(words: Word[], ctx: ExpandContext): Promise<string[]> {
  const result: string[] = [];
  for (const word of words) {
    const builder = new FieldBuilder(currentIfs(ctx));
    await expandParts(word.parts, ctx, builder);
    for (const field of builder.finish()) result.push(...(await expandPathname(field, ctx)));
  }
  return result;
}

/**
 * Expands a word to a single string, without field splitting or pathname expansion: for
 * assignment values, redirect targets, here-document bodies, `case` subjects.
 */
export async function expandWord(word: Word, ctx: ExpandContext): Promise<string> {
  const field = await expandToSingleField(word, ctx);
  return field === undefined ? '' : fieldText(field);
}

/**
 * Expands a word into a pattern for matchPattern (for `case` patterns): like expandWord, but
 * quoted characters come back `\`-escaped so that `"*"` matches only a star.
 */
export async function expandPattern(word: Word, ctx: ExpandContext): Promise<string> {
  const field = await expandToSingleField(word, ctx);
  return field === undefined ? '' : fieldPattern(field);
}

/** Splits text on IFS the way unquoted expansions are split (what the `read` builtin needs). */
export function splitFields(text: string, ifs: string = DEFAULT_IFS): string[] {
  const builder = new FieldBuilder(ifs);
  builder.appendSplittable(text);
  return builder.finish().map(fieldText);
}

async function expandToSingleField(word: Word, ctx: ExpandContext): Promise<Field | undefined> {
  const builder = new FieldBuilder(null);
  await expandParts(word.parts, ctx, builder);
  return builder.finish()[0];
}

async function expandPathname(field: Field, ctx: ExpandContext): Promise<string[]> {
  const mayGlob = field.pieces.some((piece) => !piece.quoted && /[*?[]/.test(piece.text));
  if (mayGlob) {
    const pattern = fieldPattern(field);
    if (hasGlobMagic(pattern)) {
      const matches = await ctx.glob(pattern);
      if (matches.length > 0) return matches;
    }
  }
  return [fieldText(field)];
}

/**
 * `splitLiterals` is for the word of an unquoted `${x:-a b}`: the whole substitution is an
 * unquoted expansion result, so even its literal text is split.
 */
async function expandParts(parts: WordPart[], ctx: ExpandContext, out: FieldBuilder, splitLiterals = false): Promise<void> {
  for (const part of parts) {
    switch (part.type) {
      case 'Literal':
        if (splitLiterals && !part.quoted) out.appendSplittable(part.value);
        else out.appendFixed(part.value, part.quoted);
        break;
      case 'Tilde':
        expandTilde(part, ctx, out);
        break;
      case 'Param':
        await expandParam(part, ctx, out);
        break;
      case 'CommandSubst':
        emit(out, stripTrailingNewlines(await ctx.runSubst(part.script)), part.quoted);
        break;
      case 'Arithmetic':
        emit(out, await expandArithmetic(part, ctx), part.quoted);
        break;
    }
  }
}

function emit(out: FieldBuilder, text: string, quoted: boolean): void {
  if (quoted) out.appendFixed(text, true);
  else out.appendSplittable(text);
}

function stripTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === '\n') end--;
  return text.slice(0, end);
}

function expandTilde(tilde: Tilde, ctx: ExpandContext, out: FieldBuilder): void {
  let home: string | undefined;
  if (tilde.user === '') home = ctx.getVar('HOME') ?? ctx.home;
  else if (tilde.user === '+') home = ctx.getVar('PWD');
  else if (tilde.user === '-') home = ctx.getVar('OLDPWD');
  else home = ctx.homeOf?.(tilde.user);
  // The result of a tilde expansion is not split or globbed; an unknown user leaves it as written.
  if (home === undefined) out.appendFixed(`~${tilde.user}`, false);
  else out.appendFixed(home, true);
}

async function expandArithmetic(part: Arithmetic, ctx: ExpandContext): Promise<string> {
  const text = await expandWord(part.expression, ctx);
  return evaluateArithmetic(text, ctx).toString();
}

/** The value of a parameter, undefined when unset. */
function lookupParam(name: string, ctx: ExpandContext): string | undefined {
  if (/^[0-9]+$/.test(name)) {
    const index = Number(name);
    return index === 0 ? ctx.special.name : ctx.positional[index - 1];
  }
  switch (name) {
    case '#':
      return String(ctx.positional.length);
    case '?':
      return String(ctx.special.status);
    case '$':
      return String(ctx.special.pid);
    case '!':
      return ctx.special.lastBgPid?.toString();
    case '-':
      // The shell's option letters, if the shell chooses to publish them as a variable named "-".
      return ctx.getVar('-') ?? '';
    default:
      return ctx.getVar(name);
  }
}

function isMissing(value: string | undefined, op: string): boolean {
  return value === undefined || (op.startsWith(':') && value === '');
}

function notSetError(name: string, op: string, message: string): ExpansionError {
  const fallback = op.startsWith(':') ? 'parameter null or not set' : 'parameter not set';
  return new ExpansionError(`${name}: ${message === '' ? fallback : message}`);
}

function removeAffix(value: string, pattern: string, op: '#' | '##' | '%' | '%%'): string {
  const where = op.startsWith('#') ? 'prefix' : 'suffix';
  const length = matchAffix(pattern, value, where, op.length === 2);
  if (length < 0) return value;
  return where === 'prefix' ? value.slice(length) : value.slice(0, value.length - length);
}

async function expandArg(param: Param, ctx: ExpandContext, out: FieldBuilder): Promise<void> {
  if (param.arg !== null) await expandParts(param.arg.parts, ctx, out, !param.quoted);
}

async function argText(param: Param, ctx: ExpandContext): Promise<string> {
  return param.arg === null ? '' : expandWord(param.arg, ctx);
}

async function expandParam(param: Param, ctx: ExpandContext, out: FieldBuilder): Promise<void> {
  const { name, op, quoted } = param;
  if (name === '@' || name === '*') {
    await expandPositional(param, ctx, out);
    return;
  }
  // "${x}" is an argument even when x is empty.
  if (quoted) out.appendFixed('', true);
  const value = lookupParam(name, ctx);
  switch (op) {
    case null:
      emit(out, value ?? '', quoted);
      return;
    case 'length':
      emit(out, String(Array.from(value ?? '').length), quoted);
      return;
    case '-':
    case ':-':
      if (isMissing(value, op)) await expandArg(param, ctx, out);
      else emit(out, value ?? '', quoted);
      return;
    case '=':
    case ':=':
      if (isMissing(value, op)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ExpansionError(`$${name}: cannot assign in this way`);
        const assigned = await argText(param, ctx);
        ctx.setVar(name, assigned);
        emit(out, assigned, quoted);
      } else {
        emit(out, value ?? '', quoted);
      }
      return;
    case '+':
    case ':+':
      if (!isMissing(value, op)) await expandArg(param, ctx, out);
      return;
    case '?':
    case ':?':
      if (isMissing(value, op)) throw notSetError(name, op, await argText(param, ctx));
      emit(out, value ?? '', quoted);
      return;
    case '#':
    case '##':
    case '%':
    case '%%': {
      const pattern = param.arg === null ? '' : await expandPattern(param.arg, ctx);
      emit(out, removeAffix(value ?? '', pattern, op), quoted);
      return;
    }
  }
}

/** $@ and $*, alone or with an operator (applied to each parameter, or to the list as a whole). */
async function expandPositional(param: Param, ctx: ExpandContext, out: FieldBuilder): Promise<void> {
  const { name, op, quoted } = param;
  let values = ctx.positional;
  if (op === 'length') {
    emit(out, String(values.length), quoted);
    return;
  }
  if (op !== null && op !== '#' && op !== '##' && op !== '%' && op !== '%%') {
    const joined = values.length === 0 ? undefined : values.join(' ');
    const missing = isMissing(joined, op);
    if (op === '=' || op === ':=') throw new ExpansionError(`$${name}: cannot assign in this way`);
    if ((op === '?' || op === ':?') && missing) throw notSetError(name, op, await argText(param, ctx));
    if ((op === '-' || op === ':-') && missing) {
      if (quoted) out.appendFixed('', true);
      await expandArg(param, ctx, out);
      return;
    }
    if (op === '+' || op === ':+') {
      if (quoted) out.appendFixed('', true);
      if (!missing) await expandArg(param, ctx, out);
      return;
    }
  } else if (op !== null) {
    const pattern = param.arg === null ? '' : await expandPattern(param.arg, ctx);
    values = values.map((value) => removeAffix(value, pattern, op));
  }
  if (quoted && name === '*') {
    const ifs = currentIfs(ctx);
    out.appendFixed(values.join(ifs === '' ? '' : ifs[0]), true);
    return;
  }
  values.forEach((value, index) => {
    if (index > 0) out.breakField();
    emit(out, value, quoted);
  });
}
