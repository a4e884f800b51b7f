// printk and the kernel log ring buffer (kernel/printk/printk.c): records with
// level and virtual timestamp, the console log level (/proc/sys/kernel/printk),
// dmesg's view, and klogd's /var/log/messages lines.

export const KERN_EMERG = 0, KERN_ALERT = 1, KERN_CRIT = 2, KERN_ERR = 3, KERN_WARNING = 4,
  KERN_NOTICE = 5, KERN_INFO = 6, KERN_DEBUG = 7;
export const DEFAULT_MESSAGE_LOGLEVEL = KERN_WARNING;

/** LOG_LINE_MAX (kernel/printk/printk.c): 1024 less the room for the record's prefix; longer text is cut. */
export const LOG_LINE_MAX = 1024 - 32;

/** __LOG_BUF_LEN: 2.2's LOG_BUF_LEN of 16 KiB; modern 1 << CONFIG_LOG_BUF_SHIFT (17), 128 KiB. */
export function logBufLen(personality: '2.2' | 'modern'): number {
  return personality === '2.2' ? 16384 : 1 << 17;
}

export interface LogRecord {
  seq: number;
  timeNs: number;
  level: number;
  text: string;
}

/** "[  123.456789] " exactly as the kernel prints timestamps. */
export function formatTimestamp(timeNs: number): string {
  const us = Math.floor(timeNs / 1000);
  const sec = Math.floor(us / 1_000_000);
  const frac = String(us % 1_000_000).padStart(6, '0');
  return `[${String(sec).padStart(5, ' ')}.${frac}]`;
}

/**
 * Splits a KERN_* prefix from a message: modern kernels use "\x01" + level digit
 * (KERN_SOH), 2.2 kernels "<n>". KERN_CONT ("\x01c") marks a continuation.
 */
export function parseLevel(msg: string): { level: number | undefined; cont: boolean; text: string } {
  let level: number | undefined;
  let cont = false;
  for (;;) {
    if (msg.charCodeAt(0) === 1 && msg.length >= 2) {
      const c = msg[1]!;
      if (c >= '0' && c <= '7') level = c.charCodeAt(0) - 48;
      else if (c === 'c') cont = true;
      msg = msg.slice(2);
      continue;
    }
    const m = /^<([0-7c])>/.exec(msg);
    if (m) {
      if (m[1] === 'c') cont = true; else level = Number(m[1]);
      msg = msg.slice(3);
      continue;
    }
    break;
  }
  return { level, cont, text: msg };
}

export interface ConsoleSink {
  (text: string): void;
}

export class KernelLog {
  /** The ring: records[head..] are live; the dead prefix is compacted in bulk, not shifted per record. */
  private records: LogRecord[] = [];
  private head = 0;
  private bytes = 0;
  private nextSeq = 0;
  /** The first sequence number `dmesg -c` has not cleared. */
  private clearSeq = 0;
  private partial: { level: number; text: string; timeNs: number } | undefined;
  /** Messages with a level numerically below this reach the console. */
  consoleLoglevel = 7;
  defaultMessageLoglevel = DEFAULT_MESSAGE_LOGLEVEL;
  minimumConsoleLoglevel = 1;
  defaultConsoleLoglevel = 7;
  readonly listeners = new Set<(r: LogRecord) => void>();

  constructor(
    private readonly now: () => number,
    private readonly console: ConsoleSink,
    readonly capacityBytes = 1 << 17,
  ) {}

  /** printk(): returns the number of characters logged, as Linux does. */
  printk(message: string): number {
    const { level, cont, text } = parseLevel(message);
    let rest = text;
    if (this.partial && (cont || level === undefined)) {
      rest = this.partial.text + rest;
    } else {
      this.flushPartial();
    }
    const lvl = this.partial?.level ?? level ?? this.defaultMessageLoglevel;
    const timeNs = this.partial?.timeNs ?? this.now();
    this.partial = undefined;
    const lines = rest.split('\n');
    let tail = lines.pop()!;
    for (const line of lines) this.store(lvl, line.slice(0, LOG_LINE_MAX), timeNs);
    // A line continued without end (KERN_CONT in a loop) is cut into records of LOG_LINE_MAX, as the cont buffer flushes when full.
    while (tail.length > LOG_LINE_MAX) { this.store(lvl, tail.slice(0, LOG_LINE_MAX), timeNs); tail = tail.slice(LOG_LINE_MAX); }
    if (tail !== '') this.partial = { level: lvl, text: tail, timeNs };
    return text.length;
  }

  /** Ends a line left open by a printk without "\n" (Linux flushes it on the next record). */
  flushPartial(): void {
    if (!this.partial) return;
    const p = this.partial;
    this.partial = undefined;
    this.store(p.level, p.text, p.timeNs);
  }

  private store(level: number, text: string, timeNs: number): void {
    const rec: LogRecord = { seq: this.nextSeq++, timeNs, level, text };
    this.records.push(rec);
    this.bytes += text.length + 16;
    while (this.bytes > this.capacityBytes && this.records.length - this.head > 1) {
      const old = this.records[this.head++]!;
      this.bytes -= old.text.length + 16;
    }
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
    if (level < this.consoleLoglevel) this.console(`${formatTimestamp(timeNs)} ${text}\n`);
    for (const l of this.listeners) l(rec);
  }

  /** Records still in the ring, oldest first; `sinceClear` hides what dmesg -c cleared. */
  read(sinceClear = true): LogRecord[] {
    this.flushPartial();
    const live = this.records.slice(this.head);
    return sinceClear ? live.filter((r) => r.seq >= this.clearSeq) : live;
  }

  clear(): void {
    this.flushPartial();
    this.clearSeq = this.nextSeq;
  }

  /** /proc/sys/kernel/printk */
  sysctlText(): string {
    return `${this.consoleLoglevel}\t${this.defaultMessageLoglevel}\t${this.minimumConsoleLoglevel}\t${this.defaultConsoleLoglevel}\n`;
  }
}
