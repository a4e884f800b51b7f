/*
 * my_device.c -- one card of the 1998 article's my_device, written for Linux 2.2. Make this
 * one source build and work on today's kernel (6.8) too: what both kernels have stays written
 * once; where they differ, let LINUX_VERSION_CODE and KERNEL_VERSION() choose, as the article
 * teaches ("리눅스 커널 프로그래밍의 변경 내용을 공존시키기 위해서 만들어진 변수가
 * LINUX_VERSION_CODE 이다").
 */
#include <linux/version.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/ioport.h>
#include <linux/interrupt.h>
#include <linux/ioctl.h>
#include <asm/io.h>
/*
 * TODO 1: headers moved. Today kmalloc is in <linux/slab.h> (2.2: <linux/malloc.h>),
 *         copy_to_user in <linux/uaccess.h> (2.2: <asm/uaccess.h>), semaphores in
 *         <linux/semaphore.h> (2.2: <asm/semaphore.h>); today's kernel also wants <linux/init.h>,
 *         <linux/wait.h>, <linux/delay.h> (msleep) and <linux/moduleparam.h>. Choose with
 *         #if LINUX_VERSION_CODE >= KERNEL_VERSION(2, 6, 0) ... #else ... #endif.
 */
#include <linux/malloc.h>
#include <asm/uaccess.h>
#include <asm/semaphore.h>
#include <asm/my_device_fw.h>

#define MY_DEVICE_MAJOR 125
#define MY_DEVICE_PORTS 4

#define MY_DEVICE_IO_EXTENT 16
#define CONTROL_ADDR 0
#define STATUS_ADDR 0
#define ID_ADDR 1
#define INTERRUPT_ADDR 2
#define ACK_ADDR 3
#define MEM_PAGE_ADDR 8
#define MY_DEVICE_ID 0xA5

#define WINDOW_SIZE 0x4000
#define FIRMWARE_ADDR 0x1000
#define DATA_ADDR 0x2000
#define ANSWER_ADDR 0x3000
#define MAILBOX_SIZE 4096
#define MAILBOX_HEADER 4
#define MAILBOX_PAYLOAD (MAILBOX_SIZE - MAILBOX_HEADER)

#define CMD_WRITE 0x01
#define CMD_READ 0x02
#define ANSWER_OK 0x00
#define ANSWER_READY 0xFF

/* ioctl: the card's STATUS register (READY 0x01, EXIST 0x10...). */
#define MY_DEVICE_GET_STATUS _IOR(MY_DEVICE_MAJOR, 1, int)

#define MY_DEVICE_BUSY 0x01
#define MY_DEVICE_ANSWERED 0x02

static int io = 0x200;
static int irq = 5;
/*
 * TODO 2: module parameters: 2.2's MODULE_PARM(io, "i") is module_param(io, int, 0444) today
 *         (<linux/moduleparam.h>). Today's kernel also wants MODULE_LICENSE("GPL"), or the
 *         module taints it as proprietary.
 */
MODULE_PARM(io, "i");
MODULE_PARM(irq, "i");
MODULE_PARM_DESC(io, "the card's I/O base (jumpers)");
MODULE_PARM_DESC(irq, "the card's IRQ (jumpers)");

static char *window;			/* the card's 16 KiB of shared memory, from ioremap() */
static u_char *outbox;			/* a write's bytes on their way to the card */
static u_char *mailbox;			/* the card's answer, copied by the interrupt handler */
static u_int flag;
static u_int port_flag[MY_DEVICE_PORTS];
static struct semaphore semaphore;	/* one command at a time */
/*
 * TODO 3: sleeping changed. A 2.2 wait queue is a struct wait_queue pointer; today it is a
 *         wait_queue_head_t (static DECLARE_WAIT_QUEUE_HEAD(queue);). interruptible_sleep_on()
 *         and current->timeout are gone: my_device_wait_answer() below becomes
 *         wait_event_interruptible_timeout(queue, flag & MY_DEVICE_ANSWERED, HZ * 3) (negative:
 *         a signal; 0: the time ran out), and my_device_sleep() msleep(ms).
 */
static struct wait_queue *queue;

/*
 * Copies the card's answer, acknowledges the interrupt, wakes the sleeper.
 *
 * TODO 4: interrupt handlers changed. Today's has no pt_regs and returns irqreturn_t:
 *         IRQ_HANDLED when its device interrupted (IRQ_NONE lets a shared line's other handlers
 *         try). SA_INTERRUPT, in request_irq() below, is gone too: handlers always run with
 *         interrupts disabled now, and the flags are 0 (or IRQF_SHARED).
 */
static void my_device_interrupt(int irq, void *dev_id, struct pt_regs *regs)
{
	memcpy_fromio(mailbox, window + ANSWER_ADDR, MAILBOX_SIZE);
	outb(0x01, io + ACK_ADDR);
	flag |= MY_DEVICE_ANSWERED;
	wake_up_interruptible(&queue);
}

/*
 * Sleeps until the interrupt handler says the card answered, 3 s at most: 0 when it did,
 * -EINTR on a signal, -EIO when it did not answer.
 */
static int my_device_wait_answer(void)
{
	current->timeout = jiffies + HZ * 3;
	interruptible_sleep_on(&queue);
	if (signal_pending(current))
		return -EINTR;
	return flag & MY_DEVICE_ANSWERED ? 0 : -EIO;
}

/* One command through the mailbox; `buf` is the program's, `count` at most MAILBOX_PAYLOAD. */
static ssize_t my_device_transfer(int port, int cmd, char *buf, size_t count)
{
	u_char header[MAILBOX_HEADER];
	ssize_t ret;
	int length;

	if (count > MAILBOX_PAYLOAD)
		count = MAILBOX_PAYLOAD;
	if (down_interruptible(&semaphore))
		return -EINTR;
	if (cmd == CMD_WRITE) {
		if (copy_from_user(outbox, buf, count)) {
			ret = -EFAULT;
			goto out;
		}
		memcpy_toio(window + DATA_ADDR + MAILBOX_HEADER, outbox, count);
	}
	header[0] = cmd;
	header[1] = port;
	header[2] = count & 0xff;
	header[3] = count >> 8;
	memcpy_toio(window + DATA_ADDR, header, MAILBOX_HEADER);
	flag &= ~MY_DEVICE_ANSWERED;
	outb(0x01, io + INTERRUPT_ADDR);
	ret = my_device_wait_answer();
	if (ret)
		goto out;
	length = mailbox[2] | mailbox[3] << 8;
	if (mailbox[0] != ANSWER_OK || mailbox[1] != port || length > count)
		ret = -EIO;
	else if (cmd == CMD_WRITE)
		ret = count;
	else
		ret = copy_to_user(buf, mailbox + MAILBOX_HEADER, length) ? -EFAULT : length;
out:
	up(&semaphore);
	return ret;
}

/* The port a file is on: open() keeps it in private_data, which both kernels' struct file have. */
static int port_of(struct file *file)
{
	return (int)(long)file->private_data;
}

static ssize_t my_device_read(struct file *file, char *buf, size_t count, loff_t *ppos)
{
	return my_device_transfer(port_of(file), CMD_READ, buf, count);
}

static ssize_t my_device_write(struct file *file, const char *buf, size_t count, loff_t *ppos)
{
	return my_device_transfer(port_of(file), CMD_WRITE, (char *)buf, count);
}

/*
 * TODO 5: ioctl changed. Today it is long unlocked_ioctl(struct file *, unsigned int cmd,
 *         unsigned long arg), without the inode, in the .unlocked_ioctl field of
 *         file_operations (2.2: .ioctl). And since 2.4 file_operations has .owner =
 *         THIS_MODULE, with which the kernel counts the module's users itself: the
 *         MOD_INC_USE_COUNT and MOD_DEC_USE_COUNT in open and release are 2.2's alone (today
 *         they do not exist).
 */
static int my_device_ioctl(struct inode *inode, struct file *file, unsigned int cmd, unsigned long arg)
{
	int status;

	if (cmd != MY_DEVICE_GET_STATUS)
		return -ENOTTY;
	status = inb(io + STATUS_ADDR);
	return copy_to_user((void *)arg, &status, sizeof(status)) ? -EFAULT : 0;
}

static int my_device_open(struct inode *inode, struct file *file)
{
	int minor = MINOR(inode->i_rdev);

	if (minor >= MY_DEVICE_PORTS)
		return -ENODEV;
	if (port_flag[minor] & MY_DEVICE_BUSY)
		return -EBUSY;
	port_flag[minor] |= MY_DEVICE_BUSY;
	file->private_data = (void *)(long)minor;
	MOD_INC_USE_COUNT;
	return 0;
}

static int my_device_release(struct inode *inode, struct file *file)
{
	port_flag[port_of(file)] &= ~MY_DEVICE_BUSY;
	MOD_DEC_USE_COUNT;
	return 0;
}

/* Named fields: each kernel's struct file_operations puts them where it does. */
static struct file_operations my_device_fops = {
	.ioctl = my_device_ioctl,
	.read = my_device_read,
	.write = my_device_write,
	.open = my_device_open,
	.release = my_device_release,
};

/* Sleeps about `ms` milliseconds. */
static void my_device_sleep(int ms)
{
	current->state = TASK_INTERRUPTIBLE;
	current->timeout = jiffies + (ms * HZ + 999) / 1000;
	schedule();
}

/* The BIOS download: reset, firmware, RUN 450 ms later, then the card's "ready" interrupt. */
static int my_device_start(void)
{
	outb(0, io + CONTROL_ADDR);
	memcpy_toio(window + FIRMWARE_ADDR, my_device_fw, MY_DEVICE_FW_SIZE);
	my_device_sleep(450);
	flag &= ~MY_DEVICE_ANSWERED;
	outb(1, io + CONTROL_ADDR);
	if (my_device_wait_answer() || mailbox[0] != ANSWER_READY)
		return -EIO;
	return 0;
}

/*
 * Claims the card's I/O ports.
 *
 * TODO 6: 2.2's request_region() returns nothing and cannot fail: check_region() first says
 *         whether the ports are free. Since 2.4, request_region() returns NULL when they are
 *         not (and check_region() is gone): one call, tested.
 */
static int my_device_claim(void)
{
	if (check_region(io, MY_DEVICE_IO_EXTENT))
		return -EBUSY;
	request_region(io, MY_DEVICE_IO_EXTENT, "my_device");
	return 0;
}

static int my_device_init(void)
{
	int ret;

	ret = my_device_claim();
	if (ret)
		return ret;
	if (inb(io + ID_ADDR) != MY_DEVICE_ID) {
		ret = -ENODEV;
		goto fail_region;
	}
	window = ioremap(inb(io + MEM_PAGE_ADDR) << 12, WINDOW_SIZE);
	mailbox = kmalloc(MAILBOX_SIZE, GFP_KERNEL);
	outbox = kmalloc(MAILBOX_PAYLOAD, GFP_KERNEL);
	if (!window || !mailbox || !outbox) {
		ret = -ENOMEM;
		goto fail_memory;
	}
	sema_init(&semaphore, 1);
	ret = request_irq(irq, my_device_interrupt, SA_INTERRUPT, "my_device", NULL);
	if (ret)
		goto fail_memory;
	if (my_device_start()) {
		printk(KERN_ERR "my_device: the card at 0x%x did not start\n", io);
		ret = -EIO;
		goto fail_irq;
	}
	ret = register_chrdev(MY_DEVICE_MAJOR, "my_device", &my_device_fops);
	if (ret < 0) {
		printk(KERN_ERR "my_device: unable to get major %d\n", MY_DEVICE_MAJOR);
		goto fail_irq;
	}
	printk(KERN_INFO "my_device: card at 0x%x, irq %d, built for %d.%d.%d\n", io, irq,
	       LINUX_VERSION_CODE >> 16, (LINUX_VERSION_CODE >> 8) & 0xff, LINUX_VERSION_CODE & 0xff);
	return 0;

fail_irq:
	outb(0, io + CONTROL_ADDR);
	free_irq(irq, NULL);
fail_memory:
	if (window)
		iounmap(window);
	kfree(mailbox);
	kfree(outbox);
fail_region:
	release_region(io, MY_DEVICE_IO_EXTENT);
	return ret;
}

static void my_device_exit(void)
{
	unregister_chrdev(MY_DEVICE_MAJOR, "my_device");
	outb(0, io + CONTROL_ADDR);
	free_irq(irq, NULL);
	iounmap(window);
	kfree(mailbox);
	kfree(outbox);
	release_region(io, MY_DEVICE_IO_EXTENT);
}

/*
 * init_module() and cleanup_module() by name: 2.2's way, which today's kernel still honours
 * (today's drivers say module_init(my_device_init) instead, which 2.2 did not have).
 */
int init_module(void)
{
	return my_device_init();
}

void cleanup_module(void)
{
	my_device_exit();
}
