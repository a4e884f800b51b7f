/*
 * my_device.c -- a Linux 2.2 driver that keeps the last message written to each port of the
 * card, for whoever reads it next: "echo hi > /dev/my_device0; cat /dev/my_device0" says hi.
 * Someone reported that cat on a port crashes the machine's driver. Find out why from the oops.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/errno.h>
#include <linux/malloc.h>
#include <linux/string.h>
#include <asm/uaccess.h>

#define MY_DEVICE_MAJOR 125
#define MY_DEVICE_PORTS 4
#define MY_DEVICE_MESSAGE_MAX 256

struct MY_DEVICE_PORT {
	char *message;		/* kmalloc'd at the first write */
	size_t length;
};

static struct MY_DEVICE_PORT my_device_port[MY_DEVICE_PORTS];

static int my_device_open(struct inode *inode, struct file *file)
{
	if (MINOR(inode->i_rdev) >= MY_DEVICE_PORTS)
		return -ENODEV;
	MOD_INC_USE_COUNT;
	return 0;
}

static int my_device_release(struct inode *inode, struct file *file)
{
	MOD_DEC_USE_COUNT;
	return 0;
}

static ssize_t my_device_read(struct file *file, char *buf, size_t count, loff_t *ppos)
{
	struct MY_DEVICE_PORT *port = &my_device_port[MINOR(file->f_dentry->d_inode->i_rdev)];
	size_t len = strlen(port->message);

	if (*ppos >= len)
		return 0;
	if (count > len - *ppos)
		count = len - *ppos;
	if (copy_to_user(buf, port->message + *ppos, count))
		return -EFAULT;
	*ppos += count;
	return count;
}

static ssize_t my_device_write(struct file *file, const char *buf, size_t count, loff_t *ppos)
{
	struct MY_DEVICE_PORT *port = &my_device_port[MINOR(file->f_dentry->d_inode->i_rdev)];

	if (count >= MY_DEVICE_MESSAGE_MAX)
		count = MY_DEVICE_MESSAGE_MAX - 1;
	if (!port->message) {
		port->message = kmalloc(MY_DEVICE_MESSAGE_MAX, GFP_KERNEL);
		if (!port->message)
			return -ENOMEM;
	}
	if (copy_from_user(port->message, buf, count))
		return -EFAULT;
	port->message[count] = '\0';
	port->length = count;
	return count;
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

	if (result < 0) {
		printk(KERN_WARNING "my_device: can't get major %d\n", MY_DEVICE_MAJOR);
		return result;
	}
	printk(KERN_INFO "my_device: keeping messages for %d ports\n", MY_DEVICE_PORTS);
	return 0;
}

void cleanup_module(void)
{
	int i;

	for (i = 0; i < MY_DEVICE_PORTS; i++)
		kfree(my_device_port[i].message);
	unregister_chrdev(MY_DEVICE_MAJOR, "my_device");
}
