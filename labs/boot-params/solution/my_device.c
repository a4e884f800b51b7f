/*
 * my_device.c -- my_device built into the Linux 2.2 kernel, the 1998 article's way: no insmod
 * and no io= parameters; the cards come from the kernel command line, which LILO gives the
 * kernel from the append= line of /etc/lilo.conf:
 *
 *	append="my_device=0x200,5,0x300,7"
 *
 * init/main.c's table hands "my_device=..." to my_device_setup() very early in the boot, before
 * any driver runs; drivers/char/mem.c's chr_dev_init() calls my_device_init() later, while the
 * kernel boots, with the cards the setup function kept.
 */
#include <linux/config.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/errno.h>
#include <linux/ioport.h>
#include <linux/init.h>
#include <linux/major.h>
#include <asm/io.h>
#include <asm/uaccess.h>

#ifndef MY_DEVICE_MAJOR
#define MY_DEVICE_MAJOR 125
#endif

#define MY_DEVICE_MAX		4	/* cards this driver supports */
#define MY_DEVICE_IO_EXTENT	16
#define MY_DEVICE_ID_ADDR	1	/* the ID register, at base + 1 */
#define MY_DEVICE_ID		0xa5	/* what it reads on a card that is there */

/* The cards the command line gave: I/O base and IRQ; io[i] == 0 ends the list. */
static int io[MY_DEVICE_MAX];
static int irq[MY_DEVICE_MAX];

static ssize_t my_device_read(struct file *file, char *buf, size_t count, loff_t *ppos)
{
	int card = MINOR(file->f_dentry->d_inode->i_rdev) / 4;
	char text[64];
	size_t len;

	if (card >= MY_DEVICE_MAX || !io[card])
		return -ENXIO;
	len = sprintf(text, "card %d: io 0x%x, irq %d\n", card, io[card], irq[card]);
	if (*ppos >= len)
		return 0;
	if (count > len - *ppos)
		count = len - *ppos;
	if (copy_to_user(buf, text + *ppos, count))
		return -EFAULT;
	*ppos += count;
	return count;
}

static struct file_operations my_device_fops = {
	.read		= my_device_read,
};

/* Called from chr_dev_init() (drivers/char/mem.c) while the kernel boots. */
int __init my_device_init(void)
{
	int i, found = 0;

	for (i = 0; i < MY_DEVICE_MAX && io[i]; i++) {
		if (check_region(io[i], MY_DEVICE_IO_EXTENT) || inb(io[i] + MY_DEVICE_ID_ADDR) != MY_DEVICE_ID) {
			printk(KERN_WARNING "my_device%d: no card at 0x%x\n", i, io[i]);
			io[i] = 0;
			continue;
		}
		request_region(io[i], MY_DEVICE_IO_EXTENT, "my_device");
		printk(KERN_INFO "my_device%d: card at 0x%x, irq %d\n", i, io[i], irq[i]);
		found++;
	}
	if (!found) {
		printk(KERN_WARNING "my_device: no cards (give them with my_device=io,irq,... on the kernel command line)\n");
		return -ENODEV;
	}
	if (register_chrdev(MY_DEVICE_MAJOR, "my_device", &my_device_fops)) {
		printk(KERN_ERR "my_device: unable to get major %d\n", MY_DEVICE_MAJOR);
		return -EIO;
	}
	return 0;
}

/*
 * my_device=io,irq[,io,irq...] on the kernel command line. str is the text after "my_device=";
 * get_options() has turned it into numbers: ints[0] is how many it found, ints[1] to
 * ints[ints[0]] the numbers themselves.
 */
__initfunc(void my_device_setup(char *str, int *ints))
{
	int i;

	printk(KERN_INFO "my_device_setup: \"%s\", %d numbers\n", str, ints[0]);
	/* Whole io,irq pairs only, and no more than the driver has room for. */
	for (i = 0; i < MY_DEVICE_MAX && 2 * i + 2 <= ints[0]; i++) {
		io[i] = ints[2 * i + 1];
		irq[i] = ints[2 * i + 2];
	}
}
