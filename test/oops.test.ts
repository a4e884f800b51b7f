// Oops, BUG, WARN and panic for faults in the learner's C code, end to end: real clang, real
// module builds, the shell. The oops must name the faulting function and the source line of the
// faulting statement (from the module's DWARF), kill the task as Linux does, and leave the module
// and the machine in the state Linux leaves them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh, tempWorkspace } from './helpers/machine.js';
import { Machine, type MachineConfig } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { oopsRecords } from '../emulator/kernel/oops.js';

const SRC = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'oopsmod.c'), 'utf8');
const MAKEFILE = 'obj-m += oopsmod.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n';
const FILES = { 'oopsmod.c': SRC, Makefile: MAKEFILE };
/** The line of the fixture holding `/* MARKER *\/`. */
const line = (marker: string) => SRC.split('\n').findIndex((l) => l.includes(`/* ${marker} */`)) + 1;
const at = (marker: string) => `(/home/lab/oopsmod.c:${line(marker)})`;
const setup = (bug: string, params = '') => `make -s && sudo insmod oopsmod.ko bug=${bug} ${params} && sudo mknod -m 666 /dev/oops c 240 0`;
/** Kernel messages as dmesg shows them without timestamps, from the console output of a run. */
const consoleLog = (output: string) => output.split('\n').map((l) => l.replace(/^\[ *\d+\.\d{6}\] /, '')).join('\n');
const dmesg = (m: Machine) => m.kernel.log.read().map((r) => r.text).join('\n') + '\n';
/** A regexp source matching "name+0xoff/0xsize [module]". */
const sym = (name: string, mod = 'oopsmod') => `${name}\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[${mod}\\]`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Consecutive log lines: a string is literal text, a RegExp a pattern for its line(s). */
const seq = (...lines: (string | RegExp)[]) => new RegExp(lines.map((l) => (typeof l === 'string' ? esc(l) : l.source)).join('\n'));
/** A pattern for "func+0xoff/0xsize [oopsmod] (/home/lab/oopsmod.c:LINE)". */
const frame = (name: string, marker: string) => new RegExp(`${sym(name)} ${esc(at(marker))}`);

const SYSCALL_READ = [' vfs_read+0x9d/0x1b0', ' ksys_read+0x6f/0xf0', ' __x64_sys_read+0x19/0x30', ' do_syscall_64+0x5d/0x90', ' entry_SYSCALL_64_after_hwframe+0x6e/0xd8'];

describe('oops (modern)', () => {
  it('a NULL dereference in read: the oops names the function, offset and source line; cat is killed; the rest goes on', async () => {
    const r = await runSh(`${setup('null')}; cat /dev/oops; echo "cat: $?"; echo still here; cat /proc/sys/kernel/tainted; lsmod`, { files: FILES });
    expect(r.output).toContain('Killed\ncat: 137\nstill here\n4224\n');
    const log = dmesg(r.machine);
    const oops = seq(
      'BUG: kernel NULL pointer dereference, address: 0000000000000004',
      '#PF: supervisor read access in kernel mode',
      '#PF: error_code(0x0000) - not-present page',
      'PGD 0 P4D 0 ',
      'Oops: 0000 [#1] PREEMPT SMP NOPTI',
      // The taint is the one before this oops: D comes with oops_end().
      /CPU: \d PID: \d+ Comm: cat Tainted: G {11}O {7}6\.8\.0-driverlab #1/,
      'Hardware name: DriverLab Virtual PC, BIOS 1.0 01/15/2025',
      new RegExp(`RIP: 0010:${frame('oops_read', 'NULL_LINE').source}`),
      /Code: ([0-9a-f]{2} )+<00>( [0-9a-f]{2})+/,
      /RSP: 0018:[0-9a-f]{16} EFLAGS: 00010202/,
      'Call Trace:',
      ' <TASK>',
      new RegExp(` ${frame('oops_read', 'NULL_LINE').source}`),
      ...SYSCALL_READ,
      ' </TASK>',
      'Modules linked in: oopsmod(O)',
      'CR2: 0000000000000004',
      '---[ end trace 0000000000000000 ]---',
      new RegExp(`RIP: 0010:${frame('oops_read', 'NULL_LINE').source}`),
    );
    expect(log).toMatch(oops);
    // console_verbose(): the whole oops is on the console too.
    expect(consoleLog(r.output)).toMatch(oops);
    // The RIP and the first frame are the same place.
    const rip = /RIP: 0010:(oops_read\+0x[0-9a-f]+)/.exec(log)![1]!;
    expect(log).toContain(`\n ${rip}/`);
    // Nothing held the device after cat died: its release ran, so the module can go.
    expect(r.output).toMatch(/oopsmod +\d+ +0\n/);
    // The same oops as data, for checks.
    const [record] = oopsRecords(r.machine.kernel);
    expect(record).toMatchObject({ fault: { kind: 'page', address: 4, write: false }, comm: 'cat', inInterrupt: false });
    expect(record!.frames[0]).toMatchObject({ module: 'oopsmod', function: 'oops_read', file: '/home/lab/oopsmod.c', line: line('NULL_LINE') });
    expect(record!.frames.map((f) => f.function)).toEqual(['oops_read', 'vfs_read', 'ksys_read', '__x64_sys_read', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
  });

  it('frames deeper in the call chain: the helper that faults, then the read that called it, each with its own line', async () => {
    const r = await runSh(`${setup('helper')}; cat /dev/oops`, { files: FILES });
    const log = dmesg(r.machine);
    expect(log).toContain('BUG: kernel NULL pointer dereference, address: 0000000000000008\n');
    expect(log).toMatch(seq(
      new RegExp(`RIP: 0010:${frame('checksum', 'CHECKSUM_LINE').source}`),
      /(.*\n)*?Call Trace:/,
      ' <TASK>',
      new RegExp(` ${frame('checksum', 'CHECKSUM_LINE').source}`),
      new RegExp(` ${frame('oops_read', 'HELPER_CALL_LINE').source}`),
      ...SYSCALL_READ,
      ' </TASK>',
    ));
  });

  it('an oops after the read slept: the C code resumed from the scheduler, and the trace still shows the system call it is in', async () => {
    const r = await runSh(`${setup('late')}; cat /dev/oops`, { files: FILES });
    expect(dmesg(r.machine)).toMatch(seq(
      new RegExp(`RIP: 0010:${frame('oops_read', 'LATE_LINE').source}`),
      /(.*\n)*? <TASK>/,
      new RegExp(` ${frame('oops_read', 'LATE_LINE').source}`),
      ...SYSCALL_READ,
      ' </TASK>',
    ));
  });

  it('a read oops with the device lock held: the dying cat blocks in release on that lock, and rmmod says the module is in use; a reboot clears it', async () => {
    const r = await runSh([
      setup('locked'),
      'cat /dev/oops & sleep 1',
      'ps -o stat,wchan,cmd | grep "cat /dev"',
      'lsmod | grep oopsmod',
      'sudo rmmod oopsmod; echo "rmmod: $?"',
      'sudo reboot',
    ].join('\n'), { files: FILES });
    expect(consoleLog(r.output)).toMatch(new RegExp(`RIP: 0010:${frame('oops_read', 'LOCKED_LINE').source}`));
    // do_exit() closes the file; the driver's release waits for the mutex the dead read still holds.
    expect(r.output).toMatch(/\nD\+? +mutex_lock +cat \/dev\/oops\n/);
    expect(r.output).toMatch(/\noopsmod +\d+ +1\n/);
    expect(r.output).toContain('rmmod: ERROR: Module oopsmod is in use\nrmmod: 1\n');
    expect(r.output).toContain('reboot: Restarting system');
    // After the reset: a fresh kernel, no module, no taint.
    expect(r.machine.kernel.modules.list()).toEqual([]);
    expect(r.machine.kernel.taintString()).toBe('Not tainted');
  });

  it('division by zero is a divide error, and the task dies with SIGSEGV', async () => {
    const r = await runSh(`${setup('div')}; cat /dev/oops; echo "cat: $?"`, { files: FILES });
    expect(r.output).toContain('Segmentation fault\ncat: 139\n');
    expect(dmesg(r.machine)).toMatch(seq(
      'divide error: 0000 [#1] PREEMPT SMP NOPTI',
      /CPU: .*Comm: cat .*/,
      /Hardware name: .*/,
      new RegExp(`RIP: 0010:${frame('oops_read', 'DIV_LINE').source}`),
    ));
  });

  it('BUG_ON: "kernel BUG at file:line!", an invalid opcode oops at that line', async () => {
    const r = await runSh(`${setup('bug')}; cat /dev/oops; echo "cat: $?"`, { files: FILES });
    expect(r.output).toContain('Segmentation fault\ncat: 139\n');
    expect(dmesg(r.machine)).toMatch(seq(
      '------------[ cut here ]------------',
      `kernel BUG at /home/lab/oopsmod.c:${line('BUG_LINE')}!`,
      'invalid opcode: 0000 [#1] PREEMPT SMP NOPTI',
      /CPU: .*/,
      /Hardware name: .*/,
      new RegExp(`RIP: 0010:${frame('oops_read', 'BUG_LINE').source}`),
    ));
  });

  it('WARN_ON prints the warning with its place and call trace, taints W, and the write goes on; WARN_ON_ONCE warns once', async () => {
    const r = await runSh(`${setup('none')}; echo hello > /dev/oops; echo "echo: $?"; echo again > /dev/oops; cat /proc/sys/kernel/tainted; dmesg | grep -c "cut here"`, { files: FILES });
    expect(r.output).toContain('echo: 0\n');
    // W (512) and O (4096); the second write warns once more (WARN_ON), WARN_ON_ONCE stays quiet.
    expect(r.output).toMatch(/\n4608\n3\n$/);
    expect(dmesg(r.machine)).toMatch(seq(
      '------------[ cut here ]------------',
      new RegExp(`WARNING: CPU: \\d PID: \\d+ at /home/lab/oopsmod\\.c:${line('WARN_LINE')} ${sym('oops_write')}`),
      'Modules linked in: oopsmod(O)',
      /CPU: \d PID: \d+ Comm: sh Tainted: G {11}O {7}6\.8\.0-driverlab #1/,
      /Hardware name: .*/,
      new RegExp(`RIP: 0010:${frame('oops_write', 'WARN_LINE').source}`),
      /Code: .*/,
      /RSP: .*/,
      'Call Trace:',
      ' <TASK>',
      new RegExp(` ${frame('oops_write', 'WARN_LINE').source}`),
      ' vfs_write+0xc9/0x3e0',
      /(.*\n)*? <\/TASK>/,
      '---[ end trace 0000000000000000 ]---',
      'oopsmod: a long write, 6 bytes',
    ));
  });

  it('a NULL pointer handed to memcpy faults inside memcpy, below it the caller and its line', async () => {
    const r = await runSh(`${setup('memcpy')}; cat /dev/oops; echo "cat: $?"`, { files: FILES });
    expect(r.output).toContain('Killed\ncat: 137\n');
    expect(dmesg(r.machine)).toMatch(seq(
      'BUG: kernel NULL pointer dereference, address: 0000000000000008',
      '#PF: supervisor write access in kernel mode',
      /(.*\n)*?RIP: 0010:memcpy\+0xc\/0x20/,
      /(.*\n)*? <TASK>/,
      ' memcpy+0xc/0x20',
      new RegExp(` ${frame('oops_read', 'MEMCPY_LINE').source}`),
      ' vfs_read+0x9d/0x1b0',
    ));
  });

  it('a call through a NULL function pointer: an instruction fetch at 0, RIP 0x0, the caller first in the trace', async () => {
    const r = await runSh(`${setup('fnptr')}; cat /dev/oops; echo "cat: $?"`, { files: FILES });
    expect(r.output).toContain('Killed\ncat: 137\n');
    expect(dmesg(r.machine)).toMatch(seq(
      'BUG: kernel NULL pointer dereference, address: 0000000000000000',
      '#PF: supervisor instruction fetch in kernel mode',
      '#PF: error_code(0x0010) - not-present page',
      'PGD 0 P4D 0 ',
      'Oops: 0010 [#1] PREEMPT SMP NOPTI',
      /CPU: .*/,
      /Hardware name: .*/,
      'RIP: 0010:0x0',
      'Code: Unable to access opcode bytes at 0xffffffffffffffd6.',
      /RSP: .*/,
      'Call Trace:',
      ' <TASK>',
      new RegExp(` ${frame('oops_read', 'FNPTR_LINE').source}`),
      ' vfs_read+0x9d/0x1b0',
    ));
  });

  it('copy_to_user from a NULL kernel pointer: hardened usercopy refuses it with a BUG', async () => {
    const r = await runSh(`${setup('usercopy')}; cat /dev/oops; echo "cat: $?"`, { files: FILES });
    expect(r.output).toContain('Segmentation fault\ncat: 139\n');
    expect(dmesg(r.machine)).toMatch(seq(
      'usercopy: Kernel memory exposure attempt detected from null address (offset 0, size 4)!',
      '------------[ cut here ]------------',
      'kernel BUG at mm/usercopy.c:99!',
      'invalid opcode: 0000 [#1] PREEMPT SMP NOPTI',
      /(.*\n)*?RIP: 0010:usercopy_abort\+0x7c\/0x7e/,
      /(.*\n)*? <TASK>/,
      ' usercopy_abort+0x7c/0x7e',
      ' __check_object_size+0x8c/0x90',
      new RegExp(` ${frame('oops_read', 'USERCOPY_LINE').source}`),
    ));
  });

  it('a runaway recursion hits the stack guard: a "stack guard page" oops, not a crash of the host', async () => {
    const r = await runSh(`${setup('stack')}; cat /dev/oops; echo "cat: $?"`, { files: FILES });
    expect(r.output).toContain('Segmentation fault\ncat: 139\n');
    expect(dmesg(r.machine)).toMatch(seq(
      /BUG: task stack guard page was hit at [0-9a-f]{16} \(stack is [0-9a-f]{16}\.\.[0-9a-f]{16}\)/,
      'stack guard page: 0000 [#1] PREEMPT SMP NOPTI',
      /(.*\n)*?Call Trace:/,
      ' <TASK>',
      new RegExp(` ${sym('descend')}.*`),
      new RegExp(` ${frame('descend', 'DESCEND_LINE').source}`),
    ));
  });

  it('a recursion that keeps its state in registers exhausts the machine\'s own call stack: the same stack oops', async () => {
    const r = await runSh(`${setup('deep')}; cat /dev/oops; echo "cat: $?"; echo still here`, { files: FILES });
    expect(r.output).toContain('Segmentation fault\ncat: 139\nstill here\n');
    expect(dmesg(r.machine)).toMatch(seq(
      /BUG: task stack guard page was hit at [0-9a-f]{16} \(stack is [0-9a-f]{16}\.\.[0-9a-f]{16}\)/,
      'stack guard page: 0000 [#1] PREEMPT SMP NOPTI',
      /(.*\n)*?Call Trace:/,
      ' <TASK>',
      new RegExp(` ${sym('plunge')}.*`),
      new RegExp(` ${frame('plunge', 'PLUNGE_LINE').source}`),
    ));
  });

  it('an oops in init_module kills insmod; the module stays, Loading, and cannot be removed', async () => {
    const r = await runSh('make -s && sudo insmod oopsmod.ko bug=init; echo "insmod: $?"; cat /proc/modules; sudo rmmod oopsmod; echo "rmmod: $?"', { files: FILES });
    expect(r.output).toContain('Killed\ninsmod: 137\n');
    expect(r.output).toMatch(/\noopsmod \d+ 0 - Loading 0x0+ \(O\)\n/);
    expect(r.output).toContain("rmmod: ERROR: ../libkmod/libkmod-module.c:799 kmod_module_remove_module() could not remove 'oopsmod': Device or resource busy\n");
    expect(dmesg(r.machine)).toMatch(seq(
      'BUG: kernel NULL pointer dereference, address: 0000000000000000',
      '#PF: supervisor write access in kernel mode',
      '#PF: error_code(0x0002) - not-present page',
      'PGD 0 P4D 0 ',
      'Oops: 0002 [#1] PREEMPT SMP NOPTI',
      /CPU: .*Comm: insmod .*/,
      /Hardware name: .*/,
      new RegExp(`RIP: 0010:${frame('init_module', 'INIT_LINE').source}`),
      /(.*\n)*? do_one_initcall\+0x5e\/0x310/,
      ' do_init_module+0x60/0x240',
      /(.*\n)*? <\/TASK>/,
      'Modules linked in: oopsmod(O+)',
    ));
  });

  it('an oops in a work item kills the kworker running it; the machine goes on', async () => {
    const r = await runSh(`${setup('work')}; sleep 1; echo still here; ps -e -o stat,comm | grep -c kworker`, { files: FILES });
    expect(r.output).toContain('still here\n');
    expect(dmesg(r.machine)).toMatch(seq(
      'BUG: kernel NULL pointer dereference, address: 0000000000000000',
      /(.*\n)*?CPU: \d PID: \d+ Comm: kworker\/0:\d .*/,
      /Hardware name: .*/,
      new RegExp(`RIP: 0010:${frame('later', 'WORK_LINE').source}`),
      /(.*\n)*? <TASK>/,
      new RegExp(` ${frame('later', 'WORK_LINE').source}`),
      ' process_one_work+0x178/0x350',
      ' worker_thread+0x306/0x440',
      ' kthread+0xf2/0x120',
      ' ret_from_fork+0x47/0x70',
      ' ret_from_fork_asm+0x1b/0x30',
      ' </TASK>',
    ));
  });

  it('an oops in an interrupt handler (the card\'s ready interrupt, while the CPU idles): <IRQ> frames, then the panic', async () => {
    const r = await runSh('make -s && sudo insmod oopsmod.ko bug=irq; sleep 1; echo never', { files: FILES });
    const log = consoleLog(r.output);
    expect(log).not.toContain('never');
    expect(log).toMatch(seq(
      'BUG: kernel NULL pointer dereference, address: 0000000000000004',
      /(.*\n)*?CPU: \d PID: 0 Comm: swapper\/\d Tainted: G {11}O {7}6\.8\.0-driverlab #1/,
      /Hardware name: .*/,
      new RegExp(`RIP: 0010:${frame('card_interrupt', 'IRQ_LINE').source}`),
      /Code: .*/,
      /RSP: 0018:[0-9a-f]{16} EFLAGS: 00010002/,
      'Call Trace:',
      ' <IRQ>',
      new RegExp(` ${frame('card_interrupt', 'IRQ_LINE').source}`),
      ' __handle_irq_event_percpu+0x4a/0x1a0',
      ' handle_irq_event+0x39/0x80',
      ' handle_level_irq+0x90/0x150',
      ' __common_interrupt+0x4c/0xd0',
      ' common_interrupt+0x80/0xa0',
      ' </IRQ>',
      ' <TASK>',
      ' asm_common_interrupt+0x26/0x40',
      ' default_idle+0x9/0x20',
      /(.*\n)*? <\/TASK>/,
      'Modules linked in: oopsmod(O)',
    ));
    expect(log).toContain('Kernel panic - not syncing: Fatal exception in interrupt\n');
  });

  it('an oops in a timer callback is in interrupt context: "Fatal exception in interrupt", and the machine stops', async () => {
    const r = await runSh(`${setup('timer')}; sleep 1; echo never`, { files: FILES });
    expect(r.output).not.toContain('never');
    const log = consoleLog(r.output);
    expect(log).toMatch(seq(
      'BUG: kernel NULL pointer dereference, address: 0000000000000004',
      /(.*\n)*?Call Trace:/,
      ' <IRQ>',
      new RegExp(` ${frame('expire', 'TIMER_LINE').source}`),
      ' call_timer_fn+0x27/0x130',
      /(.*\n)*? <\/IRQ>/,
      ' <TASK>',
    ));
    expect(log).toContain('---[ end trace 0000000000000000 ]---\n');
    expect(log).toContain('Kernel panic - not syncing: Fatal exception in interrupt\nKernel Offset: disabled\n---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---\n');
    expect(r.machine.kernel.halted).toBe('Kernel panic: Fatal exception in interrupt');
  });

  it('panic_on_oops (sysctl) and oops=panic (command line) make an oops a panic', async () => {
    const bySysctl = await runSh(`${setup('null')}; echo 1 | sudo tee /proc/sys/kernel/panic_on_oops; cat /dev/oops; echo never`, { files: FILES });
    expect(bySysctl.output).not.toContain('never');
    expect(consoleLog(bySysctl.output)).toMatch(/---\[ end trace 0000000000000000 \]---\n(.*\n)*?Kernel panic - not syncing: Fatal exception\n/);
    const byCmdline = await runSh(`cat /proc/sys/kernel/panic_on_oops; ${setup('null')}; cat /dev/oops; echo never`, { files: FILES, config: { cmdline: 'oops=panic' } });
    expect(byCmdline.output).toMatch(/^1\n/);
    expect(byCmdline.output).toContain('Kernel panic - not syncing: Fatal exception');
    expect(byCmdline.output).not.toContain('never');
  });

  it('panic() from C: the message, the call trace of the caller, and with panic=5 a reboot 5 s of virtual time later', async () => {
    const events: { t: number; text: string }[] = [];
    const config: MachineConfig = { cmdline: 'panic=5', onEvent: (e) => { if (e.kind === 'printk') events.push({ t: e.t, text: e.text }); } };
    const workspace = tempWorkspace(FILES);
    let out = '';
    const machine = new Machine(createNodeHost({ workspace }), config, (t) => { out += t; });
    machine.boot();
    machine.endInput();
    const first = machine.kernel;
    const status = await machine.runShell(`${setup('panic')}; cat /dev/oops; echo next`);
    // The script goes on with its next command once the machine is back.
    expect(status).toBe(0);
    const log = consoleLog(out.replace(/\r\n/g, '\n'));
    expect(log.indexOf('next\n')).toBeGreaterThan(log.indexOf('Rebooting in 5 seconds..'));
    expect(log).toMatch(seq(
      'Kernel panic - not syncing: oopsmod: cannot go on',
      /CPU: \d PID: \d+ Comm: cat Tainted: G {11}O {7}6\.8\.0-driverlab #1/,
      /Hardware name: .*/,
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x48/0x70',
      ' dump_stack+0x10/0x20',
      ' panic+0x1b3/0x3a0',
      new RegExp(` ${frame('oops_read', 'PANIC_LINE').source}`),
      ...SYSCALL_READ,
      ' </TASK>',
      'Kernel Offset: disabled',
      'Rebooting in 5 seconds..',
    ));
    const panicAt = events.find((e) => e.text.startsWith('Rebooting in 5 seconds'))!.t;
    // The old machine ran on for 5 s of virtual time, then a new one booted.
    expect(first.clock.now - panicAt).toBe(5e9);
    expect(first.shutdown).toBe('restart');
    expect(machine.kernel).not.toBe(first);
    expect(machine.kernel.modules.list()).toEqual([]);
  });
});

const SRC22 = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'oops22.c'), 'utf8');
const line22 = (marker: string) => SRC22.split('\n').findIndex((l) => l.includes(`/* ${marker} */`)) + 1;
/** The article's way: gcc -c, then insmod of the object (modutils links it). */
const setup22 = (bug: string) => `gcc -D__KERNEL__ -DMODULE -O2 -Wall -c oops22.c && sudo insmod oops22.o bug=${bug} && sudo mknod -m 666 /dev/oops c 125 0`;
const FILES22 = { 'oops22.c': SRC22 };

describe('oops (2.2)', () => {
  it('a NULL dereference in read: 2.2\'s oops with EIP, the process and stack, decoded with source lines; the use count stays, so rmmod refuses', async () => {
    const r = await runSh(`${setup22('null')}; cat /dev/oops; echo "cat: $?"; lsmod; sudo rmmod oops22; echo "rmmod: $?"`, { files: FILES22, config: { personality: '2.2' } });
    expect(r.output).toContain('Segmentation fault\ncat: 139\n');
    // sys_read's reference to the file was never put back: release() never ran, MOD_DEC_USE_COUNT neither.
    expect(r.output).toMatch(/\noops22 +\d+ +1\noops22: Device or resource busy\nrmmod: 1\n/);
    const log = dmesg(r.machine);
    expect(log).toMatch(seq(
      'Unable to handle kernel NULL pointer dereference at virtual address 00000005',
      /current->tss\.cr3 = ([0-9a-f]{8}), %cr3 = \1/,
      '*pde = 00000000',
      'Oops: 0000',
      'CPU:    0',
      /EIP: {4}0010:\[<(d08[0-9a-f]{5})>\]/,
      /EFLAGS: 000102[0-9a-f]2/,
      /Process cat \(pid: \d+, process nr: \d+, stackpage=[0-9a-f]{8}\)/,
      /Stack: ([0-9a-f]{8} ){8}/,
      /( {7}([0-9a-f]{8} ){8}\n)*Call Trace: \[<c0125dc4>\] \[<c0109ec4>\] /,
      /Code: ([0-9a-f]{2} ){20}/,
      // The lines ksymoops would have decoded it to, with the source line of the faulting statement.
      new RegExp(`>>EIP; d08[0-9a-f]{5} <\\[oops22\\]oops_read\\+[0-9a-f]+/[0-9a-f]+> {3}<===== ${esc(`(/home/lab/oops22.c:${line22('PEEK_LINE')})`)}`),
      'Trace; c0125dc4 <sys_read+94/e0>',
      'Trace; c0109ec4 <system_call+34/38>',
    ));
    const eip = /EIP: {4}0010:\[<([0-9a-f]{8})>\]/.exec(log)![1]!;
    expect(log).toContain(`>>EIP; ${eip} <`);
  });

  it('BUG(): the printk of <asm/page.h>, then the trap: "invalid operand"', async () => {
    const r = await runSh(`${setup22('bug')}; cat /dev/oops; echo "cat: $?"`, { files: FILES22, config: { personality: '2.2' } });
    expect(r.output).toContain('Segmentation fault\ncat: 139\n');
    expect(dmesg(r.machine)).toMatch(seq(
      `kernel BUG at /home/lab/oops22.c:${line22('BUG_LINE')}!`,
      'invalid operand: 0000',
      'CPU:    0',
      /EIP: .*/,
    ));
    expect(dmesg(r.machine)).toMatch(new RegExp(`>>EIP; d08[0-9a-f]{5} <\\[oops22\\]oops_read\\+[0-9a-f]+/[0-9a-f]+> {3}<===== ${esc(`(/home/lab/oops22.c:${line22('BUG_LINE')})`)}`));
  });

  it('a fault in a timer function with nothing running: "Aiee, killing interrupt handler", the idle task cannot die, panic; panic=3 reboots', async () => {
    const r = await runSh(`${setup22('timer')}; sleep 1; echo next`, { files: FILES22, config: { personality: '2.2', cmdline: 'panic=3' } });
    // The script goes on with its next command once the machine is back.
    expect(r.status).toBe(0);
    const log = consoleLog(r.output);
    expect(log.indexOf('next\n')).toBeGreaterThan(log.indexOf('Rebooting in 3 seconds..'));
    expect(log).toMatch(seq(
      'Unable to handle kernel NULL pointer dereference at virtual address 00000003',
      /(.*\n)*?Process swapper \(pid: 0, process nr: 0, stackpage=[0-9a-f]{8}\)/,
      /(.*\n)*?>>EIP; d08[0-9a-f]{5} <\[oops22\]expire\+[0-9a-f]+\/[0-9a-f]+> {3}<===== /,
    ));
    expect(log).toContain(`(/home/lab/oops22.c:${line22('TIMER_LINE')})\nTrace; c011ae12 <timer_bh+1d2/3f0>\n`);
    expect(log).toMatch(/\nAiee, killing interrupt handler\nKernel panic: Attempted to kill the idle task!\nIn swapper task - not syncing\nRebooting in 3 seconds\.\.\n/);
    expect(r.machine.kernel.modules.list()).toEqual([]);
  });
});
