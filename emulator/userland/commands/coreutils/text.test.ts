import { describe, expect, it } from 'vitest';
import { FakeSystem, run } from './fake-proc.js';
import { head, tail } from './headtail.js';
import { wc } from './wc.js';
import { cut } from './cut.js';
import { tr } from './tr.js';
import { sort } from './sort.js';
import { uniq } from './uniq.js';
import { tee } from './tee.js';

const FIVE = 'one\ntwo\nthree\nfour\nfive\n';

function files(): FakeSystem {
  const sys = new FakeSystem();
  sys.file('/home/user/f', FIVE);
  sys.file('/home/user/g', 'a b\nc\n');
  sys.mkdirs('/home/user/d', 1000);
  return sys;
}

describe('head', () => {
  it('prints the first lines or bytes', async () => {
    const sys = files();
    expect((await run(sys, head, ['head', '-n', '2', 'f'])).out).toBe('one\ntwo\n');
    expect((await run(sys, head, ['head', '-2', 'f'])).out).toBe('one\ntwo\n');
    expect((await run(sys, head, ['head', '-c', '5', 'f'])).out).toBe('one\nt');
    expect((await run(sys, head, ['head', '-n', '-3', 'f'])).out).toBe('one\ntwo\n');
    expect((await run(sys, head, ['head', '--lines=1', 'f'])).out).toBe('one\n');
  });

  it('prints headers for several files', async () => {
    const r = await run(files(), head, ['head', '-n', '2', 'f', 'g']);
    expect(r.out).toBe('==> f <==\none\ntwo\n\n==> g <==\na b\nc\n');
  });

  it('reads standard input and stops early', async () => {
    const r = await run(files(), head, ['head', '-n', '3'], { stdin: ['y\ny\n', 'y\ny\ny\n', 'never read\n'] });
    expect(r.out).toBe('y\ny\ny\n');
    expect(r.proc.stdoutWrites.length).toBe(2);
  });

  it('reports bad numbers and files like GNU', async () => {
    const sys = files();
    const bad = await run(sys, head, ['head', '-n', 'x', 'f']);
    expect(bad.err).toBe("head: invalid number of lines: 'x'\n");
    expect(bad.status).toBe(1);
    expect((await run(sys, head, ['head', '-c', '2x', 'f'])).err).toBe("head: invalid number of bytes: '2x'\n");
    const missing = await run(sys, head, ['head', 'nofile']);
    expect(missing.err).toBe("head: cannot open 'nofile' for reading: No such file or directory\n");
    expect(missing.status).toBe(1);
    const dir = await run(sys, head, ['head', 'f', 'd']);
    expect(dir.out).toBe(`==> f <==\n${FIVE}\n==> d <==\n`);
    expect(dir.err).toBe("head: error reading 'd': Is a directory\n");
    expect((await run(sys, head, ['head', '-x'])).err).toBe("head: invalid option -- 'x'\nTry 'head --help' for more information.\n");
  });
});

describe('tail', () => {
  it('prints the last lines, from a line, or the last bytes', async () => {
    const sys = files();
    expect((await run(sys, tail, ['tail', '-n', '2', 'f'])).out).toBe('four\nfive\n');
    expect((await run(sys, tail, ['tail', '-2', 'f'])).out).toBe('four\nfive\n');
    expect((await run(sys, tail, ['tail', '-n', '+4', 'f'])).out).toBe('four\nfive\n');
    expect((await run(sys, tail, ['tail', '-c', '5', 'f'])).out).toBe('five\n');
    expect((await run(sys, tail, ['tail'], { stdin: ['1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n'] })).out).toBe('3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n');
    expect((await run(sys, tail, ['tail', '-n', '1'], { stdin: ['no newline'] })).out).toBe('no newline');
  });

  it('reports bad numbers with the sign GNU keeps', async () => {
    const sys = files();
    expect((await run(sys, tail, ['tail', '-n', 'x', 'f'])).err).toBe("tail: invalid number of lines: 'x'\n");
    expect((await run(sys, tail, ['tail', '-n', '+x', 'f'])).err).toBe("tail: invalid number of lines: '+x'\n");
    expect((await run(sys, tail, ['tail', 'nofile'])).err).toBe("tail: cannot open 'nofile' for reading: No such file or directory\n");
  });

  it('follows a file with -f until killed (the fake clock advances)', async () => {
    const sys = files();
    const proc = sys.proc();
    let sleeps = 0;
    const p = proc.asProc();
    // Append a line on the first sleep, end the command on the second.
    proc.sleep = async () => {
      if (++sleeps === 1) { sys.lookup('/home/user/g')!.data = new TextEncoder().encode('a b\nc\nnew\n'); return; }
      throw new Error('killed');
    };
    await expect(tail(p, ['tail', '-f', '-n', '1', 'g'])).rejects.toThrow('killed');
    expect(proc.stdout()).toBe('c\nnew\n');
  });
});

describe('wc', () => {
  it('counts lines, words and bytes with GNU column widths', async () => {
    const sys = files();
    expect((await run(sys, wc, ['wc', 'f', 'g'])).out).toBe(' 5  5 24 f\n 2  3  6 g\n 7  8 30 total\n');
    expect((await run(sys, wc, ['wc', '-l', 'f'])).out).toBe('5 f\n');
    expect((await run(sys, wc, ['wc', '-c', 'f', 'g'])).out).toBe('24 f\n 6 g\n30 total\n');
    expect((await run(sys, wc, ['wc'], { stdin: ['hi\n'] })).out).toBe('      1       1       3\n');
    expect((await run(sys, wc, ['wc', '-l'], { stdin: ['hi\n'] })).out).toBe('1\n');
    expect((await run(sys, wc, ['wc', '-w'], { stdin: ['  two words\n', 'and three more'] })).out).toBe('5\n');
  });

  it('reports missing files and directories, still counting the rest', async () => {
    const sys = files();
    const r = await run(sys, wc, ['wc', '-l', 'f', 'nofile']);
    expect(r.out).toBe(' 5 f\n 5 total\n');
    expect(r.err).toBe('wc: nofile: No such file or directory\n');
    expect(r.status).toBe(1);
    const d = await run(sys, wc, ['wc', 'd']);
    expect(d.out).toBe('      0       0       0 d\n');
    expect(d.err).toBe('wc: d: Is a directory\n');
  });
});

describe('cut', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:DriverLab learner:/home/user:/bin/sh\nnodelim\n';

  it('selects fields, characters and bytes', async () => {
    const sys = files();
    sys.file('/home/user/p', passwd);
    expect((await run(sys, cut, ['cut', '-d:', '-f1,3', 'p'])).out).toBe('root:0\nuser:1000\nnodelim\n');
    expect((await run(sys, cut, ['cut', '-d', ':', '-f6-', 'p'])).out).toBe('/root:/bin/sh\n/home/user:/bin/sh\nnodelim\n');
    expect((await run(sys, cut, ['cut', '-d:', '-s', '-f1', 'p'])).out).toBe('root\nuser\n');
    expect((await run(sys, cut, ['cut', '-c1-4', 'p'])).out).toBe('root\nuser\nnode\n');
    expect((await run(sys, cut, ['cut', '-b', '2,4-5', 'p'])).out).toBe('ot:\nsr:\noel\n');
    expect((await run(sys, cut, ['cut', '-d:', '-f1', '--complement', 'p'])).out.split('\n')[0]).toBe('x:0:0:root:/root:/bin/sh');
    expect((await run(sys, cut, ['cut', '-d:', '-f1,3', '--output-delimiter= ', 'p'])).out).toBe('root 0\nuser 1000\nnodelim\n');
    expect((await run(sys, cut, ['cut', '-f2'], { stdin: ['a\tb\tc\n'] })).out).toBe('b\n');
  });

  it('gives GNU usage errors', async () => {
    const sys = files();
    const usage = async (argv: string[]) => (await run(sys, cut, argv, { stdin: [] })).err;
    const tryHelp = "Try 'cut --help' for more information.\n";
    expect(await usage(['cut', 'f'])).toBe(`cut: you must specify a list of bytes, characters, or fields\n${tryHelp}`);
    expect(await usage(['cut', '-f', '0'])).toBe(`cut: fields are numbered from 1\n${tryHelp}`);
    expect(await usage(['cut', '-c', '0'])).toBe(`cut: byte/character positions are numbered from 1\n${tryHelp}`);
    expect(await usage(['cut', '-f', '3-1'])).toBe(`cut: invalid decreasing range\n${tryHelp}`);
    expect(await usage(['cut', '-f', 'a'])).toBe(`cut: invalid field value 'a'\n${tryHelp}`);
    expect(await usage(['cut', '-d', 'ab', '-f1'])).toBe(`cut: the delimiter must be a single character\n${tryHelp}`);
    expect(await usage(['cut', '-b1', '-d:'])).toBe(`cut: an input delimiter may be specified only when operating on fields\n${tryHelp}`);
    expect(await usage(['cut', '-f', '-'])).toBe(`cut: invalid range with no endpoint: -\n${tryHelp}`);
    expect(await usage(['cut', '-c1', '-f1'])).toBe(`cut: only one list may be specified\n${tryHelp}`);
    expect(await usage(['cut', '-b1', '-s'])).toBe(`cut: suppressing non-delimited lines makes sense\n\tonly when operating on fields\n${tryHelp}`);
    expect((await run(sys, cut, ['cut', '-f1', 'nofile'])).err).toBe('cut: nofile: No such file or directory\n');
  });
});

describe('tr', () => {
  const trOut = async (args: string[], input: string) => (await run(new FakeSystem(), tr, ['tr', ...args], { stdin: [input] })).out;

  it('translates ranges and classes, deletes, squeezes and complements', async () => {
    expect(await trOut(['a-z', 'A-Z'], 'Hello World\n')).toBe('HELLO WORLD\n');
    expect(await trOut(['[:lower:]', '[:upper:]'], 'Hello World\n')).toBe('HELLO WORLD\n');
    expect(await trOut(['-s', 'a-z '], 'aabbccdd  ee\n')).toBe('abcd e\n');
    expect(await trOut(['-d', '[:digit:]'], 'hello 123\n')).toBe('hello \n');
    expect(await trOut(['-c', 'a-z', 'X'], 'hello\n')).toBe('helloX');
    expect(await trOut(['abc', 'x'], 'abc\n')).toBe('xxx\n');
    expect(await trOut(['-ds', 'a', 'b'], 'aabbc\n')).toBe('bc\n');
    expect(await trOut(['-s', 'ab', 'xy'], 'aaa bbb\n')).toBe('x y\n');
    expect(await trOut(['\\t', ' '], 'a\tb\n')).toBe('a b\n');
    expect(await trOut(['-d', '\\n'], 'a\nb\n')).toBe('ab');
    expect(await trOut(['-d', '[:space:]'], ' a \t b\n')).toBe('ab');
  });

  it('gives GNU operand errors', async () => {
    const err = async (args: string[]) => (await run(new FakeSystem(), tr, ['tr', ...args], { stdin: [] })).err;
    const tryHelp = "Try 'tr --help' for more information.\n";
    expect(await err([])).toBe(`tr: missing operand\n${tryHelp}`);
    expect(await err(['a'])).toBe(`tr: missing operand after 'a'\nTwo strings must be given when translating.\n${tryHelp}`);
    expect(await err(['-d', 'a', 'b'])).toBe(`tr: extra operand 'b'\nOnly one string may be given when deleting without squeezing repeats.\n${tryHelp}`);
    expect(await err(['a', 'b', 'c'])).toBe(`tr: extra operand 'c'\n${tryHelp}`);
    expect(await err(['z-a', 'x'])).toBe("tr: range-endpoints of 'z-a' are in reverse collating sequence order\n");
    expect(await err(['[:digit:]', '[:alpha:]'])).toBe("tr: when translating, the only character classes that may appear in\nstring2 are 'upper' and 'lower'\n");
  });
});

describe('sort', () => {
  const data = 'banana 3\napple 10\nCherry 2\napple 10\ndate -1\n';
  const sortOut = async (args: string[], input = data) => (await run(new FakeSystem(), sort, ['sort', ...args], { stdin: [input] })).out;

  it('sorts bytewise, numerically, reversed, uniquely and by key', async () => {
    expect(await sortOut([])).toBe('Cherry 2\napple 10\napple 10\nbanana 3\ndate -1\n');
    expect(await sortOut(['-n', '-k2'])).toBe('date -1\nCherry 2\nbanana 3\napple 10\napple 10\n');
    expect(await sortOut(['-r'])).toBe('date -1\nbanana 3\napple 10\napple 10\nCherry 2\n');
    expect(await sortOut(['-u'])).toBe('Cherry 2\napple 10\nbanana 3\ndate -1\n');
    expect(await sortOut(['-k2,2n', '-r'])).toBe('date -1\nCherry 2\nbanana 3\napple 10\napple 10\n');
    expect(await sortOut(['-t', ' ', '-k2n'])).toBe('date -1\nCherry 2\nbanana 3\napple 10\napple 10\n');
    expect(await sortOut(['-f'])).toBe('apple 10\napple 10\nbanana 3\nCherry 2\ndate -1\n');
    expect(await sortOut(['-k2.2'])).toBe('date -1\napple 10\napple 10\nCherry 2\nbanana 3\n');
    expect(await sortOut(['-n'], '10\n9\n100\n-5\n3.5\nabc\n')).toBe('-5\nabc\n3.5\n9\n10\n100\n');
    expect(await sortOut(['-k1,1', '-u'], 'a 2\nb 1\na 1\n')).toBe('a 2\nb 1\n');
    expect(await sortOut(['-fu'], 'x\nX\ny\n')).toBe('x\ny\n');
  });

  it('reports errors with status 2', async () => {
    const sys = new FakeSystem();
    const bad = await run(sys, sort, ['sort', '-k', '0'], { stdin: [] });
    expect(bad.err).toBe("sort: field number is zero: invalid field specification '0'\n");
    expect(bad.status).toBe(2);
    expect((await run(sys, sort, ['sort', '-k', 'x'], { stdin: [] })).err).toBe("sort: invalid number at field start: invalid count at start of 'x'\n");
    expect((await run(sys, sort, ['sort', '-t', 'ab'], { stdin: [] })).err).toBe("sort: multi-character tab 'ab'\n");
    const missing = await run(sys, sort, ['sort', 'nofile']);
    expect(missing.err).toBe('sort: cannot read: nofile: No such file or directory\n');
    expect(missing.status).toBe(2);
    const check = await run(sys, sort, ['sort', '-c'], { stdin: ['b\na\n'] });
    expect(check.err).toBe('sort: -:2: disorder: a\n');
    expect(check.status).toBe(1);
  });
});

describe('uniq', () => {
  it('merges, counts and filters adjacent repeats', async () => {
    const input = 'a\na\nb\nc\nc\nc\na\n';
    const out = async (args: string[]) => (await run(new FakeSystem(), uniq, ['uniq', ...args], { stdin: [input] })).out;
    expect(await out([])).toBe('a\nb\nc\na\n');
    expect(await out(['-c'])).toBe('      2 a\n      1 b\n      3 c\n      1 a\n');
    expect(await out(['-d'])).toBe('a\nc\n');
    expect(await out(['-u'])).toBe('b\na\n');
  });
});

describe('tee', () => {
  it('writes each chunk read from stdin with one write() per output', async () => {
    const sys = new FakeSystem();
    const proc = sys.device('/proc/hello_proc', 0, 0, 0o666);
    const r = await run(sys, tee, ['tee', '/proc/hello_proc'], { stdin: ['Test message\n'], uid: 0 });
    expect(proc.writes).toEqual(['Test message\n']);
    expect(r.out).toBe('Test message\n');
    expect(r.proc.stdoutWrites.length).toBe(1);
    expect(r.status).toBe(0);
  });

  it('reads at most 8192 bytes at a time', async () => {
    const sys = new FakeSystem();
    const dev = sys.device('/dev/sink', 10, 0);
    await run(sys, tee, ['tee', '/dev/sink'], { stdin: ['x'.repeat(10000), 'tail'] });
    expect(dev.writes.map((w) => w.length)).toEqual([8192, 1808, 4]);
  });

  it('appends with -a and keeps going after a failed file', async () => {
    const sys = new FakeSystem();
    sys.file('/home/user/log', 'old\n');
    const r = await run(sys, tee, ['tee', '-a', 'log', '/root/x', 'new'], { stdin: ['line\n'] });
    expect(sys.text('/home/user/log')).toBe('old\nline\n');
    expect(sys.text('/home/user/new')).toBe('line\n');
    expect(r.err).toBe('tee: /root/x: No such file or directory\n');
    expect(r.status).toBe(1);
  });

  it('reports a write error of a device, as for a proc file refusing input', async () => {
    const sys = new FakeSystem();
    sys.device('/dev/ro', 10, 1).writeErrno = 22;
    const r = await run(sys, tee, ['tee', '/dev/ro'], { stdin: ['data\n'] });
    expect(r.err).toBe('tee: /dev/ro: Invalid argument\n');
    expect(r.out).toBe('data\n');
    expect(r.status).toBe(1);
  });
});
