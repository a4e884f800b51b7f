// Variable and function expansion: `$(VAR)`, `${VAR}`, `$X`, `$$`, `$(VAR:a=b)` and `$(func args)`,
// with GNU make's rules for finding the end of a reference and splitting function arguments.

import { FUNCTIONS } from './functions.js';
import type { MakeEnv, Loc } from './types.js';
import { MakeFatal } from './types.js';
import { type Scope, type Variable } from './variables.js';
import { findClosing, isBlank, patsubst, parsePattern } from './text.js';

export interface ExpandContext {
  scope: Scope;
  /** The line being read or run: $(info), $(warning) and $(error) report it. */
  loc: Loc | undefined;
  /** The recursive variable being expanded, if any: syntax errors inside it report its definition. */
  varLoc?: Loc | undefined;
}

/** What expansion needs from the rest of make. */
export interface ExpansionHost {
  readonly env: MakeEnv;
  /** make's working directory (after -C). */
  readonly cwd: string;
  /** "make" or "make[N]", the prefix of messages without a location. */
  readonly program: string;
  /** $(eval text): reads text as makefile lines. */
  evalText(text: string, ctx: ExpandContext): Promise<void>;
}

export class Expander {
  /** Recursive variables being expanded, to catch `x = $(x)`. */
  private readonly active = new Set<Variable>();
  /** How many numbered arguments the enclosing $(call)s define, so an inner call hides the extra ones. */
  callArgsInScope = 0;

  constructor(readonly host: ExpansionHost) {}

  async expand(text: string, ctx: ExpandContext): Promise<string> {
    let dollar = text.indexOf('$');
    if (dollar < 0) return text;
    let out = '';
    let last = 0;
    while (dollar >= 0) {
      out += text.slice(last, dollar);
      const next = text[dollar + 1];
      if (next === undefined) {
        // GNU: "$$ or $ at the end of the string means output one $".
        out += '$';
        last = dollar + 1;
        break;
      }
      if (next === '$') {
        out += '$';
        last = dollar + 2;
      } else if (next === '(' || next === '{') {
        const ref = await this.expandReference(text, dollar + 2, next, next === '(' ? ')' : '}', ctx);
        out += ref.value;
        last = ref.end;
      } else {
        if (!isBlank(next)) out += await this.expandName(next, ctx);
        last = dollar + 2;
      }
      dollar = text.indexOf('$', last);
    }
    return out + text.slice(last);
  }

  /** The value of a variable by name, expanded if it is recursive; '' when undefined. */
  async expandName(name: string, ctx: ExpandContext): Promise<string> {
    const variable = ctx.scope.lookup(name);
    return variable === undefined ? '' : this.expandVariable(variable, ctx);
  }

  async expandVariable(variable: Variable, ctx: ExpandContext): Promise<string> {
    if (variable.flavor === 'simple' || !variable.value.includes('$')) return variable.value;
    if (this.active.has(variable)) {
      throw new MakeFatal(
        variable.loc ?? ctx.varLoc ?? ctx.loc,
        `Recursive variable '${variable.name}' references itself (eventually)`,
      );
    }
    this.active.add(variable);
    try {
      return await this.expand(variable.value, { ...ctx, varLoc: variable.loc ?? ctx.varLoc });
    } finally {
      this.active.delete(variable);
    }
  }

  /** Where syntax errors in the text being expanded are reported. */
  errorLoc(ctx: ExpandContext): Loc | undefined {
    return ctx.varLoc ?? ctx.loc;
  }

  /** Expands `$(...)` whose contents start at `start`; returns the value and the index after it. */
  private async expandReference(
    text: string,
    start: number,
    open: string,
    close: string,
    ctx: ExpandContext,
  ): Promise<{ value: string; end: number }> {
    const call = this.functionAt(text, start);
    if (call !== undefined) {
      const end = findClosing(text, call.argsStart, open, close);
      if (end < 0) {
        throw new MakeFatal(this.errorLoc(ctx), `unterminated call to function '${call.name}': missing '${close}'`);
      }
      return { value: await this.callFunction(call.name, text.slice(call.argsStart, end), open, close, ctx), end: end + 1 };
    }
    let end = text.indexOf(close, start);
    if (end < 0) throw new MakeFatal(this.errorLoc(ctx), 'unterminated variable reference');
    let name = text.slice(start, end);
    if (name.includes('$')) {
      const matching = findClosing(text, start, open, close);
      if (matching >= 0) {
        end = matching;
        name = await this.expand(text.slice(start, end), ctx);
      } else {
        // `$($(a)...` never closes: GNU make looks up the name up to the first `)` and, having
        // counted parentheses to the end of the text, goes on from there: the rest is swallowed.
        return { value: await this.expandNameOrSubstitution(name, ctx), end: text.length };
      }
    }
    return { value: await this.expandNameOrSubstitution(name, ctx), end: end + 1 };
  }

  /** `name` or the substitution reference `name:from=to`. */
  private async expandNameOrSubstitution(name: string, ctx: ExpandContext): Promise<string> {
    const colon = name.indexOf(':');
    if (colon >= 0) {
      const equals = name.indexOf('=', colon + 1);
      if (equals >= 0) {
        const value = await this.expandName(name.slice(0, colon), ctx);
        const from = name.slice(colon + 1, equals);
        const to = name.slice(equals + 1);
        return typeof parsePattern(from) === 'string' ? patsubst(`%${from}`, `%${to}`, value) : patsubst(from, to, value);
      }
    }
    return this.expandName(name, ctx);
  }

  /** A builtin function name followed by a blank at `start`, as GNU's lookup_function accepts it. */
  private functionAt(text: string, start: number): { name: string; argsStart: number } | undefined {
    let i = start;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if ((c >= 97 && c <= 122) || c === 45) i++;
      else break;
    }
    if (i === start || (i < text.length && !isBlank(text[i]))) return undefined;
    const name = text.slice(start, i);
    if (!FUNCTIONS.has(name)) return undefined;
    while (isBlank(text[i]) || text[i] === '\n') i++;
    return { name, argsStart: i };
  }

  private async callFunction(name: string, body: string, open: string, close: string, ctx: ExpandContext): Promise<string> {
    const fn = FUNCTIONS.get(name);
    if (fn === undefined) return '';
    const rawArgs = splitArguments(body, open, close, fn.maxArgs);
    if (rawArgs.length < fn.minArgs) {
      throw new MakeFatal(this.errorLoc(ctx), `insufficient number of arguments (${rawArgs.length}) to function '${name}'`);
    }
    if (!fn.expandArgs) return fn.run(rawArgs, ctx, this);
    const args: string[] = [];
    for (const raw of rawArgs) args.push(await this.expand(raw, ctx));
    return fn.run(args, ctx, this);
  }
}

/**
 * Splits function arguments at commas outside nested parentheses of the call's own kind;
 * once `maxArgs` is reached the rest (commas included) is the last argument.
 */
export function splitArguments(body: string, open: string, close: string, maxArgs: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === open) depth++;
    else if (c === close) depth--;
    else if (c === ',' && depth === 0 && (maxArgs === 0 || args.length + 1 < maxArgs)) {
      args.push(body.slice(start, i));
      start = i + 1;
    }
  }
  args.push(body.slice(start));
  return args;
}
