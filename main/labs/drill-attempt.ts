// One attempt at a drill, on a machine whose interactive shell the learner has: the scenario is
// typed at the prompt (the learner watches the machine being broken), then the drill's trigger,
// and from then on the clock runs and every key, SysRq and reset counts. The same attempt runs
// at the terminal (`driverlab drill ID`), in the app's machine thread and in the tests, so the
// three score alike.
import type { Machine } from '../../emulator/machine.js';
import type { DrillScore } from '../progress/types.js';
import type { CommandOutcome } from '../session/terminal-command.js';
import { scoreAttempt, type Drill } from './drill.js';

/**
 * Where the scenario is put: a hidden file of the workspace (/home/lab), which every machine has
 * whatever its root file system (a disk root is not writable before its boot scripts ran), and
 * which checks leave out. It runs as root.
 */
export const SCENARIO_FILE = '.drill-scenario.sh';

/** Types a command at the shell's prompt and resolves once the prompt is back (TerminalCommands.run). */
export type RunAtPrompt = (command: string) => Promise<CommandOutcome>;

/** Keys in typed input: an escape sequence (an arrow key) is one key. */
export function countKeys(text: string): number {
  const ESC = '\u001b';
  return text.match(new RegExp(`${ESC}\\[[0-9;]*[A-Za-z~]|${ESC}O.|[\\s\\S]`, 'g'))?.length ?? 0;
}

export class DrillAttempt {
  private keys = 0;
  /** What the learner did to the machine besides typing, in order: "SysRq-S", "reset". */
  readonly actions: string[] = [];
  private faultAtNs: number | undefined;
  private wallStartMs = 0;
  private ended: { atNs: number; wallMs: number } | undefined;
  /** The kernel the fault happened on: a recovery that reboots runs on another. */
  private faultKernel: Machine['kernel'] | undefined;

  constructor(readonly drill: Pick<Drill, 'manifest' | 'scenario'>, private readonly machine: Machine) {}

  get started(): boolean {
    return this.faultAtNs !== undefined;
  }

  /**
   * Brings the machine into the drill's state: the scenario (as root) at the prompt, then the
   * trigger. Throws with the scenario's output when it fails (a drill that cannot be set up is
   * a bug in the drill, not the learner's).
   */
  async start(run: RunAtPrompt): Promise<void> {
    const workspace = this.machine.host.workspace;
    if (!workspace) throw new Error('a drill needs a machine with a workspace (/home/lab) to put its scenario in');
    workspace.writeFile(SCENARIO_FILE, new TextEncoder().encode(this.drill.scenario));
    const r = await run(`sudo sh /home/lab/${SCENARIO_FILE}`);
    if (r.status !== 0) {
      const tail = r.output.replace(/\r/g, '').trimEnd().split('\n').slice(-8).join('\n');
      throw new Error(`the drill's scenario failed (status ${r.status ?? 'none: the machine went away'}):\n${tail}`);
    }
    this.faultAtNs = this.machine.virtualTimeNs;
    this.wallStartMs = Date.now();
    this.faultKernel = this.machine.kernel;
    const trigger = this.drill.manifest.trigger;
    if (trigger) this.machine.input(`${trigger}\r`);
  }

  /** Keys the learner typed: to the machine, and counted once the clock runs. */
  input(text: string): void {
    this.machine.input(text);
    if (this.started) this.keys += countKeys(text);
  }

  /** Alt+SysRq+`key`: sent to the machine and counted as one key. */
  sysrq(key: string): void {
    this.machine.sysrq(key);
    if (!this.started) return;
    this.keys++;
    this.actions.push(`SysRq-${key.toUpperCase()}`);
  }

  /** The reset button: pressed and counted as one key. */
  reset(): void {
    this.machine.pressReset();
    if (!this.started) return;
    this.keys++;
    this.actions.push('reset');
  }

  /** Stops the clock: the learner says the machine is recovered (measuring comes after). */
  end(): void {
    this.ended ??= { atNs: this.machine.virtualTimeNs, wallMs: Date.now() };
  }

  /**
   * Whether the recovery passed by the drill's own measure (drill.json `recovery`): for
   * `clean-root`, the machine booted again and its boot's fsck found the root clean.
   */
  recoveryPassed(): boolean {
    if (this.drill.manifest.recovery !== 'clean-root') return false;
    // The root's check is the disk-root machine's (undefined when the root is not on a disk).
    const check = (this.machine as { rootCheck?: { clean: boolean } }).rootCheck;
    return this.machine.kernel !== this.faultKernel && check?.clean === true;
  }

  /** The command that measures what is left of the drill's data (it prints "drill data: N bytes"). */
  get dataCommand(): string | undefined {
    const data = this.drill.manifest.data;
    return data && `echo "drill data: $(sudo cat '${data.path}' 2>/dev/null | wc -c) bytes"`;
  }

  /**
   * The score: time since the trigger (virtual time across reboots, and wall time), the bytes of
   * the drill's data not found (`dataOutput`: what dataCommand printed; undefined when it could
   * not run: all lost), the keys, and whether the fix passed.
   */
  score(o: { dataOutput?: string; fixPassed: boolean }): DrillScore {
    if (this.faultAtNs === undefined) throw new Error('the drill was not started');
    this.end();
    const bytesFound = Number(/^drill data: (\d+) bytes$/m.exec(o.dataOutput?.replace(/\r/g, '') ?? '')?.[1] ?? 0);
    return scoreAttempt({
      faultAtNs: this.faultAtNs, recoveredAtNs: this.ended!.atNs, wallStartMs: this.wallStartMs, wallEndMs: this.ended!.wallMs,
      keysPressed: this.keys, bytesExpected: this.drill.manifest.data?.bytes ?? 0, bytesFound, fixPassed: o.fixPassed || this.recoveryPassed(),
    });
  }

  /** Measures what is left of the data at the prompt; undefined when the shell is not at its prompt (nothing recovered). */
  async measureData(run: RunAtPrompt): Promise<string | undefined> {
    const command = this.dataCommand;
    if (!command) return undefined;
    try {
      // A shell builtin (echo) has no job, hence no status: the printed count is what counts.
      const r = await run(command);
      return r.interrupted ? undefined : r.output;
    } catch {
      return undefined;
    }
  }
}
