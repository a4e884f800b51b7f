// Kernel misuse a driver can commit that Linux catches, with Linux's reports: a bad kfree()
// (KASAN's double-free / invalid-free) and a wait queue entry left on the stack of a function
// that returned (the next wake_up() calls through the dead entry: an oops). Double free_irq,
// releasing a region not held (isa.test.ts), a timer left armed at rmmod (deferred.test.ts) and
// sleeping under a spinlock (irqflags.test.ts) are tested where those APIs are.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSh, type ShResult } from './helpers/machine.js';

const files = {
  'misuse.c': fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'misuse.c'), 'utf8'),
  Makefile: 'obj-m += misuse.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n',
  'ioc.c': '#include <stdlib.h>\n#include <fcntl.h>\n#include <sys/ioctl.h>\nint main(int c, char **v){ int fd = open(v[1], O_RDWR); return ioctl(fd, atoi(v[2]), 0) < 0; }\n',
};
const SETUP = 'make -s && sudo insmod misuse.ko && sudo mknod /dev/m c 207 0 && sudo chmod 666 /dev/m && gcc -o ioc ioc.c';

describe('kernel misuse (modern)', () => {
  let r: ShResult;
  beforeAll(async () => {
    r = await runSh(`${SETUP} && ./ioc /dev/m 1; echo "double: $?"; ./ioc /dev/m 2; echo "inside: $?"; ./ioc /dev/m 3; echo "queued: $?"; ./ioc /dev/m 4; echo "woke: $?"; dmesg`, { files });
  });

  it('kfree() twice is KASAN\'s double-free, at the caller, with the task; the kernel goes on, tainted B', () => {
    expect(r.output).toContain('double: 0\n');
    expect(r.output).toMatch(/\] ={66}\n.*\] BUG: KASAN: double-free in free_twice\+0x[0-9a-f]+\/0x[0-9a-f]+ \[misuse\]\n.*\] Free of addr [0-9a-f]{16} by task ioc\/\d+\n/);
    expect(r.output).toMatch(/Call Trace:\n.*<TASK>\n.* kfree\+0x8c\/0x330\n.* free_twice\+0x[0-9a-f]+\/0x[0-9a-f]+ \[misuse\][^\n]*\n.* misuse_ioctl\+/);
    expect(r.output).toMatch(/CPU: \d PID: \d+ Comm: ioc Tainted: G +B/);
  });

  it('kfree() of a pointer kmalloc did not return is KASAN\'s invalid-free', () => {
    expect(r.output).toContain('inside: 0\n');
    expect(r.output).toMatch(/BUG: KASAN: invalid-free in free_inside\+0x[0-9a-f]+\/0x[0-9a-f]+ \[misuse\]\n/);
  });

  it('a wait queue entry on the stack of a returned function: the next wake_up() oopses in __wake_up_common', () => {
    expect(r.output).toContain('queued: 0\n');
    expect(r.output).toMatch(/Killed\nwoke: 137\n|Segmentation fault\nwoke: 139\n/);
    expect(r.output).toMatch(/misuse: wake_up\(\) found a wait_queue_entry at 0x[0-9a-f]+ on the stack of ioc\/\d+ in a function that has returned/);
    expect(r.output).toMatch(/RIP: 0010:0x[0-9a-f]+\n/);
    expect(r.output).toMatch(/__wake_up_common\+0x7d\/0x140\n.*__wake_up\+0x36\/0x60\n.*misuse_ioctl\+/s);
    expect(r.output).not.toContain('misuse: woke the queue');
  });
});
