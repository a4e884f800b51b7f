// The check worker's thread (worker-framework.ts): runs labs' checks with the labs/ folder's
// framework, one run at a time, and reports each item as it finishes. Cancel takes effect
// between items; the main side terminates the thread when a run does not stop.
import { parentPort, workerData } from 'node:worker_threads';
import { YowaspCompiler } from '../host/node-host.js';
import { checksCacheDir } from '../labs/compile-checks.js';
import { loadLabs } from '../labs/loader.js';
import { folderLabFramework } from './folder-framework.js';
import { CheckRunCancelled } from './lab-framework.js';
import type { CheckWorkerData, FromCheckWorker, ToCheckWorker } from './worker-framework.js';

const port = parentPort;
if (!port) throw new Error('check-worker.js runs in a worker thread');
const data = workerData as CheckWorkerData;
const post = (message: FromCheckWorker) => port.postMessage(message);
const framework = folderLabFramework(data.labsDir, { cacheDir: data.cacheDir });
const runs = new Map<number, AbortController>();

// Done now, while the learner reads the instructions, rather than when they first press Check:
// the labs' checks.ts are type-checked and compiled on first load, and clang (WebAssembly)
// takes seconds to load. The warm-up compiles without the disk cache, which would answer it
// without loading clang; runs wait for it, as the toolchain runs one call at a time.
const warm = loadLabs(data.labsDir, { cacheDir: data.cacheDir ?? checksCacheDir() })
  .then(() => new YowaspCompiler().warm())
  .catch(() => undefined);

async function run(id: number, lab: string, workspace: string): Promise<void> {
  const controller = new AbortController();
  runs.set(id, controller);
  try {
    await warm;
    post({ type: 'started', id });
    const report = await framework.runChecks!(lab, workspace, { signal: controller.signal, onItem: (item) => post({ type: 'item', id, item }) });
    post({ type: 'done', id, report });
  } catch (e) {
    if (e instanceof CheckRunCancelled) post({ type: 'cancelled', id });
    else post({ type: 'failed', id, message: e instanceof Error ? e.message : String(e) });
  } finally {
    runs.delete(id);
  }
}

port.on('message', (message: ToCheckWorker) => {
  switch (message.type) {
    case 'run': void run(message.id, message.lab, message.workspace); break;
    case 'cancel': runs.get(message.id)?.abort(new CheckRunCancelled()); break;
  }
});
