import type { Check, CheckContext, CheckMachine } from '@driverlab/checks';

/** The machine's two cards (lab.json): what the learner's append= line must give. */
const APPEND = 'my_device=0x200,5,0x300,7';

/** The kernel's my_device lines of the last boot, without timestamps. */
async function bootLines(m: CheckMachine): Promise<string[]> {
  const r = await m.sh('dmesg | grep my_device');
  return r.output.split('\n').map((l) => l.replace(/^\[ *\d+\.\d+\] /, '')).filter((l) => l.startsWith('my_device'));
}

/**
 * Boots the learner's kernel with `append` as lilo.conf's only append= line (lilo run, as it must
 * be). install.sh runs again first: a root file system rebuilt at boot has the stock /boot and
 * lilo.conf back (the compiles are cached, so it is quick).
 */
async function bootWith(t: CheckContext, append: string): Promise<string[]> {
  const m = t.machine;
  const r = await m.sh(`sudo sh install.sh >/dev/null 2>&1; sudo sed -i '/^\\tappend=/d; s/^\\tread-only/\\tread-only\\n\\tappend="${append}"/' /etc/lilo.conf && sudo /sbin/lilo >/dev/null && sudo reboot`);
  t.expectEqual(r.status, 0, { summary: 'The check could not reboot with a new append= line.', seen: r.output });
  return bootLines(m);
}

const checks: Check[] = [
  {
    id: 'build',
    title: '`sudo sh install.sh` builds the kernel with my_device in it',
    async run(t) {
      const r = await t.machine.sh('sudo sh install.sh 2>&1', { timeoutMs: 600_000 });
      t.expectEqual(r.status, 0, {
        summary: 'install.sh failed: the kernel did not build, or a step after it failed.',
        seen: r.output.split('\n').slice(-15).join('\n'),
        where: r.output.includes('my_device.c') ? { file: 'my_device.c' } : { file: 'install.sh' },
      });
    },
  },
  {
    id: 'lilo-conf',
    title: `/etc/lilo.conf has append="${APPEND}"`,
    needs: ['build'],
    async run(t) {
      const conf = (await t.machine.readFile('/etc/lilo.conf')) ?? '';
      t.expectMatch(conf, new RegExp(`^\\s*append\\s*=\\s*"${APPEND}"\\s*$`, 'm'), {
        summary: 'After install.sh, /etc/lilo.conf has no append= line with the two cards.',
        seen: conf, expected: `\tappend="${APPEND}" in the image section`, where: t.todo(2),
      });
    },
  },
  {
    id: 'lilo-run',
    title: 'After a reboot the kernel got the append= line (lilo was run after lilo.conf changed)',
    needs: ['lilo-conf'],
    async run(t) {
      await t.machine.sh('sudo reboot');
      const cmdline = (await t.machine.readFile('/proc/cmdline')) ?? '';
      t.expect(cmdline.includes(APPEND), {
        summary: 'lilo.conf has the line, but the kernel booted without it: LILO boots what /sbin/lilo last wrote, and make zlilo ran lilo before the line was there. Run /sbin/lilo after editing lilo.conf.',
        seen: `/proc/cmdline: ${cmdline.trim()}`, expected: `a command line with ${APPEND}`, where: t.todo(3),
      });
    },
  },
  {
    id: 'cards-found',
    title: 'At boot my_device_setup() keeps both cards and my_device_init() finds them',
    needs: ['lilo-run'],
    async run(t) {
      const lines = await bootLines(t.machine);
      t.expectEqual(lines.filter((l) => /^my_device\d/.test(l)), ['my_device0: card at 0x200, irq 5', 'my_device1: card at 0x300, irq 7'], {
        summary: `With ${APPEND} the driver should find the cards at 0x200 (IRQ 5) and 0x300 (IRQ 7), and nothing else.`,
        seen: lines.join('\n'), where: t.todo(1),
      });
      const r = await t.machine.sh('sudo mknod /dev/my_device4 c 125 4 && cat /dev/my_device4; grep my_device /proc/devices /proc/ioports');
      t.expectMatch(r.output, /^card 1: io 0x300, irq 7\n/, { summary: 'The built-in driver does not answer for card 1 (/dev/my_device4).', seen: r.output, where: t.todo(1) });
    },
  },
  {
    id: 'whole-pairs',
    title: 'ints[0] counts the numbers: with my_device=0x300,7,0x200 only the card at 0x300 is kept',
    needs: ['cards-found'],
    async run(t) {
      const lines = await bootWith(t, 'my_device=0x300,7,0x200');
      t.expectEqual(lines.filter((l) => /^my_device\d/.test(l)), ['my_device0: card at 0x300, irq 7'], {
        summary: 'ints[0] is 3: one whole io,irq pair, and an io without its irq, which must not become a card (its IRQ is not given; ints[4] is not yours to read).',
        seen: lines.join('\n'), where: t.todo(1),
      });
    },
  },
  {
    id: 'nine-values',
    title: 'Ten numbers on the command line: get_options() keeps 9, the driver at most 4 cards',
    needs: ['whole-pairs'],
    async run(t) {
      const lines = await bootWith(t, 'my_device=0x200,5,0x300,7,0x310,3,0x320,4,0x330,6');
      t.expect(lines.includes('my_device_setup: "0x200,5,0x300,7,0x310,3,0x320,4,0x330,6", 9 numbers'), {
        summary: 'The setup function should have been called with ints[0] = 9.', seen: lines.join('\n'),
      });
      t.expectEqual(lines.filter((l) => /^my_device\d/.test(l)), [
        'my_device0: card at 0x200, irq 5', 'my_device1: card at 0x300, irq 7', 'my_device2: no card at 0x310', 'my_device3: no card at 0x320',
      ], {
        summary: 'With 9 numbers (4 whole pairs and one io alone) the driver should keep 4 cards, its MY_DEVICE_MAX, and stop there: io[4] would be past the end of io[].',
        seen: lines.join('\n'), where: t.todo(1),
      });
    },
  },
];

export default checks;
