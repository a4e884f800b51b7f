// The kernel on its hardware: the PIT drives jiffies through the PIC at HZ,
// /proc files read like Linux, printk levels reach the console or not.
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { HZ } from '../emulator/kernel/kernel.js';

function boot() {
  let out = '';
  const m = new Machine(createNodeHost({}), {}, (t) => { out += t; });
  m.boot();
  return { m, out: () => out };
}

describe('kernel on the virtual hardware', () => {
  it('counts HZ timer interrupts per virtual second through the 8259', () => {
    const { m } = boot();
    const k = m.kernel;
    const j0 = k.jiffies, irq0 = k.irqCounts[0]!;
    k.advanceTo(k.clock.now + 10e9);
    expect((k.jiffies - j0) >>> 0).toBe(10 * HZ);
    expect(k.irqCounts[0]! - irq0).toBe(10 * HZ);
  });

  it('prints boot messages with timestamps and keeps them in the ring buffer', () => {
    const { m, out } = boot();
    expect(out()).toMatch(/^\[ {4}0\.000000\] Linux version 6\.8\.0-driverlab /m);
    expect(m.kernel.log.read().some((r) => r.text.startsWith('Run /sbin/init'))).toBe(true);
  });

  it('masks the console below the console log level', () => {
    const { m, out } = boot();
    const before = out().length;
    m.kernel.printk('\x016quiet info\n');
    m.kernel.printk('\x013loud error\n');
    expect(out().slice(before)).not.toContain('quiet info');
    expect(out().slice(before)).toContain('loud error');
  });
});

describe('/proc', () => {
  it('formats interrupts, ioports, devices and version like Linux', async () => {
    let out = '';
    const m = new Machine(createNodeHost({}), {}, (t) => { out += t; });
    m.boot();
    const start = out.length;
    m.endInput();
    const status = await m.runShell('cat /proc/interrupts /proc/ioports /proc/devices /proc/version /proc/cmdline');
    const text = out.slice(start).replace(/\r\n/g, '\n');
    expect(status).toBe(0);
    // Two CPU columns (the modern machine is an SMP): each counts the interrupts that CPU took.
    expect(text).toMatch(/^ {11}CPU0 {7}CPU1 {7}\n {2}0: +\d+ +\d+ +XT-PIC +timer$/m);
    expect(text).toMatch(/^0020-0021 : pic1$/m);
    expect(text).toMatch(/^0040-0043 : timer0$/m);
    expect(text).toMatch(/^Character devices:\n {2}1 mem\n/m);
    expect(text).toMatch(/^Linux version 6\.8\.0-driverlab/m);
    expect(text).toMatch(/^BOOT_IMAGE=linux ro root=301$/m);
  });
});
