// Output without end is bounded: a printk flood keeps the last __LOG_BUF_LEN of the log (and a
// line continued forever is cut at LOG_LINE_MAX), and `yes` to the terminal runs for as long as
// it is let without the host's memory growing with what it printed.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { runSh, tempWorkspace } from './helpers/machine.js';

const FLOOD = `#include <linux/module.h>
#include <linux/kernel.h>

static int __init flood_init(void)
{
	int i;

	for (i = 0; i < 20000; i++)
		printk(KERN_INFO "flood: line %d\\n", i);
	printk(KERN_INFO "flood: dots ");
	for (i = 0; i < 5000; i++)
		pr_cont(".");
	pr_cont("\\n");
	printk(KERN_INFO "flood: done\\n");
	return 0;
}

static void __exit flood_exit(void) { }

module_init(flood_init);
module_exit(flood_exit);
MODULE_LICENSE("GPL");
`;

/** The heap after a full collection: what is really kept. */
function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('floods', () => {
  it('a printk flood keeps the newest 128 KiB of log; a line continued without end becomes records of LOG_LINE_MAX', async () => {
    const r = await runSh('make -s && echo 1 | sudo tee /proc/sys/kernel/printk > /dev/null && sudo insmod flood.ko && dmesg | wc -c && dmesg | grep -c "flood: line" && dmesg | grep "flood: dots" | wc -c && dmesg | tail -1', {
      files: { 'flood.c': FLOOD, Makefile: 'obj-m += flood.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n' },
    });
    const [bytes, lines, dotsLine] = r.output.split('\n').map(Number);
    expect(bytes).toBeGreaterThan(100_000);
    expect(bytes).toBeLessThanOrEqual(1 << 17);
    expect(lines).toBeGreaterThan(1000);
    expect(lines).toBeLessThan(20_000);
    // "[    0.000000] flood: dots " and 992 - 12 dots, then the rest in records of their own.
    expect(dotsLine).toBe(15 + 992 + 1);
    expect(r.output).toMatch(/\] flood: done\n$/);
  });

  it('yes to the terminal: 20 MB printed, and the host keeps none of it', async () => {
    let printed = 0;
    let machine: Machine | undefined;
    const before = heapAfterGc();
    machine = new Machine(createNodeHost({ workspace: tempWorkspace() }), { showBoot: false }, (t) => {
      printed += t.length;
      if (printed > 20_000_000) machine?.stop();
    });
    machine.boot();
    machine.endInput();
    await machine.runShell('yes');
    const after = heapAfterGc();
    machine = undefined;
    expect(printed).toBeGreaterThan(20_000_000);
    expect(after - before).toBeLessThan(8 << 20);
  });
});
