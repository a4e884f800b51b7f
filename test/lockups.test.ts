// Loops that never yield: C code is preempted at its loop back-edges, so the
// machine (and the test run) always keeps control. The modern kernel's watchdog
// reports a soft lockup (interrupts on) or a hard lockup (interrupts off) on
// the stuck CPU while the other CPU keeps the shell answering.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh, tempWorkspace } from './helpers/machine.js';
import { Machine } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';

const files = {
  'spin.c': fs.readFileSync(path.join(import.meta.dirname, 'fixtures/spin.c'), 'utf8'),
  Makefile: 'obj-m += spin.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n',
};
const SETUP = 'make -s && sudo insmod spin.ko && sudo mknod /dev/spin c 202 0 && sudo chmod 666 /dev/spin';

describe('lockups (modern, two CPUs)', () => {
  it('a driver loop with interrupts on is a soft lockup, reported within 30 s while the shell answers on the other CPU', async () => {
    const wall = performance.now();
    const r = await runSh(`${SETUP}; cat /dev/spin & sleep 30; echo alive; ps -o stat,comm | grep cat; dmesg | grep -A5 "soft lockup"`, { files });
    expect(performance.now() - wall).toBeLessThan(15_000);
    expect(r.output).toMatch(/^\[\s*2[0-9]\.\d{6}\] watchdog: BUG: soft lockup - CPU#\d stuck for 2[0-9]s! \[cat:\d+\]\nalive\nR\+ {3}cat\n/);
    const report = r.output.slice(r.output.indexOf('alive'));
    expect(report).toMatch(/watchdog: BUG: soft lockup - CPU#(\d) stuck for 2\ds! \[cat:(\d+)\]\n.*Modules linked in: spin\(O\)\n.*CPU: \1 PID: \2 Comm: cat Tainted: G {11}O {7}6\.8\.0-driverlab #1\n.*Hardware name: .*\n.*RIP: 0010:spin_read\+0x[0-9a-f]+\/0x[0-9a-f]+ \[spin\] \(\/home\/lab\/spin\.c:13\)\n/);
  });

  it('with interrupts disabled around the loop it is a hard lockup (NMI watchdog) instead', async () => {
    const r = await runSh(`${SETUP}; echo x > /dev/spin & sleep 30; echo alive; dmesg | grep -E "LOCKUP|soft lockup|RIP"`, { files });
    expect(r.output).toMatch(/watchdog: Watchdog detected hard LOCKUP on cpu \d\nalive\n.*watchdog: Watchdog detected hard LOCKUP on cpu \d\n.*RIP: 0010:spin_write\+0x[0-9a-f]+\/0x[0-9a-f]+ \[spin\] \(\/home\/lab\/spin\.c:23\)\n$/);
  });
});

describe('a stall without kernel preemption (2.2, one CPU)', () => {
  it('a module whose init never returns stalls every process; SysRq-B from the keyboard still resets the machine, and the script goes on', async () => {
    const workspace = tempWorkspace({
      'stall.c': fs.readFileSync(path.join(import.meta.dirname, 'fixtures/stall22.c'), 'utf8'),
      Makefile: 'obj-m += stall.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n',
    });
    let out = '';
    const machine = new Machine(createNodeHost({ workspace }), { personality: '2.2', showBoot: false }, (t) => { out += t; });
    machine.boot();
    machine.endInput();
    out = '';
    const before = machine.kernel;
    let stalledJiffies = 0;
    // Ten seconds in, the timer still ticks (interrupts reach the CPU) while no process runs; then Alt+SysRq+B.
    // Kernel time: the clock also counts the five seconds LILO waited at its prompt.
    machine.clock.schedule(before.bootNs + 10e9, () => { stalledJiffies = before.jiffies; }, 'test: look');
    machine.clock.schedule(before.bootNs + 20e9, () => machine.sysrq('b'), 'test: Alt+SysRq+B');
    const status = await machine.runShell('make -s && (sudo insmod stall.ko &); sleep 2; echo alive; cat /proc/uptime');
    expect(stalledJiffies).toBeGreaterThan(990);
    // `sleep 2` never ended on the stalled machine; after the reset the script goes on with the next command.
    expect(out).toMatch(/^\[\s*20\.0\d+\] SysRq: Resetting\r\nalive\r\n0\.\d\d /);
    expect(machine.kernel).not.toBe(before);
    expect(status).toBe(0);
  });
});
