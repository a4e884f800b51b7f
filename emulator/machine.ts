// Assembles a PC from a machine configuration and runs it: the clock, port bus,
// PIC pair and PIT (hw/), the kernel on top, and the run loop that moves
// virtual time (fast, or paced to the wall clock for an interactive terminal).
import { VirtualClock } from './hw/clock.js';
import { IoPortBus } from './hw/ioport-bus.js';
import { DualPic } from './hw/intc/i8259.js';
import { Pit } from './hw/timer/i8254.js';
import { IsaMemory } from './hw/isa-memory.js';
import { irqLine } from './hw/irq.js';
import { I8042 } from './hw/input/i8042.js';
import type { MyDeviceCard } from './hw/cards/my-device.js';
import { DEFAULT_CARDS, plugCards, type CardConfig } from './isa-cards.js';
import type { Host } from './host.js';
import { Kernel, MachineHang, type Personality, RELEASES } from './kernel/kernel.js';
import { ModuleLoader } from './kernel/module.js';
import { KernelPanic, panicRebootAt } from './kernel/oops.js';
import { installUserland } from './userland/install.js';
import { exitStatus, Proc } from './userland/libc.js';

export interface MachineConfig {
  personality?: Personality;
  /** Extra kernel command line (appended to the default). */
  cmdline?: string;
  /** Scheduler seed: the same seed, files and input give the same run, byte for byte. */
  seed?: number;
  /** 'fast' skips idle time; 'realtime' waits for the wall clock when idle (interactive). */
  pacing?: 'fast' | 'realtime';
  /** MY_DEVICE cards (0-4) and their jumpers; default one card at 0x200, IRQ 5, 0xD0000. */
  cards?: CardConfig[];
  /** Receives the machine's events as they happen (the inspector, checks, `--trace`). */
  onEvent?: (event: MachineEvent) => void;
}

/**
 * Something that happened in the machine, at virtual time `t` (ns): the
 * stream the inspector, the timeline, checks and `driverlab sh --trace` read.
 */
export type MachineEvent =
  | { t: number; kind: 'switch'; cpu: number; pid: number; comm: string }
  | { t: number; kind: 'task'; pid: number; comm: string; state: string; wchan: string }
  | { t: number; kind: 'port'; dir: 'in' | 'out'; port: number; size: number; value: number; owner?: string }
  | { t: number; kind: 'pic'; lines: number; irr: number; isr: number; imr: number; intr: boolean }
  | { t: number; kind: 'printk'; level: number; text: string };

/** 2025-01-15 10:30:00 UTC: the date in the tutorial's `ls -l` output. */
export const MACHINE_EPOCH_MS = Date.UTC(2025, 0, 15, 10, 30, 0);

export class Machine {
  clock!: VirtualClock;
  bus!: IoPortBus;
  pic!: DualPic;
  pit!: Pit;
  isa!: IsaMemory;
  /** The i8042 keyboard controller on 0x60/0x64, IRQ 1. */
  keyboard!: I8042;
  cards!: MyDeviceCard[];
  kernel!: Kernel;
  readonly config: Required<MachineConfig>;
  private inputWaiter: (() => void) | undefined;
  private stopRequested = false;
  private inputEnded = false;

  /** Whether someone listens to the event stream (config.onEvent was given). */
  private readonly listening: boolean;

  constructor(readonly host: Host, config: MachineConfig, private readonly terminal: (text: string) => void) {
    this.listening = config.onEvent !== undefined;
    this.config = { personality: 'modern', cmdline: '', seed: 1, pacing: 'fast', ...config, onEvent: config.onEvent ?? (() => undefined), cards: config.cards ?? [...DEFAULT_CARDS] };
    this.powerOn();
  }

  /**
   * Builds the PC from its configuration: every chip in its power-on state and
   * a kernel not yet booted. A reset does this again; what lives outside the
   * machine (the learner's workspace, the disk image) is untouched.
   */
  private powerOn(): void {
    this.clock = new VirtualClock();
    this.bus = new IoPortBus();
    this.pic = new DualPic();
    this.isa = new IsaMemory();
    this.pic.attach(this.bus);
    this.pit = new Pit(this.clock, irqLine(this.pic, 0));
    this.pit.attach(this.bus);
    this.keyboard = new I8042(irqLine(this.pic, 1));
    this.keyboard.attach(this.bus);
    // A card configuration that would hang a real PC is refused here, before power-on.
    this.cards = plugCards(this.config.cards, { clock: this.clock, bus: this.bus, pic: this.pic, isa: this.isa, seed: this.config.seed });
    const release = RELEASES[this.config.personality].release;
    const cmdline = `BOOT_IMAGE=/boot/vmlinuz-${release} root=/dev/hda1 ro${this.config.cmdline ? ' ' + this.config.cmdline : ''}`;
    this.kernel = new Kernel({
      clock: this.clock, bus: this.bus, pic: this.pic, isa: this.isa, host: this.host, personality: this.config.personality, cmdline,
      consoleOutput: (text) => this.terminal(text), epochMs: MACHINE_EPOCH_MS, seed: this.config.seed,
    });
    this.kernel.modules = new ModuleLoader(this.kernel);
    this.attachEvents();
  }

  /** Connects the event stream; the hot paths (port I/O) are only hooked when someone listens. */
  private attachEvents(): void {
    const onEvent = this.config.onEvent;
    const k = this.kernel;
    k.sched.onSwitch = (cpu, task) => onEvent({ t: this.clock.now, kind: 'switch', cpu: cpu.id, pid: task.pid, comm: task.comm });
    k.log.listeners.add((rec) => onEvent({ t: rec.timeNs, kind: 'printk', level: rec.level, text: rec.text }));
    if (!this.listening) return;
    k.sched.onState = (task) => onEvent({ t: this.clock.now, kind: 'task', pid: task.pid, comm: task.comm, state: task.state, wchan: task.wchan });
    this.bus.onAccess = (a) => onEvent({ t: this.clock.now, kind: 'port', dir: a.kind, port: a.port, size: a.size, value: a.value, owner: a.owner });
    this.pic.onChange = () => {
      const [m, sl] = [this.pic.master, this.pic.slave];
      onEvent({ t: this.clock.now, kind: 'pic', lines: m.lines | (sl.lines << 8), irr: m.irr | (sl.irr << 8), isr: m.isr | (sl.isr << 8), imr: m.imr | (sl.imr << 8), intr: this.pic.intr });
    };
  }

  /** Power on: the kernel boots and the userland is installed; init is not started yet. */
  boot(): void {
    this.kernel.boot();
    installUserland(this.kernel);
    // Distributions quiet the console once userspace is up (kernel.printk = 4 4 1 7).
    this.kernel.log.consoleLoglevel = 4;
  }

  /** Keys typed on the terminal. */
  input(text: string): void {
    this.kernel.console.input(text);
    this.inputWaiter?.();
  }

  /** Ends keyboard input (the scripted shell has none). */
  endInput(): void {
    this.inputEnded = true;
    this.kernel.console.hangupInput();
  }

  /** Alt+SysRq+`key` on the keyboard: scancodes through the i8042 and IRQ 1, as a real keyboard sends them. */
  sysrq(key: string): void {
    this.keyboard.sysrq(key);
    this.inputWaiter?.();
  }

  stop(): void {
    this.stopRequested = true;
    this.inputWaiter?.();
  }

  /**
   * Starts init with a shell on the console: interactive (a login shell) or
   * running `script` like `sh -c`. Resolves the shell's exit status. When the
   * machine is reset (SysRq-B, a reboot), it boots again: an interactive
   * session gets a new shell; a script is gone with the old machine
   * (status 128 + SIGKILL, as if the shell had been killed).
   */
  async runShell(script?: string): Promise<number> {
    for (;;) {
      const status = await this.runInit(script);
      if (this.kernel.shutdown !== 'restart' || this.stopRequested) return status;
      this.powerOn();
      this.boot();
      if (this.inputEnded) this.kernel.console.hangupInput();
      if (script !== undefined) return 128 + 9;
    }
  }

  private async runInit(script: string | undefined): Promise<number> {
    const k = this.kernel;
    const init = k.createTask(undefined, 'init', { uid: 0, gid: 0, euid: 0, egid: 0 });
    init.cwd = '/';
    init.env = new Map([['PATH', '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'], ['HOME', '/root'], ['TERM', 'linux']]);
    let status: number | undefined;
    k.startProgram(init, async (task) => {
      const p = new Proc(k, task);
      const tty = await p.open('/dev/console', 2);
      await p.dup(tty);
      await p.dup(tty);
      const env = new Map([
        ['PATH', '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'], ['HOME', '/home/user'], ['USER', 'user'],
        ['LOGNAME', 'user'], ['SHELL', '/bin/sh'], ['TERM', 'xterm-256color'], ['PWD', '/home/lab'], ['HOSTNAME', k.hostname],
      ]);
      const argv = script === undefined ? ['-sh'] : ['sh', '-c', script];
      const pid = await p.spawn(argv[0] === '-sh' ? ['sh', '-i'] : argv, { cwd: '/home/lab', env, uid: 1000 });
      const child = k.tasks.get(pid);
      if (child) { child.pgid = pid; k.console.fgPgid = pid; }
      const r = await p.waitpid(pid);
      status = exitStatus(r.status);
      return 0;
    }, ['init']);
    await this.runUntil(() => status !== undefined || this.stopRequested);
    return status ?? 130;
  }

  /**
   * The run loop: runs tasks on the CPUs; when all are idle, moves virtual
   * time to the next event. The host gets the thread back every few
   * milliseconds (input, UI), and with realtime pacing virtual time never runs
   * ahead of the wall clock. A machine that hangs for good is stopped and says so.
   */
  async runUntil(done: () => boolean): Promise<void> {
    const k = this.kernel;
    const host = this.host;
    const realtime = this.config.pacing === 'realtime';
    let wallBase = host.wallNow();
    let virtBase = this.clock.now;
    k.hostYieldedAt = wallBase;
    /** Sleeps up to `ms` of wall time; true when input arrived meanwhile. */
    const sleep = async (ms: number): Promise<boolean> => {
      let woke = false;
      await Promise.race([
        host.sleepWall(ms),
        new Promise<void>((resolve) => { this.inputWaiter = () => { woke = true; resolve(); }; }),
      ]);
      this.inputWaiter = undefined;
      k.hostYieldedAt = host.wallNow();
      return woke;
    };
    try {
      while (!done() && !this.stopRequested && k.halted === undefined) {
        k.advanceTo(this.clock.now);
        if (await k.sched.runOne()) {
          k.unstoppableSince = 0;
          const wall = host.wallNow();
          if (realtime) {
            const ahead = (this.clock.now - virtBase) / 1e6 - (wall - wallBase);
            // Behind (the host was busy, e.g. compiling): carry on from here rather than rush.
            if (ahead < -REALTIME_SLACK_MS) { wallBase = wall; virtBase = this.clock.now; }
            else if (ahead > 2) { await sleep(Math.min(ahead, 50)); continue; }
          }
          if (wall - k.hostYieldedAt > HOST_YIELD_MS) await sleep(0);
          continue;
        }
        const next = this.clock.nextEventTime();
        if (next === undefined) {
          await new Promise<void>((resolve) => { this.inputWaiter = resolve; });
          this.inputWaiter = undefined;
          k.hostYieldedAt = host.wallNow();
          continue;
        }
        if (realtime) {
          const dueWall = wallBase + (next - virtBase) / 1e6;
          const wait = dueWall - host.wallNow();
          if (wait > 1) {
            if (await sleep(Math.min(wait, 50)) || host.wallNow() < dueWall) continue;
          }
        }
        k.advanceTo(next);
      }
    } catch (e) {
      // A panic in an interrupt that came while no task ran: the machine is already halted.
      if (e instanceof MachineHang) k.hang(e.message);
      else if (!(e instanceof KernelPanic)) throw e;
    }
    if (k.halted !== undefined && k.hungReason) this.terminal(`\r\n[driverlab] The virtual machine hangs: ${k.hungReason}. It was stopped; reset it to go on.\r\n`);
    await this.rebootAfterPanic();
  }

  /**
   * panic=N: the panicked kernel spins for N seconds of virtual time (real
   * time on an interactive machine), then resets the machine; runShell() boots it again.
   */
  private async rebootAfterPanic(): Promise<void> {
    const k = this.kernel;
    const at = panicRebootAt(k);
    if (at === undefined || k.shutdown) return;
    if (this.config.pacing === 'realtime') {
      while (!this.stopRequested && this.clock.now < at) {
        const step = Math.min(50, (at - this.clock.now) / 1e6);
        await this.host.sleepWall(step);
        this.clock.advanceTo(Math.min(at, this.clock.now + step * 1e6));
      }
    } else {
      this.clock.advanceTo(at);
    }
    if (!this.stopRequested) k.requestShutdown('restart');
  }
}

/** How far virtual time may fall behind the wall clock before pacing gives up catching up. */
const REALTIME_SLACK_MS = 100;
/** The host gets the thread back at least this often. */
const HOST_YIELD_MS = 16;
