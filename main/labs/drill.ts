// Drills (curriculum.md, "Drills"): a scenario script that brings the machine into a bad state
// (a hung task, an oops, a lockup, a card that stops interrupting), a goal, and a score for
// each attempt: time to recover (virtual and wall), bytes of unsynced data lost, keys pressed,
// and whether the fix passed. A drill is a folder labs/<id>/ with drill.json, README.md (the
// goal), scenario.sh, and optionally the lab whose checks decide whether the fix passed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v from 'valibot';
import type { DrillScore } from '../progress/types.js';
import { isValidLabId } from '../progress/paths.js';
import type { CompiledChecks } from './compile-checks.js';
import { readTree, type Lab } from './loader.js';
import { CardSchema } from './manifest.js';

export const DRILL_MANIFEST = 'drill.json';

const LabId = v.pipe(v.string(), v.check((s: string) => isValidLabId(s), 'a lab id is lower-case letters, digits, ".", "_" and "-"'));

export const DrillSchema = v.strictObject({
  id: LabId,
  title: v.pipe(v.string(), v.minLength(1), v.maxLength(120)),
  summary: v.pipe(v.string(), v.minLength(1), v.maxLength(400)),
  personality: v.picklist(['modern', '2.2'] as const),
  machine: v.optional(v.strictObject({
    cards: v.optional(v.pipe(v.array(CardSchema), v.maxLength(4, 'a machine holds at most 4 cards'))),
    cmdline: v.optional(v.string()),
    seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }), {}),
  /** The script (run as root, like `sh FILE`) that brings the machine into the drill's state. */
  scenario: v.optional(v.string(), 'scenario.sh'),
  /**
   * The command typed at the learner's prompt once the scenario is done: what the learner "did"
   * that hits the fault (`cat /dev/oops`). The clock starts when it is typed.
   */
  trigger: v.optional(v.pipe(v.string(), v.minLength(1), v.regex(/^[^\n\r]+$/, 'one command line'))),
  /**
   * Data the learner must save: a file the scenario wrote and did not sync, and how many
   * bytes it holds. Bytes missing from it after the recovery are the bytes lost.
   */
  data: v.optional(v.strictObject({ path: v.pipe(v.string(), v.startsWith('/')), bytes: v.pipe(v.number(), v.integer(), v.minValue(0)) })),
  /**
   * What makes the recovery pass when there is no fix to check: `clean-root`, the machine was
   * rebooted and its boot's fsck found the root file system clean (scored as "fix passed").
   */
  recovery: v.optional(v.picklist(['clean-root'] as const)),
  /** The lab whose checks decide whether the learner's fix passed (its workspace is the fix). */
  fixLab: v.optional(LabId),
});

export type DrillManifest = v.InferOutput<typeof DrillSchema>;

export interface Drill {
  manifest: DrillManifest;
  dir: string;
  goal: string;
  scenario: string;
  /**
   * The drill's driver as the scenario finds it (starter/, the faulty one), copied into the
   * drill's workspace (/home/lab) at the start of every attempt, and the fixed one (solution/).
   */
  starter: Map<string, Uint8Array>;
  solution: Map<string, Uint8Array>;
  /** checks.ts: whether the learner's fix (the workspace) is right, as a lab's checks decide. */
  checksFile?: string;
  /** The drill's checks as a lab (the loader compiles checks.ts), run on the workspace after an attempt. */
  fix?: Lab;
}

/** The drill's checks as a lab of their own, so the check runner can run them on the learner's fix. */
export function fixLab(drill: Drill, checks: CompiledChecks): Lab {
  const m = drill.manifest;
  return {
    manifest: {
      id: m.id, title: m.title, summary: m.summary, topic: 'drills', order: 0, difficulty: 'intermediate', estimatedMinutes: 15,
      personality: m.personality, machine: { cards: m.machine.cards, cmdline: m.machine.cmdline, seed: m.machine.seed },
      prerequisites: [], languages: ['en'], limits: {},
    },
    dir: drill.dir, instructions: { en: drill.goal }, hints: { en: [] }, starter: drill.starter, solution: drill.solution, todos: [], checks,
  };
}

export function readDrill(dir: string, folder: string): { drill?: Drill; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, DRILL_MANIFEST), 'utf8'));
  } catch (e) {
    return { problems: [`${DRILL_MANIFEST}: ${(e as Error).message}`] };
  }
  const r = v.safeParse(DrillSchema, raw);
  if (!r.success) return { problems: r.issues.map((i) => `${DRILL_MANIFEST}: ${v.getDotPath(i) ?? '(top level)'}: ${i.message}`) };
  const manifest = r.output;
  const problems: string[] = [];
  if (manifest.id !== folder) problems.push(`${DRILL_MANIFEST}: id '${manifest.id}' is not the folder's name '${folder}'`);
  const read = (name: string) => {
    try {
      return fs.readFileSync(path.join(dir, name), 'utf8');
    } catch {
      problems.push(`${name}: missing`);
      return '';
    }
  };
  const goal = read('README.md');
  const scenario = read(manifest.scenario);
  const tree = (name: string) => (fs.existsSync(path.join(dir, name)) ? readTree(path.join(dir, name)) : new Map<string, Uint8Array>());
  const checksFile = path.join(dir, 'checks.ts');
  const drill: Drill = { manifest, dir, goal, scenario, starter: tree('starter'), solution: tree('solution') };
  if (fs.existsSync(checksFile)) {
    drill.checksFile = checksFile;
    if (drill.starter.size === 0) problems.push('checks.ts: checks a fix, but there is no starter/ to fix');
  }
  return problems.length > 0 ? { problems } : { drill, problems };
}

/** What an attempt measured, turned into the score the progress store keeps. */
export function scoreAttempt(a: {
  faultAtNs: number; recoveredAtNs: number; wallStartMs: number; wallEndMs: number;
  keysPressed: number; bytesExpected: number; bytesFound: number; fixPassed: boolean;
}): DrillScore {
  return {
    virtualMs: Math.max(0, Math.round((a.recoveredAtNs - a.faultAtNs) / 1e6)),
    wallMs: Math.max(0, Math.round(a.wallEndMs - a.wallStartMs)),
    bytesLost: Math.max(0, a.bytesExpected - a.bytesFound),
    keysPressed: a.keysPressed,
    fixPassed: a.fixPassed,
  };
}
