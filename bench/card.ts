// Card round trips: a driver sends WRITE (64 bytes) and READ (64 bytes) commands through the
// MY_DEVICE mailboxes, interrupt-driven (doorbell, sleep on a wait queue, the ISR copies the
// reply and ACKs). The datasheet's latency (20 ms + 10 us per byte) bounds them in virtual time;
// the figure that matters for the host is how much wall time a virtual second of it costs, with
// and without a listener on the machine's event stream (the inspector, --trace).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machine, type MachineEvent } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { median, type Row } from './stats.js';
import { InspectorAggregator } from '../main/session/inspector/aggregator.js';

const CARD_RT_C = `#include <linux/module.h>
#include <linux/io.h>
#include <linux/interrupt.h>
#include <linux/delay.h>
#include <linux/wait.h>
#include <linux/string.h>
#include <asm/my_device_fw.h>

static int loops;
module_param(loops, int, 0);
static void __iomem *base;
static DECLARE_WAIT_QUEUE_HEAD(wq);
static int answered;
static u8 reply[68];

static irqreturn_t isr(int irq, void *dev)
{
	if (!(inb(0x200) & 0x80))
		return IRQ_NONE;
	memcpy_fromio(reply, base + 0x3000, sizeof(reply));
	outb(1, 0x203);
	answered = 1;
	wake_up(&wq);
	return IRQ_HANDLED;
}

static int command(u8 cmd, const u8 *payload, u16 len)
{
	u8 header[4] = { cmd, 2, len & 0xff, len >> 8 };
	answered = 0;
	memcpy_toio(base + 0x2000, header, 4);
	if (payload)
		memcpy_toio(base + 0x2004, payload, len);
	outb(1, 0x202);
	return wait_event_timeout(wq, answered, HZ) ? reply[0] : -ETIMEDOUT;
}

static int __init rt_init(void)
{
	u8 data[64];
	int i;

	base = ioremap(0xd0000, 0x4000);
	if (request_irq(5, isr, 0, "cardrt", &wq))
		return -EBUSY;
	outb(0, 0x200);
	memcpy_toio(base + 0x1000, my_device_fw, MY_DEVICE_FW_SIZE);
	msleep(450);
	outb(1, 0x200);
	wait_event_timeout(wq, answered, HZ);
	for (i = 0; i < 64; i++)
		data[i] = i;
	for (i = 0; i < loops; i++) {
		if (command(1, data, 64) != 0 || command(2, NULL, 64) != 0 || memcmp(reply + 4, data, 64))
			break;
	}
	free_irq(5, &wq);
	iounmap(base);
	return i == loops ? 0 : -EIO;
}

static void __exit rt_exit(void) { }
module_init(rt_init);
module_exit(rt_exit);
MODULE_LICENSE("GPL");
`;

export async function benchCardRoundTrips(): Promise<Row[]> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-bench-'));
  fs.writeFileSync(path.join(ws, 'cardrt.c'), CARD_RT_C);
  fs.writeFileSync(path.join(ws, 'Makefile'), 'obj-m += cardrt.o\n');
  const LOOPS = 400;
  /** Wall ms and virtual seconds of one insmod doing `loops` round trips, with nobody, a listener, or one that wants C lines listening. */
  const run = async (listen: 'none' | 'events' | 'sources' | 'inspector', loops: number) => {
    let events = 0;
    const m = new Machine(createNodeHost({ workspace: ws }), { showBoot: false }, () => undefined);
    if (listen === 'events' || listen === 'sources') m.listen((_e: MachineEvent) => { events++; }, { sources: listen === 'sources' });
    // The inspector open: its aggregation in the worker (counters, the timeline's rings), C lines included.
    if (listen === 'inspector') new InspectorAggregator(m, () => performance.now()).start();
    await m.boot();
    m.endInput();
    if (await m.runShell('/usr/src/linux-headers-6.8.0-driverlab/scripts/kbuild modules /home/lab >/dev/null') !== 0) throw new Error('bench: cardrt.ko did not build');
    const v0 = m.clock.now;
    const t0 = performance.now();
    if (await m.runShell(`sudo insmod cardrt.ko loops=${loops}`) !== 0) throw new Error('bench: card round trips failed');
    return { wallMs: performance.now() - t0, virtualS: (m.clock.now - v0) / 1e9, events };
  };
  await run('none', 10);
  const quiet: number[] = [];
  const listened: number[] = [];
  const withSources: number[] = [];
  const inspected: number[] = [];
  let perVirtualSecond = 0;
  let eventsPerRt = 0;
  for (let i = 0; i < 7; i++) {
    const a = await run('none', LOOPS);
    const b = await run('events', LOOPS);
    const c = await run('sources', LOOPS);
    const d = await run('inspector', LOOPS);
    inspected.push(d.wallMs / d.virtualS);
    quiet.push(a.wallMs / a.virtualS);
    listened.push(b.wallMs / b.virtualS);
    withSources.push(c.wallMs / c.virtualS);
    perVirtualSecond = LOOPS / a.virtualS;
    eventsPerRt = b.events / LOOPS;
  }
  fs.rmSync(ws, { recursive: true, force: true });
  return [
    { name: 'card round trips (WRITE+READ of 64 bytes, interrupt-driven) per virtual second', value: perVirtualSecond.toFixed(1), target: '~24 (datasheet latency)', runs: quiet.length },
    { name: 'wall time per virtual second of card round trips', value: `${median(quiet).toFixed(1)} ms`, target: '< 1000 ms', runs: quiet.length },
    { name: `the same with an event-stream listener (${Math.round(eventsPerRt)} events per round trip): ratio`, value: `x${(median(listened) / median(quiet)).toFixed(2)}`, runs: listened.length },
    { name: 'the same with a listener that wants the C line of each access: ratio', value: `x${(median(withSources) / median(quiet)).toFixed(2)}`, runs: withSources.length },
    { name: 'the same with the inspector open (its aggregation and timeline, C lines included): ratio', value: `x${(median(inspected) / median(quiet)).toFixed(2)}`, runs: inspected.length },
  ];
}
