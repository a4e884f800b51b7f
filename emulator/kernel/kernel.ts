// The kernel: owns the VFS, tasks, the log, devices and interrupts, and serves
// system calls. It talks to hardware only through the port bus and the PIC, as
// a driver would (ARCHITECTURE.md dependency rule).
import type { VirtualClock } from '../hw/clock.js';
import type { IoPortBus } from '../hw/ioport-bus.js';
import type { DualPic } from '../hw/intc/i8259.js';
import type { IsaMemory } from '../hw/isa-memory.js';
import type { Host } from '../host.js';
import { Errno, EBADF, ECHILD, EINTR, EINVAL, EISDIR, ENOENT, ENOEXEC, ENOTDIR, EPERM, ESRCH, ESPIPE, EPIPE, EAGAIN, strerror } from './errno.js';
import { KernelLog, logBufLen } from './printk.js';
import { formatC, type FormatArgs } from './format.js';
import { Vfs, type Cred as VfsCred } from './fs/vfs.js';
import { RamFs, type FsContext } from './fs/ramfs.js';
import { ProcFs } from './fs/procfs.js';
import { kernelMkdirp, kernelReadFile, kernelWriteFile } from './fs/kernel-io.js';
import { mountOptions, mountRoot } from './fs/namespace.js';
import { Klogd } from './klogd.js';
import { genericFileIoctl } from './fs/ioctl.js';
import { builtinLoader, writeBuiltinFile } from './binfmt.js';
import { type FileOperations, type Inode, type OpenFile, MKDEV, MINOR, O_RDONLY, O_WRONLY, O_NONBLOCK,
  S_IFBLK, S_IFCHR, isDir, isReg, FMODE_READ, FMODE_WRITE } from './fs/types.js';
import { ChrdevRegistry } from './chrdev.js';
import { ResourceTree, markContainer } from './resources.js';
import { Scheduler, Task, TaskKilled, STOP_SIGNALS, type Cpu, WaitQueue, SIGKILL, SIGPIPE, SIGCHLD, SIGCONT } from './sched.js';
import { Tty } from './tty.js';
import { Pipe } from './pipe.js';
import { ScratchMemory, copyFromUser, copyToUser, type UserMemory } from './uaccess.js';
import { andThen, type Maybe } from './maybe.js';
import type { ModuleLoader } from './module.js';
import { registerProcFiles } from './procfiles.js';
import { createSysfs } from './params.js';
import { doIRQ, newIrqDescs, setupIrq, type IrqDesc } from './irq.js';
import { Softirq } from './softirq.js';
import { Keyboard } from './keyboard.js';
import { Sysrq } from './sysrq.js';
import type { ShutdownKind } from './reboot.js';
import { TimerBase } from './timer.js';
import { Workqueues } from './workqueue.js';
import type { BootDisk } from '../boot/boot-record.js';
import type { KernelImage } from '../boot/kernel-image.js';
import { parseBootOptions } from './bootparams.js';
import type { BuiltinCode } from './builtin.js';
import { BlockLayer } from './block/index.js';
import { KernelPanic, OopsExit, lockupReport, panic, panicRebootAt } from './oops.js';
import { enterSyscall, leaveSyscall, type SyscallPath } from './symbols.js';
import { PID_MAX, RESERVED_PIDS, forkRefused } from './rlimit.js';

export type Personality = 'modern' | '2.2';

export const HZ = 100;
/** Preemption points: a loop iteration of C code costs this much virtual CPU time. */
export const NS_PER_FUEL = 2;
/** How far one CPU may run ahead of another busy one before it waits for it. */
const SMP_SLACK_NS = 20_000;
/** A user task's time slice. */
const TIME_SLICE_NS = 4_000_000;
/** A loop running this long without a system call or a sleep is fast-forwarded to the next hardware event. */
const SPIN_FAST_FORWARD_NS = 100_000_000;
/** watchdog_thresh (10 s), the soft lockup hrtimer period (thresh * 2 / 5). */
const WATCHDOG_THRESH_NS = 10e9;
const WATCHDOG_PERIOD_NS = 4e9;
/** The host gets the thread back this often (input, UI), without changing what the machine does. */
const HOST_YIELD_MS = 20;
/** The safety net: code that cannot be stopped for this long means the machine hangs for good. */
const RUNAWAY_WALL_MS = 5000;

/** Virtual CPU time an exec costs the new program before its main() (a few hundred microseconds on a PC). */
const EXEC_COST_NS = 300_000;
/** Virtual CPU time one system call costs (entry, work, exit). */
const SYSCALL_COST_NS = 1500;
/** Virtual time between boot steps, so boot messages carry plausible timestamps. */
const BOOT_STEP_NS = 3_000_000;

export interface KernelRelease {
  release: string;
  version: string;
  versionCode: number;
}

export const RELEASES: Record<Personality, KernelRelease> = {
  modern: { release: '6.8.0-driverlab', version: '#1 SMP PREEMPT_DYNAMIC Wed Jan 15 10:30:00 UTC 2025', versionCode: 0x060800 },
  '2.2': { release: '2.2.26-driverlab', version: '#1 Wed Jan 15 10:30:00 UTC 2025', versionCode: 0x02021a },
};

/** A program the kernel can exec: TypeScript userland, given its process interface. */
export type ProgramMain = (task: Task, argv: string[]) => Promise<number>;

/** A program found by exec(): TypeScript userland or (from step 2) a wasm binary. */
export type ExecLoader = (task: Task, path: string, inode: Inode, argv: string[]) => Promise<ProgramMain | number>;

export interface KernelOptions {
  clock: VirtualClock;
  bus: IoPortBus;
  pic: DualPic;
  /** The ISA memory hole (0xA0000-0xFFFFF) where cards' shared-memory windows live. */
  isa: IsaMemory;
  host: Host;
  personality: Personality;
  cmdline: string;
  /** The terminal: what the console shows. */
  consoleOutput: (text: string) => void;
  /** Wall-clock epoch (ms) that virtual time 0 corresponds to, for dates. */
  epochMs: number;
  /** The scheduler's seed: one seed, one interleaving. */
  seed?: number;
  /** The disk sectors that hold LILO's boot sector and map (what /sbin/lilo writes). */
  bootDisk?: BootDisk;
  /** Boot the rescue system: the root stays the ramfs the kernel starts with, and root= is not mounted. */
  ramRoot?: boolean;
}

export interface IrqAction {
  handler: (irq: number) => boolean;
  name: string;
  devId?: number;
  owner?: string;
  /** SA_SHIRQ / IRQF_SHARED: other actions that also agree to share may join the line. */
  shared?: boolean;
  /** 2.2's "slow" handlers (no SA_INTERRUPT) run with the CPU's interrupts enabled. */
  interruptsEnabled?: boolean;
  /** The request_irq() flags, for the "Flags mismatch" report. */
  flags?: number;
  /** The C handler as %ps names it ("my_handler [my_device]") and its address, for reports. */
  symbol?: () => { ptr: number; name: string };
}

export class Kernel {
  readonly clock: VirtualClock;
  readonly bus: IoPortBus;
  readonly pic: DualPic;
  readonly isa: IsaMemory;
  readonly host: Host;
  readonly personality: Personality;
  readonly release: KernelRelease;
  readonly log: KernelLog;
  readonly vfs: Vfs;
  readonly procfs: ProcFs;
  readonly rootfs: RamFs;
  readonly sched: Scheduler;
  readonly chrdevs = new ChrdevRegistry();
  readonly ioports = new ResourceTree('PCI IO', 0xffff, 4);
  readonly iomem = new ResourceTree('PCI mem', 0xffffffff, 8);
  readonly tasks = new Map<number, Task>();
  readonly console: Tty;
  readonly irqActions: IrqAction[][] = Array.from({ length: 16 }, () => []);
  readonly irqCounts: number[] = new Array(16).fill(0);
  /** The same counts per CPU (/proc/interrupts' columns): the CPU that took each interrupt. */
  readonly irqCountsPerCpu: number[][];
  readonly irqDesc: IrqDesc[];
  spuriousIrqs = 0;
  /** The executing CPU's interrupt flag. */
  get irqsEnabled(): boolean { return this.sched.cpu.irqsEnabled; }
  set irqsEnabled(on: boolean) {
    const cpu = this.sched.cpu;
    if (cpu.irqsEnabled === on) return;
    cpu.irqsEnabled = on;
    this.onIrqFlag?.(cpu, on);
  }
  /** Called when a CPU's interrupt flag changes (the machine's event stream); unset while nobody listens. */
  onIrqFlag: ((cpu: Cpu, enabled: boolean) => void) | undefined;
  /** Nesting depth of interrupt handlers running now on this CPU (in_interrupt()). */
  get inInterrupt(): number { return this.sched.cpu.inInterrupt; }
  set inInterrupt(n: number) { this.sched.cpu.inInterrupt = n; }
  /** Spinlocks held on this CPU (preempt_count): a task holding one must not sleep. */
  get preemptCount(): number { return this.sched.cpu.preemptCount; }
  set preemptCount(n: number) { this.sched.cpu.preemptCount = n; }
  /** The console keyboard driver (IRQ 1), with Magic SysRq. */
  keyboard: Keyboard | undefined;
  /** Magic SysRq: the keys, /proc/sys/kernel/sysrq and /proc/sysrq-trigger. */
  sysrq: Sysrq | undefined;
  /**
   * The shell init started on the console for a script (`driverlab sh`) tells the machine here
   * which top-level command it starts, as the offset in its script where the next one begins:
   * after a reboot or a respawn the script goes on from there.
   */
  consoleScript: { initPid: number; report(nextOffset: number): void } | undefined;
  /** Wall-clock time (ms) the run loop last let the host run (input, UI): see preemptionPoint(). */
  hostYieldedAt = 0;
  jiffies: number;
  cmdline: string;
  /** Virtual time the kernel started at: printk timestamps and the uptime count from here, not from power-on. */
  bootNs = 0;
  /** LILO's boot sector and map on the disk (undefined for a machine without one). */
  readonly bootDisk: BootDisk | undefined;
  /** The image the boot loader started. */
  image: KernelImage | undefined;
  /** The C code built into the image (a kernel built from /usr/src/linux), or undefined for the stock kernel. */
  builtin: BuiltinCode | undefined;
  /** The kernel's first line, "Linux version ..." (also /proc/version). */
  get banner(): string {
    return this.bannerText ?? `Linux version ${this.release.release} (builder@driverlab) (clang version 22.0.0, LLD 22.0.0) ${this.release.version}`;
  }
  /** A built kernel's linux_banner: its "#N date" is also what uname -v says. */
  set banner(text: string) {
    this.bannerText = text;
    const version = /\) (#\d+.*)$/.exec(text)?.[1];
    if (version) this.release.version = version;
  }
  private bannerText: string | undefined;
  /** What the command line left for init (parse_options): its arguments and environment. */
  initArgv: string[] = ['init'];
  initEnvp: string[] = ['HOME=/', 'TERM=linux'];
  /** init= on the command line: the program to run as init. */
  initPath: string | undefined;
  /** root= (ROOT_DEV) and console= (panic= is oops.ts's panic settings). */
  rootDev = 0x0301;
  consoleDevice: string | undefined;
  hostname = 'driverlab';
  modules!: ModuleLoader;
  /** The programs built into DriverLab, by name: their files name them (binfmt.ts). */
  readonly builtins = new Map<string, ProgramMain>();
  execLoaders: ExecLoader[] = [builtinLoader(this)];
  /** Messages a panic or a halted machine leaves; undefined while running. */
  halted: string | undefined;
  private nextPid = 1;
  private inoCounter = 1;
  private readonly consoleOutput: (text: string) => void;
  readonly epochMs: number;
  private readonly ttyWait = new WaitQueue('n_tty_read');
  readonly fsctx: FsContext;
  tainted = new Set<string>();
  readonly softirq: Softirq;
  readonly timers: TimerBase;
  readonly workqueues: Workqueues;
  /** Disks, partitions, the buffer cache, sync and write-back (set up at boot). */
  block!: BlockLayer;

  constructor(opts: KernelOptions) {
    this.clock = opts.clock;
    this.bus = opts.bus;
    this.pic = opts.pic;
    this.isa = opts.isa;
    this.host = opts.host;
    this.personality = opts.personality;
    this.irqDesc = newIrqDescs(this);
    // A copy: the kernel that boots may carry another build's version (#2 ...) than the stock one.
    this.release = { ...RELEASES[opts.personality] };
    this.cmdline = opts.cmdline;
    this.bootDisk = opts.bootDisk;
    this.consoleOutput = opts.consoleOutput;
    this.epochMs = opts.epochMs;
    this.jiffies = opts.personality === 'modern' ? 0xffff8ad0 : 0;
    this.log = new KernelLog(() => this.sched.now() - this.bootNs, (text) => this.console.write(text), logBufLen(opts.personality));
    // 2.2 is the article's uniprocessor; the modern kernel runs a two-CPU SMP machine.
    this.sched = new Scheduler(this.clock, opts.personality === 'modern' ? 2 : 1, opts.seed ?? 1);
    this.irqCountsPerCpu = this.sched.cpus.map(() => new Array(16).fill(0));
    this.console = new Tty('console', {
      output: (text) => this.consoleOutput(text),
      inputReady: () => this.wakeAll(this.ttyWait),
      signal: (pgid, sig) => this.killPgrp(pgid, sig),
    });
    this.fsctx = {
      now: () => this.wallTimeNs(),
      nextIno: () => this.inoCounter++,
      toUser: (uaddr, src) => copyToUser(this.currentMm(), uaddr, src),
      fromUser: (uaddr, len) => copyFromUser(this.currentMm(), uaddr, len),
    };
    this.rootfs = new RamFs(this.fsctx, 'rootfs', 1);
    this.vfs = new Vfs(this.rootfs.root);
    this.vfs.openDevice = (inode) => this.openDevice(inode);
    this.procfs = new ProcFs(this.fsctx, 3);
    this.ramRoot = opts.ramRoot ?? false;
    this.devtmpfs = !this.ramRoot && opts.personality === 'modern' ? new RamFs(this.fsctx, 'devtmpfs', 5) : undefined;
    this.softirq = new Softirq(this);
    this.timers = new TimerBase(this);
    this.workqueues = new Workqueues(this);
  }

  /** For operation tables whose methods need the kernel (object-literal methods rebind `this`). */
  private self(): Kernel {
    return this;
  }

  // ---- time -------------------------------------------------------------------

  /** Wall time of the virtual machine in ns since the Unix epoch (file dates). */
  wallTimeNs(): number {
    return this.epochMs * 1e6 + this.clock.now;
  }

  /** Advances virtual time to `t`, delivering interrupts between hardware events. */
  advanceTo(t: number): void {
    for (;;) {
      const next = this.clock.nextEventTime();
      if (next === undefined || next > t) break;
      this.clock.advanceTo(next);
      this.handleInterrupts();
    }
    if (t > this.clock.now) this.clock.advanceTo(t);
    this.handleInterrupts();
  }

  /**
   * Charges virtual CPU time to the running task. There is one machine clock:
   * CPUs take turns on it, so time always reads the same on every CPU (jiffies
   * never lag). Each CPU also counts the CPU time it did, and the CPU that did
   * the least goes next (Scheduler.pickCpu), which keeps the CPUs in step.
   */
  charge(ns: number): void {
    const sched = this.sched;
    const task = sched.current;
    if (task !== undefined) {
      task.utimeNs += ns;
      sched.cpu.time += ns;
    }
    // The common case, e.g. a driver polling a port: no hardware event falls due and no
    // interrupt is pending, so time only moves on.
    if (this.pic.intr || !this.clock.elapseQuietly(ns)) this.advanceTo(this.clock.now + ns);
  }

  /**
   * A preemption point in running code: C module code ('kernel') or a user
   * program ('user') that spent `ns` of CPU time since the last one. Time moves
   * on and interrupts are delivered; then, if the task must let others run, a
   * promise is returned that the caller awaits (its code unwinds and resumes
   * later). `canStop` is false where the code cannot be suspended (interrupt
   * handlers, nested calls). The modern kernel's watchdog looks for lockups here.
   */
  preemptionPoint(task: Task, mode: 'kernel' | 'user', ns: number, canStop: boolean): Promise<void> | undefined {
    const cpu = this.sched.cpu;
    if (this.clock.now - task.spinSinceNs > SPIN_FAST_FORWARD_NS) {
      // A loop that has run for a long time without a system call or a sleep only burns
      // time: the CPU skips ahead to the next hardware event, so lockups come in seconds.
      const next = this.clock.nextEventTime();
      if (next !== undefined && next - this.clock.now > ns) ns = next - this.clock.now;
    }
    this.charge(ns);
    if (mode === 'user') {
      if (canStop && task.pendingSignals & ~task.blockedSignals & STOP_SIGNALS) return this.signalReturn(task);
      this.deliverSignals(task);
    } else if (this.personality === 'modern') this.watchdog(cpu, task);
    if (!canStop) {
      this.checkRunaway(task);
      return undefined;
    }
    this.unstoppableSince = 0;
    // Only the task the scheduler is running can be parked by it. Rarely (under host load), a
    // userland program's code has been seen running outside its turn; holding `current` then
    // would park another task for good (a CPU left to a zombie: the machine idles forever).
    if (task !== this.sched.current) return undefined;
    // A machine that was reset or powered off runs nothing more: the task stays where it is.
    if (this.halted !== undefined) return this.sched.hold(false);
    if (mode === 'user' && this.clock.now - task.lastRanNs >= this.timeSlice && this.sched.runQueue.some((t) => t.state === 'R' && t.resume)) {
      return this.sched.yield();
    }
    if (this.sched.otherCpuBehind(SMP_SLACK_NS)) return this.sched.hold(false);
    if (this.host.wallNow() - this.hostYieldedAt > HOST_YIELD_MS) return this.sched.hold(true);
    return undefined;
  }

  /** Wall time since which the running code has passed no point where it could be stopped (0: it just did). */
  unstoppableSince = 0;

  /** Virtual time a user task runs before another runnable task gets the CPU. */
  get timeSlice(): number { return TIME_SLICE_NS; }

  /** The safety net under code that cannot be suspended: after RUNAWAY_WALL_MS of real time the machine is wedged. */
  checkRunaway(task: Task | undefined): void {
    const wall = this.host.wallNow();
    if (this.unstoppableSince === 0) this.unstoppableSince = wall;
    if (wall - this.unstoppableSince <= RUNAWAY_WALL_MS) return;
    const cpu = this.sched.cpu;
    const where = cpu.inInterrupt ? 'an interrupt handler' : task ? `${task.comm} (pid ${task.pid})` : 'the kernel';
    throw new MachineHang(`CPU ${cpu.id} has spun in ${where} for ${RUNAWAY_WALL_MS / 1000} s of real time where nothing can stop it`);
  }

  /**
   * The lockup detector (kernel/watchdog.c): a per-CPU hrtimer every 4 s
   * checks that the CPU scheduled within 2 * watchdog_thresh (soft lockup);
   * the NMI watchdog checks that the hrtimer itself ran (hard lockup: the
   * CPU spins with interrupts off).
   */
  private watchdog(cpu: Cpu, task: Task): void {
    const now = this.clock.now;
    if (!cpu.irqsEnabled) {
      if (cpu.irqsOffTs === 0) cpu.irqsOffTs = now;
      if (!cpu.hardLockupReported && now - Math.max(cpu.irqsOffTs, cpu.touchTs) > WATCHDOG_THRESH_NS) {
        cpu.hardLockupReported = true;
        this.printk(`\x010watchdog: Watchdog detected hard LOCKUP on cpu ${cpu.id}\n`);
        this.lockupDetails();
      }
      return;
    }
    cpu.irqsOffTs = 0;
    const check = Math.floor(now / WATCHDOG_PERIOD_NS) * WATCHDOG_PERIOD_NS;
    if (check <= cpu.touchTs) return;
    const periodTs = Math.max(cpu.touchTs, cpu.softLockupReportTs);
    if (check - periodTs <= 2 * WATCHDOG_THRESH_NS) return;
    cpu.softLockupReportTs = check;
    cpu.softLockupReports++;
    this.printk(`\x010watchdog: BUG: soft lockup - CPU#${cpu.id} stuck for ${Math.floor((check - cpu.touchTs) / 1e9)}s! [${task.comm}:${task.pid}]\n`);
    this.lockupDetails();
  }

  /** The register dump of a lockup report: modules, the CPU line, where the CPU is and how it got there (oops.ts). */
  private lockupDetails(): void {
    lockupReport(this);
    this.tainted.add('L');
  }

  // ---- interrupts -----------------------------------------------------------------

  /**
   * INTR reaches the CPUs: the executing CPU takes it if its interrupt flag is
   * set, otherwise another CPU that has it set (the other CPU of an SMP machine
   * keeps the timer going while one spins with interrupts off).
   */
  handleInterrupts(): void {
    if (!this.pic.intr) return;
    const sched = this.sched;
    const cpu = sched.cpu.irqsEnabled ? sched.cpu : sched.cpus.find((c) => c.irqsEnabled);
    if (!cpu) return;
    if (cpu === sched.cpu) { this.takeInterrupts(); return; }
    const [cpuBefore, currentBefore] = [sched.cpu, sched.current];
    sched.cpu = cpu;
    sched.current = cpu.current;
    try {
      this.takeInterrupts();
    } finally {
      sched.cpu = cpuBefore;
      sched.current = currentBefore;
    }
  }

  /** The CPU side of INTR/INTA: runs handlers for every pending, unmasked IRQ. */
  private takeInterrupts(): void {
    while (this.irqsEnabled && this.pic.intr) {
      const vector = this.pic.acknowledge();
      const irq = vector - 0x20;
      if (irq < 0 || irq > 15) break;
      if ((irq === 7 || irq === 15) && !this.isrBit(irq)) {
        // Spurious: no ISR bit was set, so no EOI for it (a slave spurious still needs the master's).
        this.spuriousIrqs++;
        if (irq === 15) this.bus.write(0x20, 0x20, 1);
        continue;
      }
      doIRQ(this, irq);
    }
    this.softirq.irqExit();
  }

  private isrBit(irq: number): boolean {
    const chip = irq < 8 ? this.pic.master : this.pic.slave;
    return ((chip.isr >> (irq & 7)) & 1) === 1;
  }

  /** setup_irq(): -EINVAL for no such line, -EBUSY when it is taken and not shared by both. */
  requestIrq(irq: number, action: IrqAction): number {
    return setupIrq(this, irq, action);
  }

  unmaskIrq(irq: number): void {
    if (irq < 8) this.bus.write(0x21, this.bus.read(0x21, 1) & ~(1 << irq), 1);
    else {
      this.bus.write(0xa1, this.bus.read(0xa1, 1) & ~(1 << (irq - 8)), 1);
      this.bus.write(0x21, this.bus.read(0x21, 1) & ~(1 << 2), 1);
    }
  }

  maskIrq(irq: number): void {
    if (irq < 8) this.bus.write(0x21, this.bus.read(0x21, 1) | (1 << irq), 1);
    else this.bus.write(0xa1, this.bus.read(0xa1, 1) | (1 << (irq - 8)), 1);
  }

  private timerInterrupt = (): boolean => {
    this.jiffies = (this.jiffies + 1) >>> 0;
    for (const t of this.tickHooks) t();
    return true;
  };
  /** What runs on every timer tick (the timer wheel's run_local_timers, the watchdog, ...). */
  readonly tickHooks: (() => void)[] = [];

  // ---- printk ---------------------------------------------------------------------

  printk(msg: string): number {
    return this.log.printk(msg);
  }

  // ---- boot -----------------------------------------------------------------------

  private bootStep(msg: string): void {
    this.printk(msg);
    this.advanceTo(this.clock.now + BOOT_STEP_NS);
  }

  /** Brings the kernel up to the point where init can run (start_kernel). */
  boot(image?: KernelImage): void {
    this.bootNs = this.clock.now;
    this.image = image;
    const builtin = image?.vmlinux ? this.modules.loadBuiltin(image.vmlinux) : undefined;
    if (builtin !== undefined && typeof builtin !== 'string') {
      this.builtin = builtin;
      const banner = builtin.banner();
      if (banner) this.banner = banner;
    }
    this.printk(`\x016${this.banner}\n`);
    this.printk(`\x016Command line: ${this.cmdline}\n`);
    this.printk('\x016BIOS-provided physical RAM map:\n');
    this.printk('\x016BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n');
    this.printk('\x016BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved\n');
    this.printk('\x016BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable\n');
    this.printk(`\x016Kernel command line: ${this.cmdline}\n`);
    // A kernel image whose code cannot run stops here, as a kernel that cannot start does.
    if (typeof builtin === 'string') { panic(this, builtin); return; }
    parseBootOptions(this, this.builtin);
    this.printk('\x016Memory: 253952K/262144K available\n');
    this.initPic();
    this.printk(`\x016NR_IRQS: 16, nr_irqs: 16, preallocated irqs: 16\n`);
    this.initTimer();
    this.sysrq = new Sysrq(this);
    this.keyboard = new Keyboard(this, this.sysrq);
    this.keyboard.install();
    this.printk('\x016Console: colour VGA+ 80x25\n');
    this.printk('\x016printk: console [tty0] enabled\n');
    this.bootStep('\x016Calibrating delay loop... 4771.02 BogoMIPS (lpj=2385510)\n');
    this.bootStep('\x016pid_max: default: 32768 minimum: 301\n');
    this.setupIoResources();
    this.bootStep('\x016Serial: 8250/16550 driver, 4 ports, IRQ sharing disabled\n');
    this.block = new BlockLayer(this);
    this.block.init();
    this.buildFilesystem();
    // Drivers built into the kernel start in process context (the init task), before the root is mounted.
    if (!this.builtin) this.finishBoot();
  }

  /**
   * The end of the boot, once the built-in drivers are up (prepare_namespace()): the root file
   * system is mounted (root= from the command line, read-only unless it says rw; the rescue
   * system's root is the ramfs the kernel started with), the modern kernel mounts devtmpfs on
   * /dev, and init runs.
   */
  finishBoot(): void {
    if (this.ramRoot) {
      this.bootStep('\x016VFS: Mounted root (ramfs filesystem) on device 0:1.\n');
      this.bootStep('\x016devtmpfs: mounted\n');
      this.bootStep('\x016Freeing unused kernel image (initmem) memory: 1024K\n');
      this.printk('\x016Run /sbin/init as init process\n');
      return;
    }
    if (!mountRoot(this)) return;
    this.advanceTo(this.clock.now + BOOT_STEP_NS);
    if (this.devtmpfs) {
      this.vfs.mount('/dev', this.devtmpfs.root, 'devtmpfs', mountOptions(this, 'devtmpfs', 0));
      this.bootStep('\x016devtmpfs: mounted\n');
    }
    if (this.personality === '2.2') {
      this.bootStep('\x016Freeing unused kernel memory: 64k freed\n');
      return;
    }
    this.bootStep('\x016Freeing unused kernel image (initmem) memory: 1024K\n');
    this.printk('\x016Run /sbin/init as init process\n');
  }

  /** init_8259A(): the kernel programs the PIC pair through its ports, as Linux does. */
  private initPic(): void {
    const out = (port: number, v: number) => this.bus.write(port, v, 1);
    out(0x21, 0xff); out(0xa1, 0xff);
    out(0x20, 0x11); out(0x21, 0x20); out(0x21, 0x04); out(0x21, 0x01);
    out(0xa0, 0x11); out(0xa1, 0x28); out(0xa1, 0x02); out(0xa1, 0x01);
    out(0x21, 0xfb); out(0xa1, 0xff);
  }

  /** setup_pit_timer(): channel 0, mode 2, LATCH for HZ. */
  private initTimer(): void {
    const LATCH = Math.floor((1193182 + HZ / 2) / HZ);
    this.bus.write(0x43, 0x34, 1);
    this.bus.write(0x40, LATCH & 0xff, 1);
    this.bus.write(0x40, LATCH >> 8, 1);
    this.requestIrq(0, { handler: this.timerInterrupt, name: 'timer' });
    // The slave PIC's cascade (and on 2.2 the FPU error line) are claimed at boot, as Linux does.
    this.requestIrq(2, { handler: () => true, name: 'cascade' });
    if (this.personality === '2.2') this.requestIrq(13, { handler: () => true, name: 'fpu' });
  }

  private setupIoResources(): void {
    const sys: [number, number, string][] = [
      [0x0000, 0x001f, 'dma1'], [0x0020, 0x0021, 'pic1'], [0x0040, 0x0043, 'timer0'], [0x0050, 0x0053, 'timer1'],
      [0x0060, 0x0060, 'keyboard'], [0x0064, 0x0064, 'keyboard'], [0x0070, 0x0077, 'rtc0'], [0x0080, 0x008f, 'dma page reg'],
      [0x00a0, 0x00a1, 'pic2'], [0x00c0, 0x00df, 'dma2'], [0x00f0, 0x00ff, 'fpu'],
      [0x03c0, 0x03df, 'vga+'], [0x03f8, 0x03ff, 'serial'],
    ];
    for (const [s, e, n] of sys) this.ioports.insertSystem(s, e, n);
    markContainer(this.ioports.insertSystem(0x0d00, 0xffff, 'PCI Bus 0000:00'));
    this.iomem.insertSystem(0x00000000, 0x00000fff, 'Reserved');
    this.iomem.insertSystem(0x00001000, 0x0009fbff, 'System RAM');
    this.iomem.insertSystem(0x000a0000, 0x000bffff, 'Video RAM area');
    this.iomem.insertSystem(0x000c0000, 0x000c7fff, 'Video ROM');
    markContainer(this.iomem.insertSystem(0x000c8000, 0x000effff, 'PCI Bus 0000:00'));
    this.iomem.insertSystem(0x000f0000, 0x000fffff, 'System ROM');
    const ram = this.iomem.insertSystem(0x00100000, 0x0fffffff, 'System RAM');
    ram.children.push({ start: 0x01000000, end: 0x01ffffff, name: 'Kernel code', children: [] });
  }

  // ---- file system layout -------------------------------------------------------------

  /** mkdir -p as root, on whatever file system holds the path (fs/kernel-io.ts). */
  mkdirp(path: string, mode = 0o755, uid = 0, gid = 0): Inode {
    return kernelMkdirp(this, path, mode, uid, gid);
  }

  /** Writes a whole file as root (created with `mode` and owner, or replaced), its directory made first. */
  writeSystemFile(path: string, content: string | Uint8Array, mode = 0o644, uid = 0, gid = 0): Inode {
    this.mkdirp(path.slice(0, path.lastIndexOf('/')) || '/');
    return kernelWriteFile(this, path, typeof content === 'string' ? new TextEncoder().encode(content) : content, { mode, uid, gid });
  }

  /**
   * The kernel's side of the file systems at boot: /proc's files and sysfs, the character devices,
   * the device nodes the kernel makes itself, and klogd. What is on the root file system is the
   * installer's (emulator/installer.ts); what is mounted where, init's boot scripts' (/etc/fstab).
   */
  private buildFilesystem(): void {
    this.klogd = new Klogd(this);
    this.makeDeviceNodes();
    registerProcFiles(this);
    createSysfs(this);
  }

  /** The rescue system's root: the ramfs the kernel started with, filled by the machine, instead of root= on the disk. */
  readonly ramRoot: boolean;
  /** The command line's ro (the default) or rw: how mount_root() mounts root=. */
  rootReadOnly = true;
  /** devtmpfs (the modern kernel): where the kernel makes device nodes, mounted on /dev after the root. */
  readonly devtmpfs: RamFs | undefined;
  /** klogd: kernel messages into /var/log/messages. */
  klogd: Klogd | undefined;

  /**
   * Where the kernel makes device nodes itself: devtmpfs on the modern kernel, the rescue system's
   * /dev; none for 2.2 booted from its disk, whose /dev is a directory of the root file system
   * that MAKEDEV filled (and mknod adds to).
   */
  deviceDirectory(): Inode | undefined {
    if (this.ramRoot) return this.mkdirp('/dev');
    return this.devtmpfs?.root;
  }

  // ---- devices ------------------------------------------------------------------------

  private makeDeviceNodes(): void {
    const dev = this.deviceDirectory();
    const node = (name: string, major: number, minor: number, mode: number, gid = 0) =>
      dev?.dirOps!.create!(dev, name, S_IFCHR | mode, 0, gid, MKDEV(major, minor));
    node('null', 1, 3, 0o666); node('zero', 1, 5, 0o666); node('full', 1, 7, 0o666);
    node('random', 1, 8, 0o666); node('urandom', 1, 9, 0o666); node('kmsg', 1, 11, 0o644);
    node('tty', 5, 0, 0o666); node('console', 5, 1, 0o600); node('tty0', 4, 0, 0o620); node('tty1', 4, 1, 0o620, 5);
    this.chrdevs.registerRegion(1, 0, 256, 'mem');
    this.chrdevs.registerRegion(4, 0, 64, 'tty');
    this.chrdevs.registerRegion(4, 64, 192, 'ttyS');
    this.chrdevs.registerRegion(5, 0, 1, '/dev/tty');
    this.chrdevs.registerRegion(5, 1, 1, '/dev/console');
    this.chrdevs.registerRegion(5, 2, 1, '/dev/ptmx');
    this.chrdevs.registerRegion(7, 0, 256, 'vcs');
    this.chrdevs.registerRegion(10, 0, 256, 'misc');
    this.chrdevs.registerRegion(13, 0, 256, 'input');
    this.chrdevs.registerRegion(128, 0, 256, 'ptm');
    this.chrdevs.registerRegion(136, 0, 256, 'pts');
    const ctx = this.fsctx;
    let seed = 0x1234567;
    const memOps: Record<number, FileOperations> = {
      3: { read: () => 0, write: (_f, _u, n) => n, llseek: () => 0 },
      5: { read: (_f, u, n) => (ctx.toUser(u, new Uint8Array(n)) ? -14 : n), write: (_f, _u, n) => n, llseek: () => 0 },
      7: { read: (_f, u, n) => (ctx.toUser(u, new Uint8Array(n)) ? -14 : n), write: () => -28 },
      11: { write: (_f, u, n) => { const b = ctx.fromUser(u, n); if (!b) return -14; this.printk(new TextDecoder().decode(b)); return n; } },
    };
    const random: FileOperations = {
      read: (_f, u, n) => {
        const b = new Uint8Array(n);
        for (let i = 0; i < n; i++) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; b[i] = seed >>> 16; }
        return ctx.toUser(u, b) ? -14 : n;
      },
      write: (_f, _u, n) => n,
    };
    memOps[8] = random; memOps[9] = random;
    const tty = this.ttyFileOps();
    this.chrdevs.cdevAdd(MKDEV(1, 0), 256, {
      open: (inode, file) => { const ops = memOps[MINOR(inode.rdev)]; if (!ops) return -6; file.fops = ops; return 0; },
    });
    this.chrdevs.cdevAdd(MKDEV(4, 0), 64, tty);
    this.chrdevs.cdevAdd(MKDEV(5, 0), 2, tty);
  }

  private ttyFileOps(): FileOperations {
    const TCGETS = 0x5401, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;
    const kernel: Kernel = this.self();
    return {
      read(file, ubuf, count) {
        const tryRead = (): Maybe<number> => {
          const text = kernel.console.take(count);
          if (text === undefined) {
            if (file.flags & O_NONBLOCK) return -EAGAIN;
            return kernel.sleepOn(kernel.ttyWait, 'n_tty_read', true).then((r) => (r < 0 ? r : tryRead()));
          }
          const bytes = new TextEncoder().encode(text);
          if (kernel.fsctx.toUser(ubuf, bytes)) return -14;
          return bytes.length;
        };
        return tryRead();
      },
      write(_file, ubuf, count) {
        const b = kernel.fsctx.fromUser(ubuf, count);
        if (!b) return -14;
        kernel.console.write(new TextDecoder().decode(b));
        return count;
      },
      ioctl(_file, cmd, arg) {
        const tty = kernel.console;
        // TCGETS: enough for isatty().
        if (cmd === TCGETS) return 0;
        // struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }
        if (cmd === TIOCGWINSZ) {
          const ws = new DataView(new ArrayBuffer(8));
          ws.setUint16(0, tty.rows, true);
          ws.setUint16(2, tty.columns, true);
          return kernel.fsctx.toUser(arg, new Uint8Array(ws.buffer)) ? -14 : 0;
        }
        if (cmd === TIOCSWINSZ) {
          const b = kernel.fsctx.fromUser(arg, 8);
          if (!b) return -14;
          const ws = new DataView(b.buffer, b.byteOffset, 8);
          tty.rows = ws.getUint16(0, true);
          tty.columns = ws.getUint16(2, true);
          return 0;
        }
        return -25;
      },
    };
  }

  private openDevice(inode: Inode): FileOperations | number {
    if ((inode.mode & 0o170000) === S_IFBLK) return this.block.open(inode);
    if ((inode.mode & 0o170000) !== S_IFCHR) return -6;
    return this.chrdevs.lookup(inode.rdev);
  }

  // ---- tasks --------------------------------------------------------------------------

  currentMm(): UserMemory {
    return this.kernelMemory ?? this.sched.current?.mm ?? NO_MEMORY;
  }

  /** set_fs(KERNEL_DS) around `fn`: the file operations it calls copy "user" data to and from `memory` (fs/kernel-io.ts). */
  withKernelMemory<T>(memory: UserMemory, fn: () => T): T {
    const before = this.kernelMemory;
    this.kernelMemory = memory;
    try {
      return fn();
    } finally {
      this.kernelMemory = before;
    }
  }
  private kernelMemory: UserMemory | undefined;

  /** alloc_pid(): the next free pid, wrapping at pid_max to the first after the reserved ones. */
  allocPid(): number {
    for (;;) {
      if (this.nextPid >= PID_MAX) this.nextPid = RESERVED_PIDS;
      if (!this.tasks.has(this.nextPid)) return this.nextPid++;
      this.nextPid++;
    }
  }

  createTask(parent: Task | undefined, comm: string, cred: Task['cred'], kind: Task['kind'] = 'user'): Task {
    const task = new Task(this.allocPid(), parent, comm, cred, kind === 'user' ? new ScratchMemory() : undefined, kind);
    this.tasks.set(task.pid, task);
    if (parent) {
      parent.children.add(task);
      task.cwd = parent.cwd;
      task.umask = parent.umask;
      task.env = new Map(parent.env);
    }
    return task;
  }

  /** Sleeps the current task on a wait queue ('idle': TASK_IDLE). Resolves 0, or -EINTR when a signal woke it. */
  sleepOn(wq: WaitQueue, wchan: string, interruptible: boolean | 'idle'): Promise<number> {
    if (interruptible === 'idle') {
      const task = this.sched.current!;
      task.idleSleep = true;
      return this.sleepOn(wq, wchan, false).finally(() => { task.idleSleep = false; });
    }
    const task = this.sched.current!;
    // A stop signal (^Z, SIGSTOP) only pauses the sleeper: once continued it sees a spurious
    // wake-up, rechecks what it waits for and sleeps again, as after Linux's restarted system call.
    if (interruptible && this.signalPending(task)) return this.onlyStopsPending(task) ? this.stopTask(task).then(() => 0) : Promise.resolve(-EINTR);
    wq.waiters.add(task);
    task.interrupted = false;
    task.waitQueue = wq;
    return this.sched.block(interruptible ? 'S' : 'D', wchan).then(() => {
      wq.waiters.delete(task);
      task.waitQueue = undefined;
      if (!task.interrupted) return 0;
      task.interrupted = false;
      return this.onlyStopsPending(task) ? this.stopTask(task).then(() => 0) : -EINTR;
    });
  }

  private onlyStopsPending(task: Task): boolean {
    const pending = task.pendingSignals & ~task.blockedSignals;
    return pending !== 0 && (pending & ~STOP_SIGNALS) === 0;
  }

  /** do_signal_stop(): the task stops (state T), its parent hears of it, and it waits for SIGCONT. */
  private stopTask(task: Task): Promise<void> {
    const pending = task.pendingSignals & STOP_SIGNALS;
    task.stopSignal = Math.clz32(0) - Math.clz32(pending & -pending) - 1;
    task.pendingSignals &= ~STOP_SIGNALS;
    task.stopReported = false;
    if (task.parent) this.wakeAll(task.parent.childExit);
    return this.sched.block('T', 'do_signal_stop');
  }

  /**
   * Return to user space: a pending stop signal stops the task here (a promise
   * to await until SIGCONT); a signal whose default action terminates ends it.
   */
  signalReturn(task: Task): Promise<void> | undefined {
    if (task.pendingSignals & ~task.blockedSignals & STOP_SIGNALS) return this.stopTask(task).then(() => this.deliverSignals(task));
    this.deliverSignals(task);
    return undefined;
  }

  wakeAll(wq: WaitQueue): void {
    for (const t of [...wq.waiters]) {
      wq.waiters.delete(t);
      this.sched.wake(t);
    }
  }

  signalPending(task: Task): boolean {
    return (task.pendingSignals & ~task.blockedSignals) !== 0;
  }

  /** Sends a signal (kill(2) semantics without permission checks). */
  sendSignal(task: Task, sig: number): void {
    if (!task.alive || task.kind !== 'user') return;
    if (sig === SIGCONT || sig === SIGKILL) {
      // Continuing (or killing) cancels pending stops and wakes a stopped task.
      task.pendingSignals &= ~STOP_SIGNALS;
      if (task.state === 'T') { task.state = 'S'; this.sched.wake(task); }
      if (sig === SIGCONT) return;
    }
    if ((1 << sig) & STOP_SIGNALS) task.pendingSignals &= ~(1 << SIGCONT);
    task.pendingSignals |= 1 << sig;
    // A blocked signal waits; it does not end an interruptible sleep.
    if (task.state === 'S' && !(task.blockedSignals & (1 << sig))) {
      task.interrupted = true;
      this.sched.wake(task);
    }
  }

  killPgrp(pgid: number, sig: number): void {
    for (const t of this.tasks.values()) if (t.pgid === pgid && t.pid !== 1) this.sendSignal(t, sig);
  }

  /**
   * The check at every return to user space: a pending signal whose default
   * action is to terminate ends a TypeScript program here.
   */
  deliverSignals(task: Task): void {
    const pending = task.pendingSignals & ~task.blockedSignals;
    if (!pending) return;
    for (let sig = 1; sig < 32; sig++) {
      if (!(pending & (1 << sig))) continue;
      // Stop signals wait for signalReturn(), which can suspend the task.
      if ((1 << sig) & STOP_SIGNALS) continue;
      task.pendingSignals &= ~(1 << sig);
      if (sig === SIGCHLD || sig === SIGCONT) continue;
      throw new TaskKilled(sig);
    }
  }

  /** Ends a task: closes its files, reparents children, wakes the parent. */
  exitTask(task: Task, code: number, signal = 0): Maybe<void> {
    const closes: Maybe<number>[] = [];
    for (let fd = 0; fd < task.fds.length; fd++) {
      const f = task.fds[fd];
      if (f) closes.push(this.closeFile(f));
    }
    task.fds = [];
    const finish = () => {
      task.exitCode = code;
      task.termSignal = signal;
      task.state = 'Z';
      this.modules.releaseTask(task.pid);
      this.sched.onState?.(task);
      const init = this.tasks.get(1);
      for (const c of task.children) {
        c.parent = init;
        init?.children.add(c);
        if (c.state === 'Z' && init) this.wakeAll(init.childExit);
      }
      task.children.clear();
      if (task.parent) {
        this.wakeAll(task.parent.childExit);
      } else {
        this.tasks.delete(task.pid);
      }
    };
    const pending = closes.filter((c): c is Promise<number> => c instanceof Promise);
    if (pending.length) return Promise.all(pending).then(finish);
    finish();
  }

  /** Runs a TypeScript program as the body of `task`. */
  startProgram(task: Task, main: ProgramMain, argv: string[]): void {
    task.argv = argv;
    this.sched.start(task, async () => {
      let code = 0;
      let signal = 0;
      try {
        // execve(): mapping the program and the dynamic loader's work, before main() runs.
        // The cost varies (caches, page faults): by the seed, so that programs started together race differently per seed.
        this.charge(this.sched.rng.range(EXEC_COST_NS / 2, EXEC_COST_NS * 3 / 2));
        code = await main(task, argv);
      } catch (e) {
        if (e instanceof MachineHang) { this.hang(e.message); this.sched.finished(task); return; }
        // After a panic nothing runs on: the task is left where it was.
        if (e instanceof KernelPanic) { this.sched.finished(task); return; }
        if (e instanceof TaskKilled) { signal = e.signal; code = 128 + e.signal; }
        else {
          this.printk(`\x013BUG: userland program ${task.comm} crashed: ${(e as Error).stack ?? e}\n`);
          code = 139;
          signal = 11;
        }
      }
      try {
        await this.exitTask(task, code & 0xff, signal);
      } catch (e) {
        // A fault while exiting (a release() that oopses again) or a panic: the task never finishes dying.
        if (!(e instanceof OopsExit || e instanceof KernelPanic)) throw e;
      }
      this.sched.finished(task);
    });
  }

  // ---- system calls (called from a running task) -----------------------------------------

  /** Syscall entry: charges time, delivers interrupts, then signals on the way back. */
  enter(task: Task): void {
    this.charge(SYSCALL_COST_NS);
    task.spinSinceNs = this.sched.now();
    // A system call's entry is a place where no file system operation is under way: klogd writes here.
    if (this.klogd?.due) this.klogd.flush();
    this.deliverSignals(task);
  }

  /** System call entry of a TypeScript program, which is also where it can be preempted. */
  syscallEntry(task: Task): Promise<void> | undefined {
    this.enter(task);
    return this.preemptionPoint(task, 'user', 0, true);
  }

  cred(task: Task): VfsCred & { umask: number } {
    return { uid: task.cred.euid, gid: task.cred.egid, umask: task.umask };
  }

  fdGet(task: Task, fd: number): OpenFile | undefined {
    return fd >= 0 ? task.fds[fd] : undefined;
  }

  fdInstall(task: Task, file: OpenFile, min = 0): number {
    let fd = min;
    while (task.fds[fd]) fd++;
    task.fds[fd] = file;
    return fd;
  }

  closeFile(file: OpenFile): Maybe<number> {
    return this.vfs.close(file);
  }

  sysOpen(task: Task, path: string, flags: number, mode = 0o666): Maybe<number> {
    if (path === '') return -ENOENT;
    return andThen(this.vfs.open(path, flags, mode, task.cwd, this.cred(task)), (r) => {
      if (typeof r === 'number') return r;
      // Whoever opens the log sees what syslogd has written so far.
      if (r.inode === this.klogd?.inode) this.klogd.flush();
      return this.fdInstall(task, r);
    });
  }

  sysClose(task: Task, fd: number): Maybe<number> {
    const f = this.fdGet(task, fd);
    if (!f) return -EBADF;
    task.fds[fd] = undefined;
    return this.closeFile(f);
  }

  sysRead(task: Task, fd: number, ubuf: number, count: number): Maybe<number> {
    const f = this.fdGet(task, fd);
    if (!f) return -EBADF;
    if (count < 0) return -EINVAL;
    return this.holdingFile(task, 'read', f, () => this.vfs.read(f, ubuf, count));
  }

  sysWrite(task: Task, fd: number, ubuf: number, count: number): Maybe<number> {
    const f = this.fdGet(task, fd);
    if (!f) return -EBADF;
    return this.holdingFile(task, 'write', f, () => this.vfs.write(f, ubuf, count));
  }

  sysLseek(task: Task, fd: number, offset: number, whence: number): Maybe<number> {
    const f = this.fdGet(task, fd);
    if (!f) return -EBADF;
    if (isFifoFile(f)) return -ESPIPE;
    return this.holdingFile(task, 'lseek', f, () => this.vfs.llseek(f, offset, whence));
  }

  sysIoctl(task: Task, fd: number, cmd: number, arg: number): Maybe<number> {
    const f = this.fdGet(task, fd);
    if (!f) return -EBADF;
    const generic = genericFileIoctl(this, task, f, cmd >>> 0, arg);
    if (generic !== undefined) return generic;
    return this.holdingFile(task, 'ioctl', f, () => this.vfs.ioctl(f, cmd >>> 0, arg));
  }

  /**
   * A file operation of system call `path` (which an oops's call trace names). 2.2's system
   * calls hold a reference to the file while the driver runs (fget/fput): a task killed by an
   * oops in the driver never puts it back, so the file is never released and the module's use
   * count stays up. The modern kernel's fdget() takes no reference for a single-threaded task.
   */
  private holdingFile(task: Task, path: SyscallPath, f: OpenFile, op: () => Maybe<number>): Maybe<number> {
    enterSyscall(task, path);
    const done = (r: number) => { leaveSyscall(task); return r; };
    if (this.personality !== '2.2') return andThen(op(), done);
    f.refs++;
    return andThen(op(), (r) => andThen(this.closeFile(f), () => done(r)));
  }

  sysDup2(task: Task, oldfd: number, newfd: number): Maybe<number> {
    const f = this.fdGet(task, oldfd);
    if (!f) return -EBADF;
    if (oldfd === newfd) return newfd;
    const old = task.fds[newfd];
    f.refs++;
    task.fds[newfd] = f;
    if (old) return andThen(this.closeFile(old), () => newfd);
    return newfd;
  }

  sysDup(task: Task, oldfd: number, min = 0): number {
    const f = this.fdGet(task, oldfd);
    if (!f) return -EBADF;
    f.refs++;
    return this.fdInstall(task, f, min);
  }

  /** pipe(2): returns [readFd, writeFd]. */
  sysPipe(task: Task): [number, number] {
    const pipe = new Pipe();
    const wq = new WaitQueue('pipe_read');
    const kernel: Kernel = this.self();
    const inode = this.rootfs.newInode(0o010000 | 0o600, task.cred.euid, task.cred.egid);
    const readOps: FileOperations = {
      read(_file, ubuf, count) {
        const attempt = (): Maybe<number> => {
          if (pipe.size > 0) {
            const bytes = pipe.take(count);
            kernel.wakeAll(wq);
            return kernel.fsctx.toUser(ubuf, bytes) ? -14 : bytes.length;
          }
          if (pipe.writers === 0) return 0;
          return kernel.sleepOn(wq, 'pipe_read', true).then((r) => (r < 0 ? -512 : attempt()));
        };
        return attempt();
      },
      release() { pipe.readers--; kernel.wakeAll(wq); return 0; },
    };
    const writeOps: FileOperations = {
      write(_file, ubuf, count) {
        const src = kernel.fsctx.fromUser(ubuf, count);
        if (!src) return -14;
        let done = 0;
        const attempt = (): Maybe<number> => {
          if (pipe.readers === 0) {
            kernel.sendSignal(kernel.sched.current!, SIGPIPE);
            return done || -EPIPE;
          }
          done += pipe.push(src.subarray(done));
          kernel.wakeAll(wq);
          if (done === count) return count;
          return kernel.sleepOn(wq, 'pipe_write', true).then((r) => (r < 0 ? (done || -512) : attempt()));
        };
        return attempt();
      },
      release() { pipe.writers--; kernel.wakeAll(wq); return 0; },
    };
    pipe.readers = 1;
    pipe.writers = 1;
    const r: OpenFile = { inode, path: 'pipe:', flags: O_RDONLY, fmode: FMODE_READ, pos: 0, fops: readOps, refs: 1 };
    const w: OpenFile = { inode, path: 'pipe:', flags: O_WRONLY, fmode: FMODE_WRITE, pos: 0, fops: writeOps, refs: 1 };
    return [this.fdInstall(task, r), this.fdInstall(task, w)];
  }

  sysChdir(task: Task, path: string): number {
    try {
      const res = this.vfs.lookup(path, task.cwd, this.cred(task));
      if (!isDir(res.inode.mode)) return -ENOTDIR;
      task.cwd = res.path;
      return 0;
    } catch (e) {
      return errnoOf(e);
    }
  }

  /** Finds an executable and starts it as a child of `parent`. Returns the child or -errno. */
  async spawn(parent: Task, argv: string[], opts: { fds: (OpenFile | undefined)[]; cwd?: string; env?: Map<string, string>; pgid?: number; cred?: Task['cred'] }): Promise<Task | number> {
    const name = argv[0] ?? '';
    let path: string;
    let inode: Inode;
    try {
      const found = this.findExecutable(parent, name);
      if (typeof found === 'number') return found;
      ({ path, inode } = found);
    } catch (e) {
      return errnoOf(e);
    }
    const refused = forkRefused(this, (opts.cred ?? parent.cred).uid);
    if (refused) return refused;
    const child = this.createTask(parent, basenameOf(path).slice(0, 15), opts.cred ?? { ...parent.cred });
    if (opts.cwd) child.cwd = opts.cwd;
    if (opts.env) child.env = new Map(opts.env);
    if (opts.pgid !== undefined) child.pgid = opts.pgid;
    child.fds = opts.fds.map((f) => { if (f) f.refs++; return f; });
    const main = await this.loadProgram(child, path, inode, argv);
    if (typeof main === 'number') {
      await this.exitTask(child, 127);
      parent.children.delete(child);
      this.tasks.delete(child.pid);
      return main;
    }
    this.startProgram(child, main, argv);
    return child;
  }

  /** fork(): a child running `main` (a TypeScript closure) with the given descriptors, or -EAGAIN past the process limits. */
  fork(parent: Task, comm: string, main: ProgramMain, opts: { fds: (OpenFile | undefined)[]; pgid?: number }): Task | number {
    const refused = forkRefused(this, parent.cred.uid);
    if (refused) return refused;
    const child = this.createTask(parent, comm, { ...parent.cred });
    child.fds = opts.fds.map((f) => { if (f) f.refs++; return f; });
    if (opts.pgid !== undefined) child.pgid = opts.pgid;
    this.startProgram(child, main, parent.argv);
    return child;
  }

  private findExecutable(task: Task, name: string): { path: string; inode: Inode } | number {
    const cred = this.cred(task);
    const candidates = name.includes('/') ? [name] : (task.env.get('PATH') ?? '/bin:/usr/bin:/sbin:/usr/sbin').split(':').map((d) => `${d}/${name}`);
    for (const c of candidates) {
      try {
        const res = this.vfs.lookup(c, task.cwd, cred);
        if (isDir(res.inode.mode)) { if (name.includes('/')) return -EISDIR; continue; }
        if (!isReg(res.inode.mode)) continue;
        if (!(res.inode.mode & 0o111) || !permissionExec(res.inode, cred.uid, cred.gid)) { if (name.includes('/')) return -13; continue; }
        return { path: res.path, inode: res.inode };
      } catch (e) {
        if (name.includes('/')) return errnoOf(e);
      }
    }
    return -ENOENT;
  }

  private async loadProgram(task: Task, path: string, inode: Inode, argv: string[]): Promise<ProgramMain | number> {
    for (const loader of this.execLoaders) {
      const r = await loader(task, path, inode, argv);
      if (r !== -ENOEXEC) return r;
    }
    return -ENOEXEC;
  }

  /** Installs a built-in program: its file at `path` (binfmt.ts), and the program under the file's name. */
  installProgram(path: string, main: ProgramMain): void {
    this.registerProgram(basenameOf(path), main);
    this.mkdirp(path.slice(0, path.lastIndexOf('/')) || '/');
    writeBuiltinFile(this, path, basenameOf(path));
  }

  /** Makes built-in `name` runnable from any file that names it (what a boot from an installed disk does). */
  registerProgram(name: string, main: ProgramMain): void {
    this.builtins.set(name, main);
  }

  /** waitpid(2) for a child (or any child with pid -1). Resolves { pid, status } with a wait status. */
  async waitChild(task: Task, pid: number, untraced = false): Promise<{ pid: number; status: number } | number> {
    for (;;) {
      const kids = [...task.children].filter((c) => pid === -1 || c.pid === pid);
      if (!kids.length) return -ECHILD;
      // WUNTRACED: a child's stop is reported once, as the wait status (sig << 8) | 0x7f.
      const stopped = untraced ? kids.find((c) => c.state === 'T' && !c.stopReported) : undefined;
      if (stopped) {
        stopped.stopReported = true;
        return { pid: stopped.pid, status: (stopped.stopSignal << 8) | 0x7f };
      }
      const dead = kids.find((c) => c.state === 'Z');
      if (dead) {
        task.children.delete(dead);
        this.tasks.delete(dead.pid);
        const status = dead.termSignal ? dead.termSignal : (dead.exitCode & 0xff) << 8;
        return { pid: dead.pid, status };
      }
      const r = await this.sleepOn(task.childExit, 'do_wait', true);
      if (r < 0) return r;
    }
  }

  sysKill(task: Task, pid: number, sig: number): number {
    const targets = pid > 0 ? [this.tasks.get(pid)] : pid < -1 ? [...this.tasks.values()].filter((t) => t.pgid === -pid) : [];
    const live = targets.filter((t): t is Task => !!t && t.alive);
    if (!live.length) return -ESRCH;
    for (const t of live) {
      if (task.cred.euid !== 0 && t.cred.uid !== task.cred.uid) return -EPERM;
      if (t.pid === 1) continue;
      if (sig !== 0) this.sendSignal(t, sig);
    }
    return 0;
  }

  /** nanosleep: an interruptible sleep on a one-shot clock event. */
  sleepNs(ns: number): Promise<number> {
    const deadline = this.clock.now + Math.max(0, ns);
    const wq = new WaitQueue('hrtimer_nanosleep');
    const ev = this.clock.schedule(deadline, () => this.wakeAll(wq), 'nanosleep');
    // A stop and continue wakes the sleeper early: it sleeps on until the deadline (restart_block).
    const sleep = (): Promise<number> => this.sleepOn(wq, 'hrtimer_nanosleep', true).then((r) => {
      if (r < 0) { this.clock.cancel(ev); return r; }
      if (this.clock.now < deadline) return sleep();
      return 0;
    });
    return sleep();
  }

  /** print_tainted(): "Not tainted", or one column per taint flag in Linux's order ('G' when not proprietary). */
  taintString(): string {
    if (this.tainted.size === 0) return 'Not tainted';
    const flags = 'FSRMBUDAWCIOELKXTN'.split('').map((f) => (this.tainted.has(f) ? f : ' ')).join('');
    return `Tainted: ${this.tainted.has('P') ? 'P' : 'G'}${flags}`;
  }

  /** Why the safety net stopped a machine that could never run again (see MachineHang). */
  hungReason: string | undefined;

  /** How the machine asked to stop: a reset (SysRq-B, reboot) or a power-off. */
  shutdown: ShutdownKind | undefined;

  /** emergency_restart() / kernel_power_off(): nothing runs any more; the machine acts on it. */
  requestShutdown(how: ShutdownKind): void {
    this.shutdown = how;
    this.halted = how;
  }

  /** The machine is wedged in code that can never be stopped: it is powered off. */
  hang(reason: string): void {
    this.hungReason = reason;
    this.halted = reason;
  }

  /** With panic=N: when the panicked machine resets itself (the Machine lets the time pass, then restarts it). */
  get panicRestartAtNs(): number | undefined {
    return panicRebootAt(this);
  }

  /** panic(): the message, then the machine stops, or reboots after panic=N seconds (oops.ts). */
  panic(message: string): never {
    throw panic(this, message);
  }

  vsprintf(fmt: string, args: FormatArgs): string {
    return formatC(fmt, args);
  }

  /**
   * The mode udev gives a new device node: 0600 unless a rule in
   * /etc/udev/rules.d/*.rules with KERNEL=="name" sets MODE="0666".
   */
  udevMode(name: string): { mode: number } {
    let mode = 0o600;
    const dir = '/etc/udev/rules.d';
    let files: string[];
    try {
      const inode = this.vfs.lookup(dir, '/', { uid: 0, gid: 0 }).inode;
      files = inode.dirOps!.list(inode).map((e) => e.name).filter((n) => n.endsWith('.rules')).sort();
    } catch {
      return { mode };
    }
    for (const file of files) {
      let text: string;
      try { text = new TextDecoder().decode(kernelReadFile(this, `${dir}/${file}`)); } catch { continue; }
      for (const line of text.split('\n')) {
        if (line.trim().startsWith('#')) continue;
        const kernelMatch = /KERNEL=="([^"]*)"/.exec(line);
        const modeMatch = /MODE="?(0?[0-7]{3,4})"?/.exec(line);
        if (kernelMatch && modeMatch && globMatch(kernelMatch[1]!, name)) mode = parseInt(modeMatch[1]!, 8);
      }
    }
    return { mode };
  }

  strerror(errno: number): string {
    return strerror(errno);
  }
}

/** udev's KERNEL== glob: * and ? only. */
function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(text);
}

const NO_MEMORY: UserMemory = { bytes: () => new Uint8Array(0) };

function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function isFifoFile(f: OpenFile): boolean {
  return (f.inode.mode & 0o170000) === 0o010000;
}

function permissionExec(inode: Inode, uid: number, gid: number): boolean {
  if (uid === 0) return (inode.mode & 0o111) !== 0;
  if (uid === inode.uid) return (inode.mode & 0o100) !== 0;
  if (gid === inode.gid) return (inode.mode & 0o010) !== 0;
  return (inode.mode & 0o001) !== 0;
}

export function errnoOf(e: unknown): number {
  if (e instanceof Errno) return -e.errno;
  throw e;
}

export { syslogDate } from './klogd.js';

/** Thrown out of code that can never be stopped (a loop in an interrupt handler): the machine is wedged. */
export class MachineHang extends Error {}
