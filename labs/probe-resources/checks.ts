// Lab 6 checks: probing and claiming resources (shared/seeds/004, "드라이버 초기화 함수" and
// "드라이버 삭제 함수"; shared/seeds/000 §3.1, the goto error handling). The learner's driver is
// loaded with right and wrong jumpers: both cards as the machine has them; a machine whose card
// sits elsewhere (no card at the default 0x200, then the right io= and a wrong mem=); two cards
// asked to share an IRQ; ports and memory that other drivers own. Each load must either claim
// exactly what /proc/ioports, /proc/iomem and /proc/interrupts should show, or fail with the
// right error and leave nothing behind: no region, no IRQ, no kmalloc'ed card.
import type { Check, CheckContext, CheckMachine, Location, ShellResult } from '@driverlab/checks';

function shown(r: ShellResult): string {
  return r.output.replace(/^\[ *\d+\.\d+\] /gm, '').trimEnd() || `(no output, exit status ${r.status})`;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** What my_device holds, as the three /proc files list it. */
function held(m: CheckMachine): { ioports: string[]; iomem: string[]; irqs: number[] } {
  const res = m.resources();
  return {
    ioports: res.ioports.filter((r) => r.name === 'my_device').map((r) => `${hex(r.start, 4)}-${hex(r.end, 4)} : my_device`),
    iomem: res.iomem.filter((r) => r.name === 'my_device').map((r) => `${hex(r.start, 8)}-${hex(r.end, 8)} : my_device`),
    irqs: res.irqs.filter((i) => i.handlers.includes('my_device')).map((i) => i.irq),
  };
}

function loaded(m: CheckMachine): boolean {
  return m.resources().modules.some((mod) => mod.name === 'my_device');
}

/**
 * A load that must fail: insmod says `errno`, the module is gone, and the kernel had nothing to
 * clean up after it (no region or IRQ left registered, no kmalloc'ed memory left).
 */
async function expectCleanFailure(t: CheckContext, m: CheckMachine, args: string, errno: string, why: string, unwinding: Location[]): Promise<void> {
  const mark = m.mark();
  const r = await m.sh(`sudo insmod my_device.ko ${args}`);
  t.expect(r.status !== 0 && !loaded(m), {
    summary: `\`insmod my_device.ko ${args}\` succeeded, but ${why}.`,
    seen: `${shown(r)}\n${JSON.stringify(held(m))}`, expected: `insmod: ERROR: could not insert module my_device.ko: ${errno}`,
    where: unwinding[0],
  });
  t.expect(r.output.includes(`could not insert module my_device.ko: ${errno}`), {
    summary: `\`insmod my_device.ko ${args}\` failed, but not with "${errno}": ${why}.`,
    seen: shown(r), expected: `insmod: ERROR: could not insert module my_device.ko: ${errno}`, where: unwinding[0],
  });
  t.expect(/my_device\d?: /.test(r.output), {
    summary: `\`insmod my_device.ko ${args}\` failed without a word from the driver: a user cannot tell that ${why}.`,
    seen: shown(r), expected: 'a KERN_ERR message from the driver naming what it did not find or could not have',
    where: unwinding[0],
  });
  const warned = m.problems(mark)[0];
  if (warned) {
    t.fail({
      summary: `While undoing the failed load the kernel complained: something was given back that was not taken, or twice.`,
      seen: [warned.text, ...warned.details.slice(0, 3)].join('\n'), where: unwinding,
    });
  }
  const left = m.unloads(mark).find((u) => u.module === 'my_device');
  if (left && (left.leftovers.length || left.leakedAllocations)) {
    const what = [...left.leftovers, ...(left.leakedAllocations ? [`${left.leakedAllocations} kmalloc allocation(s) (${left.leakedBytes} bytes)`] : [])];
    t.fail({
      summary: `The load failed as it should (${why}), but the driver left behind what it had taken; the kernel had to clean up after it.`,
      seen: `left behind: ${what.join(', ')}`, expected: 'nothing: every step undone before init returns',
      where: unwinding,
    });
  }
}

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds my_device.ko',
    async run(t) {
      await t.machine.build();
      t.expect(t.files.exists('my_device.ko'), { summary: '`make` finished but built no my_device.ko.', where: { file: 'Makefile' } });
    },
  },
  {
    id: 'params',
    title: '`modinfo my_device.ko` lists io, irq and mem as arrays (int, int, ulong), each described',
    needs: ['build'],
    async run(t) {
      const r = await t.machine.sh('modinfo -F parm my_device.ko');
      for (const [name, type] of [['io', 'int'], ['irq', 'int'], ['mem', 'ulong']] as const) {
        const line = r.output.split('\n').find((l) => l.startsWith(`${name}:`));
        t.expect(line !== undefined, { summary: `modinfo lists no parameter ${name}: declare it with module_param_array.`, seen: shown(r), where: t.todo(1) });
        t.expect(line!.endsWith(`(array of ${type})`), { summary: `${name} is not an array of ${type}.`, seen: line, expected: `${name}:... (array of ${type})`, where: t.todo(1) });
        t.expect(!/^\w+:\(array/.test(line!), { summary: `${name} has no description: add MODULE_PARM_DESC(${name}, "...").`, seen: line, where: t.todo(1) });
      }
    },
  },
  {
    id: 'two-cards',
    title: '`insmod my_device.ko io=0x200,0x300 irq=5,7`: both cards\' ports, windows and IRQs in /proc/ioports, /proc/iomem, /proc/interrupts',
    needs: ['params'],
    async run(t) {
      const m = t.machine;
      const r = await m.sh('sudo insmod my_device.ko io=0x200,0x300 irq=5,7');
      t.expectEqual(r.status, 0, { summary: 'insmod failed with both cards in the machine.', seen: shown(r), where: t.todo(2) });
      const io = await m.readFile('/sys/module/my_device/parameters/io');
      t.expectEqual(io, '512,768\n', { summary: '/sys/module/my_device/parameters/io does not show the two I/O bases: io must count its values into nio and be readable (0444).', where: t.todo(1) });
      const h = held(m);
      t.expectEqual(h.ioports, ['0200-020f : my_device', '0300-030f : my_device'], { summary: 'Both cards\' I/O ports should be in /proc/ioports.', where: t.todo(2) });
      t.expectEqual(h.iomem, ['000d0000-000d3fff : my_device', '000d4000-000d7fff : my_device'], {
        summary: 'Both cards\' shared-memory windows (0xd0000 and 0xd4000, which the cards\' MEM_PAGE registers tell) should be in /proc/iomem.', where: t.todo(4),
      });
      t.expectEqual(h.irqs, [5, 7], { summary: '/proc/interrupts should list my_device on IRQ 5 and IRQ 7.', where: t.todo(6) });
    },
  },
  {
    id: 'rmmod',
    title: '`sudo rmmod my_device` gives back every port, window and IRQ, and the cards\' memory',
    needs: ['two-cards'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo rmmod my_device');
      t.expectEqual(r.status, 0, { summary: 'rmmod failed.', seen: shown(r) });
      const left = m.unloads(mark).find((u) => u.module === 'my_device');
      t.expect(!left?.leftovers.length, { summary: 'rmmod unloaded the module with resources still registered (the kernel removed them).', seen: left?.leftovers.join(', '), where: t.todo(8) });
      t.expect(!left?.leakedAllocations, { summary: 'The cards\' memory (kzalloc) was not freed at rmmod.', seen: `${left?.leakedAllocations} allocation(s), ${left?.leakedBytes} bytes`, where: t.todo(8) });
      t.expectEqual(held(m), { ioports: [], iomem: [], irqs: [] }, { summary: 'my_device is still in /proc/ioports, /proc/iomem or /proc/interrupts after rmmod.', where: t.todo(8) });
    },
  },
  {
    id: 'no-card',
    title: 'wrong jumpers: on a machine whose card sits at 0x280, a plain `insmod my_device.ko` (0x200) fails with "No such device" and leaves nothing',
    needs: ['params'],
    async run(t) {
      const m = await t.boot({ cards: [{ io: 0x280, irq: 10, mem: 0xd8000, firmwareCheck: false }] });
      await expectCleanFailure(t, m, '', 'No such device', 'there is no card at 0x200: its ID register reads 0xff', [t.todo(3), t.todo(7)]);
    },
  },
  {
    id: 'right-jumpers',
    title: 'the same machine with `io=0x280 irq=10`: the card is found, and its window (0xd8000) is where the card says',
    needs: ['no-card'],
    async run(t) {
      const m = await t.boot({ cards: [{ io: 0x280, irq: 10, mem: 0xd8000, firmwareCheck: false }] });
      const r = await m.sh('sudo insmod my_device.ko io=0x280 irq=10');
      t.expectEqual(r.status, 0, { summary: '`insmod my_device.ko io=0x280 irq=10` failed on a machine with a card at 0x280, IRQ 10.', seen: shown(r), where: t.todo(4) });
      t.expectEqual(held(m), { ioports: ['0280-028f : my_device'], iomem: ['000d8000-000dbfff : my_device'], irqs: [10] }, {
        summary: 'The card at 0x280 should hold its ports, the window its MEM_PAGE register names (0xd8000), and IRQ 10.', where: t.todo(4),
      });
    },
  },
  {
    id: 'wrong-mem',
    title: 'wrong jumpers: `io=0x280 irq=10 mem=0xd0000` finds no ROM there, fails with "No such device" and leaves nothing',
    needs: ['right-jumpers'],
    async run(t) {
      const m = await t.boot({ cards: [{ io: 0x280, irq: 10, mem: 0xd8000, firmwareCheck: false }] });
      await expectCleanFailure(t, m, 'io=0x280 irq=10 mem=0xd0000', 'No such device', 'no MY_DEVICE ROM is at 0xd0000, where nothing answers', [t.todo(5), t.todo(7)]);
    },
  },
  {
    id: 'irq-conflict',
    title: 'two cards on one IRQ (`io=0x200,0x300 irq=5,5`): card 1 cannot have IRQ 5, and card 0 is given back too',
    needs: ['two-cards'],
    async run(t) {
      const m = await t.boot();
      await expectCleanFailure(t, m, 'io=0x200,0x300 irq=5,5', 'Device or resource busy', 'IRQ 5 is card 0\'s, so card 1 cannot have it', [t.todo(9), t.todo(6), t.todo(7)]);
    },
  },
  {
    id: 'ports-busy',
    title: 'ports another driver owns (`io=0x1f0`, the IDE disk\'s) fail with "Device or resource busy" and leave nothing',
    needs: ['params'],
    async run(t) {
      const m = await t.boot();
      await expectCleanFailure(t, m, 'io=0x1f0', 'Device or resource busy', 'the IDE disk driver owns I/O ports 0x1f0-0x1f7', [t.todo(2)]);
    },
  },
  {
    id: 'mem-busy',
    title: 'memory another driver owns (`mem=0xc0000`, the video ROM) fails with "Device or resource busy", and the ports are given back',
    needs: ['two-cards'],
    async run(t) {
      const m = await t.boot();
      await expectCleanFailure(t, m, 'mem=0xc0000', 'Device or resource busy', 'the video ROM is at 0xc0000', [t.todo(4), t.todo(7)]);
    },
  },
  {
    id: 'no-oops',
    title: 'the kernel reported no BUG, WARNING or Oops',
    needs: ['build'],
    run(t) {
      t.expectNoProblems();
    },
  },
];

export default checks;
