// The kernel-module Makefile of the DriverLab tutorial, as a learner types it.

import { describe, expect, it } from 'vitest';
import { FakeMachine, makeIn } from './fake-env.js';

const TUTORIAL_MAKEFILE = `# Makefile
obj-m += hello.o

KERNEL_DIR := /lib/modules/$(shell uname -r)/build
PWD := $(shell pwd)

all:
\t$(MAKE) -C $(KERNEL_DIR) M=$(PWD) modules

clean:
\t$(MAKE) -C $(KERNEL_DIR) M=$(PWD) clean

install:
\tsudo insmod hello.ko

remove:
\tsudo rmmod hello

test:
\techo "Testing module..."
\tcat /proc/hello_proc
\techo "Hello from userspace!" | sudo tee /proc/hello_proc
\tdmesg | tail -5
`;

const BUILD = '/lib/modules/6.8.0-driverlab/build';
const MODULES_LINE = `make -C ${BUILD} M=/home/lab modules`;

function answerShell(machine: FakeMachine): void {
  machine.shellAnswers.set('uname -r', { status: 0, output: '6.8.0-driverlab\n' });
  machine.shellAnswers.set('pwd', { status: 0, output: '/home/lab\n' });
}

describe('the tutorial Makefile', () => {
  it('echoes and runs the kernel build line', async () => {
    const { status, machine } = await makeIn(TUTORIAL_MAKEFILE, [], (m) => {
      answerShell(m);
      m.recipeAnswers.set(MODULES_LINE, { status: 0 });
    });
    expect(status).toBe(0);
    expect(machine.stdout).toBe(`${MODULES_LINE}\n`);
    expect(machine.recipes).toHaveLength(1);
    expect(machine.recipes[0]?.line).toBe(MODULES_LINE);
    expect(machine.recipes[0]?.cwd).toBe('/home/lab');
    expect(machine.recipes[0]?.env.MAKELEVEL).toBe('1');
    expect(machine.shellCommands).toEqual(['uname -r', 'pwd']);
  });

  it('runs the kernel’s Makefile as a sub-make in its directory', async () => {
    const { status, machine } = await makeIn(TUTORIAL_MAKEFILE, [], (m) => {
      answerShell(m);
      m.write(`${BUILD}/Makefile`, 'modules:\n\t@echo "  CC [M]  $(M)/hello.o"\n');
    });
    expect(status).toBe(0);
    expect(machine.terminal).toBe(
      `${MODULES_LINE}\n` +
        `make[1]: Entering directory '${BUILD}'\n` +
        '  CC [M]  /home/lab/hello.o\n' +
        `make[1]: Leaving directory '${BUILD}'\n`,
    );
  });

  it('reports a failing kernel build with the sub-make’s status', async () => {
    const { status, machine } = await makeIn(TUTORIAL_MAKEFILE, [], (m) => {
      answerShell(m);
      m.recipeAnswers.set(MODULES_LINE, { status: 2 });
    });
    expect(status).toBe(2);
    expect(machine.stderr).toBe('make: *** [Makefile:8: all] Error 2\n');
  });

  it('runs the other targets’ lines', async () => {
    for (const [goal, line] of [
      ['clean', `make -C ${BUILD} M=/home/lab clean`],
      ['install', 'sudo insmod hello.ko'],
      ['remove', 'sudo rmmod hello'],
    ] as const) {
      const { status, machine } = await makeIn(TUTORIAL_MAKEFILE, [goal], (m) => {
        answerShell(m);
        m.recipeAnswers.set(line, { status: 0 });
      });
      expect(status).toBe(0);
      expect(machine.recipes.map((r) => r.line)).toEqual([line]);
    }
  });

  it('runs the four test lines in order', async () => {
    const { status, machine } = await makeIn(TUTORIAL_MAKEFILE, ['test'], (m) => {
      answerShell(m);
      m.write('/proc/hello_proc', 'Hello from the kernel!\n');
      m.recipeAnswers.set('echo "Hello from userspace!" | sudo tee /proc/hello_proc', { status: 0, output: 'Hello from userspace!\n' });
      m.recipeAnswers.set('dmesg | tail -5', { status: 0, output: '[  42.0] hello: written\n' });
    });
    expect(status).toBe(0);
    expect(machine.recipes.map((r) => r.line)).toEqual([
      'echo "Testing module..."',
      'cat /proc/hello_proc',
      'echo "Hello from userspace!" | sudo tee /proc/hello_proc',
      'dmesg | tail -5',
    ]);
    expect(machine.terminal).toBe(
      'echo "Testing module..."\nTesting module...\n' +
        'cat /proc/hello_proc\nHello from the kernel!\n' +
        'echo "Hello from userspace!" | sudo tee /proc/hello_proc\nHello from userspace!\n' +
        'dmesg | tail -5\n[  42.0] hello: written\n',
    );
  });

  it('stops the test target at the first failing line', async () => {
    const { status, machine } = await makeIn(TUTORIAL_MAKEFILE, ['test'], answerShell);
    expect(status).toBe(2);
    expect(machine.recipes.map((r) => r.line)).toEqual(['echo "Testing module..."', 'cat /proc/hello_proc']);
    expect(machine.terminal).toBe(
      'echo "Testing module..."\nTesting module...\n' +
        'cat /proc/hello_proc\ncat: /proc/hello_proc: No such file or directory\n' +
        'make: *** [Makefile:21: test] Error 1\n',
    );
  });

  it('rejects the recipe indented with one space instead of a TAB', async () => {
    const spaced = TUTORIAL_MAKEFILE.replace('\t$(MAKE) -C $(KERNEL_DIR) M=$(PWD) modules', ' $(MAKE) -C $(KERNEL_DIR) M=$(PWD) modules');
    const { status, machine } = await makeIn(spaced, [], answerShell);
    expect(status).toBe(2);
    expect(machine.stderr).toBe('Makefile:8: *** missing separator.  Stop.\n');
    expect(machine.recipes).toHaveLength(0);
  });

  it('hints at TAB when the recipe is indented with eight spaces', async () => {
    const spaced = TUTORIAL_MAKEFILE.replace('\t$(MAKE) -C $(KERNEL_DIR) M=$(PWD) modules', '        $(MAKE) -C $(KERNEL_DIR) M=$(PWD) modules');
    const { machine } = await makeIn(spaced, [], answerShell);
    expect(machine.stderr).toBe('Makefile:8: *** missing separator (did you mean TAB instead of 8 spaces?).  Stop.\n');
  });

  it('prints the build line under -n and still runs it, as $(MAKE) lines are', async () => {
    const { machine } = await makeIn(TUTORIAL_MAKEFILE, ['-n'], (m) => {
      answerShell(m);
      m.recipeAnswers.set(MODULES_LINE, { status: 0 });
    });
    expect(machine.stdout).toBe(`${MODULES_LINE}\n`);
    expect(machine.recipes[0]?.env.MAKEFLAGS).toBe('n');
  });
});
