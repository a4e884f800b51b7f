/*
 * my_device.c -- the 1998 article's my_device talking to its card through the shared-memory
 * mailboxes (Linux 2.2). write() and read() put a command in the host mailbox, ring the
 * doorbell and sleep on the card's wait queue; when the card has done it, it interrupts, and the
 * interrupt handler copies the reply out of the card mailbox, sets MY_DEVICE_ANSWERED, wakes the
 * sleeper and acknowledges the interrupt. Minor n is port n of card 0: /dev/my_device0-3. Each
 * port has a loopback plug: what is written to it can be read back from it.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/malloc.h>
#include <linux/ioport.h>
#include <linux/interrupt.h>
#include <asm/io.h>
#include <asm/uaccess.h>
#include <asm/semaphore.h>
#include <asm/my_device_fw.h>

#define MY_DEVICE_MAJOR 125
#define MY_DEVICE_PORTS 4
#define MY_DEVICE_IO_EXTENT 16
#define MY_DEVICE_ID 0xA5

/* I/O registers, from the card's base (the datasheet) */
#define CONTROL_ADDR 0
#define STATUS_ADDR 0
#define ID_ADDR 1
#define INTERRUPT_ADDR 2		/* the doorbell: "a command is waiting in the host mailbox" */
#define ACK_ADDR 3			/* "I have seen your interrupt": drops the line */
#define ERROR_ADDR 4
#define FW_VERSION_ADDR 7
#define MEM_PAGE_ADDR 8

#define STATUS_READY 0x01
#define STATUS_IRQ 0x80			/* this card is interrupting */

/* The shared-memory window, from card->address */
#define FIRMWARE_ADDR 0x1000
#define DATA_ADDR 0x2000		/* host mailbox: the command we send */
#define ANSWER_ADDR 0x3000		/* card mailbox: the card's answer */
#define MAILBOX_HEADER 4		/* cmd (or status), port, length: 2 bytes, little-endian */
#define MAILBOX_SIZE 4096
#define MAILBOX_PAYLOAD (MAILBOX_SIZE - MAILBOX_HEADER)

#define CMD_WRITE 0x01			/* send the payload out of the port */
#define CMD_READ 0x02			/* answer with up to `length` bytes the port received */
#define REPLY_OK 0x00
#define REPLY_RX_NOTIFY 0x80		/* not an answer: bytes arrived on a port */
#define REPLY_READY 0xFF		/* not an answer: the firmware has started */

#define MY_DEVICE_ANSWERED 0x01		/* card->flag: the card has answered the last command */
#define MY_DEVICE_TIMEOUT (HZ * 3)	/* the article's: far longer than any command takes */

struct MY_DEVICE_CARD {
	int base;			/* I/O base */
	u_int irq;
	u_long address;			/* the shared-memory window */
	u_int flag;
	u_char *mailbox_kernel;		/* what we send, on its way to the card */
	u_char *mailbox_card;		/* the card's last answer, header and payload */
	struct semaphore semaphore;	/* one command at a time: the card has one mailbox */
	struct wait_queue *queue;	/* who waits for the card's answer */
};

static int io = 0x200;
static int irq = 5;
MODULE_PARM(io, "i");
MODULE_PARM(irq, "i");

static struct MY_DEVICE_CARD card0;

static void my_device_interrupt(int irq, void *dev_id, struct pt_regs *regs)
{
	struct MY_DEVICE_CARD *card = dev_id;
	u_char header[MAILBOX_HEADER];

	int length;

	if (!(inb(card->base + STATUS_ADDR) & STATUS_IRQ))
		return;				/* not this card's interrupt */
	memcpy_fromio(header, card->address + ANSWER_ADDR, MAILBOX_HEADER);

	if (header[0] != REPLY_RX_NOTIFY && header[0] != REPLY_READY) {
		length = header[2] | header[3] << 8;
		if (length > MAILBOX_PAYLOAD)
			length = MAILBOX_PAYLOAD;
		memcpy(card->mailbox_card, header, MAILBOX_HEADER);
		memcpy_fromio(card->mailbox_card + MAILBOX_HEADER, card->address + ANSWER_ADDR + MAILBOX_HEADER, length);
		card->flag |= MY_DEVICE_ANSWERED;
		if (waitqueue_active(&card->queue))
			wake_up_interruptible(&card->queue);
	}

	outb(0x01, card->base + ACK_ADDR);
}

/*
 * Sleeps until the card has answered the last command (MY_DEVICE_ANSWERED): 0, -EINTR when a
 * signal came first, -EIO when no answer came in MY_DEVICE_TIMEOUT.
 */
static int my_device_wait_answer(struct MY_DEVICE_CARD *card)
{
	long timeout = MY_DEVICE_TIMEOUT;

	while (!(card->flag & MY_DEVICE_ANSWERED)) {
		if (signal_pending(current))
			return -EINTR;
		if (!timeout) {
			printk(KERN_ERR "my_device: the card at 0x%x did not answer in %d s (ERROR=%d)\n",
			       card->base, MY_DEVICE_TIMEOUT / HZ, inb(card->base + ERROR_ADDR));
			card->flag |= MY_DEVICE_ANSWERED;	/* given up */
			return -EIO;
		}
		timeout = interruptible_sleep_on_timeout(&card->queue, timeout);
	}
	return 0;
}

/*
 * One command through the mailboxes, for a caller that holds card->semaphore: a WRITE's payload
 * is in card->mailbox_kernel, the answer ends up in card->mailbox_card. Returns the length of
 * the answer's payload, or -errno.
 */
static int my_device_command(struct MY_DEVICE_CARD *card, u_char cmd, int port, int length)
{
	u_char header[MAILBOX_HEADER] = { cmd, port, length & 0xff, length >> 8 };

	int ret;

	ret = my_device_wait_answer(card);
	if (ret)
		return ret;
	memcpy_toio(card->address + DATA_ADDR, header, MAILBOX_HEADER);
	if (cmd == CMD_WRITE)
		memcpy_toio(card->address + DATA_ADDR + MAILBOX_HEADER, card->mailbox_kernel, length);
	card->flag &= ~MY_DEVICE_ANSWERED;
	outb(0x01, card->base + INTERRUPT_ADDR);
	ret = my_device_wait_answer(card);
	if (ret)
		return ret;
	if (card->mailbox_card[0] != REPLY_OK)
		return -EIO;
	return card->mailbox_card[2] | card->mailbox_card[3] << 8;
}

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

static ssize_t my_device_write(struct file *file, const char *buf, size_t count, loff_t *ppos)
{
	struct MY_DEVICE_CARD *card = &card0;
	int port = MINOR(file->f_dentry->d_inode->i_rdev);
	size_t done = 0;
	int chunk, ret;

	/*
	 * A mailbox holds MAILBOX_PAYLOAD bytes: longer writes go as several commands. The card has
	 * one mailbox for all four ports: one command at a time, under card->semaphore.
	 */
	while (done < count) {
		chunk = count - done > MAILBOX_PAYLOAD ? MAILBOX_PAYLOAD : count - done;
		if (down_interruptible(&card->semaphore))
			return done ? done : -EINTR;
		if (copy_from_user(card->mailbox_kernel, buf + done, chunk))
			ret = -EFAULT;
		else
			ret = my_device_command(card, CMD_WRITE, port, chunk);
		up(&card->semaphore);
		if (ret < 0)
			return done ? done : ret;
		done += chunk;
	}
	return done;
}

static ssize_t my_device_read(struct file *file, char *buf, size_t count, loff_t *ppos)
{
	struct MY_DEVICE_CARD *card = &card0;
	int port = MINOR(file->f_dentry->d_inode->i_rdev);
	int ret;

	if (count > MAILBOX_PAYLOAD)
		count = MAILBOX_PAYLOAD;
	if (down_interruptible(&card->semaphore))
		return -EINTR;
	ret = my_device_command(card, CMD_READ, port, count);
	if (ret > 0 && copy_to_user(buf, card->mailbox_card + MAILBOX_HEADER, ret))
		ret = -EFAULT;
	up(&card->semaphore);
	return ret;
}

static struct file_operations my_device_fops = {
	NULL,			/* lseek */
	my_device_read,		/* read */
	my_device_write,	/* write */
	NULL,			/* readdir */
	NULL,			/* poll */
	NULL,			/* ioctl */
	NULL,			/* mmap */
	my_device_open,		/* open */
	NULL,			/* flush */
	my_device_release	/* release */
};

static void sleep_ms(int ms)
{
	current->state = TASK_UNINTERRUPTIBLE;
	schedule_timeout((ms * HZ + 999) / 1000);
}

/* Lab 7's start-up; the interrupt handler acknowledges the card's "ready" interrupt. */
static int my_device_start(struct MY_DEVICE_CARD *card)
{
	int try;

	for (try = 0; try < 3; try++) {
		outb(0, card->base + CONTROL_ADDR);
		memcpy_toio(card->address + FIRMWARE_ADDR, my_device_fw, MY_DEVICE_FW_SIZE);
		sleep_ms(450);
		outb(1, card->base + CONTROL_ADDR);
		sleep_ms(60);
		if (inb(card->base + STATUS_ADDR) & STATUS_READY) {
			printk(KERN_INFO "my_device: card at 0x%x, irq %d, memory 0x%lx: firmware %d running\n",
			       card->base, card->irq, card->address, inb(card->base + FW_VERSION_ADDR));
			return 0;
		}
		if (inb(card->base + ERROR_ADDR) != 1)
			break;
	}
	printk(KERN_ERR "my_device: the card at 0x%x did not start (ERROR=%d)\n", card->base, inb(card->base + ERROR_ADDR));
	outb(0, card->base + CONTROL_ADDR);
	return -EIO;
}

int init_module(void)
{
	struct MY_DEVICE_CARD *card = &card0;
	int ret;

	card->base = io;
	card->irq = irq;
	card->flag = MY_DEVICE_ANSWERED;	/* nothing asked yet */
	card->semaphore = MUTEX;
	init_waitqueue(&card->queue);
	if (check_region(card->base, MY_DEVICE_IO_EXTENT))
		return -EBUSY;
	if (inb(card->base + ID_ADDR) != MY_DEVICE_ID) {
		printk(KERN_ERR "my_device: no card at 0x%x\n", card->base);
		return -ENODEV;
	}
	request_region(card->base, MY_DEVICE_IO_EXTENT, "my_device");
	card->address = inb(card->base + MEM_PAGE_ADDR) << 12;

	/* The article: allocate the mailboxes once, at initialisation, not at every command. */
	card->mailbox_kernel = kmalloc(MAILBOX_SIZE, GFP_KERNEL);
	card->mailbox_card = kmalloc(MAILBOX_SIZE, GFP_KERNEL);
	if (!card->mailbox_kernel || !card->mailbox_card) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = request_irq(card->irq, my_device_interrupt, SA_INTERRUPT, "my_device", card);
	if (ret)
		goto out_free;
	ret = my_device_start(card);
	if (ret)
		goto out_irq;
	if (register_chrdev(MY_DEVICE_MAJOR, "my_device", &my_device_fops)) {
		printk(KERN_ERR "my_device: unable to get major %d\n", MY_DEVICE_MAJOR);
		ret = -EIO;
		goto out_stop;
	}
	return 0;

out_stop:
	outb(0, card->base + CONTROL_ADDR);
out_irq:
	free_irq(card->irq, card);
out_free:
	kfree(card->mailbox_card);
	kfree(card->mailbox_kernel);
	release_region(card->base, MY_DEVICE_IO_EXTENT);
	return ret;
}

void cleanup_module(void)
{
	struct MY_DEVICE_CARD *card = &card0;

	unregister_chrdev(MY_DEVICE_MAJOR, "my_device");
	outb(0, card->base + CONTROL_ADDR);	/* halt the card: no interrupt after this */
	free_irq(card->irq, card);
	kfree(card->mailbox_card);
	kfree(card->mailbox_kernel);
	release_region(card->base, MY_DEVICE_IO_EXTENT);
}
