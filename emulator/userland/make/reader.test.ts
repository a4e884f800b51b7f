// Reading makefiles: conditionals, directives, includes, and the exact wording (file and
// line) of GNU make 4.3's syntax errors.

import { describe, expect, it } from 'vitest';
import { makeIn } from './fake-env.js';

async function errorOf(makefile: string, args: string[] = []): Promise<string> {
  const { status, machine } = await makeIn(makefile, args);
  expect(status).toBe(2);
  return machine.stderr;
}

async function outputOf(makefile: string, args: string[] = []): Promise<string> {
  const { machine } = await makeIn(makefile, args);
  return machine.terminal;
}

describe('conditionals', () => {
  const pick = (condition: string): Promise<string> =>
    outputOf(`A = 1\n${condition}\nR = yes\nelse\nR = no\nendif\nall: ; @echo $(R)\n`);

  it('compares with ifeq and ifneq in every quoting style', async () => {
    expect(await pick('ifeq ($(A),1)')).toBe('yes\n');
    expect(await pick('ifeq "$(A)" "1"')).toBe('yes\n');
    expect(await pick("ifeq '$(A)'   \"1\"")).toBe('yes\n');
    expect(await pick('ifneq ($(A),1)')).toBe('no\n');
    expect(await pick('ifeq (a(b),a(b))')).toBe('yes\n');
  });

  it('strips blanks around the comma only', async () => {
    expect(await pick('ifeq (1 , 1)')).toBe('yes\n');
    expect(await pick('ifeq ( 1,1)')).toBe('no\n');
    expect(await pick('ifeq (1,1 )')).toBe('no\n');
  });

  it('tests definedness with ifdef and ifndef (an empty value is undefined)', async () => {
    expect(await pick('ifdef A')).toBe('yes\n');
    expect(await pick('ifdef NOPE')).toBe('no\n');
    expect(await pick('ifndef NOPE')).toBe('yes\n');
    expect(await outputOf('E =\nF = $(E)\nifdef E\nR = e\nendif\nifdef F\nS = f\nendif\nall: ; @echo [$(R)][$(S)]\n')).toBe('[][f]\n');
  });

  it('chains else ifeq and nests', async () => {
    const makefile = (a: string): string =>
      `A = ${a}\nifeq ($(A),1)\n  ifdef B\n    R = 1b\n  else\n    R = 1\n  endif\nelse ifeq ($(A),2)\nR = 2\nelse\nR = other\nendif\nall: ; @echo $(R)\n`;
    expect(await outputOf(makefile('1'))).toBe('1\n');
    expect(await outputOf(makefile('1'), ['B=x'])).toBe('1b\n');
    expect(await outputOf(makefile('2'))).toBe('2\n');
    expect(await outputOf(makefile('3'))).toBe('other\n');
  });

  it('does not evaluate conditionals inside a false branch', async () => {
    expect(await outputOf('ifdef NOPE\nifeq (bad syntax\nendif\nelse\nR = ok\nendif\nall: ; @echo $(R)\n')).toBe('ok\n');
  });

  it('selects recipe lines inside a rule', async () => {
    const makefile = 'all:\nifeq ($(X),1)\n\t@echo one\nelse\n\t@echo other\nendif\n\t@echo always\n';
    expect(await outputOf(makefile, ['X=1'])).toBe('one\nalways\n');
    expect(await outputOf(makefile)).toBe('other\nalways\n');
  });

  it('warns about extraneous text', async () => {
    const { machine } = await makeIn('ifeq (a,a) junk\nendif junk\nall: ; @:\n');
    expect(machine.stderr).toBe("Makefile:1: extraneous text after 'ifeq' directive\nMakefile:2: extraneous text after 'endif' directive\n");
  });

  it('reports unbalanced conditionals', async () => {
    expect(await errorOf('ifeq (a,a)\nall:\n\techo\n')).toBe("Makefile:4: *** missing 'endif'.  Stop.\n");
    expect(await errorOf('endif\n')).toBe("Makefile:1: *** extraneous 'endif'.  Stop.\n");
    expect(await errorOf('else\n')).toBe("Makefile:1: *** extraneous 'else'.  Stop.\n");
    expect(await errorOf('ifdef X\nelse\nelse\nendif\n')).toBe("Makefile:3: *** only one 'else' per conditional.  Stop.\n");
    expect(await errorOf('ifeq (a,b\nendif\n')).toBe('Makefile:1: *** invalid syntax in conditional.  Stop.\n');
    expect(await errorOf('ifeq a a\nendif\n')).toBe('Makefile:1: *** invalid syntax in conditional.  Stop.\n');
  });
});

describe('syntax errors', () => {
  it('rejects a recipe indented with spaces, hinting at TAB only for eight or more', async () => {
    expect(await errorOf('all:\n echo hi\n')).toBe('Makefile:2: *** missing separator.  Stop.\n');
    expect(await errorOf('all:\n    echo hi\n')).toBe('Makefile:2: *** missing separator.  Stop.\n');
    expect(await errorOf('all:\n        echo hi\n')).toBe('Makefile:2: *** missing separator (did you mean TAB instead of 8 spaces?).  Stop.\n');
    // GNU words the hint "8 spaces" whatever the count, as long as there are at least eight.
    expect(await errorOf('all:\n          echo hi\n')).toBe('Makefile:2: *** missing separator (did you mean TAB instead of 8 spaces?).  Stop.\n');
    expect(await errorOf('x = 1\n        foo bar\n')).toBe('Makefile:2: *** missing separator (did you mean TAB instead of 8 spaces?).  Stop.\n');
  });

  it('rejects lines that are neither rules nor assignments', async () => {
    expect(await errorOf('foo bar = x\n')).toBe('Makefile:1: *** missing separator.  Stop.\n');
    expect(await errorOf('override x\n')).toBe('Makefile:1: *** missing separator.  Stop.\n');
  });

  it('rejects a recipe before the first target', async () => {
    expect(await errorOf('\techo hi\nall:\n')).toBe('Makefile:1: *** recipe commences before first target.  Stop.\n');
    expect(await errorOf('all:\nx = 1\n\techo hi\n')).toBe('Makefile:3: *** recipe commences before first target.  Stop.\n');
    // A line that expands to nothing still ends the rule.
    expect(await errorOf('all:\n$(info x)\n\techo hi\n')).toBe('Makefile:3: *** recipe commences before first target.  Stop.\n');
  });

  it('reports an unterminated define', async () => {
    expect(await errorOf('define X\nall:\n\techo\n\n')).toBe("Makefile:1: *** missing 'endef', unterminated 'define'.  Stop.\n");
  });

  it('reports static pattern mistakes', async () => {
    expect(await errorOf('a: b: c\n')).toBe("Makefile:1: *** target pattern contains no '%'.  Stop.\n");
  });

  it('reports the file a syntax error is in', async () => {
    const { machine } = await makeIn('include rules.mk\nall: ; @:\n', [], (m) => m.write('/home/lab/rules.mk', 'x = 1\n  oops\n'));
    expect(machine.stderr).toBe('rules.mk:2: *** missing separator.  Stop.\n');
  });
});

describe('rules as read', () => {
  it('ignores blank and comment lines inside a recipe', async () => {
    expect(await outputOf('all:\n\t@echo a\n\n# comment\n\t@echo b\n')).toBe('a\nb\n');
  });

  it('skips the recipe of a rule without targets', async () => {
    expect(await outputOf('$(empty):\n\techo hi\nall: ; @echo all\n')).toBe('all\n');
  });

  it('takes a recipe after a semicolon, comment characters included', async () => {
    expect(await outputOf('all: ; echo a # b\n')).toBe('echo a # b\na # b\n');
  });

  it('warns when a recipe is replaced', async () => {
    const { machine } = await makeIn('all:\n\t@echo one\nall:\n\t@echo two\n');
    expect(machine.terminal).toBe(
      "Makefile:4: warning: overriding recipe for target 'all'\nMakefile:2: warning: ignoring old recipe for target 'all'\ntwo\n",
    );
  });

  it('merges the prerequisites of several rules, the recipe’s own first', async () => {
    expect(await outputOf('all: a\nall: b\n\t@echo $^\na b: ; @:\n')).toBe('b a\n');
  });
});

describe('include', () => {
  it('reads included files and records them in MAKEFILE_LIST', async () => {
    const { machine } = await makeIn('include vars.mk\nall: ; @echo $(X) $(MAKEFILE_LIST)\n', [], (m) => m.write('/home/lab/vars.mk', 'X = from-include\n'));
    expect(machine.terminal).toBe('from-include Makefile vars.mk\n');
  });

  it('stops on a missing include that no rule makes', async () => {
    expect(await errorOf('include foo.mk\nall:\n\techo\n')).toBe(
      "Makefile:1: foo.mk: No such file or directory\nmake: *** No rule to make target 'foo.mk'.  Stop.\n",
    );
  });

  it('ignores a missing -include', async () => {
    expect(await outputOf('-include foo.mk\nsinclude bar.mk\nall: ; @echo hi\n')).toBe('hi\n');
  });

  it('makes a missing include from its rule, then reads everything again', async () => {
    const { machine } = await makeIn('include sub.mk\nall: ; @echo all $(X)\nsub.mk:\n\tcp template sub.mk\n', [], (m) => {
      m.write('/home/lab/template', 'X = 1\n');
    });
    expect(machine.terminal).toBe('cp template sub.mk\nall 1\n');
  });

  it('goes on when the rule of a missing include does not create it', async () => {
    const { status, machine } = await makeIn('include sub.mk\nall: ; @echo all $(X)\nsub.mk:\n\t@echo not creating\n');
    expect(status).toBe(0);
    expect(machine.terminal).toBe('not creating\nall\n');
  });
});

describe('mixed implicit and normal rules (found by test/fuzz/tools.test.ts against GNU make 4.3)', () => {
  it('stops when a pattern comes first, and only warns when an ordinary target does', async () => {
    expect(await errorOf('%.o a: x\n\techo\nall:\n')).toBe('Makefile:1: *** mixed implicit and normal rules.  Stop.\n');
    expect(await errorOf('all:\n%.o\\\n b:\n')).toBe('Makefile:2: *** mixed implicit and normal rules.  Stop.\n');
    expect(await errorOf('a %.o: x\n\techo\nall:\n', ['-n'])).toBe("Makefile:1: *** mixed implicit and normal rules: deprecated syntax\nmake: *** No rule to make target 'x', needed by 'a'.  Stop.\n");
  });
});

describe('a reference that never closes (found by test/fuzz/tools.test.ts against GNU make 4.3)', () => {
  it('$($(X)... swallows the rest of the line, as GNU make does', async () => {
    const { status, machine } = await makeIn('all:$($(X)all', ['-n']);
    expect(status).toBe(0);
    expect(machine.terminal).toBe("make: Nothing to be done for 'all'.\n");
    expect(await outputOf('X = a$($(Y)b c\nall: ; @echo "[$(X)]"\n')).toBe('[a]\n');
  });

  it('a $ at the very end of a line is a $, as in GNU make', async () => {
    expect(await errorOf('all:$', ['-n'])).toBe("make: *** No rule to make target '$', needed by 'all'.  Stop.\n");
  });
});

describe('a backslash at the end of the file (found by test/fuzz/tools.test.ts against GNU make 4.3)', () => {
  it('joins an empty line when a newline follows it, and is a backslash when none does', async () => {
    expect((await makeIn('all::\\\n', ['-n'])).machine.terminal).toBe("make: Nothing to be done for 'all'.\n");
    expect(await errorOf('all::\\', ['-n'])).toBe("make: *** No rule to make target '\\', needed by 'all'.  Stop.\n");
  });
});
