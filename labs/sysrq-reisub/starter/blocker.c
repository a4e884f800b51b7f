/* A driver whose read sleeps uninterruptibly (D, like a disk wait) until
 * someone writes: the sleep is in a helper function, so a stack trace of the
 * reader names both. The helper is called through a pointer: like gcc at -O2,
 * the toolchain's optimizer inlines small static functions into their caller,
 * and wasm has no noinline. */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/wait.h>
#include <linux/compiler.h>
#include <linux/uaccess.h>

MODULE_LICENSE("GPL");
static DECLARE_WAIT_QUEUE_HEAD(wq);
static int ready;

static noinline int blocker_wait_for_data(void)
{
	wait_event(wq, ready);
	return 0;
}
static int (*volatile wait_for_data)(void) = blocker_wait_for_data;

static ssize_t blocker_read(struct file *f, char __user *buf, size_t count, loff_t *pos)
{
	wait_for_data();
	ready = 0;
	return 0;
}

/* Writing "s" spins (interrupts on) until someone writes anything else, which also wakes the reader. */
static volatile int released;

static ssize_t blocker_write(struct file *f, const char __user *buf, size_t count, loff_t *pos)
{
	char c = 0;

	if (count && copy_from_user(&c, buf, 1))
		return -EFAULT;
	if (c == 's') {
		while (!released)
			;
		return count;
	}
	released = 1;
	ready = 1;
	wake_up(&wq);
	return count;
}

static const struct file_operations fops = { .owner = THIS_MODULE, .read = blocker_read, .write = blocker_write };

static int __init blocker_init(void)
{
	return register_chrdev(203, "blocker", &fops) < 0 ? -EBUSY : 0;
}

static void __exit blocker_exit(void)
{
	unregister_chrdev(203, "blocker");
}

module_init(blocker_init);
module_exit(blocker_exit);
