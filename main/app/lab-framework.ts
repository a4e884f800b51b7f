// What the app's core asks of the lab framework (step 6: checks, hints, drills) beyond the lab
// list. Each part is optional: without it the contract's method answers with a message saying
// the lab has no such thing, and the UI shows that instead of a broken button. The core does
// the recording (progress store) so every framework gets history, restore and scores for free.
import { CHECK_RUN_CANCELLED, type CheckItemResult, type DrillScore, type Language, type Personality } from '../ipc/common/contract.js';
import type { MachineSession } from '../session/machine-session.js';

export interface CheckReport {
  seed: number;
  personality: Personality;
  items: CheckItemResult[];
  /** The workspace files the checks saw: saved with the run so it can be restored. */
  files: ReadonlyMap<string, Uint8Array>;
}

export interface CheckRunOptions {
  /** Called as each item finishes, in order, so the UI can show it before the run ends. */
  onItem?(item: CheckItemResult): void;
  /** Cancels the run: it rejects (with CheckRunCancelled) and nothing is recorded. */
  signal?: AbortSignal;
}

/** A check run that was cancelled before it finished (the learner's Cancel). */
export class CheckRunCancelled extends Error {
  constructor(message = CHECK_RUN_CANCELLED) {
    super(message);
    this.name = 'CheckRunCancelled';
  }
}

export interface LabFramework {
  /** Runs lab `lab`'s checks on the workspace folder `workspace`. */
  runChecks?(lab: string, workspace: string, options?: CheckRunOptions): Promise<CheckReport>;
  /** Hint `index` (0-based, mildest first) in `language` (or English), or undefined when there is none. */
  hint?(lab: string, index: number, language: Language): Promise<{ title: string; text: string } | undefined>;
  /** Brings the session's machine into the drill's starting state (its scenario). */
  startDrill?(lab: string, session: MachineSession): Promise<void>;
  /** Measures the attempt that started with startDrill. */
  finishDrill?(lab: string, session: MachineSession): Promise<DrillScore>;
  /** Releases what the framework holds (a worker thread); the core calls it when it closes. */
  close?(): Promise<void>;
}

/** The id the progress store keeps for a revealed hint (the lab format numbers them from 1). */
export function hintId(index: number): string {
  return `hint-${index + 1}`;
}

export function hintIndex(id: string): number | undefined {
  const m = /^hint-(\d+)$/.exec(id);
  return m ? Number(m[1]) - 1 : undefined;
}
