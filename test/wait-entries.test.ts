// Waits written out by hand, as many drivers do instead of wait_event(): modern
// prepare_to_wait()/schedule()/finish_wait() and add_wait_queue(), and 2.2's
// add_wait_queue() + current->state + schedule(). The point of the pattern is that
// a wake-up arriving after the task queued itself but before schedule() is not lost.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const kbuild = (obj: string) => `obj-m += ${obj}\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n`;
const ioc = '#include <stdlib.h>\n#include <fcntl.h>\n#include <sys/ioctl.h>\nint main(int c, char **v){ int fd = open(v[1], O_RDWR); return ioctl(fd, atoi(v[2]), 0) < 0; }\n';

describe('open-coded waits (modern)', () => {
  const files = { 'waitentry.c': fixture('waitentry.c'), Makefile: kbuild('waitentry.o'), 'ioc.c': ioc };
  const SETUP = 'make -s && sudo insmod waitentry.ko && sudo mknod /dev/e c 206 0 && sudo chmod 666 /dev/e && gcc -o ioc ioc.c';

  it('prepare_to_wait/schedule/finish_wait: a reader sleeps (S, schedule) until a writer wakes it', async () => {
    const r = await runSh(`${SETUP} && head -c 5 /dev/e > out & sleep 1; ps -o stat,comm | grep head; echo hello > /dev/e; wait; cat out; echo`, { files });
    expect(r.output).toBe('S+   head\nhello\n');
  });

  it('a signal ends the open-coded wait; finish_wait took the task off the queue', async () => {
    const r = await runSh(`${SETUP}; cat /dev/e & sleep 1; kill -INT $!; wait $!; echo "status $?"; dmesg | grep waitentry:`, { files });
    expect(r.output).toMatch(/^status 130\n[\s\S]*waitentry: interrupted, queue empty\n$/);
  });

  it('a wake-up between prepare_to_wait() and schedule() is not lost: schedule_timeout() returns at once', async () => {
    const r = await runSh(`${SETUP} && ./ioc /dev/e 1 && dmesg | grep waitentry:`, { files });
    expect(r.output).toMatch(/waitentry: schedule_timeout after an early wake-up returned 100\n$/);
  });

  it('add_wait_queue(): the entry stays on the queue across wake-ups until remove_wait_queue()', async () => {
    const r = await runSh(`${SETUP} && ./ioc /dev/e 2 & sleep 1; echo abc > /dev/e; wait; dmesg | grep waitentry:`, { files });
    expect(r.output).toMatch(/waitentry: woken, still queued: 1\n[\s\S]*waitentry: got 4 bytes, queue active after remove: 0\n$/);
  });
});

describe('open-coded waits (2.2)', () => {
  const files = { 'waitentry22.c': fixture('waitentry22.c'), Makefile: kbuild('waitentry22.o'), 'ioc.c': ioc };
  const SETUP = 'make -s && sudo insmod waitentry22.ko && sudo mknod /dev/s c 125 0 && sudo chmod 666 /dev/s && gcc -o ioc ioc.c';
  const config = { personality: '2.2' as const };

  it('add_wait_queue + current->state + schedule() sleeps until wake_up_interruptible', async () => {
    const r = await runSh(`${SETUP} && cat /dev/s & sleep 1; ps -o stat,comm | grep cat; echo x > /dev/s; wait; dmesg | grep waitentry22:`, { files, config });
    expect(r.output).toMatch(/^S\+? +cat\n.*waitentry22: answered\n$/s);
  });

  it('a wake-up after current->state was set and before schedule() makes schedule() return at once', async () => {
    const r = await runSh(`${SETUP} && ./ioc /dev/s 1; dmesg | grep waitentry22:`, { files, config });
    expect(r.output).toMatch(/waitentry22: schedule\(\) after an early wake-up slept 0 jiffies\n$/);
  });
});
