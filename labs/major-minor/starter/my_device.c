/*
 * my_device.c -- major and minor numbers, busy flags and the use count, the way the 1998
 * article "리눅스 디바이스 드라이버 만들기" writes them for Linux 2.2.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/errno.h>
#include <asm/io.h>
#include <asm/uaccess.h>

#define MY_DEVICE_MAJOR 125			/* from the range 120-127 kept for experiments */
#define MY_DEVICE_CARD_MAX 2			/* cards this driver supports */
#define MY_DEVICE_PORTS 4			/* ports on one card */
#define MY_DEVICE_PORT_MAX (MY_DEVICE_CARD_MAX * MY_DEVICE_PORTS)

#define MY_DEVICE_ID_REG 1			/* the card's ID register, at base + 1 */
#define MY_DEVICE_ID 0xA5			/* what it reads on a card that is there */

#define MY_DEVICE_STATUS_EXIST 0x00010
#define MY_DEVICE_STATUS_BUSY 0x00020

struct MY_DEVICE_PORT {
	int number;		/* port number on its card */
	int card_number;	/* the card the port is on */
	u_int flag;		/* status flags */
};

/* Where the cards' jumpers put them (the datasheet's defaults for card 0 and card 1). */
static int my_device_base[MY_DEVICE_CARD_MAX] = { 0x200, 0x300 };
static struct MY_DEVICE_PORT my_device_port[MY_DEVICE_PORT_MAX];

/* A card answers 0xA5 in its ID register; an I/O port with no card behind it reads 0xFF. */
static int card_present(int card)
{
	return inb(my_device_base[card] + MY_DEVICE_ID_REG) == MY_DEVICE_ID;
}

static int my_device_open(struct inode *inode, struct file *file)
{
	int minor = MINOR(inode->i_rdev);
	struct MY_DEVICE_PORT *port;

	/*
	 * TODO 4: the kernel calls open for any minor of major 125, even /dev/my_device255.
	 *         A minor beyond the ports this driver knows (MY_DEVICE_PORT_MAX) is -ENODEV;
	 *         a port whose card is not there (no MY_DEVICE_STATUS_EXIST flag) is -ENXIO.
	 *         Then let port point at my_device_port[minor].
	 */
	port = &my_device_port[0];

	/*
	 * TODO 5: one process at a time per port. If the port is MY_DEVICE_STATUS_BUSY, return
	 *         -EBUSY; otherwise mark it busy, and count this user of the module with
	 *         MOD_INC_USE_COUNT (so that rmmod is refused while the device is open).
	 */
	(void)port;
	return 0;
}

static int my_device_release(struct inode *inode, struct file *file)
{
	struct MY_DEVICE_PORT *port = &my_device_port[MINOR(inode->i_rdev)];

	/*
	 * TODO 6: undo what a successful open did, so that the next open works: clear the busy
	 *         flag and give back the use count (MOD_DEC_USE_COUNT).
	 */
	(void)port;
	return 0;
}

/* Says which card and port a minor number is: "my_device5: card 1, port 1". */
static ssize_t my_device_read(struct file *file, char *buf, size_t count, loff_t *ppos)
{
	int minor = MINOR(file->f_dentry->d_inode->i_rdev);
	struct MY_DEVICE_PORT *port = &my_device_port[minor];
	char text[64];
	size_t len;

	sprintf(text, "my_device%d: card %d, port %d\n", minor, port->card_number, port->number);
	len = strlen(text);
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
	NULL,			/* lseek */
	my_device_read,		/* read */
	NULL,			/* write */
	NULL,			/* readdir */
	NULL,			/* poll */
	NULL,			/* ioctl */
	NULL,			/* mmap */
	my_device_open,		/* open */
	NULL,			/* flush */
	my_device_release	/* release */
};

int init_module(void)
{
	int card, i;

	for (i = 0; i < MY_DEVICE_PORT_MAX; i++) {
		my_device_port[i].number = i % MY_DEVICE_PORTS;
		my_device_port[i].card_number = i / MY_DEVICE_PORTS;
		my_device_port[i].flag = 0;
	}
	for (card = 0; card < MY_DEVICE_CARD_MAX; card++) {
		if (!card_present(card))
			continue;
		/*
		 * TODO 3: the card is there: set MY_DEVICE_STATUS_EXIST in the flag of its four
		 *         ports (minor = card * MY_DEVICE_PORTS + port).
		 */
		printk(KERN_INFO "my_device: card %d at 0x%x, minors %d-%d\n", card, my_device_base[card],
		       card * MY_DEVICE_PORTS, card * MY_DEVICE_PORTS + MY_DEVICE_PORTS - 1);
	}

	/*
	 * TODO 2: register the driver: register_chrdev(MY_DEVICE_MAJOR, "my_device",
	 *         &my_device_fops) returns 0 when major 125 is now ours. If it fails, log
	 *         "my_device: unable to get major 125" at KERN_ERR and return -EIO.
	 */
	return 0;
}

void cleanup_module(void)
{
	/* TODO 7: give major 125 back (unregister_chrdev), or it stays taken after rmmod. */
}
