// Sleeping inside C (Asyncify): a driver's read blocks on a wait queue while
// other processes run; a writer wakes it; a signal ends the wait and the
// driver's cleanup runs; timeouts and mutexes work on virtual time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

const DRIVER = fs.readFileSync(path.join(import.meta.dirname, 'fixtures/waitdev.c'), 'utf8');
const files = {
  'waitdev.c': DRIVER,
  Makefile: 'obj-m += waitdev.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n',
  'ioc.c': '#include <stdio.h>\n#include <stdlib.h>\n#include <fcntl.h>\n#include <unistd.h>\n#include <sys/ioctl.h>\nint main(int c, char **v){ int fd = open("/dev/x", O_RDWR); long r = ioctl(fd, atoi(v[1]), atol(v[2])); printf("ioctl %s -> %ld\\n", v[1], r); return 0; }\n',
};
const SETUP = 'make -s && sudo insmod waitdev.ko && sudo mknod /dev/x c 200 0 && sudo chmod 666 /dev/x';
const stamp = (out: string, text: string) => Number(new RegExp(`\\[\\s*(\\d+\\.\\d+)\\] ${text}`).exec(out)?.[1]);

describe('sleeping in driver code', () => {
  it('a reader sleeps on the wait queue (ps shows S and the wait channel) until a writer wakes it', async () => {
    const r = await runSh(`${SETUP} && head -c 6 /dev/x > out & sleep 1; ps -o stat,wchan,comm | grep head; echo wakeup > /dev/x; wait; cat out; echo`, { files });
    expect(r.output).toBe('S+   wait_event       head\nwakeup\n');
  });

  it('kill -INT ends a blocked reader with status 130 after the driver cleaned up', async () => {
    const r = await runSh(`${SETUP}; cat /dev/x & sleep 1; kill -INT $!; wait $!; echo "status $?"; dmesg | grep -c "reader interrupted"`, { files });
    expect(r.output).toBe('status 130\n1\n');
  });

  it('a timed wait times out after 3 s of virtual time, or returns early when woken', async () => {
    const r = await runSh(`${SETUP} && gcc -o ioc ioc.c && ./ioc 1 0; ./ioc 1 0 & sleep 1; echo data > /dev/x; wait; dmesg | grep waitdev`, { files });
    // 300 jiffies minus the ~100 that `sleep 1` took (the PIT's 10.000155 ms tick can make it 99).
    expect(r.output).toMatch(/^ioctl 1 -> 0\nioctl 1 -> (19\d|20[01])\n/);
    const log = r.output;
    const waits = [...log.matchAll(/\[\s*(\d+\.\d+)\] waitdev: (waiting|wait returned -?\d+)/g)].map((m) => [Number(m[1]), m[2]] as const);
    expect(waits[1]![0] - waits[0]![0]).toBeGreaterThan(2.999);
    expect(waits[1]![0] - waits[0]![0]).toBeLessThan(3.05);
    expect(waits[3]![0] - waits[2]![0]).toBeLessThan(1.1);
  });

  it('two processes contend on a mutex: the second sleeps until the first unlocks', async () => {
    const r = await runSh(`${SETUP} && gcc -o ioc ioc.c; ./ioc 2 200 & ./ioc 2 200 & wait; dmesg | grep lock`, { files });
    const events = [...r.output.matchAll(/\] waitdev: (\d+) (has|releases) the lock/g)].map((m) => `${m[2]}`);
    expect(events).toEqual(['has', 'releases', 'has', 'releases']);
    const [first, second] = [...r.output.matchAll(/\] waitdev: (\d+) has the lock/g)].map((m) => m[1]);
    expect(first).not.toBe(second);
  });

  it('set_current_state + schedule_timeout sleeps for the timeout', async () => {
    const r = await runSh(`${SETUP} && gcc -o ioc ioc.c && ./ioc 3 0 && dmesg | grep -E "schedule_timeout"`, { files });
    expect(r.output).toMatch(/^ioctl 3 -> 0\n.*waitdev: schedule_timeout returned 0\n$/);
  });

  it('msleep in init delays insmod by virtual time, not wall time', async () => {
    const r = await runSh(`${SETUP} && dmesg | grep -E "taints|ready after"`, { files });
    expect(stamp(r.output, 'waitdev: ready after 500 ms') - stamp(r.output, 'waitdev: loading out-of-tree')).toBeGreaterThanOrEqual(0.5);
  });
});
