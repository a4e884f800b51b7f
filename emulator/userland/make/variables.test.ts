// Variables of every flavour and origin, and the builtin functions. Expected outputs were
// checked against GNU make 4.3.

import { describe, expect, it } from 'vitest';
import { makeIn } from './fake-env.js';

/** stdout of `make` on a makefile whose work is done by $(info) lines. */
async function info(makefile: string, args: string[] = [], environment: Record<string, string> = {}): Promise<string> {
  const { machine } = await makeIn(`${makefile}\nall: ; @:\n`, args, undefined, environment);
  expect(machine.stderr).toBe('');
  return machine.stdout;
}

describe('variable flavours', () => {
  it('expands recursive variables late and simple ones at once', async () => {
    const out = await info('x = $(y)\ny = late\nz := $(y)\nw := $(x)\nv ::= $(y)\n$(info [$x][$z][$w][$v])');
    expect(out).toBe('[late][late][late][late]\n');
  });

  it('appends with a space, keeping the flavour', async () => {
    const out = await info('x =\nx += a\ny = b\ny+=c\ns := $(y)\ns += $(y)\n$(info [$x][$y][$s][$(flavor s)])');
    expect(out).toBe('[a][b c][b c b c][simple]\n');
  });

  it('assigns with ?= only when undefined, and != from the shell', async () => {
    const out = await info('x = 1\nx ?= 2\ny ?= 3\nz != echo hi\n$(info [$x][$y][$z])');
    expect(out).toBe('[1][3][hi]\n');
  });

  it('keeps trailing blanks before a comment and honours \\#', async () => {
    const out = await info('x = foo # comment\ny = a\\#b\n$(info [$x][$y])');
    expect(out).toBe('[foo ][a#b]\n');
  });

  it('collapses backslash-newlines outside recipes', async () => {
    const out = await info('x = a \\\n    b   \\\n  c\n$(info [$x])');
    expect(out).toBe('[a b c]\n');
  });

  it('computes variable names and accepts ${} and single-letter references', async () => {
    const out = await info('v = NAME\n$(v) = 3\nX = x\n$(info [$(NAME)][${NAME}][$X][$$])');
    expect(out).toBe('[3][3][x][$]\n');
  });

  it('supports substitution references', async () => {
    const out = await info('src = a.c b.c\n$(info [$(src:.c=.o)][$(src:%.c=obj/%.o)])');
    expect(out).toBe('[a.o b.o][obj/a.o obj/b.o]\n');
  });

  it('defines multi-line variables with define', async () => {
    const out = await info('define two\nline one\nline two\nendef\ndefine S :=\n$(X)\nendef\nX = late\n$(info [$(two)][$(S)][$(flavor S)])');
    expect(out).toBe('[line one\nline two][][simple]\n');
  });

  it('undefines variables', async () => {
    const out = await info('x = 1\nundefine x\n$(info [$(origin x)])');
    expect(out).toBe('[undefined]\n');
  });
});

describe('origins and precedence', () => {
  it('lets command-line variables win unless override is used', async () => {
    expect(await info('x = 1\n$(info [$x])', ['x=2'])).toBe('[2]\n');
    expect(await info('override x = 1\n$(info [$x])', ['x=2'])).toBe('[1]\n');
    expect(await info('x += 1\n$(info [$x])', ['x=2'])).toBe('[2]\n');
    expect(await info('override x += 1\n$(info [$x])', ['x=2'])).toBe('[2 1]\n');
  });

  it('sees the environment, which makefiles override unless -e', async () => {
    expect(await info('$(info [$(FOO)][$(origin FOO)])', [], { FOO: 'env' })).toBe('[env][environment]\n');
    expect(await info('FOO = mk\n$(info [$(FOO)][$(origin FOO)])', [], { FOO: 'env' })).toBe('[mk][file]\n');
    expect(await info('FOO = mk\n$(info [$(FOO)][$(origin FOO)])', ['-e'], { FOO: 'env' })).toBe('[env][environment override]\n');
  });

  it('reports every origin', async () => {
    const out = await info('f = 1\noverride o = 1\n$(info $(origin CC) $(origin HOME) $(origin f) $(origin o) $(origin c) $(origin nope))', [
      'c=1',
    ]);
    expect(out).toBe('default environment file override command line undefined\n');
  });

  it('defines make’s own variables', async () => {
    const out = await info('$(info $(MAKE) $(MAKELEVEL) $(CURDIR) $(MAKE_VERSION) $(CC) $(SHELL) [$(MAKECMDGOALS)] $(MAKEFILE_LIST))');
    expect(out).toBe('make 0 /home/lab 4.3 cc /bin/sh [] Makefile\n');
  });

  it('takes MAKELEVEL from the environment', async () => {
    const out = await info('$(info $(MAKELEVEL))', [], { MAKELEVEL: '2' });
    expect(out).toContain('2\n');
  });
});

describe('functions', () => {
  it('transforms text', async () => {
    const out = await info(
      '$(info [$(subst a,b,banana)][$(patsubst %.c,%.o,a.c b.h  c.c)][$(strip  a   b  )][$(findstring a b,xa by)])',
    );
    expect(out).toBe('[bbnbnb][a.o b.h c.o][a b][a b]\n');
  });

  it('filters and sorts words', async () => {
    const out = await info('$(info [$(filter %.c b,a.c b c.h)][$(filter-out %.c,a.c b)][$(sort b a  c a)])');
    expect(out).toBe('[a.c b][b][a b c]\n');
  });

  it('picks words', async () => {
    const out = await info('$(info [$(word 2,a b c)][$(words a b  c)][$(firstword  a b)][$(lastword a b)][$(wordlist 2,9,a b c)][$(word 9,a b)])');
    expect(out).toBe('[b][3][a][b][b c][]\n');
  });

  it('splits file names', async () => {
    const out = await info(
      '$(info [$(dir a/b c /d)][$(notdir a/b c/ d)][$(suffix a.c b/c.d/e f.g.h)][$(basename a.c b.d/e f.g.h)][$(addprefix p/,a b)][$(addsuffix .x,a b)][$(join a b c,1 2)])',
    );
    expect(out).toBe('[a/ ./ /][b  d][.c .h][a b.d/e f.g][p/a p/b][a.x b.x][a1 b2 c]\n');
  });

  it('makes paths absolute', async () => {
    const out = await info('$(info [$(abspath ./a/../b /x/./y/ c//d)][$(realpath . nope)])');
    expect(out).toBe('[/home/lab/b /x/y /home/lab/c/d][/home/lab]\n');
  });

  it('loops, branches and calls', async () => {
    const out = await info(
      'f = [$0:$1:$2:$3]\ng = $(call f,x)\n$(info $(foreach v,a b,<$v>) $(if ,yes,no) $(if x , a , b )|$(or ,  a  ,b)|$(and a, b )|$(call f,a,b) $(call g,p,q,r))',
    );
    expect(out).toBe('<a> <b> no  a |a|b|[f:a:b:] [f:x::]\n');
  });

  it('lets a called variable call itself', async () => {
    const out = await info('reverse = $(if $(1),$(call reverse,$(wordlist 2,9,$(1))) $(firstword $(1)))\n$(info [$(strip $(call reverse,a b c))])');
    expect(out).toBe('[c b a]\n');
  });

  it('runs the shell, folding newlines, and sets .SHELLSTATUS', async () => {
    const { machine } = await makeIn('x := $(shell pwd)|$(shell exit 3)$(.SHELLSTATUS)\n$(info $x)\nall: ; @:\n', [], (m) => {
      m.shellAnswers.set('printf', { status: 0, output: 'a\nb\n\n' });
    });
    expect(machine.stdout).toBe('/home/lab|3\n');
    const folded = await makeIn('x := [$(shell printf)]\ny != printf\n$(info $x[$y])\nall: ; @:\n', [], (m) => {
      m.shellAnswers.set('printf', { status: 0, output: 'a\nb\n\n' });
    });
    expect(folded.machine.stdout).toBe('[a b][a b ]\n');
  });

  it('finds files with wildcard, sorted per pattern', async () => {
    const { machine } = await makeIn('$(info [$(wildcard *.c)][$(wildcard z.c a.c nope.c)][$(wildcard sub/*.c)])\nall: ; @:\n', [], (m) => {
      for (const name of ['z.c', 'a.c', 'm.c', 'sub/x.c']) m.write(`/home/lab/${name}`);
    });
    expect(machine.stdout).toBe('[a.c m.c z.c][z.c a.c][sub/x.c]\n');
  });

  it('reports origin, flavor and value, and evaluates text', async () => {
    const out = await info('x = $(y)\n$(eval z := made by eval)\n$(info $(flavor x) $(value x) $(z))');
    expect(out).toBe('recursive $(y) made by eval\n');
  });

  it('prints info, warnings with their line, and stops on error', async () => {
    const { status, machine } = await makeIn('$(info to stdout)\n$(warning careful)\n\n$(error boom here)\n');
    expect(status).toBe(2);
    expect(machine.stdout).toBe('to stdout\n');
    expect(machine.stderr).toBe('Makefile:2: careful\nMakefile:4: *** boom here.  Stop.\n');
  });

  it('checks argument counts and numbers', async () => {
    const cases: Array<[string, string]> = [
      ['x := $(subst a,b)', "Makefile:1: *** insufficient number of arguments (2) to function 'subst'.  Stop.\n"],
      ['x := $(word x,a b)', "Makefile:1: *** non-numeric first argument to 'word' function: 'x'.  Stop.\n"],
      ['x := $(word 0,a b)', "Makefile:1: *** first argument to 'word' function must be greater than 0.  Stop.\n"],
      ['x := $(wordlist 1,y,a)', "Makefile:1: *** non-numeric second argument to 'wordlist' function: 'y'.  Stop.\n"],
      ['x := $(wordlist 0,1,a)', "Makefile:1: *** invalid first argument to 'wordlist' function: '0'.  Stop.\n"],
    ];
    for (const [makefile, message] of cases) {
      const { status, machine } = await makeIn(`${makefile}\n`);
      expect(status).toBe(2);
      expect(machine.stderr).toBe(message);
    }
  });
});

describe('expansion errors', () => {
  it('reports unterminated references where they are expanded', async () => {
    const simple = await makeIn('x := $(foo\nall:\n\techo\n');
    expect(simple.machine.stderr).toBe('Makefile:1: *** unterminated variable reference.  Stop.\n');
    const recipe = await makeIn('all:\n\techo $(foo\n');
    expect(recipe.machine.stderr).toBe('Makefile:2: *** unterminated variable reference.  Stop.\n');
  });

  it('reports an unterminated recursive variable at its definition', async () => {
    const { machine } = await makeIn('x = $(foo\nall:\n\t@echo $(x)\n');
    expect(machine.stderr).toBe('Makefile:1: *** unterminated variable reference.  Stop.\n');
  });

  it('reports an unterminated function call', async () => {
    const { machine } = await makeIn('x = $(info\nall:;@echo $(x)\n');
    expect(machine.stderr).toBe("Makefile:1: *** unterminated call to function 'info': missing ')'.  Stop.\n");
  });

  it('catches a variable that references itself', async () => {
    const { status, machine } = await makeIn('x = $(x) a\nall:;@echo $(x)\n');
    expect(status).toBe(2);
    expect(machine.stderr).toBe("Makefile:1: *** Recursive variable 'x' references itself (eventually).  Stop.\n");
  });
});
