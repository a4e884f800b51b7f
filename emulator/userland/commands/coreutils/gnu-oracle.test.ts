// Differential tests against the host's GNU tools (coreutils 9, grep 3) in the C locale.
// Opt-in, since they need a Linux host with those tools: DRIVERLAB_GNU_ORACLE=1 npx vitest run ...
import { it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { FakeSystem, run } from './fake-proc.js';
import { printf } from './printf.js';
import { sort } from './sort.js';
import { grep } from './grep.js';
import { tr } from './tr.js';
import { seq } from './misc.js';
import { wc } from './wc.js';
import { cut } from './cut.js';
import type { Program } from '../../libc.js';
import { head, tail } from './headtail.js';
import { uniq } from './uniq.js';
import { echo } from './printf.js';
import { test as testCmd } from './testcmd.js';
import { basename, dirname } from './misc.js';
import { sed } from './sed.js';

const host = (cmd: string, args: string[], input = '') => {
  const r = spawnSync(cmd, args, { input, env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' } });
  return { out: r.stdout.toString('latin1'), err: r.stderr.toString().replaceAll(`/usr/bin/${cmd}`, cmd), status: r.status };
};
const mine = async (main: Program, name: string, args: string[], input = '') => {
  const r = await run(new FakeSystem(), main, [name, ...args], { stdin: input ? [input] : [] });
  return { out: Buffer.from(r.proc.stdoutBytes()).toString('latin1'), err: r.err, status: r.status };
};

const cases: [Program, string, string[], string?][] = [];
// Floats are doubles here, long doubles in GNU printf: a decimal tie that neither represents
// exactly can round differently in the last digit (e.g. %.3E of 0.000012345), so none is used.
const nums = ['0', '1', '-1', '3.14159', '2.5', '1e10', '123456789', '0.000012346', '-0.5', '99.995', '1e-300', '0x1A', '077', 'inf'];
const fmts = ['%d', '%5d', '%-5d|', '%05d', '%+d', '% d', '%x', '%#X', '%o', '%#o', '%u', '%.3d', '%f', '%.2f', '%10.4f', '%e', '%.3E', '%g', '%G', '%.3g', '%#g', '%10g|', '%-10.2e|', '%08.3f', '%+.1e', '%i'];
for (const f of fmts) for (const n of nums) cases.push([printf, 'printf', [f + '\n', n]]);
for (const f of ['%s|%5s|%-5s|%.2s|%c|%b|%q', '\\x41\\101\\n\\t\\\\%%', '%s %s %s\n', '%b\n']) cases.push([printf, 'printf', [f, 'abc', 'd\\te', "it's", 'x y', 'z']]);
const sortInput = 'b 2 x\na 10 y\nB 1 z\na 2 x\n  c 3 w\nA 10 y\nb\n\n-1 0 q\n1e3 5 r\n';
for (const args of [[], ['-n'], ['-r'], ['-f'], ['-u'], ['-k2'], ['-k2n'], ['-k2,2n', '-k1,1'], ['-k3', '-r'], ['-b', '-k1'], ['-t', ' ', '-k2n'], ['-k1.2'], ['-k1,1', '-u'], ['-fu'], ['-g'], ['-h'], ['-s', '-k2n'], ['-k2nr'], ['-d'], ['-M']]) cases.push([sort, 'sort', args, sortInput]);
const grepInput = 'hello world\nfoo bar\nHello again\nabc123\na+b\n(x)\n{1}\nfoofoo\n$5.00\n^up\n';
for (const pat of ['hel*o', 'a+b', 'a\\+b', '\\(foo\\)\\1', 'o\\{2\\}', '^[[:upper:]]', '[^a-z ]', '\\<foo', 'o\\b', '[.]', '\\$5', '^^', '\\^up', '(x)', '\\(x\\)', '{1}', 'x*', '[]a]', '[a-c]\\{3\\}', 'foo\\|bar$', '.*']) {
  cases.push([grep, 'grep', ['-n', pat], grepInput]);
  cases.push([grep, 'grep', ['-E', '-o', pat], grepInput]);
}
for (const args of [['-c', 'o'], ['-v', 'o'], ['-w', 'foo'], ['-x', 'foo bar'], ['-i', 'HELLO'], ['-F', 'a+b'], ['-m', '2', 'o'], ['-A1', 'foo'], ['-B2', 'abc'], ['-C1', 'x'], ['-ob', 'o'], ['-e', 'foo', '-e', 'abc']]) cases.push([grep, 'grep', args, grepInput]);
for (const args of [['a-z', 'A-Z'], ['-d', 'aeiou'], ['-s', ' '], ['-c', 'a-z\\n', '_'], ['[:lower:]', '[:upper:]'], ['a-f', 'x'], ['-ds', 'l', 'o'], ['abc', '[x*]'], ['a-z', '[n*13][a*]'], ['-t', 'abcdef', 'xy']]) cases.push([tr, 'tr', args, 'hello   world foo\nabc def\n']);
for (const args of [['5'], ['0'], ['2', '3', '11'], ['-1', '-0.25', '-2'], ['1.5', '4'], ['-w', '1', '100', '1000'], ['-s', ' ', '1', '5'], ['0.1', '0.3', '1.0'], ['1', '1e1'], ['-f', '%.2e', '1', '3']]) cases.push([seq, 'seq', args]);
for (const args of [[], ['-l'], ['-w'], ['-c'], ['-m'], ['-L'], ['-lw']]) cases.push([wc, 'wc', args, 'one two\nthree\tfour  five\n\nlast line no newline']);
for (const args of [['-f2'], ['-d', ' ', '-f1,3'], ['-c', '2-4,6'], ['-d', ' ', '-f', '2-'], ['-s', '-d', ':', '-f1'], ['-b', '-3'], ['--complement', '-c', '2-3']]) cases.push([cut, 'cut', args, 'a\tb\tc\nx y z w\nno:delims here\n123456789\n']);

const text = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12';
for (const args of [[], ['-n', '3'], ['-3'], ['-n', '-4'], ['-c', '7'], ['-c', '-5'], ['-n', '0'], ['-n', '1k'], ['-c', '1b'], ['-n', 'abc'], ['-q', '-n1'], ['-v', '-n1']]) cases.push([head, 'head', args, text]);
for (const args of [[], ['-n', '3'], ['-3'], ['-n', '+4'], ['-c', '7'], ['-c', '+5'], ['-n', '0'], ['-n', '+0'], ['-n', 'x'], ['-v', '-n1']]) cases.push([tail, 'tail', args, text]);
for (const args of [[], ['-c'], ['-d'], ['-u'], ['-i'], ['-D'], ['-f', '1'], ['-s', '2'], ['-w', '2'], ['-ci']]) cases.push([uniq, 'uniq', args, 'a x\nA x\nb x\nb y\nab\nac\nac\n']);
for (const args of [['-e', 'a\\tb\\101\\0101\\x41'], ['-n', 'x'], ['-e', '\\c', 'y'], ['-E', 'a\\n'], ['-e', '\\e[0m|\\v'], ['-', 'a'], ['-ee', 'x\\\\y']]) cases.push([echo, 'echo', args]);
for (const args of [['1', '-lt', '2'], ['abc', '=', 'abc', '-a', '-n', 'x'], ['!', '1', '-eq', '1'], ['(', '1', '-eq', '1', ')', '-o', 'x'], ['-l', 'ab', '-gt', '1'], ['1', '-eq', '-l', 'a'], ['x', '-o'], ['(', 'x'], ['1', '-eq', '1', ']'], ['-n'], ['=', '='], ['!', '=', '='], ['a', '-a', '!', ''], ['99999999999999999999', '-gt', '1'], ['1', '-ge', '+1'], ['-', '=', '-']]) cases.push([testCmd, 'test', args]);
for (const args of [['/a/b/'], ['//'], ['a//b'], ['-a', 'x/y', '/z'], ['-s', '.h', 'x.h', 'y.h'], ['abc', 'bc'], ['abc', 'abc'], ['']]) cases.push([basename, 'basename', args]);
for (const args of [['/a/b/'], ['//'], ['a//b'], ['a'], ['/'], ['//a//b//'], ['']]) cases.push([dirname, 'dirname', args]);

const sedInput = 'one\ntwo\nthree\n#ifdef CONFIG_X\n\tfoo();\n#endif\nlast line\n';
for (const args of [['s/o/0/'], ['s/o/0/g'], ['s/o/0/2'], ['-n', 's/t\\(.\\)/[\\1]/p'], ['-E', 's/(t)(w|h)/\\2\\1/'], ['s/e/&&/g'], ['2d'], ['$d'],
  ['/two/,/CONFIG/d'], ['2,+2d'], ['0~2d'], ['-n', '/t/!p'], ['/two/a\\\n  added'], ['/two/a\\  indented'], ['/two/a plain'], ['2,3c\\\nchanged'],
  ['/#endif/i\\\n#ifdef CONFIG_MY_DEVICE\\\n\tmy_device_init();\\\n#endif'], ['='], ['N;P;D'], ['$!N;s/\\n/ /'], ['h;G'], ['y/abc/xyz/'], ['2q'], ['3q5'],
  ['/two/{s/w/W/;p}'], [':a;N;$!ba;s/\\n/,/g'], ['s|/|:|g'], ['s/x*/-/g'], ['l'], ['0,/two/d'], ['s/a'], ['s/a/b/q'], ['{p'], ['b foo'], ['0p']]) cases.push([sed, 'sed', args, sedInput]);

it.skipIf(!process.env.DRIVERLAB_GNU_ORACLE)('matches GNU', async () => {
  let failures = 0;
  for (const [main, name, args, input] of cases) {
    const h = host(name, args, input ?? '');
    const m = await mine(main, name, args, input ?? '');
    if (h.out !== m.out || h.status !== m.status || h.err !== m.err) {
      failures++;
      console.log(JSON.stringify({ name, args, input: input?.slice(0, 20), host: h, mine: m }));
    }
  }
  console.log(`cases ${cases.length}, failures ${failures}`);
  expect(failures).toBe(0);
}, 120000);
