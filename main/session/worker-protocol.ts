// Messages between a session (main side) and its machine's worker thread.
import type { MachineConfig } from '../../emulator/machine.js';
import type { CommandOutcome } from './terminal-command.js';
import type { DrillManifest } from '../labs/drill.js';
import type { CardFaultsView, InspectorState, RecordingView, TimeAction, TimeReport, TimelineQuery, TimelineSlice } from '../ipc/common/inspector.js';

/** What the machine thread needs of a drill to run an attempt (plain data). */
export interface DrillStart {
  manifest: DrillManifest;
  scenario: string;
}

/** What the machine measured of an attempt; the main side adds whether the fix passed. */
export interface DrillMeasure {
  virtualMs: number;
  wallMs: number;
  bytesLost: number;
  keysPressed: number;
  /** The drill's own recovery measure passed (drill.json `recovery`); the fix's checks are the main side's. */
  fixPassed: boolean;
}

/** What the inspector asks the machine's worker, each answered by a 'reply' with the same id. */
export type InspectorRequest =
  | { what: 'timeline'; query: TimelineQuery }
  | { what: 'time'; action: TimeAction }
  | { what: 'faults'; card: number; faults: Partial<CardFaultsView> }
  /** Bytes arriving on a card's port from the remote end (the remote terminal). */
  | { what: 'receive'; card: number; port: number; data: number[] }
  /** Starts recording every event to a JSON-lines file in the workspace, or stops (`record` false). */
  | { what: 'trace'; record: boolean };

export interface InspectorAnswers {
  timeline: TimelineSlice;
  time: TimeReport;
  faults: null;
  receive: { accepted: number };
  trace: RecordingView | null;
}

/** What a worker needs to build its machine; plain data, since it crosses threads. */
export interface MachineWorkerData {
  /** Host folder mounted at /home/lab. */
  workspace: string;
  machine: Omit<MachineConfig, 'onEvent' | 'disk'>;
  /** The machine's hard disk image, opened in the machine's thread (made and installed on first use). */
  diskImage?: string;
  columns: number;
  rows: number;
  /** The console log level the learner chose (dmesg -n), applied after every boot. */
  consoleLogLevel?: number;
}

export type ToWorker =
  | { type: 'input'; data: string }
  | { type: 'resize'; columns: number; rows: number }
  /** The screens fell behind: stop running the machine until 'resume'. */
  | { type: 'pause' }
  | { type: 'resume' }
  /** Type `command` at the shell's prompt (in `dir`) and report its outcome (command-done or command-refused). */
  | { type: 'command'; id: number; command: string; dir?: string }
  /** Alt+SysRq+key on the machine's keyboard. */
  | { type: 'sysrq'; key: string }
  | { type: 'loglevel'; level: number }
  /** A clean reboot: `reboot` at the prompt when the machine has it, else the kernel's restart. */
  | { type: 'reboot' }
  /** The machine's reset button. */
  | { type: 'reset' }
  /** The machine's power switch, off. */
  | { type: 'power-off' }
  /** Starts a drill attempt (drill-started or drill-failed): from then on keys, SysRq and resets are counted. */
  | { type: 'drill-start'; id: number; drill: DrillStart }
  /** Ends the attempt and measures it (drill-measured or drill-failed). */
  | { type: 'drill-finish'; id: number }
  /** Someone watches the inspector (the machine's event stream is listened to) or nobody does. */
  | { type: 'inspect'; on: boolean }
  /** The next inspector state carries every card's whole window (a new watcher came). */
  | { type: 'inspect-full' }
  | { type: 'request'; id: number; request: InspectorRequest };

export type FromWorker =
  | { type: 'output'; data: string }
  /** Booted: the shell is starting. */
  | { type: 'running' }
  /** The reset button was acted on: the machine restarts in this thread (its boot may wait at LILO's prompt). */
  | { type: 'resetting' }
  /** Booted again, in the same thread: after a reset, a reboot, a panic timeout. */
  | { type: 'rebooted' }
  /** The machine stopped by itself: its shell exited, or it hung for good. */
  | { type: 'halted'; reason: string }
  | { type: 'command-done'; id: number; outcome: CommandOutcome }
  | { type: 'command-refused'; id: number; reason: string }
  | { type: 'drill-started'; id: number }
  | { type: 'drill-measured'; id: number; measure: DrillMeasure }
  | { type: 'drill-failed'; id: number; reason: string }
  | { type: 'inspector'; state: InspectorState }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };
