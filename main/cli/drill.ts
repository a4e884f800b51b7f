// `driverlab drill ID`: a drill attempt at the terminal. The scenario is typed at the prompt and
// brings the machine into its bad state, then the drill's trigger; from then on the terminal is
// the learner's, with every key, SysRq (Ctrl-] key) and reset (Ctrl-] r) counted, until they
// leave the shell (exit). Then the attempt is scored (main/labs/drill-attempt.ts): virtual and
// wall time from the trigger, the bytes of the drill's data that did not survive, the keys, and
// whether the fix passed the drill's checks.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Drill } from '../labs/drill.js';
import { DrillAttempt } from '../labs/drill-attempt.js';
import { writeFiles } from '../labs/workspace.js';
import type { DrillScore } from '../progress/types.js';
import { promptState, TerminalCommands } from '../session/terminal-command.js';
import { attachTerminal, interactiveMachine } from './driverlab.js';

export { countKeys } from '../labs/drill-attempt.js';

export interface DrillRunOptions {
  out: (text: string) => void;
  /** Whether the fix passed (the drill's checks on the workspace); absent: no fix to pass. */
  fixCheck?: () => Promise<boolean>;
  /** The workspace mounted at /home/lab (the drill's); default an empty folder. */
  workspace?: string;
}

export async function runDrill(drill: Drill, options: DrillRunOptions): Promise<{ score: DrillScore }> {
  const m = drill.manifest;
  options.out(`${m.id}: ${m.title}\n\n${drill.goal.trimEnd()}\n\n` +
    'Setting up: the scenario runs at the prompt; the clock starts when it is done.\n' +
    'Ctrl-] then a key is Alt+SysRq+key; Ctrl-] r is the reset button; leave the shell (exit) to end the attempt.\n\n');
  const workspace = options.workspace ?? fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-drill-'));
  // Every attempt starts from the drill's faulty driver.
  writeFiles(workspace, drill.starter);
  let terminal = (text: string) => { process.stdout.write(text); };
  // The machine is made (and boots) next: the commands reach it once it exists.
  const commands = new TerminalCommands(() => machine.kernel, (keys) => machine.input(keys));
  const machine = interactiveMachine(
    { workspace, personality: m.personality, seed: m.machine.seed ?? 1, showBoot: true, cmdline: m.machine.cmdline, cards: m.machine.cards },
    (text) => { terminal(text); commands.observe(text); },
  );
  const poll = setInterval(() => commands.poll(), 50);
  const attempt = new DrillAttempt(drill, machine);
  // Keys typed while the scenario is set up wait for it: typed ahead, they would land in it.
  let held: string[] | undefined = [];
  let endHeld = false;
  let shellDone = false;
  const shell = attachTerminal(machine, {
    input: (text) => { if (held) held.push(text); else attempt.input(text); },
    sysrq: (key) => attempt.sysrq(key),
    reset: () => attempt.reset(),
    end: () => { if (held) endHeld = true; else machine.endInput(); },
  }).finally(() => { shellDone = true; });
  try {
    while ('busy' in promptState(machine.kernel) && !shellDone) await new Promise((resolve) => setTimeout(resolve, 50));
    if (shellDone) throw new Error('the machine stopped before the drill could start');
    await attempt.start((command) => commands.run(command));
    options.out('\r\n[driverlab] The clock is running.\r\n');
    for (const text of held) attempt.input(text);
    held = undefined;
    if (endHeld) machine.endInput();
    await shell;
    attempt.end();
  } finally {
    clearInterval(poll);
  }
  let dataOutput: string | undefined;
  const command = attempt.dataCommand;
  if (command && machine.kernel.halted === undefined) {
    // The learner left the shell: a script measures, with no keyboard to wait for.
    machine.endInput();
    let out = '';
    terminal = (text) => { out += text; };
    const status = await machine.runShell(command);
    if (status === 0) dataOutput = out;
  }
  const fixPassed = options.fixCheck ? await options.fixCheck() : false;
  return { score: attempt.score({ dataOutput, fixPassed }) };
}
