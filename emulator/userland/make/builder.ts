// Bringing goals up to date: walk the prerequisites depth first, compare timestamps, find
// implicit rules, and run recipes line by line through the shell, with GNU make's messages.

import type { FileNode, Recipe, TargetVariable } from './database.js';
import type { ExpandContext } from './expand.js';
import { ImplicitSearch, type ImplicitMatch } from './implicit.js';
import { splitCommandLines } from './lines.js';
import { directoryOf, notdirPart, resolvePath } from './paths.js';
import type { Session } from './session.js';
import { matchPattern, splitWords } from './text.js';
import { MakeFatal, MakeStop, type Loc } from './types.js';
import { outranks, Scope, type Origin, type Variable } from './variables.js';

/** "No rule to make target": a fatal error the makefile-remaking step words differently. */
export class NoRuleError extends MakeFatal {
  constructor(readonly target: string, text: string) {
    super(undefined, text);
    this.name = 'NoRuleError';
  }
}

type Status = 'ok' | 'failed';

interface FileState {
  status: 'running' | Status;
  /** The timestamp dependents compare with: Infinity once remade, or when it does not exist. */
  time: number;
  /** A recipe was found for it (its own or an implicit rule's). */
  hadRecipe: boolean;
  phony: boolean;
}

/** How a file is made, once its own rule and the implicit rule search have been consulted. */
interface ResolvedRule {
  recipe: Recipe | undefined;
  stem: string;
  prereqs: string[];
  orderOnly: string[];
  /** Found for it while searching a rule for something that needs it: an intermediate file. */
  chained: boolean;
}

interface AutomaticValues {
  prereqs: string[];
  orderOnly: string[];
  newer: string[];
  stem: string;
}

interface LineFlags {
  silent: boolean;
  ignore: boolean;
  force: boolean;
}

export interface BuilderMode {
  /** Remaking makefiles: -n/-q/-t do not apply and no "Nothing to be done" message is given. */
  makefiles: boolean;
}

export class Builder {
  private readonly states = new Map<string, FileState>();
  private readonly mtimes = new Map<string, number | undefined>();
  /** Rules chosen for intermediate files while searching for their dependent's rule. */
  private readonly chains = new Map<string, ImplicitMatch>();
  /** Intermediate files made by this run, deleted at the end as GNU does. */
  private readonly intermediates: string[] = [];
  private readonly search: ImplicitSearch;
  private readonly phony: Set<string>;
  private readonly silentTargets: Set<string>;
  private readonly ignoreTargets: Set<string>;
  private readonly keptIntermediates: Set<string>;
  private readonly silentAll: boolean;
  private readonly ignoreAll: boolean;
  private readonly keepAllIntermediates: boolean;
  private readonly dryRun: boolean;
  private readonly question: boolean;
  private readonly touch: boolean;
  private readonly oneShell: boolean;
  /** Recipe lines started (or printed under -n); GNU's "commands_started". */
  commandsRun = 0;
  /** A target could not be made (with -k, make goes on and exits 2 at the end). */
  failed = false;
  /** -q found something out of date. */
  outOfDate = false;

  constructor(
    private readonly session: Session,
    private readonly mode: BuilderMode = { makefiles: false },
  ) {
    const db = session.db;
    this.search = new ImplicitSearch({ db, suffixes: session.suffixes, exists: async (name) => (await this.stat(name)) !== undefined });
    this.phony = db.special('.PHONY');
    this.silentTargets = db.special('.SILENT');
    this.ignoreTargets = db.special('.IGNORE');
    this.keptIntermediates = new Set([...db.special('.SECONDARY'), ...db.special('.PRECIOUS')]);
    this.silentAll = db.isSpecialForAll('.SILENT');
    this.ignoreAll = db.isSpecialForAll('.IGNORE');
    this.keepAllIntermediates = db.isSpecialForAll('.SECONDARY');
    this.oneShell = db.files.get('.ONESHELL')?.isTarget === true;
    const options = session.options;
    this.dryRun = options.dryRun && !mode.makefiles;
    this.question = options.question && !mode.makefiles;
    this.touch = options.touch && !mode.makefiles;
  }

  private get program(): string {
    return this.session.program;
  }

  /** Updates each goal in turn; prints "Nothing to be done" / "is up to date" as GNU does. */
  async updateGoals(goals: readonly string[]): Promise<void> {
    try {
      for (const goal of goals) {
        const before = this.commandsRun;
        const status = await this.update(goal, undefined, this.session.globals, 0);
        if (status !== 'ok' || this.commandsRun !== before || this.mode.makefiles) continue;
        if (this.session.options.silent || this.question) continue;
        const state = this.states.get(goal);
        const nothing = state === undefined || state.phony || !state.hadRecipe;
        this.session.env.stdout(
          nothing ? `${this.program}: Nothing to be done for '${goal}'.\n` : `${this.program}: '${goal}' is up to date.\n`,
        );
      }
    } finally {
      await this.removeIntermediates();
    }
  }

  /** Whether the file was remade with a new timestamp (for makefile remaking). */
  timeOf(name: string): number | undefined {
    return this.states.get(name)?.time;
  }

  private async stat(name: string): Promise<number | undefined> {
    if (this.mtimes.has(name)) return this.mtimes.get(name);
    const time = await this.session.env.mtime(resolvePath(this.session.cwd, name));
    this.mtimes.set(name, time);
    return time;
  }

  private async update(name: string, parent: string | undefined, inherited: Scope, depth: number): Promise<Status | 'dropped'> {
    const known = this.states.get(name);
    if (known !== undefined) {
      if (known.status !== 'running') return known.status;
      this.session.env.stderr(`${this.program}: Circular ${parent ?? name} <- ${name} dependency dropped.\n`);
      return 'dropped';
    }
    const phony = this.phony.has(name);
    const state: FileState = { status: 'running', time: Infinity, hadRecipe: false, phony };
    this.states.set(name, state);

    const node = this.session.db.files.get(name);
    const ownTime = phony ? undefined : await this.stat(name);
    const rule = await this.ruleFor(name, node, phony, ownTime);
    if (rule === undefined) return this.noRule(name, parent, state);
    state.hadRecipe = rule.recipe !== undefined;

    const scope = this.targetScope(name, node, inherited);
    const prerequisites = await this.updatePrerequisites(name, rule, scope, depth, ownTime);
    if (prerequisites === 'failed') return this.prerequisiteFailed(name, state, depth);
    const { times, intermediates, intermediatesNeeded } = prerequisites;
    const orderOnly = new Set(rule.orderOnly.filter((p) => !rule.prereqs.includes(p)));
    const normal = unique(rule.prereqs).filter((p) => !orderOnly.has(p));
    const newerThanTarget = (): string[] =>
      normal.filter((p) => {
        const time = times.get(p);
        return time !== undefined && (ownTime === undefined || time > ownTime);
      });

    const mustMake =
      this.session.options.alwaysMake || phony || ownTime === undefined || intermediatesNeeded || newerThanTarget().length > 0;
    if (!mustMake) return this.finish(state, ownTime);
    // GNU makes a missing intermediate file only once it knows the target needing it must be made.
    for (const prereq of intermediates) {
      const result = await this.update(prereq, name, scope, depth + 1);
      if (result === 'failed') return this.prerequisiteFailed(name, state, depth);
      if (result === 'ok') times.set(prereq, (this.states.get(prereq) as FileState).time);
    }
    if (this.question) {
      this.outOfDate = true;
      return this.finish(state, Infinity);
    }
    if (rule.recipe === undefined) return this.finish(state, ownTime ?? Infinity);

    const values = { prereqs: rule.prereqs, orderOnly: rule.orderOnly, newer: newerThanTarget(), stem: rule.stem };
    const run = this.touch && !phony ? await this.touchFile(name) : await this.runRecipe(name, rule.recipe, scope, values);
    if (!run.ok) {
      state.status = 'failed';
      this.failed = true;
      return 'failed';
    }
    this.mtimes.delete(name);
    if (rule.chained && ownTime === undefined && !this.isKept(name)) this.intermediates.push(name);
    if (phony || (this.dryRun && !run.allRecursive)) return this.finish(state, Infinity);
    return this.finish(state, (await this.stat(name)) ?? Infinity);
  }

  private finish(state: FileState, time: number): Status {
    state.status = 'ok';
    state.time = time;
    return 'ok';
  }

  /**
   * The rule that makes a file: its own recipe, else an implicit rule (whose prerequisites come
   * first), else .DEFAULT. Undefined when nothing makes a file that does not exist.
   */
  private async ruleFor(name: string, node: FileNode | undefined, phony: boolean, ownTime: number | undefined): Promise<ResolvedRule | undefined> {
    const rule: ResolvedRule = {
      recipe: node?.recipe,
      stem: node?.stem ?? this.suffixStem(name),
      prereqs: [...(node?.prereqs ?? [])],
      orderOnly: [...(node?.orderOnly ?? [])],
      chained: false,
    };
    if (rule.recipe === undefined && !phony) {
      const chained = this.chains.get(name);
      const match = chained ?? (await this.search.find(name));
      if (match !== undefined) {
        rule.recipe = match.rule.recipe;
        rule.stem = match.stem;
        rule.prereqs.unshift(...match.prereqs);
        rule.orderOnly.unshift(...match.orderOnly);
        rule.chained = chained !== undefined;
        for (const [file, sub] of match.intermediates) this.chains.set(file, sub);
      }
    }
    if (rule.recipe === undefined && !phony && node?.isTarget !== true && ownTime === undefined) {
      rule.recipe = this.session.db.files.get('.DEFAULT')?.recipe;
      if (rule.recipe === undefined) return undefined;
    }
    return rule;
  }

  /** Brings the prerequisites up to date; missing intermediate files are only checked, not made. */
  private async updatePrerequisites(
    name: string,
    rule: ResolvedRule,
    scope: Scope,
    depth: number,
    ownTime: number | undefined,
  ): Promise<{ times: Map<string, number>; intermediates: string[]; intermediatesNeeded: boolean } | 'failed'> {
    const times = new Map<string, number>();
    const intermediates: string[] = [];
    let intermediatesNeeded = false;
    let failed = false;
    for (const prereq of unique([...rule.prereqs, ...rule.orderOnly])) {
      if (await this.isMissingIntermediate(prereq)) {
        intermediates.push(prereq);
        const needed = await this.intermediateNeeded(prereq, scope, depth + 1, ownTime);
        if (needed === 'failed') failed = true;
        else intermediatesNeeded ||= needed;
        continue;
      }
      const result = await this.update(prereq, name, scope, depth + 1);
      if (result === 'failed') failed = true;
      else if (result === 'ok') times.set(prereq, (this.states.get(prereq) as FileState).time);
    }
    return failed ? 'failed' : { times, intermediates, intermediatesNeeded };
  }

  private prerequisiteFailed(name: string, state: FileState, depth: number): Status {
    state.status = 'failed';
    this.failed = true;
    if (depth === 0 && this.session.options.keepGoing && !this.dryRun && !this.question) {
      this.session.env.stderr(`${this.program}: Target '${name}' not remade because of errors.\n`);
    }
    return 'failed';
  }

  /** A file an implicit rule chain needs that does not exist (GNU's intermediate file). */
  private async isMissingIntermediate(name: string): Promise<boolean> {
    return this.chains.has(name) && !this.states.has(name) && (await this.stat(name)) === undefined;
  }

  /**
   * Whether a missing intermediate file must be made for a target last changed at `targetTime`:
   * only if something it is made from is newer (GNU's check_dep). Its sources are updated.
   */
  private async intermediateNeeded(name: string, scope: Scope, depth: number, targetTime: number | undefined): Promise<boolean | 'failed'> {
    const match = this.chains.get(name);
    if (match === undefined) return true;
    for (const [file, sub] of match.intermediates) this.chains.set(file, sub);
    let needed = targetTime === undefined;
    for (const prereq of unique(match.prereqs)) {
      if (await this.isMissingIntermediate(prereq)) {
        const deeper = await this.intermediateNeeded(prereq, scope, depth + 1, targetTime);
        if (deeper === 'failed') return 'failed';
        needed ||= deeper;
        continue;
      }
      const result = await this.update(prereq, name, scope, depth + 1);
      if (result === 'failed') return 'failed';
      const time = this.states.get(prereq)?.time;
      if (result === 'ok' && time !== undefined && (targetTime === undefined || time > targetTime)) needed = true;
    }
    return needed;
  }

  private noRule(name: string, parent: string | undefined, state: FileState): Status {
    const text = parent === undefined ? `No rule to make target '${name}'` : `No rule to make target '${name}', needed by '${parent}'`;
    if (!this.session.options.keepGoing || this.mode.makefiles) throw new NoRuleError(name, text);
    this.session.env.stderr(`${this.program}: *** ${text}.\n`);
    state.status = 'failed';
    this.failed = true;
    return 'failed';
  }

  private isKept(name: string): boolean {
    return this.keepAllIntermediates || this.keptIntermediates.has(name);
  }

  /** $* of an explicit rule: the name without a known suffix, or empty. */
  private suffixStem(name: string): string {
    const suffix = this.session.suffixes.find((s) => name.endsWith(s) && name.length > s.length);
    return suffix === undefined ? '' : name.slice(0, name.length - suffix.length);
  }

  // --- target-specific variables -------------------------------------------------------------

  private targetScope(name: string, node: FileNode | undefined, inherited: Scope): Scope {
    const assignments: TargetVariable[] = [];
    for (const { pattern, variable } of this.session.db.patternVariables) {
      if (matchPattern(pattern, name) !== undefined) assignments.push(variable);
    }
    assignments.push(...(node?.variables ?? []));
    if (assignments.length === 0) return inherited;
    const scope = new Scope(inherited);
    for (const assignment of assignments) this.applyTargetVariable(scope, assignment);
    return scope;
  }

  private applyTargetVariable(scope: Scope, assignment: TargetVariable): void {
    const origin: Origin = assignment.override ? 'override' : 'file';
    const existing = scope.lookup(assignment.name);
    if (existing !== undefined && outranks(existing.origin, origin)) return;
    if (assignment.op === '?=' && existing !== undefined) return;
    let value = assignment.value;
    let flavor: Variable['flavor'] = assignment.op === ':=' || assignment.op === '::=' ? 'simple' : 'recursive';
    if (assignment.op === '+=' && existing !== undefined) {
      // A simple variable's addition is expanded when it is read in GNU; here, when first used.
      flavor = existing.flavor;
      value = existing.value === '' ? value : `${existing.value} ${value}`;
    }
    scope.setLocal({
      name: assignment.name,
      value,
      flavor,
      origin,
      exportState: assignment.exported ? 'export' : (existing?.exportState ?? 'default'),
      loc: assignment.loc,
    });
  }

  // --- recipes -------------------------------------------------------------------------------

  private async runRecipe(
    name: string,
    recipe: Recipe,
    scope: Scope,
    values: AutomaticValues,
  ): Promise<{ ok: boolean; allRecursive: boolean }> {
    const { env, expander, options, cwd } = this.session;
    const automatic = new Scope(scope);
    bindAutomatic(automatic, name, values);
    // GNU expands every line of a recipe before running the first.
    const lines: ExpandedLine[] = [];
    for (const [index, raw] of recipe.lines.entries()) {
      const loc = { file: recipe.loc.file, line: recipe.loc.line + index };
      lines.push({ raw, expanded: await expander.expand(raw, { scope: automatic, loc }), loc });
    }
    const commands = this.oneShell ? oneShellCommand(lines) : commandsOf(lines);
    let environment: Record<string, string> | undefined;
    const targetSilent = options.silent || this.silentAll || this.silentTargets.has(name);
    const targetIgnores = options.ignoreErrors || this.ignoreAll || this.ignoreTargets.has(name);
    let allRecursive = true;
    for (const { text, flags, loc } of commands) {
      if (!flags.force) allRecursive = false;
      // Under -n every line is shown, even `@` ones and the recursive ones that still run.
      if (this.dryRun || (!flags.silent && !targetSilent)) env.stdout(`${text}\n`);
      this.commandsRun++;
      if (this.dryRun && !flags.force) continue;
      environment ??= await this.environment(automatic);
      const status = await env.runRecipe(text, cwd, environment);
      if (status === 0) continue;
      const where = `[${locText(loc)}: ${name}] Error ${status}`;
      if (flags.ignore || targetIgnores) {
        env.stderr(`${this.program}: ${where} (ignored)\n`);
        continue;
      }
      env.stderr(`${this.program}: *** ${where}\n`);
      if (!options.keepGoing) throw new MakeStop();
      return { ok: false, allRecursive };
    }
    return { ok: true, allRecursive };
  }

  private async touchFile(name: string): Promise<{ ok: boolean; allRecursive: boolean }> {
    const { env, options, cwd } = this.session;
    if (!options.silent) env.stdout(`touch ${name}\n`);
    this.commandsRun++;
    const status = await env.runRecipe(`touch ${shellQuote(name)}`, cwd, { ...env.environment });
    return { ok: status === 0, allRecursive: false };
  }

  /** The environment of a recipe: make's own, plus exported variables, MAKELEVEL+1 and MAKEFLAGS. */
  private async environment(scope: Scope): Promise<Record<string, string>> {
    const { env, expander, globals, invocation } = this.session;
    const result: Record<string, string> = { ...env.environment };
    const chain: Scope[] = [];
    for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) chain.unshift(s);
    const visible = new Map<string, Variable>();
    for (const s of chain) for (const variable of s.locals()) visible.set(variable.name, variable);
    const ctx: ExpandContext = { scope, loc: undefined };
    for (const variable of visible.values()) {
      if (this.session.isExported(variable)) {
        // Variables straight from the environment go back unchanged, as in GNU.
        const fromEnvironment = variable.origin === 'environment' || variable.origin === 'environment override';
        result[variable.name] = fromEnvironment ? variable.value : await expander.expandVariable(variable, ctx);
      } else if (variable.exportState === 'noexport') {
        delete result[variable.name];
      }
    }
    result.MAKELEVEL = String(invocation.makelevel + 1);
    result.MAKEFLAGS = globals.lookup('MAKEFLAGS')?.value ?? '';
    result.MFLAGS = globals.lookup('MFLAGS')?.value ?? '';
    // GNU's own indirection for the overrides, which it exports alongside them.
    if (invocation.options.overrides.length > 0) result.MAKEOVERRIDES = '${-*-command-variables-*-}';
    return result;
  }

  /** GNU deletes the intermediate files it made (those that exist; all of them under -n). */
  private async removeIntermediates(): Promise<void> {
    const { env, options, cwd } = this.session;
    const names: string[] = [];
    for (const name of this.intermediates.splice(0)) {
      this.mtimes.delete(name);
      if (this.dryRun || (await this.stat(name)) !== undefined) names.push(name);
    }
    if (names.length === 0) return;
    if (!options.silent) env.stdout(`rm ${names.join(' ')}\n`);
    if (!this.dryRun) await env.runRecipe(`rm -f ${names.map(shellQuote).join(' ')}`, cwd, { ...env.environment });
  }
}

interface ExpandedLine {
  raw: string;
  expanded: string;
  loc: Loc;
}

/** A command for the shell, its prefixes applied (`force` also marks $(MAKE) lines). */
interface Command {
  text: string;
  flags: LineFlags;
  loc: Loc;
}

const NO_FLAGS: LineFlags = { silent: false, ignore: false, force: false };

/**
 * The commands of a recipe: each line, and each line of a multi-line expansion, is its own
 * command, with the prefixes of the written line and its own.
 */
function commandsOf(lines: readonly ExpandedLine[]): Command[] {
  const commands: Command[] = [];
  for (const line of lines) {
    const written = leadingFlags(line.raw, NO_FLAGS).flags;
    if (mentionsMake(line.raw)) written.force = true;
    for (const piece of splitCommandLines(line.expanded)) {
      const { command, flags } = leadingFlags(piece, written);
      if (command !== '') commands.push({ text: command, flags, loc: line.loc });
    }
  }
  return commands;
}

/** Under .ONESHELL the recipe is one script; the first line's prefixes apply to all of it. */
function oneShellCommand(lines: readonly ExpandedLine[]): Command[] {
  const first = lines[0];
  if (first === undefined) return [];
  const { command, flags } = leadingFlags(first.expanded, leadingFlags(first.raw, NO_FLAGS).flags);
  if (lines.some((line) => mentionsMake(line.raw))) flags.force = true;
  const rest = lines.slice(1).map((line) => line.expanded.replace(/^[ \t@+-]+/, ''));
  const text = [command, ...rest].join('\n');
  return text.trim() === '' ? [] : [{ text, flags, loc: first.loc }];
}

function mentionsMake(line: string): boolean {
  return /\$[({]MAKE[)}]/.test(line);
}

/** Strips the leading blanks and `@`, `-`, `+` of a recipe line, adding their meaning to `base`. */
function leadingFlags(text: string, base: LineFlags): { command: string; flags: LineFlags } {
  const flags = { ...base };
  let i = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '@') flags.silent = true;
    else if (c === '-') flags.ignore = true;
    else if (c === '+') flags.force = true;
    else if (c !== ' ' && c !== '\t') break;
  }
  return { command: text.slice(i), flags };
}

function bindAutomatic(scope: Scope, target: string, values: AutomaticValues): void {
  const set = (name: string, value: string): void => {
    scope.bind(name, value);
    const words = splitWords(value);
    scope.bind(`${name}D`, words.map(directoryOf).join(' '));
    scope.bind(`${name}F`, words.map(notdirPart).join(' '));
  };
  set('@', target);
  set('<', values.prereqs[0] ?? '');
  set('^', unique(values.prereqs).join(' '));
  set('+', values.prereqs.join(' '));
  set('?', unique(values.newer).join(' '));
  set('|', unique(values.orderOnly).join(' '));
  set('*', values.stem);
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function locText(loc: Loc): string {
  return loc.line > 0 ? `${loc.file}:${loc.line}` : loc.file;
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
