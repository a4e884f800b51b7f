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

module_param_array(io, int, &nio, 0444);
MODULE_PARM_DESC(io, "I/O base of each card (default 0x200)");
module_param_array(irq, int, NULL, 0444);
MODULE_PARM_DESC(irq, "IRQ of each card (default 5)");
module_param_array(mem, ulong, NULL, 0444);
MODULE_PARM_DESC(mem, "Shared memory of each card (default: what the card says)");

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
	int id, ret;


	if (!request_region(card->base, MY_DEVICE_IO_EXTENT, "my_device")) {
		printk(KERN_ERR "my_device%d: I/O ports 0x%x-0x%x are in use\n",
		       card->number, card->base, card->base + MY_DEVICE_IO_EXTENT - 1);
		return -EBUSY;
	}

	id = inb(card->base + REG_ID);
	if (id != MY_DEVICE_ID) {
		printk(KERN_ERR "my_device%d: no card at 0x%x (ID register reads 0x%02x)\n", card->number, card->base, id);
		ret = -ENODEV;
		goto err_region;
	}

	if (!card->mem_start)
		card->mem_start = inb(card->base + REG_MEM_PAGE) << 12;
	if (!request_mem_region(card->mem_start, MY_DEVICE_MEM_SIZE, "my_device")) {
		printk(KERN_ERR "my_device%d: memory 0x%lx-0x%lx is in use\n",
		       card->number, card->mem_start, card->mem_start + MY_DEVICE_MEM_SIZE - 1);
		ret = -EBUSY;
		goto err_region;
	}
	card->mem = ioremap(card->mem_start, MY_DEVICE_MEM_SIZE);
	if (!card->mem) {
		ret = -ENOMEM;
		goto err_mem_region;
	}

	memcpy_fromio(rom, card->mem, sizeof(rom));
	if (memcmp(rom, ROM_SIGNATURE, sizeof(rom))) {
		printk(KERN_ERR "my_device%d: no MY_DEVICE ROM at 0x%lx\n", card->number, card->mem_start);
		ret = -ENODEV;
		goto err_unmap;
	}

	ret = request_irq(card->irq, my_device_interrupt, 0, "my_device", card);
	if (ret) {
		printk(KERN_ERR "my_device%d: IRQ %d is not available (error %d)\n", card->number, card->irq, ret);
		goto err_unmap;
	}
	return 0;

err_unmap:
	iounmap(card->mem);
err_mem_region:
	release_mem_region(card->mem_start, MY_DEVICE_MEM_SIZE);
err_region:
	release_region(card->base, MY_DEVICE_IO_EXTENT);
	return ret;
}

/* Gives back everything my_device_probe() took, in reverse order, and the card itself. */
static void my_device_remove(struct my_device_card *card)
{
	free_irq(card->irq, card);
	iounmap(card->mem);
	release_mem_region(card->mem_start, MY_DEVICE_MEM_SIZE);
	release_region(card->base, MY_DEVICE_IO_EXTENT);
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
	while (ncards > 0)
		my_device_remove(cards[--ncards]);
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
