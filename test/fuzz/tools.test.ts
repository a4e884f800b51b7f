// Fuzzing the tools' languages: sed scripts (checked against GNU sed on the host), Makefiles
// (our make in its fake environment, against GNU make), and the 2.2 kernel's Config.in
// (scripts/Configure). Each runs its input or says what is wrong; none throws or runs away.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeSystem, run } from '../../emulator/userland/commands/coreutils/fake-proc.js';
import { sed } from '../../emulator/userland/commands/coreutils/sed.js';
import { makeIn } from '../../emulator/userland/make/fake-env.js';
import { Configure } from '../../emulator/toolchain/linux22/configure.js';
import { checkAsync, isClearMessage, soup } from './harness.js';

const haveGnu = (tool: string) => spawnSync(tool, ['--version']).status === 0;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-fuzz-'));
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));

const SED_INPUT = 'one\ntwo\nthree\n#ifdef CONFIG_X\n\tfoo();\n#endif\nlast line\n';

// No labels and no D: with them a script can loop for ever, in GNU sed too (`:a;ba`, `G;D`).
// No e (GNU's "execute"), w or r (files): our sed has no e, and files are not what is fuzzed.
const SED_FRAGMENTS = [
  's', '/', '|', 'o', 't', '0', '\\', '\\(', '\\)', '\\1', '\\n', '&', 'g', 'p', 'i', 'I', '2', '$', '!', ';', '\n', ' ',
  'd', 'n', 'N', 'P', 'h', 'H', 'G', 'x', 'y', '=', 'l', 'q', 'Q', 'a', 'c', '{', '}', ',', '^', '.', '*',
  '[', ']', '[[:digit:]]', 's/o/0/', 's/t\\(.\\)/[\\1]/', '/two/', '/^#/', '1,3', '0,/t/', '2~2', 'b', 'T', '#',
];

async function mySed(args: string[]) {
  const r = await run(new FakeSystem(), sed, ['sed', ...args], { stdin: [SED_INPUT] });
  return { out: Buffer.from(r.proc.stdoutBytes()).toString('latin1'), err: r.err, status: r.status };
}

describe('sed scripts', () => {
  const script = fc.array(fc.constantFrom(...SED_FRAGMENTS), { maxLength: 12 }).map((parts) => parts.join(''))
    // Known differences, listed in the README: GNU takes `!#' as "all lines" (we refuse it), keeps
    // the backslashes of a one-line a/i/c text that ends the script with a backslash, and takes a
    // backslash as the delimiter of s and y (`s\\n\\)\\1'; we refuse it).
    .filter((s) => !/\be/.test(s) && !/[wWrR]/.test(s) && !/!\s*#/.test(s) && !s.endsWith('\\') && !/[sy]\\/.test(s));

  it('run as GNU sed runs them (same output and status), or both refuse them with a sed: message', async () => {
    const gnu = haveGnu('sed');
    await checkAsync(fc.asyncProperty(script, fc.constantFrom([], ['-n'], ['-E'], ['-s']), async (s, opts) => {
      const args = [...opts, s];
      const mine = await mySed(args);
      if (mine.status !== 0) expect(mine.err.startsWith('sed: ') && isClearMessage(mine.err)).toBe(true);
      if (!gnu) return;
      const host = spawnSync('sed', args, { input: SED_INPUT, env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' }, cwd: scratch, timeout: 5000 });
      const theirs = { out: host.stdout.toString('latin1'), err: host.stderr.toString(), status: host.status };
      // Where the two disagree only on the character a syntax error is reported at, or on the
      // wording for a quirk of GNU's address syntax, that is recorded in the README, not here.
      if (mine.status !== 0 && theirs.status !== 0) return;
      expect(JSON.stringify({ args, ...mine })).toBe(JSON.stringify({ args, ...theirs }));
    }), 400);
  });
});

// No $(shell), $(eval) or include: GNU make on the host runs this text too, even with -n.
const MAKE_FRAGMENTS = [
  'all', 'hello.o', 'obj-m', ':', '::', '=', ':=', '+=', '?=', '$(', ')', '${', '}', '$@', '$<', '$^', '$$', '$', '%', '%.o', '%.c',
  '\n', '\n\t', '\t', ' ', '#', '\\\n', 'echo', '@', '-', 'ifeq', 'ifneq', 'ifdef', 'ifndef', 'else', 'endif', 'define', 'endef',
  '(', ',', 'X', 'Y', '$(X)', '$(Y)', 'export', 'override', '.PHONY', 'wildcard', 'patsubst', 'subst', 'foreach', 'call',
  'if', 'or', 'and', 'strip', 'filter', 'words', 'word', 'error', 'warning', 'info', 'origin', 'value', 'hello.c', ';',
];

describe('Makefiles', () => {
  const makefile = fc.array(fc.constantFrom(...MAKE_FRAGMENTS), { maxLength: 25 }).map((parts) => parts.join(''));

  it('make -n reads any Makefile as GNU make does: the same status, and the same output when it succeeds', async () => {
    const gnu = haveGnu('make');
    const dir = path.join(scratch, 'make');
    fs.mkdirSync(dir, { recursive: true });
    await checkAsync(fc.asyncProperty(makefile, async (text) => {
      const r = await makeIn(text, ['-n']);
      const mine = { status: r.status, out: r.machine.stdout + r.machine.stderr };
      expect([0, 2]).toContain(mine.status);
      if (mine.status !== 0) expect(isClearMessage(mine.out) && /\*\*\* .*Stop\.\n$/.test(mine.out)).toBe(true);
      if (!gnu) return;
      fs.writeFileSync(path.join(dir, 'Makefile'), text);
      const host = spawnSync('make', ['-n'], { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' }, timeout: 5000 });
      const theirs = { status: host.status, out: host.stdout + host.stderr };
      // Which of two errors GNU make reports first differs on some nonsense (README, Reliability).
      if (mine.status !== 0 && theirs.status !== 0) return;
      expect(JSON.stringify({ text, ...mine })).toBe(JSON.stringify({ text, ...theirs }));
    }), 400);
  });
});

/** Runs Configure on `configIn` with `answers`; the learner's side is a budget of reads and writes. */
async function configure(configIn: string, answers: string[]) {
  let out = '';
  let err = '';
  let steps = 0;
  const budget = () => { if (++steps > 5000) throw new Error(`Configure ran away on ${JSON.stringify(configIn)} with answers ${JSON.stringify(answers)}`); };
  const queue = [...answers];
  const c = new Configure({
    readFile: async (p) => { budget(); return p === 'config.in' ? configIn : p === 'sub.in' ? 'bool x CONFIG_SUB\n' : undefined; },
    out: async (t) => { budget(); out += t; },
    err: async (t) => { budget(); err += t; },
    readLine: async () => { budget(); return queue.shift(); },
  }, false);
  const r = await c.run('config.in');
  return { ...r, out, err };
}

describe('Config.in (scripts/Configure of Linux 2.2)', () => {
  const CONFIG_FRAGMENTS = [
    'bool', 'tristate', 'int', 'hex', 'string', 'choice', 'define_bool', 'define_tristate', 'define_int', 'dep_tristate', 'dep_bool',
    'mainmenu_option', 'next_comment', 'endmenu', 'comment', 'source', 'sub.in', 'if', '[', ']', ';', 'then', 'else', 'fi', '"', "'",
    '$', 'CONFIG_A', 'CONFIG_B', '"$CONFIG_A"', '=', '!=', '-o', '-a', '!', 'y', 'm', 'n', '1', '0x300', ' ', '\n', '\\\n', '#',
    "'Support A'", "'Pick' \"One CONFIG_ONE Two CONFIG_TWO\" One", 'unset', 'exit',
  ];
  const answers = fc.array(fc.constantFrom('', 'y', 'n', 'm', '?', '0x200', '5', 'bogus', 'One', 'T'), { maxLength: 8 });

  it('runs any Config.in with any answers, or reports the script error, without running away', async () => {
    await checkAsync(fc.asyncProperty(soup(CONFIG_FRAGMENTS, 30), answers, async (text, typed) => {
      const r = await configure(text, typed);
      expect(typeof r.status).toBe('number');
      if (r.status === 2) expect(isClearMessage(r.err)).toBe(true);
    }), 500);
  });
});
