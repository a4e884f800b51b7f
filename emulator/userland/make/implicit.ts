// Implicit rule search, after GNU make's implicit.c: among the pattern rules whose target
// matches (shortest stem first), take the first whose prerequisites exist or ought to exist;
// failing that, the first whose missing prerequisites can themselves be made by a chain of
// pattern rules (those become intermediate files).

import type { Database, PatternRule } from './database.js';
import { matchPattern, parsePattern, substituteStem, type Pattern } from './text.js';

export interface ImplicitMatch {
  rule: PatternRule;
  /** $*: the stem, with the directory put back when the pattern had none. */
  stem: string;
  prereqs: string[];
  orderOnly: string[];
  /** Prerequisites that do not exist and are made by further pattern rules. */
  intermediates: Map<string, ImplicitMatch>;
}

export interface SearchHost {
  readonly db: Database;
  readonly suffixes: readonly string[];
  /** The file exists now. */
  exists(name: string): Promise<boolean>;
}

interface Candidate {
  rule: PatternRule;
  stem: string;
  /** Directory removed before matching (the pattern had no slash); put back on prerequisites. */
  dir: string;
  stemLength: number;
}

export class ImplicitSearch {
  constructor(private readonly host: SearchHost) {}

  find(name: string): Promise<ImplicitMatch | undefined> {
    return this.search(name, 0, new Set());
  }

  private async search(name: string, depth: number, inUse: ReadonlySet<PatternRule>): Promise<ImplicitMatch | undefined> {
    const candidates = this.candidates(name, depth, inUse);
    for (const candidate of candidates) {
      const prereqs = this.prerequisites(candidate, candidate.rule.prereqs);
      let ok = true;
      for (const prereq of prereqs) {
        if (!(await this.existsOrOught(prereq))) {
          ok = false;
          break;
        }
      }
      if (ok) return this.match(candidate, prereqs, new Map());
    }
    for (const candidate of candidates) {
      const prereqs = this.prerequisites(candidate, candidate.rule.prereqs);
      const intermediates = new Map<string, ImplicitMatch>();
      let ok = true;
      for (const prereq of prereqs) {
        if (await this.existsOrOught(prereq)) continue;
        const sub = await this.search(prereq, depth + 1, new Set([...inUse, candidate.rule]));
        if (sub === undefined) {
          ok = false;
          break;
        }
        intermediates.set(prereq, sub);
      }
      if (ok) return this.match(candidate, prereqs, intermediates);
    }
    return undefined;
  }

  private match(candidate: Candidate, prereqs: string[], intermediates: Map<string, ImplicitMatch>): ImplicitMatch {
    return {
      rule: candidate.rule,
      stem: candidate.dir + candidate.stem,
      prereqs,
      orderOnly: this.prerequisites(candidate, candidate.rule.orderOnly),
      intermediates,
    };
  }

  private candidates(name: string, depth: number, inUse: ReadonlySet<PatternRule>): Candidate[] {
    const slash = name.lastIndexOf('/');
    const dir = name.slice(0, slash + 1);
    const file = name.slice(slash + 1);
    const found: Candidate[] = [];
    let specific: boolean | undefined;
    for (const rule of this.host.db.patternRules) {
      if (inUse.has(rule) || rule.recipe === undefined) continue;
      for (const target of rule.targets) {
        if (isMatchAnything(target)) {
          // GNU: a match-anything rule never makes an intermediate file, nor a file whose
          // name says what kind of file it is (foo.c is a C source, not something to link).
          if (depth > 0) continue;
          specific ??= this.isSpecificType(name);
          if (specific) continue;
        }
        const hasSlash = target.prefix.includes('/') || target.suffix.includes('/');
        const stem = matchPattern(target, hasSlash ? name : file);
        if (stem === undefined) continue;
        found.push({ rule, stem, dir: hasSlash ? '' : dir, stemLength: stem.length });
        break;
      }
    }
    return found.sort((a, b) => a.stemLength - b.stemLength);
  }

  private prerequisites(candidate: Candidate, patterns: readonly string[]): string[] {
    return patterns.map((text) => {
      const pattern = parsePattern(text);
      if (typeof pattern === 'string') return pattern;
      return candidate.dir + substituteStem(pattern, candidate.stem);
    });
  }

  /** Whether some non-match-anything rule target (the suffix list included) matches the name. */
  private isSpecificType(name: string): boolean {
    if (this.host.suffixes.some((suffix) => name.endsWith(suffix) && name.length > suffix.length)) return true;
    return this.host.db.patternRules.some((rule) => rule.targets.some((t) => !isMatchAnything(t) && matchPattern(t, name) !== undefined));
  }

  private async existsOrOught(name: string): Promise<boolean> {
    const node = this.host.db.files.get(name);
    if (node !== undefined && (node.isTarget || node.isPrereq)) return true;
    return this.host.exists(name);
  }
}

function isMatchAnything(pattern: Pattern): boolean {
  return pattern.prefix === '' && pattern.suffix === '';
}
