// cut: selected bytes, characters or fields of each line. Like GNU cut, -c counts bytes.
import type { Proc } from '../../libc.js';
import { Tool, bytesToLatin1, closeInput, concatBytes, encodeUtf8, errorText, latin1ToBytes, openInput, quote, quoteIfNeeded, readLines, type LongOption } from './common.js';

const HELP = `Usage: PROG OPTION... [FILE]...
Print selected parts of lines from each FILE to standard output.

With no FILE, or when FILE is -, read standard input.

  -b, --bytes=LIST        select only these bytes
  -c, --characters=LIST   select only these characters
  -d, --delimiter=DELIM   use DELIM instead of TAB for field delimiter
  -f, --fields=LIST       select only these fields;  also print any line
                            that contains no delimiter character, unless
                            the -s option is specified
  -n                      (ignored)
      --complement        complement the set of selected bytes, characters
                            or fields
  -s, --only-delimited    do not print lines not containing delimiters
      --output-delimiter=STRING  use STRING as the output delimiter
                            the default is to use the input delimiter
      --help        display this help and exit
      --version     output version information and exit

Each LIST is made up of one range, or many ranges separated by commas.
Selected input is written in the same order that it is read, and is written
exactly once.  Each range is one of:

  N     N'th byte, character or field, counted from 1
  N-    from N'th byte, character or field, to end of line
  N-M   from N'th to M'th (included) byte, character or field
  -M    from first to M'th (included) byte, character or field
`;

const LONGS: LongOption[] = [
  { name: 'bytes', key: 'b', arg: 'required' },
  { name: 'characters', key: 'c', arg: 'required' },
  { name: 'delimiter', key: 'd', arg: 'required' },
  { name: 'fields', key: 'f', arg: 'required' },
  { name: 'complement', key: 'complement' },
  { name: 'only-delimited', key: 's' },
  { name: 'output-delimiter', key: 'output-delimiter', arg: 'required' },
];

interface Range { lo: number; hi: number }

class ListError extends Error {}

/** Parses "1,3-5,7-" into sorted, merged 1-based ranges (hi = Infinity for "N-"). */
export function parseList(list: string, fields: boolean): Range[] {
  const ranges: Range[] = [];
  for (const part of list.split(/[,\s]/)) {
    const m = /^(\d*)(-?)(\d*)$/.exec(part);
    if (!m || part === '') {
      throw new ListError(fields ? `invalid field value ${quote(part)}` : `invalid byte/character position ${quote(part)}`);
    }
    const [, from, dash, to] = m;
    const numberedFromOne = fields ? 'fields are numbered from 1' : 'byte/character positions are numbered from 1';
    if (!dash) {
      const n = Number(from);
      if (n === 0) throw new ListError(numberedFromOne);
      ranges.push({ lo: n, hi: n });
      continue;
    }
    if (!from && !to) throw new ListError('invalid range with no endpoint: -');
    const lo = from ? Number(from) : 1;
    const hi = to ? Number(to) : Infinity;
    if (lo === 0 || (to && Number(to) === 0)) throw new ListError(numberedFromOne);
    if (hi < lo) throw new ListError('invalid decreasing range');
    ranges.push({ lo, hi });
  }
  ranges.sort((a, b) => a.lo - b.lo);
  const merged: Range[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.lo <= last.hi + 1) last.hi = Math.max(last.hi, r.hi);
    else merged.push({ ...r });
  }
  return merged;
}

function complementRanges(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 1;
  for (const r of ranges) {
    if (r.lo > next) out.push({ lo: next, hi: r.lo - 1 });
    next = r.hi + 1;
  }
  if (next !== Infinity) out.push({ lo: next, hi: Infinity });
  return out;
}

const selected = (ranges: readonly Range[], n: number) => ranges.some((r) => n >= r.lo && n <= r.hi);

export async function cut(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'cut', HELP);
  const parsed = await t.parse(argv, 'b:c:d:f:nsz', LONGS);
  if (typeof parsed === 'number') return parsed;
  let list: string | undefined;
  let mode: 'bytes' | 'fields' | undefined;
  let delimiter: string | undefined;
  let outputDelimiter: string | undefined;
  let onlyDelimited = false, complement = false;
  for (const o of parsed.options) {
    if (o.key === 'b' || o.key === 'c' || o.key === 'f') {
      if (mode) return t.usage('only one list may be specified');
      mode = o.key === 'f' ? 'fields' : 'bytes';
      list = o.value!;
    } else if (o.key === 'd') {
      delimiter = bytesToLatin1(encodeUtf8(o.value!));
      if (delimiter.length > 1) return t.usage('the delimiter must be a single character');
    } else if (o.key === 's') onlyDelimited = true;
    else if (o.key === 'complement') complement = true;
    else if (o.key === 'output-delimiter') outputDelimiter = bytesToLatin1(encodeUtf8(o.value!));
  }
  if (!mode || list === undefined) return t.usage('you must specify a list of bytes, characters, or fields');
  if (mode === 'bytes' && delimiter !== undefined) return t.usage('an input delimiter may be specified only when operating on fields');
  if (mode === 'bytes' && onlyDelimited) return t.usage('suppressing non-delimited lines makes sense\n\tonly when operating on fields');
  let ranges: Range[];
  try {
    ranges = parseList(list, mode === 'fields');
  } catch (e) {
    if (e instanceof ListError) return t.usage(e.message);
    throw e;
  }
  if (complement) ranges = complementRanges(ranges);
  const delim = delimiter === '' ? '\0' : delimiter ?? '\t';

  const cutLine = (line: string): string | undefined => {
    if (mode === 'bytes') {
      const pieces = ranges.filter((r) => r.lo <= line.length).map((r) => line.slice(r.lo - 1, r.hi === Infinity ? undefined : r.hi));
      return pieces.join(outputDelimiter ?? '');
    }
    if (!line.includes(delim)) return onlyDelimited ? undefined : line;
    const fields = line.split(delim);
    return fields.filter((_, i) => selected(ranges, i + 1)).join(outputDelimiter ?? delim);
  };

  // Like stdio: whole lines at a time to a terminal, big blocks to pipes and files.
  const flushAt = p.isatty(1) ? 1 : 65536;
  for (const file of parsed.operands.length ? parsed.operands : ['-']) {
    let fd: number;
    try {
      fd = await openInput(p, file);
    } catch (e) {
      await t.error(`${quoteIfNeeded(file)}: ${errorText(e)}`);
      continue;
    }
    try {
      const out: Uint8Array[] = [];
      let size = 0;
      for await (const line of readLines(p, fd)) {
        const result = cutLine(bytesToLatin1(line.bytes));
        if (result === undefined) continue;
        const bytes = latin1ToBytes(result + '\n');
        out.push(bytes);
        size += bytes.length;
        if (size >= flushAt) { await p.write(1, concatBytes(out)); out.length = 0; size = 0; }
      }
      if (out.length) await p.write(1, concatBytes(out));
    } catch (e) {
      await t.error(`${quoteIfNeeded(file)}: ${errorText(e)}`);
    } finally {
      await closeInput(p, fd);
    }
  }
  return t.status;
}
