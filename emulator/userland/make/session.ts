// One reading of the makefiles: the variables, the rule database and the services the
// reader, the expander and the builder share (assignment, includes, messages).

import { BUILTIN_RULES, DEFAULT_SUFFIXES, DEFAULT_VARIABLES, MAKE_HOST, MAKE_VERSION } from './builtins.js';
import { Database, type AssignOp, type Recipe } from './database.js';
import { Expander, type ExpandContext, type ExpansionHost } from './expand.js';
import { foldShellOutput, globRelative } from './functions.js';
import { parseVariableDefinition } from './lines.js';
import { makeflagsValue, mflagsValue, type MakeOptions } from './options.js';
import { hasGlobChars, resolvePath } from './paths.js';
import { MakefileReader } from './reader.js';
import { matchPattern, parsePattern, splitWords, substituteStem } from './text.js';
import type { Loc, MakeEnv } from './types.js';
import { isExportableName, makeVariable, outranks, Scope, type ExportState, type Flavor, type Origin, type Variable } from './variables.js';

export interface MissingInclude {
  name: string;
  optional: boolean;
  /** The include line; undefined for a -f makefile that does not exist. */
  loc: Loc | undefined;
}

/** What stays the same across re-reads of the makefiles (after an included file is remade). */
export interface Invocation {
  env: MakeEnv;
  options: MakeOptions;
  /** make's working directory: env.cwd with -C applied. */
  cwd: string;
  makelevel: number;
  /** "make" or "make[N]". */
  program: string;
  printDirectory: boolean;
}

export class Session implements ExpansionHost {
  readonly globals = new Scope();
  readonly db = new Database();
  readonly expander: Expander;
  /** `export` with no arguments (or .EXPORT_ALL_VARIABLES). */
  exportAll = false;
  suffixes: string[];
  readonly missingIncludes: MissingInclude[] = [];
  /** Every makefile read, in order, as MAKEFILE_LIST names them. */
  readonly makefiles: string[] = [];
  private readonly cancelledBuiltins = new Set<string>();
  /** MAKEFLAGS as make set it: a makefile that changes it changes make's switches. */
  makeflags = '';

  constructor(readonly invocation: Invocation) {
    this.expander = new Expander(this);
    this.suffixes = invocation.options.noBuiltinRules ? [] : [...DEFAULT_SUFFIXES];
  }

  get env(): MakeEnv {
    return this.invocation.env;
  }

  get cwd(): string {
    return this.invocation.cwd;
  }

  get program(): string {
    return this.invocation.program;
  }

  get options(): MakeOptions {
    return this.invocation.options;
  }

  // --- setup ---------------------------------------------------------------------------------

  /** Defines the variables make starts with, weakest origin first. */
  async defineInitialVariables(): Promise<void> {
    const { options, env } = this.invocation;
    const define = (name: string, value: string, origin: Origin, flavor: Flavor = 'recursive'): void => {
      this.globals.setLocal(makeVariable(name, value, origin, flavor));
    };
    if (!options.noBuiltinVariables) {
      for (const [name, value] of DEFAULT_VARIABLES) define(name, value, 'default');
    }
    define('MAKE_COMMAND', 'make', 'default', 'simple');
    if (options.noBuiltinVariables) define('MAKE', '$(MAKE_COMMAND)', 'default');
    define('MAKE_VERSION', MAKE_VERSION, 'default', 'simple');
    define('MAKE_HOST', MAKE_HOST, 'default', 'simple');
    define('SHELL', '/bin/sh', 'default');
    define('.SHELLFLAGS', '-c', 'default', 'simple');
    define('SUFFIXES', this.suffixes.join(' '), 'default', 'simple');
    define('.LIBPATTERNS', 'lib%.so lib%.a', 'default');
    define(
      '.FEATURES',
      // GNU 4.3's list, as makefiles test it (archives, jobserver and load are not emulated).
      'target-specific order-only second-expansion else-if shortest-stem undefine oneshell nocomment grouped-target ' +
        'extra-prereqs archives jobserver output-sync check-symlink load',
      'default',
      'simple',
    );
    define('MAKEFILES', '', 'default', 'simple');

    const envOrigin: Origin = options.envOverrides ? 'environment override' : 'environment';
    for (const [name, value] of Object.entries(env.environment)) {
      if (name === 'SHELL' || name === 'MAKEFLAGS' || name === 'MFLAGS' || name === 'MAKELEVEL') continue;
      this.globals.setLocal(makeVariable(name, value, envOrigin, 'recursive', 'export'));
    }
    define('MAKELEVEL', String(this.invocation.makelevel), 'environment', 'simple');
    define('CURDIR', this.cwd, 'file', 'simple');
    define('MAKEFILE_LIST', '', 'file', 'simple');
    define('.DEFAULT_GOAL', '', 'file', 'simple');
    define('MAKECMDGOALS', options.goals.join(' '), 'default', 'simple');
    this.updateMakeflags();

    for (const override of options.overrides) {
      const def = parseVariableDefinition(override);
      if (def === undefined) continue;
      await this.assign(def.name, def.op, def.value, 'command line', undefined, undefined);
    }
    for (const [index, text] of options.evals.entries()) {
      await new MakefileReader(this, '--eval', index).read(text);
    }
  }

  /** (Re)computes MAKEFLAGS and MFLAGS from the options in force. */
  updateMakeflags(): void {
    const { options, printDirectory } = this.invocation;
    const flags = makeflagsValue(options, printDirectory);
    this.makeflags = flags;
    this.globals.bind('MAKEFLAGS', flags, 'file');
    this.globals.bind('MFLAGS', mflagsValue(options, printDirectory), 'file');
  }

  // --- variables -----------------------------------------------------------------------------

  /** An assignment with GNU's precedence: a weaker origin never replaces a stronger one. */
  async assign(name: string, op: AssignOp, value: string, origin: Origin, loc: Loc | undefined, exportState: ExportState | undefined): Promise<void> {
    const existing = this.globals.getLocal(name);
    const ctx: ExpandContext = { scope: this.globals, loc };
    let flavor: Flavor = 'recursive';
    let newValue = value;
    switch (op) {
      case '?=':
        if (existing !== undefined) {
          if (exportState !== undefined) existing.exportState = exportState;
          return;
        }
        break;
      case ':=':
      case '::=':
        flavor = 'simple';
        newValue = await this.expander.expand(value, ctx);
        break;
      case '!=':
        newValue = foldShellOutput((await this.env.runShell(await this.expander.expand(value, ctx), this.cwd)).output, false);
        break;
      case '+=':
        if (existing !== undefined) {
          flavor = existing.flavor;
          const addition = flavor === 'simple' ? await this.expander.expand(value, ctx) : value;
          newValue = existing.value === '' ? addition : `${existing.value} ${addition}`;
        }
        break;
      case '=':
        break;
    }
    if (existing !== undefined && outranks(existing.origin, origin)) return;
    this.globals.setLocal({
      name,
      value: newValue,
      flavor,
      origin,
      exportState: exportState ?? existing?.exportState ?? 'default',
      loc,
    });
    if (name === '.EXPORT_ALL_VARIABLES') this.exportAll = true;
  }

  undefine(name: string, origin: Origin): void {
    const existing = this.globals.getLocal(name);
    if (existing !== undefined && !outranks(existing.origin, origin)) this.globals.deleteLocal(name);
  }

  setExport(name: string, state: ExportState, loc: Loc): void {
    let variable = this.globals.getLocal(name);
    if (variable === undefined) {
      variable = { name, value: '', flavor: 'recursive', origin: 'file', exportState: state, loc };
      this.globals.setLocal(variable);
    }
    variable.exportState = state;
  }

  isExported(variable: Variable): boolean {
    if (variable.exportState !== 'default') return variable.exportState === 'export';
    if (variable.origin === 'default' || variable.origin === 'automatic') return false;
    if (!isExportableName(variable.name)) return false;
    return this.exportAll || variable.origin === 'command line' || variable.origin === 'environment' || variable.origin === 'environment override';
  }

  // --- messages ------------------------------------------------------------------------------

  warn(loc: Loc | undefined, text: string): void {
    this.env.stderr(loc ? `${loc.file}:${loc.line}: ${text}\n` : `${this.program}: ${text}\n`);
  }

  // --- files ---------------------------------------------------------------------------------

  /** Words of an expanded file list, with shell globs replaced by their (sorted) matches. */
  async expandFileNames(text: string): Promise<string[]> {
    const names: string[] = [];
    for (const word of splitWords(text)) {
      if (!hasGlobChars(word)) {
        names.push(word);
        continue;
      }
      const matches = await globRelative(word, this.expander);
      if (matches.length === 0) names.push(word);
      else names.push(...matches);
    }
    return names;
  }

  /** Reads a makefile into this session; false if it does not exist. */
  async readMakefile(name: string): Promise<boolean> {
    const text = await this.env.readFile(resolvePath(this.cwd, name));
    if (text === undefined) return false;
    await this.readText(name, text);
    return true;
  }

  private async readText(name: string, text: string): Promise<void> {
    this.makefiles.push(name);
    this.globals.bind('MAKEFILE_LIST', this.makefiles.join(' '), 'file');
    await new MakefileReader(this, name).read(text);
  }

  async include(name: string, optional: boolean, loc: Loc): Promise<void> {
    const candidates = [name];
    if (!name.startsWith('/')) {
      for (const dir of this.options.includeDirs) candidates.push(`${dir.replace(/\/+$/, '')}/${name}`);
    }
    for (const candidate of candidates) {
      const text = await this.env.readFile(resolvePath(this.cwd, candidate));
      if (text !== undefined) {
        await this.readText(candidate, text);
        return;
      }
    }
    this.missingIncludes.push({ name, optional, loc });
  }

  /** $(eval): the text is read as makefile lines numbered from the evaluating line. */
  async evalText(text: string, ctx: ExpandContext): Promise<void> {
    const file = ctx.loc?.file ?? '--eval';
    await new MakefileReader(this, file, (ctx.loc?.line ?? 1) - 1).read(text);
  }

  // --- rules ---------------------------------------------------------------------------------

  addExplicitRule(
    target: string,
    prereqs: string[],
    orderOnly: string[],
    recipe: Recipe | undefined,
    staticPattern: string | undefined,
    loc: Loc,
  ): void {
    const node = this.db.file(target);
    if (!node.isTarget) this.db.targetOrder.push(target);
    node.isTarget = true;
    let ownPrereqs = prereqs;
    if (staticPattern !== undefined) {
      const pattern = parsePattern(staticPattern);
      const stem = typeof pattern === 'string' ? (pattern === target ? '' : undefined) : matchPattern(pattern, target);
      if (stem === undefined) {
        this.warn(loc, `target '${target}' doesn't match the target pattern`);
        ownPrereqs = [];
      } else {
        node.stem = stem;
        ownPrereqs = prereqs.map((p) => substituteStem(parsePattern(p), stem));
      }
    }
    if (target === '.SUFFIXES') {
      if (ownPrereqs.length === 0) {
        this.suffixes = [];
        node.prereqs = [];
      } else {
        this.suffixes.push(...ownPrereqs);
      }
      this.globals.bind('SUFFIXES', this.suffixes.join(' '), 'default');
    }
    if (target === '.EXPORT_ALL_VARIABLES') this.exportAll = true;
    // GNU puts the prerequisites of the rule with the recipe first ($< is one of them).
    if (recipe !== undefined) {
      node.prereqs.unshift(...ownPrereqs);
      node.orderOnly.unshift(...orderOnly);
    } else {
      node.prereqs.push(...ownPrereqs);
      node.orderOnly.push(...orderOnly);
    }
    for (const name of [...ownPrereqs, ...orderOnly]) this.db.file(name).isPrereq = true;
    if (recipe !== undefined) {
      if (node.recipe !== undefined && node.recipe !== recipe) {
        this.warn(recipe.loc, `warning: overriding recipe for target '${target}'`);
        this.warn(node.recipe.loc, `warning: ignoring old recipe for target '${target}'`);
      }
      node.recipe = recipe;
    }
    this.noteDefaultGoal(target);
  }

  private noteDefaultGoal(target: string): void {
    const goal = this.globals.lookup('.DEFAULT_GOAL');
    if (goal !== undefined && goal.value !== '') return;
    if (target.startsWith('.') && !target.includes('/')) return;
    this.globals.bind('.DEFAULT_GOAL', target, 'file');
  }

  addPatternRule(targets: string[], prereqs: string[], orderOnly: string[], recipe: Recipe | undefined): void {
    const key = ruleKey(targets, prereqs);
    const rules = this.db.patternRules;
    for (let i = rules.length - 1; i >= 0; i--) {
      const rule = rules[i];
      if (rule !== undefined && ruleKey(rule.targets.map((t) => `${t.prefix}%${t.suffix}`), rule.prereqs) === key) rules.splice(i, 1);
    }
    if (recipe === undefined) {
      // A pattern rule without a recipe cancels the rule it names (a built-in one included).
      this.cancelledBuiltins.add(key);
      return;
    }
    this.db.addPatternRule(targets, prereqs, orderOnly, recipe, false);
  }

  /** After reading: old-fashioned suffix rules (`.c.o:`) and the built-in rules join the pattern rules. */
  installImplicitRules(): void {
    for (const node of this.db.files.values()) {
      if (!node.isTarget || node.recipe === undefined || node.prereqs.length > 0 || !node.name.startsWith('.')) continue;
      const pair = this.suffixRulePair(node.name);
      if (pair === undefined) continue;
      this.db.addPatternRule([`%${pair.target}`], [`%${pair.source}`], [], node.recipe, false);
    }
    if (this.options.noBuiltinRules) return;
    const builtinLoc: Loc = { file: '<builtin>', line: 0 };
    for (const rule of BUILTIN_RULES) {
      if (!this.suffixes.includes(rule.source)) continue;
      if (rule.target !== '' && !this.suffixes.includes(rule.target)) continue;
      const targets = [`%${rule.target}`];
      const prereqs = [`%${rule.source}`];
      const key = ruleKey(targets, prereqs);
      if (this.cancelledBuiltins.has(key)) continue;
      if (this.db.patternRules.some((r) => ruleKey(r.targets.map((t) => `${t.prefix}%${t.suffix}`), r.prereqs) === key)) continue;
      this.db.addPatternRule(targets, prereqs, [], { lines: rule.recipe, loc: builtinLoc }, true);
    }
  }

  /** `.c.o` is the rule `%.o: %.c`, `.c` is `%: %.c`, when the suffixes are known. */
  private suffixRulePair(name: string): { target: string; source: string } | undefined {
    if (this.suffixes.includes(name)) return { target: '', source: name };
    for (const source of this.suffixes) {
      if (name.startsWith(source) && this.suffixes.includes(name.slice(source.length))) {
        return { target: name.slice(source.length), source };
      }
    }
    return undefined;
  }
}

function ruleKey(targets: string[], prereqs: string[]): string {
  return `${targets.join(' ')}:${prereqs.join(' ')}`;
}
