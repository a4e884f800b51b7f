// Fuzzing through the real machine's shell, as a learner types: generated command lines for
// stty, arithmetic, globs and parameter expansions, test/[ and insmod's arguments, each run by
// `sh FILE` in one booted machine. Every line ends with an exit status and whatever it printed;
// nothing leaks a JavaScript error, and the machine keeps running to the last line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSh } from '../helpers/machine.js';
import { isClearMessage, runs, SEED, soup } from './harness.js';

const STTY = soup(['rows', 'cols', 'columns', 'size', 'sane', 'raw', '-raw', 'cooked', 'echo', '-echo', 'icanon', '-icanon', 'isig', '-isig',
  'erase', 'intr', 'kill', '^C', '^?', '^-', 'undef', 'min', 'time', 'speed', '-a', '-g', '--all', '-F', '/dev/null', '0', '1', '80',
  '99999999999', '-1', 'x', '--', '-', ' ', ' ', ' '], 8);

const ARITH = soup(['1', '2', '0x1f', '08', '9223372036854775807', 'a', 'n', '+', '-', '*', '/', '%', '**', '<<', '>>', '&&', '||', '?', ':',
  '=', '+=', '++', '--', '(', ')', ',', ' ', '!', '~', '2#10', '64#@', '#'], 10);

const WORD = soup(['*', '?', '[a-z]', '[!a]', '[', ']', '*.c', 'dir/*', '.*', '${x}', '${x#h}', '${x%%l*}', '${x:-d}', '${x:=v}', '${y:?unset}',
  '${#x}', '${x:1:2}', '${x/l/L}', '$x', '"$x"', "'", '"', '\\', ' ', '~', '$(echo hi)', '`echo hi`', '$((1+1))', '{a,b}', 'a'], 8);

const TEST = soup(['[', ']', '-f', '-d', '-z', '-n', '=', '!=', '-eq', '-lt', '-gt', '!', '(', ')', '-a', '-o', '1', 'a', '""', 'hello.c', ' '], 10);

/** Single-quoted for sh: the text exactly, whatever it holds. */
const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

describe('command lines typed into the machine\'s shell', () => {
  it('each runs or fails with a message and a status, and the machine runs every one', async () => {
    const n = runs(40);
    const lines = [
      ...fc.sample(STTY, { seed: SEED, numRuns: n }).map((a) => `stty ${a}; s=$?; stty sane; exit $s`),
      ...fc.sample(ARITH, { seed: SEED + 1, numRuns: n }).map((e) => `a=3; n=n; echo $((${e}))`),
      ...fc.sample(WORD, { seed: SEED + 2, numRuns: n }).map((w) => `x=hello; echo ${w}`),
      ...fc.sample(TEST, { seed: SEED + 3, numRuns: n }).map((t) => `test ${t}; [ ${t} ]`),
      ...fc.sample(soup(['io=', 'irq=', '0x300', '5', ',', '"', 'name=', 'x', ' ', '=', '-1', 'y'], 6), { seed: SEED + 4, numRuns: n }).map((a) => `insmod /nonexistent.ko ${a}`),
    ];
    const files: Record<string, string> = { 'hello.c': 'int main(void) { return 0; }\n', 'dir/a.c': '', 'dir/b.h': '' };
    lines.forEach((line, i) => { files[`cases/${String(i).padStart(4, '0')}`] = `${line}\n`; });
    const r = await runSh('for f in cases/*; do echo "== $f"; sh "$f" 2>&1; echo "rc=$?"; done 2>&1; stty sane; echo done', { files });
    const cases = r.output.replace(/done\n$/, '').split(/^== /m).slice(1);
    if (cases.length !== lines.length) console.log(r.output.slice(0, 3000));
    expect(cases.length).toBe(lines.length);
    cases.forEach((text, i) => {
      const status = /rc=(\d+)\n$/.exec(text);
      expect(status, `${quote(lines[i]!)} gave no status:\n${text}`).not.toBeNull();
      expect(isClearMessage(text.trim()) || text.trim().startsWith('cases/'), `${quote(lines[i]!)}:\n${text}`).toBe(true);
    });
    expect(r.output.trimEnd().endsWith('done')).toBe(true);
  }, 120_000);
});
