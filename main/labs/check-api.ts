// The API a lab's checks are written against: labs/<id>/checks.ts imports these types as
//
//     import type { Check } from '@driverlab/checks';
//
// and default-exports an array of Check. This file holds types only, and imports nothing but
// the machine's event type, because DriverLab type-checks every lab's checks.ts against it when
// it loads the labs (main/labs/compile-checks.ts): a small file keeps that fast. The context is
// implemented in main/labs/check-runner.ts, the machine in check-machine.ts; the guide for lab
// authors is labs/README.md.
import type { MachineEvent } from '../../emulator/events.js';

export type { MachineEvent };

export type Personality = 'modern' | '2.2';

/** One item of a lab's checks, as the learner sees it in the list. */
export interface Check {
  /** Stable id, recorded with every check run: lower-case letters, digits and '-'. */
  id: string;
  /** What is checked, in the learner's words: "cat /proc/hello_proc prints the greeting". */
  title: string;
  /**
   * Ids of earlier items this one builds on (say, the module must load before /proc can be
   * read). When one of them did not pass, this item is reported as not checked, naming it,
   * instead of failing for a reason the learner cannot act on.
   */
  needs?: string[];
  /** Passes when it returns; fails through t.fail() or a failed t.expect*(). */
  run(t: CheckContext): Promise<void> | void;
}

/** A place in the learner's files. */
export interface Location {
  /** Relative to the workspace: "hello.c". */
  file: string;
  /** 1-based; absent when only the file is known. */
  line?: number;
  /** What is there: "TODO 2". */
  note?: string;
}

/**
 * Why an item failed. Each part is optional, but a good failure says what was seen, what was
 * expected and where to look, so that the learner can act on it without asking anyone.
 */
export interface Failure {
  /** One sentence, in the learner's terms: "/proc/hello_proc does not exist after insmod". */
  summary: string;
  /** What the check saw (command output, a value). Long text is cut to its first lines. */
  seen?: string;
  /** What it expected to see. */
  expected?: string;
  /** Where to look: a file and line (a compile error, an oops frame, a TODO). */
  where?: Location | Location[];
  /** A further pointer: a command to try, the part of the instructions to reread. */
  hint?: string;
}

export interface LabInfo {
  id: string;
  title: string;
  personality: Personality;
  /** The seed the shared machine boots with (the manifest's machine.seed, or the --seed given). */
  seed: number;
  limits: {
    /** Longest busy-wait the lab allows, in virtual ms (manifest limits.busyWaitMs; default 10). */
    busyWaitMs: number;
  };
}

export interface CheckContext {
  readonly lab: LabInfo;
  /**
   * The machine the items share, booted from the lab's configuration with a copy of the
   * learner's workspace at /home/lab. Items run in order on it: what one item loads, the next
   * finds loaded. Boots on first use.
   */
  readonly machine: CheckMachine;
  /**
   * A fresh machine (another seed, other cards...) on the same workspace copy, so what the
   * shared machine built is there. Cheap: a boot costs milliseconds.
   */
  boot(options?: BootOptions): Promise<CheckMachine>;
  /**
   * Runs `fn` on `count` fresh machines with consecutive seeds from `first` (default: the lab's
   * seed). The first failure fails the item, naming its seed and how to replay it. The learner
   * can ask for more seeds (`driverlab check LAB --seeds N` makes `count` N), and `--seed S`
   * makes the seeds start at S, so that a failure replays first.
   */
  forSeeds(count: number, fn: (machine: CheckMachine, seed: number) => Promise<void>, options?: { first?: number }): Promise<void>;
  /** The workspace copy under check (never the learner's own folder). */
  readonly files: CheckFiles;
  /** Where the learner's "TODO n" marker is, or where the starter had it when the learner removed it. */
  todo(n: number): Location;
  /** The first line of `file` matching `pattern`, or undefined. */
  find(file: string, pattern: string | RegExp): Location | undefined;
  /** Fails the item. */
  fail(failure: Failure | string): never;
  /**
   * Fails the item unless `condition` holds. (It does not narrow types: for that, write
   * `if (!x) t.fail(...)`, or declare the parameter as `run(t: CheckContext)`.)
   */
  expect(condition: unknown, failure: Failure | string): void;
  /**
   * Fails unless `seen` equals `expected` (strings compared exactly). The failure shows both,
   * unless it gives its own `seen` (say, the output of a command whose exit status was wrong).
   */
  expectEqual<T>(seen: T, expected: T, failure: Failure | string): void;
  /** Fails unless `text` matches `pattern` (showing the text, unless the failure gives its own `seen`). Returns the match. */
  expectMatch(text: string, pattern: RegExp, failure: Failure | string): RegExpMatchArray;
  /**
   * Fails with the first BUG, WARNING, Oops, lockup, hang or panic `machine` (default: the shared
   * one) reported: "The kernel reported: ..." (`kernel` names it: "The 2.2 kernel reported"), the
   * report as seen, and the source line it names, else `where`.
   */
  expectNoProblems(machine?: CheckMachine, options?: { kernel?: string; where?: Location }): void;
}

export interface BootOptions {
  seed?: number;
  /** The other kernel, for a lab whose driver builds for both (one source, LINUX_VERSION_CODE). */
  personality?: Personality;
  cmdline?: string;
  cards?: CardJumpers[];
}

export interface CardJumpers {
  io?: number;
  irq?: number;
  mem?: number;
  firmwareCheck?: boolean;
}

export interface CheckFiles {
  /** Relative paths of the files, sorted. */
  list(): string[];
  /** A file's text, or undefined when it does not exist. */
  read(path: string): string | undefined;
  exists(path: string): boolean;
  /** Adds or replaces a file in the copy (a test program of the check's own); the learner's folder is untouched. */
  write(path: string, content: string): void;
}

export interface ShellResult {
  /** What the terminal showed, with "\n" line ends (kernel messages that reach the console included). */
  output: string;
  /** The exit status of the last command. */
  status: number;
}

/** A point in a machine's history; the queries below take one to look only at what came after. */
export interface Mark {
  readonly events: number;
  readonly printk: number;
  readonly timeNs: number;
}

export interface KernelMessage {
  /** Seconds since boot, as dmesg prints it. */
  time: number;
  /** 0 (KERN_EMERG) to 7 (KERN_DEBUG). */
  level: number;
  /** The message without its newline. */
  text: string;
}

/** A kernel report the learner should know about: BUG, WARNING, Oops, a lockup, a hang. */
export interface KernelProblem {
  kind: 'BUG' | 'WARNING' | 'Oops' | 'lockup' | 'hang' | 'panic';
  /** The report's first line. */
  text: string;
  /** The lines after it (call trace...). */
  details: string[];
  /** A source line the report names (an oops frame), when it names one. */
  where?: Location;
}

export interface Region {
  start: number;
  end: number;
  name: string;
}

export interface IrqUse {
  irq: number;
  /** The names handlers were requested with (request_irq's devname). */
  handlers: string[];
  count: number;
}

export interface ModuleInfo {
  name: string;
  /** Use count (lsmod's "Used by"). */
  refcount: number;
  state: 'coming' | 'live' | 'going';
}

export interface Resources {
  /** /proc/ioports and /proc/iomem entries drivers requested (the system's own left out). */
  ioports: Region[];
  iomem: Region[];
  irqs: IrqUse[];
  /** /proc/devices' character devices. */
  chrdevs: { major: number; name: string }[];
  modules: ModuleInfo[];
}

/** What rmmod (or an init that failed) left behind, as the kernel reported it. */
export interface UnloadReport {
  module: string;
  /** Registrations the module did not undo: "proc", "chrdev", "IRQ", "ioport region"... */
  leftovers: string[];
  /** kmalloc allocations not freed. */
  leakedAllocations: number;
  leakedBytes: number;
}

export interface TaskInfo {
  pid: number;
  ppid: number;
  comm: string;
  /** R, S, D, T, Z as ps shows them. */
  state: string;
  /** What it sleeps on. */
  wchan: string;
  kind: 'user' | 'kthread' | 'idle';
}

/**
 * A CPU, for what a hang leaves behind: whether it takes interrupts, and if a task turned them
 * off and kept them off, when and in which C function, and where the CPU has run since.
 */
export interface CpuView {
  id: number;
  /** Its interrupt flag (IF): whether it takes interrupts now. */
  irqsEnabled: boolean;
  /** The task it runs (or holds), if any. */
  task?: { pid: number; comm: string };
  /** Module code disabled interrupts last (cli, save_flags + cli, spin_lock_irqsave...) and they are still off. */
  irqsOff?: {
    /** Virtual time it happened, in ns. */
    sinceNs: number;
    /** The C functions then, innermost first: "my_device_ring+0x4c [my_device]". */
    by: string[];
  };
  /** The module's C functions the CPU last ran with interrupts off (a loop's preemption point), innermost first. */
  spinningIn?: string[];
  /** Timer interrupts (IRQ 0) this CPU has taken since boot. */
  timerTicks: number;
}

/** A MY_DEVICE card as the datasheet describes it, read without touching its registers. */
export interface CardView {
  io: number;
  irq: number;
  mem: number;
  /** The STATUS register's value. */
  status: number;
  /** The ERROR register's value. */
  error: number;
  phase: 'halted' | 'start-window' | 'starting' | 'running';
  fwVersion: number;
  /** Whether the card holds its IRQ line up (until the driver ACKs). */
  irqAsserted: boolean;
  /** Bytes each port holds for the driver to read. */
  rxPending: number[];
  /** Bytes the driver sent on each port. */
  txTotal: number[];
  /** Bytes arriving on a port from outside (a remote terminal); returns how many were buffered. */
  receive(port: number, bytes: string | number[]): number;
  /** Turns the card's fault injection on or off (the datasheet's "Fault injection"); unnamed faults keep their setting. */
  setFaults(faults: CardFaults): void;
}

/** The datasheet's injectable faults; all off on a new machine. */
export interface CardFaults {
  /** Added to every command's 20 ms (+10 us a byte). */
  extraLatencyMs?: number;
  /** Chance (0-1) that a reply's interrupt is never raised. */
  lostIrqProbability?: number;
  /** STATUS.BUSY stays set: every doorbell is an OVERRUN (ERROR=5). */
  stuckBusy?: boolean;
  /** Interrupts with nothing in the mailbox, per second. */
  spuriousIrqPerSec?: number;
  /** The firmware crashes (READY drops, ERROR=2) after this many commands; null: never. */
  crashAfterCommands?: number | null;
}

export interface CheckMachine {
  readonly seed: number;
  readonly personality: Personality;
  /**
   * Runs `command` like `sh -c` as the learner (uid 1000, in /home/lab; sudo works). A
   * command still running after `timeoutMs` of virtual time (default 60 000) is killed, and
   * the item fails saying so. A machine that hangs fails the item with the kernel's report.
   */
  sh(command: string, options?: { timeoutMs?: number }): Promise<ShellResult>;
  /**
   * Runs `make` (or `command`) and fails the item when it fails, pointing at the first error
   * the compiler or make reported (file:line). Returns what it printed.
   */
  build(command?: string): Promise<ShellResult>;
  /** A file's content read as root (`cat`), or undefined when it cannot be read. */
  readFile(path: string): Promise<string | undefined>;
  /** Now, in the machine's history. */
  mark(): Mark;
  /** Virtual time now, in ns. */
  now(): number;
  /** The kernel log (dmesg) since boot or since `mark`. */
  dmesg(since?: Mark): KernelMessage[];
  /** BUG, WARNING, Oops, lockup and hang reports since boot or `mark`. */
  problems(since?: Mark): KernelProblem[];
  /** The event log: port accesses, the PIC's lines, task states and switches, printk. The latest 200 000 are kept. */
  events(since?: Mark): readonly MachineEvent[];
  /** Port accesses, optionally of one port or range and one direction. */
  portAccesses(filter?: { port?: number; from?: number; to?: number; dir?: 'in' | 'out'; since?: Mark }): Extract<MachineEvent, { kind: 'port' }>[];
  /** Rising edges of an IRQ line seen at the interrupt controller, and whether it is high now. */
  irqLine(irq: number, since?: Mark): { edges: number; high: boolean };
  tasks(): TaskInfo[];
  resources(): Resources;
  /** Live kmalloc allocations of a loaded module, or undefined when it is not loaded. */
  kmalloc(module: string): { allocations: number; bytes: number } | undefined;
  /** What each rmmod, and each insmod whose init failed, since boot or `mark` left behind (only modules that left something). */
  unloads(since?: Mark): UnloadReport[];
  /**
   * The longest time a task spent in the kernel without sleeping (a busy-wait: mdelay, or a
   * loop polling a register), in virtual ms, since boot or `mark`, with the task's name.
   */
  longestBusyWait(since?: Mark): { ms: number; comm: string } | undefined;
  /** MY_DEVICE card `index` (0 is the first). */
  card(index?: number): CardView;
  /** The machine's CPUs (one in 2.2, two in the modern kernel): a hang with interrupts off is told from them. */
  cpus(): CpuView[];
}
