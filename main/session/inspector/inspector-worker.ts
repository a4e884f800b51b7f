// The inspector in the machine's worker thread: turns the watchers' wishes into listening or
// not, publishes the aggregated state a few times a second while someone watches (at once
// after time control, so a pause or a step shows without delay), answers timeline slices,
// time control, the card's fault switches and remote terminal, and records trace files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Machine } from '../../../emulator/machine.js';
import { TraceFile } from '../../host/trace-file.js';
import type { InspectorAnswers, InspectorRequest } from '../worker-protocol.js';
import type { InspectorState, RecordingView, TimeReport } from '../../ipc/common/inspector.js';
import { InspectorAggregator } from './aggregator.js';

/** How often a watched machine's state is published. */
export const STATE_INTERVAL_MS = 200;

export class WorkerInspector {
  readonly aggregator: InspectorAggregator;
  private timer: ReturnType<typeof setInterval> | undefined;
  private full = true;
  private boot = 1;
  private publishSoon = false;
  private recording: { trace: TraceFile; stop: () => void; view: RecordingView } | undefined;

  constructor(private readonly machine: Machine, private readonly workspace: string, private readonly publish: (state: InspectorState) => void) {
    this.aggregator = new InspectorAggregator(machine, () => performance.now());
    machine.time.onChange = () => this.soon();
  }

  watch(on: boolean): void {
    if (on === this.aggregator.watching) return;
    if (on) {
      this.aggregator.start();
      this.full = true;
      this.timer = setInterval(() => this.publishNow(), STATE_INTERVAL_MS);
      this.timer.unref?.();
      this.publishNow();
    } else {
      this.aggregator.finish();
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  wantFull(): void {
    this.full = true;
    this.soon();
  }

  /** The machine booted again: a new machine for the inspector. */
  rebooted(): void {
    this.boot++;
    this.aggregator.reset();
    this.full = true;
    this.soon();
  }

  private soon(): void {
    if (!this.aggregator.watching || this.publishSoon) return;
    this.publishSoon = true;
    setImmediate(() => { this.publishSoon = false; this.publishNow(); });
  }

  private publishNow(): void {
    if (!this.aggregator.watching) return;
    const state = this.aggregator.state(this.full, this.boot);
    this.full = false;
    if (this.recording) {
      this.recording.view.events = this.recording.trace.count;
      state.recording = { ...this.recording.view };
    }
    this.publish(state);
  }

  async answer<W extends InspectorRequest['what']>(request: Extract<InspectorRequest, { what: W }>): Promise<InspectorAnswers[W]> {
    const r = request as InspectorRequest;
    const m = this.machine;
    let value: InspectorAnswers[keyof InspectorAnswers];
    switch (r.what) {
      case 'timeline':
        value = this.aggregator.query(r.query);
        break;
      case 'time': {
        const report: TimeReport = { clock: m.clockStatus };
        switch (r.action) {
          case 'pause': m.pause(); break;
          case 'resume': m.resume(); break;
          case 'realtime': m.setPacing('realtime'); m.resume(); break;
          case 'fast': m.setPacing('fast'); m.resume(); break;
          case 'step': report.step = await m.step(); break;
        }
        report.clock = m.clockStatus;
        this.soon();
        value = report;
        break;
      }
      case 'faults': {
        const card = this.card(r.card);
        const f = r.faults;
        card.setFaults({
          ...(f.extraLatencyMs !== undefined ? { extraLatencyNs: Math.round(f.extraLatencyMs * 1e6) } : {}),
          ...(f.lostIrqProbability !== undefined ? { lostIrqProbability: f.lostIrqProbability } : {}),
          ...(f.stuckBusy !== undefined ? { stuckBusy: f.stuckBusy } : {}),
          ...(f.spuriousIrqPerSec !== undefined ? { spuriousIrqPerSec: f.spuriousIrqPerSec } : {}),
          ...(f.crashAfterCommands !== undefined ? { crashAfterCommands: f.crashAfterCommands } : {}),
        });
        this.soon();
        value = null;
        break;
      }
      case 'receive':
        value = { accepted: this.card(r.card).receive(r.port, r.data) };
        // The card raised its line: let the kernel take the interrupt now, not at the next tick.
        m.input('');
        this.soon();
        break;
      case 'trace':
        value = r.record ? this.startRecording() : this.stopRecording();
        this.soon();
        break;
    }
    return value as InspectorAnswers[W];
  }

  private card(index: number) {
    const card = this.machine.cards[index];
    if (!card) throw new Error(`the machine has no card ${index} (it has ${this.machine.cards.length})`);
    return card;
  }

  private startRecording(): RecordingView {
    if (this.recording) return { ...this.recording.view, events: this.recording.trace.count };
    const dir = path.join(this.workspace, 'traces');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
    const file = path.join(dir, `trace-${stamp}.jsonl`);
    const trace = new TraceFile(file);
    const stop = this.machine.listen(trace.write, { sources: true });
    this.recording = { trace, stop, view: { file: path.relative(this.workspace, file), events: 0, recording: true } };
    return { ...this.recording.view };
  }

  private stopRecording(): RecordingView | null {
    const r = this.recording;
    if (!r) return null;
    this.recording = undefined;
    r.stop();
    r.trace.close();
    return { ...r.view, events: r.trace.count, recording: false };
  }

  dispose(): void {
    this.watch(false);
    this.stopRecording();
  }
}
