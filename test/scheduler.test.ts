// The seeded scheduler: a driver's data race is real (two CPUs interleave at
// preemption points), it shows under some seeds and not others, and a seed
// replays exactly: same output, same event log, byte for byte.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';
import type { MachineEvent } from '../emulator/machine.js';

/** One write of 8 KiB of the letter given: two of them started together may or may not overlap in the driver. */
const WRITER_C = `#include <fcntl.h>
#include <string.h>
#include <unistd.h>
static char buf[8192];
int main(int argc, char **argv) { memset(buf, argv[1][0], sizeof buf); int fd = open("/dev/race", O_WRONLY); return write(fd, buf, sizeof buf) == sizeof buf ? 0 : 1; }
`;
const files = {
  'race.c': fs.readFileSync(path.join(import.meta.dirname, 'fixtures/race.c'), 'utf8'),
  'w.c': WRITER_C,
  Makefile: 'obj-m += race.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n',
};
// sync and a second's rest first: the build's files on the disk root are written back before the
// race, not in the middle of it (the disk's I/O on the other CPU would keep the writers apart).
const SCRIPT = 'make -s && gcc -o w w.c && sudo insmod race.ko && sudo mknod /dev/race c 203 0 && sudo chmod 666 /dev/race; sync; sleep 1; ./w a & ./w b & wait; cat /dev/race | wc -c';

async function run(seed: number) {
  const events: MachineEvent[] = [];
  const r = await runSh(SCRIPT, { files, config: { seed, onEvent: (e) => events.push(e) } });
  return { output: r.output, events: events.map((e) => JSON.stringify(e)).join('\n') };
}

describe('seeded scheduler', () => {
  it('a racy driver (shared buffer, no lock) loses data under some seeds and not others; a seed replays exactly', async () => {
    const clean = await run(1);
    const lossy = await run(3);
    expect(clean.output).toBe('16384\n');
    expect(Number(lossy.output)).toBeLessThan(16384);
    const replay = await run(3);
    expect(replay.output).toBe(lossy.output);
    expect(replay.events).toBe(lossy.events);
    expect(replay.events.split('\n').length).toBeGreaterThan(50);
    expect(clean.events).not.toBe(lossy.events);
  });
});

const SEM_C = `#include <linux/module.h>
#include <linux/fs.h>
#include <linux/semaphore.h>
#include <linux/delay.h>
#include <linux/sched.h>
MODULE_LICENSE("GPL");
static DEFINE_SEMAPHORE(sem, 1);
static long s_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	if (down_interruptible(&sem))
		return -ERESTARTSYS;
	printk(KERN_INFO "sem: %d has it\\n", task_pid_nr(current));
	msleep(300);
	printk(KERN_INFO "sem: %d gives it back\\n", task_pid_nr(current));
	up(&sem);
	return 0;
}
static const struct file_operations fops = { .owner = THIS_MODULE, .unlocked_ioctl = s_ioctl };
static int __init s_init(void) { return register_chrdev(205, "sem", &fops) < 0 ? -EBUSY : 0; }
static void __exit s_exit(void) { unregister_chrdev(205, "sem"); }
module_init(s_init);
module_exit(s_exit);
`;
const IOC_C = '#include <fcntl.h>\n#include <sys/ioctl.h>\nint main(void) { return ioctl(open("/dev/sem", O_RDWR), 0, 0) ? 1 : 0; }\n';

describe('two CPUs', () => {
  it('/proc/cpuinfo shows two processors in the modern personality and one in 2.2', async () => {
    expect((await runSh('grep -c ^processor /proc/cpuinfo')).output).toBe('2\n');
    expect((await runSh('grep -c ^processor /proc/cpuinfo', { config: { personality: '2.2' } })).output).toBe('1\n');
  });

  it('two processes contend on a driver semaphore: the second sleeps in down_interruptible until up()', async () => {
    const r = await runSh('make -s && gcc -o ioc ioc.c && sudo insmod sem.ko && sudo mknod /dev/sem c 205 0 && sudo chmod 666 /dev/sem; ./ioc & ./ioc & sleep 0.1; ps -o stat,wchan,comm | grep ioc; wait; dmesg | grep -o "sem: .*"', {
      files: { 'sem.c': SEM_C, 'ioc.c': IOC_C, Makefile: 'obj-m += sem.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n' },
    });
    // The holder sleeps in msleep (uninterruptible, D); the other waits in down_interruptible (S).
    expect(r.output).toMatch(/^D\+ +msleep +ioc\nS\+ +__down_interruptible +ioc\n|^S\+ +__down_interruptible +ioc\nD\+ +msleep +ioc\n/);
    const events = [...r.output.matchAll(/sem: (\d+) (has it|gives it back)/g)].map((m) => [m[1], m[2]]);
    expect(events.map((e) => e[1])).toEqual(['has it', 'gives it back', 'has it', 'gives it back']);
    expect(events[0]![0]).toBe(events[1]![0]);
    expect(events[2]![0]).not.toBe(events[0]![0]);
  });

  it('SIGKILL does not end a task in uninterruptible sleep (D): it dies when the sleep ends', async () => {
    const r = await runSh('make -s && gcc -o ioc ioc.c && sudo insmod sem.ko && sudo mknod /dev/sem c 205 0 && sudo chmod 666 /dev/sem; ./ioc & sleep 0.1; kill -9 $!; ps -o stat,comm | grep ioc; sleep 1; ps -o stat,comm | grep ioc; wait $!; echo "status $?"', {
      files: { 'sem.c': SEM_C, 'ioc.c': IOC_C, Makefile: 'obj-m += sem.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n' },
    });
    // Still in D after the kill; once msleep() returns, the return to user space ends it (a zombie until waited for).
    expect(r.output).toBe('D+   ioc\nZ+   ioc\nstatus 137\n');
  });
});
