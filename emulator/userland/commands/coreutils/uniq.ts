// uniq: report or omit repeated adjacent lines.
import type { Proc } from '../../libc.js';
import { O_CREAT, O_TRUNC, O_WRONLY } from '../../libc.js';
import { Tool, bytesToLatin1, closeInput, errorText, latin1ToBytes, openInput, quote, quoteIfNeeded, splitLines } from './common.js';

const HELP = `Usage: PROG [OPTION]... [INPUT [OUTPUT]]
Filter adjacent matching lines from INPUT (or standard input),
writing to OUTPUT (or standard output).

With no options, matching lines are merged to the first occurrence.

  -c, --count           prefix lines by the number of occurrences
  -d, --repeated        only print duplicate lines, one for each group
  -D                    print all duplicate lines
  -f, --skip-fields=N   avoid comparing the first N fields
  -i, --ignore-case     ignore differences in case when comparing
  -s, --skip-chars=N    avoid comparing the first N characters
  -u, --unique          only print unique lines
  -w, --check-chars=N   compare no more than N characters in lines
      --help        display this help and exit
      --version     output version information and exit
`;

export async function uniq(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'uniq', HELP);
  const parsed = await t.parse(argv, 'cdDf:is:uw:z', [
    { name: 'count', key: 'c' },
    { name: 'repeated', key: 'd' },
    { name: 'all-repeated', key: 'D', arg: 'optional' },
    { name: 'skip-fields', key: 'f', arg: 'required' },
    { name: 'ignore-case', key: 'i' },
    { name: 'skip-chars', key: 's', arg: 'required' },
    { name: 'unique', key: 'u' },
    { name: 'check-chars', key: 'w', arg: 'required' },
  ]);
  if (typeof parsed === 'number') return parsed;
  const keys = new Set(parsed.options.map((o) => o.key));
  const number = async (key: string, what: string): Promise<number | undefined> => {
    const value = parsed.options.filter((o) => o.key === key).pop()?.value;
    if (value === undefined) return 0;
    if (!/^\d+$/.test(value)) { await t.warn(`${quote(value)}: invalid number of ${what}`); return undefined; }
    return Number(value);
  };
  const skipFields = await number('f', 'fields to skip');
  const skipChars = await number('s', 'bytes to skip');
  const checkChars = await number('w', 'bytes to compare');
  if (skipFields === undefined || skipChars === undefined || checkChars === undefined) return 1;
  const [input = '-', output, extra] = parsed.operands;
  if (extra !== undefined) return t.usage(`extra operand ${quote(extra)}`);
  if (keys.has('c') && keys.has('D')) return t.usage('printing all duplicated lines and repeat counts is meaningless');

  let text: string;
  let fd: number;
  try {
    fd = await openInput(p, input);
  } catch (e) {
    await t.warn(`${quoteIfNeeded(input)}: ${errorText(e)}`);
    return 1;
  }
  try {
    text = bytesToLatin1(await p.readAll(fd));
  } catch (e) {
    await t.warn(`${quoteIfNeeded(input)}: ${errorText(e)}`);
    return 1;
  } finally {
    await closeInput(p, fd);
  }

  const key = (line: string) => {
    let s = line;
    for (let k = 0; k < skipFields; k++) s = s.replace(/^[ \t]*[^ \t]*/, '');
    s = s.slice(skipChars);
    if (parsed.options.some((o) => o.key === 'w')) s = s.slice(0, checkChars);
    return keys.has('i') ? s.toLowerCase() : s;
  };
  const lines = splitLines(text);
  let out = '';
  for (let i = 0; i < lines.length;) {
    let j = i + 1;
    while (j < lines.length && key(lines[j]!) === key(lines[i]!)) j++;
    const count = j - i;
    const show = keys.has('d') || keys.has('D') ? count > 1 : keys.has('u') ? count === 1 : true;
    if (show && !(keys.has('u') && keys.has('d'))) {
      if (keys.has('D')) out += lines.slice(i, j).map((l) => l + '\n').join('');
      else out += (keys.has('c') ? `${String(count).padStart(7)} ` : '') + lines[i] + '\n';
    }
    i = j;
  }
  const bytes = latin1ToBytes(out);
  if (output === undefined) {
    await p.write(1, bytes);
    return 0;
  }
  try {
    const ofd = await p.open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o666);
    try { if (bytes.length) await p.write(ofd, bytes); } finally { await p.close(ofd); }
  } catch (e) {
    await t.warn(`${quoteIfNeeded(output)}: ${errorText(e)}`);
    return 1;
  }
  return 0;
}
