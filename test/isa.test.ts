// ISA cards in the machine and the kernel API that drives them: the MY_DEVICE cards of the
// machine configuration on the port bus, ISA memory and PIC; request_region/request_mem_region,
// ioremap/readb/memcpy_toio, request_irq and IRQ autoprobing, as a modern driver and as the 1998
// article's 2.2 driver use them; /proc/ioports, /proc/iomem and /proc/interrupts as Linux shows them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';
import { Machine, type MachineConfig } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const makefile = (objs: string) => `obj-m += ${objs}\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n`;
/** The kernel log (dmesg without timestamps) from the first line starting with `from`. */
const dmesgFrom = (m: Machine, from: string) => {
  const lines = m.kernel.log.read().map((r) => r.text);
  return lines.slice(lines.findIndex((l) => l.startsWith(from))).join('\n') + '\n';
};

describe('MY_DEVICE cards in the machine configuration', () => {
  const machine = (config: MachineConfig) => new Machine(createNodeHost({}), config, () => undefined);

  it('plugs the cards and the keyboard controller into the bus, the ISA memory and the PIC', () => {
    const m = machine({ cards: [{}, {}, { io: 0x280, irq: 10, mem: 0xd8000, firmwareCheck: false }] });
    expect(m.cards.map((c) => c.jumpers)).toEqual([
      { io: 0x200, irq: 5, mem: 0xd0000 }, { io: 0x300, irq: 7, mem: 0xd4000 }, { io: 0x280, irq: 10, mem: 0xd8000 },
    ]);
    expect([m.bus.owner(0x20f), m.bus.owner(0x300), m.bus.owner(0x28f), m.bus.owner(0x60), m.bus.owner(0x64)])
      .toEqual(['my_device0', 'my_device1', 'my_device2', 'keyboard', 'keyboard']);
    expect(m.isa.regions().map((r) => [r.base, r.size])).toEqual([[0xd0000, 0x4000], [0xd4000, 0x4000], [0xd8000, 0x4000]]);
    expect(m.bus.read(0x281, 1)).toBe(0xa5);
    expect(m.isa.read8(0xd8000)).toBe('M'.charCodeAt(0));
    // The card's line goes to the PIC input its IRQ jumper selects, and nowhere else.
    m.boot();
    m.kernel.unmaskIrq(10);
    m.bus.write(0x280, 0, 1);
    m.kernel.advanceTo(m.clock.now + 450e6);
    m.bus.write(0x280, 1, 1);
    m.kernel.advanceTo(m.clock.now + 60e6);
    expect(m.kernel.irqCounts[10]).toBe(1);
    expect(m.kernel.irqCounts[5]).toBe(0);
    m.keyboard.typeText('a');
    expect(m.pic.master.irr & 0x02).toBe(0x02);
  });

  it('holds one card at the datasheet defaults unless told otherwise, and none with cards: []', () => {
    expect(machine({}).cards.map((c) => c.jumpers)).toEqual([{ io: 0x200, irq: 5, mem: 0xd0000 }]);
    const bare = machine({ cards: [] });
    expect(bare.cards).toEqual([]);
    expect(bare.bus.read(0x201, 1)).toBe(0xff);
  });

  it('refuses conflicting or illegal jumpers before power-on, naming the conflict', () => {
    expect(() => machine({ cards: [{}, { irq: 5 }] })).toThrow(/card 1 shares IRQ 5 with card 0; each card needs its own IRQ/);
    expect(() => machine({ cards: [{}, { io: 0x208 }] })).toThrow(/card 1 at I\/O 0x208-0x217 overlaps card 0 at 0x200-0x20f/);
    expect(() => machine({ cards: [{}, { mem: 0xd0000 }] })).toThrow(/card 1 at memory 0xd0000-0xd3fff overlaps card 0 at 0xd0000-0xd3fff/);
    expect(() => machine({ cards: [{ irq: 6 }] })).toThrow(/card 0: IRQ 6 is not a legal jumper setting/);
    expect(() => machine({ cards: [{}, {}, {}] })).toThrow(/card 2: no default jumpers for this slot; set io, irq, mem/);
    const five = [0x200, 0x240, 0x280, 0x2c0, 0x300].map((io, i) => ({ io, irq: [3, 4, 5, 7, 9][i], mem: 0xc0000 + i * 0x4000 }));
    expect(() => machine({ cards: five })).toThrow(/5 MY_DEVICE cards configured; a machine holds at most 4/);
  });
});

describe('ISA drivers, modern personality', () => {
  it('claims ports and window, loads the firmware, takes the interrupt, and the kernel lists and frees it all', async () => {
    const r = await runSh([
      'make -s', 'sudo insmod isa_card.ko',
      'grep my_device /proc/ioports', 'grep -B1 my_device /proc/iomem', 'cat /proc/interrupts',
      'sudo insmod isa_second.ko', 'grep -c isa_second /proc/ioports /proc/iomem /proc/interrupts',
      'sudo rmmod isa_card && echo removed', 'grep -c my_device /proc/ioports /proc/iomem /proc/interrupts',
    ].join('\n'), {
      files: { 'isa_card.c': fixture('isa_card.c'), 'isa_second.c': fixture('isa_second.c'), Makefile: makefile('isa_card.o isa_second.o') },
      config: { cards: [{}, {}] },
    });
    expect(dmesgFrom(r.machine, 'my_device: card at')).toContain([
      'my_device: card at 0x200, memory 0xd0000, ROM revision 1',
      'my_device: firmware 1 running, status 0x11',
      'my_device: WRITE answered with status 0',
      'my_device: READ answered with status 0: 5 bytes "hello"',
      'my_device: 3 interrupts handled',
      'isa_second: request_region(0x300) granted',
      // IRQ 14 is not in the probe mask: the IDE driver holds it.
      'isa_second: probe_irq_on() mask 0xbfd8, probed IRQ 7',
      'isa_second: request_irq(7) = 0',
      'isa_second: request_region(0x200) refused',
      'isa_second: request_mem_region(0xd2000) refused',
      'genirq: Flags mismatch irq 5. 00000000 (isa_second) vs. 00000000 (my_device)',
      'isa_second: request_irq(5) = -16',
      'isa_second: shared without dev_id = -22',
      'Trying to free nonexistent resource <0x00000000000003f0-0x00000000000003f7>',
      'isa_second: request_irq(3) = 0',
      '------------[ cut here ]------------',
      'Unbalanced enable for IRQ 3',
    ].join('\n'));
    const log = dmesgFrom(r.machine, 'isa_second');
    expect(log).toContain('------------[ cut here ]------------\nTrying to free already-free IRQ 3\n');
    // The plain dereference of the ioremap() address faults: an oops that kills insmod, as on Linux.
    expect(log).toContain('BUG: unable to handle page fault for address: 00000000c00d4000\n');
    expect(log).toMatch(/RIP: 0010:init_module\+0x[0-9a-f]+\/0x[0-9a-f]+ \[isa_second\] \(\/home\/lab\/isa_second\.c:54\)\n/);
    expect(r.output).toContain([
      '0200-020f : my_device',
      '000c8000-000effff : PCI Bus 0000:00',
      '  000d0000-000d3fff : my_device',
    ].join('\n'));
    expect(r.output).toMatch(new RegExp([
      '^           CPU0       CPU1       ',
      // Each CPU column counts the interrupts that CPU took; which one took them depends on the interleaving.
      '  0: +\\d+ +\\d+    XT-PIC      timer',
      '  1:          0          0    XT-PIC      i8042',
      '  2:          0          0    XT-PIC      cascade',
      '  5: +(\\d+) +(\\d+)    XT-PIC      my_device',
      // The IDE disk's interrupts, from the driver identifying the drive at boot.
      ' 14: +\\d+ +\\d+    XT-PIC      ide0',
      'NMI:          0          0   Non-maskable interrupts',
      'ERR:          0$',
    ].join('\n'), 'm'));
    const card = / {2}5: +(\d+) +(\d+) +XT-PIC/.exec(r.output)!;
    expect(Number(card[1]) + Number(card[2])).toBe(3);
    // The module stays, still "Loading", with the port region and the IRQ it took.
    expect(r.output).toMatch(/Killed\n\/proc\/ioports:1\n\/proc\/iomem:0\n\/proc\/interrupts:1\nremoved\n\/proc\/ioports:0\n\/proc\/iomem:0\n\/proc\/interrupts:0\n$/);
  });
});

describe('ISA drivers, 2.2 personality (the 1998 article)', () => {
  it('check_region/request_region, readb at 0xD0000, IRQ autoprobe, fast and slow pt_regs handlers', async () => {
    const r = await runSh([
      'make -s', 'sudo insmod my_device.ko', 'cat /proc/ioports | grep my_device', 'cat /proc/interrupts',
      'sudo rmmod my_device && echo removed', 'grep -c my_device /proc/ioports /proc/interrupts',
    ].join('\n'), { files: { 'my_device.c': fixture('isa_card22.c'), Makefile: makefile('my_device.o') }, config: { personality: '2.2' } });
    expect(dmesgFrom(r.machine, 'my_device: found')).toBe([
      'my_device: found at 0x200, memory 0xd0000',
      'my_device: check_region again: -16',
      'my_device: probed IRQ 5, status 0x11',
      'my_device: second handler on IRQ 5: -16',
      'my_device: WRITE -> 0, fast handler: irq 5, orig_eax -251, interrupts off, 0 ticks in 30 ms',
      'my_device: READ -> 0 "article", slow handler: interrupts on, 3 ticks in 30 ms',
      'Trying to free free IRQ5',
      '',
    ].join('\n'));
    expect(r.output).toMatch(new RegExp([
      '^0200-020f : my_device',
      '           CPU0       ',
      '  0: +\\d+          XT-PIC  timer',
      '  1:          0          XT-PIC  keyboard',
      '  2:          0          XT-PIC  cascade',
      '  5:          3          XT-PIC  my_device',
      ' 13:          0          XT-PIC  fpu',
      ' 14: +\\d+          XT-PIC  ide0',
      'NMI:          0',
      'removed',
      '/proc/ioports:0',
      '/proc/interrupts:0',
      '$',
    ].join('\n'), 'm'));
  });

  it('has no /proc/iomem and no request_mem_region: both came with 2.3', async () => {
    const r = await runSh('cat /proc/iomem; grep -c request_mem_region /usr/src/linux/include/linux/ioport.h /lib/modules/$(uname -r)/build/include/linux/ioport.h 2>/dev/null; true', { config: { personality: '2.2' } });
    expect(r.output).toMatch(/^cat: \/proc\/iomem: No such file or directory\n/);
    expect(r.output).not.toMatch(/:[1-9]/);
  });
});
