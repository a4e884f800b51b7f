// The shell language front end: parse text into a Script, expand words against a shell's state.
// The executor (which runs the Script) lives elsewhere and uses only what is exported here.

export type * from './ast.js';
export { parseScript, type ParseResult, type ShellSyntaxError } from './parser.js';
export {
  expandWords, expandWord, expandPattern, splitFields, matchPattern, ExpansionError,
  type ExpandContext,
} from './expand.js';
export { evaluateArithmetic, type ArithmeticVariables } from './arith.js';
export { globPaths, type ReadDir } from './glob.js';
export { escapeGlob, hasGlobMagic } from './pattern.js';
