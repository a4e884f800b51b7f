// Loading a lab's checks.ts at run time. Labs are folders of files, not part of DriverLab's
// build (a lab author edits checks.ts and runs `driverlab check`; an installed app loads the
// labs it ships the same way), so checks are type-checked and compiled here with the
// TypeScript compiler, against the check API (check-api.ts, or its .d.ts in a built app).
// A check that does not compile is reported as "checks.ts:LINE: message" and only its lab is
// left out. Results are cached by content: TypeScript loads in ~0.5 s and a type check costs
// about as much again, which a learner should pay once, not at every `driverlab check`.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type TS from 'typescript';
import * as v from 'valibot';
import type { Check } from './check-api.js';
import { compileCacheDir } from '../host/node-host.js';

/** Bump when what this file produces changes, so stale cache entries are not used. */
const COMPILER_REVISION = 1;
export const CHECK_API_MODULE = '@driverlab/checks';

export interface CompiledChecks {
  checks: Check[];
  /** Maps a line of the compiled code back to checks.ts (for errors thrown by a check). */
  sourceLine(generatedLine: number): number | undefined;
  /** The file name stack traces of this lab's check code carry. */
  readonly fileName: string;
}

export type CheckCompileResult = { ok: true; compiled: CompiledChecks } | { ok: false; problems: string[] };

interface CacheEntry {
  ok: boolean;
  problems?: string[];
  js?: string;
  map?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The check API as the type checker reads it: the .d.ts beside the built code, else the source. */
function apiFiles(): { api: string; texts: string[] } {
  const dts = path.join(here, 'check-api.d.ts');
  const api = fs.existsSync(dts) ? dts : path.join(here, 'check-api.ts');
  const events = path.join(here, '..', '..', 'emulator', api.endsWith('.d.ts') ? 'events.d.ts' : 'events.ts');
  return { api, texts: [api, events].map((f) => fs.readFileSync(f, 'utf8')) };
}

function typescriptVersion(): string {
  const require = createRequire(import.meta.url);
  return (JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')) as { version: string }).version;
}

let tsModule: Promise<typeof TS> | undefined;
function loadTypescript(): Promise<typeof TS> {
  tsModule ??= import('typescript').then((m) => (m as unknown as { default: typeof TS }).default ?? (m as unknown as typeof TS));
  return tsModule;
}

/** lib.*.d.ts parsed once per process: they are most of a type check's work. */
const libFiles = new Map<string, TS.SourceFile>();

function compilerOptions(ts: typeof TS, api: string): TS.CompilerOptions {
  return {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: true,
    verbatimModuleSyntax: true,
    noFallthroughCasesInSwitch: true,
    baseUrl: path.dirname(api),
    paths: { [CHECK_API_MODULE]: [api] },
  };
}

/** Only type imports of the check API: a check gets everything else from its context. */
function importProblems(ts: typeof TS, sf: TS.SourceFile): string[] {
  const problems: string[] = [];
  const at = (node: TS.Node) => `checks.ts:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
  const visit = (node: TS.Node) => {
    if (ts.isImportDeclaration(node)) {
      const from = (node.moduleSpecifier as TS.StringLiteral).text;
      const typeOnly = node.importClause !== undefined && (node.importClause.isTypeOnly ||
        (node.importClause.name === undefined && node.importClause.namedBindings !== undefined && ts.isNamedImports(node.importClause.namedBindings) &&
          node.importClause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (from !== CHECK_API_MODULE || !typeOnly) {
        problems.push(`${at(node)}: checks may only import types from '${CHECK_API_MODULE}' (import type { Check } from '${CHECK_API_MODULE}'); the check context gives everything else`);
      }
    } else if (ts.isImportEqualsDeclaration(node) || (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
      (ts.isIdentifier(node.expression) && node.expression.text === 'require')))) {
      problems.push(`${at(node)}: checks may not load modules; the check context gives everything they need`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}

function formatDiagnostic(ts: typeof TS, d: TS.Diagnostic, checksFile: string): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
  if (!d.file || d.start === undefined) return `checks.ts: ${text}`;
  const line = d.file.getLineAndCharacterOfPosition(d.start).line + 1;
  const name = path.resolve(d.file.fileName) === path.resolve(checksFile) ? 'checks.ts' : path.basename(d.file.fileName);
  return `${name}:${line}: ${text}`;
}

/** Type-checks and compiles the checks.ts files not in the cache, in one TypeScript program. */
async function compileAll(files: string[], api: string): Promise<Map<string, CacheEntry>> {
  const ts = await loadTypescript();
  const options = compilerOptions(ts, api);
  const host = ts.createCompilerHost(options);
  const libDir = path.dirname(ts.getDefaultLibFilePath(options));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (path.dirname(fileName) !== libDir) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
    let sf = libFiles.get(fileName);
    if (!sf) {
      sf = getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (sf) libFiles.set(fileName, sf);
    }
    return sf;
  };
  const program = ts.createProgram(files, options, host);
  const global = [...program.getGlobalDiagnostics(), ...program.getOptionsDiagnostics()];
  const out = new Map<string, CacheEntry>();
  for (const file of files) {
    const sf = program.getSourceFile(file);
    if (!sf) {
      out.set(file, { ok: false, problems: ['checks.ts: cannot be read'] });
      continue;
    }
    const diagnostics = [...global, ...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
      .filter((d) => d.category === ts.DiagnosticCategory.Error);
    const problems = [...diagnostics.map((d) => formatDiagnostic(ts, d, file)), ...importProblems(ts, sf)];
    if (problems.length > 0) {
      out.set(file, { ok: false, problems });
      continue;
    }
    const emitted = ts.transpileModule(sf.text, {
      fileName: 'checks.ts',
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, sourceMap: true, verbatimModuleSyntax: false },
    });
    out.set(file, { ok: true, js: emitted.outputText.replace(/\/\/# sourceMappingURL=.*\s*$/, ''), map: emitted.sourceMapText ?? '' });
  }
  return out;
}

const memoryCache = new Map<string, CacheEntry>();

/** Compiled checks are kept beside the compiler's cache (and, like it, not at all with DRIVERLAB_CACHE=off). */
export function checksCacheDir(): string | undefined {
  const dir = compileCacheDir();
  return dir && path.join(dir, 'checks');
}

function cacheKey(checksText: string, apiTexts: string[], tsVersion: string): string {
  const h = createHash('sha256').update(`${COMPILER_REVISION}\0${tsVersion}\0`);
  for (const t of apiTexts) h.update(t).update('\0');
  return h.update(checksText).digest('hex');
}

function readDiskCache(dir: string | undefined, key: string): CacheEntry | undefined {
  if (!dir) return undefined;
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, `${key}.json`), 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
}

function writeDiskCache(dir: string | undefined, key: string, entry: CacheEntry): void {
  if (!dir) return;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${key}.json`);
    fs.writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(entry));
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
  } catch { /* a cache that cannot be written is only slower */ }
}

/**
 * Compiles the checks.ts of several labs (label -> file). `cacheDir` keeps results across
 * processes (undefined: this process only).
 */
export async function compileChecks(files: ReadonlyMap<string, string>, cacheDir: string | undefined): Promise<Map<string, CheckCompileResult>> {
  const { api, texts } = apiFiles();
  const tsVersion = typescriptVersion();
  const entries = new Map<string, CacheEntry>();
  const keys = new Map<string, string>();
  const todo: string[] = [];
  for (const [label, file] of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      entries.set(label, { ok: false, problems: ['checks.ts: missing (every lab has one: see labs/README.md)'] });
      continue;
    }
    const key = cacheKey(text, texts, tsVersion);
    keys.set(label, key);
    const cached = memoryCache.get(key) ?? readDiskCache(cacheDir, key);
    if (cached) entries.set(label, cached);
    else todo.push(label);
  }
  if (todo.length > 0) {
    const compiled = await compileAll(todo.map((l) => files.get(l)!), api);
    for (const label of todo) {
      const entry = compiled.get(files.get(label)!)!;
      entries.set(label, entry);
      writeDiskCache(cacheDir, keys.get(label)!, entry);
    }
  }
  const results = new Map<string, CheckCompileResult>();
  for (const [label, entry] of entries) {
    const key = keys.get(label);
    if (key) memoryCache.set(key, entry);
    results.set(label, entry.ok ? instantiate(entry, files.get(label)!) : { ok: false, problems: entry.problems ?? ['checks.ts: does not compile'] });
  }
  return results;
}

const CheckSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'an id is lower-case letters, digits and "-"')),
  title: v.pipe(v.string(), v.minLength(1)),
  needs: v.optional(v.array(v.string())),
  run: v.custom<Check['run']>((f) => typeof f === 'function', 'run must be a function'),
});

/** Runs the compiled module and checks that its default export is a list of checks. */
function instantiate(entry: CacheEntry, file: string): CheckCompileResult {
  const exports: Record<string, unknown> = {};
  try {
    const wrapper = new vm.Script(`(function (exports, module) {${entry.js}\n})`, { filename: file }).runInThisContext() as (e: object, m: object) => void;
    wrapper(exports, { exports });
  } catch (e) {
    return { ok: false, problems: [`checks.ts: failed when loaded: ${(e as Error).message}`] };
  }
  const list = exports.default;
  if (!Array.isArray(list)) return { ok: false, problems: ['checks.ts: the default export must be the array of checks (export default checks;)'] };
  const problems: string[] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const r = v.safeParse(CheckSchema, item);
    const name = `check ${i + 1}${r.success ? ` ('${r.output.id}')` : ''}`;
    if (!r.success) {
      problems.push(...r.issues.map((iss) => `checks.ts: ${name}: ${v.getDotPath(iss) ?? ''}${v.getDotPath(iss) ? ': ' : ''}${iss.message}`));
      return;
    }
    if (seen.has(r.output.id)) problems.push(`checks.ts: ${name}: the id is used twice`);
    for (const need of r.output.needs ?? []) {
      if (!seen.has(need)) problems.push(`checks.ts: ${name}: needs '${need}', which is not an earlier check`);
    }
    seen.add(r.output.id);
  });
  if (list.length === 0) problems.push('checks.ts: the list of checks is empty');
  if (problems.length > 0) return { ok: false, problems };
  const lines = generatedToSourceLines(entry.map ?? '');
  return { ok: true, compiled: { checks: list as Check[], fileName: file, sourceLine: (g) => lines.get(g) } };
}

// ---- source maps: a thrown error's line in the compiled code -> its line in checks.ts --------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0, shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) { shift += 5; continue; }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}

/** 1-based generated line -> 1-based source line of its first mapped segment. */
function generatedToSourceLines(mapText: string): Map<number, number> {
  const out = new Map<number, number>();
  if (!mapText) return out;
  const mappings = (JSON.parse(mapText) as { mappings: string }).mappings;
  let srcLine = 0;
  mappings.split(';').forEach((line, i) => {
    let first: number | undefined;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const f = decodeVlq(seg);
      if (f.length >= 4) {
        srcLine += f[2]!;
        first ??= srcLine;
      }
    }
    if (first !== undefined) out.set(i + 1, first + 1);
  });
  return out;
}

/** "checks.ts:LINE" of the innermost frame of `error` in compiled check code, if there is one. */
export function checkErrorLocation(error: unknown, compiled: CompiledChecks): number | undefined {
  const stack = (error as Error | undefined)?.stack ?? '';
  const escaped = compiled.fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):\\d+`).exec(stack);
  return m ? compiled.sourceLine(Number(m[1])) : undefined;
}
