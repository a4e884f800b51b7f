// `driverlab`: the terminal face of DriverLab (ARCHITECTURE.md decision 8).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine, MACHINE_EPOCH_MS, type MachineConfig } from '../../emulator/machine.js';
import { TraceFile } from '../host/trace-file.js';
import { createNodeHost } from '../host/node-host.js';
import { createEscapeFilter, ESCAPE_HELP } from './escape.js';
import type { Personality } from '../../emulator/kernel/kernel.js';
import type { Host } from '../../emulator/host.js';
import { installOnto } from '../../emulator/installer.js';
import { DiskImageBusyError, disksDir, openMachineDisk, removeDiskImage, type FileDisk } from '../host/disk-image.js';
import { dataHome } from '../progress/paths.js';

const USAGE = `Usage: driverlab <command> [options]

Labs:
  labs [--json]                the labs, your status in each, and which one is next
  start LAB [--dir DIR] [--seed N] [--kernel 2.2|modern]
                               copy the lab's starter files into your workspace (once), show
                               the instructions and open the lab's virtual PC on it
  show LAB                     show a lab's instructions again
  check LAB [--dir DIR] [--json] [--watch] [--seed N] [--seeds N]
                               check your work: each check passes or says what it saw, what
                               it expected and where to look; exit status 0 only when all pass.
                               --watch checks again whenever a file of the workspace changes;
                               --seeds N runs a race lab's many-seed items on N seeds
  hint LAB                     the next hint, weakest first (revealing one is recorded)
  reset LAB [--dir DIR]        put the starter files back (yours are saved first: see restore)
  drill ID                     a timed, scored recovery drill

Commands:
  shell [options]              boot a virtual PC and attach this terminal to its shell
  sh [options] -c 'commands'   boot a fresh virtual PC, run the commands in its shell,
  sh [options] FILE            print what the terminal shows, exit with the last status
  progress [--json]            your progress: labs, topics, streak, time spent, drills
  history LAB                  every check run of a lab, and what failed
  restore LAB RUN [--to DIR] [--force]
                               put check run RUN's workspace files back into the lab's
                               workspace (or DIR); files the run did not have are kept
  export FILE                  write all your progress to FILE (JSON; - for standard output)
  import FILE                  merge progress exported elsewhere; nothing here is lost

Options (shell and sh):
  --workspace DIR   host folder mounted at /home/lab (default: the current directory)
  --kernel 2.2|modern   kernel personality (default: modern)
  --disk FILE       the machine's hard disk image (made and installed if it does not exist);
                    shell's default is $DRIVERLAB_HOME/disks/KERNEL.img, sh's a fresh disk
  --fresh-disk      (shell) install the disk afresh: what was on it is gone
  --seed N          scheduler seed (default: 1)
  --show-boot       show the kernel's boot messages (sh hides them by default)
  --realtime        pace virtual time to the wall clock (default for shell)
  --trace FILE      (sh) write the machine's events as JSON lines, each with its time: task
                    switches and states, port and I/O memory accesses (with the C line of a
                    module's), IRQ edges, the PICs' registers, the CPUs' interrupt flag, the
                    cards' state, modules loaded and unloaded, printk

In "driverlab shell", Ctrl-C goes to the virtual machine; type "exit" or Ctrl-D to leave.
Ctrl-] then a key is Alt+SysRq+that key: Ctrl-] s syncs, Ctrl-] b reboots at once, Ctrl-] h
lists the kernel's keys (Ctrl-] R, with Shift, is Alt+Shift+SysRq+R). Ctrl-] Ctrl-R presses
the reset button and Ctrl-] Ctrl-P turns the power off and on, whatever state the machine
is in (a hard lockup, a panic); Ctrl-] . powers it off and leaves; Ctrl-] ? lists these.

In "driverlab shell" the machine keeps its disk: /home/user, /etc, /boot and a kernel you
built are there the next time. "driverlab sh" starts from a freshly installed disk each time.
Your workspace (/home/lab) is never on the virtual disk.

In "driverlab sh", a reboot does not end the script: when the machine is back up (reboot,
SysRq-B, a panic with panic=N, the reset button), its shell goes on with the top-level
command after the one that was running. Variables and the working directory start afresh;
files in /home/lab are as they were. A power-off ends the script.

Progress is kept in $DRIVERLAB_HOME (default: ~/.local/share/driverlab): progress.db, each
lab's workspace in workspaces/LAB, and the machines' disks in disks/.
`;

/** Handled by ./progress.js, loaded only for them: it loads SQLite's native module. */
const PROGRESS_COMMANDS = ['progress', 'export', 'import', 'history', 'restore'];
/** Handled by ./labs.js (the lab commands). */
const LAB_COMMANDS = ['labs', 'show', 'start', 'check', 'hint', 'reset', 'drill'];

export interface Options {
  workspace: string;
  personality: Personality;
  seed: number;
  showBoot: boolean;
  realtime?: boolean;
  script?: string;
  file?: string;
  /** --trace FILE: the machine's event log as JSON lines. */
  trace?: string;
  /** A lab's machine: its MY_DEVICE cards and extra kernel command line. */
  cards?: MachineConfig['cards'];
  cmdline?: string;
  /** --disk FILE: the hard disk image (shell: default $DRIVERLAB_HOME/disks/KERNEL.img). */
  disk?: string;
  /** --fresh-disk: the image is installed afresh. */
  freshDisk?: boolean;
}

class UsageError extends Error {}

function parseOptions(args: string[]): Options {
  const o: Options = { workspace: process.cwd(), personality: 'modern', seed: 1, showBoot: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`option ${a} needs a value`);
      return v;
    };
    if (a === '--workspace' || a === '-w') o.workspace = value();
    else if (a.startsWith('--workspace=')) o.workspace = a.slice(12);
    else if (a === '--kernel') {
      const k = value();
      if (k !== 'modern' && k !== '2.2') throw new UsageError(`unknown kernel '${k}': use --kernel 2.2 or --kernel modern`);
      o.personality = k;
    } else if (a === '--seed') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new UsageError('--seed needs a non-negative integer');
      o.seed = n;
    } else if (a === '--show-boot') o.showBoot = true;
    else if (a === '--disk') o.disk = path.resolve(value());
    else if (a === '--fresh-disk') o.freshDisk = true;
    else if (a === '--realtime') o.realtime = true;
    else if (a === '--trace') o.trace = value();
    else if (a === '-c') o.script = value();
    else if (!a.startsWith('-') && o.file === undefined && o.script === undefined) o.file = a;
    else throw new UsageError(`unknown option '${a}'`);
  }
  if (!fs.existsSync(o.workspace) || !fs.statSync(o.workspace).isDirectory()) {
    throw new UsageError(`workspace '${o.workspace}' is not a directory: create it or pass --workspace DIR`);
  }
  return o;
}

function openTrace(file: string): TraceFile {
  try {
    return new TraceFile(file);
  } catch (e) {
    throw new UsageError(`cannot write the trace to '${file}': ${(e as Error).message}`);
  }
}

/** Terminal bytes for a non-terminal stdout: the tty's \r\n back to \n. */
function forStdout(text: string): string {
  return process.stdout.isTTY ? text : text.replace(/\r\n/g, '\n');
}

export async function runScript(o: Options, write: (text: string) => void): Promise<number> {
  let script = o.script;
  if (script === undefined) {
    if (!o.file) throw new UsageError("sh needs -c 'commands' or a script FILE");
    script = fs.readFileSync(o.file, 'utf8');
  }
  const host = createNodeHost({ workspace: o.workspace });
  // A fresh copy of the installed disk unless --disk names an image to keep.
  const disk = o.disk === undefined ? undefined : openDisk(o.disk, o.personality, host, o.freshDisk);
  const trace = o.trace === undefined ? undefined : openTrace(o.trace);
  const config: MachineConfig = { personality: o.personality, seed: o.seed, pacing: o.realtime ? 'realtime' : 'fast', showBoot: o.showBoot, disk };
  try {
    const machine = new Machine(host, config, write);
    // With the C line of each access, as the inspector shows it.
    if (trace) machine.listen(trace.write, { sources: true });
    machine.boot();
    machine.endInput();
    const status = await machine.runShell(script);
    machine.shutDownAfterSession();
    return status;
  } finally {
    trace?.close();
    disk?.close();
  }
}

/** The machine's disk image `file`, made and installed on first use (or afresh with `fresh`). */
export function openDisk(file: string, personality: Personality, host: Host, fresh = false): FileDisk {
  try {
    if (fresh) removeDiskImage(file);
    return openMachineDisk(file, (disk) => installOnto(disk, host, personality, MACHINE_EPOCH_MS));
  } catch (e) {
    if (e instanceof DiskImageBusyError) throw new UsageError(e.message);
    throw e;
  }
}

/** Where `driverlab shell` keeps a personality's disk: $DRIVERLAB_HOME/disks/modern.img or 2.2.img. */
export function shellDiskPath(personality: Personality): string {
  return path.join(disksDir(dataHome()), `${personality}.img`);
}

/**
 * A machine for an interactive terminal: booted, its boot messages on this terminal (or `write`),
 * on the disk image `disk` if one is given (a fresh installed disk otherwise).
 */
export function interactiveMachine(o: Options, write: (text: string) => void = (text) => process.stdout.write(text), disk?: FileDisk): Machine {
  const host = createNodeHost({ workspace: o.workspace });
  const config: MachineConfig = { personality: o.personality, seed: o.seed, pacing: o.realtime === false ? 'fast' : 'realtime', cards: o.cards, cmdline: o.cmdline, disk };
  const machine = new Machine(host, config, write);
  machine.boot();
  return machine;
}

/** What a drill puts between the terminal and the machine: it types the keys, presses SysRq and reset, and counts them. */
export interface TerminalControls {
  input(text: string): void;
  sysrq(key: string): void;
  reset(): void;
  /** The keyboard is gone (stdin ended). */
  end(): void;
}

/**
 * Attaches this terminal to `machine`'s console and runs its shell until it exits.
 * `controls`, when given, types the keys and presses SysRq and reset (a drill counts them).
 */
export async function attachTerminal(machine: Machine, controls?: TerminalControls): Promise<number> {
  const stdin = process.stdin;
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  const escape = createEscapeFilter();
  const onData = (data: string) => {
    for (const a of escape(data)) {
      if (a.kind === 'input') (controls ?? machine).input(a.text);
      else if (a.kind === 'sysrq') {
        // A key the PC keyboard does not have (Ctrl-] Ctrl-X): say what there is.
        try { (controls ?? machine).sysrq(a.key); } catch (e) { if (!(e instanceof RangeError)) throw e; process.stdout.write(ESCAPE_HELP); }
      }
      else if (a.kind === 'help') process.stdout.write(ESCAPE_HELP);
      else if (a.kind === 'reset') { process.stdout.write('\r\n[driverlab] Reset.\r\n'); if (controls) controls.reset(); else machine.pressReset(); }
      else if (a.kind === 'power-cycle') { process.stdout.write('\r\n[driverlab] Power off, power on.\r\n'); machine.powerCycle(); }
      else { process.stdout.write('\r\n[driverlab] Powered off.\r\n'); machine.stop(); }
    }
  };
  const onEnd = () => { if (controls) controls.end(); else machine.endInput(); };
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  const onResize = () => { machine.kernel.console.columns = process.stdout.columns ?? 80; machine.kernel.console.rows = process.stdout.rows ?? 24; };
  process.stdout.on('resize', onResize);
  onResize();
  try {
    return await machine.runShell();
  } finally {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    process.stdout.off('resize', onResize);
  }
}

/** `driverlab shell`: the machine on its persistent disk (closed, its journal checkpointed, at the end). */
export async function runInteractive(o: Options): Promise<number> {
  const disk = openDisk(o.disk ?? shellDiskPath(o.personality), o.personality, createNodeHost({ workspace: o.workspace }), o.freshDisk);
  try {
    const machine = interactiveMachine(o, undefined, disk);
    const status = await attachTerminal(machine);
    machine.shutDownAfterSession();
    return status;
  } finally {
    disk.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (PROGRESS_COMMANDS.includes(command!)) {
    const { labCatalog } = await import('./labs.js');
    return (await import('./progress.js')).runProgressCommand(command!, rest, {
      out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), catalog: labCatalog(),
    });
  }
  if (LAB_COMMANDS.includes(command!)) return (await import('./labs.js')).runLabCommand(command!, rest);
  try {
    switch (command) {
      case 'sh':
        return await runScript(parseOptions(rest), (t) => process.stdout.write(forStdout(t)));
      case 'shell':
        return await runInteractive(parseOptions(rest));
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`driverlab: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`driverlab ${command}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

