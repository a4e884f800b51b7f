// The syntax tree of the DriverLab shell language (a POSIX sh subset with a few bash
// conveniences). Shapes follow the POSIX grammar (XCU 2.10): a Script is a list of and-or lists,
// an and-or list chains pipelines, a pipeline chains commands.
//
// Every node is a discriminated union member with a `type` tag equal to its interface name.
// `offset` is the index in the source text handed to parseScript (approximate inside backquotes
// and here-document bodies, whose text is rewritten before it is parsed).

/** A list of commands: the whole input, a `$(...)` body, or the body of a compound command. */
export interface Script {
  type: 'Script';
  body: AndOrList[];
}

/** What ended an and-or list in the source; `null` when the input or list simply ended. */
export type ListSeparator = ';' | '&' | '\n';

export interface AndOrList {
  type: 'AndOrList';
  first: Pipeline;
  rest: AndOrLink[];
  /** Terminated by `&`: run asynchronously and set `$!`. */
  background: boolean;
  separator: ListSeparator | null;
  offset: number;
}

export interface AndOrLink {
  op: '&&' | '||';
  pipeline: Pipeline;
}

export interface Pipeline {
  type: 'Pipeline';
  /** Leading `!`: invert the exit status of the last command. */
  bang: boolean;
  commands: Command[];
  offset: number;
}

export type Command = SimpleCommand | CompoundCommand | FunctionDef;

export type CompoundCommand = Subshell | BraceGroup | If | While | For | Case;

export interface SimpleCommand {
  type: 'SimpleCommand';
  /** `NAME=value` words before the command name. */
  assignments: Assignment[];
  /** The command name and its arguments, unexpanded. May be empty (`x=1`, `> file`). */
  words: Word[];
  /** In source order; the executor must apply them left to right (`>f 2>&1` differs from `2>&1 >f`). */
  redirects: Redirect[];
  offset: number;
}

export interface Assignment {
  type: 'Assignment';
  name: string;
  value: Word;
  /** bash `NAME+=value`. */
  append: boolean;
  offset: number;
}

/** `( list )`: runs in a copy of the shell environment. */
export interface Subshell {
  type: 'Subshell';
  body: Script;
  redirects: Redirect[];
  offset: number;
}

/** `{ list; }`: runs in the current shell. */
export interface BraceGroup {
  type: 'BraceGroup';
  body: Script;
  redirects: Redirect[];
  offset: number;
}

export interface If {
  type: 'If';
  /** The `if` clause followed by each `elif` clause. */
  clauses: IfClause[];
  elseBody: Script | null;
  redirects: Redirect[];
  offset: number;
}

export interface IfClause {
  condition: Script;
  body: Script;
}

/** `while` loop, or `until` loop when `until` is true (runs while the condition fails). */
export interface While {
  type: 'While';
  until: boolean;
  condition: Script;
  body: Script;
  redirects: Redirect[];
  offset: number;
}

export interface For {
  type: 'For';
  variable: string;
  /** The words after `in`; `null` for `for x; do` which iterates over "$@". */
  items: Word[] | null;
  body: Script;
  redirects: Redirect[];
  offset: number;
}

export interface Case {
  type: 'Case';
  subject: Word;
  arms: CaseArm[];
  redirects: Redirect[];
  offset: number;
}

export interface CaseArm {
  /** Alternatives separated by `|`; expand each with expandPattern and test with matchPattern. */
  patterns: Word[];
  body: Script;
}

/** `name() compound-command` or bash `function name { ... }`. */
export interface FunctionDef {
  type: 'FunctionDef';
  name: string;
  /** Redirects written after the body belong to the body and apply at every call. */
  body: CompoundCommand;
  offset: number;
}

export type Redirect = FileRedirect | HereDoc;

/**
 * `&>file` and `&>>file` never appear here: the parser rewrites them as `>file 2>&1` and
 * `>>file 2>&1`, which is what they mean in bash. `|&` likewise becomes `2>&1 |`.
 */
export type RedirectOp = '<' | '>' | '>>' | '>&' | '<&' | '<>' | '>|';

export interface FileRedirect {
  type: 'Redirect';
  fd: number;
  op: RedirectOp;
  /** A file name, or for `>&` / `<&` a descriptor number or `-` (close). */
  target: Word;
  offset: number;
}

export interface HereDoc {
  type: 'HereDoc';
  fd: number;
  op: '<<' | '<<-';
  /** The delimiter after quote removal. */
  delimiter: string;
  /** The delimiter was quoted, so the body is taken literally. */
  quoted: boolean;
  /**
   * The body, including its final newline; `<<-` has already stripped leading tabs.
   * Every part is quoted, so expandWord(body) gives the text to feed to the command.
   */
  body: Word;
  offset: number;
}

export interface Word {
  type: 'Word';
  parts: WordPart[];
  /** The source text of the word, as written. */
  raw: string;
  offset: number;
}

export type WordPart = Literal | Tilde | Param | CommandSubst | Arithmetic;

export interface Literal {
  type: 'Literal';
  value: string;
  /** Came from '...', "...", $'...', a backslash escape or a here-document: never split or globbed. */
  quoted: boolean;
}

/** `~` or `~user` at the start of a word (or after `=` / `:` in an assignment value). */
export interface Tilde {
  type: 'Tilde';
  /** '' for the current user's home; '+' and '-' are bash's $PWD and $OLDPWD. */
  user: string;
}

/**
 * `-` `=` `+` `?` (with or without `:`) are the POSIX default/assign/alternative/error forms,
 * `#` `##` `%` `%%` remove a prefix or suffix matching a pattern, `length` is `${#name}`.
 */
export type ParamOp =
  | '-' | ':-' | '=' | ':=' | '+' | ':+' | '?' | ':?'
  | '#' | '##' | '%' | '%%'
  | 'length';

export interface Param {
  type: 'Param';
  /** A variable name, a positional number ('1', '10') or a special parameter: @ * # ? - $ ! 0. */
  name: string;
  op: ParamOp | null;
  /** The word after the operator, for ops that take one. */
  arg: Word | null;
  /** Inside double quotes: the result is not field-split or globbed. */
  quoted: boolean;
}

export interface CommandSubst {
  type: 'CommandSubst';
  script: Script;
  /** Written with backquotes rather than `$(...)`. */
  backquoted: boolean;
  quoted: boolean;
}

export interface Arithmetic {
  type: 'Arithmetic';
  /** The text between `$((` and `))`, with its own `$` expansions; evaluated after expansion. */
  expression: Word;
  quoted: boolean;
}
