// Syntax errors, worded as bash words them so a learner can paste the message into a search engine.

/** What parseScript returns for input it cannot parse. */
export interface ShellSyntaxError {
  /** bash's wording, without the `bash: line N:` prefix, e.g. "syntax error near unexpected token `;;'". */
  message: string;
  /** Index in the source of the offending token. */
  offset: number;
  /** 1-based line of `offset`. */
  line: number;
}

export const UNEXPECTED_EOF = 'syntax error: unexpected end of file';

/**
 * Thrown inside the lexer and parser, caught by parseScript. `incomplete` means more input
 * could still make the text valid (an interactive shell should print PS2 and read another line).
 */
export class SyntaxFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly incomplete: boolean,
  ) {
    super(message);
    this.name = 'SyntaxFailure';
  }
}

export function unexpectedToken(text: string, offset: number): SyntaxFailure {
  return new SyntaxFailure(`syntax error near unexpected token \`${text}'`, offset, false);
}

export function unexpectedEof(offset: number): SyntaxFailure {
  return new SyntaxFailure(UNEXPECTED_EOF, offset, true);
}

export function unmatched(opener: string, offset: number): SyntaxFailure {
  return new SyntaxFailure(`unexpected EOF while looking for matching \`${opener}'`, offset, true);
}

/**
 * A nested text (a backquoted command, a here-document body, an arithmetic expression) was cut out
 * of complete input, so reading more lines cannot finish it: the failure is final.
 */
export function asFinal(failure: SyntaxFailure): SyntaxFailure {
  return failure.incomplete ? new SyntaxFailure(failure.message, failure.offset, false) : failure;
}
