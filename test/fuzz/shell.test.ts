// Fuzzing the shell's parsers: the grammar (parseScript), arithmetic (checked against bash), the
// pattern matcher behind case, ${x#p} and globs, and word expansion with field splitting.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScript, type Script, type SimpleCommand } from '../../emulator/userland/shell/parser.js';
import { evaluateArithmetic, ExpansionError } from '../../emulator/userland/shell/arith.js';
import { matchAffix, matchPattern } from '../../emulator/userland/shell/pattern.js';
import { expandWords, splitFields, type ExpandContext } from '../../emulator/userland/shell/expand.js';
import { globPaths } from '../../emulator/userland/shell/glob.js';
import { bounded, check, checkAsync, isClearMessage, soup } from './harness.js';

const SHELL_FRAGMENTS = [
  "'", '"', '`', '$', '(', ')', '{', '}', '[', ']', '|', '&', ';', '<', '>', '\\', '\n', '#', '~', '*', '?',
  '=', '!', ' ', '\t', 'a', 'x1', '2', '-', ':', '%', '+', '$(', '$((', '))', '${', '${#', ':-', ':=', ':?', '<<', '<<-',
  'EOF', '2>&1', '>&', '<&', '>|', '&&', '||', ';;', 'if', 'then', 'elif', 'else', 'fi', 'for', 'in', 'do', 'done', 'while',
  'until', 'case', 'esac', 'function', 'f()', "$'", '\\\n', '$@', '"$@"', '$*', '$#', '$?', '$1', '${x##*/}', 'insmod', 'echo',
];

describe('the shell grammar', () => {
  it('parses any text or reports a syntax error inside it, as bash words it', () => {
    check(fc.property(soup(SHELL_FRAGMENTS, 50), (src) => {
      const r = bounded(`parseScript(${JSON.stringify(src)})`, () => parseScript(src));
      if (!r.ok) {
        expect(isClearMessage(r.error.message)).toBe(true);
        expect(r.error.offset).toBeGreaterThanOrEqual(0);
        expect(r.error.offset).toBeLessThanOrEqual(src.length);
        expect(r.error.line).toBeGreaterThanOrEqual(1);
      }
    }), 1500);
  });

  it('deep nesting is an error or a parse, never a stack overflow', () => {
    const depth = fc.integer({ min: 1, max: 3000 });
    check(fc.property(depth, fc.constantFrom(['(', ')'], ['$(', ')'], ['{ ', ';}'], ['$((', '))'], ['if true; then ', '; fi'], ['"$(', ')"'], ['${x:-', '}']), (n, [open, close]) => {
      const src = `${open!.repeat(n)}echo${close!.repeat(n)}`;
      const r = bounded(`parseScript(${open} x ${n})`, () => parseScript(src));
      if (!r.ok) expect(isClearMessage(r.error.message)).toBe(true);
    }), 40);
  });
});

/** Arithmetic over small numbers, variables and bash's operators, well-formed or not. */
const arithmetic = soup(['1', '2', '7', '0', '-1', '0x1f', '010', '08', '9223372036854775807', 'a', 'b', 'n', ' ',
  '+', '-', '*', '/', '%', '**', '<<', '>>', '&', '|', '^', '~', '!', '&&', '||', '==', '!=', '<', '<=', '>', '>=',
  '?', ':', '=', '+=', '<<=', '++', '--', ',', '(', ')', '$', '#', '2#101', '64#z', '1#', 'x'], 12);

function arithVars(initial: Record<string, string>) {
  const vars = new Map(Object.entries(initial));
  return { getVar: (n: string) => vars.get(n), setVar: (n: string, v: string) => { vars.set(n, v); } };
}

describe('shell arithmetic', () => {
  it('evaluates any expression to a 64-bit integer or fails with bash\'s message', () => {
    check(fc.property(arithmetic, (expr) => {
      try {
        const v = bounded(`$((${expr}))`, () => evaluateArithmetic(expr, arithVars({ a: '3', b: 'a+1', n: 'n' })));
        expect(v >= -(2n ** 63n) && v < 2n ** 63n).toBe(true);
      } catch (e) {
        if (!(e instanceof ExpansionError)) throw e;
        expect(isClearMessage(e.message)).toBe(true);
      }
    }), 1500);
  });

  it('agrees with bash on well-formed expressions', () => {
    const leaf = fc.oneof(fc.integer({ min: -40, max: 40 }).map(String), fc.constantFrom('a', 'b', '0x10', '017', '2#1011'));
    const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof({ depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '<<', '>>', '&', '|', '^', '&&', '||', '==', '!=', '<', '>=', '/', '%'), tie('e')).map(([l, op, r]) => `(${l} ${op} ${r})`),
        fc.tuple(fc.constantFrom('-', '!', '~'), tie('e')).map(([op, e]) => `${op}(${e})`),
        fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, t, f]) => `(${c} ? ${t} : ${f})`)),
    })).e;
    const batch = fc.sample(expr, { seed: 7, numRuns: 300 });
    // One bash for the batch: each line is the value or "E" when bash refuses (division by zero, negative shift is fine in bash).
    const script = batch.map((e) => `a=5 b=-3; ( echo $((${e})) ) 2>/dev/null || echo E`).join('\n');
    const bash = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } });
    if (bash.error) return; // no bash on this host
    const expected = bash.stdout.trimEnd().split('\n');
    expect(expected.length).toBe(batch.length);
    batch.forEach((e, i) => {
      let ours: string;
      try {
        ours = String(evaluateArithmetic(e, arithVars({ a: '5', b: '-3' })));
      } catch (err) {
        if (!(err instanceof ExpansionError)) throw err;
        ours = 'E';
      }
      expect(`${e} = ${ours}`).toBe(`${e} = ${expected[i]}`);
    });
  });
});

/** A regular expression with the meaning of a pattern made only of *, ? and plain characters. */
function patternRegex(pattern: string): RegExp {
  return new RegExp(`^${Array.from(pattern, (c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'su');
}

describe('shell patterns', () => {
  it('match any pattern against any text without error or a runaway search', () => {
    const pattern = soup(['*', '?', '[', ']', '!', '^', '-', 'a', 'b', '\\', '[:digit:]', '[:alpha:]', '[:bogus:]', '[[:', ':]', '/', '.', 'ä'], 24);
    const text = soup(['a', 'b', 'ab', '.', '/', '1', 'ä', '-', ']'], 24);
    check(fc.property(pattern, text, (p, t) => {
      bounded(`matchPattern(${JSON.stringify(p)}, ${JSON.stringify(t)})`, () => {
        matchPattern(p, t);
        for (const where of ['prefix', 'suffix'] as const) for (const longest of [false, true]) {
          const n = matchAffix(p, t, where, longest);
          expect(n).toBeGreaterThanOrEqual(-1);
          expect(n).toBeLessThanOrEqual(t.length); // in UTF-16 units, as String.slice counts
        }
      });
    }), 1500);
  });

  it('* and ? mean what a regular expression with .* and . means', () => {
    check(fc.property(soup(['*', '?', 'a', 'b', '.', '/'], 12), soup(['a', 'b', '.', '/', 'ab'], 12), (p, t) => {
      expect(matchPattern(p, t)).toBe(patternRegex(p).test(t));
    }), 1500);
  });

  it('many stars against a long text that does not match finish quickly', () => {
    const p = '*a'.repeat(30) + 'b';
    expect(bounded('matchPattern(*a*a...b)', () => matchPattern(p, 'a'.repeat(200)))).toBe(false);
    expect(bounded('matchAffix(*a*a...b)', () => matchAffix(p, 'a'.repeat(200), 'prefix', true))).toBe(-1);
  });
});

const FILES: Readonly<Record<string, string[]>> = {
  '/w': ['hello.c', 'hello.ko', 'Makefile', '.hidden', 'src', '*', 'a b'],
  '/w/src': ['main.c', 'x[1].c'],
};

function fakeContext(): ExpandContext {
  const vars = new Map(Object.entries({ x: 'hello', spaced: '  a  b  ', empty: '', path: '/w/src/main.c', IFS: ' \t\n' }));
  return {
    getVar: (n) => vars.get(n),
    setVar: (n, v) => { vars.set(n, v); },
    positional: ['one', 'two words', ''],
    special: { status: 3, pid: 1234, name: 'sh' },
    home: '/w',
    runSubst: async () => 'sub out\n',
    glob: (pattern) => globPaths(pattern, '/w', async (dir) => FILES[dir] ?? null),
  };
}

describe('word expansion', () => {
  it('expands any command\'s words or fails with an expansion error', async () => {
    const word = soup(['$x', '${x}', '${x#h}', '${x%%l*}', '${x:-d}', '${y:=v}', '${z:?unset}', '${#x}', '${x:2}', '$@', '"$@"', '$*', '"$*"', '$#',
      '$((1+2))', '$((1/0))', '$(echo)', '`echo`', '*', '*.c', 'src/*', '[a-z]*', '?', '~', '~/x', '"', "'", '\\', ' ', '$spaced', '"$spaced"', '$empty', 'a', '=', '${path##*/}',
      '${x/l/L}', '${!x}', '$', '{a,b}'], 12);
    await checkAsync(fc.asyncProperty(word, async (text) => {
      const parsed = parseScript(`: ${text}`);
      if (!parsed.ok) return;
      const command = firstSimpleCommand(parsed.script);
      if (!command) return;
      try {
        const fields = await expandWords(command.words, fakeContext());
        for (const f of fields) expect(typeof f).toBe('string');
      } catch (e) {
        if (!(e instanceof ExpansionError)) throw e;
        expect(isClearMessage(e.message)).toBe(true);
      }
    }), 800);
  });

  it('field splitting never gives an empty field for white-space IFS, and loses no characters', () => {
    check(fc.property(soup([' ', '\t', '\n', 'a', 'bc', ':', '::'], 20), fc.constantFrom(' \t\n', ':', ' :', ''), (text, ifs) => {
      const fields = splitFields(text, ifs);
      if (ifs === ' \t\n') expect(fields.every((f) => f !== '')).toBe(true);
      const keep = (s: string) => Array.from(s).filter((c) => !ifs.includes(c)).join('');
      expect(fields.map(keep).join('')).toBe(keep(text));
    }), 800);
  });
});

function firstSimpleCommand(script: Script): SimpleCommand | undefined {
  const command = script.body[0]?.first.commands[0];
  return command && 'words' in command ? (command as SimpleCommand) : undefined;
}
