// Lab 5 checks: the article's driver as a module on Linux 2.2 (shared/seeds/004, "모듈로 적재할
// 때에는 약간 달라진다"): MODULE_PARM arrays that modutils' insmod fills in, the article's own
// command line, values that really reach the driver (another machine, other jumpers), and what
// a user gets wrong: five values for an array of four, the article's io=200 (decimal!), an IRQ
// missing or illegal, a card that is not there. A load that fails must give back what it took.
import type { Check, CheckContext, CheckMachine, ShellResult } from '@driverlab/checks';

/** The kernel messages the console showed, without their timestamps, and what insmod printed. */
function shown(r: ShellResult): string {
  return r.output.replace(/^\[ *\d+\.\d+\] /gm, '').trimEnd() || `(no output, exit status ${r.status})`;
}

function loaded(m: CheckMachine): boolean {
  return m.resources().modules.some((mod) => mod.name === 'my_device');
}

function claimed(m: CheckMachine): string[] {
  return m.resources().ioports.filter((r) => r.name === 'my_device')
    .map((r) => `${r.start.toString(16).padStart(4, '0')}-${r.end.toString(16).padStart(4, '0')} : ${r.name}`);
}

/**
 * insmod of the module built in the workspace, on a machine of its own (so that one item's
 * leftovers cannot spoil the next), returning what it printed and whether anything stayed.
 */
async function insmodAlone(t: CheckContext, args: string): Promise<{ m: CheckMachine; r: ShellResult }> {
  const m = await t.boot();
  const r = await m.sh(`sudo insmod ./my_device.o ${args}`);
  return { m, r };
}

/** The TODO a failed `insmod ... io=0x200,0x300 irq=5,7` points at, by what it printed. */
function blame(t: CheckContext, r: ShellResult): { where: ReturnType<CheckContext['todo']>; hint?: string } {
  const out = r.output;
  if (/invalid parameter (io|irq)/.test(out)) return { where: t.todo(1), hint: 'insmod only knows the parameters the module declares with MODULE_PARM.' };
  if (/too few values for (io|irq)/.test(out)) return { where: t.todo(1), hint: 'The type string\'s first number is the fewest values insmod accepts: "1-4i" takes 1 to 4.' };
  if (/no cards given/.test(out)) return { where: t.todo(2) };
  if (/not an I\/O base/.test(out)) return { where: t.todo(3) };
  if (/irq/.test(out.replace(/irq=5,7\b/g, ''))) return { where: t.todo(4) };
  return { where: t.todo(2) };
}

/** A refused load: insmod failed, the module is not there, and it left nothing claimed. */
function expectRefused(t: CheckContext, m: CheckMachine, r: ShellResult, what: string, todo: number): void {
  t.expect(r.status !== 0 && !loaded(m), {
    summary: `\`insmod my_device ${what}\` loaded the module; it should refuse these values.`,
    seen: shown(r), where: t.todo(todo),
  });
  t.expect(/my_device: /.test(r.output), {
    summary: `\`insmod my_device ${what}\` failed without a word from the driver: the user cannot tell what to change.`,
    seen: shown(r),
    expected: 'a KERN_ERR message from my_device saying which value is wrong, above insmod\'s error',
    where: t.todo(todo),
  });
  t.expectEqual(claimed(m), [], { summary: `After the refused \`insmod my_device ${what}\`, ports stayed claimed.`, where: t.todo(5) });
}

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds my_device.o as the article\'s readers did (gcc -c, no kbuild)',
    async run(t) {
      await t.machine.build();
      t.expect(t.files.exists('my_device.o'), { summary: '`make` finished but built no my_device.o.', where: { file: 'Makefile' } });
    },
  },
  {
    id: 'modinfo',
    title: '`modinfo my_device.o` lists io and irq as int arrays of 1 to 4 values, each with a description',
    needs: ['build'],
    async run(t: CheckContext) {
      const r = await t.machine.sh('modinfo my_device.o');
      for (const name of ['io', 'irq']) {
        const line = r.output.split('\n').find((l) => l.startsWith(`parm:        ${name} `));
        if (!line) t.fail({ summary: `modinfo lists no parameter ${name}: it is not declared with MODULE_PARM.`, seen: shown(r), where: t.todo(1) });
        const m = /^parm: {8}\S+ (\S+)(?: array \(min = (\d+), max = (\d+)\))?/.exec(line)!;
        t.expect(m[1] === 'int', { summary: `${name} is declared as ${m[1]}, not int: insmod would write it with the wrong size.`, seen: line, expected: `MODULE_PARM(${name}, "1-4i")`, where: t.todo(1) });
        t.expect(m[2] === '1' && m[3] === '4', {
          summary: m[3] && Number(m[3]) > 4
            ? `${name} takes up to ${m[3]} values but the array has room for 4: insmod would write the extra values past its end, over whatever lies next in memory.`
            : `${name} is not an array of 1 to 4 values.`,
          seen: line, expected: `parm:        ${name} int array (min = 1, max = 4)`, where: t.todo(1),
          hint: 'The article: "이때에는 개수의 제한이 io 배열의 크기와 같다" (the limit on the count is the size of the io array).',
        });
        t.expect(/, description "/.test(line), { summary: `${name} has no description: add MODULE_PARM_DESC(${name}, "...").`, seen: line, where: t.todo(1) });
      }
    },
  },
  {
    id: 'article',
    title: '`sudo make install`, then the article\'s `insmod my_device io=0x200,0x300 irq=5,7`: both cards found, their ports claimed',
    needs: ['modinfo'],
    async run(t) {
      const m = t.machine;
      const install = await m.sh('sudo make install');
      t.expectEqual(install.status, 0, { summary: '`sudo make install` failed.', seen: shown(install), where: { file: 'Makefile' } });
      const r = await m.sh('sudo insmod my_device io=0x200,0x300 irq=5,7');
      if (r.status !== 0) t.fail({ summary: 'insmod refused the article\'s parameters.', seen: shown(r), ...blame(t, r) });
      const log = m.dmesg().map((l) => l.text);
      for (const [n, io, irq] of [[0, '0x200', 5], [1, '0x300', 7]] as const) {
        t.expect(log.includes(`my_device${n}: card at ${io}, irq ${irq}`), {
          summary: `The driver did not find card ${n} at ${io}: its values did not reach it, or it counted too few cards.`,
          seen: log.filter((l) => l.startsWith('my_device')).join('\n') || '(no my_device messages)',
          expected: `my_device${n}: card at ${io}, irq ${irq}`, where: t.todo(2),
        });
      }
      t.expectEqual(claimed(m), ['0200-020f : my_device', '0300-030f : my_device'], { summary: '/proc/ioports does not list both cards\' ports.', where: t.todo(2) });
    },
  },
  {
    id: 'rmmod',
    title: '`sudo rmmod my_device` gives both cards\' ports back',
    needs: ['article'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo rmmod my_device');
      t.expectEqual(r.status, 0, { summary: 'rmmod failed.', seen: shown(r) });
      const left = m.unloads(mark).find((u) => u.module === 'my_device');
      t.expect(!left?.leftovers.length, {
        summary: 'rmmod unloaded the module with its ports still claimed (the kernel took them back; Linux 2.2 would have kept them taken, and the next insmod would find them busy).',
        seen: left?.leftovers.join(', '), where: t.todo(6),
      });
      t.expectEqual(claimed(m), [], { summary: 'my_device\'s ports are still in /proc/ioports after rmmod.', where: t.todo(6) });
    },
  },
  {
    id: 'jumpers',
    title: 'the values reach the driver: on a machine whose card is jumpered to 0x280, IRQ 10, `insmod my_device.o io=0x280 irq=10` finds it',
    needs: ['modinfo'],
    async run(t) {
      const m = await t.boot({ cards: [{ io: 0x280, irq: 10, mem: 0xd8000, firmwareCheck: false }] });
      const r = await m.sh('sudo insmod ./my_device.o io=0x280 irq=10');
      if (r.status !== 0) t.fail({ summary: '`insmod my_device.o io=0x280 irq=10` failed on a machine with a card at 0x280.', seen: shown(r), ...blame(t, r) });
      t.expect(m.dmesg().some((l) => l.text === 'my_device0: card at 0x280, irq 10'), {
        summary: 'The driver did not report the card at 0x280 with IRQ 10: it does not use the values insmod gave it.',
        seen: m.dmesg().filter((l) => l.text.startsWith('my_device')).map((l) => l.text).join('\n'),
        expected: 'my_device0: card at 0x280, irq 10', where: t.todo(2),
      });
      t.expectEqual(claimed(m), ['0280-028f : my_device'], { summary: 'The card\'s ports at 0x280 are not in /proc/ioports.', where: t.todo(2) });
    },
  },
  {
    id: 'too-many',
    title: 'five values for io, an array of four, are refused by insmod itself',
    needs: ['modinfo'],
    async run(t) {
      const { m, r } = await insmodAlone(t, 'io=0x200,0x210,0x220,0x230,0x240 irq=5');
      t.expect(/too many values for io \(max 4\)/.test(r.output) && !loaded(m), {
        summary: 'insmod accepted five values for io, whose array holds four: the MODULE_PARM type string allows more values than io[] has room for, and insmod wrote the fifth past its end.',
        seen: shown(r), expected: 'my_device.o: too many values for io (max 4)', where: t.todo(1),
      });
    },
  },
  {
    id: 'decimal',
    title: 'the article\'s `io=200,300` (decimal 200 is 0xc8) is refused with a hint at 0x200, before any port is touched',
    needs: ['article'],
    async run(t) {
      const { m, r } = await insmodAlone(t, 'io=200,300 irq=5,7');
      const touched = m.portAccesses({ from: 0xc0, to: 0xdf }).length > 0 || /0xc8-0xd7|no card at 0xc8/.test(r.output);
      t.expect(!touched, {
        summary: 'With io=200 the driver went to I/O port 0xc8 (decimal 200), where the DMA controller lives: io= values must be checked before any port is used.',
        seen: shown(r), where: t.todo(3),
      });
      expectRefused(t, m, r, 'io=200,300 irq=5,7', 3);
      t.expectMatch(shown(r), /0xc8[\s\S]*0x200|0x200[\s\S]*0xc8/i, {
        summary: 'The message does not tell the user what went wrong: insmod read 200 as decimal (0xc8), and they meant 0x200.',
        seen: shown(r),
        expected: 'my_device: io=200 (0xc8) is not an I/O base a card can have; did you mean io=0x200?',
        where: t.todo(3),
      });
    },
  },
  {
    id: 'irq-errors',
    title: 'an IRQ that is missing, illegal (irq=6) or has no card is refused with a message',
    needs: ['article'],
    async run(t) {
      for (const args of ['io=0x200,0x300 irq=5', 'io=0x200 irq=6', 'io=0x200 irq=5,7']) {
        const { m, r } = await insmodAlone(t, args);
        expectRefused(t, m, r, args, 4);
      }
    },
  },
  {
    id: 'missing-card',
    title: 'with no card at 0x240, `io=0x200,0x240 irq=5,9` fails and gives card 0\'s ports back',
    needs: ['article'],
    async run(t) {
      const m = await t.boot();
      const mark = m.mark();
      const r = await m.sh('sudo insmod ./my_device.o io=0x200,0x240 irq=5,9');
      t.expect(r.status !== 0 && /No such device/.test(r.output) && !loaded(m), {
        summary: 'insmod did not fail with "No such device" although there is no card at 0x240.',
        seen: shown(r), where: t.todo(5),
      });
      const left = m.unloads(mark).find((u) => u.module === 'my_device');
      t.expect(!left?.leftovers.length && claimed(m).length === 0, {
        summary: 'The load failed, but card 0\'s ports (0x200-0x20f) were still claimed: the kernel had to take them back. A failing init_module must undo what it did.',
        seen: left?.leftovers.join(', ') ?? claimed(m).join('\n'), where: t.todo(5),
      });
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
