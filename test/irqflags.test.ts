// The interrupt flag is real: a forgotten restore is reported (and healed by the
// return to user space, as on x86); sleeping under a spinlock is a BUG.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

const files = {
  'irqflags.c': fs.readFileSync(path.join(import.meta.dirname, 'fixtures/irqflags.c'), 'utf8'),
  Makefile: 'obj-m += irqflags.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n',
  'ioc.c': '#include <stdio.h>\n#include <stdlib.h>\n#include <fcntl.h>\n#include <sys/ioctl.h>\nint main(int c, char **v){ int fd = open("/dev/f", O_RDWR); printf("ioctl -> %d\\n", ioctl(fd, atoi(v[1]), atol(v[2]))); return 0; }\n',
};
const SETUP = 'make -s && sudo insmod irqflags.ko && sudo mknod /dev/f c 201 0 && sudo chmod 666 /dev/f && gcc -o ioc ioc.c';

describe('interrupt flags and spinlocks', () => {
  it('a balanced irqsave/irqrestore leaves interrupts on and the timer ticking', async () => {
    const r = await runSh(`${SETUP} && ./ioc 1 0 && a=$(cat /proc/interrupts | grep timer) && sleep 1 && b=$(cat /proc/interrupts | grep timer) && [ "$a" != "$b" ] && echo ticking`, { files });
    expect(r.output).toContain('ioctl -> 0\nticking\n');
  });

  it('a missed restore on one branch is reported; the return to user space turns interrupts back on, as iret does', async () => {
    const r = await runSh(`${SETUP} && ./ioc 2 1; a=$(grep timer /proc/interrupts); sleep 1; b=$(grep timer /proc/interrupts); [ "$a" != "$b" ] && echo ticking; dmesg | grep -c "with interrupts disabled"`, { files });
    expect(r.output).toContain('ioctl -> -1\n');
    expect(r.output).toMatch(/ticking\n1\n$/);
  });

  it('kmalloc(GFP_KERNEL) under a spinlock is reported; GFP_ATOMIC is fine', async () => {
    const r = await runSh(`${SETUP} && ./ioc 4 0; dmesg | grep -c "sleeping function called from invalid context"; dmesg | grep -o "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: [0-9]*, name: ioc"`, { files });
    expect(r.output).toMatch(/ioctl -> 0\n1\nin_atomic\(\): 1, irqs_disabled\(\): 0, non_block: 0, pid: \d+, name: ioc\n$/);
  });

  it('sleeping while holding a spinlock is "BUG: scheduling while atomic"', async () => {
    const r = await runSh(`${SETUP} && ./ioc 3 0; dmesg | grep -o "BUG: scheduling while atomic: ioc/[0-9]*"`, { files });
    // KERN_ERR reaches the console too, as on Linux.
    expect(r.output).toMatch(/\] BUG: scheduling while atomic: ioc\/\d+\/0x00000001 in irqflags\n/);
    expect(r.output).toMatch(/ioctl -> 0\nBUG: scheduling while atomic: ioc\/\d+\n$/);
  });
});
