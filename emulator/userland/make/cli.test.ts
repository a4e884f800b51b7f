// The command line: goals, overrides, options, makefile search, directories and the
// messages of a sub-make, as GNU make 4.3 prints them.

import { describe, expect, it } from 'vitest';
import { FakeMachine, makeIn } from './fake-env.js';
import { runMake } from './index.js';
import { USAGE_TEXT } from './options.js';

describe('makefile search and goals', () => {
  it('prefers GNUmakefile, then makefile, then Makefile', async () => {
    const { machine } = await makeIn('all: ; @echo Makefile\n', [], (m) => m.write('/home/lab/makefile', 'all: ; @echo makefile\n'));
    expect(machine.terminal).toBe('makefile\n');
    const gnu = await makeIn('all: ; @echo Makefile\n', [], (m) => m.write('/home/lab/GNUmakefile', 'all: ; @echo GNUmakefile\n'));
    expect(gnu.machine.terminal).toBe('GNUmakefile\n');
  });

  it('reads -f files', async () => {
    const { machine } = await makeIn(undefined, ['-f', 'build.mk'], (m) => m.write('/home/lab/build.mk', 'all: ; @echo $(MAKEFILE_LIST)\n'));
    expect(machine.terminal).toBe('build.mk\n');
  });

  it('complains about a missing -f file', async () => {
    const { status, machine } = await makeIn(undefined, ['-f', 'nope']);
    expect(status).toBe(2);
    expect(machine.stderr).toBe("make: nope: No such file or directory\nmake: *** No rule to make target 'nope'.  Stop.\n");
  });

  it('stops without a makefile or a target', async () => {
    const { status, machine } = await makeIn(undefined);
    expect(status).toBe(2);
    expect(machine.stderr).toBe('make: *** No targets specified and no makefile found.  Stop.\n');
  });

  it('stops when the makefile has no targets', async () => {
    const { machine } = await makeIn('x = 1\n');
    expect(machine.stderr).toBe('make: *** No targets.  Stop.\n');
  });

  it('uses the first target as the default goal, skipping .SPECIAL and pattern targets', async () => {
    const { machine } = await makeIn('.PHONY: all\n%.o: %.c\n\techo pat\nall: ; @echo all\nother: ; @echo other\n');
    expect(machine.terminal).toBe('all\n');
  });

  it('lets .DEFAULT_GOAL choose the goal', async () => {
    const { machine } = await makeIn('.DEFAULT_GOAL := b\na: ; @echo a\nb: ; @echo b\n');
    expect(machine.terminal).toBe('b\n');
  });

  it('makes each goal in order and sets MAKECMDGOALS', async () => {
    const { machine } = await makeIn('a b: ; @echo $@ [$(MAKECMDGOALS)]\n', ['b', 'a']);
    expect(machine.terminal).toBe('b [b a]\na [b a]\n');
  });

  it('takes options after goals, and ends options at --', async () => {
    const { machine } = await makeIn('all: ; echo hi\n', ['all', '-s']);
    expect(machine.terminal).toBe('hi\n');
  });
});

describe('options', () => {
  it('prints the version', async () => {
    for (const flag of ['--version', '-v']) {
      const { status, machine } = await makeIn(undefined, [flag]);
      expect(status).toBe(0);
      expect(machine.stdout.split('\n').slice(0, 3)).toEqual([
        'GNU Make 4.3',
        'Built for x86_64-pc-linux-gnu',
        'Copyright (C) 1988-2020 Free Software Foundation, Inc.',
      ]);
    }
  });

  it('rejects unknown options with GNU’s usage text', async () => {
    const short = await makeIn(undefined, ['-z']);
    expect(short.status).toBe(2);
    expect(short.machine.stderr).toBe(`make: invalid option -- 'z'\n${USAGE_TEXT}`);
    const long = await makeIn(undefined, ['--foo']);
    expect(long.machine.stderr).toBe(`make: unrecognized option '--foo'\n${USAGE_TEXT}`);
    const missing = await makeIn(undefined, ['-C']);
    expect(missing.machine.stderr).toBe(`make: option requires an argument -- 'C'\n${USAGE_TEXT}`);
    const jobs = await makeIn(undefined, ['--jobs=x']);
    expect(jobs.machine.stderr).toBe(`make: the '-j' option requires a positive integer argument\n${USAGE_TEXT}`);
  });

  it('prints the usage for --help', async () => {
    const { status, machine } = await makeIn(undefined, ['--help']);
    expect(status).toBe(0);
    expect(machine.stdout).toBe(USAGE_TEXT);
    expect(USAGE_TEXT.startsWith('Usage: make [options] [target] ...\nOptions:\n')).toBe(true);
  });

  it('accepts -j in its forms and runs recipes one at a time', async () => {
    for (const args of [['-j', '4'], ['-j4'], ['-j'], ['--jobs=2']]) {
      const { status, machine } = await makeIn('all: a b\na b: ; @echo $@\n', args);
      expect(status).toBe(0);
      expect(machine.terminal).toBe('a\nb\n');
    }
    const notANumber = await makeIn('x: ; @echo x\n', ['-j', 'x']);
    expect(notANumber.machine.terminal).toBe('x\n');
  });

  it('accepts unambiguous abbreviations of long options', async () => {
    const { machine } = await makeIn('all: ; echo hi\n', ['--dry']);
    expect(machine.terminal).toBe('echo hi\n');
  });

  it('describes itself in MAKEFLAGS and MFLAGS as GNU does', async () => {
    const flags = async (args: string[]): Promise<string> => {
      const { machine } = await makeIn('all: ; @echo "[$(MAKEFLAGS)][$(MFLAGS)]"\n', args);
      return machine.terminal;
    };
    expect(await flags(['-s', '-k', 'FOO=1'])).toBe('[ks -- FOO=1][-ks]\n');
    expect(await flags(['--no-print-directory', 'FOO=1', 'X=a b'])).toBe('[ --no-print-directory -- X=a\\ b FOO=1][--no-print-directory]\n');
    expect(await flags(['-k', '-j'])).toBe('[k -j][-k -j]\n');
  });

  it('takes switches and overrides from an inherited MAKEFLAGS', async () => {
    const { machine } = await makeIn('all: ; echo "[$(BAR)]"\n', [], undefined, { MAKEFLAGS: 's -- BAR=2' });
    expect(machine.terminal).toBe('[2]\n');
  });

  it('applies switches a makefile adds to MAKEFLAGS', async () => {
    const { machine } = await makeIn('MAKEFLAGS += -s\nall:\n\techo "[$(MAKEFLAGS)]"\n');
    expect(machine.terminal).toBe('[s]\n');
  });
});

describe('reading options', () => {
  it('evaluates --eval text before the makefiles', async () => {
    const { machine } = await makeIn('all: ; @echo $(X)\n', ['--eval=X = from-eval']);
    expect(machine.terminal).toBe('from-eval\n');
  });

  it('searches -I directories for included files', async () => {
    const { machine } = await makeIn('include common.mk\nall: ; @echo $(X)\n', ['-I', 'inc'], (m) => m.write('/home/lab/inc/common.mk', 'X = found\n'));
    expect(machine.terminal).toBe('found\n');
  });
});

describe('directories', () => {
  function machineWithSub(): FakeMachine {
    const machine = new FakeMachine();
    machine.write('/home/lab/sub/Makefile', 'all:\n\t@echo in $(CURDIR)\n');
    return machine;
  }

  it('enters and leaves the directory given with -C', async () => {
    const machine = machineWithSub();
    const status = await runMake(['-C', 'sub'], machine.env('/home/lab'));
    expect(status).toBe(0);
    expect(machine.terminal).toBe(
      "make: Entering directory '/home/lab/sub'\nin /home/lab/sub\nmake: Leaving directory '/home/lab/sub'\n",
    );
  });

  it('accepts -Cdir, absolute paths and repeated -C', async () => {
    const attached = machineWithSub();
    await runMake(['-Csub', '-s'], attached.env('/home/lab'));
    expect(attached.terminal).toBe('in /home/lab/sub\n');
    const repeated = machineWithSub();
    await runMake(['-C', '/home', '-C', 'lab/sub', '--no-print-directory'], repeated.env('/'));
    expect(repeated.terminal).toBe('in /home/lab/sub\n');
  });

  it('leaves the directory even after an error', async () => {
    const machine = new FakeMachine();
    machine.write('/home/lab/sub/Makefile', 'all:\n\tfalse\n');
    const status = await runMake(['-C', 'sub'], machine.env('/home/lab'));
    expect(status).toBe(2);
    expect(machine.terminal).toBe(
      "make: Entering directory '/home/lab/sub'\nfalse\nmake: *** [Makefile:2: all] Error 1\nmake: Leaving directory '/home/lab/sub'\n",
    );
  });

  it('reports a directory without a makefile between its messages', async () => {
    const machine = new FakeMachine();
    machine.mkdir('/home/lab/empty');
    const status = await runMake(['-C', 'empty'], machine.env('/home/lab'));
    expect(status).toBe(2);
    expect(machine.terminal).toBe(
      "make: Entering directory '/home/lab/empty'\nmake: *** No targets specified and no makefile found.  Stop.\nmake: Leaving directory '/home/lab/empty'\n",
    );
  });

  it('stops on a missing directory', async () => {
    const machine = new FakeMachine();
    const status = await runMake(['-C', 'nonexist'], machine.env('/home/lab'));
    expect(status).toBe(2);
    expect(machine.terminal).toBe('make: *** nonexist: No such file or directory.  Stop.\n');
  });

  it('prints the directory with -w', async () => {
    const { machine } = await makeIn('all: ; @echo hi\n', ['-w']);
    expect(machine.terminal).toBe("make: Entering directory '/home/lab'\nhi\nmake: Leaving directory '/home/lab'\n");
  });
});

describe('sub-makes', () => {
  it('prefixes messages with make[N] and prints the directory when MAKELEVEL is set', async () => {
    const { status, machine } = await makeIn('all: ; @echo level $(MAKELEVEL)\n', ['foo'], undefined, { MAKELEVEL: '1' });
    expect(status).toBe(2);
    expect(machine.terminal).toBe(
      "make[1]: Entering directory '/home/lab'\nmake[1]: *** No rule to make target 'foo'.  Stop.\nmake[1]: Leaving directory '/home/lab'\n",
    );
  });

  it('does not print the directory of a silent sub-make', async () => {
    const { machine } = await makeIn('all:\n\tfalse\n', ['-s'], undefined, { MAKELEVEL: '2' });
    expect(machine.terminal).toBe('make[2]: *** [Makefile:2: all] Error 1\n');
  });

  it('runs $(MAKE) -C as a recipe line with MAKELEVEL+1, and reports its failure', async () => {
    const { status, machine } = await makeIn('all:\n\t$(MAKE) -C d X=1\n', [], (m) => {
      m.write('/home/lab/d/Makefile', 'all:\n\t@echo sub $(MAKELEVEL) $(X)\n\tfalse\n');
    });
    expect(status).toBe(2);
    expect(machine.recipes[0]).toMatchObject({ line: 'make -C d X=1', cwd: '/home/lab' });
    expect(machine.recipes[0]?.env.MAKELEVEL).toBe('1');
    expect(machine.terminal).toBe(
      'make -C d X=1\n' +
        "make[1]: Entering directory '/home/lab/d'\n" +
        'sub 1 1\n' +
        'false\n' +
        'make[1]: *** [Makefile:3: all] Error 1\n' +
        "make[1]: Leaving directory '/home/lab/d'\n" +
        'make: *** [Makefile:2: all] Error 2\n',
    );
  });

  it('passes -s on to sub-makes through MAKEFLAGS', async () => {
    const { machine } = await makeIn('all:\n\t@$(MAKE) -C d\n', ['-s'], (m) => m.write('/home/lab/d/Makefile', 'all:\n\techo in d\n'));
    expect(machine.terminal).toBe('in d\n');
  });
});
