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

export const DRILL_MANIFEST = 'drill.json';

const LabId = v.pipe(v.string(), v.check((s: string) => isValidLabId(s), 'a lab id is lower-case letters, digits, ".", "_" and "-"'));

export const DrillSchema = v.strictObject({
  id: LabId,
  title: v.pipe(v.string(), v.minLength(1), v.maxLength(120)),
  summary: v.pipe(v.string(), v.minLength(1), v.maxLength(400)),
  personality: v.picklist(['modern', '2.2'] as const),
  machine: v.optional(v.strictObject({
    cmdline: v.optional(v.string()),
    seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }), {}),
  /** The script (run as root, like `sh FILE`) that brings the machine into the drill's state. */
  scenario: v.optional(v.string(), 'scenario.sh'),
  /**
   * Data the learner must save: a file the scenario wrote and did not sync, and how many
   * bytes it holds. Bytes missing from it after the recovery are the bytes lost.
   */
  data: v.optional(v.strictObject({ path: v.pipe(v.string(), v.startsWith('/')), bytes: v.pipe(v.number(), v.integer(), v.minValue(0)) })),
  /** The lab whose checks decide whether the learner's fix passed (its workspace is the fix). */
  fixLab: v.optional(LabId),
});

export type DrillManifest = v.InferOutput<typeof DrillSchema>;

export interface Drill {
  manifest: DrillManifest;
  dir: string;
  goal: string;
  scenario: string;
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
  return problems.length > 0 ? { problems } : { drill: { manifest, dir, goal, scenario }, problems };
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
