// Terminal output batching and acknowledgement-based flow control (main/session/terminal-stream.ts).
import { describe, expect, it } from 'vitest';
import type { TerminalChunk } from '../main/ipc/common/contract.js';
import { BATCH_MS, HIGH_WATER_CHARS, LOW_WATER_CHARS, SCROLLBACK_CHARS, TerminalOutput, WINDOW_CHARS, type Timers } from '../main/session/terminal-stream.js';

/** A clock the test moves by hand. */
class ManualTimers implements Timers {
  now = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    this.now += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.now).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
  }
}

function setup() {
  const timers = new ManualTimers();
  const pauses: boolean[] = [];
  const output = new TerminalOutput((pause) => pauses.push(pause), timers);
  const chunks: TerminalChunk[] = [];
  const { stream, detach } = output.attach((c) => chunks.push(c));
  return { timers, pauses, output, chunks, stream, detach };
}

describe('terminal output', () => {
  it('batches writes made within one period into one chunk', () => {
    const { timers, output, chunks } = setup();
    output.write('a');
    output.write('b');
    output.write('c');
    expect(chunks).toEqual([]);
    timers.advance(BATCH_MS - 1);
    expect(chunks).toEqual([]);
    timers.advance(1);
    expect(chunks.map((c) => c.data)).toEqual(['abc']);
    expect(chunks[0]!.replay).toBe(false);
  });

  it('sends no more than a window ahead of the acknowledgements', () => {
    const { timers, output, chunks, stream } = setup();
    output.write('x'.repeat(WINDOW_CHARS * 2 + 10));
    timers.advance(BATCH_MS);
    const sent = () => chunks.reduce((n, c) => n + c.data.length, 0);
    expect(sent()).toBe(WINDOW_CHARS);
    timers.advance(1000);
    expect(sent()).toBe(WINDOW_CHARS);
    output.ack(stream, 1000);
    expect(sent()).toBe(WINDOW_CHARS + 1000);
    output.ack(stream, WINDOW_CHARS * 3);
    expect(sent()).toBe(WINDOW_CHARS * 2 + 10);
  });

  it('pauses the machine when a screen falls behind and resumes it when the screen catches up', () => {
    const { timers, pauses, output, chunks, stream } = setup();
    const line = 'y\r\n';
    while (pauses.length === 0) output.write(line.repeat(1000));
    expect(pauses).toEqual([true]);
    expect(output.isPaused).toBe(true);
    const backlog = output.backlog(stream)!;
    expect(backlog.queued).toBeGreaterThan(HIGH_WATER_CHARS);
    expect(backlog.queued).toBeLessThan(HIGH_WATER_CHARS + 3000 + 1);
    // The screen draws and acknowledges what it got, chunk after chunk.
    for (let i = 0; i < 100 && output.isPaused; i++) {
      timers.advance(BATCH_MS);
      for (const c of chunks.splice(0)) output.ack(stream, c.data.length);
    }
    expect(pauses).toEqual([true, false]);
    expect(output.backlog(stream)!.queued).toBeLessThan(LOW_WATER_CHARS);
  });

  it('resumes the machine when the slow screen goes away', () => {
    const { pauses, output, detach } = setup();
    output.write('z'.repeat(HIGH_WATER_CHARS + 1));
    expect(pauses).toEqual([true]);
    detach();
    expect(pauses).toEqual([true, false]);
  });

  it('replays the scrollback to a screen that attaches later, cut at a line', () => {
    const { timers, output } = setup();
    output.write('old line\r\n'.repeat(SCROLLBACK_CHARS / 5));
    output.write('last line\r\n$ ');
    timers.advance(BATCH_MS);
    const later: TerminalChunk[] = [];
    const screen = output.attach((c) => later.push(c));
    timers.advance(BATCH_MS);
    for (let i = 0; i <= SCROLLBACK_CHARS / WINDOW_CHARS; i++) output.ack(screen.stream, WINDOW_CHARS);
    expect(later[0]!.replay).toBe(true);
    const replay = later.filter((c) => c.replay).map((c) => c.data).join('');
    expect(replay.length).toBeLessThanOrEqual(SCROLLBACK_CHARS);
    expect(replay.startsWith('old line\r\n')).toBe(true);
    expect(replay.endsWith('last line\r\n$ ')).toBe(true);
    output.write('new');
    timers.advance(BATCH_MS);
    expect(later.at(-1)).toMatchObject({ data: 'new', replay: false });
  });

  it('never splits a surrogate pair between chunks', () => {
    const { timers, output, chunks, stream } = setup();
    output.write('a'.repeat(WINDOW_CHARS - 1) + '😀' + 'b');
    timers.advance(BATCH_MS);
    expect(chunks[0]!.data.length).toBe(WINDOW_CHARS - 1);
    output.ack(stream, WINDOW_CHARS);
    expect(chunks[1]!.data).toBe('😀b');
  });

  it('keeps each listener to its own window', () => {
    const { timers, output, stream } = setup();
    const other: TerminalChunk[] = [];
    const second = output.attach((c) => other.push(c));
    output.write('q'.repeat(WINDOW_CHARS + 5));
    timers.advance(BATCH_MS);
    for (const c of other.splice(0)) output.ack(second.stream, c.data.length);
    timers.advance(BATCH_MS);
    expect(output.backlog(second.stream)).toEqual({ queued: 0, inFlight: 5 });
    expect(output.backlog(stream)).toEqual({ queued: 5, inFlight: WINDOW_CHARS });
  });
});
