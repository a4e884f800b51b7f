// `current` in a modern module: the calling task's pid and comm, as C reads them.
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

const WHO_C = `#include <linux/module.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
MODULE_LICENSE("GPL");
static ssize_t who_read(struct file *f, char __user *buf, size_t len, loff_t *off)
{
	char line[64];
	int n;
	if (*off)
		return 0;
	n = snprintf(line, sizeof(line), "%s %d %s\\n", current->comm, task_pid_nr(current), current->__state == TASK_RUNNING ? "running" : "?");
	if (copy_to_user(buf, line, n))
		return -EFAULT;
	*off = n;
	return n;
}
static const struct file_operations fops = { .owner = THIS_MODULE, .read = who_read };
static int __init who_init(void) { printk(KERN_INFO "who: loaded by %s\\n", current->comm); return register_chrdev(204, "who", &fops) < 0 ? -EBUSY : 0; }
static void __exit who_exit(void) { unregister_chrdev(204, "who"); }
module_init(who_init);
module_exit(who_exit);
`;

describe('current (modern)', () => {
  it('gives the calling task: comm and pid of the reader, insmod at init', async () => {
    const r = await runSh('make -s && sudo insmod who.ko && sudo mknod /dev/who c 204 0 && sudo chmod 444 /dev/who; head -1 /dev/who & wait; echo "pid $!"; dmesg | grep -o "who: loaded by .*"', {
      files: { 'who.c': WHO_C, Makefile: 'obj-m += who.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n' },
    });
    const m = /^head (\d+) running\npid (\d+)\nwho: loaded by insmod\n$/.exec(r.output);
    expect(r.output).toMatch(/^head (\d+) running\npid (\d+)\nwho: loaded by insmod\n$/);
    expect(m![1]).toBe(m![2]);
  });
});
