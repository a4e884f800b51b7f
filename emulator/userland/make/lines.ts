// Makefile text to logical lines, and the per-line transformations GNU's read.c applies:
// backslash-newline joining, continuation collapsing, comment removal, recipe TAB stripping.

import type { AssignOp } from './database.js';
import { isBlank } from './text.js';

export interface LogicalLine {
  /** The raw text, physical lines joined with their backslash-newlines kept. */
  text: string;
  /** Physical line number where it starts (1-based). */
  line: number;
}

export interface SplitText {
  lines: LogicalLine[];
  /** Number of physical lines: "missing 'endif'" is reported on the line after the last. */
  physicalLines: number;
}

/** Joins physical lines ending in an odd number of backslashes; drops the CR of CRLF endings. */
export function splitLogicalLines(text: string): SplitText {
  const physical = text.split('\n');
  const endsWithNewline = physical.length > 0 && physical[physical.length - 1] === '';
  if (endsWithNewline) physical.pop();
  const lines: LogicalLine[] = [];
  let i = 0;
  while (i < physical.length) {
    const start = i;
    let joined = stripCr(physical[i] as string);
    while (endsWithContinuation(joined) && i + 1 < physical.length) {
      i++;
      joined += `\n${stripCr(physical[i] as string)}`;
    }
    // A backslash-newline that ends the file joins an empty line, as GNU's readline does; a
    // backslash with no newline after it stays a backslash.
    if (i === physical.length - 1 && endsWithNewline && endsWithContinuation(joined)) joined += '\n';
    lines.push({ text: joined, line: start + 1 });
    i++;
  }
  return { lines, physicalLines: physical.length };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function endsWithContinuation(text: string): boolean {
  let count = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/**
 * Outside recipes a backslash-newline and the blanks around it become one space
 * (GNU's collapse_continuations); of 2n+1 backslashes, n remain.
 */
export function collapseContinuations(text: string): string {
  if (!text.includes('\n')) return text;
  let out = '';
  let start = 0;
  let newline = text.indexOf('\n');
  while (newline >= 0) {
    let backslashes = 0;
    while (newline - backslashes - 1 >= start && text[newline - backslashes - 1] === '\\') backslashes++;
    out += text.slice(start, newline - backslashes) + '\\'.repeat(Math.floor(backslashes / 2));
    start = newline + 1;
    if (backslashes % 2 === 1) {
      while (isBlank(text[start])) start++;
      out = out.replace(/[ \t]+$/, '') + ' ';
    } else {
      out += '\n';
    }
    newline = text.indexOf('\n', start);
  }
  return out + text.slice(start);
}

/**
 * Cuts a line at its first unescaped `#`. Backslashes before a `#` are halved: `\#` is a
 * literal `#`, `\\#` a backslash followed by a comment (GNU's find_char_unquote).
 */
export function removeComments(text: string): string {
  if (!text.includes('#')) return text;
  let out = '';
  let start = 0;
  let hash = text.indexOf('#');
  while (hash >= 0) {
    let backslashes = 0;
    while (hash - backslashes - 1 >= start && text[hash - backslashes - 1] === '\\') backslashes++;
    out += text.slice(start, hash - backslashes) + '\\'.repeat(Math.floor(backslashes / 2));
    if (backslashes % 2 === 0) return out;
    out += '#';
    start = hash + 1;
    hash = text.indexOf('#', start);
  }
  return out + text.slice(start);
}

/** A recipe line as the shell gets it: the leading TAB and the TAB after each backslash-newline go. */
export function recipeText(raw: string): string {
  const body = raw.startsWith('\t') ? raw.slice(1) : raw;
  return body.includes('\n') ? body.replace(/\n\t/g, '\n') : body;
}

/** Splits a recipe's text at newlines that are not escaped by a backslash. */
export function splitCommandLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    let backslashes = 0;
    while (i - backslashes - 1 >= start && text[i - backslashes - 1] === '\\') backslashes++;
    if (backslashes % 2 === 0) {
      lines.push(text.slice(start, i));
      start = i + 1;
    }
  }
  lines.push(text.slice(start));
  return lines;
}

export interface VariableDefinition {
  /** The unexpanded name, trimmed. */
  name: string;
  op: AssignOp;
  /** The unexpanded value, leading blanks removed, trailing ones kept (as GNU keeps them). */
  value: string;
}

/**
 * Recognises `NAME op value` the way GNU's parse_variable_definition does: references are
 * skipped, and after a blank only an assignment operator may follow, so `foo bar = x`
 * and `a: b` are not assignments.
 */
export function parseVariableDefinition(text: string): VariableDefinition | undefined {
  let p = 0;
  while (isBlank(text[p])) p++;
  const nameStart = p;
  let nameEnd = -1;
  let sawBlank = false;
  while (p < text.length) {
    const c = text[p] as string;
    p++;
    if (c === '#') return undefined;
    if (c === '$') {
      const open = text[p];
      p++;
      if (open === undefined) return undefined;
      if (open !== '(' && open !== '{') continue;
      const close = open === '(' ? ')' : '}';
      let depth = 1;
      for (; p < text.length; p++) {
        if (text[p] === close && --depth === 0) {
          p++;
          break;
        }
        if (text[p] === open) depth++;
      }
      continue;
    }
    if (isBlank(c)) {
      sawBlank = true;
      nameEnd = p - 1;
      while (isBlank(text[p])) p++;
      continue;
    }
    if (c === '=') return definition(text, nameStart, sawBlank ? nameEnd : p - 1, '=', p);
    if (text[p] === '=') {
      const op = ({ ':': ':=', '+': '+=', '?': '?=', '!': '!=' } as const)[c as ':' | '+' | '?' | '!'];
      if (op !== undefined) return definition(text, nameStart, sawBlank ? nameEnd : p - 1, op, p + 1);
      if (sawBlank) return undefined;
      continue;
    }
    if (c === ':') {
      if (text[p] !== ':' || text[p + 1] !== '=') return undefined;
      return definition(text, nameStart, sawBlank ? nameEnd : p - 1, '::=', p + 2);
    }
    if (sawBlank) return undefined;
  }
  return undefined;
}

function definition(text: string, nameStart: number, nameEnd: number, op: AssignOp, valueStart: number): VariableDefinition {
  let v = valueStart;
  while (isBlank(text[v])) v++;
  return { name: text.slice(nameStart, nameEnd).trim(), op, value: text.slice(v) };
}

/** The first whitespace-delimited word of a line and the text after it (leading blanks removed). */
export function firstWord(text: string): { word: string; rest: string } {
  let start = 0;
  while (isBlank(text[start])) start++;
  let end = start;
  while (end < text.length && !isBlank(text[end]) && text[end] !== '\n') end++;
  let rest = end;
  while (isBlank(text[rest])) rest++;
  return { word: text.slice(start, end), rest: text.slice(rest) };
}
