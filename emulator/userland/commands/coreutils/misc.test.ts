import { describe, expect, it } from 'vitest';
import { FakeSystem, FAKE_EPOCH_NS, run } from './fake-proc.js';
import { echo, printf } from './printf.js';
import { bracket, test } from './testcmd.js';
import { basename, dirname, env, falseCommand, parseInterval, printenv, pwd, seq, sleep, trueCommand, yes } from './misc.js';
import { date, parseDate, strftime } from './date.js';
import { getopt, humanSize, quoteAlways, quoteIfNeeded } from './common.js';
import { COREUTILS } from './index.js';

const sys = () => new FakeSystem();

describe('printf', () => {
  const pf = async (...args: string[]) => run(sys(), printf, ['printf', ...args]);

  it('formats strings, integers and floats with widths and precision', async () => {
    expect((await pf('%s-%d|%5s|%-5s|%05d|%x|%X|%o|%c|%.2f|%%\n', 'abc', '42', 'ab', 'cd', '42', '255', '255', '8', 'xyz', '3.14159')).out)
      .toBe('abc-42|   ab|cd   |00042|ff|FF|10|x|3.14|%\n');
    expect((await pf('%e %g %g %g %G\n', '12345.678', '0.0001', '123456789', '100', '1e-10')).out).toBe('1.234568e+04 0.0001 1.23457e+08 100 1E-10\n');
    expect((await pf('%10.3e|%-8.2f|%+d|% d\n', '3.14159', '2.5', '5', '5')).out).toBe(' 3.142e+00|2.50    |+5| 5\n');
    expect((await pf('%u %x\n', '-1', '-1')).out).toBe('18446744073709551615 ffffffffffffffff\n');
    expect((await pf('%5.2s|%#o %#x|%i|%.3d\n', 'abcdef', '8', '255', '0x1F', '7')).out).toBe('   ab|010 0xff|31|007\n');
    expect((await pf('%*d|%-*d|\n', '5', '1', '4', '2')).out).toBe('    1|2   |\n');
    expect((await pf('%g %g\n', '0.00001234', '1234567')).out).toBe('1.234e-05 1.23457e+06\n');
    expect((await pf('%q\n', 'a b')).out).toBe("'a b'\n");
    expect((await pf('%d\n', "'A")).out).toBe('65\n');
    expect((await pf('%.0f %.0f %.0f %.2f %.0e %.0e %g\n', '0.5', '1.5', '2.5', '0.125', '2.5', '9.5', '2.5')).out).toBe('0 2 2 0.12 2e+00 1e+01 2.5\n');
    expect((await pf('%c|', '')).out).toBe('\0|');
  });

  it('reuses the format for extra arguments and fills missing ones', async () => {
    expect((await pf('%s\n', 'a', 'b', 'c')).out).toBe('a\nb\nc\n');
    expect((await pf('%d %d\n', '1', '2', '3')).out).toBe('1 2\n3 0\n');
    const extra = await pf('x\n', 'extra');
    expect(extra.out).toBe('x\n');
    expect(extra.err).toBe("printf: warning: ignoring excess arguments, starting with 'extra'\n");
  });

  it('interprets escapes, with \\NNN in the format and \\0NNN in %b', async () => {
    expect((await pf('\\101\\0101\\x41\\n')).out).toBe('A\b1A\n');
    expect((await pf('%b\n', '\\0101\\101')).out).toBe('AA\n');
    expect((await pf('a\\cb')).out).toBe('a');
    expect((await pf('%b|after\n', 'x\\cy')).out).toBe('x');
    expect((await pf('\\t|\\\\|\\"\n')).out).toBe('\t|\\|"\n');
  });

  it('reports conversion errors like GNU and keeps going', async () => {
    const r = await pf('%d\n', 'abc', '12abc', '99999999999999999999');
    expect(r.out).toBe('0\n12\n9223372036854775807\n');
    expect(r.err).toBe("printf: 'abc': expected a numeric value\nprintf: '12abc': value not completely converted\nprintf: '99999999999999999999': Numerical result out of range\n");
    expect(r.status).toBe(1);
    const bad = await pf('%z');
    expect(bad.err).toBe('printf: %z: invalid conversion specification\n');
    expect(bad.status).toBe(1);
    const none = await pf();
    expect(none.err).toBe("printf: missing operand\nTry 'printf --help' for more information.\n");
    expect(none.status).toBe(1);
  });
});

describe('echo', () => {
  const e = async (...args: string[]) => (await run(sys(), echo, ['echo', ...args])).out;

  it('prints arguments, with -n and -e as GNU echo reads them', async () => {
    expect(await e('hello', 'world')).toBe('hello world\n');
    expect(await e('-n', 'hi')).toBe('hi');
    expect(await e('-e', 'a\\tb\\n\\x41\\0101\\c', 'more')).toBe('a\tb\nAA');
    expect(await e('-e', '\\x')).toBe('\\x\n');
    expect(await e('--', '-n')).toBe('-- -n\n');
    expect(await e('-nx', 'a')).toBe('-nx a\n');
    expect(await e('a\\tb')).toBe('a\\tb\n');
    expect(await e('-E', '-e', 'a\\tb')).toBe('a\tb\n');
    expect(await e('-e', '-E', 'a\\tb')).toBe('a\\tb\n');
    expect(await e('--version')).toBe('echo (GNU coreutils) 9.4\n');
  });
});

describe('test and [', () => {
  const fs = () => {
    const s = sys();
    s.file('/home/user/f', 'x');
    s.file('/home/user/empty', '');
    s.mkdirs('/home/user/d', 1000);
    s.symlink('/home/user/l', 'f');
    s.device('/dev/my_device0', 125, 0);
    return s;
  };
  const t = async (...args: string[]) => run(fs(), test, ['test', ...args]);

  it('evaluates strings, integers and files', async () => {
    const cases: [string[], number][] = [
      [[], 1], [[''], 1], [['x'], 0], [['-n', ''], 1], [['-z', ''], 0], [['-z'], 0],
      [['1', '-eq', '1'], 0], [['5', '-gt', '10'], 1], [[' 5 ', '-eq', '5'], 0], [['-l', 'abc', '-eq', '3'], 0],
      [['a', '=', 'a'], 0], [['a', '!=', 'a'], 1], [['a', '==', 'a'], 0],
      [['-f', 'f', '-a', '-d', 'd'], 0], [['!', '-e', 'nofile'], 0], [['(', '-f', 'f', ')'], 0],
      [['-x'], 0], [['1', '-lt', '2', '-o', 'x', '=', 'y'], 0], [['-L', 'l'], 0], [['-h', 'f'], 1],
      [['f', '-nt', 'nofile'], 0], [['!'], 0], [['!', '!', 'x'], 0], [['-s', 'f'], 0], [['-s', 'empty'], 1],
      [['-c', '/dev/my_device0'], 0], [['-b', '/dev/my_device0'], 1], [['-r', 'f'], 0], [['-w', '/etc/passwd'], 1],
      [['-x', 'f'], 1], [['-O', 'f'], 0], [['-e', 'l'], 0], [['-t', '1'], 1],
    ];
    for (const [args, status] of cases) expect((await t(...args)).status, args.join(' ')).toBe(status);
  });

  it('reports syntax errors with status 2', async () => {
    const cases: [string[], string][] = [
      [['1', '-eq', 'a'], "test: invalid integer 'a'\n"],
      [['a', 'b'], "test: missing argument after 'b'\n"],
      [['a', 'b', 'c'], "test: 'b': binary operator expected\n"],
      [['(', '-f', 'f'], "test: '-f': binary operator expected\n"],
      [['a', '=', 'a', 'b'], "test: extra argument 'b'\n"],
      [['-q', 'x'], "test: '-q': unary operator expected\n"],
      [['(', ')'], "test: missing argument after ')'\n"],
      [['x', '-a'], "test: missing argument after '-a'\n"],
    ];
    for (const [args, err] of cases) {
      const r = await t(...args);
      expect(r.err, args.join(' ')).toBe(err);
      expect(r.status).toBe(2);
    }
  });

  it('[ needs its closing ]', async () => {
    const missing = await run(fs(), bracket, ['[', '1', '-eq', '1']);
    expect(missing.err).toBe("[: missing ']'\n");
    expect(missing.status).toBe(2);
    expect((await run(fs(), bracket, ['[', '1', '-eq', '1', ']'])).status).toBe(0);
    expect((await run(fs(), bracket, ['[', ']'])).status).toBe(1);
    expect((await run(fs(), bracket, ['[', '-d', 'd', ']'])).status).toBe(0);
  });
});

describe('true, false, sleep, yes', () => {
  it('true and false ignore their arguments', async () => {
    expect((await run(sys(), trueCommand, ['true', '--bogus'])).status).toBe(0);
    expect((await run(sys(), falseCommand, ['false'])).status).toBe(1);
  });

  it('sleep advances the clock by fractions and suffixes, summing arguments', async () => {
    const s = sys();
    const start = s.clockNs;
    expect((await run(s, sleep, ['sleep', '0.5', '1m'])).status).toBe(0);
    expect(s.clockNs - start).toBe(60.5e9);
    expect(parseInterval('2h')).toBe(7200);
    expect(parseInterval('.25')).toBe(0.25);
    expect(parseInterval('1x')).toBeUndefined();
  });

  it('sleep rejects bad intervals like GNU', async () => {
    const tryHelp = "Try 'sleep --help' for more information.\n";
    expect((await run(sys(), sleep, ['sleep', 'x'])).err).toBe(`sleep: invalid time interval 'x'\n${tryHelp}`);
    expect((await run(sys(), sleep, ['sleep'])).err).toBe(`sleep: missing operand\n${tryHelp}`);
    expect((await run(sys(), sleep, ['sleep', '-1'])).err).toBe(`sleep: invalid option -- '1'\n${tryHelp}`);
    expect((await run(sys(), sleep, ['sleep', 'x'])).status).toBe(1);
  });

  it('yes repeats its line until the reader goes away', async () => {
    const r = await run(sys(), yes, ['yes'], { stdoutLimit: 20000 });
    expect(r.out.length).toBe(16384);
    expect(r.out.startsWith('y\ny\n')).toBe(true);
    expect(r.status).toBe(1);
    const words = await run(sys(), yes, ['yes', 'a', 'b'], { stdoutLimit: 9000 });
    expect(words.out.slice(0, 8)).toBe('a b\na b\n');
  });
});

describe('seq', () => {
  const s = async (...args: string[]) => run(sys(), seq, ['seq', ...args]);

  it('counts like GNU seq', async () => {
    expect((await s('3')).out).toBe('1\n2\n3\n');
    expect((await s('2', '4')).out).toBe('2\n3\n4\n');
    expect((await s('1', '0.5', '2.5')).out).toBe('1.0\n1.5\n2.0\n2.5\n');
    expect((await s('-s,', '3')).out).toBe('1,2,3\n');
    expect((await s('-w', '8', '10')).out).toBe('08\n09\n10\n');
    expect((await s('5', '-2', '1')).out).toBe('5\n3\n1\n');
    expect((await s('-f', '%03g', '3')).out).toBe('001\n002\n003\n');
    expect((await s('-1', '1')).out).toBe('-1\n0\n1\n');
    expect((await s('0.1', '0.1', '0.3')).out).toBe('0.1\n0.2\n0.3\n');
    expect((await s('-w', '-1', '1')).out).toBe('-1\n00\n01\n');
    expect((await s('10', '1')).out).toBe('');
    expect((await s('-f', '%.0f', '0.5', '1', '3.5')).out).toBe('0\n2\n2\n4\n');
  });

  it('reports usage errors', async () => {
    const tryHelp = "Try 'seq --help' for more information.\n";
    expect((await s()).err).toBe(`seq: missing operand\n${tryHelp}`);
    expect((await s('1', '0', '3')).err).toBe(`seq: invalid Zero increment value: '0'\n${tryHelp}`);
    expect((await s('x')).err).toBe(`seq: invalid floating point argument: 'x'\n${tryHelp}`);
    expect((await s('1', '2', '3', '4')).err).toBe(`seq: extra operand '4'\n${tryHelp}`);
  });
});

describe('basename, dirname, pwd, env, printenv', () => {
  it('strips directories and suffixes', async () => {
    const out = async (main: typeof basename, ...args: string[]) => (await run(sys(), main, [main === basename ? 'basename' : 'dirname', ...args])).out;
    expect(await out(basename, '/usr/lib/')).toBe('lib\n');
    expect(await out(basename, 'a/b.c', '.c')).toBe('b\n');
    expect(await out(basename, '-s', '.c', 'a.c', 'b.c')).toBe('a\nb\n');
    expect(await out(basename, '.c', '.c')).toBe('.c\n');
    expect(await out(dirname, '/usr/lib/')).toBe('/usr\n');
    expect(await out(dirname, 'a')).toBe('.\n');
    expect(await out(dirname, '/')).toBe('/\n');
    expect((await run(sys(), basename, ['basename'])).err).toBe("basename: missing operand\nTry 'basename --help' for more information.\n");
    expect((await run(sys(), basename, ['basename', 'a', 'b', 'c'])).err).toBe("basename: extra operand 'c'\nTry 'basename --help' for more information.\n");
  });

  it('pwd prints the working directory', async () => {
    expect((await run(sys(), pwd, ['pwd'], { cwd: '/tmp' })).out).toBe('/tmp\n');
  });

  it('env prints and changes the environment, and runs commands', async () => {
    const base = { env: { A: '1', PATH: '/bin' } };
    expect((await run(sys(), env, ['env'], base)).out).toBe('A=1\nPATH=/bin\n');
    expect((await run(sys(), env, ['env', '-i', 'B=2'], base)).out).toBe('B=2\n');
    expect((await run(sys(), env, ['env', '-u', 'A', 'C=3'], base)).out).toBe('PATH=/bin\nC=3\n');
    const child = await run(sys(), env, ['env', 'X=42', 'printenv', 'X'], { ...base, programs: { printenv } });
    expect(child.out).toBe('42\n');
    const missing = await run(sys(), env, ['env', 'nonexist'], base);
    expect(missing.err).toBe("env: 'nonexist': No such file or directory\n");
    expect(missing.status).toBe(127);
  });
});

describe('date', () => {
  it('prints the machine time in GNU date\'s default format (UTC)', async () => {
    const s = sys();
    expect((await run(s, date, ['date'])).out).toBe('Wed Jan 15 10:30:00 UTC 2025\n');
    s.clockNs += 90e9;
    expect((await run(s, date, ['date', '+%H:%M:%S %s'])).out).toBe(`10:31:30 ${FAKE_EPOCH_NS / 1e9 + 90}\n`);
  });

  it('formats with strftime conversions and flags', () => {
    const jan15 = 1736937000e9;
    expect(strftime('%Y-%m-%d %H:%M:%S %s %j %e %a %A %b %B %p %I %u %w %V %U %W %D %T %R %F %Z %z %:z %-d %_m %^a %N', jan15))
      .toBe('2025-01-15 10:30:00 1736937000 015 15 Wed Wednesday Jan January AM 10 3 3 03 02 02 01/15/25 10:30:00 10:30 2025-01-15 UTC +0000 +00:00 15  1 WED 000000000');
    expect(strftime('%e|%-e|%_H|%k|%l|%C|%y|%G|%g', Date.UTC(2025, 0, 5) * 1e6)).toBe(' 5|5| 0| 0|12|20|25|2025|25');
  });

  it('reads -d dates and prints -R and -I forms', async () => {
    const s = sys();
    expect((await run(s, date, ['date', '-R', '-d', '@1736937000'])).out).toBe('Wed, 15 Jan 2025 10:30:00 +0000\n');
    expect((await run(s, date, ['date', '-I', '-d', '@1736937000'])).out).toBe('2025-01-15\n');
    expect((await run(s, date, ['date', '-Iseconds', '-d', '@1736937000'])).out).toBe('2025-01-15T10:30:00+00:00\n');
    expect((await run(s, date, ['date', '-d', '2024-03-05 09:07', '+%c'])).out).toBe('Tue Mar  5 09:07:00 2024\n');
    expect(parseDate('2025-01-15T10:30:00Z', 0)).toBe(1736937000e9);
  });

  it('reports GNU errors', async () => {
    expect((await run(sys(), date, ['date', '-d', 'bogus'])).err).toBe("date: invalid date 'bogus'\n");
    expect((await run(sys(), date, ['date', 'x'])).err).toBe("date: invalid date 'x'\n");
    expect((await run(sys(), date, ['date', '+%s', '2'])).err).toBe("date: extra operand '2'\nTry 'date --help' for more information.\n");
  });
});

describe('shared helpers', () => {
  it('parses options like getopt_long', () => {
    expect(getopt(['-la', 'x', '--width=5', '-n3', '--', '-y'], 'lan:', [{ name: 'width', key: 'w', arg: 'required' }]))
      .toEqual({ options: [{ key: 'l' }, { key: 'a' }, { key: 'w', value: '5' }, { key: 'n', value: '3' }], operands: ['x', '-y'] });
    expect(getopt(['--wid', '7'], '', [{ name: 'width', key: 'w', arg: 'required' }]).options).toEqual([{ key: 'w', value: '7' }]);
    expect(() => getopt(['-n'], 'n:')).toThrow("option requires an argument -- 'n'");
    expect(() => getopt(['--all=1'], '', [{ name: 'all', key: 'a' }])).toThrow("option '--all' doesn't allow an argument");
  });

  it('quotes names as GNU does', () => {
    expect(quoteAlways('x')).toBe("'x'");
    expect(quoteAlways("it's")).toBe('"it\'s"');
    expect(quoteIfNeeded('plain')).toBe('plain');
    expect(quoteIfNeeded('a b')).toBe("'a b'");
  });

  it('formats human sizes', () => {
    expect(humanSize(1023)).toBe('1023');
    expect(humanSize(4096)).toBe('4.0K');
    expect(humanSize(12345)).toBe('13K');
    expect(humanSize(1536 * 1024)).toBe('1.5M');
  });

  it('registers every command by name', () => {
    const names = ['cat', 'ls', 'echo', 'printf', 'tee', 'grep', 'head', 'tail', 'wc', 'cut', 'tr', 'sort', 'sleep', 'true', 'false',
      'test', '[', 'mkdir', 'rm', 'rmdir', 'cp', 'mv', 'chmod', 'chown', 'mknod', 'ln', 'touch', 'basename', 'dirname', 'env', 'seq',
      'yes', 'stat', 'date'];
    for (const name of names) expect(COREUTILS[name], name).toBeTypeOf('function');
  });
});
