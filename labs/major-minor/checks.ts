// Lab 3 checks: the article's major and minor numbers on Linux 2.2 (shared/seeds/004, "장치
// 특수파일" and "MY_DEVICE_OPEN 함수"): mknod, minor validation (ENODEV, ENXIO), the busy flag
// (EBUSY), the use count (rmmod refused while open), and what graders miss: a failed open must
// not keep the use count, a release must make the next open possible, major 125 given back.
import type { Check, CheckContext, ShellResult } from '@driverlab/checks';

const NODES = [0, 1, 2, 3].map((minor) => `/dev/my_device${minor}`);

function shown(r: ShellResult): string {
  return r.output.trimEnd() || `(no output, exit status ${r.status})`;
}

function useCount(t: CheckContext): number | undefined {
  return t.machine.resources().modules.find((m) => m.name === 'my_device')?.refcount;
}

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds my_device.ko for the 2.2 kernel',
    async run(t) {
      await t.machine.build();
      t.expect(t.files.exists('my_device.ko'), { summary: '`make` finished but built no my_device.ko.', where: { file: 'Makefile' } });
    },
  },
  {
    id: 'insmod',
    title: '`sudo insmod my_device.ko` registers major 125 as "my_device" in /proc/devices',
    needs: ['build'],
    async run(t) {
      const r = await t.machine.sh('sudo insmod my_device.ko');
      t.expectEqual(r.status, 0, { summary: 'insmod failed: init_module returned an error.', seen: shown(r), where: t.todo(2) });
      const dev = t.machine.resources().chrdevs.find((d) => d.major === 125);
      t.expect(dev?.name === 'my_device', {
        summary: 'After insmod, /proc/devices has no "125 my_device": the driver did not register its major number.',
        seen: dev ? `${dev.major} ${dev.name}` : '(nothing on major 125)',
        expected: '125 my_device',
        where: t.todo(2),
      });
    },
  },
  {
    id: 'nodes',
    title: '`sudo sh makedev.sh` makes /dev/my_device0-3: character devices 125,0-3, root.root, mode 660',
    async run(t) {
      const r = await t.machine.sh('sudo sh makedev.sh >/dev/null 2>&1; ls -l /dev/my_device?');
      const lines = r.output.trimEnd().split('\n');
      NODES.forEach((node, minor) => {
        const line = lines.find((l) => l.endsWith(` ${node}`));
        t.expect(line !== undefined, { summary: `makedev.sh did not make ${node}.`, seen: shown(r), where: t.todo(1) });
        t.expectMatch(line!, new RegExp(`^crw-rw---- 1 root root 125, ${minor} `), {
          summary: `${node} is not a character device with major 125, minor ${minor}, owned by root.root with mode 660.`,
          where: t.todo(1),
        });
      });
    },
  },
  {
    id: 'open-ports',
    title: 'the four ports of card 0 open and say who they are (`sudo cat /dev/my_device0`)',
    needs: ['insmod', 'nodes'],
    async run(t) {
      for (const minor of [0, 3]) {
        const r = await t.machine.sh(`sudo cat /dev/my_device${minor}`);
        if (/No such device or address/.test(r.output)) {
          t.fail({ summary: `Opening /dev/my_device${minor} fails with ENXIO although card 0 is there: its ports are not marked as existing.`, seen: shown(r), where: t.todo(3) });
        }
        t.expectEqual(r.output, `my_device${minor}: card 0, port ${minor}\n`, { summary: `\`sudo cat /dev/my_device${minor}\` does not work.`, where: t.todo(4) });
      }
    },
  },
  {
    id: 'enodev',
    title: 'a minor beyond the driver\'s ports (/dev/my_device255) fails with ENODEV',
    needs: ['open-ports'],
    async run(t) {
      const r = await t.machine.sh('sudo mknod /dev/my_device255 c 125 255 && sudo cat /dev/my_device255');
      t.expectEqual(r.output, 'cat: /dev/my_device255: No such device\n', {
        summary: 'Opening minor 255 does not fail with ENODEV ("No such device").',
        where: t.todo(4),
        hint: 'The article: open("/dev/my_device255") can happen; check the minor against MY_DEVICE_PORT_MAX before using it as an index.',
      });
    },
  },
  {
    id: 'enxio',
    title: 'a port of a card that is not there (/dev/my_device4: card 1) fails with ENXIO',
    needs: ['open-ports'],
    async run(t) {
      const r = await t.machine.sh('sudo mknod /dev/my_device4 c 125 4 && sudo cat /dev/my_device4');
      t.expectEqual(r.output, 'cat: /dev/my_device4: No such device or address\n', {
        summary: 'Opening a port of the missing card 1 does not fail with ENXIO ("No such device or address").',
        where: t.todo(4),
        hint: 'This machine has one card, so only minors 0-3 have MY_DEVICE_STATUS_EXIST.',
      });
    },
  },
  {
    id: 'ebusy',
    title: 'a second open of a port that is open fails with EBUSY',
    needs: ['open-ports'],
    async run(t) {
      const r = await t.machine.sh('sudo sh -c "exec 3</dev/my_device0; cat /dev/my_device0"');
      t.expectEqual(r.output, 'cat: /dev/my_device0: Device or resource busy\n', {
        summary: 'While /dev/my_device0 is open, opening it again does not fail with EBUSY.',
        where: t.todo(5),
      });
    },
  },
  {
    id: 'reopen',
    title: 'after a close the port opens again (release clears the busy flag)',
    needs: ['ebusy'],
    async run(t) {
      const r = await t.machine.sh('sudo cat /dev/my_device0 && sudo cat /dev/my_device0');
      t.expectEqual(r.output, 'my_device0: card 0, port 0\nmy_device0: card 0, port 0\n', {
        summary: 'Once closed, /dev/my_device0 cannot be opened again.',
        where: t.todo(6),
        hint: 'The article: release must leave everything as it was before the first open, or the device works once.',
      });
    },
  },
  {
    id: 'use-count',
    title: 'while a port is open the module is in use: lsmod counts 1 and rmmod is refused',
    needs: ['open-ports'],
    async run(t) {
      const r = await t.machine.sh('sudo sh -c "exec 3</dev/my_device1; grep ^my_device /proc/modules; rmmod my_device"');
      t.expectMatch(r.output, /^my_device \d+ 1 /m, { summary: 'While /dev/my_device1 is open, the module\'s use count is not 1.', where: t.todo(5) });
      t.expectMatch(r.output, /my_device: Device or resource busy/, { summary: 'rmmod did not refuse to unload the module while a process had it open.', where: t.todo(5) });
      t.expectEqual(useCount(t), 0, { summary: 'After the last close the use count does not go back to 0: rmmod will never work.', where: t.todo(6) });
    },
  },
  {
    id: 'failed-open-count',
    title: 'a failed open leaves the use count alone',
    needs: ['enodev', 'enxio', 'ebusy'],
    async run(t) {
      await t.machine.sh('sudo cat /dev/my_device255 /dev/my_device4; sudo sh -c "exec 3</dev/my_device2; cat /dev/my_device2"');
      t.expectEqual(useCount(t), 0, {
        summary: 'After opens that failed, the module\'s use count is not 0: an open counted itself and then returned an error.',
        where: t.todo(5),
        hint: 'The article: once MOD_INC_USE_COUNT has run, every error return must undo it; simpler, count only when open will succeed.',
      });
    },
  },
  {
    id: 'rmmod',
    title: '`sudo rmmod my_device` unloads it and gives major 125 back',
    needs: ['insmod'],
    async run(t) {
      const m = t.machine;
      const r = await m.sh('sudo rmmod my_device');
      t.expectEqual(r.status, 0, { summary: 'rmmod failed.', seen: shown(r), where: t.todo(6) });
      const left = m.unloads().find((u) => u.module === 'my_device');
      t.expect(!left?.leftovers.includes('chrdev'), {
        summary: 'The module was unloaded with major 125 still registered (the kernel undid it; Linux 2.2 would have kept calling the unloaded code).',
        where: t.todo(7),
      });
      t.expect(!m.resources().chrdevs.some((d) => d.major === 125), { summary: 'Major 125 is still in /proc/devices after rmmod.', where: t.todo(7) });
    },
  },
  {
    id: 'no-oops',
    title: 'the kernel reported no BUG, WARNING or Oops',
    needs: ['insmod'],
    run(t) {
      t.expectNoProblems();
    },
  },
];

export default checks;
