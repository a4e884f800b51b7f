// The console tty and its line discipline (drivers/tty/n_tty.c, small): canonical
// mode with erase/kill/EOF, echo, ICRNL, ONLCR output processing, and ISIG
// (^C SIGINT, ^\ SIGQUIT, ^Z SIGTSTP to the foreground process group).
import { SIGINT, SIGQUIT, SIGTSTP } from './sched.js';

export interface TtyHooks {
  /** Bytes for the terminal (after output processing). */
  output(text: string): void;
  /** Input became readable: wake readers. */
  inputReady(): void;
  /** ISIG: deliver a signal to the foreground process group. */
  signal(pgid: number, sig: number): void;
}

export class Tty {
  icanon = true;
  echo = true;
  isig = true;
  onlcr = true;
  /** Foreground process group. */
  fgPgid = 0;
  /** The window size (struct winsize) that TIOCGWINSZ reports: the terminal's screen sets it. */
  columns = 80;
  rows = 24;
  private line = '';
  private ready: string[] = [];
  private eof = 0;

  constructor(readonly name: string, private readonly hooks: TtyHooks) {}

  /** Bytes typed on the terminal. */
  input(text: string): void {
    for (const ch of text) this.inputChar(ch === '\r' ? '\n' : ch);
    if (this.hasInput()) this.hooks.inputReady();
  }

  private inputChar(ch: string): void {
    const code = ch.charCodeAt(0);
    if (this.isig && (code === 3 || code === 0x1c || code === 0x1a)) {
      const sig = code === 3 ? SIGINT : code === 0x1c ? SIGQUIT : SIGTSTP;
      // ^Z is echoed alone: the shell starts the next line with its "[1]+  Stopped" report.
      if (this.echo) this.write(code === 3 ? '^C\n' : code === 0x1c ? '^\\\n' : '^Z');
      this.line = '';
      this.hooks.signal(this.fgPgid, sig);
      return;
    }
    if (!this.icanon) { this.ready.push(ch); if (this.echo) this.write(ch); return; }
    if (code === 0x7f || code === 8) {
      if (this.line.length) {
        this.line = this.line.slice(0, -1);
        if (this.echo) this.write('\b \b');
      }
      return;
    }
    if (code === 0x15) { // ^U: kill the line
      if (this.echo) this.write('\b \b'.repeat(this.line.length));
      this.line = '';
      return;
    }
    if (code === 4) { // ^D: push the line, or EOF on an empty one
      if (this.line === '') this.eof++;
      else { this.ready.push(this.line); this.line = ''; }
      return;
    }
    this.line += ch;
    if (this.echo) this.write(ch);
    if (ch === '\n') { this.ready.push(this.line); this.line = ''; }
  }

  /** A line is half typed: anything typed now would run on from it. */
  get lineInProgress(): boolean {
    return this.icanon && this.line !== '';
  }

  hasInput(): boolean {
    return this.ready.length > 0 || this.eof > 0;
  }

  /** Ends input for good (the scripted `driverlab sh` has no keyboard). */
  hangupInput(): void {
    this.eof = Number.POSITIVE_INFINITY;
    this.hooks.inputReady();
  }

  /** Takes up to `max` bytes of input: a line in canonical mode; '' means EOF. undefined = would block. */
  take(max: number): string | undefined {
    if (this.ready.length) {
      let out = '';
      while (this.ready.length && out.length < max) {
        const chunk = this.ready[0]!;
        const room = max - out.length;
        if (chunk.length <= room) { out += chunk; this.ready.shift(); if (this.icanon && chunk.endsWith('\n')) break; }
        else { out += chunk.slice(0, room); this.ready[0] = chunk.slice(room); }
      }
      return out;
    }
    if (this.eof > 0) { if (this.eof !== Number.POSITIVE_INFINITY) this.eof--; return ''; }
    return undefined;
  }

  write(text: string): void {
    this.hooks.output(this.onlcr ? text.replace(/\r?\n/g, '\r\n') : text);
  }
}
