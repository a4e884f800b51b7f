// Recursive-descent parser for the shell grammar (POSIX XCU 2.10), with bash's error wording.
//
// Reserved words are recognised here, only where a command may start (or where the grammar
// expects one: `in`, `do`, `esac` ...), so `echo if` prints "if". Every failure is a
// SyntaxFailure that parseScript turns into a value; `incomplete` tells an interactive shell to
// print its PS2 prompt and append another line instead of reporting the error.

import type {
  AndOrLink, AndOrList, Assignment, BraceGroup, Case, CaseArm, Command, CompoundCommand, FileRedirect,
  For, FunctionDef, If, IfClause, ListSeparator, Pipeline, Redirect, RedirectOp, Script, SimpleCommand,
  Subshell, While, Word, WordPart,
} from './ast.js';
import {
  Lexer, Nesting, isName, lineAt, withTildes,
  type NestedParsers, type Operator, type Token, type WordToken,
} from './lexer.js';
import {
  SyntaxFailure, UNEXPECTED_EOF, asFinal, unexpectedEof, unexpectedToken, unmatched,
  type ShellSyntaxError,
} from './syntax-error.js';

export type * from './ast.js';
export type { ShellSyntaxError } from './syntax-error.js';

export type ParseResult =
  | { ok: true; script: Script }
  | { ok: false; error: ShellSyntaxError; incomplete: boolean };

/**
 * Parses shell source. Never throws for bad input: syntax errors come back as values, with
 * `incomplete: true` when the text is a valid beginning that more lines could finish (open quote,
 * trailing `|` / `&&` / `||` / `\`, unclosed `$(`, `${`, `if`/`while`/`for`/`case`/`{`/`(`,
 * or a here-document still waiting for its delimiter). Lines should be joined with "\n".
 */
export function parseScript(src: string): ParseResult {
  try {
    return { ok: true, script: new Parser(src, 0, 0, new Nesting()).parseProgram() };
  } catch (error) {
    if (!(error instanceof SyntaxFailure)) throw error;
    return {
      ok: false,
      incomplete: error.incomplete,
      error: { message: error.message, offset: error.offset, line: lineAt(src, error.offset) },
    };
  }
}

const NO_STOP_WORDS: ReadonlySet<string> = new Set();
const IF_CONDITION_END = new Set(['then']);
const IF_BODY_END = new Set(['elif', 'else', 'fi']);
const FI = new Set(['fi']);
const DO = new Set(['do']);
const DONE = new Set(['done']);
const ESAC = new Set(['esac']);
const CLOSE_BRACE = new Set(['}']);

/** Reserved words that can only continue or close a compound command, never start one. */
const CLOSING_WORDS = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', '}']);

const REDIRECT_OPS: ReadonlySet<Operator> = new Set<Operator>(
  ['<', '>', '>>', '<<', '<<-', '<&', '>&', '<>', '>|', '&>', '&>>'],
);

function defaultFd(op: RedirectOp): number {
  return op === '<' || op === '<&' || op === '<>' ? 0 : 1;
}

function isOp(token: Token, op: Operator): boolean {
  return token.kind === 'op' && token.op === op;
}

function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === 'word' && token.bare === keyword;
}

function literalWord(value: string, offset: number): Word {
  return { type: 'Word', parts: [{ type: 'Literal', value, quoted: false }], raw: value, offset };
}

/** `2>&1`, which `&>`, `&>>` and `|&` stand for. */
function stderrToStdout(offset: number): FileRedirect {
  return { type: 'Redirect', fd: 2, op: '>&', target: literalWord('1', offset), offset };
}

const nestedParsers: NestedParsers = {
  commandSubstitution(src, start, base, nesting) {
    const parser = new Parser(src, start, base, nesting);
    let script: Script;
    try {
      script = parser.parseList(NO_STOP_WORDS);
    } catch (error) {
      if (error instanceof SyntaxFailure && error.incomplete && error.message === UNEXPECTED_EOF) {
        throw unmatched(')', error.offset);
      }
      throw error;
    }
    const close = parser.peek();
    if (close.kind === 'eof') throw unmatched(')', close.offset);
    if (!isOp(close, ')')) throw parser.unexpected(close);
    return { script, end: close.end, pendingHereDocs: parser.lexer.takePendingHereDocs() };
  },

  standalone(text, base, nesting) {
    try {
      return new Parser(text, 0, base, nesting).parseProgram();
    } catch (error) {
      throw error instanceof SyntaxFailure ? asFinal(error) : error;
    }
  },
};

class Parser {
  readonly lexer: Lexer;
  private readonly lookahead: Token[] = [];

  constructor(src: string, start: number, base: number, private readonly nesting: Nesting) {
    this.lexer = new Lexer(src, start, base, nestedParsers, nesting);
  }

  peek(ahead = 0): Token {
    while (this.lookahead.length <= ahead) this.lookahead.push(this.lexer.next());
    return this.lookahead[ahead] as Token;
  }

  private take(): Token {
    const token = this.peek();
    this.lookahead.shift();
    return token;
  }

  unexpected(token: Token): SyntaxFailure {
    switch (token.kind) {
      case 'eof':
        return unexpectedEof(token.offset);
      case 'newline':
        return unexpectedToken('newline', token.offset);
      case 'op':
        return unexpectedToken(token.op, token.offset);
      case 'ionumber':
        return unexpectedToken(token.text, token.offset);
      case 'word':
        return unexpectedToken(token.word.raw, token.offset);
    }
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.take();
  }

  private expectKeyword(keyword: string): Token {
    const token = this.peek();
    if (!isKeyword(token, keyword)) throw this.unexpected(token);
    return this.take();
  }

  private expectOp(op: Operator): Token {
    const token = this.peek();
    if (!isOp(token, op)) throw this.unexpected(token);
    return this.take();
  }

  private expectWord(): WordToken {
    const token = this.peek();
    if (token.kind !== 'word') throw this.unexpected(token);
    this.take();
    return token;
  }

  parseProgram(): Script {
    const script = this.parseList(NO_STOP_WORDS);
    const next = this.peek();
    if (next.kind !== 'eof') throw this.unexpected(next);
    return script;
  }

  /**
   * A possibly empty sequence of and-or lists. Stops, without consuming, at end of input, at `)`
   * or `;;`, at one of `stopWords` in command position, or at anything that cannot follow a
   * command; the caller decides whether that token is welcome.
   */
  parseList(stopWords: ReadonlySet<string>): Script {
    const body: AndOrList[] = [];
    this.skipNewlines();
    while (true) {
      const token = this.peek();
      if (token.kind === 'eof' || isOp(token, ')') || isOp(token, ';;')) break;
      if (token.kind === 'word' && token.bare !== null && stopWords.has(token.bare)) break;
      const list = this.parseAndOr();
      body.push(list);
      const separator = this.peek();
      let kind: ListSeparator | null = null;
      if (isOp(separator, ';')) kind = ';';
      else if (isOp(separator, '&')) kind = '&';
      else if (separator.kind === 'newline') kind = '\n';
      if (kind === null) break;
      this.take();
      list.separator = kind;
      list.background = kind === '&';
      this.skipNewlines();
    }
    return { type: 'Script', body };
  }

  /** A list that must contain at least one command: the body of if/while/for/{...}/(...). */
  private parseCompoundList(stopWords: ReadonlySet<string>): Script {
    const script = this.parseList(stopWords);
    if (script.body.length === 0) throw this.unexpected(this.peek());
    return script;
  }

  private parseAndOr(): AndOrList {
    const first = this.parsePipeline();
    const rest: AndOrLink[] = [];
    while (true) {
      const token = this.peek();
      if (token.kind !== 'op' || (token.op !== '&&' && token.op !== '||')) break;
      this.take();
      this.skipNewlines();
      rest.push({ op: token.op, pipeline: this.parsePipeline() });
    }
    return { type: 'AndOrList', first, rest, background: false, separator: null, offset: first.offset };
  }

  private parsePipeline(): Pipeline {
    const offset = this.peek().offset;
    let bang = false;
    if (isKeyword(this.peek(), '!')) {
      this.take();
      bang = true;
      const next = this.peek();
      if (next.kind === 'eof' || next.kind === 'newline') throw unexpectedToken('newline', next.offset);
    }
    const commands: Command[] = [this.parseCommand()];
    while (true) {
      const token = this.peek();
      if (!isOp(token, '|') && !isOp(token, '|&')) break;
      this.take();
      if (isOp(token, '|&')) redirectsOf(commands[commands.length - 1] as Command).push(stderrToStdout(token.offset));
      this.skipNewlines();
      commands.push(this.parseCommand());
    }
    return { type: 'Pipeline', bang, commands, offset };
  }

  private parseCommand(): Command {
    const token = this.peek();
    if (isOp(token, '(')) return this.parseCompoundWithRedirects();
    if (token.kind === 'word' && token.bare !== null) {
      const keyword = token.bare;
      if (isCompoundKeyword(keyword)) return this.parseCompoundWithRedirects();
      if (keyword === 'function') return this.parseFunctionKeyword();
      if (CLOSING_WORDS.has(keyword)) throw this.unexpected(token);
      if (isFunctionName(keyword) && isOp(this.peek(1), '(')) return this.parseFunctionDef();
    }
    if (token.kind === 'word' || token.kind === 'ionumber' || (token.kind === 'op' && REDIRECT_OPS.has(token.op))) {
      return this.parseSimpleCommand();
    }
    throw this.unexpected(token);
  }

  private parseSimpleCommand(): SimpleCommand {
    const offset = this.peek().offset;
    const assignments: Assignment[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    while (true) {
      const token = this.peek();
      if (token.kind === 'ionumber' || (token.kind === 'op' && REDIRECT_OPS.has(token.op))) {
        this.parseRedirect(redirects);
      } else if (token.kind === 'word') {
        this.take();
        const assignment = words.length === 0 ? asAssignment(token) : null;
        if (assignment !== null) assignments.push(assignment);
        else words.push(token.word);
      } else {
        break;
      }
    }
    return { type: 'SimpleCommand', assignments, words, redirects, offset };
  }

  private parseRedirects(into: Redirect[]): void {
    while (true) {
      const token = this.peek();
      if (token.kind !== 'ionumber' && !(token.kind === 'op' && REDIRECT_OPS.has(token.op))) return;
      this.parseRedirect(into);
    }
  }

  private parseRedirect(into: Redirect[]): void {
    const first = this.take();
    const offset = first.offset;
    let fd: number | null = null;
    let opToken = first;
    if (first.kind === 'ionumber') {
      fd = first.fd;
      opToken = this.take();
    }
    if (opToken.kind !== 'op') throw this.unexpected(opToken);
    const op = opToken.op;
    const target = this.peek();
    if (target.kind === 'eof' || target.kind === 'newline') throw unexpectedToken('newline', target.offset);
    if (target.kind !== 'word') throw this.unexpected(target);
    this.take();
    if (op === '<<' || op === '<<-') {
      const heredoc = target.heredoc;
      if (heredoc === null) throw this.unexpected(target);
      heredoc.fd = fd ?? 0;
      into.push(heredoc);
    } else if (op === '&>' || op === '&>>') {
      into.push({ type: 'Redirect', fd: 1, op: op === '&>' ? '>' : '>>', target: target.word, offset });
      into.push(stderrToStdout(offset));
    } else if (op === '<' || op === '>' || op === '>>' || op === '<&' || op === '>&' || op === '<>' || op === '>|') {
      into.push({ type: 'Redirect', fd: fd ?? defaultFd(op), op, target: target.word, offset });
    } else {
      throw this.unexpected(opToken);
    }
  }

  // ---- compound commands ----

  private parseCompoundWithRedirects(): CompoundCommand {
    const token = this.peek();
    this.nesting.enter(token.offset);
    const command = this.parseCompound();
    this.parseRedirects(command.redirects);
    this.nesting.leave();
    return command;
  }

  private parseCompound(): CompoundCommand {
    const token = this.peek();
    if (isOp(token, '(')) return this.parseSubshell();
    switch (token.kind === 'word' ? token.bare : null) {
      case '{':
        return this.parseBraceGroup();
      case 'if':
        return this.parseIf();
      case 'while':
      case 'until':
        return this.parseWhile();
      case 'for':
        return this.parseFor();
      case 'case':
        return this.parseCase();
      default:
        throw this.unexpected(token);
    }
  }

  private parseSubshell(): Subshell {
    const offset = this.take().offset;
    const body = this.parseCompoundList(NO_STOP_WORDS);
    this.expectOp(')');
    return { type: 'Subshell', body, redirects: [], offset };
  }

  private parseBraceGroup(): BraceGroup {
    const offset = this.take().offset;
    const body = this.parseCompoundList(CLOSE_BRACE);
    this.expectKeyword('}');
    return { type: 'BraceGroup', body, redirects: [], offset };
  }

  private parseIf(): If {
    const offset = this.take().offset;
    const clauses: IfClause[] = [];
    let elseBody: Script | null = null;
    while (true) {
      const condition = this.parseCompoundList(IF_CONDITION_END);
      this.expectKeyword('then');
      clauses.push({ condition, body: this.parseCompoundList(IF_BODY_END) });
      if (isKeyword(this.peek(), 'elif')) {
        this.take();
        continue;
      }
      if (isKeyword(this.peek(), 'else')) {
        this.take();
        elseBody = this.parseCompoundList(FI);
      }
      this.expectKeyword('fi');
      break;
    }
    return { type: 'If', clauses, elseBody, redirects: [], offset };
  }

  private parseWhile(): While {
    const keyword = this.take();
    const condition = this.parseCompoundList(DO);
    const body = this.parseDoGroup();
    return { type: 'While', until: isKeyword(keyword, 'until'), condition, body, redirects: [], offset: keyword.offset };
  }

  private parseDoGroup(): Script {
    this.expectKeyword('do');
    const body = this.parseCompoundList(DONE);
    this.expectKeyword('done');
    return body;
  }

  private parseFor(): For {
    const offset = this.take().offset;
    const nameToken = this.expectWord();
    if (nameToken.bare === null || !isName(nameToken.bare)) {
      throw new SyntaxFailure(`\`${nameToken.word.raw}': not a valid identifier`, nameToken.offset, false);
    }
    this.skipNewlines();
    let items: Word[] | null = null;
    if (isKeyword(this.peek(), 'in')) {
      this.take();
      items = [];
      for (let token = this.peek(); token.kind === 'word'; token = this.peek()) {
        items.push(token.word);
        this.take();
      }
      const separator = this.peek();
      if (!isOp(separator, ';') && separator.kind !== 'newline') throw this.unexpected(separator);
      this.take();
      this.skipNewlines();
    } else if (isOp(this.peek(), ';')) {
      this.take();
      this.skipNewlines();
    }
    const body = this.parseDoGroup();
    return { type: 'For', variable: nameToken.bare, items, body, redirects: [], offset };
  }

  private parseCase(): Case {
    const offset = this.take().offset;
    const subject = this.expectWord().word;
    this.skipNewlines();
    this.expectKeyword('in');
    this.skipNewlines();
    const arms: CaseArm[] = [];
    while (!isKeyword(this.peek(), 'esac')) {
      if (isOp(this.peek(), '(')) this.take();
      const patterns = [this.expectWord().word];
      while (isOp(this.peek(), '|')) {
        this.take();
        patterns.push(this.expectWord().word);
      }
      this.expectOp(')');
      arms.push({ patterns, body: this.parseList(ESAC) });
      if (!isOp(this.peek(), ';;')) break;
      this.take();
      this.skipNewlines();
    }
    this.expectKeyword('esac');
    return { type: 'Case', subject, arms, redirects: [], offset };
  }

  // ---- functions ----

  private parseFunctionDef(): FunctionDef {
    const nameToken = this.take() as WordToken;
    this.expectOp('(');
    this.expectOp(')');
    return this.parseFunctionBody(nameToken.bare ?? nameToken.word.raw, nameToken.offset);
  }

  /** bash's `function name { ...; }` and `function name() { ...; }`. */
  private parseFunctionKeyword(): FunctionDef {
    const offset = this.take().offset;
    const nameToken = this.expectWord();
    if (nameToken.bare === null || !isFunctionName(nameToken.bare)) throw this.unexpected(nameToken);
    if (isOp(this.peek(), '(')) {
      this.take();
      this.expectOp(')');
    }
    return this.parseFunctionBody(nameToken.bare, offset);
  }

  private parseFunctionBody(name: string, offset: number): FunctionDef {
    this.skipNewlines();
    const token = this.peek();
    const startsCompound = isOp(token, '(') || (token.kind === 'word' && token.bare !== null && isCompoundKeyword(token.bare));
    if (!startsCompound) throw this.unexpected(token);
    return { type: 'FunctionDef', name, body: this.parseCompoundWithRedirects(), offset };
  }
}

/** Where `|&` appends its `2>&1`. */
function redirectsOf(command: Command): Redirect[] {
  return command.type === 'FunctionDef' ? command.body.redirects : command.redirects;
}

function isCompoundKeyword(word: string): boolean {
  return word === '{' || word === 'if' || word === 'while' || word === 'until' || word === 'for' || word === 'case';
}

/** bash accepts most words as function names; these are the ones that would be ambiguous. */
function isFunctionName(word: string): boolean {
  return word !== '' && !word.includes('=') && word !== '!' && word !== 'function'
    && !CLOSING_WORDS.has(word) && !isCompoundKeyword(word);
}

/** `NAME=value` or `NAME+=value`, recognised before the command name only. */
function asAssignment(token: WordToken): Assignment | null {
  const { parts, raw, offset } = token.word;
  const first = parts[0];
  if (first?.type !== 'Literal' || first.quoted) return null;
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(first.value);
  if (match === null) return null;
  const prefix = match[0];
  const rest = first.value.slice(prefix.length);
  const valueParts: WordPart[] = rest === '' ? parts.slice(1) : [{ type: 'Literal', value: rest, quoted: false }, ...parts.slice(1)];
  return {
    type: 'Assignment',
    name: match[1] as string,
    value: { type: 'Word', parts: withTildes(valueParts, true), raw: raw.slice(prefix.length), offset: offset + prefix.length },
    append: match[2] === '+',
    offset,
  };
}
