// GNU make's builtin functions: text, file names, conditionals, call/foreach, shell, wildcard.
// Argument counts and messages follow GNU make 4.3's function table.

import type { ExpandContext, Expander } from './expand.js';
import { MakeFatal } from './types.js';
import { dirPart, hasGlobChars, notdirPart, resolvePath } from './paths.js';
import { Scope } from './variables.js';
import { matchesPatternText, patsubst, splitWords, stripSpace } from './text.js';

export interface MakeFunction {
  minArgs: number;
  /** 0: unlimited. Past the maximum, commas belong to the last argument. */
  maxArgs: number;
  /** false for if/or/and/foreach, which expand their arguments themselves. */
  expandArgs: boolean;
  run(args: string[], ctx: ExpandContext, expander: Expander): Promise<string> | string;
}

type Run = MakeFunction['run'];

function fn(minArgs: number, maxArgs: number, run: Run, expandArgs = true): MakeFunction {
  return { minArgs, maxArgs, expandArgs, run };
}

const arg = (args: string[], i: number): string => args[i] ?? '';

/** Applies `f` to every word, keeping empty results as GNU does for dir and notdir. */
const eachWord = (f: (word: string) => string): Run => (args) => splitWords(arg(args, 0)).map(f).join(' ');

function suffixOf(word: string): string | undefined {
  const dot = word.lastIndexOf('.');
  return dot > word.lastIndexOf('/') ? word.slice(dot) : undefined;
}

function parseCount(text: string, which: string, name: string, ctx: ExpandContext, expander: Expander): number {
  const stripped = stripSpace(text);
  if (!/^[0-9]+$/.test(stripped)) {
    throw new MakeFatal(expander.errorLoc(ctx), `non-numeric ${which} argument to '${name}' function: '${stripped}'`);
  }
  return Number(stripped);
}

async function wildcard(patterns: string, expander: Expander): Promise<string> {
  const { env, cwd } = expander.host;
  const found: string[] = [];
  for (const pattern of splitWords(patterns)) {
    if (!hasGlobChars(pattern)) {
      if ((await env.mtime(resolvePath(cwd, pattern))) !== undefined) found.push(pattern);
      continue;
    }
    found.push(...(await globRelative(pattern, expander)));
  }
  return found.join(' ');
}

/** Matches of one glob pattern, spelled with the pattern's own directory prefix, sorted. */
export async function globRelative(pattern: string, expander: Expander): Promise<string[]> {
  const { env, cwd } = expander.host;
  const firstGlob = pattern.search(/[*?[]/);
  const literalDir = pattern.slice(0, pattern.lastIndexOf('/', firstGlob) + 1);
  const absoluteDir = resolvePath(cwd, literalDir === '' ? '.' : literalDir);
  const prefix = absoluteDir === '/' ? '/' : `${absoluteDir}/`;
  const matches = await env.glob(prefix + pattern.slice(literalDir.length));
  return matches
    .map((match) => resolvePath('/', match))
    .filter((match) => match.startsWith(prefix))
    .map((match) => literalDir + match.slice(prefix.length))
    .sort(compareBytes);
}

export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Output of $(shell) and `!=`: newlines become spaces, trailing newlines go (all, or just one). */
export function foldShellOutput(output: string, trimAllNewlines: boolean): string {
  let text = output.replace(/\r\n/g, '\n');
  text = trimAllNewlines ? text.replace(/\n+$/, '') : text.replace(/\n$/, '');
  return text.replace(/\n/g, ' ');
}

async function call(args: string[], ctx: ExpandContext, expander: Expander): Promise<string> {
  const name = stripSpace(arg(args, 0));
  const builtin = FUNCTIONS.get(name);
  if (builtin !== undefined) return builtin.run(args.slice(1), ctx, expander);
  const variable = ctx.scope.lookup(name);
  if (variable === undefined || name === '') return '';
  const scope = new Scope(ctx.scope);
  scope.bind('0', name);
  const count = args.length - 1;
  const saved = expander.callArgsInScope;
  for (let i = 1; i <= Math.max(count, saved); i++) scope.bind(String(i), arg(args, i));
  expander.callArgsInScope = Math.max(count, saved);
  try {
    // Not expandVariable: a $(call)ed variable may call itself (GNU skips the recursion check).
    if (variable.flavor === 'simple') return variable.value;
    return await expander.expand(variable.value, { ...ctx, scope, varLoc: variable.loc ?? ctx.varLoc });
  } finally {
    expander.callArgsInScope = saved;
  }
}

async function foreach(args: string[], ctx: ExpandContext, expander: Expander): Promise<string> {
  const name = stripSpace(await expander.expand(arg(args, 0), ctx));
  const list = splitWords(await expander.expand(arg(args, 1), ctx));
  const scope = new Scope(ctx.scope);
  const inner = { ...ctx, scope };
  const results: string[] = [];
  for (const word of list) {
    scope.bind(name, word, 'file');
    results.push(await expander.expand(arg(args, 2), inner));
  }
  return results.join(' ');
}

async function conditional(args: string[], ctx: ExpandContext, expander: Expander): Promise<string> {
  const condition = stripSpace(arg(args, 0));
  const taken = condition !== '' && (await expander.expand(condition, ctx)) !== '';
  const branch = taken ? args[1] : args[2];
  return branch === undefined ? '' : expander.expand(branch, ctx);
}

const logical =
  (isOr: boolean): Run =>
  async (args, ctx, expander) => {
    let result = '';
    for (const raw of args) {
      result = await expander.expand(stripSpace(raw), ctx);
      if (isOr === (result !== '')) return result;
    }
    return isOr ? '' : result;
  };

async function shell(args: string[], ctx: ExpandContext, expander: Expander): Promise<string> {
  const { env, cwd } = expander.host;
  const result = await env.runShell(arg(args, 0), cwd);
  const globals = rootScope(ctx.scope);
  globals.bind('.SHELLSTATUS', String(result.status), 'override');
  return foldShellOutput(result.output, true);
}

function rootScope(scope: Scope): Scope {
  let root = scope;
  while (root.parent !== undefined) root = root.parent;
  return root;
}

function message(kind: 'info' | 'warning' | 'error'): Run {
  return (args, ctx, expander) => {
    const text = arg(args, 0);
    const { env, program } = expander.host;
    if (kind === 'info') env.stdout(`${text}\n`);
    else if (kind === 'warning') env.stderr(ctx.loc ? `${ctx.loc.file}:${ctx.loc.line}: ${text}\n` : `${program}: ${text}\n`);
    else throw new MakeFatal(ctx.loc, text);
    return '';
  };
}

export const FUNCTIONS: ReadonlyMap<string, MakeFunction> = new Map<string, MakeFunction>([
  ['subst', fn(3, 3, (a) => (arg(a, 0) === '' ? arg(a, 2) + arg(a, 1) : arg(a, 2).split(arg(a, 0)).join(arg(a, 1))))],
  ['patsubst', fn(3, 3, (a) => patsubst(arg(a, 0), arg(a, 1), arg(a, 2)))],
  ['strip', fn(0, 1, (a) => splitWords(arg(a, 0)).join(' '))],
  ['findstring', fn(2, 2, (a) => (arg(a, 1).includes(arg(a, 0)) ? arg(a, 0) : ''))],
  [
    'filter',
    fn(2, 2, (a) => {
      const patterns = splitWords(arg(a, 0));
      return splitWords(arg(a, 1)).filter((w) => patterns.some((p) => matchesPatternText(p, w))).join(' ');
    }),
  ],
  [
    'filter-out',
    fn(2, 2, (a) => {
      const patterns = splitWords(arg(a, 0));
      return splitWords(arg(a, 1)).filter((w) => !patterns.some((p) => matchesPatternText(p, w))).join(' ');
    }),
  ],
  ['sort', fn(0, 1, (a) => [...new Set(splitWords(arg(a, 0)))].sort(compareBytes).join(' '))],
  [
    'word',
    fn(2, 2, (a, ctx, ex) => {
      const n = parseCount(arg(a, 0), 'first', 'word', ctx, ex);
      if (n === 0) throw new MakeFatal(ex.errorLoc(ctx), "first argument to 'word' function must be greater than 0");
      return splitWords(arg(a, 1))[n - 1] ?? '';
    }),
  ],
  [
    'wordlist',
    fn(3, 3, (a, ctx, ex) => {
      const start = parseCount(arg(a, 0), 'first', 'wordlist', ctx, ex);
      const end = parseCount(arg(a, 1), 'second', 'wordlist', ctx, ex);
      if (start === 0) {
        throw new MakeFatal(ex.errorLoc(ctx), `invalid first argument to 'wordlist' function: '${stripSpace(arg(a, 0))}'`);
      }
      return splitWords(arg(a, 2)).slice(start - 1, end).join(' ');
    }),
  ],
  ['words', fn(0, 1, (a) => String(splitWords(arg(a, 0)).length))],
  ['firstword', fn(0, 1, (a) => splitWords(arg(a, 0))[0] ?? '')],
  ['lastword', fn(0, 1, (a) => splitWords(arg(a, 0)).at(-1) ?? '')],
  ['dir', fn(0, 1, eachWord(dirPart))],
  ['notdir', fn(0, 1, eachWord(notdirPart))],
  [
    'suffix',
    fn(0, 1, (a) =>
      splitWords(arg(a, 0))
        .map(suffixOf)
        .filter((s): s is string => s !== undefined)
        .join(' '),
    ),
  ],
  ['basename', fn(0, 1, eachWord((w) => w.slice(0, w.length - (suffixOf(w)?.length ?? 0))))],
  ['addprefix', fn(2, 2, (a) => splitWords(arg(a, 1)).map((w) => arg(a, 0) + w).join(' '))],
  ['addsuffix', fn(2, 2, (a) => splitWords(arg(a, 1)).map((w) => w + arg(a, 0)).join(' '))],
  [
    'join',
    fn(2, 2, (a) => {
      const left = splitWords(arg(a, 0));
      const right = splitWords(arg(a, 1));
      return Array.from({ length: Math.max(left.length, right.length) }, (_, i) => (left[i] ?? '') + (right[i] ?? '')).join(' ');
    }),
  ],
  ['wildcard', fn(0, 1, (a, _ctx, ex) => wildcard(arg(a, 0), ex))],
  ['abspath', fn(0, 1, (a, _ctx, ex) => splitWords(arg(a, 0)).map((w) => resolvePath(ex.host.cwd, w)).join(' '))],
  [
    'realpath',
    fn(0, 1, async (a, _ctx, ex) => {
      const found: string[] = [];
      for (const word of splitWords(arg(a, 0))) {
        const path = resolvePath(ex.host.cwd, word);
        if ((await ex.host.env.mtime(path)) !== undefined) found.push(path);
      }
      return found.join(' ');
    }),
  ],
  ['shell', fn(0, 1, shell)],
  ['foreach', fn(3, 3, foreach, false)],
  ['if', fn(2, 3, conditional, false)],
  ['or', fn(1, 0, logical(true), false)],
  ['and', fn(1, 0, logical(false), false)],
  ['call', fn(1, 0, call)],
  ['origin', fn(0, 1, (a, ctx) => ctx.scope.lookup(arg(a, 0))?.origin ?? 'undefined')],
  ['flavor', fn(0, 1, (a, ctx) => ctx.scope.lookup(arg(a, 0))?.flavor ?? 'undefined')],
  ['value', fn(0, 1, (a, ctx) => ctx.scope.lookup(arg(a, 0))?.value ?? '')],
  [
    'eval',
    fn(0, 1, async (a, ctx, ex) => {
      await ex.host.evalText(arg(a, 0), ctx);
      return '';
    }),
  ],
  ['info', fn(0, 1, message('info'))],
  ['warning', fn(0, 1, message('warning'))],
  ['error', fn(0, 1, message('error'))],
]);
