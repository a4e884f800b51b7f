/*
 * my_device.c -- the 1998 article's my_device as a module for Linux 2.2: the I/O bases and IRQs
 * of the cards come from the insmod command line, as in
 *
 *     insmod my_device io=0x200,0x300 irq=5,7
 *
 * insmod parses the values and writes them into io[] and irq[] before init_module runs.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/ioport.h>
#include <asm/io.h>

#define MY_DEVICE_CARD_MAX 4		/* cards one machine can hold (the datasheet) */
#define MY_DEVICE_IO_EXTENT 16		/* I/O ports a card decodes */
#define MY_DEVICE_ID_REG 1		/* the card's ID register, at base + 1 */
#define MY_DEVICE_ID 0xA5		/* what it reads on a card that is there */

/* Written by insmod before init_module runs; 0 means "not given". */
static int io[MY_DEVICE_CARD_MAX] = { 0, };
static int irq[MY_DEVICE_CARD_MAX] = { 0, };

MODULE_PARM(io, "1-4i");
MODULE_PARM_DESC(io, "I/O base of each card: io=0x200,0x300");
MODULE_PARM(irq, "1-4i");
MODULE_PARM_DESC(irq, "IRQ of each card, in the order of io: irq=5,7");

static int cards;			/* cards claimed so far: io[0] ... io[cards - 1] */

/* The I/O bases a card's jumpers offer: 0x100 to 0xfff0, in steps of 0x10. */
static int legal_io(int base)
{
	return base >= 0x100 && base <= 0xfff0 && (base & 0xf) == 0;
}

/* The IRQs a card's jumpers offer. */
static int legal_irq(int line)
{
	switch (line) {
	case 3: case 4: case 5: case 7: case 9: case 10: case 11: case 12: case 15:
		return 1;
	}
	return 0;
}

/* The number of cards io= names, once every value has been checked; -EINVAL if one is wrong. */
static int count_cards(void)
{
	int n = 0, i;

	while (n < MY_DEVICE_CARD_MAX && io[n])
		n++;
	if (n == 0) {
		printk(KERN_ERR "my_device: no cards given: insmod my_device io=0x200,0x300 irq=5,7\n");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (!legal_io(io[i])) {
			/* "200" is decimal for insmod, as for C: the digits were meant as hex. */
			printk(KERN_ERR "my_device: io=%d (0x%x) is not an I/O base a card can have; did you mean io=0x%d?\n",
			       io[i], io[i], io[i]);
			return -EINVAL;
		}
		if (!irq[i]) {
			printk(KERN_ERR "my_device: card %d (io=0x%x) has no irq: give one irq per card, irq=5,7\n", i, io[i]);
			return -EINVAL;
		}
		if (!legal_irq(irq[i])) {
			printk(KERN_ERR "my_device: irq=%d for card %d: a card's jumpers offer IRQ 3, 4, 5, 7, 9, 10, 11, 12 or 15\n",
			       irq[i], i);
			return -EINVAL;
		}
	}
	for (i = n; i < MY_DEVICE_CARD_MAX; i++) {
		if (irq[i]) {
			printk(KERN_ERR "my_device: irq=%d has no card: io= names %d card(s)\n", irq[i], n);
			return -EINVAL;
		}
	}
	return n;
}

/* Is a card at base, and are its ports free? Claims them if so (the article's way). */
static int claim_card(int base)
{
	int id;

	/* In 2.2 request_region() cannot fail: on a taken range it does nothing. So, ask first. */
	if (check_region(base, MY_DEVICE_IO_EXTENT)) {
		printk(KERN_ERR "my_device: I/O ports 0x%x-0x%x are in use by another driver\n",
		       base, base + MY_DEVICE_IO_EXTENT - 1);
		return -EBUSY;
	}
	/* An ISA port with nothing behind it reads 0xff. */
	id = inb(base + MY_DEVICE_ID_REG);
	if (id != MY_DEVICE_ID) {
		printk(KERN_ERR "my_device: no card at 0x%x (ID register reads 0x%02x, a card answers 0x%02x)\n",
		       base, id, MY_DEVICE_ID);
		return -ENODEV;
	}
	request_region(base, MY_DEVICE_IO_EXTENT, "my_device");
	return 0;
}

/* Gives back the ports of every card claimed so far. */
static void release_cards(void)
{
	while (cards > 0) {
		cards--;
		release_region(io[cards], MY_DEVICE_IO_EXTENT);
	}
}

int init_module(void)
{
	int n, ret;

	n = count_cards();
	if (n < 0)
		return n;
	for (cards = 0; cards < n; cards++) {
		ret = claim_card(io[cards]);
		if (ret) {
			release_cards();
			return ret;
		}
		printk(KERN_INFO "my_device%d: card at 0x%x, irq %d\n", cards, io[cards], irq[cards]);
	}
	return 0;
}

void cleanup_module(void)
{
	release_cards();
}
