// One virtual PC in its own thread (ARCHITECTURE.md decision 4): the UI thread never runs a
// machine. The main side owns this worker (machine-session.ts); cutting the power is
// terminating the thread, which loses nothing of the learner's: /home/lab writes reach the
// host disk before they return.
import { parentPort, workerData } from 'node:worker_threads';
import { Machine, MACHINE_EPOCH_MS } from '../../emulator/machine.js';
import { installOnto } from '../../emulator/installer.js';
import { openMachineDisk } from '../host/disk-image.js';
import { createNodeHost } from '../host/node-host.js';
import type { Kernel } from '../../emulator/kernel/kernel.js';
import { kernelShutdown } from '../../emulator/kernel/reboot.js';
import { TerminalCommands, type CommandOutcome } from './terminal-command.js';
import type { FromWorker, MachineWorkerData, ToWorker } from './worker-protocol.js';
import { DrillAttempt } from '../labs/drill-attempt.js';
import { WorkerInspector } from './inspector/inspector-worker.js';

const port = parentPort;
if (!port) throw new Error('machine-worker.js runs in a worker thread');
const data = workerData as MachineWorkerData;
const post = (message: FromWorker) => port.postMessage(message);

// Output is collected while the machine runs and posted when it gives the thread back (it does
// at least every 16 ms): one message per slice instead of one per write. A slice that prints a
// lot is cut short, so a flood reaches the main side in small steps and a pause from there
// takes effect before much more is printed.
const SLICE_OUTPUT_CHARS = 32 * 1024;
let pending = '';
let flushScheduled = false;
function output(text: string): void {
  commands.observe(text);
  pending += text;
  // The run loop and the kernel's preemption points give the host the thread back once it has
  // not had it for 16 ms; "never" makes that the next preemption point.
  if (pending.length > SLICE_OUTPUT_CHARS) machine.kernel.hostYieldedAt = Number.NEGATIVE_INFINITY;
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    flushScheduled = false;
    const chunk = pending;
    pending = '';
    if (chunk) post({ type: 'output', data: chunk });
  });
}

// Flow control: while paused, every wait the run loop makes lasts until 'resume'. The loop
// gives the thread back at least every 16 ms, so a pause takes effect within one slice;
// typed keys are still taken (and echoed) meanwhile.
let paused = false;
let resumed: (() => void) | undefined;
const nodeHost = createNodeHost({ workspace: data.workspace });
const host = {
  ...nodeHost,
  async sleepWall(ms: number): Promise<void> {
    await nodeHost.sleepWall(ms);
    while (paused) await new Promise<void>((resolve) => { resumed = resolve; });
  },
};

// The disk image belongs to this thread: its journal is written from here, and closed at the end.
const disk = data.diskImage === undefined ? undefined
  : openMachineDisk(data.diskImage, (d) => installOnto(d, nodeHost, data.machine.personality ?? 'modern', MACHINE_EPOCH_MS));
const machine = new Machine(host, { ...data.machine, disk }, output);
const inspector = new WorkerInspector(machine, data.workspace, (state) => post({ type: 'inspector', state }));
const commands = new TerminalCommands(() => machine.kernel, (keys) => machine.input(keys));
// A command the app typed is polled for completion even while the terminal is quiet.
setInterval(() => commands.poll(), 50).unref();

// The screen's size and the learner's console log level belong to the session, not to one
// boot: every kernel (a reboot brings a new one) gets them once it has booted (Machine.boot
// sets the distribution's log level last, so applying ours earlier would be undone).
const screen = { columns: data.columns, rows: data.rows };
let consoleLogLevel = data.consoleLogLevel;
function applySession(k: Kernel): void {
  k.console.columns = screen.columns;
  k.console.rows = screen.rows;
  if (consoleLogLevel !== undefined) k.log.consoleLoglevel = consoleLogLevel;
}


function hasProgram(name: string): boolean {
  return ['/sbin', '/usr/sbin', '/bin', '/usr/bin'].some((dir) => {
    try {
      machine.kernel.vfs.lookup(`${dir}/${name}`, '/', { uid: 0, gid: 0 });
      return true;
    } catch {
      return false;
    }
  });
}

/** The drill attempt in progress: it types the learner's keys and presses SysRq and reset, counting them. */
let drill: DrillAttempt | undefined;
const failDrill = (id: number, e: unknown) => post({ type: 'drill-failed', id, reason: e instanceof Error ? e.message : String(e) });

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'input': (drill ?? machine).input(message.data); break;
    case 'resize':
      screen.columns = message.columns;
      screen.rows = message.rows;
      machine.kernel.console.columns = message.columns;
      machine.kernel.console.rows = message.rows;
      break;
    case 'pause': paused = true; break;
    case 'resume': paused = false; resumed?.(); resumed = undefined; break;
    case 'command': {
      const { id, command, dir } = message;
      let done: Promise<CommandOutcome>;
      try {
        done = commands.run(command, dir);
      } catch (e) {
        post({ type: 'command-refused', id, reason: e instanceof Error ? e.message : String(e) });
        break;
      }
      void done.then((outcome) => post({ type: 'command-done', id, outcome }));
      break;
    }
    case 'sysrq': (drill ?? machine).sysrq(message.key); break;
    case 'loglevel':
      consoleLogLevel = message.level;
      machine.kernel.log.consoleLoglevel = message.level;
      break;
    case 'reboot':
      // What the learner would type; with the terminal busy (or no reboot(8)), the kernel's
      // orderly restart, as reboot(2) ends.
      if (commands.whyBusy() === undefined && hasProgram('reboot')) void commands.run('sudo reboot');
      else {
        kernelShutdown(machine.kernel, 'restart');
        machine.input('');
      }
      break;
    case 'reset':
      if (drill) drill.reset();
      else machine.pressReset();
      post({ type: 'resetting' });
      break;
    case 'power-off': machine.powerOff(); break;
    case 'drill-start': {
      const { id } = message;
      const attempt = new DrillAttempt(message.drill, machine);
      drill = attempt;
      // A machine still booting, or a shell between two prompts, gets a moment; then the shell's reason stands.
      const atPrompt = async () => {
        for (let waited = 0; (machine.booting || commands.whyBusy() !== undefined) && waited < 10_000; waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      atPrompt().then(() => attempt.start((command) => commands.run(command))).then(() => post({ type: 'drill-started', id }), (e: unknown) => {
        if (drill === attempt) drill = undefined;
        failDrill(id, e);
      });
      break;
    }
    case 'drill-finish': {
      const { id } = message;
      const attempt = drill;
      if (!attempt?.started) {
        failDrill(id, 'no drill attempt is running: start one first');
        break;
      }
      drill = undefined;
      attempt.end();
      void attempt.measureData((command) => commands.run(command)).then((dataOutput) => {
        post({ type: 'drill-measured', id, measure: attempt.score({ dataOutput, fixPassed: false }) });
      }, (e: unknown) => failDrill(id, e));
      break;
    }
    case 'inspect': inspector.watch(message.on); break;
    case 'inspect-full': inspector.wantFull(); break;
    case 'request': {
      const { id } = message;
      inspector.answer(message.request).then(
        (value) => post({ type: 'reply', id, ok: true, value }),
        (e: unknown) => post({ type: 'reply', id, ok: false, error: e instanceof Error ? e.message : String(e) }),
      );
      break;
    }
  }
});
machine.onReboot = () => {
  applySession(machine.kernel);
  inspector.rebooted();
  post({ type: 'rebooted' });
};

machine.boot();
applySession(machine.kernel);
post({ type: 'running' });
const status = await machine.runShell();
// The shell exited: the machine shuts down in order, its disk left clean (a power-off left it as it was).
machine.shutDownAfterSession();
disk?.close();
const halted = machine.kernel.halted;
const reason = halted !== undefined ? `halted: ${halted.trim()}` : `shut down (the shell exited with status ${status})`;
// The last output first, then the news.
inspector.dispose();
setImmediate(() => {
  post({ type: 'halted', reason });
  port.close();
});
