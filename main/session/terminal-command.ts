// Commands the app types into the machine's terminal on the learner's behalf (Build types
// `make`): typed only when the shell waits at its prompt, so they never land in a running
// program or a half-typed line, and watched until the shell waits again, so the app gets what
// the command printed and how it ended. The learner sees it all happen in the terminal, the
// way an IDE's build task runs in its terminal panel.
import type { Kernel } from '../../emulator/kernel/kernel.js';
import type { Task } from '../../emulator/kernel/sched.js';

export interface CommandOutcome {
  /** What the terminal showed from the command line to the next prompt (raw, with \r\n). */
  output: string;
  /** The command's exit status; undefined when the machine rebooted or went away under it. */
  status?: number;
  /** The command stopped (^Z) or the machine rebooted before it finished. */
  interrupted: boolean;
}

const SHELLS = new Set(['sh', 'bash']);

/**
 * The interactive shell when it waits for a command line at its prompt, or why it does not:
 * a program runs in the foreground, keys are typed ahead, or a line is half typed.
 */
export function promptState(k: Kernel): { shell: Task } | { busy: string } {
  const tty = k.console;
  if (tty.lineInProgress) return { busy: 'a command is half typed in the terminal: finish it with Enter or clear it with Ctrl-U, then try again' };
  const leader = k.tasks.get(tty.fgPgid);
  if (!leader || !leader.alive) return { busy: 'no shell is running in the terminal' };
  if (!SHELLS.has(leader.comm)) return { busy: `the terminal is running '${leader.comm}': wait for it to finish or stop it with Ctrl-C, then try again` };
  if (tty.hasInput() || leader.state !== 'S' || leader.wchan !== 'n_tty_read') return { busy: 'the shell is busy with a command: wait for its prompt, then try again' };
  return { shell: leader };
}

interface Running {
  kernel: Kernel;
  shell: Task;
  output: string;
  /** The foreground job the shell started for the command. */
  job: Task | undefined;
  resolve: (outcome: CommandOutcome) => void;
}

export class TerminalCommands {
  private running: Running | undefined;

  /** `kernel()` is the machine's current kernel (a reboot brings a new one); `type` feeds keys to its terminal. */
  constructor(private readonly kernel: () => Kernel, private readonly type: (keys: string) => void) {}

  /** Why a command cannot be typed now, or undefined when it can. */
  whyBusy(): string | undefined {
    if (this.running) return 'the app is already running a command in the terminal';
    const state = promptState(this.kernel());
    return 'busy' in state ? state.busy : undefined;
  }

  /**
   * Types `command` and Enter (after `cd DIR &&` when the shell is elsewhere than `dir`);
   * resolves when the shell is back at its prompt. Throws when it cannot type now.
   */
  run(command: string, dir?: string): Promise<CommandOutcome> {
    const why = this.whyBusy();
    if (why !== undefined) throw new Error(why);
    const kernel = this.kernel();
    const { shell } = promptState(kernel) as { shell: Task };
    const line = dir !== undefined && shell.cwd !== dir ? `cd ${dir} && ${command}` : command;
    return new Promise((resolve) => {
      this.running = { kernel, shell, output: '', job: undefined, resolve };
      this.type(`${line}\r`);
    });
  }

  /** Everything the terminal shows passes through here. */
  observe(text: string): void {
    if (this.running) this.running.output += text;
    this.poll();
  }

  /** Checks whether the command finished; the machine's worker calls this while it runs. */
  poll(): void {
    const r = this.running;
    if (!r) return;
    if (this.kernel() !== r.kernel) return this.finish({ output: r.output, interrupted: true });
    const tty = r.kernel.console;
    if (tty.fgPgid !== r.shell.pgid) r.job ??= r.kernel.tasks.get(tty.fgPgid);
    const state = promptState(r.kernel);
    if ('busy' in state || state.shell !== r.shell) return;
    const job = r.job;
    if (job && job.alive) return this.finish({ output: r.output, interrupted: true }); // stopped with ^Z
    const status = job ? (job.termSignal ? 128 + job.termSignal : job.exitCode & 0xff) : undefined;
    this.finish({ output: r.output, status, interrupted: false });
  }

  /** The machine is going away (reset, power off): a command still running ends here. */
  abandon(): void {
    const r = this.running;
    if (r) this.finish({ output: r.output, interrupted: true });
  }

  private finish(outcome: CommandOutcome): void {
    const r = this.running!;
    this.running = undefined;
    r.resolve(outcome);
  }
}
