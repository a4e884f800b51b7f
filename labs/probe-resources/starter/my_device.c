/*
 * my_device.c -- finding MY_DEVICE cards and claiming what they use, on today's kernel: for each
 * card insmod names, its I/O ports, its shared-memory window and its IRQ, each checked before
 * the next is taken, and every step undone in reverse order when a later one fails.
 *
 *     sudo insmod my_device.ko io=0x200,0x300 irq=5,7
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/ioport.h>
#include <linux/io.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <linux/string.h>

#define MY_DEVICE_CARD_MAX 4
#define MY_DEVICE_IO_EXTENT 16		/* I/O ports a card decodes */
#define MY_DEVICE_MEM_SIZE 0x4000	/* its shared-memory window: 16 KiB */

/* I/O registers, from the card's base (the datasheet) */
#define REG_STATUS 0
#define REG_ID 1
#define REG_ACK 3
#define REG_MEM_PAGE 8			/* the window's address / 0x1000 */
#define MY_DEVICE_ID 0xa5
#define STATUS_IRQ 0x80

/* The card's ROM, at the start of its window: "MY_DEVICE", a NUL, then the revision. */
#define ROM_SIGNATURE "MY_DEVICE"

/* What insmod may set; without io=, one card at the datasheet's defaults. */
static int io[MY_DEVICE_CARD_MAX] = { 0x200 };
static int irq[MY_DEVICE_CARD_MAX] = { 5 };
static unsigned long mem[MY_DEVICE_CARD_MAX];	/* 0: ask the card (MEM_PAGE) */
static int nio = 1;

/*
 * TODO 1: make io, irq and mem module parameters, as arrays of at most MY_DEVICE_CARD_MAX values:
 *         module_param_array(name, type, &count, perm). io's count goes to nio (the number of
 *         cards insmod names); irq and mem need no count (NULL). Types: int, int, ulong. Make
 *         them readable in /sys/module/my_device/parameters (0444), and describe each with
 *         MODULE_PARM_DESC.
 */

struct my_device_card {
	int number;
	int base;			/* I/O base */
	int irq;
	unsigned long mem_start;	/* the window's bus address */
	void __iomem *mem;		/* ... and where the driver reaches it (ioremap) */
	unsigned long interrupts;
};

static struct my_device_card *cards[MY_DEVICE_CARD_MAX];
static int ncards;

/* Not started (that is the next lab), the card does not interrupt; if it did, this would do. */
static irqreturn_t my_device_interrupt(int irq, void *dev_id)
{
	struct my_device_card *card = dev_id;

	if (!(inb(card->base + REG_STATUS) & STATUS_IRQ))
		return IRQ_NONE;
	outb(0x01, card->base + REG_ACK);
	card->interrupts++;
	return IRQ_HANDLED;
}

/*
 * Is a MY_DEVICE card where this card's parameters say, and can we have what it uses? Claims its
 * I/O ports, its memory window and its IRQ; on any failure gives back what it took and returns
 * -errno, having said what went wrong at KERN_ERR.
 */
static int my_device_probe(struct my_device_card *card)
{
	char rom[sizeof(ROM_SIGNATURE)];
	int ret = 0;

	/*
	 * TODO 2: claim the card's 16 I/O ports: request_region(base, MY_DEVICE_IO_EXTENT,
	 *         "my_device") returns NULL when another driver has any of them. Then say
	 *             my_device0: I/O ports 0x1f0-0x1ff are in use
	 *         and return -EBUSY (there is nothing to undo yet).
	 */

	/*
	 * TODO 3: is it a MY_DEVICE card? Its ID register (base + REG_ID) reads MY_DEVICE_ID; an
	 *         I/O port with nothing behind it reads 0xff. If not, say
	 *             my_device0: no card at 0x200 (ID register reads 0xff)
	 *         and fail with -ENODEV: ret = -ENODEV; goto err_region;
	 */

	/*
	 * TODO 4: the window: when mem= did not give it (card->mem_start is 0), the card tells
	 *         (inb(base + REG_MEM_PAGE) << 12). Claim it with request_mem_region(start,
	 *         MY_DEVICE_MEM_SIZE, "my_device") (NULL: -EBUSY, "memory 0x... is in use", goto
	 *         err_region), then map it: card->mem = ioremap(start, MY_DEVICE_MEM_SIZE) (NULL:
	 *         -ENOMEM, goto err_mem_region).
	 */

	/*
	 * TODO 5: the ROM: copy sizeof(rom) bytes from the start of the window into rom
	 *         (memcpy_fromio) and compare them with ROM_SIGNATURE (memcmp). A mismatch is
	 *         another card, or a wrong mem=: "my_device0: no MY_DEVICE ROM at 0xd0000",
	 *         -ENODEV, goto err_unmap.
	 */
	(void)rom;

	/*
	 * TODO 6: the IRQ: request_irq(card->irq, my_device_interrupt, 0, "my_device", card). It
	 *         returns 0 or -errno (-EBUSY: another driver has the line); on failure say so and
	 *         goto err_unmap with that error.
	 */
	return 0;

	/*
	 * TODO 7: the error exits. Each label undoes one step and falls through to the undoing of
	 *         the steps before it, so that a goto from anywhere undoes exactly what was done:
	 *             err_unmap:      iounmap the window
	 *             err_mem_region: release_mem_region it
	 *             err_region:     release_region the ports
	 */
err_unmap:
err_mem_region:
err_region:
	return ret;
}

/* Gives back everything my_device_probe() took, in reverse order, and the card itself. */
static void my_device_remove(struct my_device_card *card)
{
	/* TODO 8: free_irq (with the same dev_id), iounmap, release_mem_region, release_region. */
	kfree(card);
}

static int __init my_device_init(void)
{
	struct my_device_card *card;
	int i, ret;

	for (i = 0; i < nio; i++) {
		card = kzalloc(sizeof(*card), GFP_KERNEL);
		if (!card) {
			ret = -ENOMEM;
			goto err_cards;
		}
		card->number = i;
		card->base = io[i];
		card->irq = irq[i];
		card->mem_start = mem[i];
		ret = my_device_probe(card);
		if (ret) {
			kfree(card);
			goto err_cards;
		}
		cards[ncards++] = card;
		printk(KERN_INFO "my_device%d: card at 0x%x, irq %d, memory 0x%lx\n", i, card->base, card->irq, card->mem_start);
	}
	return 0;

err_cards:
	/*
	 * TODO 9: card i failed, so insmod fails: the cards before it (cards[0] .. cards[ncards - 1])
	 *         hold ports, windows and IRQs of a module that will not exist. Remove them.
	 */
	return ret;
}

static void __exit my_device_exit(void)
{
	while (ncards > 0)
		my_device_remove(cards[--ncards]);
}

module_init(my_device_init);
module_exit(my_device_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("MY_DEVICE cards: probing and claiming their resources");
