// `driverlab drill ID`: a drill attempt at the terminal. The scenario brings the machine into
// its bad state; then the terminal is the learner's, with every key counted, until they leave
// the shell (exit, or Ctrl-] . when nothing else answers); then the attempt is scored
// (main/labs/drill.ts): virtual and wall time from the fault to the end, the bytes of the
// drill's data that did not survive, the keys, and whether the fix passed its lab's checks.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scoreAttempt, type Drill } from '../labs/drill.js';
import type { DrillScore } from '../progress/types.js';
import { attachTerminal, interactiveMachine } from './driverlab.js';

export interface DrillRunOptions {
  out: (text: string) => void;
  /** The fix's check (the drill's lab, on the learner's workspace); absent: no fix to pass. */
  fixCheck?: () => Promise<boolean>;
  /** The workspace mounted at /home/lab (the fix lab's); default an empty folder. */
  workspace?: string;
}

/** Keys in typed input: an escape sequence (an arrow key) is one key. */
export function countKeys(text: string): number {
  const ESC = '\u001b';
  return text.match(new RegExp(`${ESC}\\[[0-9;]*[A-Za-z~]|${ESC}O.|[\\s\\S]`, 'g'))?.length ?? 0;
}

const SCENARIO_PATH = '/root/drill-scenario.sh';

export async function runDrill(drill: Drill, options: DrillRunOptions): Promise<{ score: DrillScore }> {
  const m = drill.manifest;
  options.out(`${m.id}: ${m.title}\n\n${drill.goal.trimEnd()}\n\nSetting up the scenario...\n\n`);
  const workspace = options.workspace ?? fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-drill-'));
  let terminal = (text: string) => { process.stdout.write(text); };
  const machine = interactiveMachine({ workspace, personality: m.personality, seed: m.machine.seed ?? 1, showBoot: true, cmdline: m.machine.cmdline }, (text) => terminal(text));
  // The scenario reaches the machine's disk as a root-only script, written once its root is writable.
  const delimiter = 'DRIVERLAB_SCENARIO_END';
  await machine.runShell(`cat <<'${delimiter}' | sudo tee ${SCENARIO_PATH} >/dev/null\n${drill.scenario.replace(/\n?$/, '\n')}${delimiter}\nsudo chmod 700 ${SCENARIO_PATH}; sudo sh ${SCENARIO_PATH}`);
  const faultAtNs = machine.clock.now;
  const wallStartMs = Date.now();
  let keysPressed = 0;
  options.out('\r\n[driverlab] The clock is running: recover the machine, then leave the shell (exit).\r\n');
  await attachTerminal(machine, (text) => { keysPressed += countKeys(text); });
  const recoveredAtNs = machine.clock.now;
  const wallEndMs = Date.now();
  let bytesFound = 0;
  if (m.data && machine.kernel.halted === undefined) {
    // Whatever the learner left running must not keep the measurement from finishing.
    machine.endInput();
    let out = '';
    terminal = (text) => { out += text; };
    await machine.runShell(`sudo cat ${m.data.path} 2>/dev/null | wc -c`);
    bytesFound = Number(/(\d+)\s*$/.exec(out.replace(/\r/g, ''))?.[1] ?? 0);
  }
  const fixPassed = options.fixCheck ? await options.fixCheck() : false;
  return {
    score: scoreAttempt({ faultAtNs, recoveredAtNs, wallStartMs, wallEndMs, keysPressed, bytesExpected: m.data?.bytes ?? 0, bytesFound, fixPassed }),
  };
}
