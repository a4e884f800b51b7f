/*
 * my_device.c -- a Linux 2.2 driver whose one job is to restart the card on request:
 * "echo restart > /dev/my_device0" resets the card's CPU and starts it again, and
 * "cat /dev/my_device0" says whether it is running.
 *
 * The datasheet: write 0 to CONTROL (the card resets), then 1 no earlier than 400 ms and no
 * later than 500 ms after; the card sets READY in STATUS once it runs.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/io.h>
#include <asm/uaccess.h>

#define MY_DEVICE_MAJOR 125
#define MY_DEVICE_IO 0x200
#define CONTROL_ADDR 0			/* write: bit 0 RUN */
#define STATUS_ADDR 0			/* read: bit 0 READY */
#define STATUS_READY 0x01
#define ACK_ADDR 3			/* write 1: the host saw the card's interrupt */

/*
 * Resets the card and starts it again within the datasheet's 400-500 ms window. The wait sleeps
 * with interrupts on: the timer interrupt is what moves jiffies, and other processes run meanwhile.
 */
static void my_device_restart(void)
{
	outb(0, MY_DEVICE_IO + CONTROL_ADDR);
	current->state = TASK_UNINTERRUPTIBLE;
	schedule_timeout(HZ * 45 / 100);
	outb(1, MY_DEVICE_IO + CONTROL_ADDR);

	/* READY, and its interrupt, come 50 ms after RUN; the interrupt is acknowledged like any other. */
	current->state = TASK_UNINTERRUPTIBLE;
	schedule_timeout(HZ / 10);
	outb(1, MY_DEVICE_IO + ACK_ADDR);
}

static ssize_t my_device_read(struct file *file, char *buf, size_t count, loff_t *ppos)
{
	const char *text = (inb(MY_DEVICE_IO + STATUS_ADDR) & STATUS_READY) ? "running\n" : "stopped\n";
	size_t len = strlen(text);

	if (*ppos >= len)
		return 0;
	if (count > len - *ppos)
		count = len - *ppos;
	if (copy_to_user(buf, text + *ppos, count))
		return -EFAULT;
	*ppos += count;
	return count;
}

static ssize_t my_device_write(struct file *file, const char *buf, size_t count, loff_t *ppos)
{
	char word[8] = "";

	if (copy_from_user(word, buf, count < 7 ? count : 7))
		return -EFAULT;
	if (strncmp(word, "restart", 7))
		return -EINVAL;
	my_device_restart();
	printk(KERN_INFO "my_device: card restarted\n");
	return count;
}

static int my_device_open(struct inode *inode, struct file *file)
{
	MOD_INC_USE_COUNT;
	return 0;
}

static int my_device_release(struct inode *inode, struct file *file)
{
	MOD_DEC_USE_COUNT;
	return 0;
}

static struct file_operations my_device_fops = {
	.read		= my_device_read,
	.write		= my_device_write,
	.open		= my_device_open,
	.release	= my_device_release,
};

int init_module(void)
{
	int result = register_chrdev(MY_DEVICE_MAJOR, "my_device", &my_device_fops);

	if (result < 0)
		return result;
	printk(KERN_INFO "my_device: card at 0x%x\n", MY_DEVICE_IO);
	return 0;
}

void cleanup_module(void)
{
	unregister_chrdev(MY_DEVICE_MAJOR, "my_device");
}
