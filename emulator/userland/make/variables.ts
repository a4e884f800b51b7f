// Variables, their flavours and origins, and the scopes they live in.

import type { Loc } from './types.js';

/** Where a definition came from, weakest first: a stronger origin is never overwritten by a weaker one. */
export type Origin =
  | 'default'
  | 'environment'
  | 'file'
  | 'environment override'
  | 'command line'
  | 'override'
  | 'automatic';

const ORIGIN_RANK: Record<Origin, number> = {
  default: 0,
  environment: 1,
  file: 2,
  'environment override': 3,
  'command line': 4,
  override: 5,
  automatic: 6,
};

export function outranks(a: Origin, b: Origin): boolean {
  return ORIGIN_RANK[a] > ORIGIN_RANK[b];
}

export type Flavor = 'recursive' | 'simple';

/** `export` state: 'default' follows GNU's rule (environment and command-line variables are exported). */
export type ExportState = 'default' | 'export' | 'noexport';

export interface Variable {
  name: string;
  value: string;
  flavor: Flavor;
  origin: Origin;
  exportState: ExportState;
  /** Where it was defined, for errors raised while expanding it. */
  loc: Loc | undefined;
}

/** A variable as make defines it for itself (no makefile location). */
export function makeVariable(name: string, value: string, origin: Origin, flavor: Flavor = 'recursive', exportState: ExportState = 'default'): Variable {
  return { name, value, flavor, origin, exportState, loc: undefined };
}

/** A set of variables with an optional enclosing scope (automatic variables, $(call) arguments). */
export class Scope {
  private readonly vars = new Map<string, Variable>();

  constructor(readonly parent?: Scope) {}

  lookup(name: string): Variable | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }

  getLocal(name: string): Variable | undefined {
    return this.vars.get(name);
  }

  setLocal(variable: Variable): void {
    this.vars.set(variable.name, variable);
  }

  deleteLocal(name: string): void {
    this.vars.delete(name);
  }

  /** A simple variable in this scope (automatic variables, foreach and call bindings). */
  bind(name: string, value: string, origin: Origin = 'automatic'): void {
    this.vars.set(name, makeVariable(name, value, origin, 'simple'));
  }

  locals(): IterableIterator<Variable> {
    return this.vars.values();
  }
}

/** Whether a name can be put in the environment of a recipe. */
export function isExportableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}
