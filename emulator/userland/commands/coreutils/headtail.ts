// head and tail: the first or last lines (or bytes) of files.
import type { Proc } from '../../libc.js';
import { Tool, closeInput, concatBytes, errorText, inputName, openInput, parseCount, quote, quoteAlways, type LongOption, type ParsedArgs } from './common.js';

const HEAD_HELP = `Usage: PROG [OPTION]... [FILE]...
Print the first 10 lines of each FILE to standard output.
With more than one FILE, precede each with a header giving the file name.

With no FILE, or when FILE is -, read standard input.

  -c, --bytes=[-]NUM       print the first NUM bytes of each file;
                             with the leading '-', print all but the last
                             NUM bytes of each file
  -n, --lines=[-]NUM       print the first NUM lines instead of the first 10;
                             with the leading '-', print all but the last
                             NUM lines of each file
  -q, --quiet, --silent    never print headers giving file names
  -v, --verbose            always print headers giving file names
      --help        display this help and exit
      --version     output version information and exit
`;

const TAIL_HELP = `Usage: PROG [OPTION]... [FILE]...
Print the last 10 lines of each FILE to standard output.
With more than one FILE, precede each with a header giving the file name.

With no FILE, or when FILE is -, read standard input.

  -c, --bytes=[+]NUM       output the last NUM bytes; or use -c +NUM to
                             output starting with byte NUM of each file
  -f, --follow             output appended data as the file grows
  -n, --lines=[+]NUM       output the last NUM lines, instead of the last 10;
                             or use -n +NUM to skip NUM-1 lines at the start
  -q, --quiet, --silent    never output headers giving file names
  -s, --sleep-interval=N   with -f, sleep for approximately N seconds
                             (default 1.0) between iterations
  -v, --verbose            always output headers giving file names
      --help        display this help and exit
      --version     output version information and exit
`;

const LONGS: LongOption[] = [
  { name: 'bytes', key: 'c', arg: 'required' },
  { name: 'lines', key: 'n', arg: 'required' },
  { name: 'quiet', key: 'q' },
  { name: 'silent', key: 'q' },
  { name: 'verbose', key: 'v' },
];

const TAIL_LONGS: LongOption[] = [...LONGS, { name: 'follow', key: 'f' }, { name: 'sleep-interval', key: 's', arg: 'required' }];

/** What to print: a count of lines or bytes, from the start ('+N'), or all but the end ('-N'). */
interface Amount {
  unit: 'lines' | 'bytes';
  count: number;
  /** head: all but the last `count`; tail: starting at item `count`. */
  inverted: boolean;
}

/** `-5`, `-5c`, `-n5` as the first argument: the obsolete form both commands still accept. */
function obsoleteAmount(arg: string | undefined): { spec: string; unit: Amount['unit'] } | undefined {
  const m = arg ? /^-(\d+)([cbkml]?)$/.exec(arg) : null;
  if (!m) return undefined;
  const suffix = m[2]!;
  if (suffix === 'c') return { spec: m[1]!, unit: 'bytes' };
  if (suffix === 'l' || suffix === '') return { spec: m[1]!, unit: 'lines' };
  return { spec: m[1]! + suffix, unit: 'bytes' };
}

async function parseAmount(t: Tool, parsed: ParsedArgs, signChar: '-' | '+', obsolete?: { spec: string; unit: Amount['unit'] }): Promise<Amount | number> {
  let amount: Amount = { unit: 'lines', count: 10, inverted: false };
  const specs: { spec: string; unit: Amount['unit'] }[] = obsolete ? [obsolete] : [];
  for (const o of parsed.options) {
    if (o.key === 'n' || o.key === 'c') specs.push({ spec: o.value ?? '', unit: o.key === 'n' ? 'lines' : 'bytes' });
  }
  for (const { spec, unit } of specs) {
    // Both drop a leading '-' before reporting the number; '+' stays part of it.
    const text = spec.startsWith('-') ? spec.slice(1) : spec;
    const inverted = spec.startsWith(signChar);
    const count = parseCount(text.startsWith('+') ? text.slice(1) : text);
    if (count === undefined) {
      await t.warn(`invalid number of ${unit}: ${quote(text)}`);
      return 1;
    }
    amount = { unit, count, inverted };
  }
  return amount;
}

function headerFlag(parsed: ParsedArgs, files: number): boolean {
  let show = files > 1;
  for (const o of parsed.options) {
    if (o.key === 'q') show = false;
    if (o.key === 'v') show = true;
  }
  return show;
}

/** The offset where the last `n` lines of `data` begin. */
function lastLinesStart(data: Uint8Array, n: number): number {
  if (n === 0) return data.length;
  let pos = data.length;
  if (pos > 0 && data[pos - 1] === 10) pos--;
  for (let seen = 0; pos > 0; pos--) {
    if (data[pos - 1] === 10 && ++seen === n) return pos;
  }
  return 0;
}

/** The offset just after the first `n` lines of `data` (its length if it has fewer). */
function firstLinesEnd(data: Uint8Array, n: number): number {
  let pos = 0;
  for (let seen = 0; seen < n; seen++) {
    const nl = data.indexOf(10, pos);
    if (nl < 0) return data.length;
    pos = nl + 1;
  }
  return pos;
}

export async function head(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'head', HEAD_HELP);
  const obsolete = obsoleteAmount(argv[1]);
  const parsed = await t.parse(obsolete ? [argv[0]!, ...argv.slice(2)] : argv, 'c:n:qvz', LONGS);
  if (typeof parsed === 'number') return parsed;
  const amount = await parseAmount(t, parsed, '-', obsolete);
  if (typeof amount === 'number') return amount;
  const files = parsed.operands.length ? parsed.operands : ['-'];
  const headers = headerFlag(parsed, files.length);
  let first = true;
  for (const file of files) {
    let fd: number;
    try {
      fd = await openInput(p, file);
    } catch (e) {
      await t.error(`cannot open ${quoteAlways(file)} for reading: ${errorText(e)}`);
      continue;
    }
    if (headers) await p.out(`${first ? '' : '\n'}==> ${inputName(file)} <==\n`);
    first = false;
    try {
      await headOne(p, fd, amount);
    } catch (e) {
      await t.error(`error reading ${quoteAlways(inputName(file))}: ${errorText(e)}`);
    } finally {
      await closeInput(p, fd);
    }
  }
  return t.status;
}

async function headOne(p: Proc, fd: number, amount: Amount): Promise<void> {
  if (amount.inverted) {
    const data = await p.readAll(fd);
    const end = amount.unit === 'bytes' ? Math.max(0, data.length - amount.count) : lastLinesStart(data, amount.count);
    if (end > 0) await p.write(1, data.subarray(0, end));
    return;
  }
  // Stream, and stop reading once done: `yes | head -n 3` must end.
  let left = amount.count;
  while (left > 0) {
    const chunk = await p.read(fd, 65536);
    if (chunk.length === 0) break;
    let end: number;
    if (amount.unit === 'bytes') {
      end = Math.min(left, chunk.length);
      left -= end;
    } else {
      end = 0;
      while (left > 0) {
        const nl = chunk.indexOf(10, end);
        if (nl < 0) { end = chunk.length; break; }
        end = nl + 1;
        left--;
      }
    }
    await p.write(1, chunk.subarray(0, end));
  }
}

export async function tail(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'tail', TAIL_HELP);
  const obsoleteAllowed = argv.length === 2 || (argv.length === 3 && !(argv[2]!.startsWith('-') && argv[2]!.length > 1));
  const obsolete = obsoleteAllowed ? obsoleteAmount(argv[1]) : undefined;
  const parsed = await t.parse(obsolete ? [argv[0]!, ...argv.slice(2)] : argv, 'c:n:fFqs:vz', TAIL_LONGS);
  if (typeof parsed === 'number') return parsed;
  const amount = await parseAmount(t, parsed, '+', obsolete);
  if (typeof amount === 'number') return amount;
  const follow = parsed.options.some((o) => o.key === 'f' || o.key === 'F');
  let intervalNs = 1e9;
  for (const o of parsed.options) {
    if (o.key !== 's') continue;
    const seconds = Number(o.value);
    if (!/^\d*\.?\d+$/.test(o.value ?? '') || !Number.isFinite(seconds)) {
      await t.warn(`invalid number of seconds: ${quote(o.value ?? '')}`);
      return 1;
    }
    intervalNs = seconds * 1e9;
  }
  const files = parsed.operands.length ? parsed.operands : ['-'];
  const headers = headerFlag(parsed, files.length);
  const followed: { file: string; fd: number }[] = [];
  let first = true;
  for (const file of files) {
    let fd: number;
    try {
      fd = await openInput(p, file);
    } catch (e) {
      await t.error(`cannot open ${quoteAlways(file)} for reading: ${errorText(e)}`);
      continue;
    }
    if (headers) await p.out(`${first ? '' : '\n'}==> ${inputName(file)} <==\n`);
    first = false;
    let ok = true;
    try {
      const data = await p.readAll(fd);
      const start = amount.unit === 'bytes'
        ? (amount.inverted ? Math.max(0, amount.count - 1) : Math.max(0, data.length - amount.count))
        : (amount.inverted ? firstLinesEnd(data, Math.max(0, amount.count - 1)) : lastLinesStart(data, amount.count));
      if (start < data.length) await p.write(1, data.subarray(start));
    } catch (e) {
      ok = false;
      await t.error(`error reading ${quoteAlways(inputName(file))}: ${errorText(e)}`);
    }
    if (follow && ok && file !== '-') followed.push({ file, fd });
    else await closeInput(p, fd);
  }
  if (followed.length) await followFiles(p, followed, headers, intervalNs);
  return t.status;
}

/** tail -f: print what is appended, until a signal ends the program. */
async function followFiles(p: Proc, files: { file: string; fd: number }[], headers: boolean, intervalNs: number): Promise<never> {
  let last = files[files.length - 1]!.file;
  for (;;) {
    await p.sleep(intervalNs);
    for (const { file, fd } of files) {
      const parts: Uint8Array[] = [];
      for (let chunk = await p.read(fd); chunk.length; chunk = await p.read(fd)) parts.push(chunk);
      if (!parts.length) continue;
      if (headers && file !== last) await p.out(`\n==> ${file} <==\n`);
      last = file;
      await p.write(1, concatBytes(parts));
    }
  }
}
