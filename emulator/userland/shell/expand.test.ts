import { describe, expect, it } from 'vitest';
import type { HereDoc, Script, SimpleCommand } from './ast.js';
import { ExpansionError, expandPattern, expandWord, expandWords, matchPattern, splitFields, type ExpandContext } from './expand.js';
import { globPaths } from './glob.js';
import { parseScript } from './parser.js';

/** A tiny file system for pathname expansion: directory -> names. */
const FILES: Readonly<Record<string, string[]>> = {
  '/work': ['hello.c', 'hello.ko', 'test_device.c', 'Makefile', '.hidden.c', 'src'],
  '/work/src': ['main.c', 'util.c'],
  '/dev': ['my_device0', 'my_device1', 'my_device2', 'my_device3', 'null', 'advanced_dev'],
};

interface FakeShell extends ExpandContext {
  vars: Map<string, string>;
  substitutions: Script[];
  globs: string[];
}

/**
 * An ExpandContext whose command substitutions run a toy interpreter (echo, printf, uname),
 * expanding their arguments recursively, so nesting is exercised for real.
 */
function fakeShell(vars: Record<string, string> = {}, positional = ['one', 'two words', '']): FakeShell {
  const shell: FakeShell = {
    vars: new Map(Object.entries({ HOME: '/home/learner', x: 'hello', spaced: '  a  b  ', empty: '', ...vars })),
    substitutions: [],
    globs: [],
    getVar: (name) => shell.vars.get(name),
    setVar: (name, value) => {
      shell.vars.set(name, value);
    },
    positional,
    special: { status: 3, lastBgPid: 4242, pid: 1234, name: 'sh' },
    home: '/home/fallback',
    async runSubst(script) {
      shell.substitutions.push(script);
      let output = '';
      for (const list of script.body) {
        for (const command of list.first.commands) {
          const argv = await expandWords((command as SimpleCommand).words, shell);
          if (argv[0] === 'echo') output += `${argv.slice(1).join(' ')}\n`;
          else if (argv[0] === 'printf') output += argv.slice(1).join('').replace(/\\n/g, '\n');
          else if (argv[0] === 'uname') output += '6.1.0-driverlab\n';
        }
      }
      return output;
    },
    async glob(pattern) {
      shell.globs.push(pattern);
      return globPaths(pattern, '/work', async (path) => FILES[path] ?? null);
    },
    homeOf: (user) => (user === 'root' ? '/root' : undefined),
  };
  return shell;
}

function commandOf(src: string): SimpleCommand {
  const result = parseScript(src);
  if (!result.ok) throw new Error(result.error.message);
  const command = result.script.body[0]?.first.commands[0];
  if (command?.type !== 'SimpleCommand') throw new Error('not a simple command');
  return command;
}

/** The argv the words of `src` expand to. */
async function argv(src: string, shell: FakeShell = fakeShell()): Promise<string[]> {
  return expandWords(commandOf(src).words, shell);
}

/** The arguments after the command name. */
async function args(src: string, shell?: FakeShell): Promise<string[]> {
  return (await argv(`echo ${src}`, shell)).slice(1);
}

describe('quote removal', () => {
  it('removes single quotes, double quotes and backslashes', async () => {
    expect(await args(`'single' "double $x" \\$x a"b"'c'd`)).toEqual(['single', 'double hello', '$x', 'abcd']);
  });

  it('keeps empty quoted words and drops empty unquoted expansions', async () => {
    expect(await args(`'' "" $empty "$empty" $unset x$empty`)).toEqual(['', '', '', 'x']);
  });
});

describe('parameter expansion', () => {
  it('expands special parameters', async () => {
    expect(await args('$? $! $$ $0 $# $1')).toEqual(['3', '4242', '1234', 'sh', '3', 'one']);
  });

  it('expands $! to nothing before any background job', async () => {
    const shell = fakeShell();
    shell.special = { status: 0, pid: 1, name: 'sh' };
    expect(await args('$! "$!"', shell)).toEqual(['']);
  });

  it('gives "$@" one field per positional parameter', async () => {
    expect(await args('"$@"')).toEqual(['one', 'two words', '']);
    expect(await args('"<$@>"')).toEqual(['<one', 'two words', '>']);
    expect(await args('"$@"', fakeShell({}, []))).toEqual([]);
    expect(await args('a"$@"b', fakeShell({}, []))).toEqual(['ab']);
  });

  it('splits unquoted $@ and $*, and joins "$*" with the first IFS character', async () => {
    expect(await args('$@')).toEqual(['one', 'two', 'words']);
    expect(await args('$*')).toEqual(['one', 'two', 'words']);
    expect(await args('"$*"')).toEqual(['one two words ']);
    expect(await args('"$*"', fakeShell({ IFS: ':' }))).toEqual(['one:two words:']);
  });

  it('implements the default, assign, alternative and error forms', async () => {
    expect(await args('${unset:-def} ${empty:-def} ${empty-def} ${x:-def} ${unset-def}')).toEqual(['def', 'def', 'hello', 'def']);
    expect(await args('${unset:+alt} ${empty:+alt} ${empty+alt} ${x:+alt}')).toEqual(['alt', 'alt']);
    const shell = fakeShell();
    expect(await args('${new:=assigned} $new ${x:=no}', shell)).toEqual(['assigned', 'assigned', 'hello']);
    expect(shell.vars.get('new')).toBe('assigned');
  });

  it('reports ${x:?} failures with bash wording', async () => {
    await expect(args('${unset:?}')).rejects.toThrow(new ExpansionError('unset: parameter null or not set'));
    await expect(args('${empty:?must be set}')).rejects.toThrow('empty: must be set');
    await expect(args('${unset?}')).rejects.toThrow('unset: parameter not set');
    await expect(args('${1:=x}', fakeShell({}, []))).rejects.toThrow('$1: cannot assign in this way');
  });

  it('expands the operator word only when it is used', async () => {
    const shell = fakeShell();
    await args('${x:-$(echo never)} ${unset:+$(echo never)}', shell);
    expect(shell.substitutions).toEqual([]);
  });

  it('splits an unquoted default word but not a quoted one', async () => {
    expect(await args('${unset:-a b} "${unset:-a b}" ${unset:-"a b"}')).toEqual(['a', 'b', 'a b', 'a b']);
  });

  it('computes lengths', async () => {
    expect(await args('${#x} ${#unset} ${#@}')).toEqual(['5', '0', '3']);
  });

  it('removes prefixes and suffixes', async () => {
    const shell = fakeShell({ path: '/lib/modules/6.1/build/hello.ko', file: 'archive.tar.gz' });
    expect(await args('${path#*/} ${path##*/} ${file%.*} ${file%%.*} ${file%.zip} "${file#"archive"}"', shell))
      .toEqual(['lib/modules/6.1/build/hello.ko', 'hello.ko', 'archive.tar', 'archive', 'archive.tar.gz', '.tar.gz']);
  });

  it('treats quoted pattern characters literally when removing', async () => {
    const shell = fakeShell({ v: '*star*' });
    expect(await args('${v#"*"} ${v#*}', shell)).toEqual(['star*', '*star*']);
  });
});

describe('field splitting', () => {
  it('splits unquoted expansions on blanks, trimming them', async () => {
    expect(await args('$spaced "$spaced"')).toEqual(['a', 'b', '  a  b  ']);
  });

  it('never splits literal text', async () => {
    const shell = fakeShell({ IFS: 'o' });
    expect(await args('foo $x', shell)).toEqual(['foo', 'hell']);
  });

  it('follows POSIX for non-blank IFS characters', async () => {
    const colon = (value: string): FakeShell => fakeShell({ IFS: ':', v: value });
    expect(await args('$v', colon('a::b'))).toEqual(['a', '', 'b']);
    expect(await args('$v', colon(':a'))).toEqual(['', 'a']);
    expect(await args('$v', colon('a:'))).toEqual(['a']);
    expect(await args('$v', fakeShell({ IFS: ' :', v: 'a : b' }))).toEqual(['a', 'b']);
  });

  it('does not split when IFS is empty', async () => {
    expect(await args('$spaced', fakeShell({ IFS: '' }))).toEqual(['  a  b  ']);
  });

  it('joins split pieces with adjacent text', async () => {
    expect(await args('x${spaced}y')).toEqual(['x', 'a', 'b', 'y']);
    expect(await args('x"$spaced"y')).toEqual(['x  a  b  y']);
  });

  it('splits text the way the read builtin needs', () => {
    expect(splitFields('  root  0 0  ')).toEqual(['root', '0', '0']);
    expect(splitFields('root:x:0:0::/root', ':')).toEqual(['root', 'x', '0', '0', '', '/root']);
  });
});

describe('command substitution', () => {
  it('substitutes the output without trailing newlines', async () => {
    expect(await args('$(echo hi) "$(printf a\\\\n\\\\n\\\\n)"')).toEqual(['hi', 'a']);
  });

  it('splits unquoted output but not quoted output', async () => {
    expect(await args('$(echo a b) "$(echo a b)"')).toEqual(['a', 'b', 'a b']);
  });

  it('nests, and works in double quotes and backquotes', async () => {
    expect(await args('"[$(echo $(echo deep))]" `echo back`')).toEqual(['[deep]', 'back']);
  });

  it('runs substitutions left to right, after earlier assignments in the same word', async () => {
    const shell = fakeShell();
    expect(await args('${n:=1}$(echo $n)', shell)).toEqual(['11']);
  });
});

describe('arithmetic expansion', () => {
  it('evaluates with variables and $-expansions', async () => {
    const shell = fakeShell({ n: '41', w: '6' });
    expect(await args('$((1 + 2 * 3)) $((n + 1)) $(( $w * 7 )) $(((1 + 2) * 3)) $((10 / 3)) $((10 % 3)) $((3 > 2))', shell))
      .toEqual(['7', '42', '42', '9', '3', '1', '1']);
  });

  it('assigns through the context', async () => {
    const shell = fakeShell({ i: '5' });
    expect(await args('$((i += 2)) $i', shell)).toEqual(['7', '7']);
  });

  it('reports errors as ExpansionError', async () => {
    await expect(args('$((1 / 0))')).rejects.toThrow(ExpansionError);
    await expect(args('$((1 +))')).rejects.toThrow('1 +: syntax error: operand expected (error token is "+")');
  });
});

describe('tilde expansion', () => {
  it('expands ~ to $HOME, falling back to the context home', async () => {
    expect(await args('~ ~/hello.c "~" ~root ~nobody/x')).toEqual(['/home/learner', '/home/learner/hello.c', '~', '/root', '~nobody/x']);
    const shell = fakeShell();
    shell.vars.delete('HOME');
    expect(await args('~', shell)).toEqual(['/home/fallback']);
  });

  it('expands tildes in assignment values', async () => {
    const [assignment] = commandOf('PATH=~/bin:/bin').assignments;
    expect(await expandWord(assignment?.value ?? { type: 'Word', parts: [], raw: '', offset: 0 }, fakeShell())).toBe('/home/learner/bin:/bin');
  });
});

describe('pathname expansion', () => {
  it('expands unquoted patterns through ctx.glob, sorted', async () => {
    expect(await args('*.c')).toEqual(['hello.c', 'test_device.c']);
    expect(await args('/dev/my_device?')).toEqual(['/dev/my_device0', '/dev/my_device1', '/dev/my_device2', '/dev/my_device3']);
    expect(await args('src/*.c')).toEqual(['src/main.c', 'src/util.c']);
    expect(await args('/dev/my_device[02]')).toEqual(['/dev/my_device0', '/dev/my_device2']);
  });

  it('leaves a pattern with no match as it is', async () => {
    expect(await args('*.rs /nowhere/*')).toEqual(['*.rs', '/nowhere/*']);
  });

  it('does not glob quoted characters, but does glob unquoted expansion results', async () => {
    const shell = fakeShell({ pat: '*.ko' });
    expect(await args('"*.c" \\*.c $pat "$pat"', shell)).toEqual(['*.c', '*.c', 'hello.ko', '*.ko']);
  });

  it('passes quoted parts of a pattern escaped', async () => {
    const shell = fakeShell();
    expect(await args('"hello"*', shell)).toEqual(['hello.c', 'hello.ko']);
    expect(await args('"*"*', shell)).toEqual(['**']);
    expect(shell.globs).toEqual(['hello*', '\\**']);
  });

  it('does not call ctx.glob for words without pattern characters', async () => {
    const shell = fakeShell();
    await args('[ -f x ] plain', shell);
    expect(shell.globs).toEqual([]);
  });
});

describe('expandWord and expandPattern', () => {
  it('expandWord neither splits nor globs, and joins "$@" with spaces', async () => {
    const word = commandOf('echo *.c$spaced"$@"').words[1];
    expect(await expandWord(word ?? commandOf('x').words[0]!, fakeShell())).toBe('*.c  a  b  one two words ');
  });

  it('expandPattern escapes quoted characters for matchPattern', async () => {
    const [star, quoted, mixed] = commandOf('match "*" "a*" a"*"b').words.slice(1);
    const shell = fakeShell();
    expect(await expandPattern(star!, shell)).toBe('\\*');
    expect(await expandPattern(quoted!, shell)).toBe('a\\*');
    expect(await expandPattern(mixed!, shell)).toBe('a\\*b');
    expect(matchPattern(await expandPattern(quoted!, shell), 'a*')).toBe(true);
    expect(matchPattern(await expandPattern(quoted!, shell), 'ab')).toBe(false);
  });

  it('expands here-document bodies', async () => {
    const command = commandOf('cat <<EOF\nuser $x in ~ $((2+2)) $(echo sub)\n*.c "q"\nEOF\n');
    const doc = command.redirects[0] as HereDoc;
    expect(await expandWord(doc.body, fakeShell())).toBe('user hello in ~ 4 sub\n*.c "q"\n');
  });
});

describe('the seed commands', () => {
  it('expands KERNEL_DIR=/lib/modules/$(uname -r)/build', async () => {
    const command = commandOf('KERNEL_DIR=/lib/modules/$(uname -r)/build; echo $KERNEL_DIR');
    const shell = fakeShell();
    const [assignment] = command.assignments;
    shell.setVar('KERNEL_DIR', await expandWord(assignment!.value, shell));
    expect(await argv('echo $KERNEL_DIR', shell)).toEqual(['echo', '/lib/modules/6.1.0-driverlab/build']);
  });

  it('expands the mknod loop body for each item', async () => {
    const shell = fakeShell();
    const names: string[][] = [];
    for (const i of ['0', '1']) {
      shell.setVar('i', i);
      names.push(await argv('mknod /dev/my_device$i c 125 $i', shell));
    }
    expect(names).toEqual([['mknod', '/dev/my_device0', 'c', '125', '0'], ['mknod', '/dev/my_device1', 'c', '125', '1']]);
  });

  it('globs chown root.root /dev/my_device?', async () => {
    expect(await argv('chown root.root /dev/my_device?')).toEqual([
      'chown', 'root.root', '/dev/my_device0', '/dev/my_device1', '/dev/my_device2', '/dev/my_device3',
    ]);
  });
});
