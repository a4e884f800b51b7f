// What reading makefiles produces: files with their rules, pattern rules, target-specific
// variables and the special targets (.PHONY, .SILENT...).

import type { Loc } from './types.js';
import { parsePattern, type Pattern } from './text.js';

/** A recipe: its command lines (TABs removed, continuations kept) and where the first one is. */
export interface Recipe {
  lines: string[];
  /** GNU numbers command line i as loc.line + i, whatever blank lines lie between them. */
  loc: Loc;
}

/** An assignment written `target: VAR = value`, applied when the target is built. */
export interface TargetVariable {
  name: string;
  op: AssignOp;
  value: string;
  override: boolean;
  exported: boolean;
  loc: Loc;
}

export type AssignOp = '=' | ':=' | '::=' | '+=' | '?=' | '!=';

export interface FileNode {
  name: string;
  prereqs: string[];
  orderOnly: string[];
  recipe: Recipe | undefined;
  /** Appears as the target of a rule (so it "ought to exist" and needs no file). */
  isTarget: boolean;
  /** Appears as a prerequisite in some rule. */
  isPrereq: boolean;
  /** Stem of the static pattern rule that made this file's rule, for $*. */
  stem: string | undefined;
  variables: TargetVariable[];
}

export interface PatternRule {
  targets: Pattern[];
  prereqs: string[];
  orderOnly: string[];
  recipe: Recipe | undefined;
  /** Built-in rules come after the makefile's own. */
  builtin: boolean;
}

export interface PatternVariable {
  pattern: Pattern;
  variable: TargetVariable;
}

export class Database {
  readonly files = new Map<string, FileNode>();
  readonly patternRules: PatternRule[] = [];
  readonly patternVariables: PatternVariable[] = [];
  /** Read order of explicit targets, for the default goal and suffix rules. */
  readonly targetOrder: string[] = [];

  file(name: string): FileNode {
    let node = this.files.get(name);
    if (node === undefined) {
      node = { name, prereqs: [], orderOnly: [], recipe: undefined, isTarget: false, isPrereq: false, stem: undefined, variables: [] };
      this.files.set(name, node);
    }
    return node;
  }

  /** Prerequisites of a special target such as .PHONY (empty if it is not mentioned). */
  special(name: string): Set<string> {
    return new Set(this.files.get(name)?.prereqs ?? []);
  }

  /** Whether a special target like .SILENT was given without prerequisites (meaning "all"). */
  isSpecialForAll(name: string): boolean {
    const node = this.files.get(name);
    return node !== undefined && node.isTarget && node.prereqs.length === 0;
  }

  addPatternRule(targets: string[], prereqs: string[], orderOnly: string[], recipe: Recipe | undefined, builtin: boolean): void {
    const patterns = targets.map(parsePattern).filter((p): p is Pattern => typeof p !== 'string');
    this.patternRules.push({ targets: patterns, prereqs, orderOnly, recipe, builtin });
  }
}
