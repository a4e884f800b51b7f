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

/** Sleeping with interrupts disabled, as 2.2 drivers did to test a condition and sleep without missing the wake-up. */
const CLI_SLEEP_C = `#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <asm/system.h>

static struct wait_queue *q;

static int f_ioctl(struct inode *inode, struct file *file, unsigned int cmd, unsigned long arg)
{
	unsigned long flags, after, start = jiffies;

	save_flags(flags);
	cli();
	if (cmd == 1) {
		interruptible_sleep_on_timeout(&q, HZ / 2);
	} else {
		current->state = TASK_INTERRUPTIBLE;
		current->timeout = jiffies + HZ / 2;
		schedule();
	}
	save_flags(after);
	restore_flags(flags);
	printk(KERN_INFO "clisleep: %s slept %lu jiffies, interrupts %s after it\\n",
	       cmd == 1 ? "interruptible_sleep_on_timeout" : "schedule", jiffies - start, after & 0x200 ? "on" : "off");
	return 0;
}

static struct file_operations fops = { NULL, NULL, NULL, NULL, NULL, f_ioctl, NULL, NULL, NULL, NULL };

int init_module(void) { return register_chrdev(126, "clisleep", &fops); }
void cleanup_module(void) { unregister_chrdev(126, "clisleep"); }
`;

describe('2.2 sleeping with interrupts disabled (save_flags; cli; sleep)', () => {
  it('lets the others have interrupts while the task sleeps; sleep_on gives the task its flags back, schedule() returns with them on', async () => {
    const r = await runSh([
      'make -s && sudo insmod clisleep.ko && sudo mknod /dev/c c 126 0 && sudo chmod 666 /dev/c && gcc -o ioc ioc.c',
      'a=$(grep timer /proc/interrupts); ./ioc 1; ./ioc 2; b=$(grep timer /proc/interrupts); [ "$a" != "$b" ] && echo ticking',
      'dmesg | grep -E "clisleep|BUG|WARNING"',
    ].join('\n'), {
      files: {
        'clisleep.c': CLI_SLEEP_C,
        Makefile: 'obj-m += clisleep.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n',
        'ioc.c': '#include <fcntl.h>\n#include <stdlib.h>\n#include <sys/ioctl.h>\nint main(int c, char **v){ return ioctl(open("/dev/c", O_RDWR), atoi(v[1]), 0) < 0; }\n',
      },
      config,
    });
    // No "scheduling while atomic" and no lost timer: 2.2's schedule() enabled interrupts for whoever ran next.
    expect(r.output).toMatch(/^ticking\n\[[ .\d]+\] clisleep: interruptible_sleep_on_timeout slept 50 jiffies, interrupts off after it\n\[[ .\d]+\] clisleep: schedule slept 50 jiffies, interrupts on after it\n$/);
  });
});
