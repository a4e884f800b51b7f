// Lab 1 checks: the tutorial's §1 session (shared/seeds/000, "1.3 컴파일과 테스트"), item by item,
// and what a grader usually cannot see: reads in small pieces, nothing left behind by rmmod.
import type { Check, CheckContext, ShellResult } from '@driverlab/checks';

const GREETING = 'Hello from kernel module!\n';

/** A reader that asks for 5 bytes at a time, as a program with a small buffer would. */
const SMALL_READS_C = `#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    char buf[5];
    ssize_t n;
    int calls = 0;
    int fd = open("/proc/hello_proc", O_RDONLY);
    if (fd < 0) { perror("open"); return 1; }
    while ((n = read(fd, buf, sizeof buf)) > 0 && ++calls < 100)
        fwrite(buf, 1, n, stdout);
    if (n < 0) perror("read");
    return calls >= 100 ? 2 : 0;
}
`;

function messages(t: CheckContext, since: ReturnType<CheckContext['machine']['mark']>): string[] {
  return t.machine.dmesg(since).map((m) => m.text);
}

function shown(r: ShellResult): string {
  return r.output.trimEnd() || `(no output, exit status ${r.status})`;
}

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds hello.ko',
    async run(t) {
      await t.machine.build();
      t.expect(t.files.exists('hello.ko'), {
        summary: '`make` finished but built no hello.ko.',
        where: t.find('Makefile', /^obj-m/) ?? t.todo(1),
        hint: 'kbuild builds the modules named in obj-m: hello.o becomes hello.ko.',
      });
    },
  },
  {
    id: 'insmod',
    title: '`sudo insmod hello.ko` loads the module and logs its two messages',
    needs: ['build'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo insmod hello.ko');
      t.expectEqual(r.status, 0, { summary: 'insmod failed: the module\'s init function returned an error.', seen: shown(r), where: t.todo(2) });
      const log = messages(t, mark);
      const first = log.indexOf('Hello module: initializing');
      const second = log.indexOf('Hello module: loaded successfully');
      t.expect(first >= 0 && second > first, {
        summary: 'The kernel log does not show both load messages, in order.',
        seen: log.join('\n') || '(no messages)',
        expected: 'Hello module: initializing\nHello module: loaded successfully',
        where: t.find('hello.c', 'hello_init') ?? t.todo(2),
      });
    },
  },
  {
    id: 'proc-file',
    title: '/proc/hello_proc exists and everyone may read and write it (-rw-rw-rw-)',
    needs: ['insmod'],
    async run(t) {
      const r = await t.machine.sh('ls -l /proc/hello_proc');
      t.expect(r.status === 0, {
        summary: 'After insmod there is no /proc/hello_proc.',
        seen: shown(r),
        where: t.todo(2),
        hint: 'hello_init creates it with proc_create(PROC_FILENAME, 0666, NULL, &hello_proc_ops).',
      });
      t.expectMatch(r.output, /^-rw-rw-rw- /, { summary: '/proc/hello_proc does not have mode 0666.', where: t.todo(2) });
    },
  },
  {
    id: 'proc-read',
    title: '`cat /proc/hello_proc` prints "Hello from kernel module!"',
    needs: ['proc-file'],
    async run(t) {
      const r = await t.machine.sh('cat /proc/hello_proc');
      if (r.status !== 0 && /Invalid argument|Input\/output error/.test(r.output)) {
        t.fail({ summary: 'Reading /proc/hello_proc fails: the file has no read operation.', seen: shown(r), where: t.todo(3) });
      }
      t.expect(r.output !== '', {
        summary: '`cat /proc/hello_proc` prints nothing: hello_read says "end of file" (returns 0) at once.',
        expected: GREETING,
        where: t.todo(4),
      });
      t.expectEqual(r.output, GREETING, { summary: '`cat /proc/hello_proc` does not print the greeting exactly once.', where: t.todo(4) });
    },
  },
  {
    id: 'small-reads',
    title: 'reading 5 bytes at a time gives the same text, then end of file',
    needs: ['proc-read'],
    async run(t) {
      t.files.write('.check/small_reads.c', SMALL_READS_C);
      await t.machine.build('gcc -o .check/small_reads .check/small_reads.c');
      const r = await t.machine.sh('.check/small_reads');
      t.expect(r.status !== 2, {
        summary: 'hello_read never returns 0 to a reader with a small buffer: it keeps giving text.',
        seen: r.output.slice(0, 200),
        where: t.todo(4),
        hint: 'Each call must start at *pos, copy at most count bytes, and advance *pos; once *pos reaches the end, return 0.',
      });
      t.expectEqual(r.output, GREETING, {
        summary: 'Reading 5 bytes at a time does not give the greeting.',
        where: t.todo(4),
        hint: 'Each call must start at message + *pos, copy at most count bytes, and advance *pos.',
      });
    },
  },
  {
    id: 'proc-write',
    title: '`echo "Test message" | sudo tee /proc/hello_proc` is logged as "received 13 bytes"',
    needs: ['proc-file'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('echo "Test message" | sudo tee /proc/hello_proc');
      if (/Input\/output error/.test(r.output)) t.fail({ summary: 'Writing /proc/hello_proc fails: the file has no write operation.', seen: shown(r), where: t.todo(3) });
      t.expect(r.status === 0, { summary: 'Writing to /proc/hello_proc fails.', seen: shown(r), expected: 'Test message', where: t.todo(5) });
      const log = messages(t, mark);
      t.expect(log.includes('Hello module: received 13 bytes'), {
        summary: 'The write is not logged with its byte count ("Test message" and its newline are 13 bytes).',
        seen: log.join('\n') || '(no messages)',
        expected: 'Hello module: received 13 bytes',
        where: t.todo(5),
      });
    },
  },
  {
    id: 'rmmod',
    title: '`sudo rmmod hello` unloads it and logs "Hello module: unloaded"',
    needs: ['insmod'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo rmmod hello');
      t.expectEqual(r.status, 0, { summary: 'rmmod failed.', seen: shown(r) });
      t.expect(messages(t, mark).includes('Hello module: unloaded'), {
        summary: 'Unloading is not logged.',
        seen: messages(t, mark).join('\n') || '(no messages)',
        expected: 'Hello module: unloaded',
        where: t.find('hello.c', 'hello_exit'),
      });
    },
  },
  {
    id: 'clean-unload',
    title: 'nothing is left behind after rmmod: no /proc/hello_proc, no module, no leaked memory',
    needs: ['rmmod'],
    async run(t) {
      const m = t.machine;
      const left = m.unloads().find((u) => u.module === 'hello');
      t.expect(!left?.leftovers.includes('proc'), {
        summary: 'The module was unloaded with /proc/hello_proc still registered (the kernel removed it; Linux would have left a dangling entry).',
        where: t.todo(6),
      });
      t.expect(!left || left.leakedAllocations === 0, { summary: `The module leaked ${left?.leakedBytes} bytes of kmalloc memory.` });
      const r = await m.sh('ls /proc/hello_proc');
      t.expect(r.status !== 0, { summary: '/proc/hello_proc is still there after rmmod.', seen: shown(r), where: t.todo(6) });
      t.expect(!m.resources().modules.some((mod) => mod.name === 'hello'), { summary: 'lsmod still lists hello after rmmod.' });
    },
  },
  {
    id: 'no-oops',
    title: 'the kernel reported no BUG, WARNING or Oops',
    needs: ['insmod'],
    run(t) {
      t.expectNoProblems();
    },
  },
];

export default checks;
