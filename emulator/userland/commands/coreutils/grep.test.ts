import { describe, expect, it } from 'vitest';
import { FakeSystem, run } from './fake-proc.js';
import { grep } from './grep.js';
import { RegexError, posixToRegex } from './regex.js';

function texts(): FakeSystem {
  const sys = new FakeSystem();
  sys.file('/home/user/a', 'hello world\nfoo bar\nHello again\nabc123\n');
  sys.file('/home/user/b', 'xyz\nhello\n');
  sys.mkdirs('/home/user/d', 1000);
  return sys;
}

const g = (sys: FakeSystem, ...args: string[]) => run(sys, grep, ['grep', ...args]);

describe('grep', () => {
  it('selects matching lines with status 0, none with 1', async () => {
    const sys = texts();
    const hit = await g(sys, 'hello', 'a');
    expect(hit.out).toBe('hello world\n');
    expect(hit.status).toBe(0);
    const miss = await g(sys, 'nope', 'a');
    expect(miss.out).toBe('');
    expect(miss.status).toBe(1);
  });

  it('prefixes file names with several files, and handles -i -c -n -v -l -L -h -H', async () => {
    const sys = texts();
    expect((await g(sys, '-i', 'hello', 'a', 'b')).out).toBe('a:hello world\na:Hello again\nb:hello\n');
    expect((await g(sys, '-c', 'hello', 'a', 'b')).out).toBe('a:1\nb:1\n');
    expect((await g(sys, '-n', '-v', 'hello', 'a')).out).toBe('2:foo bar\n3:Hello again\n4:abc123\n');
    expect((await g(sys, '-l', 'hello', 'a', 'b')).out).toBe('a\nb\n');
    const without = await g(sys, '-L', 'foo', 'a', 'b');
    expect(without.out).toBe('b\n');
    expect(without.status).toBe(0);
    expect((await g(sys, '-h', 'hello', 'a', 'b')).out).toBe('hello world\nhello\n');
    expect((await g(sys, '-H', 'foo', 'a')).out).toBe('a:foo bar\n');
    expect((await g(sys, '-e', 'foo', '-e', 'xyz', 'a', 'b')).out).toBe('a:foo bar\nb:xyz\n');
  });

  it('reads standard input', async () => {
    const r = await run(texts(), grep, ['grep', 'Test'], { stdin: ['Test message\n', 'other\n'] });
    expect(r.out).toBe('Test message\n');
  });

  it('translates basic and extended regular expressions', async () => {
    const sys = texts();
    expect((await g(sys, 'a\\(b\\)c', 'a')).out).toBe('abc123\n');
    expect((await g(sys, '-E', 'o{2}', 'a')).out).toBe('foo bar\n');
    expect((await g(sys, 'o\\{2\\}', 'a')).out).toBe('foo bar\n');
    expect((await g(sys, '-o', '[0-9]\\+', 'a')).out).toBe('123\n');
    expect((await g(sys, 'hello\\|foo', 'a')).out).toBe('hello world\nfoo bar\n');
    expect((await g(sys, '^\\(hel\\|ab\\)', 'a')).out).toBe('hello world\nabc123\n');
    expect((await g(sys, '-E', '^(hel|ab)c?', 'a')).out).toBe('hello world\nabc123\n');
    expect((await g(sys, '[[:digit:]]$', 'a')).out).toBe('abc123\n');
    expect((await g(sys, '\\<wor', 'a')).out).toBe('hello world\n');
    expect((await g(sys, 'o\\>', 'a')).out).toBe('hello world\nfoo bar\nHello again\n');
    expect((await g(sys, '-w', 'foo', 'a')).out).toBe('foo bar\n');
    expect((await g(sys, '-w', 'fo', 'a')).status).toBe(1);
    expect((await g(sys, '-x', 'foo bar', 'a')).out).toBe('foo bar\n');
    expect((await g(sys, '-F', 'a.c', 'a')).status).toBe(1);
    expect((await g(sys, 'a.c', 'a')).out).toBe('abc123\n');
    expect((await g(sys, '-E', 'a)', 'a')).status).toBe(1);
  });

  it('reports regex errors with status 2', async () => {
    const sys = texts();
    const cases: [string[], string][] = [
      [['\\(', 'a'], 'grep: Unmatched ( or \\(\n'],
      [['-E', '(', 'a'], 'grep: Unmatched ( or \\(\n'],
      [['\\)', 'a'], 'grep: Unmatched ) or \\)\n'],
      [['[abc', 'a'], 'grep: Unmatched [, [^, [:, [., or [=\n'],
      [['[', 'a'], 'grep: Invalid regular expression\n'],
      [['a\\{1', 'a'], 'grep: Unmatched \\{\n'],
      [['x\\{2,1\\}', 'a'], 'grep: Invalid content of \\{\\}\n'],
      [['\\1', 'a'], 'grep: Invalid back reference\n'],
      [['[[:foo:]]', 'a'], 'grep: Invalid character class name\n'],
      [['[z-a]', 'a'], 'grep: Invalid range end\n'],
      [['\\', 'a'], 'grep: Trailing backslash\n'],
      [['[:space:]', 'a'], 'grep: character class syntax is [[:space:]], not [:space:]\n'],
    ];
    for (const [args, err] of cases) {
      const r = await g(sys, ...args);
      expect(r.err, args.join(' ')).toBe(err);
      expect(r.status).toBe(2);
    }
  });

  it('warns about a repetition at the start of an extended expression and ignores it', async () => {
    const r = await g(texts(), '-E', '+o', 'a');
    expect(r.err).toBe('grep: warning: + at start of expression\n');
    expect(r.out).toBe('hello world\nfoo bar\nHello again\n');
  });

  it('reports missing files and directories with status 2', async () => {
    const sys = texts();
    const r = await g(sys, 'hello', 'nofile', 'a');
    expect(r.out).toBe('a:hello world\n');
    expect(r.err).toBe('grep: nofile: No such file or directory\n');
    expect(r.status).toBe(2);
    expect((await g(sys, '-s', 'hello', 'nofile', 'a')).err).toBe('');
    const dir = await g(sys, 'x', 'd');
    expect(dir.err).toBe('grep: d: Is a directory\n');
    expect(dir.status).toBe(2);
    const quiet = await g(sys, '-q', 'hello', 'nofile', 'a');
    expect(quiet.status).toBe(0);
  });

  it('stops at the first match with -q, without reading the rest', async () => {
    const r = await run(texts(), grep, ['grep', '-q', 'y'], { stdin: ['y\n', 'never\n'] });
    expect(r.status).toBe(0);
    expect(r.out).toBe('');
  });

  it('prints context with group separators', async () => {
    const r = await run(texts(), grep, ['grep', '-C1', 'm'], { stdin: ['1\n2\nm\n3\n4\n5\nm\n6\n'] });
    expect(r.out).toBe('2\nm\n3\n--\n5\nm\n6\n');
    const after = await g(texts(), '-n', '-A1', 'hello', 'a');
    expect(after.out).toBe('1:hello world\n2-foo bar\n');
  });

  it('prints byte offsets and stops after -m matches', async () => {
    const sys = texts();
    expect((await g(sys, '-b', 'o', 'a')).out).toBe('0:hello world\n12:foo bar\n20:Hello again\n');
    expect((await g(sys, '-o', '-b', 'o', 'b')).out).toBe('8:o\n');
    expect((await g(sys, '-m1', 'o', 'a')).out).toBe('hello world\n');
  });

  it('says a binary file matches instead of printing it', async () => {
    const sys = texts();
    sys.file('/home/user/bin', new Uint8Array([97, 0, 98, 10]));
    const r = await g(sys, 'a', 'bin');
    expect(r.out).toBe('');
    expect(r.err).toBe('grep: bin: binary file matches\n');
    expect(r.status).toBe(0);
  });

  it('searches directories with -r, naming files relative to the operand', async () => {
    const sys = texts();
    sys.file('/home/user/r/s/f', 'hello\n');
    sys.file('/home/user/r/g', 'hello\n');
    expect((await g(sys, '-r', 'hello', 'r')).out).toBe('r/g:hello\nr/s/f:hello\n');
    expect((await run(sys, grep, ['grep', '-r', 'hello'], { cwd: '/home/user/r' })).out).toBe('g:hello\ns/f:hello\n');
  });

  it('gives the usage message without a pattern', async () => {
    const r = await g(texts());
    expect(r.err).toBe("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    expect(r.status).toBe(2);
  });
});

describe('posixToRegex', () => {
  it('keeps BRE specials literal where POSIX says so', () => {
    expect(new RegExp(posixToRegex('*a', false)).test('*a')).toBe(true);
    expect(new RegExp(posixToRegex('a+b?', false)).test('a+b?')).toBe(true);
    expect(new RegExp(posixToRegex('a|b', false)).test('a|b')).toBe(true);
    expect(new RegExp(posixToRegex('a$b', false)).test('a$b')).toBe(true);
    expect(new RegExp(posixToRegex('a^b', false)).test('a^b')).toBe(true);
    expect(new RegExp(posixToRegex('\\{1\\}a', false)).test('{1}a')).toBe(true);
  });

  it('supports back-references and nested repetition', () => {
    const re = new RegExp(posixToRegex('\\(ab\\)\\1', false));
    expect(re.test('abab')).toBe(true);
    expect(re.test('abba')).toBe(false);
    expect(() => new RegExp(posixToRegex('x**', false))).not.toThrow();
    expect(new RegExp(`^${posixToRegex('(a|b){2,3}', true)}$`).test('aba')).toBe(true);
  });

  it('treats backslash as literal inside brackets', () => {
    expect(new RegExp(posixToRegex('[\\]', false)).test('\\')).toBe(true);
    expect(new RegExp(posixToRegex('[]a]', false)).test(']')).toBe(true);
    expect(new RegExp(posixToRegex('[^]a]', false)).test(']')).toBe(false);
    expect(() => posixToRegex('[a', false)).toThrow(RegexError);
  });
});
