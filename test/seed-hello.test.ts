// Acceptance test: the tutorial's §1 (shared/seeds/000_*.txt), hello.c and its
// Makefile exactly as printed (recipes TAB-indented), through the real CLI.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { seedFiles, tempWorkspace, withTabs, runSh } from './helpers/machine.js';

const seed = seedFiles('000_29c68f9db2cc9634.txt');
const HELLO_C = seed.get('hello.c')!;
const MAKEFILE = withTabs(seed.get('Makefile')!);
const CLI = path.resolve(import.meta.dirname, '../bin/driverlab.js');

function cli(args: string[], cwd: string) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
}

describe('seed §1: the /proc hello module', () => {
  it('builds, loads, reads, writes and unloads as the transcript shows (driverlab sh -c)', () => {
    const ws = tempWorkspace({ 'hello.c': HELLO_C, Makefile: MAKEFILE });
    const r = cli(['sh', '-c', 'make && sudo insmod hello.ko && cat /proc/hello_proc && echo "Test message" | sudo tee /proc/hello_proc && dmesg | tail -3 && sudo rmmod hello && dmesg | tail -1'], ws);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    const release = '6.8.0-driverlab';
    expect(lines.slice(0, 8)).toEqual([
      `make -C /lib/modules/${release}/build M=${'/home/lab'} modules`,
      `make[1]: Entering directory '/usr/src/linux-headers-${release}'`,
      '  CC [M]  /home/lab/hello.o',
      '  MODPOST /home/lab/Module.symvers',
      '  CC [M]  /home/lab/hello.mod.o',
      '  LD [M]  /home/lab/hello.ko',
      `make[1]: Leaving directory '/usr/src/linux-headers-${release}'`,
      'Hello from kernel module!',
    ]);
    expect(lines[8]).toBe('Test message');
    const ts = String.raw`\[\s*\d+\.\d{6}\] `;
    expect(lines[9]).toMatch(new RegExp(`^${ts}Hello module: initializing$`));
    expect(lines[10]).toMatch(new RegExp(`^${ts}Hello module: loaded successfully$`));
    expect(lines[11]).toMatch(new RegExp(`^${ts}Hello module: received 13 bytes$`));
    expect(lines[12]).toMatch(new RegExp(`^${ts}Hello module: unloaded$`));
    expect(lines.slice(13)).toEqual(['']);
    expect(r.status).toBe(0);
  });

  it('leaves nothing behind after rmmod, and reading the proc file fails like Linux', async () => {
    const r = await runSh('make -s >/dev/null && sudo insmod hello.ko && sudo rmmod hello; cat /proc/hello_proc; echo "status $?"; cat /proc/modules; grep -c hello /proc/modules', {
      files: { 'hello.c': HELLO_C, Makefile: MAKEFILE },
    });
    expect(r.output).toContain('cat: /proc/hello_proc: No such file or directory\nstatus 1\n');
    expect(r.output).not.toMatch(/^hello /m);
    expect(r.output.trimEnd().endsWith('0')).toBe(true);
  });

  it('shows a compile error with clang\'s file:line:col, make fails, and the shell goes on', async () => {
    const broken = HELLO_C.replace('return count;\n}\n\n// proc 파일 쓰기', 'return count\n}\n\n// proc 파일 쓰기');
    const r = await runSh('make; echo "make exited $?"', { files: { 'hello.c': broken, Makefile: MAKEFILE } });
    expect(r.output).toMatch(/\/home\/lab\/hello\.c:31:17: error: expected ';' after return statement/);
    expect(r.output).toMatch(/make\[2\]: \*\*\* \[scripts\/Makefile\.build:\d+: \/home\/lab\/hello\.o\] Error 1/);
    expect(r.output).toMatch(/make: \*\*\* \[Makefile:8: all\] Error 2\nmake exited 2\n$/);
  });

  it('a recipe indented with spaces is refused like GNU make', async () => {
    const r = await runSh('make; echo "status $?"', { files: { 'hello.c': HELLO_C, Makefile: seed.get('Makefile')! } });
    expect(r.output).toMatch(/^Makefile:8: \*\*\* missing separator/m);
    expect(r.output).toContain('status 2');
  });
});

