// The labs/ folder's framework with its check runs in a worker thread. A run compiles the
// learner's code with clang (WebAssembly, synchronous) and boots several machines: seconds of
// CPU that, in the app's main process, would stall every session's terminal and every other
// request. One long-lived "check worker" runs them instead, one at a time, and stays warm
// (clang costs ~2 s to load; a warm compile ~0.2 s). Items stream back as they finish.
// Cancel stops a run between items; a run that does not stop (a check spinning in host code)
// or does not finish in time is ended by terminating the thread, and a new worker is started.
// Hints stay in-process: they are text read from the lab folder.
import { Worker } from 'node:worker_threads';
import type { CheckItemResult } from '../ipc/common/contract.js';
import { workerScript } from '../host/worker-script.js';
import { folderLabFramework } from './folder-framework.js';
import { CheckRunCancelled, type CheckReport, type CheckRunOptions, type LabFramework } from './lab-framework.js';

export interface CheckWorkerData {
  labsDir: string;
  cacheDir?: string;
}

export type ToCheckWorker =
  | { type: 'run'; id: number; lab: string; workspace: string }
  /** Stop run `id` before its next item. */
  | { type: 'cancel'; id: number };

export type FromCheckWorker =
  /** The run's first item starts (the worker has warmed up): its time limit starts too. */
  | { type: 'started'; id: number }
  | { type: 'item'; id: number; item: CheckItemResult }
  | { type: 'done'; id: number; report: CheckReport }
  | { type: 'cancelled'; id: number }
  | { type: 'failed'; id: number; message: string };

export interface WorkerFrameworkOptions {
  cacheDir?: string;
  /**
   * A run that takes longer is stopped and the worker restarted. Every lab's checks finish in
   * well under 10 s (step 6) and the many-seeds race lab in under 60 s; this is for a hang.
   */
  timeoutMs?: number;
  /** How long a cancelled run has to stop by itself before its thread is terminated. */
  cancelGraceMs?: number;
}

export const CHECK_TIMEOUT_MS = 180_000;
const CANCEL_GRACE_MS = 1000;

export function checkWorkerScript(): string {
  return workerScript(import.meta.url, 'check-worker.js');
}

interface Pending {
  started(): void;
  onItem?: (item: CheckItemResult) => void;
  settle(outcome: { report: CheckReport } | { error: Error }): void;
}

/** The check worker thread, restarted when it has to be killed. */
export class CheckWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Runs go one at a time: one clang, one thread. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly data: CheckWorkerData, private readonly options: WorkerFrameworkOptions = {}) {}

  /** The worker's thread id (a restarted worker has a new one); undefined before the first run. */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Starts the thread ahead of the first run, so that loading the labs' checks is done by then. */
  start(): void {
    this.thread();
  }

  run(lab: string, workspace: string, options: CheckRunOptions = {}): Promise<CheckReport> {
    const job = this.queue.then(() => this.runNow(lab, workspace, options));
    this.queue = job.catch(() => undefined);
    return job;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.abandon(worker, 'DriverLab is closing: the check run was stopped.');
    await worker?.terminate();
  }

  private runNow(lab: string, workspace: string, { onItem, signal }: CheckRunOptions): Promise<CheckReport> {
    if (this.closed) return Promise.reject(new Error('DriverLab is closing: no more check runs.'));
    if (signal?.aborted) return Promise.reject(new CheckRunCancelled());
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise<CheckReport>((resolve, reject) => {
      const timeoutMs = this.options.timeoutMs ?? CHECK_TIMEOUT_MS;
      let grace: ReturnType<typeof setTimeout> | undefined;
      let timeout: ReturnType<typeof setTimeout> | undefined;
      const started = () => timeout ??= setTimeout(() => {
        this.restart(worker);
        settle({
          error: new Error(`The checks of '${lab}' did not finish within ${Math.round(timeoutMs / 1000)} s, so they were stopped and the check worker restarted. `
            + 'A check that never ends is usually waiting for something the code never does (a read that blocks forever, an interrupt that is never acknowledged, a loop that never exits): '
            + 'look at what your code waits for, then run the checks again.'),
        });
      }, timeoutMs);
      const cancel = () => {
        worker.postMessage({ type: 'cancel', id } satisfies ToCheckWorker);
        // A check busy in host code never reads the message: the thread goes, the run with it.
        grace = setTimeout(() => {
          this.restart(worker);
          settle({ error: new CheckRunCancelled() });
        }, this.options.cancelGraceMs ?? CANCEL_GRACE_MS);
      };
      signal?.addEventListener('abort', cancel, { once: true });
      const settle = (outcome: { report: CheckReport } | { error: Error }) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timeout);
        clearTimeout(grace);
        signal?.removeEventListener('abort', cancel);
        if ('report' in outcome) resolve(outcome.report);
        else reject(outcome.error);
      };
      this.pending.set(id, { started, onItem, settle });
      worker.postMessage({ type: 'run', id, lab, workspace } satisfies ToCheckWorker);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(checkWorkerScript(), { workerData: this.data, name: 'driverlab-checks' });
    this.worker = worker;
    worker.on('message', (m: FromCheckWorker) => {
      const run = this.pending.get(m.id);
      if (!run) return;
      switch (m.type) {
        case 'started': run.started(); break;
        case 'item': run.onItem?.(m.item); break;
        case 'done': run.settle({ report: m.report }); break;
        case 'cancelled': run.settle({ error: new CheckRunCancelled() }); break;
        case 'failed': run.settle({ error: new Error(m.message) }); break;
      }
    });
    worker.on('error', (e) => this.lost(worker, `the check worker crashed (${e instanceof Error ? e.message : String(e)})`));
    worker.on('exit', (code) => this.lost(worker, `the check worker stopped (exit code ${code})`));
    // The app may quit with the worker idle.
    worker.unref();
    return worker;
  }

  /** Ends `worker` (hung, or cancelled without stopping) and starts a new one, warm by the next run. */
  private restart(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    void worker.terminate();
    if (!this.closed) this.thread();
  }

  /** The thread died on its own: its run fails, the next run gets a new thread. */
  private lost(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.abandon(worker, `The check run did not finish: ${why}. It was restarted; run the checks again.`);
  }

  private abandon(worker: Worker | undefined, message: string): void {
    if (!worker) return;
    for (const run of [...this.pending.values()]) run.settle({ error: new Error(message) });
  }
}

/** The labs/ folder's framework (folder-framework.ts) with check runs in a CheckWorker. */
export function workerLabFramework(labsDir: string, options: WorkerFrameworkOptions = {}): LabFramework & { readonly checks: CheckWorker } {
  const inProcess = folderLabFramework(labsDir, { cacheDir: options.cacheDir });
  const checks = new CheckWorker({ labsDir, cacheDir: options.cacheDir }, options);
  return {
    checks,
    runChecks: (lab, workspace, run) => checks.run(lab, workspace, run),
    hint: inProcess.hint!.bind(inProcess),
    close: () => checks.close(),
  };
}
