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
import { IDE0_IRQ, IDE_MODEL, IdeController } from './hw/disk/ide.js';
import { newMemoryDisk } from './disk.js';
import type { MyDeviceCard } from './hw/cards/my-device.js';
import { DEFAULT_CARDS, plugCards, type CardConfig } from './isa-cards.js';
import type { DiskBacking, Host } from './host.js';
import { Kernel, MachineHang, type Personality, RELEASES } from './kernel/kernel.js';
import { ModuleLoader } from './kernel/module.js';
import { installSystem, registerUserland } from './userland/install.js';
import { diskNeedsInstall, installedDisk, installOnto } from './installer.js';
import type { RootCheck } from './userland/rc.js';
import { initProgram } from './userland/init.js';
import { unmountAllForShutdown } from './kernel/fs/super.js';
import type { MachineEvent } from './events.js';
import { EventStream, type EventListener, type ListenOptions } from './event-stream.js';
import { TimeControl, type ClockStatus, type Pacing, type StepResult } from './time-control.js';
import { TaskKilled, type Task } from './kernel/sched.js';
import { KernelPanic, panic } from './kernel/oops.js';
import { andThen, type Maybe } from './kernel/maybe.js';
import { bootAreaOf, decodeBootRecord, imageOf, MemoryBootDisk, type BootDisk } from './boot/boot-record.js';
import { rescueFloppyRecord } from './boot/installed.js';
import { BiosKeyboard, postScreen } from './boot/bios.js';
import { LiloSecondStage, type Booting } from './boot/second-stage.js';
import { parseKernelImage, type KernelImage } from './boot/kernel-image.js';

export interface MachineConfig {
  personality?: Personality;
  /** Extra kernel parameters for every boot, as if typed after the label at LILO's prompt. */
  cmdline?: string;
  /** Scheduler seed: the same seed, files and input give the same run, byte for byte. */
  seed?: number;
  /** 'fast' skips idle time; 'realtime' waits for the wall clock when idle (interactive). */
  pacing?: 'fast' | 'realtime';
  /** MY_DEVICE cards (0-4) and their jumpers; default one card at 0x200, IRQ 5, 0xD0000. */
  cards?: CardConfig[];
  /** Receives the machine's events as they happen (the inspector, checks, `--trace`). */
  onEvent?: (event: MachineEvent) => void;
  /** Whether the terminal shows what each boot prints (BIOS, LILO, the kernel's messages); default true. */
  showBoot?: boolean;
  /**
   * The hard disk on the primary IDE channel (hda): a disk image from the host, or by default a
   * fresh installed 32 MiB disk in memory (a copy-on-write view of the installed system:
   * emulator/installer.ts). A disk with no system on it is installed at the first power-on. It
   * outlives resets of the machine.
   */
  disk?: DiskBacking;
  /**
   * Boot the rescue system instead of the one on the hard disk: the kernel from a boot floppy,
   * its root file system in RAM, the hard disk neither installed nor mounted (by default a blank
   * partitioned one), free for raw use (dd, mke2fs, mount by hand).
   */
  rescue?: boolean;
}

export type { MachineEvent, EventListener, ListenOptions, ClockStatus, Pacing, StepResult };

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
  /** The primary IDE channel with the hard disk (hda). */
  ide!: IdeController;
  cards!: MyDeviceCard[];
  kernel!: Kernel;
  readonly config: Required<MachineConfig>;
  private inputWaiter: (() => void) | undefined;
  private stopRequested = false;
  private inputEnded = false;
  /** The rescue system's boot floppy (config.rescue): LILO and the stock kernel. */
  private readonly rescueFloppy: BootDisk | undefined;
  /** What the boot scripts' fsck of the root found on this boot (undefined: no check, or not booted yet). */
  rootCheck: RootCheck | undefined;
  /** Where the machine is since power-on: the BIOS and boot loader, the kernel booting, init's boot scripts, or user space. */
  private phase: 'firmware' | 'kernel' | 'init' | 'userspace' = 'firmware';
  /** The boot in progress or done (boot() may have to wait: a LILO prompt in real time, drivers that sleep). */
  private booted: Promise<void> | undefined;
  /** The init task while it runs the kernel's part (do_basic_setup), and the program it continues with. */
  private initTask: Task | undefined;
  private initMain: ((task: Task) => Promise<number>) | undefined;
  /** The reset button was pressed or the power switch turned: the machine stops where it is. */
  private powerEvent: 'reset' | 'off' | undefined;
  /** Wakes runShell() when it waits for someone to reset a machine that stopped. */
  private powerWaiter: (() => void) | undefined;
  /** Called when the machine has booted again after a reset, a reboot or a power cycle. */
  onReboot: (() => void) | undefined;
  /** Virtual time of the boots before this one: every power-on starts a new clock. */
  private earlierBootsNs = 0;

  /** The event stream: listeners come and go (config.onEvent is there from the start). */
  readonly events = new EventStream(() => this.host.wallNow());
  /** Pause, single-step and pacing of the run loop. */
  readonly time: TimeControl;
  /** Keys typed while the clock is paused: the machine takes them when it runs again. */
  private pausedInput = '';

  constructor(readonly host: Host, config: MachineConfig, private readonly terminal: (text: string) => void) {
    const personality = config.personality ?? 'modern';
    const disk = config.disk ?? (config.rescue ? newMemoryDisk() : installedDisk(host, personality, MACHINE_EPOCH_MS));
    this.config = { personality: 'modern', cmdline: '', seed: 1, pacing: 'fast', showBoot: true, rescue: false, ...config, onEvent: config.onEvent ?? (() => undefined), cards: config.cards ?? [...DEFAULT_CARDS], disk };
    this.time = new TimeControl(() => this.clock, this.config.pacing, () => this.kickRunLoop());
    if (config.onEvent) this.events.listen(config.onEvent);
    if (this.config.rescue) {
      const { release, version } = RELEASES[personality];
      this.rescueFloppy = new MemoryBootDisk();
      this.rescueFloppy.write(rescueFloppyRecord(release, version, personality === '2.2'));
    } else if (diskNeedsInstall(disk)) {
      installOnto(disk, host, personality, MACHINE_EPOCH_MS);
    }
    this.powerOn();
  }

  /**
   * What the BIOS boots: the rescue floppy, or the hard disk's boot sector and map (before hda1,
   * where lilo wrote them: boot/boot-record.ts), looked at anew at every power-on.
   */
  get bootDisk(): BootDisk {
    return this.rescueFloppy ?? bootAreaOf(this.config.disk);
  }

  /**
   * Builds the PC from its configuration: every chip in its power-on state and
   * a kernel not yet booted. A reset does this again; what lives outside the
   * machine (the learner's workspace, the disk image) is untouched.
   */
  private powerOn(): void {
    if (this.clock) this.earlierBootsNs += this.clock.now;
    this.clock = new VirtualClock();
    this.bus = new IoPortBus();
    this.pic = new DualPic();
    this.isa = new IsaMemory();
    this.pic.attach(this.bus);
    this.pit = new Pit(this.clock, irqLine(this.pic, 0));
    this.pit.attach(this.bus);
    this.keyboard = new I8042(irqLine(this.pic, 1));
    this.keyboard.attach(this.bus);
    this.ide = new IdeController(this.clock, irqLine(this.pic, IDE0_IRQ), this.config.disk, {
      onHostError: (msg) => this.terminal(`\r\n[driverlab] ${msg}\r\n`),
    });
    this.ide.attach(this.bus);
    // A card configuration that would hang a real PC is refused here, before power-on.
    this.cards = plugCards(this.config.cards, { clock: this.clock, bus: this.bus, pic: this.pic, isa: this.isa, seed: this.config.seed });
    this.phase = 'firmware';
    this.rootCheck = undefined;
    this.booted = undefined;
    this.initTask = undefined;
    this.initMain = undefined;
    // The command line is LILO's to give, at boot().
    this.kernel = new Kernel({
      clock: this.clock, bus: this.bus, pic: this.pic, isa: this.isa, host: this.host, personality: this.config.personality, cmdline: '',
      consoleOutput: (text) => this.screen(text), epochMs: MACHINE_EPOCH_MS, seed: this.config.seed, bootDisk: this.bootDisk, ramRoot: this.config.rescue,
    });
    this.kernel.modules = new ModuleLoader(this.kernel);
    this.events.attach(this);
  }

  /**
   * Adds a listener to the event stream until the returned function is called. The chips'
   * hot paths are hooked only while someone listens.
   */
  listen(listener: EventListener, options?: ListenOptions): () => void {
    return this.events.listen(listener, options);
  }

  /** The virtual clock stops: no task runs and no hardware event fires until resume() or step(). */
  pause(): void {
    this.time.pause();
  }

  resume(): void {
    this.time.resume();
    const typed = this.pausedInput;
    this.pausedInput = '';
    if (typed) this.input(typed);
  }

  /** Runs the paused machine to the next event on its virtual clock, then pauses it again. */
  step(): Promise<StepResult> {
    return this.time.stepToNextEvent();
  }

  /** At the wall clock's pace, or as fast as the host can (idle time skipped). */
  setPacing(pacing: Pacing): void {
    this.time.setPacing(pacing);
  }

  get clockStatus(): ClockStatus {
    return this.time.status();
  }

  /** Wakes the run loop wherever it waits, and stops running C code at its next preemption point. */
  private kickRunLoop(): void {
    this.kernel.hostYieldedAt = Number.NEGATIVE_INFINITY;
    this.inputWaiter?.();
  }

  /**
   * Power on: the BIOS's self test, LILO (its prompt, when the boot record asks for one), then the
   * kernel boots and the userland is installed; init is not started yet. Everything happens before
   * this returns unless something must wait: a prompt that waits for keys in real time. The promise
   * says when the boot is complete (runShell waits for it too).
   */
  boot(): Promise<void> {
    let done: Promise<void>;
    try {
      done = Promise.resolve(andThen(this.firmware(), (booting) => this.startKernel(booting)));
    } catch (e) {
      done = Promise.reject(e);
    }
    done = done.catch((e: unknown) => {
      if (!(e instanceof BootFailure)) throw e;
      if (this.stopRequested) return;
      // A PC that cannot boot stops where it is; the screen says why.
      this.kernel.hang(e.message);
    });
    this.booted = done;
    // Whoever does not wait for the boot hears of a failure from runShell.
    done.catch(() => undefined);
    return done;
  }

  /** Virtual time since the machine was first powered on, across reboots and resets (a drill's recovery spans them). */
  get virtualTimeNs(): number {
    return this.earlierBootsNs + this.clock.now;
  }

  /** True from power-on until user space starts: what a terminal hides unless it shows the boot. */
  get booting(): boolean {
    return this.phase !== 'userspace';
  }

  /** The terminal, where everything until user space is the boot's (shown with config.showBoot). */
  private screen(text: string): void {
    if (!this.booting || this.config.showBoot) this.terminal(text);
  }

  /** POST, then LILO's second stage: what to boot, and its image from the map. */
  private firmware(): Maybe<{ booting: Booting; image: KernelImage }> {
    const screen = (text: string) => this.screen(text);
    const personality = this.config.personality;
    screen(postScreen({
      memoryKb: 262144, cpuName: 'DriverLab Virtual (wasm32)', cpuMhz: 2385,
      // What answers on the primary IDE channel: the machine's disk (the IDE drive's model name).
      ideDrives: [IDE_MODEL],
      biosId: `01/15/${personality === '2.2' ? '98' : '25'}-DRIVERLAB-VPC-${personality === '2.2' ? '22' : '68'}`,
    }));
    const medium = this.bootDisk;
    const read = decodeBootRecord(medium.read());
    if (!read.ok) {
      screen(read.screen);
      throw new BootFailure(`the disk holds no boot record the BIOS and LILO can use (${read.screen.trim()})`);
    }
    const record = read.record;
    const stage = new LiloSecondStage(record.table, screen, this.config.cmdline);
    const keyboard = new BiosKeyboard(this.bus);
    const load = (booting: Booting): { booting: Booting; image: KernelImage } => {
      const bytes = imageOf(record, booting.entry, medium);
      const image = bytes && parseKernelImage(bytes);
      if (!image || 'error' in image) {
        screen(`Loading ${booting.entry.label}\r\nKernel ${booting.entry.image} is not a Linux kernel image\r\n`);
        throw new BootFailure(`LILO's map points "${booting.entry.label}" at something that is not a kernel image`);
      }
      screen(stage.loading(booting.entry.label, image.loadSize));
      return { booting, image };
    };
    if (!stage.start()) {
      if (!keyboard.available()) return load(stage.bootDefault());
      stage.interrupt();
    }
    return andThen(this.atPrompt(stage, keyboard), load);
  }

  /**
   * LILO's prompt: keys as they come, and the timeout on the virtual clock. Time that nobody types
   * through passes at once unless the machine runs in real time.
   */
  private atPrompt(stage: LiloSecondStage, keyboard: BiosKeyboard): Maybe<Booting> {
    const start = this.clock.now;
    const typed = (): Booting | undefined => {
      let key: string | undefined;
      while ((key = keyboard.read()) !== undefined) {
        const r = stage.key(key);
        if (r) return r;
      }
      return undefined;
    };
    const step = (): Maybe<Booting> => {
      for (;;) {
        const chosen = typed();
        if (chosen) return chosen;
        const timeout = stage.timeoutNs;
        const deadline = timeout === undefined ? undefined : start + timeout;
        if (deadline !== undefined && this.clock.now >= deadline) return stage.bootDefault();
        if (this.time.pacing === 'fast' && deadline !== undefined) { this.clock.advanceTo(deadline); continue; }
        if (this.stopRequested) throw new BootFailure('the machine was powered off at the LILO prompt');
        if (this.inputEnded) {
          throw new BootFailure('LILO waits at its boot: prompt for ever (prompt without timeout=) and no key can come; add timeout= to /etc/lilo.conf and run lilo');
        }
        return this.waitForKeys(deadline).then(step);
      }
    };
    return step();
  }

  /** Waits for a key or for `deadline` on the virtual clock, which keeps pace with the wall clock. */
  private async waitForKeys(deadline: number | undefined): Promise<void> {
    const wallStart = this.host.wallNow();
    const virtStart = this.clock.now;
    const wait = deadline === undefined ? 50 : Math.min(50, Math.max(0, (deadline - virtStart) / 1e6));
    await Promise.race([
      this.host.sleepWall(wait),
      new Promise<void>((resolve) => { this.inputWaiter = resolve; }),
    ]);
    this.inputWaiter = undefined;
    const elapsed = (this.host.wallNow() - wallStart) * 1e6;
    this.clock.advanceTo(Math.min(deadline ?? Infinity, virtStart + elapsed));
  }

  /** The kernel LILO loaded starts, with the command line LILO gave it. */
  private startKernel({ booting, image }: { booting: Booting; image: KernelImage }): Maybe<void> {
    this.phase = 'kernel';
    const k = this.kernel;
    // The image's own first words, from its decompressor.
    this.screen(this.config.personality === '2.2'
      ? 'Uncompressing Linux... Ok, booting the kernel.\r\n'
      : 'Decompressing Linux... Parsing ELF... done.\r\nBooting the kernel.\r\n');
    k.cmdline = booting.cmdline;
    k.boot(image);
    registerUserland(k);
    // The rescue system's root is a ramfs: its files are written at every boot.
    if (k.ramRoot) installSystem(k);
    // Distributions quiet the console once userspace is up (kernel.printk = 4 4 1 7).
    const settle = () => { k.log.consoleLoglevel = 4; };
    if (!k.builtin || k.halted !== undefined) return settle();
    return this.basicSetup().then(settle);
  }

  /** Keys typed on the terminal: to the console once the kernel runs, through the keyboard controller before. */
  input(text: string): void {
    if (this.time.isPaused) {
      this.pausedInput += text;
      return;
    }
    if (this.phase === 'firmware') {
      for (const ch of text) {
        try { this.keyboard.typeText(ch); } catch { /* a key the PC keyboard does not have */ }
      }
    } else {
      this.kernel.console.input(text);
    }
    this.inputWaiter?.();
  }

  /**
   * do_basic_setup() in the init task (pid 1): the drivers built into the kernel are initialised
   * in process context, where they may sleep; then the boot ends (the root is mounted) and the
   * task waits to become init.
   */
  private async basicSetup(): Promise<void> {
    const k = this.kernel;
    const init = k.createTask(undefined, 'init', { uid: 0, gid: 0, euid: 0, egid: 0 });
    this.initTask = init;
    let done = false;
    k.startProgram(init, async (task) => {
      try {
        await k.builtin!.initcalls();
      } catch (e) {
        // An oops in a driver's init kills the task it runs in: here, init.
        if (!(e instanceof TaskKilled) && !(e instanceof KernelPanic)) throw e;
        if (k.halted === undefined) panic(k, 'Attempted to kill init!');
        done = true;
        return 0;
      }
      k.finishBoot();
      done = true;
      while (!this.initMain) await k.sched.block('S', 'kernel_init');
      return this.initMain(task);
    }, ['init']);
    await this.runUntil(() => done);
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
    this.powerWaiter?.();
    this.time.release();
  }

  /**
   * The reset button: the machine restarts at once, whatever it is doing (a hard lockup,
   * a panic). Nothing is synced: what only the kernel held in memory is lost.
   */
  pressReset(): void {
    this.cutPower('reset');
  }

  /** The power switch off and on again: for the machine, the same as the reset button. */
  powerCycle(): void {
    this.cutPower('reset');
  }

  /** The power switch off: the machine stops where it is and runShell() returns. */
  powerOff(): void {
    this.cutPower('off');
  }

  private cutPower(event: 'reset' | 'off'): void {
    this.powerEvent = event;
    // The kernel stops at its next preemption point, at this very virtual instant.
    this.kernel.halted ??= event === 'reset' ? 'reset' : 'power off';
    // A paused clock does not hold the buttons back: the machine after them runs.
    this.pausedInput = '';
    this.time.resume();
    this.inputWaiter?.();
    this.powerWaiter?.();
    this.time.release();
  }

  /**
   * Starts init with a shell on the console: interactive (a login shell) or running `script`
   * like `sh -c`, and resolves the shell's exit status. The session survives the machine:
   * after a reboot, a reset, a panic with panic=N or a power cycle the machine boots again
   * and init starts a new shell, which for a script goes on with the top-level command after
   * the one that was running (the shell reports each one it starts). A machine that powers
   * off ends the session; one that halts, hangs or panics for good ends a script's session
   * and waits for the reset button in an interactive one.
   */
  async runShell(script?: string): Promise<number> {
    const cursor = script === undefined ? undefined : new ScriptCursor(script);
    for (;;) {
      await (this.booted ?? this.boot());
      if (this.stopRequested) return 130;
      const status = await this.runInit(cursor);
      if (status !== undefined || this.stopRequested) return status ?? 130;
      if (!(await this.comesBack(cursor === undefined))) return this.stopRequested ? 130 : statusWhenStopped(this.kernel);
      this.powerEvent = undefined;
      this.powerOn();
      await this.boot();
      if (this.inputEnded) this.kernel.console.hangupInput();
      this.onReboot?.();
      if (cursor?.finished) return 0;
    }
  }

  /**
   * For whoever ends the machine's life when its console session is over (driverlab sh at the end
   * of its script, driverlab shell and the app's machine thread when the shell exits): the
   * machine is shut down as by its power button, in order: what is dirty is written and the file
   * systems unmounted, so what the session wrote on the disk is there at the next power-on and
   * the next boot's fsck finds it clean. Quietly: the session that would see the messages has
   * ended. (A machine whose runShell() is called again, as tests and checks do, is not.)
   */
  shutDownAfterSession(): void {
    const k = this.kernel;
    if (k.halted !== undefined) return;
    k.block.syncAll();
    unmountAllForShutdown(k);
  }

  /**
   * The machine stopped under the shell: whether it boots again. It does after a restart
   * (reboot, SysRq-B, the reset button) and after panic=N seconds; an interactive session
   * also waits for the reset button when the machine halted, hung or panicked for good.
   */
  private async comesBack(interactive: boolean): Promise<boolean> {
    const k = this.kernel;
    if (this.powerEvent) return this.powerEvent === 'reset';
    if (k.shutdown === 'restart') return true;
    if (k.panicRestartAtNs !== undefined) {
      await this.idleUntil(k.panicRestartAtNs);
      if (this.stopRequested || this.powerEvent === 'off') return false;
      // panic()'s emergency_restart() once the timeout has run out.
      k.requestShutdown('restart');
      return true;
    }
    if (!interactive || k.shutdown === 'poweroff' || this.stopRequested) return false;
    // A hang has said so already (runUntil).
    if (!k.hungReason) this.terminal('\r\n[driverlab] The machine has stopped; reset it to start it again.\r\n');
    await new Promise<void>((resolve) => { this.powerWaiter = resolve; });
    this.powerWaiter = undefined;
    return !this.stopRequested && this.powerEvent === 'reset';
  }

  /** Virtual time passes with no CPU doing anything useful (spinning in panic with interrupts off), paced like the run loop. */
  private async idleUntil(t: number): Promise<void> {
    while (this.clock.now < t && !this.stopRequested && !this.powerEvent) {
      if (this.time.pacing !== 'realtime') { this.clock.advanceTo(t); break; }
      const step = Math.min(t - this.clock.now, 50e6);
      await Promise.race([this.host.sleepWall(step / 1e6), new Promise<void>((resolve) => { this.powerWaiter = resolve; })]);
      this.powerWaiter = undefined;
      this.clock.advanceTo(this.clock.now + step);
    }
  }

  /** Runs init until the console session ends (its status) or the machine stops under it (undefined). */
  private async runInit(cursor: ScriptCursor | undefined): Promise<number | undefined> {
    const k = this.kernel;
    // The init task exists already when drivers built into the kernel were started in it (once: a
    // later shell of the same boot gets an init of its own, as without them).
    const early = this.initTask;
    this.initTask = undefined;
    const init = early ?? k.createTask(undefined, 'init', { uid: 0, gid: 0, euid: 0, egid: 0 });
    init.cwd = '/';
    // The environment the kernel gave init: HOME=/, TERM=linux and the command line's NAME=value words nobody claimed.
    const bootEnv = k.initEnvp.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as [string, string]);
    init.env = new Map([['PATH', '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'], ...bootEnv]);
    let status: number | undefined;
    // init's boot scripts are still the boot's: the console is the user's once they are done.
    this.phase = 'init';
    const main = initProgram(k, {
      script: () => cursor?.take(),
      report: (offset) => cursor?.advance(offset),
      ended: (s) => { status = s; },
      booted: (check) => {
        if (check) this.rootCheck = check;
        this.phase = 'userspace';
      },
    });
    if (early) {
      // execve("/sbin/init"): the task that ran the kernel's init part becomes init.
      init.argv = k.initArgv;
      this.initMain = (task) => main(task, k.initArgv);
      k.sched.wake(init);
    } else {
      k.startProgram(init, main, k.initArgv);
    }
    // 2.2's SysRq-L kills init too: a script can go no further; an interactive machine runs on, empty, until reset.
    await this.runUntil(() => status !== undefined || this.stopRequested || this.powerEvent !== undefined || (cursor !== undefined && !init.alive));
    return status;
  }

  /**
   * The run loop: runs tasks on the CPUs; when all are idle, moves virtual
   * time to the next event. The host gets the thread back every few
   * milliseconds (input, UI), and with realtime pacing virtual time never runs
   * ahead of the wall clock. A machine that hangs for good is stopped and says so.
   * While the clock is paused (time-control.ts) nothing runs; a step runs to the
   * next clock event and no further.
   */
  async runUntil(done: () => boolean): Promise<void> {
    const k = this.kernel;
    const host = this.host;
    const time = this.time;
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
      while (!done() && !this.stopRequested && k.halted === undefined && !this.powerEvent) {
        if (time.mustHold()) {
          await time.held();
          // Paused time is not owed to the wall clock.
          wallBase = host.wallNow();
          virtBase = this.clock.now;
          k.hostYieldedAt = wallBase;
          continue;
        }
        const realtime = time.pacing === 'realtime' && !time.isStepping;
        k.advanceTo(this.clock.now);
        // A step stops running code at its next preemption point, to see whether the event came.
        const yieldedAt = k.hostYieldedAt;
        if (time.isStepping) k.hostYieldedAt = Number.NEGATIVE_INFINITY;
        const ran = await k.sched.runOne();
        if (time.isStepping && k.hostYieldedAt === Number.NEGATIVE_INFINITY) k.hostYieldedAt = yieldedAt;
        if (ran) {
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
        if (time.isStepping) {
          // Exactly one event, with the interrupts it raises.
          this.clock.fireNext();
          k.handleInterrupts();
          continue;
        }
        if (realtime) {
          const dueWall = wallBase + (next - virtBase) / 1e6;
          const wait = dueWall - host.wallNow();
          if (wait > 1) {
            if (await sleep(Math.min(wait, 50)) || host.wallNow() < dueWall) continue;
          }
        } else if (host.wallNow() - k.hostYieldedAt > HOST_YIELD_MS) {
          // Idle time skipped from timer to timer (kupdate's, the watchdog's come for ever): the host still gets its turn.
          await sleep(0);
          continue;
        }
        k.advanceTo(next);
      }
    } catch (e) {
      // A panic in an interrupt that came while no task ran: the machine is already halted.
      if (e instanceof MachineHang) k.hang(e.message);
      else if (!(e instanceof KernelPanic)) throw e;
    }
    if (k.halted !== undefined && k.hungReason) this.terminal(`\r\n[driverlab] The virtual machine hangs: ${k.hungReason}. It was stopped; reset it to go on.\r\n`);
  }
}

/** Why a PC stops before its kernel runs (no boot record, a LILO prompt nobody can answer). */
class BootFailure extends Error {}

/** How far virtual time may fall behind the wall clock before pacing gives up catching up. */
const REALTIME_SLACK_MS = 100;
/** The host gets the thread back at least this often. */
const HOST_YIELD_MS = 16;

/**
 * Where `driverlab sh` is in its script, across reboots: the offset where the next top-level
 * command begins. The shell is given what is left and reports offsets in that text.
 */
class ScriptCursor {
  /** Where the text given to the current shell begins, and where its next command begins. */
  private base = 0;
  private next = 0;

  constructor(private readonly text: string) {}

  /** What is left, for a new shell (after a reboot or a respawn). */
  take(): string {
    this.base = this.next;
    return this.text.slice(this.next);
  }

  advance(offsetInGiven: number): void {
    this.next = this.base + offsetInGiven;
  }

  get finished(): boolean {
    return this.text.slice(this.next).trim() === '';
  }
}

/**
 * The status of a session whose machine stopped for good: 0 after it powered off or halted
 * as asked (shutdown -h, poweroff, SysRq-O), 128 + SIGKILL when it hung, panicked or lost
 * its power, as if the shell had been killed.
 */
function statusWhenStopped(k: Kernel): number {
  return k.shutdown === 'poweroff' || k.shutdown === 'halt' ? 0 : 128 + 9;
}
