// Reads makefile text into the session's database: conditionals, directives, variable
// assignments, rules and their recipes, with GNU make 4.3's rules for what ends a rule and
// its wording for every syntax error.

import type { AssignOp } from './database.js';
import type { ExpandContext } from './expand.js';
import {
  collapseContinuations,
  firstWord,
  parseVariableDefinition,
  recipeText,
  removeComments,
  splitLogicalLines,
  type LogicalLine,
  type VariableDefinition,
} from './lines.js';
import type { Session } from './session.js';
import { findOutsideReferences, isBlank, parsePattern, splitWords, stripSpace } from './text.js';
import { MakeFatal, type Loc } from './types.js';
import type { Origin } from './variables.js';

interface Conditional {
  /** The current branch is being read. */
  taken: boolean;
  /** Some branch was (or, inside an ignored block, must be treated as) taken. */
  anyTaken: boolean;
  seenElse: boolean;
}

interface Modifiers {
  export: boolean;
  unexport: boolean;
  override: boolean;
}

type Assignment =
  | { kind: 'assign'; def: VariableDefinition; mods: Modifiers }
  | { kind: 'define'; nameText: string; mods: Modifiers }
  | { kind: 'undefine'; nameText: string; mods: Modifiers };

interface PendingDefine {
  name: string;
  op: AssignOp;
  mods: Modifiers;
  loc: Loc;
  lines: string[];
  depth: number;
  /** Inside a false conditional: read to its endef, define nothing. */
  ignored: boolean;
}

/** A rule line read but not yet recorded: its recipe lines follow it. */
interface PendingRule {
  targets: string[];
  prereqs: string[];
  orderOnly: string[];
  pattern: boolean;
  /** `targets: target-pattern: prereq-patterns` */
  staticPattern: string | undefined;
  loc: Loc;
  recipeLines: string[];
  recipeLoc: Loc | undefined;
}

const CONDITIONALS = new Set(['ifdef', 'ifndef', 'ifeq', 'ifneq', 'else', 'endif']);
const IF_KINDS = new Set(['ifdef', 'ifndef', 'ifeq', 'ifneq']);
const MODIFIERS = new Set(['export', 'unexport', 'override', 'private']);

/** Reads one makefile, included file or $(eval) text. Conditionals must balance within it. */
export class MakefileReader {
  private readonly conditionals: Conditional[] = [];
  private rule: PendingRule | undefined;
  /** After a rule line that named no targets, its recipe lines are skipped. */
  private noTargets = false;
  private define: PendingDefine | undefined;

  constructor(
    private readonly session: Session,
    private readonly file: string,
    /** Added to line numbers: $(eval) text is numbered from the line that evaluates it. */
    private readonly lineOffset = 0,
  ) {}

  async read(text: string): Promise<void> {
    const split = splitLogicalLines(text);
    for (const line of split.lines) await this.line(line);
    if (this.define !== undefined) throw new MakeFatal(this.define.loc, "missing 'endef', unterminated 'define'");
    this.recordRule();
    if (this.conditionals.length > 0) {
      throw new MakeFatal(this.at(split.physicalLines + 1), "missing 'endif'");
    }
  }

  private at(line: number): Loc {
    return { file: this.file, line: line + this.lineOffset };
  }

  private ctx(loc: Loc): ExpandContext {
    return { scope: this.session.globals, loc };
  }

  private expand(text: string, loc: Loc): Promise<string> {
    return this.session.expander.expand(text, this.ctx(loc));
  }

  private ignoring(): boolean {
    const top = this.conditionals[this.conditionals.length - 1];
    return top !== undefined && !top.taken;
  }

  private async line(logical: LogicalLine): Promise<void> {
    const loc = this.at(logical.line);
    if (this.define !== undefined) {
      await this.defineLine(logical.text);
      return;
    }
    const raw = logical.text;
    if (raw.startsWith('\t')) {
      if (this.noTargets) return;
      if (this.rule !== undefined) {
        if (this.ignoring()) return;
        if (this.rule.recipeLoc === undefined) this.rule.recipeLoc = loc;
        this.rule.recipeLines.push(recipeText(raw));
        return;
      }
    }
    const collapsed = collapseContinuations(raw);
    const text = removeComments(collapsed);

    const assignment = parseAssignment(text);
    if (assignment !== undefined) {
      if (assignment.kind === 'define') {
        this.startDefine(assignment.nameText, assignment.mods, loc, this.ignoring());
        if (!this.ignoring()) this.recordRule();
        return;
      }
      if (this.ignoring()) return;
      this.recordRule();
      if (assignment.kind === 'undefine') await this.undefine(assignment.nameText, assignment.mods, loc);
      else await this.assign(assignment.def, assignment.mods, loc);
      return;
    }

    const { word, rest } = firstWord(text);
    if (word === '') return;
    if (CONDITIONALS.has(word)) {
      await this.conditional(word, rest, loc);
      return;
    }
    if (this.ignoring()) return;

    switch (word) {
      case 'export':
      case 'unexport':
        this.recordRule();
        await this.exportDirective(word === 'export', rest, loc);
        return;
      case 'vpath':
        this.recordRule();
        return;
      case 'include':
      case '-include':
      case 'sinclude':
        this.recordRule();
        await this.include(rest, word !== 'include', loc);
        return;
    }
    if (raw.startsWith('\t')) throw new MakeFatal(loc, 'recipe commences before first target');
    await this.ruleLine(collapsed, raw, loc);
  }

  // --- variables -----------------------------------------------------------------------------

  private async variableName(text: string, loc: Loc): Promise<string> {
    const name = stripSpace(await this.expand(text, loc));
    if (name === '') throw new MakeFatal(loc, 'empty variable name');
    return name;
  }

  private async assign(def: VariableDefinition, mods: Modifiers, loc: Loc): Promise<void> {
    const name = await this.variableName(def.name, loc);
    const origin: Origin = mods.override ? 'override' : 'file';
    await this.session.assign(name, def.op, def.value, origin, loc, exportState(mods));
  }

  private async undefine(nameText: string, mods: Modifiers, loc: Loc): Promise<void> {
    const name = await this.variableName(nameText, loc);
    this.session.undefine(name, mods.override ? 'override' : 'file');
  }

  private startDefine(nameText: string, mods: Modifiers, loc: Loc, ignored: boolean): void {
    const match = /^(.*?)[ \t]*(::=|:=|\+=|\?=|!=|=)$/.exec(nameText.trimEnd());
    const name = match ? (match[1] ?? '') : nameText;
    const op = (match?.[2] ?? '=') as AssignOp;
    this.define = { name, op, mods, loc, lines: [], depth: 1, ignored };
  }

  private async defineLine(raw: string): Promise<void> {
    const define = this.define;
    if (define === undefined) return;
    if (!raw.startsWith('\t')) {
      const { word } = firstWord(raw);
      if (word === 'define') define.depth++;
      else if (word === 'endef' && --define.depth === 0) {
        this.define = undefined;
        if (!define.ignored) {
          const name = await this.variableName(define.name, define.loc);
          const origin: Origin = define.mods.override ? 'override' : 'file';
          await this.session.assign(name, define.op, define.lines.join('\n'), origin, define.loc, exportState(define.mods));
        }
        return;
      }
    }
    define.lines.push(raw);
  }

  private async exportDirective(exporting: boolean, rest: string, loc: Loc): Promise<void> {
    if (stripSpace(rest) === '') {
      this.session.exportAll = exporting;
      return;
    }
    for (const name of splitWords(await this.expand(rest, loc))) {
      this.session.setExport(name, exporting ? 'export' : 'noexport', loc);
    }
  }

  // --- conditionals --------------------------------------------------------------------------

  private async conditional(word: string, rest: string, loc: Loc): Promise<void> {
    if (word === 'endif') {
      if (this.conditionals.length === 0) throw new MakeFatal(loc, "extraneous 'endif'");
      if (stripSpace(rest) !== '') this.session.warn(loc, "extraneous text after 'endif' directive");
      this.conditionals.pop();
      return;
    }
    if (word === 'else') {
      const top = this.conditionals[this.conditionals.length - 1];
      if (top === undefined) throw new MakeFatal(loc, "extraneous 'else'");
      if (top.seenElse) throw new MakeFatal(loc, "only one 'else' per conditional");
      const chained = firstWord(rest);
      if (IF_KINDS.has(chained.word)) {
        top.taken = !top.anyTaken && (await this.evaluate(chained.word, chained.rest, loc));
      } else {
        if (stripSpace(rest) !== '') this.session.warn(loc, "extraneous text after 'else' directive");
        top.seenElse = true;
        top.taken = !top.anyTaken;
      }
      top.anyTaken ||= top.taken;
      return;
    }
    if (this.ignoring()) {
      this.conditionals.push({ taken: false, anyTaken: true, seenElse: false });
      return;
    }
    const taken = await this.evaluate(word, rest, loc);
    this.conditionals.push({ taken, anyTaken: taken, seenElse: false });
  }

  private async evaluate(word: string, rest: string, loc: Loc): Promise<boolean> {
    if (word === 'ifdef' || word === 'ifndef') {
      const words = splitWords(await this.expand(rest, loc));
      if (words.length > 1) throw new MakeFatal(loc, 'invalid syntax in conditional');
      const value = this.session.globals.lookup(words[0] ?? '')?.value ?? '';
      return (value !== '') === (word === 'ifdef');
    }
    const args = parseComparison(rest);
    if (args === undefined) throw new MakeFatal(loc, 'invalid syntax in conditional');
    if (stripSpace(args.after) !== '') this.session.warn(loc, `extraneous text after '${word}' directive`);
    const left = await this.expand(args.left, loc);
    const right = await this.expand(args.right, loc);
    return (left === right) === (word === 'ifeq');
  }

  // --- include -------------------------------------------------------------------------------

  private async include(rest: string, optional: boolean, loc: Loc): Promise<void> {
    const names = await this.session.expandFileNames(await this.expand(rest, loc));
    for (const name of names) await this.session.include(name, optional, loc);
  }

  // --- rules ---------------------------------------------------------------------------------

  private async ruleLine(collapsed: string, raw: string, loc: Loc): Promise<void> {
    this.recordRule();
    this.noTargets = false;
    let ruleText: string;
    let inlineRecipe: string | undefined;
    const semicolon = findOutsideReferences(collapsed, ';');
    const beforeSemicolon = semicolon < 0 ? collapsed : collapsed.slice(0, semicolon);
    const uncommented = removeComments(beforeSemicolon);
    if (semicolon >= 0 && uncommented === beforeSemicolon) {
      ruleText = beforeSemicolon;
      inlineRecipe = collapsed.slice(semicolon + 1).replace(/^[ \t]+/, '');
    } else {
      ruleText = uncommented;
    }

    let targetsText: string;
    let afterColon: string;
    let afterExpanded = false;
    const colon = findOutsideReferences(ruleText, ':');
    if (colon >= 0) {
      targetsText = await this.expand(ruleText.slice(0, colon), loc);
      afterColon = ruleText.slice(colon + 1);
    } else {
      const expanded = await this.expand(ruleText, loc);
      const expandedColon = expanded.indexOf(':');
      if (expandedColon < 0) {
        if (stripSpace(expanded) === '') return;
        throw new MakeFatal(loc, missingSeparator(raw));
      }
      targetsText = expanded.slice(0, expandedColon);
      afterColon = expanded.slice(expandedColon + 1);
      afterExpanded = true;
    }
    if (afterColon.startsWith(':')) afterColon = afterColon.slice(1);
    targetsText = targetsText.replace(/&\s*$/, '');

    const targetVariable = parseAssignment(afterColon);
    if (targetVariable !== undefined && targetVariable.kind === 'assign') {
      await this.targetVariable(targetsText, targetVariable.def, targetVariable.mods, loc);
      return;
    }

    const targets = await this.session.expandFileNames(targetsText);
    if (targets.length === 0) {
      this.noTargets = true;
      return;
    }

    let staticPattern: string | undefined;
    const secondColon = afterExpanded ? afterColon.indexOf(':') : findOutsideReferences(afterColon, ':');
    if (secondColon >= 0) {
      const patternText = afterExpanded ? afterColon.slice(0, secondColon) : await this.expand(afterColon.slice(0, secondColon), loc);
      staticPattern = splitWords(patternText)[0] ?? '';
      if (typeof parsePattern(staticPattern) === 'string') throw new MakeFatal(loc, "target pattern contains no '%'");
      afterColon = afterColon.slice(secondColon + 1);
    }
    const prereqText = afterExpanded ? afterColon : await this.expand(afterColon, loc);
    const bar = prereqText.indexOf('|');
    const prereqs = await this.session.expandFileNames(bar < 0 ? prereqText : prereqText.slice(0, bar));
    const orderOnly = bar < 0 ? [] : await this.session.expandFileNames(prereqText.slice(bar + 1));

    const patterns = targets.filter((t) => typeof parsePattern(t) !== 'string');
    let pattern = staticPattern === undefined && patterns.length > 0;
    if (pattern && patterns.length !== targets.length) {
      // GNU 4.3 decides by the first target: a pattern rule may not name ordinary targets after
      // it (fatal), while an ordinary rule naming a pattern later is read as ordinary rules.
      if (typeof parsePattern(targets[0]!) !== 'string') throw new MakeFatal(loc, 'mixed implicit and normal rules');
      this.session.warn(loc, '*** mixed implicit and normal rules: deprecated syntax');
      pattern = false;
    }

    this.rule = { targets, prereqs, orderOnly, pattern, staticPattern, loc, recipeLines: [], recipeLoc: undefined };
    if (inlineRecipe !== undefined) {
      this.rule.recipeLoc = loc;
      this.rule.recipeLines.push(inlineRecipe);
    }
  }

  private async targetVariable(targetsText: string, def: VariableDefinition, mods: Modifiers, loc: Loc): Promise<void> {
    const name = await this.variableName(def.name, loc);
    // GNU expands `:=` target-specific values when it reads them.
    const value = def.op === ':=' || def.op === '::=' ? await this.expand(def.value, loc) : def.value;
    const variable = { name, op: def.op, value, override: mods.override, exported: mods.export, loc };
    for (const target of await this.session.expandFileNames(targetsText)) {
      const pattern = parsePattern(target);
      if (typeof pattern === 'string') this.session.db.file(target).variables.push(variable);
      else this.session.db.patternVariables.push({ pattern, variable });
    }
  }

  /** Files the finished rule into the database, as GNU's record_waiting_files does. */
  private recordRule(): void {
    const rule = this.rule;
    if (rule === undefined) return;
    this.rule = undefined;
    const recipe = rule.recipeLoc === undefined ? undefined : { lines: rule.recipeLines, loc: rule.recipeLoc };
    if (rule.pattern) {
      this.session.addPatternRule(rule.targets, rule.prereqs, rule.orderOnly, recipe);
      return;
    }
    for (const target of rule.targets) {
      this.session.addExplicitRule(target, rule.prereqs, rule.orderOnly, recipe, rule.staticPattern, rule.loc);
    }
  }
}

function exportState(mods: Modifiers): 'export' | 'noexport' | undefined {
  return mods.export ? 'export' : mods.unexport ? 'noexport' : undefined;
}

/** A variable assignment, possibly behind export/override/private, or define/undefine. */
function parseAssignment(text: string): Assignment | undefined {
  const mods: Modifiers = { export: false, unexport: false, override: false };
  let rest = text;
  while (true) {
    const def = parseVariableDefinition(rest);
    if (def !== undefined) return { kind: 'assign', def, mods };
    const { word, rest: after } = firstWord(rest);
    if (word === 'define') return { kind: 'define', nameText: after, mods };
    if (word === 'undefine') return { kind: 'undefine', nameText: after, mods };
    if (!MODIFIERS.has(word)) return undefined;
    if (word === 'export') mods.export = true;
    else if (word === 'unexport') mods.unexport = true;
    else if (word === 'override') mods.override = true;
    if (stripSpace(after) === '') return undefined;
    rest = after;
  }
}

/**
 * The two strings of `ifeq (a,b)`, `ifeq "a" "b"` or `ifeq 'a' "b"`. In the parenthesised
 * form blanks before the comma and after it go; blanks inside the parentheses otherwise stay.
 */
export function parseComparison(rest: string): { left: string; right: string; after: string } | undefined {
  const open = rest[0];
  if (open === '(') {
    let depth = 0;
    let comma = -1;
    for (let i = 1; i < rest.length; i++) {
      const c = rest[i];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ',' && depth <= 0) {
        comma = i;
        break;
      }
    }
    if (comma < 0) return undefined;
    const left = rest.slice(1, comma).replace(/[ \t]+$/, '');
    let start = comma + 1;
    while (isBlank(rest[start])) start++;
    depth = 0;
    for (let i = start; i < rest.length; i++) {
      const c = rest[i];
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) return { left, right: rest.slice(start, i), after: rest.slice(i + 1) };
        depth--;
      }
    }
    return undefined;
  }
  if (open !== '"' && open !== "'") return undefined;
  const end1 = rest.indexOf(open, 1);
  if (end1 < 0) return undefined;
  let start = end1 + 1;
  while (isBlank(rest[start])) start++;
  const quote2 = rest[start];
  if (quote2 !== '"' && quote2 !== "'") return undefined;
  const end2 = rest.indexOf(quote2, start + 1);
  if (end2 < 0) return undefined;
  return { left: rest.slice(1, end1), right: rest.slice(start + 1, end2), after: rest.slice(end2 + 1) };
}

/**
 * GNU's "missing separator": it adds a hint when the line starts with (at least) eight
 * spaces, the classic editor-replaced-my-TAB mistake, and always words it "8 spaces".
 */
function missingSeparator(raw: string): string {
  return raw.startsWith('        ') ? 'missing separator (did you mean TAB instead of 8 spaces?)' : 'missing separator';
}
