// wc: newline, word and byte counts, in GNU's column layout.
import type { Proc, StatInfo } from '../../libc.js';
import { S_IFMT, S_IFREG } from './sys-stat.js';
import { SysError } from '../../libc.js';
import { Tool, closeInput, errorText, openInput, quoteIfNeeded, type LongOption } from './common.js';

const HELP = `Usage: PROG [OPTION]... [FILE]...
Print newline, word, and byte counts for each FILE, and a total line if
more than one FILE is specified.  A word is a nonempty sequence of non white
space delimited by white space characters or by start or end of input.

With no FILE, or when FILE is -, read standard input.

The options below may be used to select which counts are printed, always in
the following order: newline, word, character, byte, maximum line length.
  -c, --bytes            print the byte counts
  -m, --chars            print the character counts
  -l, --lines            print the newline counts
  -L, --max-line-length  print the maximum display width
  -w, --words            print the word counts
      --help        display this help and exit
      --version     output version information and exit
`;

const LONGS: LongOption[] = [
  { name: 'bytes', key: 'c' },
  { name: 'chars', key: 'm' },
  { name: 'lines', key: 'l' },
  { name: 'max-line-length', key: 'L' },
  { name: 'words', key: 'w' },
];

interface Counts {
  lines: number;
  words: number;
  chars: number;
  bytes: number;
  maxLength: number;
}

const isSpace = (b: number) => b === 32 || (b >= 9 && b <= 13);

/** Counts a stream chunk by chunk (so memory stays small and `cat dev | wc` works). */
class Counter implements Counts {
  lines = 0; words = 0; chars = 0; bytes = 0; maxLength = 0;
  private inWord = false;
  private column = 0;

  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    for (const b of chunk) {
      // UTF-8: a character starts at every byte that is not a continuation byte.
      if ((b & 0xc0) !== 0x80) this.chars++;
      if (b === 10) {
        this.lines++;
        this.endLine();
      } else if (b === 9) {
        this.column += 8 - (this.column % 8);
      } else if (b === 13 || b === 12) {
        this.endLine();
      } else if (b >= 32 && (b & 0xc0) !== 0x80) {
        this.column++;
      }
      if (isSpace(b)) this.inWord = false;
      else if (!this.inWord) { this.inWord = true; this.words++; }
    }
  }

  finish(): void {
    this.endLine();
  }

  private endLine(): void {
    this.maxLength = Math.max(this.maxLength, this.column);
    this.column = 0;
  }
}

export async function wc(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'wc', HELP);
  const parsed = await t.parse(argv, 'clLmw', LONGS);
  if (typeof parsed === 'number') return parsed;
  const keys = new Set(parsed.options.map((o) => o.key));
  const wanted = keys.has('c') || keys.has('l') || keys.has('L') || keys.has('m') || keys.has('w')
    ? { lines: keys.has('l'), words: keys.has('w'), chars: keys.has('m'), bytes: keys.has('c'), maxLength: keys.has('L') }
    : { lines: true, words: true, chars: false, bytes: true, maxLength: false };
  const counters = Object.values(wanted).filter(Boolean).length;
  const files = parsed.operands.length ? parsed.operands : ['-'];

  const width = await numberWidth(p, files, counters);
  const format = (c: Counts, name: string | undefined) => {
    const fields: number[] = [];
    if (wanted.lines) fields.push(c.lines);
    if (wanted.words) fields.push(c.words);
    if (wanted.chars) fields.push(c.chars);
    if (wanted.bytes) fields.push(c.bytes);
    if (wanted.maxLength) fields.push(c.maxLength);
    return fields.map((n) => String(n).padStart(width)).join(' ') + (name === undefined ? '' : ` ${name}`) + '\n';
  };

  const total: Counts = { lines: 0, words: 0, chars: 0, bytes: 0, maxLength: 0 };
  for (const file of files) {
    let fd: number;
    try {
      fd = await openInput(p, file);
    } catch (e) {
      await t.error(`${quoteIfNeeded(file)}: ${errorText(e)}`);
      continue;
    }
    const counter = new Counter();
    try {
      for (let chunk = await p.read(fd); chunk.length; chunk = await p.read(fd)) counter.add(chunk);
    } catch (e) {
      await t.error(`${quoteIfNeeded(file)}: ${errorText(e)}`);
    } finally {
      await closeInput(p, fd);
    }
    counter.finish();
    total.lines += counter.lines;
    total.words += counter.words;
    total.chars += counter.chars;
    total.bytes += counter.bytes;
    total.maxLength = Math.max(total.maxLength, counter.maxLength);
    await p.out(format(counter, parsed.operands.length ? file : undefined));
  }
  if (files.length > 1) await p.out(format(total, 'total'));
  return t.status;
}

/**
 * GNU's column width: 1 for one file with one count; otherwise the digits of the total size
 * of the regular files (an upper bound of every count), at least 7 if any input is not a
 * regular file (a pipe, a device) because its size is unknown in advance.
 */
async function numberWidth(p: Proc, files: readonly string[], counters: number): Promise<number> {
  if (files.length === 1 && counters === 1) return 1;
  const stats: (StatInfo | undefined)[] = [];
  for (const file of files) {
    try {
      stats.push(file === '-' ? await p.fstat(0) : await p.stat(file));
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      stats.push(undefined);
    }
  }
  if (!stats[0]) return 1;
  let minimum = 1;
  let regularTotal = 0;
  for (const st of stats) {
    if (!st) continue;
    if ((st.mode & S_IFMT) === S_IFREG) regularTotal += st.size;
    else minimum = 7;
  }
  return Math.max(minimum, String(regularTotal).length);
}
