// Module parameters end to end: module_param()/module_param_array() of the modern kernel through
// parse_args(), modinfo and /sys/module; the 2.2 article's MODULE_PARM(io, "1-4i") with a module
// built by `gcc -D__KERNEL__ -DMODULE -c` and loaded by modutils' insmod, which links the object
// and writes the values itself; `insmod my_device` looked up in /lib/modules; and a handler that
// keeps saying IRQ_NONE on a firing line ("irq 5: nobody cared").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';
import type { Machine } from '../emulator/machine.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const KBUILD = 'make -s -C /lib/modules/$(uname -r)/build M=$PWD modules';
/** The kernel log without timestamps, from the last line starting with `from`. */
const dmesgFrom = (m: Machine, from: string) => {
  const lines = m.kernel.log.read().map((r) => r.text);
  let at = lines.length - 1;
  while (at > 0 && !lines[at]!.startsWith(from)) at--;
  return lines.slice(at).join('\n') + '\n';
};
/** What the terminal showed, without the kernel messages the console printed in between. */
const withoutConsole = (output: string) => output.replace(/^\[ *\d+\.\d+\] .*\n/gm, '');

describe('module parameters, modern kernel', () => {
  const files = { 'params.c': fixture('params.c'), Makefile: 'obj-m += params.o\n' };

  it('sets every kind before init, shows them in modinfo and /sys/module, and lets root change the writable ones', async () => {
    const r = await runSh([
      KBUILD, 'modinfo params.ko | tail -n 11',
      'sudo insmod params.ko io=0x200,0x300 irq=5,7 name=card debug verbose=1 foo=3 mask=0x10 delta=-5 level=010',
      'ls -l /sys/module/params/parameters | tail -n +2 | cut -c1-11,39-',
      'cd /sys/module/params/parameters && for p in *; do printf "%s=" $p; cat $p 2>&1; done; cd',
      'echo 0x42 | sudo tee /sys/module/params/parameters/mask >/dev/null; cat /sys/module/params/parameters/mask',
      'echo 1 > /sys/module/params/parameters/mask',
      'sudo sh -c "echo 0x280 > /sys/module/params/parameters/io"',
      'sudo sh -c "echo maybe > /sys/module/params/parameters/debug"',
      'cat /sys/module/params/initstate /sys/module/params/refcnt /sys/module/params/taint',
      'sudo rmmod params; ls /sys/module',
    ].join('\n'), { files });
    expect(r.output).toBe([
      'name:           params',
      'vermagic:       6.8.0-driverlab SMP preempt mod_unload',
      'parm:           io:I/O base of each card (array of int)',
      'parm:           irq:IRQ of each card (array of int)',
      'parm:           name:Name in messages (charp)',
      'parm:           debug:bool',
      'parm:           verbose:invbool',
      'parm:           port:ushort',
      'parm:           level:byte',
      'parm:           mask:hexint',
      'parm:           delta:long',
      '-rw-r--r-- debug',
      '-r--r--r-- io',
      '-r-------- level',
      '-rw-r--r-- mask',
      '-rw-r--r-- name',
      '-r--r--r-- port',
      '-r--r--r-- verbose',
      'debug=Y',
      'io=512,768',
      'level=cat: level: Permission denied',
      'mask=0x000010',
      'name=card',
      'port=768',
      'verbose=Y',
      '0x000042',
      'sh: /sys/module/params/parameters/mask: Permission denied',
      'sh: /sys/module/params/parameters/io: Permission denied',
      'sh: echo: write error: Invalid argument',
      'live',
      '0',
      'O',
      '',
    ].join('\n'));
    expect(dmesgFrom(r.machine, 'params: unknown parameter')).toBe([
      "params: unknown parameter 'foo' ignored",
      'card: nio=2 io=0x200,0x300,0,0 irq=5,7 debug=1 quiet=0 port=0x300 level=8 mask=0x10 delta=-5',
      'card: unloaded',
      '',
    ].join('\n'));
  });

  it('refuses malformed values with parse_args() messages, and io=200 is decimal 200', async () => {
    const r = await runSh([
      KBUILD,
      'sudo insmod params.ko io=1,2,3,4,5 level=256 name debug=maybe; echo "status $?"',
      'ls /sys/module; lsmod | grep -c params',
      'sudo insmod params.ko io=200,0x300',
    ].join('\n'), { files });
    expect(withoutConsole(r.output)).toBe('insmod: ERROR: could not insert module params.ko: Invalid parameters\nstatus 1\n0\n');
    expect(dmesgFrom(r.machine, 'io: can only take 4 arguments')).toMatch(/^io: can only take 4 arguments\nparams: `1,2,3,4,5' invalid for parameter `io'\nparams: `256' invalid for parameter `level'\nparams: `' invalid for parameter `name'\nparams: `maybe' invalid for parameter `debug'\n/);
    expect(dmesgFrom(r.machine, 'my_device: nio=2')).toBe('my_device: nio=2 io=0xc8,0x300,0,0 irq=0,0 debug=0 quiet=1 port=0x300 level=3 mask=0xff delta=-1\n'
      + 'my_device: io=200 is decimal 200 (0xc8); did you mean 0x200?\n');
  });

  it('finds a bare module name in /lib/modules/$(uname -r), or says why not', async () => {
    const r = await runSh([
      KBUILD, 'sudo insmod params io=0x240',
      'sudo make -s -C /lib/modules/$(uname -r)/build M=$PWD modules_install >/dev/null', 'sudo insmod params io=0x240 && cat /sys/module/params/parameters/io',
    ].join('\n'), { files });
    expect(r.output).toBe([
      'insmod: ERROR: could not load module params: No such file or directory',
      'insmod: (params.ko is in the current directory; a bare name is only searched for in /lib/modules: use insmod ./params.ko)',
      '576',
      '',
    ].join('\n'));
  });
});

describe('module parameters, Linux 2.2 (gcc -c and modutils insmod)', () => {
  const BUILD = 'cp my_device_parm22.c my_device.c && gcc -D__KERNEL__ -DMODULE -O2 -Wall -c my_device.c';
  const files = { 'my_device_parm22.c': fixture('my_device_parm22.c') };

  it('builds the article\'s module with gcc -c and loads it with insmod my_device.o io=0x200,0x300 irq=5,7', async () => {
    const r = await runSh([
      BUILD, 'modinfo my_device.o',
      'insmod my_device.o io=0x200,0x300 irq=5,7',
      'sudo insmod my_device.o io=0x200,0x300 irq=5,7', 'grep my_device /proc/ioports', 'lsmod',
      'sudo insmod my_device.o', 'sudo rmmod my_device && grep -c my_device /proc/ioports',
      'sudo insmod my_device.o foo=1', 'sudo insmod my_device.o io=1,2,3,4,5', 'sudo insmod my_device.o io=0x2g0',
      'sudo insmod my_device.o io=', 'sudo insmod my_device.o tag=toolongvalue', 'lsmod | tail -n +2',
    ].join('\n'), { files, config: { personality: '2.2', cards: [{}, {}] } });
    expect(r.output).toBe([
      'filename:    my_device.o',
      'description: "my_device with insmod parameters"',
      'author:      "DriverLab"',
      'parm:        io int array (min = 1, max = 4), description "I/O base of each card"',
      'parm:        irq int array (min = 1, max = 4)',
      'parm:        name string',
      'parm:        tag char',
      'my_device.o: create_module: Operation not permitted',
      '0200-020f : my_device',
      '0300-030f : my_device',
      'Module                  Size  Used by',
      'my_device               8192  0',
      'my_device.o: a module named my_device already exists',
      '0',
      'my_device.o: invalid parameter foo',
      'my_device.o: too many values for io (max 4)',
      'my_device.o: invalid argument syntax for io',
      'my_device.o: too few values for io (min 1)',
      'my_device.o: string too long for tag (max 7)',
      '',
    ].join('\n'));
    expect(dmesgFrom(r.machine, 'my_device: io=')).toBe([
      'my_device: io=0x200,0x300,0x0,0x0 irq=5,7,0,0',
      'my_device0: card at 0x200, irq 5',
      'my_device1: card at 0x300, irq 7',
      '',
    ].join('\n'));
  });

  it('insmod my_device io=200 finds the module in /lib/modules, probes port 0xc8 and fails cleanly', async () => {
    const r = await runSh([
      BUILD, 'sudo insmod my_device io=200',
      'sudo mkdir /lib/modules/$(uname -r)/misc && sudo cp my_device.o /lib/modules/$(uname -r)/misc/',
      'sudo insmod my_device io=200; echo "status $?"', 'lsmod | tail -n +2; grep -c my_device /proc/ioports',
      'sudo insmod my_device io=0x200 name=\'"my card,\\tone"\'',
    ].join('\n'), { files, config: { personality: '2.2' } });
    expect(r.output).toBe([
      'insmod: my_device: no module by that name found',
      'insmod: (my_device.o is in the current directory; a bare name is only searched for in /lib/modules/2.2.26-driverlab: use insmod ./my_device.o)',
      '/lib/modules/2.2.26-driverlab/misc/my_device.o: init_module: No such device',
      'status 1',
      '0',
      '',
    ].join('\n'));
    expect(dmesgFrom(r.machine, 'my_device: io=0xc8')).toBe('my_device: io=0xc8,0x0,0x0,0x0 irq=0,0,0,0\nmy_device: no card at 0xc8 (ID register reads 0xff)\n'
      + 'my card,\tone: io=0x200,0x0,0x0,0x0 irq=0,0,0,0\nmy card,\tone0: card at 0x200, irq 0\n');
  });

  it('reports what 2.2\'s insmod reported: unresolved symbols, a module built without -DMODULE, not an object', async () => {
    const typo = fixture('my_device_parm22.c').replace('release_region(io[i]', 'relase_region(io[i]');
    const r = await runSh([
      'gcc -D__KERNEL__ -DMODULE -O2 -Wall -c typo.c 2>&1 | grep -c "warning: implicit declaration of function \'relase_region\'"',
      'sudo insmod typo.o',
      'gcc -D__KERNEL__ -O2 -c my_device_parm22.c && sudo insmod my_device_parm22.o',
      'echo junk > short.o; echo "this is a text file, not an object file, whatever its name" > junk.o',
      'sudo insmod short.o; sudo insmod junk.o; sudo insmod nothere.o',
    ].join('\n'), { files: { ...files, 'typo.c': typo }, config: { personality: '2.2' } });
    expect(r.output).toBe([
      '1',
      'typo.o: unresolved symbol relase_region',
      "my_device_parm22.o: couldn't find the kernel version the module was compiled for",
      'short.o: error reading ELF header: Success',
      'junk.o: not an ELF file',
      'nothere.o: nothere.o: No such file or directory',
      '',
    ].join('\n'));
  });
});

describe('a line nobody handles', () => {
  it('is reported as Linux does and disabled after 99,900 unhandled of 100,000 interrupts', async () => {
    const r = await runSh([
      KBUILD, 'sudo insmod nobody_cared.ko && sleep 1.5', 'grep careless /proc/interrupts', 'sleep 0.5; grep careless /proc/interrupts',
      'sudo rmmod nobody_cared',
    ].join('\n'), {
      files: { 'nobody_cared.c': fixture('nobody_cared.c'), Makefile: 'obj-m += nobody_cared.o\n' },
      config: { cards: [{ faults: { spuriousIrqPerSec: 100_000 } }] },
    });
    expect(r.output).toMatch(/^\[ *[\d.]+\] irq 5: nobody cared \(try booting with the "irqpoll" option\)\n\[ *[\d.]+\] handlers:\n\[ *[\d.]+\] \[<[0-9a-f]{16}>\] careless_interrupt \[nobody_cared\]\n\[ *[\d.]+\] Disabling IRQ #5\n +5: +(\d+) +(\d+) +XT-PIC +careless\n +5: +\1 +\2 +XT-PIC +careless\n$/);
    // Both CPUs take interrupts; together they saw 100,000 before the line was disabled.
    const counts = / +5: +(\d+) +(\d+) +XT-PIC/.exec(r.output)!;
    expect(Number(counts[1]) + Number(counts[2])).toBe(100000);
    expect(dmesgFrom(r.machine, 'irq 5: nobody cared')).toMatch(/^irq 5: nobody cared \(try booting with the "irqpoll" option\)\nCPU: 0 PID: \d+ Comm: \S+ Tainted: G +O +6\.8\.0-driverlab #1\nHardware name: .*\nCall Trace:\n <IRQ>\n dump_stack_lvl\+0x48\/0x70\n __report_bad_irq\+0x35\/0xc0\n note_interrupt\+0x2b0\/0x300\n(?: .*\n)* <\/IRQ>\nhandlers:\n\[<[0-9a-f]{16}>\] careless_interrupt \[nobody_cared\]\nDisabling IRQ #5\ncareless: 100000 interrupts seen\n$/);
  });
});
