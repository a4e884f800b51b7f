// klogd and syslogd, as far as the kernel's messages go: messages of level warning, notice and
// info (Debian's "*.=info;*.=notice;*.=warn" rule; debug does not) become lines of
// /var/log/messages, "Jan 15 10:30:00 driverlab kernel: [    0.000000] text", on the root file
// system. Like syslogd, it writes them into the file (the page cache), not to the disk: they
// reach the disk with the file system's other dirty data, and a crash loses the lines written
// since (what the 1998 article warns about). Before the root is writable they wait in memory.
//
// The lines are written where the kernel may do file I/O (process context, no file system
// operation in progress): at a system call's entry once enough are waiting, before every sync
// and write-back pass, and when someone opens the file to read it.
import type { Kernel } from './kernel.js';
import { Errno } from './errno.js';
import { formatTimestamp } from './printk.js';
import { kernelWriteFile } from './fs/kernel-io.js';
import type { Inode } from './fs/types.js';

export const MESSAGES_PATH = '/var/log/messages';
/** Lines wait until this many bytes have gathered (or a sync comes). */
const FLUSH_BYTES = 16 * 1024;
/** Lines kept in memory at most while the root is read-only (the oldest go first). */
const PENDING_LIMIT = 1 << 20;
/** logrotate in miniature: past this size the file becomes messages.1 and a new one starts. */
const ROTATE_BYTES = 1 << 20;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "Jan 15 10:30:00" as syslog writes it. */
export function syslogDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export class Klogd {
  private pending: string[] = [];
  /** Bytes waiting (UTF-16 length: close enough to decide when to write). */
  pendingBytes = 0;
  /** Set by init once the root is writable: from then on lines are written. */
  private running = false;
  private flushing = false;
  /** The file, once written: opening it for reading writes the waiting lines first. */
  inode: Inode | undefined;

  constructor(private readonly k: Kernel) {
    k.log.listeners.add((rec) => this.add(rec.timeNs, rec.text, rec.level));
    for (const rec of k.log.read(false)) this.add(rec.timeNs, rec.text, rec.level);
  }

  private add(timeNs: number, text: string, level: number): void {
    if (level < 4 || level > 6) return;
    const k = this.k;
    const line = `${syslogDate(k.epochMs + (k.bootNs + timeNs) / 1e6)} ${k.hostname} kernel: ${formatTimestamp(timeNs)} ${text}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    while (this.pendingBytes > PENDING_LIMIT && this.pending.length > 1) this.pendingBytes -= this.pending.shift()!.length;
  }

  /** syslogd starts (init, once the root file system is writable). */
  start(): void {
    this.running = true;
    this.flush();
  }

  /** Enough lines are waiting to be worth a write. */
  get due(): boolean {
    return this.running && this.pendingBytes >= FLUSH_BYTES;
  }

  /** Writes the waiting lines to the file (process context only). On a read-only root they wait. */
  flush(): void {
    if (!this.running || this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      this.rotateIfLarge();
      this.inode = kernelWriteFile(this.k, MESSAGES_PATH, new TextEncoder().encode(lines.join('')), { append: true });
    } catch (e) {
      if (!(e instanceof Errno)) throw e;
      // A read-only root, a full disk, no /var/log: the lines wait for the next chance.
      this.pending = [...lines, ...this.pending];
      this.pendingBytes = this.pending.reduce((n, l) => n + l.length, 0);
    } finally {
      this.flushing = false;
    }
  }

  private rotateIfLarge(): void {
    if (!this.inode || this.inode.size() < ROTATE_BYTES || this.inode.sb.readOnly) return;
    this.k.vfs.rename(MESSAGES_PATH, `${MESSAGES_PATH}.1`, '/', { uid: 0, gid: 0 });
    this.inode = undefined;
  }
}
