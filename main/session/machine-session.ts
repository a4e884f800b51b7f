// A lab session's machine, owned by the main side: it runs in a worker thread of its own, keeps
// running whatever the UI does (a reloaded page finds it as it was, scrollback included), and
// is powered on, reset and powered off from here. If the worker dies, the session says so
// ("crashed: ...") and can boot a new machine.
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { MachineStatus, Personality, SessionId } from '../ipc/common/contract.js';
import { workerScript } from '../host/worker-script.js';
import { releaseStaleLock, removeDiskImage } from '../host/disk-image.js';
import { TerminalOutput, type Timers } from './terminal-stream.js';
import type { DrillMeasure, DrillStart, FromWorker, InspectorAnswers, InspectorRequest, MachineWorkerData, ToWorker } from './worker-protocol.js';
import type { InspectorState } from '../ipc/common/inspector.js';
import type { CommandOutcome } from './terminal-command.js';

export interface SessionConfig {
  id: SessionId;
  /** Host folder mounted at /home/lab. */
  workspace: string;
  machine: MachineWorkerData['machine'];
  /** The machine's hard disk image, kept across app restarts (undefined: a fresh disk at each power-on). */
  diskImage?: string;
}

/** Starts a machine thread; tests may pass their own script, the app uses machineWorkerScript(). */
export type WorkerFactory = (data: MachineWorkerData) => Worker;

/**
 * The compiled worker. From source (tests run the .ts files) the worker is the build's:
 * worker threads run JavaScript, and `npm test` builds before it tests.
 */
export function machineWorkerScript(): string {
  return workerScript(import.meta.url, 'machine-worker.js');
}

/** How long the machine thread has to act on a reset or power-off before the session replaces it. */
const MACHINE_ANSWER_MS = 2000;

export const defaultWorkerFactory: WorkerFactory = (data) => new Worker(machineWorkerScript(), { workerData: data, name: 'driverlab-machine' });

export class MachineSession {
  readonly output: TerminalOutput;
  private worker: Worker | undefined;
  private state: MachineStatus;
  private readonly statusListeners = new Set<(status: MachineStatus) => void>();
  private columns = 80;
  private rows = 24;
  private boots = 0;
  private consoleLogLevel: number | undefined;
  private nextCommand = 1;
  private readonly commands = new Map<number, { resolve: (o: CommandOutcome) => void; reject: (e: Error) => void }>();
  private readonly drillRequests = new Map<number, { resolve: (m: DrillMeasure | undefined) => void; reject: (e: Error) => void }>();
  /** Whoever watches the inspector: while nobody does, the machine does not even listen to its events. */
  private readonly inspectorListeners = new Set<(state: InspectorState) => void>();
  private nextRequest = 1;
  private readonly requests = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(readonly config: SessionConfig, private readonly spawn: WorkerFactory = defaultWorkerFactory, timers?: Timers) {
    this.output = new TerminalOutput((pause) => this.send({ type: pause ? 'pause' : 'resume' }), timers);
    this.state = { session: config.id, state: 'off', personality: this.personality, boot: 0, reason: 'not started' };
  }

  get id(): SessionId {
    return this.config.id;
  }

  get personality(): Personality {
    return this.config.machine.personality ?? 'modern';
  }

  status(): MachineStatus {
    return { ...this.state };
  }

  /** Powers on a machine that is off; a running one is left alone. */
  boot(): MachineStatus {
    if (this.worker) return this.status();
    fs.mkdirSync(this.config.workspace, { recursive: true });
    this.boots++;
    this.output.clearScrollback();
    const worker = this.spawn({ workspace: this.config.workspace, machine: this.config.machine, diskImage: this.config.diskImage, columns: this.columns, rows: this.rows, consoleLogLevel: this.consoleLogLevel });
    this.worker = worker;
    // Screens still behind on the last machine's output hold this one back too.
    if (this.output.isPaused) this.send({ type: 'pause' });
    const boot = this.boots;
    worker.on('message', (message: FromWorker) => {
      if (this.worker !== worker) return;
      switch (message.type) {
        case 'output': this.output.write(message.data); break;
        case 'running': this.setState({ state: 'running' }); break;
        case 'rebooted': this.rebooted(); break;
        case 'halted': this.lose(worker, message.reason); break;
        case 'command-done': this.settle(message.id, (c) => c.resolve(message.outcome)); break;
        case 'command-refused': this.settle(message.id, (c) => c.reject(new Error(message.reason))); break;
        case 'drill-started': this.settleDrill(message.id, (c) => c.resolve(undefined)); break;
        case 'drill-measured': this.settleDrill(message.id, (c) => c.resolve(message.measure)); break;
        case 'drill-failed': this.settleDrill(message.id, (c) => c.reject(new Error(message.reason))); break;
        case 'inspector': for (const l of this.inspectorListeners) l(message.state); break;
        case 'reply': {
          const r = this.requests.get(message.id);
          this.requests.delete(message.id);
          if (message.ok) r?.resolve(message.value);
          else r?.reject(new Error(message.error));
          break;
        }
      }
    });
    worker.on('error', (e) => this.lose(worker, `crashed: ${e instanceof Error ? e.message : String(e)}`));
    worker.on('exit', (code) => this.lose(worker, code === 0 ? 'shut down' : `crashed: the machine thread exited with code ${code}`));
    if (this.inspectorListeners.size) this.send({ type: 'inspect', on: true });
    this.setState({ state: 'booting', boot, reason: undefined });
    return this.status();
  }

  /**
   * Watches the inspector's state (published a few times a second while anyone watches). The
   * first watcher makes the machine listen to its event stream, the last one leaving stops it.
   */
  onInspector(listener: (state: InspectorState) => void): () => void {
    this.inspectorListeners.add(listener);
    if (this.inspectorListeners.size === 1) this.send({ type: 'inspect', on: true });
    this.send({ type: 'inspect-full' });
    return () => {
      if (this.inspectorListeners.delete(listener) && this.inspectorListeners.size === 0) this.send({ type: 'inspect', on: false });
    };
  }

  /** A question for the inspector in the machine's thread (a timeline slice, time control...). */
  inspect<W extends InspectorRequest['what']>(request: Extract<InspectorRequest, { what: W }>): Promise<InspectorAnswers[W]> {
    if (!this.worker) return Promise.reject(new Error('the machine is off: boot it first'));
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ type: 'request', id, request });
    });
  }

  /**
   * The reset button: whatever runs is gone, the machine boots again from the same disk. The
   * machine's own reset does it; a machine thread that does not answer (wedged in host code)
   * is replaced by a new one, which comes to the same.
   */
  async reset(): Promise<MachineStatus> {
    const worker = this.worker;
    if (worker) {
      const rebooted = this.nextBoot(worker);
      this.send({ type: 'reset' });
      if (await rebooted) return this.status();
    }
    await this.cutPower('reset');
    this.output.write('\r\n');
    return this.boot();
  }

  /**
   * Reinstall the machine: the power goes off, its disk is installed afresh (everything on it is
   * gone: /home/user, /etc, a rebuilt kernel; the workspace on the host is not touched), and it boots.
   */
  async reinstall(): Promise<MachineStatus> {
    await this.cutPower('reinstalling');
    if (this.config.diskImage) removeDiskImage(this.config.diskImage);
    this.output.write('\r\n[driverlab] The machine\'s disk is installed afresh.\r\n');
    return this.boot();
  }

  /** The power switch: the machine stops where it is (nothing synced), then its thread ends. */
  async powerOff(): Promise<MachineStatus> {
    await this.cutPower('powered off', { type: 'power-off' });
    return this.status();
  }

  input(data: string): void {
    if (!this.worker) throw new Error('the machine is off: boot it first');
    this.send({ type: 'input', data });
  }

  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.send({ type: 'resize', columns, rows });
  }

  /**
   * Types `command` at the shell's prompt in the terminal, where the learner sees it run, and
   * resolves what it printed once the prompt is back. Refused (with the reason) while the
   * terminal is busy: the app never types into a running program or a half-typed line.
   */
  runCommand(command: string, dir?: string): Promise<CommandOutcome> {
    if (!this.worker) return Promise.reject(new Error('the machine is off: boot it first'));
    const id = this.nextCommand++;
    return new Promise((resolve, reject) => {
      this.commands.set(id, { resolve, reject });
      this.send({ type: 'command', id, command, dir });
    });
  }

  /**
   * Starts a drill attempt on the machine: its scenario typed at the prompt, then its trigger;
   * resolves once the clock runs. Keys, SysRq and resets count from then on.
   */
  async startDrill(drill: DrillStart): Promise<void> {
    await this.drillRequest((id) => ({ type: 'drill-start', id, drill }));
  }

  /** Ends the attempt and resolves what the machine measured (the fix is the caller's to check). */
  async finishDrill(): Promise<DrillMeasure> {
    return (await this.drillRequest((id) => ({ type: 'drill-finish', id })))!;
  }

  private drillRequest(message: (id: number) => ToWorker): Promise<DrillMeasure | undefined> {
    if (!this.worker) return Promise.reject(new Error('the machine is off: boot it first'));
    const id = this.nextCommand++;
    return new Promise((resolve, reject) => {
      this.drillRequests.set(id, { resolve, reject });
      this.send(message(id));
    });
  }

  private settleDrill(id: number, how: (c: { resolve: (m: DrillMeasure | undefined) => void; reject: (e: Error) => void }) => void): void {
    const request = this.drillRequests.get(id);
    this.drillRequests.delete(id);
    if (request) how(request);
  }

  /** Alt+SysRq+`key` on the machine's keyboard. */
  sysrq(key: string): void {
    if (!this.worker) throw new Error('the machine is off: boot it first');
    this.send({ type: 'sysrq', key });
  }

  /** A clean reboot (the reset button is reset()). */
  reboot(): void {
    if (!this.worker) throw new Error('the machine is off: boot it first');
    this.send({ type: 'reboot' });
  }

  /** The console log level (dmesg -n) for this boot and every later one. */
  setConsoleLogLevel(level: number): void {
    this.consoleLogLevel = level;
    this.send({ type: 'loglevel', level });
  }

  onStatus(listener: (status: MachineStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** The worker thread, for tests that pull the plug from outside. */
  get thread(): Worker | undefined {
    return this.worker;
  }

  async dispose(): Promise<void> {
    await this.cutPower('powered off');
    this.output.dispose();
    this.statusListeners.clear();
    this.inspectorListeners.clear();
  }

  private settle(id: number, how: (c: { resolve: (o: CommandOutcome) => void; reject: (e: Error) => void }) => void): void {
    const command = this.commands.get(id);
    this.commands.delete(id);
    if (command) how(command);
  }

  /** Commands of a machine that is gone end with it. */
  private abandonCommands(reason: string): void {
    for (const c of this.commands.values()) c.reject(new Error(`the machine ${reason} before the command finished`));
    this.commands.clear();
    for (const c of this.drillRequests.values()) c.reject(new Error(`the machine ${reason} during the drill: start it again`));
    this.drillRequests.clear();
    for (const r of this.requests.values()) r.reject(new Error(`the machine ${reason} before it answered`));
    this.requests.clear();
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  /** Stops the machine thread; `ask` first tells the machine, which gets a moment to act on it. */
  private async cutPower(reason: string, ask?: ToWorker): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.abandonCommands(reason === 'reset' ? 'was reset' : 'was powered off');
    if (ask) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage(ask);
      await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, MACHINE_ANSWER_MS))]);
    }
    await worker.terminate();
    this.releaseDisk();
    this.setState({ state: 'off', reason });
  }

  /** A machine thread that was stopped from outside could not close its disk: its lock goes (the journal is whole). */
  private releaseDisk(): void {
    if (this.config.diskImage) releaseStaleLock(this.config.diskImage);
  }

  /** Whether the machine in `worker` boots again (true) or stops (false); it must answer within MACHINE_ANSWER_MS. */
  private nextBoot(worker: Worker): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { worker.off('message', listen); resolve(false); }, MACHINE_ANSWER_MS);
      const listen = (message: FromWorker) => {
        // The machine acted on the reset: it is alive, and its boot may take a while (LILO's prompt).
        if (message.type === 'resetting') clearTimeout(timer);
        if (message.type !== 'rebooted' && message.type !== 'halted') return;
        clearTimeout(timer);
        worker.off('message', listen);
        resolve(message.type === 'rebooted');
      };
      worker.on('message', listen);
    });
  }

  /** A new boot in the same thread: a new boot number and a clean screen history, as for a new machine. */
  private rebooted(): void {
    this.boots++;
    this.output.clearScrollback();
    this.setState({ state: 'running', boot: this.boots, reason: undefined });
  }

  /** The worker stopped on its own (the shell exited, a hang, a crash). */
  private lose(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.abandonCommands(`stopped (${reason})`);
    void worker.terminate().then(() => this.releaseDisk());
    this.setState({ state: 'off', reason });
  }

  private setState(change: Partial<MachineStatus>): void {
    this.state = { ...this.state, ...change };
    if (this.state.reason === undefined) delete this.state.reason;
    const status = this.status();
    for (const l of this.statusListeners) l(status);
  }
}
