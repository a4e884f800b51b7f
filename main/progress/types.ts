// The records the progress store keeps, as the lab framework (checks, drills) and the UI see
// them. Times are milliseconds since the Unix epoch (UTC); local days are computed when shown.
import type { Personality } from '../../emulator/kernel/kernel.js';

export type { Personality };

/** One result line of a lab's check (the lab framework's CheckItem). */
export interface CheckItem {
  id: string;
  title: string;
  passed: boolean;
  /** What the check says about it: the failure reason, or '' when there is nothing to add. */
  message: string;
}

/** The learner's workspace at a check run: relative POSIX path -> bytes. */
export type WorkspaceFiles = ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;

export interface CheckRunInput {
  labId: string;
  /** When the check started; default: now. */
  at?: number;
  seed: number;
  personality: Personality;
  items: readonly CheckItem[];
  files: WorkspaceFiles;
}

export interface DrillScore {
  /** Virtual time from the fault to the recovery. */
  virtualMs: number;
  wallMs: number;
  /** Bytes of unsynced data the reset lost. */
  bytesLost: number;
  keysPressed: number;
  /** Whether the learner's fix passed the drill's check afterwards. */
  fixPassed: boolean;
}

export interface DrillAttemptInput {
  drillId: string;
  at?: number;
  score: DrillScore;
}

export type LabStatus = 'not started' | 'in progress' | 'passed';

/** A lab as the caller's catalog describes it (the labs/ folder, step 6). */
export interface LabCatalogEntry {
  id: string;
  title: string;
  topic: string;
}

export interface LabProgress {
  id: string;
  title: string;
  /** null for a lab the database knows but the catalog does not (e.g. imported from a newer app). */
  topic: string | null;
  status: LabStatus;
  firstOpenedAt: number | null;
  firstPassedAt: number | null;
  timeSpentMs: number;
  checkRuns: number;
  lastRunAt: number | null;
  hintsRevealed: number;
}

export interface TopicProgress {
  topic: string | null;
  labs: number;
  passed: number;
  inProgress: number;
  timeSpentMs: number;
}

export interface ProgressOverview {
  labs: LabProgress[];
  topics: TopicProgress[];
  labsPassed: number;
  totalTimeMs: number;
  /** Consecutive local days with activity, ending today (or yesterday, if today has none yet). */
  streakDays: number;
  /** The last local day with activity, YYYY-MM-DD. */
  lastActiveDay: string | null;
}

export interface CheckRunRecord {
  runId: number;
  uid: string;
  labId: string;
  at: number;
  seed: number;
  personality: string;
  passed: boolean;
  items: CheckItem[];
  /** Paths of the workspace snapshot, sorted. */
  files: string[];
}

export interface LabHistory {
  labId: string;
  status: LabStatus;
  firstOpenedAt: number | null;
  firstPassedAt: number | null;
  timeSpentMs: number;
  hints: { hintId: string; revealedAt: number }[];
  /** Oldest first. */
  runs: CheckRunRecord[];
}

export interface DrillAttemptRecord {
  attemptId: number;
  uid: string;
  drillId: string;
  at: number;
  score: DrillScore;
}

export interface DrillScores {
  drillId: string;
  attempts: number;
  best: DrillAttemptRecord | null;
  last: DrillAttemptRecord | null;
}
