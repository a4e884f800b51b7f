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
	/*
	 * TODO 3: sleep, do not spin. Mark the task as sleeping (current->state; TASK_UNINTERRUPTIBLE,
	 *         so that a signal cannot cut the wait short), then schedule_timeout(jiffies): the
	 *         scheduler runs other tasks and wakes this one when the timeout is over. ms in
	 *         jiffies, rounded up: (ms * HZ + 999) / 1000 (HZ is 100: a jiffy is 10 ms).
	 */
}

/* Resets the card, downloads its firmware and starts it; 0 once the firmware runs, else -EIO. */
static int my_device_start(void)
{
	int try;

	for (try = 1; try <= START_TRIES; try++) {
		/* TODO 1: reset the card: 0 to CONTROL halts its CPU and opens the start-up window. */

		/*
		 * TODO 2: download the firmware into the window at FIRMWARE_ADDR: memcpy_toio(to,
		 *         from, count), to = address + FIRMWARE_ADDR.
		 */

		sleep_ms(450);			/* the middle of the 400-500 ms window */

		/*
		 * TODO 4: RUN (1 to CONTROL). The firmware needs 50 ms to boot: sleep 60, then read
		 *         STATUS. READY means it runs: the card has also raised its "ready" interrupt,
		 *         which must be acknowledged like any other (1 to ACK_ADDR) or the card sets
		 *         ERROR=7 a second later and never interrupts again. Say
		 *             my_device: firmware 1 running on the card at 0x200
		 *         (FW_VERSION_ADDR holds the version) and return 0.
		 */

		/*
		 * TODO 5: not READY: the ERROR register says why. ERROR_TIMING means RUN missed the
		 *         window (a sleep only promises not to wake before its time, not to wake on
		 *         time): say so at KERN_ERR and start over (the loop does). Any other error
		 *         will not go away by trying again: stop trying (break).
		 */
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
	/* TODO 6: halt the card's CPU (0 to CONTROL): no driver will answer it any more. */
	release_region(io, MY_DEVICE_IO_EXTENT);
}
