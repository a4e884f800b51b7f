// LILO's second stage at power-on: "LILO", the "boot: " prompt when the map asks for one, line
// editing, Tab to list the labels, the timeout (in tenths of a second, cancelled by the first key),
// and then "Loading <label>" with a dot per chunk of the image read.
//
// It talks to the screen and gets keys from the BIOS (see bios.ts); the machine drives it and keeps
// the time (the virtual clock), so a prompt waits exactly as long on every run.

import { bootPrompt, type BootChoice, type BootTable } from './lilo.js';

/** The longest command line the kernel takes (2.2's COMMAND_LINE_SIZE is 256, with the NUL). */
const MAX_TYPED = 255;
/** One dot per this many bytes of kernel read, as the loader moves through the map. */
const BYTES_PER_DOT = 32 * 1024;
/** The width of a label in the Tab listing. */
const LABEL_COLUMN = 16;

export type Booting = Extract<BootChoice, { ok: true }>;

export class LiloSecondStage {
  private typed = '';
  private keyPressed = false;
  private prompting: boolean;

  /**
   * `extra` is added to whatever is booted (the machine configuration's extra parameters), as if
   * typed after the label.
   */
  constructor(private readonly table: BootTable, private readonly screen: (text: string) => void, private readonly extra = '') {
    this.prompting = table.prompt;
  }

  /** Shows "LILO" and, with `prompt`, the prompt. Returns whether it now waits for keys. */
  start(): boolean {
    this.screen(this.prompting ? 'LILO boot: ' : 'LILO ');
    return this.prompting;
  }

  /** Virtual time (ns) the prompt waits before booting the default; undefined once a key was pressed, or without timeout=. */
  get timeoutNs(): number | undefined {
    if (!this.prompting || this.keyPressed || this.table.timeout === undefined) return undefined;
    return this.table.timeout * 100_000_000;
  }

  /** Without `prompt`, a key held while LILO starts still brings the prompt (LILO looks at the keyboard once). */
  interrupt(): void {
    if (this.prompting) return;
    this.prompting = true;
    this.screen('boot: ');
  }

  /** One key from the BIOS. Returns what to boot when Enter picked something bootable. */
  key(ch: string): Booting | undefined {
    if (!this.prompting) return undefined;
    this.keyPressed = true;
    if (ch === '\r' || ch === '\n') return this.enter();
    if (ch === '\t') {
      this.screen(`\r\n${this.listing()}\r\nboot: ${this.typed}`);
      return undefined;
    }
    if (ch === '\b' || ch === '\x7f') {
      if (this.typed) { this.typed = this.typed.slice(0, -1); this.screen('\b \b'); }
      return undefined;
    }
    if (ch === '\x15') { // ^U: kill the line
      this.screen('\b \b'.repeat(this.typed.length));
      this.typed = '';
      return undefined;
    }
    if (ch >= ' ' && ch <= '~' && this.typed.length < MAX_TYPED) {
      this.typed += ch;
      this.screen(ch);
    }
    return undefined;
  }

  /** The timeout ran out, or there is no prompt: the default image. */
  bootDefault(): Booting {
    const choice = bootPrompt(this.table, [this.table.defaultLabel, this.extra].filter(Boolean).join(' '));
    if (!choice.ok) throw new Error(`LILO map without its default image "${this.table.defaultLabel}"`);
    this.screen(this.prompting ? '\r\n' : '');
    return choice;
  }

  private enter(): Booting | undefined {
    const choice = bootPrompt(this.table, [this.typed || this.table.defaultLabel, this.extra].filter(Boolean).join(' '));
    this.screen('\r\n');
    this.typed = '';
    if (choice.ok) return choice;
    this.screen(`${choice.message}\r\nboot: `);
    return undefined;
  }

  private listing(): string {
    return this.table.entries.map((e) => e.label.padEnd(LABEL_COLUMN)).join('').trimEnd();
  }

  /** "Loading linux....." for an image of `size` bytes, ending the line. */
  loading(label: string, size: number): string {
    return `Loading ${label}${'.'.repeat(Math.max(1, Math.ceil(size / BYTES_PER_DOT)))}\r\n`;
  }
}
