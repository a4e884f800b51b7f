// Building: timestamps, explicit, pattern and built-in rules, recipe prefixes and failures,
// with GNU make 4.3's messages.

import { describe, expect, it } from 'vitest';
import { FakeMachine, makeIn } from './fake-env.js';
import { runMake } from './index.js';

const LAB = '/home/lab';

describe('up-to-date checks', () => {
  const makefile = 'all: a.o\na.o: a.c\n\ttouch a.o\n';

  it('remakes a missing target', async () => {
    const { status, machine } = await makeIn(makefile, [], (m) => m.write(`${LAB}/a.c`));
    expect(status).toBe(0);
    expect(machine.terminal).toBe('touch a.o\n');
    expect(machine.mtimeOf(`${LAB}/a.o`)).toBeDefined();
  });

  it('says there is nothing to do when the goal has no recipe', async () => {
    const { machine } = await makeIn(makefile, [], (m) => {
      m.write(`${LAB}/a.c`);
      m.write(`${LAB}/a.o`);
    });
    expect(machine.terminal).toBe("make: Nothing to be done for 'all'.\n");
  });

  it('says a goal with a recipe is up to date', async () => {
    const { machine } = await makeIn(makefile, ['a.o'], (m) => {
      m.write(`${LAB}/a.c`);
      m.write(`${LAB}/a.o`);
    });
    expect(machine.terminal).toBe("make: 'a.o' is up to date.\n");
  });

  it('remakes a target older than a prerequisite', async () => {
    const { machine } = await makeIn(makefile, [], (m) => {
      m.write(`${LAB}/a.o`);
      m.write(`${LAB}/a.c`);
    });
    expect(machine.terminal).toBe('touch a.o\n');
  });

  it('propagates a remade prerequisite up the chain', async () => {
    const { machine } = await makeIn('prog: a.o\n\ttouch prog\na.o: a.c\n\ttouch a.o\n', [], (m) => {
      m.write(`${LAB}/a.o`);
      m.write(`${LAB}/prog`);
      m.write(`${LAB}/a.c`);
    });
    expect(machine.terminal).toBe('touch a.o\ntouch prog\n');
  });

  it('always runs phony targets, and says nothing to do for an empty one', async () => {
    const phony = await makeIn('.PHONY: clean\nclean:\n\t@echo cleaning\n', [], (m) => m.write(`${LAB}/clean`));
    expect(phony.machine.terminal).toBe('cleaning\n');
    const empty = await makeIn('.PHONY: x\nx:\n');
    expect(empty.machine.terminal).toBe("make: Nothing to be done for 'x'.\n");
  });

  it('treats a recipe that runs nothing as nothing done', async () => {
    const { machine } = await makeIn('x: ;\n');
    expect(machine.terminal).toBe("make: 'x' is up to date.\n");
  });

  it('is silent about nothing to do under -s', async () => {
    const { machine } = await makeIn('x: ;\n', ['-s']);
    expect(machine.terminal).toBe('');
  });

  it('remakes everything with -B', async () => {
    const { machine } = await makeIn(makefile, ['-B'], (m) => {
      m.write(`${LAB}/a.c`);
      m.write(`${LAB}/a.o`);
    });
    expect(machine.terminal).toBe('touch a.o\n');
  });

  it('stops when a prerequisite has no rule', async () => {
    const { status, machine } = await makeIn('all: x.o\nx.o: x.c\n');
    expect(status).toBe(2);
    expect(machine.stderr).toBe("make: *** No rule to make target 'x.c', needed by 'x.o'.  Stop.\n");
  });

  it('stops when a goal has no rule', async () => {
    const { status, machine } = await makeIn('all: ; @:\n', ['foo']);
    expect(status).toBe(2);
    expect(machine.stderr).toBe("make: *** No rule to make target 'foo'.  Stop.\n");
  });

  it('drops circular dependencies', async () => {
    const { machine } = await makeIn('a: b\n\t@echo a\nb: a\n\t@echo b\n');
    expect(machine.terminal).toBe('make: Circular b <- a dependency dropped.\nb\na\n');
  });

  it('updates order-only prerequisites without comparing times', async () => {
    const { machine } = await makeIn('out: in | dir\n\t@echo "$^ | $|"\nin dir:\n\t@echo $@\n');
    expect(machine.terminal).toBe('in\ndir\nin | dir\n');
  });
});

describe('automatic variables', () => {
  it('sets $@ $< $^ $+ $? $* and the D/F forms', async () => {
    const { machine } = await makeIn('x/y.o: a.c b.c a.c\n\t@echo "$@|$<|$^|$+|$?|$*|$(@D)|$(@F)|$(<D)|$(^F)"\n', [], (m) => {
      m.write(`${LAB}/a.c`);
      m.write(`${LAB}/b.c`);
    });
    expect(machine.terminal).toBe('x/y.o|a.c|a.c b.c|a.c b.c a.c|a.c b.c|x/y|x|y.o|.|a.c b.c\n');
  });

  it('leaves $* empty without a known suffix', async () => {
    const { machine } = await makeIn('all:\n\t@echo $@ [$<] [$*] $(@D) $(@F)\n');
    expect(machine.terminal).toBe('all [] [] . all\n');
  });
});

describe('pattern rules', () => {
  it('matches a pattern and substitutes the stem', async () => {
    const { machine } = await makeIn('all: x.o\n%.o: %.c\n\t@echo "$@|$<|$*"\n', [], (m) => m.write(`${LAB}/x.c`));
    expect(machine.terminal).toBe('x.o|x.c|x\n');
  });

  it('needs the prerequisites to exist', async () => {
    const { machine } = await makeIn('all: x.o\n%.o: %.c\n\t@echo "$@|$<|$*"\n');
    expect(machine.stderr).toBe("make: *** No rule to make target 'x.o', needed by 'all'.  Stop.\n");
  });

  it('matches the file name part when the pattern has no slash', async () => {
    const { machine } = await makeIn('sub/libfoo.o:\nlib%.o: %.c\n\t@echo "$@ $< $*"\n', [], (m) => {
      m.write(`${LAB}/sub/libfoo.c`);
      m.write(`${LAB}/sub/foo.c`);
    });
    expect(machine.terminal).toBe('sub/libfoo.o sub/foo.c sub/foo\n');
  });

  it('supports static pattern rules', async () => {
    const { machine } = await makeIn('OBJS = a.o b.o\nall: $(OBJS)\n$(OBJS): %.o: %.c\n\t@echo "$@ from $< stem $*"\n', [], (m) => {
      m.write(`${LAB}/a.c`);
      m.write(`${LAB}/b.c`);
    });
    expect(machine.terminal).toBe('a.o from a.c stem a\nb.o from b.c stem b\n');
  });

  it('chains rules through intermediate files and deletes them', async () => {
    const makefile = '%.mid: %.src\n\tcp $< $@\n%.out: %.mid\n\tcp $< $@\n';
    const { machine } = await makeIn(makefile, ['a.out'], (m) => m.write(`${LAB}/a.src`, 'data'));
    expect(machine.terminal).toBe('cp a.src a.mid\ncp a.mid a.out\nrm a.mid\n');
    expect(machine.read(`${LAB}/a.mid`)).toBeUndefined();
    expect(machine.read(`${LAB}/a.out`)).toBe('data');
  });

  it('does not remake a deleted intermediate when the target is newer than its source', async () => {
    const makefile = '%.mid: %.src\n\tcp $< $@\n%.out: %.mid\n\tcp $< $@\n';
    const { machine } = await makeIn(makefile, ['a.out'], (m) => {
      m.write(`${LAB}/a.src`);
      m.write(`${LAB}/a.out`);
    });
    expect(machine.terminal).toBe("make: 'a.out' is up to date.\n");
  });

  it('supports target- and pattern-specific variables, inherited by prerequisites', async () => {
    const { machine } = await makeIn(
      'CFLAGS = -O2\nall: CFLAGS += -g\nall: dep\n\t@echo all $(CFLAGS)\ndep:\n\t@echo dep $(CFLAGS)\n%.x: V = pat\nother: a.x\na.x:\n\t@echo $@ $(V)\n',
      ['all', 'other'],
    );
    expect(machine.terminal).toBe('dep -O2 -g\nall -O2 -g\na.x pat\n');
  });
});

describe('built-in rules', () => {
  it('compiles a C file into an object file', async () => {
    const { machine } = await makeIn(undefined, ['hello.o'], (m) => m.write(`${LAB}/hello.c`));
    expect(machine.terminal).toBe('cc    -c -o hello.o hello.c\n');
    expect(machine.recipes.map((r) => r.line)).toEqual(['cc    -c -o hello.o hello.c']);
  });

  it('links a program straight from its C file, spaced as GNU prints it', async () => {
    const { machine } = await makeIn(undefined, ['test'], (m) => m.write(`${LAB}/test.c`));
    expect(machine.terminal).toBe('cc     test.c   -o test\n');
  });

  it('links from the object file when it exists', async () => {
    const { machine } = await makeIn(undefined, ['test'], (m) => {
      m.write(`${LAB}/test.c`);
      m.write(`${LAB}/test.o`);
    });
    expect(machine.terminal).toBe('cc   test.o   -o test\n');
  });

  it('compiles then links `prog: prog.o util.o`, using CFLAGS', async () => {
    const { machine } = await makeIn('CFLAGS = -Wall\nprog: prog.o util.o\nutil.o: util.h\n', [], (m) => {
      for (const name of ['prog.c', 'util.c', 'util.h']) m.write(`${LAB}/${name}`);
    });
    expect(machine.terminal).toBe('cc -Wall   -c -o prog.o prog.c\ncc -Wall   -c -o util.o util.c\ncc   prog.o util.o   -o prog\n');
  });

  it('honours command-line CFLAGS and -r', async () => {
    const flags = await makeIn(undefined, ['-n', 'CFLAGS=-O2', 'test'], (m) => m.write(`${LAB}/test.c`));
    expect(flags.machine.terminal).toBe('cc -O2    test.c   -o test\n');
    const noRules = await makeIn('prog: prog.o\n', ['-r'], (m) => m.write(`${LAB}/prog.c`));
    expect(noRules.machine.stderr).toBe("make: *** No rule to make target 'prog.o', needed by 'prog'.  Stop.\n");
  });

  it('names <builtin> when a built-in recipe fails', async () => {
    const { status, machine } = await makeIn('all: a.o\n', [], (m) => {
      m.write(`${LAB}/a.c`);
      m.recipeAnswers.set('cc    -c -o a.o a.c', { status: 1, output: 'a.c:1: error\n' });
    });
    expect(status).toBe(2);
    expect(machine.terminal).toBe('cc    -c -o a.o a.c\na.c:1: error\nmake: *** [<builtin>: a.o] Error 1\n');
  });

  it('can be cancelled by a pattern rule without a recipe, or by clearing .SUFFIXES', async () => {
    const cancelled = await makeIn('%.o: %.c\n', ['t.o'], (m) => m.write(`${LAB}/t.c`));
    expect(cancelled.machine.stderr).toBe("make: *** No rule to make target 't.o'.  Stop.\n");
    const cleared = await makeIn('.SUFFIXES:\n', ['t'], (m) => m.write(`${LAB}/t.c`));
    expect(cleared.machine.stderr).toBe("make: *** No rule to make target 't'.  Stop.\n");
  });

  it('turns old-fashioned suffix rules into pattern rules', async () => {
    const { machine } = await makeIn('.c.o:\n\t@echo suffix $< $@\n', ['t.o'], (m) => m.write(`${LAB}/t.c`));
    expect(machine.terminal).toBe('suffix t.c t.o\n');
  });
});

describe('recipes', () => {
  it('expands, echoes and runs each line', async () => {
    const { machine } = await makeIn('NAME = world\nall:\n\techo hello $(NAME)\n\t@echo quiet\n');
    expect(machine.terminal).toBe('echo hello world\nhello world\nquiet\n');
    expect(machine.recipes.map((r) => r.line)).toEqual(['echo hello world', 'echo quiet']);
  });

  it('expands the whole recipe before running its first line', async () => {
    const { machine } = await makeIn('all:\n\techo a\n\t$(info hi)\n\t@echo b\n');
    expect(machine.terminal).toBe('hi\necho a\na\nb\n');
  });

  it('keeps backslash-newlines in recipe lines and drops the TAB after them', async () => {
    const { machine } = await makeIn('all:\n\techo a \\\n\tb\n');
    expect(machine.recipes[0]?.line).toBe('echo a \\\nb');
    expect(machine.stdout).toBe('echo a \\\nb\n');
  });

  it('runs each line of a multi-line variable as its own command', async () => {
    const { machine } = await makeIn('define two\n@echo one\necho two\nendef\nall:\n\t$(two)\n');
    expect(machine.terminal).toBe('one\necho two\ntwo\n');
  });

  it('stops at the first failing line with the recipe line number and status', async () => {
    const { status, machine } = await makeIn('all:\n\t@echo one\n\texit 3\n\t@echo never\n');
    expect(status).toBe(2);
    expect(machine.terminal).toBe('one\nexit 3\nmake: *** [Makefile:3: all] Error 3\n');
  });

  it('numbers recipe lines as GNU does, counting commands from the first one', async () => {
    const { machine } = await makeIn('all:\n\t@echo a \\\n\tb\n\n\t@false\n');
    expect(machine.stderr).toBe('make: *** [Makefile:3: all] Error 1\n');
  });

  it('ignores errors with - and -i', async () => {
    const dash = await makeIn('clean:\n\t-false\n\t@echo after\n');
    expect(dash.status).toBe(0);
    expect(dash.machine.terminal).toBe('false\nmake: [Makefile:2: clean] Error 1 (ignored)\nafter\n');
    const flag = await makeIn('all:\n\tfalse\n\t@echo after\n', ['-i']);
    expect(flag.machine.terminal).toBe('false\nmake: [Makefile:2: all] Error 1 (ignored)\nafter\n');
  });

  it('honours @ from variables, -s, .SILENT and combined prefixes', async () => {
    const prefixes = await makeIn('Q = @\nall:\n\t$(Q)echo quiet\n\t @ echo spaced\n\t-@false\n');
    expect(prefixes.machine.terminal).toBe('quiet\nspaced\nmake: [Makefile:5: all] Error 1 (ignored)\n');
    const silent = await makeIn('all:\n\techo hi\n', ['-s']);
    expect(silent.machine.terminal).toBe('hi\n');
    const special = await makeIn('.SILENT:\nall:\n\techo hi\n');
    expect(special.machine.terminal).toBe('hi\n');
  });

  it('prints without running under -n, but runs + lines and $(MAKE) lines', async () => {
    const { machine } = await makeIn('all:\n\techo normal\n\t@echo quiet\n\t+echo forced\n', ['-n']);
    expect(machine.terminal).toBe('echo normal\necho quiet\necho forced\nforced\n');
    expect(machine.recipes.map((r) => r.line)).toEqual(['echo forced']);
  });

  it('keeps going with -k and reports what was not remade', async () => {
    const { status, machine } = await makeIn('all: a b\na:\n\tfalse\nb:\n\techo b\n', ['-k']);
    expect(status).toBe(2);
    expect(machine.terminal).toBe("false\nmake: *** [Makefile:3: a] Error 1\necho b\nb\nmake: Target 'all' not remade because of errors.\n");
  });

  it('reports missing prerequisites without stopping under -k', async () => {
    const { status, machine } = await makeIn('all: x.o\nx.o: x.c\n', ['-k', 'foo', 'all']);
    expect(status).toBe(2);
    expect(machine.stderr).toBe(
      "make: *** No rule to make target 'foo'.\nmake: *** No rule to make target 'x.c', needed by 'x.o'.\nmake: Target 'all' not remade because of errors.\n",
    );
  });

  it('passes exported variables, MAKELEVEL and MAKEFLAGS to recipes', async () => {
    const { machine } = await makeIn('export FOO = bar\nBAZ = hidden\nunexport HOME\nall:\n\t@true\n', ['-k', 'CMD=line'], undefined, { ENVVAR: 'kept' });
    const env = machine.recipes[0]?.env ?? {};
    expect(env.FOO).toBe('bar');
    expect(env.BAZ).toBeUndefined();
    expect(env.HOME).toBeUndefined();
    expect(env.ENVVAR).toBe('kept');
    expect(env.CMD).toBe('line');
    expect(env.MAKELEVEL).toBe('1');
    expect(env.MAKEFLAGS).toBe('k -- CMD=line');
  });

  it('runs recipes in make’s directory', async () => {
    const machine = new FakeMachine();
    machine.write('/work/sub/Makefile', 'all:\n\t@pwd\n');
    const status = await runMake(['-C', 'sub', '--no-print-directory'], machine.env('/work'));
    expect(status).toBe(0);
    expect(machine.recipes[0]?.cwd).toBe('/work/sub');
  });
});

describe('other modes and special targets', () => {
  it('runs a .ONESHELL recipe as one script', async () => {
    const { machine } = await makeIn('.ONESHELL:\nall:\n\techo a\n\t@echo b\n\t-false\n');
    expect(machine.recipes.map((r) => r.line)).toEqual(['echo a\necho b\nfalse']);
    expect(machine.stdout).toBe('echo a\necho b\nfalse\n');
  });

  it('touches instead of remaking with -t', async () => {
    const { machine } = await makeIn('all: a.o\na.o: a.c\n\techo build\n', ['-t'], (m) => m.write(`${LAB}/a.c`));
    expect(machine.terminal).toBe('touch a.o\n');
    expect(machine.recipes.map((r) => r.line)).toEqual(['touch a.o']);
  });

  it('answers with its exit status under -q', async () => {
    const outOfDate = await makeIn('all: a.o\na.o: a.c\n\techo build\n', ['-q'], (m) => m.write(`${LAB}/a.c`));
    expect(outOfDate.status).toBe(1);
    expect(outOfDate.machine.terminal).toBe('');
    const upToDate = await makeIn('a.o: a.c\n\techo build\n', ['-q'], (m) => {
      m.write(`${LAB}/a.c`);
      m.write(`${LAB}/a.o`);
    });
    expect(upToDate.status).toBe(0);
  });

  it('uses the .DEFAULT recipe for files without rules', async () => {
    const { machine } = await makeIn('.DEFAULT:\n\t@echo default for $@\nall: x y\n');
    expect(machine.terminal).toBe('default for x\ndefault for y\n');
  });

  it('marks command-line variables for sub-makes as GNU does', async () => {
    const { machine } = await makeIn('all: ; @true\n', ['A=1']);
    expect(machine.recipes[0]?.env).toMatchObject({ A: '1', MAKEFLAGS: ' -- A=1', MAKEOVERRIDES: '${-*-command-variables-*-}' });
  });
});

describe('performance', () => {
  it('reads and evaluates a 200-line makefile in well under 10 ms', async () => {
    const lines = ['CC = gcc', 'CFLAGS := -Wall -O2', 'SRCS := $(wildcard src/*.c)', 'OBJS := $(patsubst %.c,%.o,$(SRCS))', '.PHONY: all clean'];
    for (let i = 0; i < 30; i++) {
      lines.push(`V${i} = $(addprefix obj/,$(notdir $(SRCS))) $(CFLAGS) x${i}`);
      lines.push(`ifeq ($(V${i}),)`, `  W${i} := empty`, 'else', `  W${i} := $(strip $(subst x,y,$(V${i})))`, 'endif');
    }
    for (let i = 0; i < 10; i++) lines.push(`t${i}: dep${i}`, `\t@echo $@ $(W${i})`, `\t$(CC) $(CFLAGS) -c $< -o $@`);
    lines.push('clean:', '\trm -f $(OBJS)');
    expect(lines.length).toBeGreaterThanOrEqual(200);
    const machine = new FakeMachine();
    for (let i = 0; i < 20; i++) machine.write(`/p/src/f${i}.c`);
    machine.write('/p/Makefile', `${lines.join('\n')}\n`);
    // The first runs pay for V8 compiling and optimising make itself; measure it warm.
    for (let run = 0; run < 30; run++) await runMake(['-n', 'clean'], machine.env('/p'));
    const timings: number[] = [];
    for (let run = 0; run < 15; run++) {
      const start = performance.now();
      await runMake(['-n', 'clean'], machine.env('/p'));
      timings.push(performance.now() - start);
    }
    // The fastest run is the one least disturbed by other work on a busy test machine.
    expect(Math.min(...timings)).toBeLessThan(10);
  });
});
