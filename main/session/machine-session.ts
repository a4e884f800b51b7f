// A lab session's machine, owned by the main side: it runs in a worker thread of its own, keeps
// running whatever the UI does (a reloaded page finds it as it was, scrollback included), and
// is powered on, reset and powered off from here. If the worker dies, the session says so
// ("crashed: ...") and can boot a new machine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MachineStatus, Personality, SessionId } from '../ipc/common/contract.js';
import { packageRoot } from '../host/node-host.js';
import { TerminalOutput, type Timers } from './terminal-stream.js';
import type { FromWorker, MachineWorkerData, ToWorker } from './worker-protocol.js';
import type { CommandOutcome } from './terminal-command.js';

export interface SessionConfig {
  id: SessionId;
  /** Host folder mounted at /home/lab. */
  workspace: string;
  machine: MachineWorkerData['machine'];
}

/** Starts a machine thread; tests may pass their own script, the app uses machineWorkerScript(). */
export type WorkerFactory = (data: MachineWorkerData) => Worker;

/**
 * The compiled worker. From source (tests run the .ts files) the worker is the build's:
 * worker threads run JavaScript, and `npm test` builds before it tests.
 */
export function machineWorkerScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'machine-worker.js');
  const built = path.join(packageRoot(), 'dist', 'main', 'session', 'machine-worker.js');
  if (!fs.existsSync(built)) throw new Error(`${built} is missing: run 'npm run build' first`);
  return built;
}

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
    const worker = this.spawn({ workspace: this.config.workspace, machine: this.config.machine, columns: this.columns, rows: this.rows, consoleLogLevel: this.consoleLogLevel });
    this.worker = worker;
    // Screens still behind on the last machine's output hold this one back too.
    if (this.output.isPaused) this.send({ type: 'pause' });
    const boot = this.boots;
    worker.on('message', (message: FromWorker) => {
      if (this.worker !== worker) return;
      switch (message.type) {
        case 'output': this.output.write(message.data); break;
        case 'running': this.setState({ state: 'running' }); break;
        case 'halted': this.lose(worker, message.reason); break;
        case 'command-done': this.settle(message.id, (c) => c.resolve(message.outcome)); break;
        case 'command-refused': this.settle(message.id, (c) => c.reject(new Error(message.reason))); break;
      }
    });
    worker.on('error', (e) => this.lose(worker, `crashed: ${e instanceof Error ? e.message : String(e)}`));
    worker.on('exit', (code) => this.lose(worker, code === 0 ? 'shut down' : `crashed: the machine thread exited with code ${code}`));
    this.setState({ state: 'booting', boot, reason: undefined });
    return this.status();
  }

  /** The reset button: whatever runs is gone, a new machine boots from the same disk. */
  async reset(): Promise<MachineStatus> {
    await this.cutPower('reset');
    this.output.write('\r\n');
    return this.boot();
  }

  async powerOff(): Promise<MachineStatus> {
    await this.cutPower('powered off');
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
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private async cutPower(reason: string): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.abandonCommands(reason === 'reset' ? 'was reset' : 'was powered off');
    await worker.terminate();
    this.setState({ state: 'off', reason });
  }

  /** The worker stopped on its own (the shell exited, a hang, a crash). */
  private lose(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.abandonCommands('stopped');
    void worker.terminate();
    this.setState({ state: 'off', reason });
  }

  private setState(change: Partial<MachineStatus>): void {
    this.state = { ...this.state, ...change };
    if (this.state.reason === undefined) delete this.state.reason;
    const status = this.status();
    for (const l of this.statusListeners) l(status);
  }
}
