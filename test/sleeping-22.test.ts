// The article's sleeping idioms under the 2.2 personality.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

const files = {
  'sleep22.c': fs.readFileSync(path.join(import.meta.dirname, 'fixtures/sleep22.c'), 'utf8'),
  Makefile: 'obj-m += sleep22.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n',
  'ioc.c': '#include <fcntl.h>\n#include <sys/ioctl.h>\nint main(void){ int fd = open("/dev/s", O_RDWR); return ioctl(fd, 1, 0) < 0; }\n',
};
const SETUP = 'make -s && sudo insmod sleep22.ko && sudo mknod /dev/s c 125 0 && sudo chmod 666 /dev/s';
const config = { personality: '2.2' as const };

describe('2.2 sleeping: current->timeout, interruptible_sleep_on, schedule, semaphores', () => {
  it('interruptible_sleep_on with current->timeout times out after 3 s and returns early on wake_up', async () => {
    const r = await runSh(`${SETUP} && cat /dev/s; cat /dev/s & sleep 1; echo x > /dev/s; wait; dmesg | grep sleep22:`, { files, config });
    expect(r.output).toMatch(/sleep22: timed out after 300 jiffies\n.*sleep22: answered after 100 jiffies\n/);
  });

  it('current->state = TASK_INTERRUPTIBLE; schedule() sleeps until current->timeout', async () => {
    const r = await runSh(`${SETUP} && gcc -o ioc ioc.c && ./ioc; dmesg | grep sleep22:`, { files, config });
    expect(r.output).toMatch(/sleep22: schedule\(\) returned after 300 jiffies\n/);
  });

  it('schedule_timeout() and interruptible_sleep_on_timeout() return the jiffies left, also when a signal ended the sleep; an uninterruptible one sleeps on', async () => {
    const ioc = (cmd: number) => `#include <fcntl.h>\n#include <sys/ioctl.h>\nint main(void){ int fd = open("/dev/s", O_RDWR); return ioctl(fd, ${cmd}, 0) < 0; }\n`;
    const r = await runSh(`${SETUP} && gcc -o ioc2 ioc2.c && gcc -o ioc3 ioc3.c && gcc -o ioc4 ioc4.c && ./ioc2; ./ioc2 & sleep 0.5; kill -TERM $!; wait $!; ./ioc3 & sleep 0.5; kill -TERM $!; wait $!; ./ioc4 & sleep 0.5; kill -TERM $!; wait $!; dmesg | grep sleep22:`, {
      files: { ...files, 'ioc2.c': ioc(2), 'ioc3.c': ioc(3), 'ioc4.c': ioc(4) }, config,
    });
    expect(r.output).toMatch(/sleep22: schedule_timeout\(200\) returned 0 after 200 jiffies\n.*sleep22: schedule_timeout\(200\) returned 150 after 50 jiffies, signal pending\n.*sleep22: schedule_timeout\(200\) returned 0 after 200 jiffies, signal pending\n.*sleep22: interruptible_sleep_on_timeout\(200\) returned 150 after 50 jiffies, signal pending\n/);
  });

  it('a signal ends the sleep early and the driver sees signal_pending(current)', async () => {
    const r = await runSh(`${SETUP}; cat /dev/s & sleep 1; kill -TERM $!; wait $!; echo "status $?"; dmesg | grep sleep22:`, { files, config });
    expect(r.output).toMatch(/^status 143\n.*sleep22: signal after 100 jiffies\n/);
  });

  it('the MUTEX semaphore serialises two sleepers', async () => {
    const r = await runSh(`${SETUP}; cat /dev/s & cat /dev/s & sleep 0.5; ps -o stat,wchan,comm | grep cat; wait; dmesg | grep sleep22:`, { files, config });
    expect(r.output).toMatch(/^S\+ +interruptible_sleep_on cat$/m);
    expect(r.output).toMatch(/^D\+ +__down +cat$/m);
    expect(r.output).toMatch(/timed out after 300 jiffies\n.*timed out after 600 jiffies\n/);
  });
});
