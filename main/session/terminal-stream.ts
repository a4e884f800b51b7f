// Terminal output from a machine to the screens that show it, batched and flow-controlled the
// way Hyper and Tabby do it (style.md, "Terminal"): output is sent at most every BATCH_MS, each
// listener may have at most WINDOW_CHARS sent but not yet acknowledged as drawn, and when a
// listener falls behind by more than HIGH_WATER_CHARS the machine is paused (like a tty whose
// reader stopped reading) until it is back under LOW_WATER_CHARS. A printk flood therefore never
// queues more than a screenful or two ahead of what the user types: the echo shows up at once.
//
// A listener that attaches to a running machine (a reloaded page) first gets the scrollback.

import type { TerminalChunk } from '../ipc/common/contract.js';

export const BATCH_MS = 16;
// What a keystroke's echo may wait behind is at most WINDOW_CHARS + HIGH_WATER_CHARS of output
// the page must draw first (48 KB: a tenth of a second of drawing, twenty screens full).
/** Characters a listener may have in flight (sent, not yet acknowledged). */
export const WINDOW_CHARS = 16 * 1024;
/** Queued characters of one listener above which the machine is paused... */
export const HIGH_WATER_CHARS = 32 * 1024;
/** ...and below which it runs again. */
export const LOW_WATER_CHARS = 8 * 1024;
/** Scrollback kept for a listener that attaches later. */
export const SCROLLBACK_CHARS = 128 * 1024;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

class Listener {
  /** Output not sent yet. */
  private queue: { data: string; replay: boolean }[] = [];
  queued = 0;
  inFlight = 0;

  constructor(readonly stream: number, private readonly send: (chunk: TerminalChunk) => void) {}

  push(data: string, replay: boolean): void {
    const last = this.queue[this.queue.length - 1];
    if (last && last.replay === replay) last.data += data;
    else this.queue.push({ data, replay });
    this.queued += data.length;
  }

  /** Sends what the window allows, as one chunk per kind (replay, then live). */
  flush(): void {
    while (this.queue.length && this.inFlight < WINDOW_CHARS) {
      const head = this.queue[0]!;
      const room = WINDOW_CHARS - this.inFlight;
      let data = head.data;
      if (data.length > room) {
        // Never split a UTF-16 surrogate pair across two chunks.
        const cut = isHighSurrogate(data.charCodeAt(room - 1)) ? room - 1 : room;
        if (cut === 0) break;
        head.data = data.slice(cut);
        data = data.slice(0, cut);
      } else {
        this.queue.shift();
      }
      this.queued -= data.length;
      this.inFlight += data.length;
      this.send({ stream: this.stream, data, replay: head.replay });
    }
  }

  ack(chars: number): void {
    this.inFlight = Math.max(0, this.inFlight - chars);
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export class TerminalOutput {
  private readonly listeners = new Map<number, Listener>();
  private nextStream = 1;
  private scrollback = '';
  private timer: unknown;
  private paused = false;

  /** `onBackpressure(true)` asks the producer to pause, `(false)` to resume. */
  constructor(private readonly onBackpressure: (pause: boolean) => void, private readonly timers: Timers = realTimers) {}

  /** Output from the machine. */
  write(data: string): void {
    if (!data) return;
    this.scrollback += data;
    if (this.scrollback.length > SCROLLBACK_CHARS * 2) this.scrollback = trimScrollback(this.scrollback);
    for (const l of this.listeners.values()) l.push(data, false);
    this.schedule();
    this.updateBackpressure();
  }

  /** A new screen: it gets the scrollback, then everything that follows. */
  attach(send: (chunk: TerminalChunk) => void): { stream: number; detach: () => void } {
    const stream = this.nextStream++;
    const listener = new Listener(stream, send);
    const replay = trimScrollback(this.scrollback);
    if (replay) listener.push(replay, true);
    this.listeners.set(stream, listener);
    this.schedule();
    return {
      stream,
      detach: () => {
        this.listeners.delete(stream);
        this.updateBackpressure();
      },
    };
  }

  ack(stream: number, chars: number): void {
    const l = this.listeners.get(stream);
    if (!l) return;
    l.ack(chars);
    l.flush();
    this.updateBackpressure();
  }

  /** A new boot starts a clean screen history; a reset is not a reason to replay the old one. */
  clearScrollback(): void {
    this.scrollback = '';
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The listeners' streams (tests and diagnostics). */
  get streams(): number[] {
    return [...this.listeners.keys()];
  }

  /** Characters queued for a listener (tests and diagnostics). */
  backlog(stream: number): { queued: number; inFlight: number } | undefined {
    const l = this.listeners.get(stream);
    return l && { queued: l.queued, inFlight: l.inFlight };
  }

  dispose(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    if (this.paused) { this.paused = false; this.onBackpressure(false); }
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      for (const l of this.listeners.values()) l.flush();
      this.updateBackpressure();
    }, BATCH_MS);
  }

  private updateBackpressure(): void {
    let worst = 0;
    for (const l of this.listeners.values()) worst = Math.max(worst, l.queued);
    if (!this.paused && worst > HIGH_WATER_CHARS) {
      this.paused = true;
      this.onBackpressure(true);
    } else if (this.paused && worst < LOW_WATER_CHARS) {
      this.paused = false;
      this.onBackpressure(false);
    }
  }
}

/** The last SCROLLBACK_CHARS, starting at a line so no escape sequence is cut in half. */
function trimScrollback(text: string): string {
  if (text.length <= SCROLLBACK_CHARS) return text;
  const start = text.length - SCROLLBACK_CHARS;
  const nl = text.indexOf('\n', start);
  return nl < 0 ? '' : text.slice(nl + 1);
}
