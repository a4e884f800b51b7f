/*
 * my_device.c -- starting MY_DEVICE's own CPU (Linux 2.2). The card runs only once its firmware
 * (its "BIOS") is in its shared memory and RUN is written 400 to 500 ms after the reset: the
 * article's example of a wait with an absolute deadline. This driver waits by sleeping, so that
 * the rest of the system runs meanwhile.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/ioport.h>
#include <asm/io.h>
#include <asm/my_device_fw.h>		/* my_device_fw[], MY_DEVICE_FW_SIZE */

#define MY_DEVICE_IO_EXTENT 16
#define MY_DEVICE_ID 0xA5

/* I/O registers, from the card's base (the datasheet) */
#define CONTROL_ADDR 0			/* write: 0 halts and resets the card's CPU, 1 is RUN */
#define STATUS_ADDR 0			/* read */
#define ID_ADDR 1
#define ACK_ADDR 3			/* write 1: "I have seen your interrupt" */
#define ERROR_ADDR 4			/* the last error; RUN=0 clears it */
#define FW_VERSION_ADDR 7
#define MEM_PAGE_ADDR 8			/* the window's address / 0x1000 */

#define STATUS_READY 0x01		/* the firmware runs and takes commands */

#define ERROR_TIMING 1			/* RUN came outside the 400-500 ms window */

#define FIRMWARE_ADDR 0x1000		/* where, in the window, the card's CPU looks for its firmware */
#define START_TRIES 3

static int io = 0x200;
MODULE_PARM(io, "i");
MODULE_PARM_DESC(io, "I/O base of the card (default 0x200)");

static u_long address;			/* the card's window; 2.2 reads ISA memory at its bus address */

/* Waits ms milliseconds (rounded up to whole jiffies), while other processes run. */
static void sleep_ms(int ms)
{
	current->state = TASK_UNINTERRUPTIBLE;
	schedule_timeout((ms * HZ + 999) / 1000);
}

/* Resets the card, downloads its firmware and starts it; 0 once the firmware runs, else -EIO. */
static int my_device_start(void)
{
	int try;

	for (try = 1; try <= START_TRIES; try++) {
		outb(0, io + CONTROL_ADDR);

		memcpy_toio(address + FIRMWARE_ADDR, my_device_fw, MY_DEVICE_FW_SIZE);

		sleep_ms(450);			/* the middle of the 400-500 ms window */

		outb(1, io + CONTROL_ADDR);
		sleep_ms(60);
		if (inb(io + STATUS_ADDR) & STATUS_READY) {
			outb(1, io + ACK_ADDR);
			printk(KERN_INFO "my_device: firmware %d running on the card at 0x%x\n", inb(io + FW_VERSION_ADDR), io);
			return 0;
		}

		if (inb(io + ERROR_ADDR) != ERROR_TIMING)
			break;
		printk(KERN_ERR "my_device: the card at 0x%x missed its start-up window (ERROR=%d), try %d of %d\n",
		       io, ERROR_TIMING, try, START_TRIES);
	}
	printk(KERN_ERR "my_device: the card at 0x%x did not start (ERROR=%d)\n", io, inb(io + ERROR_ADDR));
	outb(0, io + CONTROL_ADDR);		/* leave its CPU halted */
	return -EIO;
}

int init_module(void)
{
	int ret;

	if (check_region(io, MY_DEVICE_IO_EXTENT))
		return -EBUSY;
	if (inb(io + ID_ADDR) != MY_DEVICE_ID) {
		printk(KERN_ERR "my_device: no card at 0x%x\n", io);
		return -ENODEV;
	}
	request_region(io, MY_DEVICE_IO_EXTENT, "my_device");
	address = inb(io + MEM_PAGE_ADDR) << 12;

	ret = my_device_start();
	if (ret) {
		release_region(io, MY_DEVICE_IO_EXTENT);
		return ret;
	}
	return 0;
}

void cleanup_module(void)
{
	outb(0, io + CONTROL_ADDR);
	release_region(io, MY_DEVICE_IO_EXTENT);
}
