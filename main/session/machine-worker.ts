// One virtual PC in its own thread (ARCHITECTURE.md decision 4): the UI thread never runs a
// machine. The main side owns this worker (machine-session.ts); cutting the power is
// terminating the thread, which loses nothing of the learner's: /home/lab writes reach the
// host disk before they return.
import { parentPort, workerData } from 'node:worker_threads';
import { Machine, MACHINE_EPOCH_MS } from '../../emulator/machine.js';
import { installOnto } from '../../emulator/installer.js';
import { openMachineDisk } from '../host/disk-image.js';
import { createNodeHost } from '../host/node-host.js';
import type { FromWorker, MachineWorkerData, ToWorker } from './worker-protocol.js';

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
machine.kernel.console.columns = data.columns;
machine.kernel.console.rows = data.rows;

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'input': machine.input(message.data); break;
    case 'resize': machine.kernel.console.columns = message.columns; machine.kernel.console.rows = message.rows; break;
    case 'pause': paused = true; break;
    case 'resume': paused = false; resumed?.(); resumed = undefined; break;
    case 'reset': machine.pressReset(); break;
    case 'power-off': machine.powerOff(); break;
  }
});
machine.onReboot = () => post({ type: 'rebooted' });

machine.boot();
post({ type: 'running' });
const status = await machine.runShell();
disk?.close();
const halted = machine.kernel.halted;
const reason = halted !== undefined ? `halted: ${halted.trim()}` : `shut down (the shell exited with status ${status})`;
// The last output first, then the news.
setImmediate(() => {
  post({ type: 'halted', reason });
  port.close();
});
