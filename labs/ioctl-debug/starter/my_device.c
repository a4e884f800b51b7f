/*
 * my_device.c -- the 1998 article "리눅스 디바이스 드라이버 만들기" driver for Linux 2.2, two
 * MY_DEVICE cards, and the article's way to look inside it while it runs: the VIEW_VARIABLE
 * ioctl ("커널 드라이버 디버깅").
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/ioport.h>
#include <linux/interrupt.h>
#include <linux/malloc.h>
#include <asm/io.h>
#include <asm/uaccess.h>
#include <asm/semaphore.h>
#include <asm/my_device_fw.h>
#include "my_device.h"				/* MY_DEVICE_MAJOR, MY_DEVICE_CARD_MAX, VIEW_VARIABLE */

#define MY_DEVICE_PORTS 4			/* ports on one card */
#define MY_DEVICE_PORT_MAX (MY_DEVICE_CARD_MAX * MY_DEVICE_PORTS)

/* I/O registers, from the card's base (the datasheet). */
#define MY_DEVICE_IO_EXTENT 16
#define CONTROL_ADDR 0				/* write: bit 0 RUN */
#define STATUS_ADDR 0				/* read: the STATUS bits */
#define ID_ADDR 1				/* reads 0xA5 on a card that is there */
#define INTERRUPT_ADDR 2			/* the doorbell: "a command is in the host mailbox" */
#define ACK_ADDR 3				/* acknowledges the card's interrupt */
#define ERROR_ADDR 4				/* the last error code */
#define MEM_PAGE_ADDR 8				/* shared memory base / 0x1000 */
#define MY_DEVICE_ID 0xA5

/* The 16 KiB shared-memory window. */
#define FIRMWARE_ADDR 0x1000
#define DATA_ADDR 0x2000			/* host mailbox: host -> card */
#define ANSWER_ADDR 0x3000			/* card mailbox: card -> host */
#define MAILBOX_SIZE 4096
#define MAILBOX_HEADER 4			/* {u8 cmd or status; u8 port; u16 length} */
#define MAILBOX_PAYLOAD (MAILBOX_SIZE - MAILBOX_HEADER)

#define CMD_WRITE 0x01				/* send bytes out of a port (a loopback plug brings them back) */
#define CMD_READ 0x02				/* fetch the bytes a port received */
#define ANSWER_OK 0x00
#define ANSWER_READY 0xFF			/* the card's CPU started */

#define MY_DEVICE_STATUS_EXIST 0x00010
#define MY_DEVICE_STATUS_BUSY 0x00020
#define MY_DEVICE_ANSWERED 0x00100		/* card->flag: the answer the sleeper waits for is in */

struct MY_DEVICE_CARD {
	int number;			/* 카드번호 */
	u_int flag;			/* 상태 플래그 */
	int base;			/* base 주소 */
	u_int irq;			/* 인터럽트 번호 */
	u_int address;			/* memory mapped I/O 주소 */
	u_char *mailbox_kernel;		/* 커널에서 보낼 메일박스 */
	u_char *mailbox_card;		/* 카드에서 보내온 메일박스 */
	struct semaphore semaphore;	/* 주장치의 세마포 */
	struct wait_queue *queue;	/* 주장치의 대기큐 */
	int waiting;			/* processes asleep until the card answers (on queue) */
	int queued;			/* processes waiting their turn (in down(&semaphore)) */
};

struct MY_DEVICE_PORT {
	int number;			/* 포트 번호 */
	int card_number;		/* 포트가 속한 카드 번호 */
	u_int flag;			/* 상태 플래그 */
};

/* Where the jumpers put the cards (the datasheet's defaults); insmod my_device io=... irq=... */
static int io[MY_DEVICE_CARD_MAX] = { 0x200, 0x300 };
static int irq[MY_DEVICE_CARD_MAX] = { 5, 7 };
MODULE_PARM(io, "1-2i");
MODULE_PARM(irq, "1-2i");

static struct MY_DEVICE_CARD my_device_card[MY_DEVICE_CARD_MAX];
static struct MY_DEVICE_PORT my_device_port[MY_DEVICE_PORT_MAX];

/* The card a minor number's port is on, as the article writes it. */
#define MY_CARD(minor) (&my_device_card[my_device_port[(minor)].card_number])

/*
 * A "fast" handler (SA_INTERRUPT): it runs with interrupts disabled, so it does the least it
 * can. It finds the card by its IRQ, copies the card's answer, acknowledges the interrupt (the
 * card raises no new one until then) and wakes whoever sleeps on that card.
 */
static void my_device_interrupt(int irq, void *dev_id, struct pt_regs *regs)
{
	struct MY_DEVICE_CARD *card;
	int i;

	for (i = 0; i < MY_DEVICE_CARD_MAX; i++)
		if ((my_device_card[i].flag & MY_DEVICE_STATUS_EXIST) && my_device_card[i].irq == irq)
			break;
	if (i == MY_DEVICE_CARD_MAX)
		return;
	card = &my_device_card[i];

	/*
	 * Each card has a mailbox of its own: an answer from the other card, whose interrupt may
	 * come before our sleeper has taken this one, lands in the other card's mailbox.
	 */
	memcpy_fromio(card->mailbox_card, card->address + ANSWER_ADDR, MAILBOX_SIZE);
	outb(0x01, card->base + ACK_ADDR);
	card->flag |= MY_DEVICE_ANSWERED;
	if (waitqueue_active(&card->queue))
		wake_up_interruptible(&card->queue);
}

/*
 * The article's interrupt_to_my_device(): the command goes into the host mailbox, the doorbell
 * rings, and the caller sleeps until the interrupt handler says the card answered (3 s at
 * most). Call it holding card->semaphore: the card takes one command at a time. Returns the
 * answer's status byte, -EINTR on a signal, -EIO when the card did not answer.
 */
static int my_device_command(struct MY_DEVICE_CARD *card, int cmd, int port, int length)
{
	u_char *box = card->mailbox_kernel;

	box[0] = cmd;
	box[1] = port;
	box[2] = length & 0xff;
	box[3] = length >> 8;
	card->flag &= ~MY_DEVICE_ANSWERED;
	memcpy_toio(card->address + DATA_ADDR, box, MAILBOX_HEADER + (cmd == CMD_WRITE ? length : 0));
	outb(0x01, card->base + INTERRUPT_ADDR);
	current->timeout = jiffies + HZ * 3;
	/* TODO 6: count this process in card->waiting while it sleeps here, and only then. */
	interruptible_sleep_on(&card->queue);
	if (!(card->flag & MY_DEVICE_ANSWERED))
		return signal_pending(current) ? -EINTR : -EIO;
	return card->mailbox_card[0];
}

/*
 * One exchange with the card for a port: a WRITE of `count` bytes from `buf`, or a READ of up to
 * `count` bytes into `buf`. The card's semaphore makes the ports of one card take turns; the
 * ports of the other card do not wait for them.
 */
static ssize_t my_device_transfer(int minor, int cmd, char *buf, size_t count)
{
	struct MY_DEVICE_PORT *port = &my_device_port[minor];
	struct MY_DEVICE_CARD *card = MY_CARD(minor);
	u_char *answer;
	ssize_t ret;
	int length;

	if (count > MAILBOX_PAYLOAD)
		count = MAILBOX_PAYLOAD;
	/*
	 * TODO 7: count this process in card->queued while it waits its turn in down, and only
	 *         then: down_interruptible() also ends on a signal (Ctrl-C), and the count must be
	 *         right on that way out too.
	 */
	if (down_interruptible(&card->semaphore))
		return -EINTR;
	if (cmd == CMD_WRITE && copy_from_user(card->mailbox_kernel + MAILBOX_HEADER, buf, count)) {
		ret = -EFAULT;
		goto out;
	}
	ret = my_device_command(card, cmd, port->number, count);
	if (ret < 0)
		goto out;
	answer = card->mailbox_card;
	length = answer[2] | answer[3] << 8;
	if (ret != ANSWER_OK || answer[1] != port->number || length > count) {
		printk(KERN_ERR "my_device%d: card %d answered status 0x%02x for port %d, %d bytes\n",
		       minor, card->number, answer[0], answer[1], length);
		ret = -EIO;
		goto out;
	}
	if (cmd == CMD_WRITE)
		ret = count;
	else if (copy_to_user(buf, answer + MAILBOX_HEADER, length))
		ret = -EFAULT;
	else
		ret = length;
out:
	up(&card->semaphore);
	return ret;
}

static ssize_t my_device_write(struct file *file, const char *buf, size_t count, loff_t *ppos)
{
	return my_device_transfer(MINOR(file->f_dentry->d_inode->i_rdev), CMD_WRITE, (char *)buf, count);
}

static ssize_t my_device_read(struct file *file, char *buf, size_t count, loff_t *ppos)
{
	return my_device_transfer(MINOR(file->f_dentry->d_inode->i_rdev), CMD_READ, buf, count);
}

/*
 * The article's debugging ioctl. A command number is made by _IOWR(type, nr, size): the type
 * (this driver's major) says the command is meant for this driver, nr which one, size how many
 * bytes the argument has. A number that is not ours is logged decoded and refused with ENOTTY
 * ("Inappropriate ioctl for device"), what programs expect of a device that lacks a command.
 */
static int my_device_ioctl(struct inode *inode, struct file *file, unsigned int cmd, unsigned long arg)
{
	struct MY_DEVICE_CARD *card;
	int which, data[2];

	(void)card; (void)which; (void)data;	/* for TODO 2 */
	switch (cmd) {
	/*
	 * TODO 2: case VIEW_VARIABLE: read which card from the program's value[0] (copy_from_user;
	 *         -EFAULT if it fails), refuse a card that does not exist with -EINVAL, and write
	 *         back value[0] = card->waiting, value[1] = card->queued (copy_to_user; -EFAULT).
	 */
	default:
		/*
		 * TODO 3: log the command decoded before refusing it, at KERN_DEBUG:
		 *         "my_device: unknown ioctl 0x%08x (dir %d, type %d, nr %d, size %d)" with
		 *         _IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd) and _IOC_SIZE(cmd).
		 */
		return -ENOTTY;
	}
}

static int my_device_open(struct inode *inode, struct file *file)
{
	int minor = MINOR(inode->i_rdev);
	struct MY_DEVICE_PORT *port;

	if (minor >= MY_DEVICE_PORT_MAX)
		return -ENODEV;
	port = &my_device_port[minor];
	if (!(port->flag & MY_DEVICE_STATUS_EXIST))
		return -ENXIO;
	if (port->flag & MY_DEVICE_STATUS_BUSY)
		return -EBUSY;
	port->flag |= MY_DEVICE_STATUS_BUSY;
	MOD_INC_USE_COUNT;
	return 0;
}

static int my_device_release(struct inode *inode, struct file *file)
{
	my_device_port[MINOR(inode->i_rdev)].flag &= ~MY_DEVICE_STATUS_BUSY;
	MOD_DEC_USE_COUNT;
	return 0;
}

static struct file_operations my_device_fops = {
	NULL,			/* lseek */
	my_device_read,		/* read */
	my_device_write,	/* write */
	NULL,			/* readdir */
	NULL,			/* poll */
	my_device_ioctl,	/* ioctl */
	NULL,			/* mmap */
	my_device_open,		/* open */
	NULL,			/* flush */
	my_device_release	/* release */
};

/*
 * The BIOS download: reset the card's CPU, copy the firmware, start it 400-500 ms later (here
 * 450 ms, sleeping meanwhile), then wait for its "ready" interrupt.
 */
static int my_device_start(struct MY_DEVICE_CARD *card)
{
	outb(0, card->base + CONTROL_ADDR);
	memcpy_toio(card->address + FIRMWARE_ADDR, my_device_fw, MY_DEVICE_FW_SIZE);
	current->state = TASK_INTERRUPTIBLE;
	current->timeout = jiffies + HZ * 45 / 100;
	schedule();
	card->flag &= ~MY_DEVICE_ANSWERED;
	outb(1, card->base + CONTROL_ADDR);
	current->timeout = jiffies + HZ;
	interruptible_sleep_on(&card->queue);
	if (!(card->flag & MY_DEVICE_ANSWERED) || card->mailbox_card[0] != ANSWER_READY)
		return -EIO;
	return 0;
}

/* Gives back what my_device_probe() took for a card. */
static void my_device_release_card(struct MY_DEVICE_CARD *card)
{
	outb(0, card->base + CONTROL_ADDR);
	free_irq(card->irq, NULL);
	release_region(card->base, MY_DEVICE_IO_EXTENT);
	kfree(card->mailbox_kernel);
	kfree(card->mailbox_card);
	card->flag = 0;
}

/* Looks for card n where the jumpers say, takes its ports, memory and IRQ, and starts it. */
static int my_device_probe(int n)
{
	struct MY_DEVICE_CARD *card = &my_device_card[n];
	int i, ret;

	card->number = n;
	card->base = io[n];
	card->irq = irq[n];
	if (!card->base || check_region(card->base, MY_DEVICE_IO_EXTENT))
		return -EBUSY;
	if (inb(card->base + ID_ADDR) != MY_DEVICE_ID)
		return -ENODEV;
	request_region(card->base, MY_DEVICE_IO_EXTENT, "my_device");
	card->address = inb(card->base + MEM_PAGE_ADDR) << 12;
	card->mailbox_kernel = kmalloc(MAILBOX_SIZE, GFP_KERNEL);
	card->mailbox_card = kmalloc(MAILBOX_SIZE, GFP_KERNEL);
	sema_init(&card->semaphore, 1);
	init_waitqueue(&card->queue);
	card->flag = MY_DEVICE_STATUS_EXIST;
	ret = request_irq(card->irq, my_device_interrupt, SA_INTERRUPT, "my_device", NULL);
	if (ret) {
		release_region(card->base, MY_DEVICE_IO_EXTENT);
		kfree(card->mailbox_kernel);
		kfree(card->mailbox_card);
		card->flag = 0;
		return ret;
	}
	if (my_device_start(card)) {
		printk(KERN_ERR "my_device: card %d at 0x%x did not start (ERROR %d)\n", n, card->base,
		       inb(card->base + ERROR_ADDR));
		my_device_release_card(card);
		return -EIO;
	}
	for (i = 0; i < MY_DEVICE_PORTS; i++)
		my_device_port[n * MY_DEVICE_PORTS + i].flag = MY_DEVICE_STATUS_EXIST;
	printk(KERN_INFO "my_device: card %d at 0x%x, irq %d, memory 0x%x: minors %d-%d\n", n, card->base,
	       card->irq, card->address, n * MY_DEVICE_PORTS, n * MY_DEVICE_PORTS + MY_DEVICE_PORTS - 1);
	return 0;
}

int init_module(void)
{
	int i, n, found = 0;

	for (i = 0; i < MY_DEVICE_PORT_MAX; i++) {
		my_device_port[i].number = i % MY_DEVICE_PORTS;
		my_device_port[i].card_number = i / MY_DEVICE_PORTS;
		my_device_port[i].flag = 0;
	}
	for (n = 0; n < MY_DEVICE_CARD_MAX; n++)
		if (my_device_probe(n) == 0)
			found++;
	if (!found) {
		printk(KERN_ERR "my_device: no card found\n");
		return -ENODEV;
	}
	if (register_chrdev(MY_DEVICE_MAJOR, "my_device", &my_device_fops)) {
		printk(KERN_ERR "my_device: unable to get major %d\n", MY_DEVICE_MAJOR);
		for (n = 0; n < MY_DEVICE_CARD_MAX; n++)
			if (my_device_card[n].flag & MY_DEVICE_STATUS_EXIST)
				my_device_release_card(&my_device_card[n]);
		return -EIO;
	}
	return 0;
}

void cleanup_module(void)
{
	int n;

	unregister_chrdev(MY_DEVICE_MAJOR, "my_device");
	for (n = 0; n < MY_DEVICE_CARD_MAX; n++)
		if (my_device_card[n].flag & MY_DEVICE_STATUS_EXIST)
			my_device_release_card(&my_device_card[n]);
}
