// Reading the labs/ folder: every lab (labs/<id>/, see labs/README.md) with its manifest,
// instructions, hints, starter and solution files, TODO markers and compiled checks. A folder
// that is broken is reported with the lab, the file and what is wrong, and the others load.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabProblem } from '../ipc/common/contract.js';
import { isValidLabId } from '../progress/paths.js';
import { compileChecks, type CompiledChecks } from './compile-checks.js';
import { LANGUAGES, parseManifest, type Language, type LabManifest } from './manifest.js';
import { DRILL_MANIFEST, fixLab, readDrill, type Drill } from './drill.js';

export interface Hint {
  /** Recorded when revealed: "hint-1", "hint-2"... in order of strength. */
  id: string;
  title: string;
  /** Markdown. */
  text: string;
}

export interface TodoMarker {
  n: number;
  /** Relative path in the starter. */
  file: string;
  line: number;
  /** The marker's line, trimmed: "// TODO 2: create /proc/hello_proc". */
  text: string;
}

export interface Lab {
  manifest: LabManifest;
  dir: string;
  /** Instructions (Markdown) per language the manifest lists. */
  instructions: Partial<Record<Language, string>>;
  /** Hints per language; every language has the same number of hints as English. */
  hints: Partial<Record<Language, Hint[]>> & { en: Hint[] };
  /** The files a learner starts from: relative path -> content. */
  starter: Map<string, Uint8Array>;
  /** The reference solution: files that replace or add to the starter's. */
  solution: Map<string, Uint8Array>;
  todos: TodoMarker[];
  checks: CompiledChecks;
}

export interface LabSet {
  labs: Lab[];
  drills: Drill[];
  problems: LabProblem[];
}

export interface LoadOptions {
  /** Where compiled checks are cached across processes (undefined: not cached on disk). */
  cacheDir?: string;
}

/** Folder contents as relative path -> bytes (hidden files left out). */
export function readTree(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (rel: string) => {
    for (const ent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (ent.name.startsWith('.')) continue;
      const p = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(p);
      else if (ent.isFile()) out.set(p, new Uint8Array(fs.readFileSync(path.join(dir, p))));
    }
  };
  walk('');
  return out;
}

/** The "## " sections of a hints file, in order. */
export function parseHints(markdown: string): Hint[] {
  return markdown.split(/^## /m).slice(1).map((section, i) => {
    const nl = section.indexOf('\n');
    const title = (nl < 0 ? section : section.slice(0, nl)).trim();
    return { id: `hint-${i + 1}`, title, text: nl < 0 ? '' : section.slice(nl + 1).trim() };
  });
}

/** A TODO marker: "TODO 3:" then what to do. ("TODO 1-3" in a sentence is a reference, not a marker.) */
export const TODO_MARKER = /\bTODO (\d+):/g;

function todoMarkers(files: ReadonlyMap<string, Uint8Array>): TodoMarker[] {
  const out: TodoMarker[] = [];
  for (const [file, data] of files) {
    new TextDecoder().decode(data).split('\n').forEach((line, i) => {
      for (const m of line.matchAll(TODO_MARKER)) out.push({ n: Number(m[1]), file, line: i + 1, text: line.trim() });
    });
  }
  return out.sort((a, b) => a.n - b.n);
}

/** A lab folder's problems, each "file: what is wrong"; empty when the lab is whole. */
interface PartialLab extends Omit<Lab, 'checks'> { checksFile: string }

function readLabFolder(dir: string, folder: string): { lab?: PartialLab; problems: string[] } {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    try {
      return fs.readFileSync(path.join(dir, name), 'utf8');
    } catch {
      return undefined;
    }
  };
  const manifestText = read('lab.json');
  if (manifestText === undefined) return { problems: ['lab.json: missing (a lab folder holds lab.json, README.md, hints.md, starter/, solution/ and checks.ts)'] };
  const parsed = parseManifest(manifestText, folder);
  if ('problems' in parsed) return { problems: parsed.problems };
  const manifest = parsed.manifest;

  const instructions: Lab['instructions'] = {};
  for (const lang of manifest.languages) {
    const file = lang === 'en' ? 'README.md' : `README.${lang}.md`;
    const text = read(file);
    if (text === undefined || text.trim() === '') problems.push(`${file}: missing (lab.json lists the language '${lang}')`);
    else instructions[lang] = text;
  }

  const hints: Partial<Record<Language, Hint[]>> = {};
  const englishHints = read('hints.md');
  if (englishHints === undefined) problems.push('hints.md: missing');
  else if (parseHints(englishHints).length === 0) problems.push('hints.md: no hints (each hint is a "## " section, weakest first)');
  else hints.en = parseHints(englishHints);
  for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
    const text = read(`hints.${lang}.md`);
    if (text === undefined) continue;
    const h = parseHints(text);
    if (hints.en && h.length !== hints.en.length) problems.push(`hints.${lang}.md: has ${h.length} hints, hints.md has ${hints.en.length}`);
    else hints[lang] = h;
  }

  const tree = (name: string): Map<string, Uint8Array> => {
    const p = path.join(dir, name);
    if (!fs.existsSync(p) || !fs.statSync(p).isDirectory()) {
      problems.push(`${name}/: missing`);
      return new Map();
    }
    const files = readTree(p);
    if (files.size === 0) problems.push(`${name}/: empty`);
    return files;
  };
  const starter = tree('starter');
  const solution = tree('solution');

  const todos = todoMarkers(starter);
  if (starter.size > 0 && todos.length === 0) problems.push('starter/: no "TODO 1:" markers: the learner needs to know where to start');
  const numbers = new Set<number>();
  for (const t of todos) {
    if (numbers.has(t.n)) problems.push(`starter/${t.file}:${t.line}: TODO ${t.n} appears twice`);
    numbers.add(t.n);
  }
  const highest = Math.max(0, ...numbers);
  for (let n = 1; n <= highest; n++) {
    if (!numbers.has(n)) problems.push(`starter/: there is no TODO ${n}, but there is a TODO ${highest} (number them 1, 2, 3... in the order the learner does them)`);
  }
  for (const t of todoMarkers(solution)) problems.push(`solution/${t.file}:${t.line}: the reference solution still has TODO ${t.n}`);

  const checksFile = path.join(dir, 'checks.ts');
  if (!fs.existsSync(checksFile)) problems.push('checks.ts: missing');
  if (problems.length > 0) return { problems };
  return { lab: { manifest, dir, instructions, hints: hints as Lab['hints'], starter, solution, todos, checksFile }, problems };
}

/** Every lab and drill in `labsDir` (which may not exist: then there are none). */
export async function loadLabs(labsDir: string, options: LoadOptions = {}): Promise<LabSet> {
  const problems: LabProblem[] = [];
  const partial: PartialLab[] = [];
  const drills: Drill[] = [];
  const entries = fs.existsSync(labsDir) ? fs.readdirSync(labsDir, { withFileTypes: true }) : [];
  for (const ent of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!ent.isDirectory() || ent.name.startsWith('.') || ent.name === 'node_modules') continue;
    const dir = path.join(labsDir, ent.name);
    const report = (messages: string[]) => { for (const message of messages) problems.push({ folder: ent.name, message }); };
    if (!isValidLabId(ent.name) || ent.name === 'free-play') {
      report(['not a lab id: use lower-case letters, digits, ".", "_" and "-"']);
      continue;
    }
    if (fs.existsSync(path.join(dir, DRILL_MANIFEST))) {
      const r = readDrill(dir, ent.name);
      if (r.drill) drills.push(r.drill);
      report(r.problems);
      continue;
    }
    const r = readLabFolder(dir, ent.name);
    if (r.lab) partial.push(r.lab);
    report(r.problems);
  }
  const checked = drills.filter((d) => d.checksFile !== undefined);
  const compiled = await compileChecks(new Map([
    ...partial.map((l): [string, string] => [l.manifest.id, l.checksFile]),
    ...checked.map((d): [string, string] => [d.manifest.id, d.checksFile!]),
  ]), options.cacheDir);
  for (const d of checked) {
    const r = compiled.get(d.manifest.id)!;
    if (r.ok) d.fix = fixLab(d, r.compiled);
    else for (const message of r.problems) problems.push({ folder: d.manifest.id, message });
  }
  const labs: Lab[] = [];
  for (const p of partial) {
    const r = compiled.get(p.manifest.id)!;
    if (!r.ok) {
      for (const message of r.problems) problems.push({ folder: p.manifest.id, message });
      continue;
    }
    const { checksFile: _file, ...rest } = p;
    labs.push({ ...rest, checks: r.compiled });
  }
  const ids = new Set(labs.map((l) => l.manifest.id));
  for (const lab of labs) {
    for (const pre of lab.manifest.prerequisites) {
      if (!ids.has(pre)) problems.push({ folder: lab.manifest.id, message: `lab.json: prerequisites: no lab '${pre}'` });
    }
  }
  labs.sort((a, b) => a.manifest.order - b.manifest.order || (a.manifest.id < b.manifest.id ? -1 : 1));
  return { labs, drills: drills.filter((d) => d.checksFile === undefined || d.fix !== undefined), problems };
}

/**
 * The labs' manifests alone, in curriculum order, without compiling any checks (the progress
 * commands need titles and topics, not checks). Folders whose lab.json is broken are skipped.
 */
export function readManifests(labsDir: string): LabManifest[] {
  const out: LabManifest[] = [];
  const entries = fs.existsSync(labsDir) ? fs.readdirSync(labsDir, { withFileTypes: true }) : [];
  for (const ent of entries) {
    if (!ent.isDirectory() || !isValidLabId(ent.name)) continue;
    try {
      const r = parseManifest(fs.readFileSync(path.join(labsDir, ent.name, 'lab.json'), 'utf8'), ent.name);
      if ('manifest' in r) out.push(r.manifest);
    } catch { /* not a lab folder */ }
  }
  return out.sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
}

/** The text in the learner's language, else English. */
export function localized<T>(byLanguage: Partial<Record<Language, T>> & { en: T }, language: Language): T;
export function localized<T>(byLanguage: Partial<Record<Language, T>>, language: Language): T | undefined;
export function localized<T>(byLanguage: Partial<Record<Language, T>>, language: Language): T | undefined {
  return byLanguage[language] ?? byLanguage.en;
}
