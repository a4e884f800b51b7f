// Lab 10 checks: the article's debugging ioctl (shared/seeds/004, "커널 드라이버 디버깅"):
// VIEW_VARIABLE = _IOWR(MY_DEVICE_MAJOR, 2, int[2]) in the shared header, the driver's answer
// through copy_from_user/copy_to_user with the errors programs expect, unknown numbers logged
// decoded, and the live monitor of waiting processes, checked against a load whose waits are
// known, and after a process waiting its turn is interrupted.
import type { Check, CheckContext, ShellResult } from '@driverlab/checks';

/** _IOWR(125, 2, int[2]): dir 3 (read and write) << 30 | size 8 << 16 | type 125 << 8 | nr 2. */
const VIEW_VARIABLE = 0xc0087d02;
const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** The check's own program: VIEW_VARIABLE (by its true number) and the numbers the driver must refuse. */
const PROBE_C = `#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "my_device.h"

static void report(const char *what, int r, const int *v)
{
	if (r < 0)
		printf("%s: %s\\n", what, strerror(errno));
	else
		printf("%s: %d %d\\n", what, v[0], v[1]);
}

int main(int argc, char **argv)
{
	int v[3] = { 0, 0, 0 };
	int fd = open("/dev/my_device3", O_RDWR);

	if (fd < 0) {
		perror("/dev/my_device3");
		return 1;
	}
	if (argc > 1) {
		printf("0x%08x\\n", (unsigned)VIEW_VARIABLE);
		return 0;
	}
	v[0] = 0; report("card 0", ioctl(fd, _IOWR(125, 2, int[2]), v), v);
	v[0] = 1; report("card 1", ioctl(fd, _IOWR(125, 2, int[2]), v), v);
	v[0] = 2; report("card 2", ioctl(fd, _IOWR(125, 2, int[2]), v), v);
	v[0] = -1; report("card -1", ioctl(fd, _IOWR(125, 2, int[2]), v), v);
	report("NULL argument", ioctl(fd, _IOWR(125, 2, int[2]), NULL), v);
	v[0] = 0; report("nr 9", ioctl(fd, _IOWR(125, 9, int[2]), v), v);
	v[0] = 0; report("type 'a'", ioctl(fd, _IOWR('a', 2, int[2]), v), v);
	v[0] = 0; report("size 12", ioctl(fd, _IOWR(125, 2, int[3]), v), v);
	return 0;
}
`;

/** Each line the probe prints, and the TODO that makes it right. */
const PROBE_LINES: [string, number][] = [
  ['card 0: 0 0', 2],
  ['card 1: 0 0', 2],
  ['card 2: Invalid argument', 2],
  ['card -1: Invalid argument', 2],
  ['NULL argument: Bad address', 2],
  ['nr 9: Inappropriate ioctl for device', 3],
  ["type 'a': Inappropriate ioctl for device", 3],
  ['size 12: Inappropriate ioctl for device', 3],
];

/** The decoded lines the driver logs for the probe's three foreign numbers. */
const UNKNOWN_LOGGED = [
  'my_device: unknown ioctl 0xc0087d09 (dir 3, type 125, nr 9, size 8)',
  'my_device: unknown ioctl 0xc0086102 (dir 3, type 97, nr 2, size 8)',
  'my_device: unknown ioctl 0xc00c7d02 (dir 3, type 125, nr 2, size 12)',
];

const HEADER = /^VIEW_VARIABLE = 0x([0-9a-f]{8}): dir (\d+) \(([^)]*)\), type (\d+), nr (\d+), size (\d+)$/;
const SAMPLE = /^ *(\d+\.\d\d) s +(-?\d+) +(-?\d+) +(-?\d+) +(-?\d+)$/;

interface Sample { time: string; card0: [number, number]; card1: [number, number] }

function shown(r: ShellResult): string {
  return r.output.trimEnd() || `(no output, exit status ${r.status})`;
}

function samples(output: string): Sample[] {
  return output.split('\n').flatMap((l) => {
    const m = SAMPLE.exec(l);
    return m ? [{ time: m[1]!, card0: [Number(m[2]), Number(m[3])] as [number, number], card1: [Number(m[4]), Number(m[5])] as [number, number] }] : [];
  });
}

/** The monitor's first sample, or a failure saying what the monitor printed instead. */
function firstSample(t: CheckContext, r: ShellResult): Sample {
  const s = samples(r.output)[0];
  if (!s) {
    t.fail({
      summary: 'The monitor printed no sample line.',
      seen: shown(r),
      expected: '  0.00 s                0      0                0      0',
      where: /ioctl VIEW_VARIABLE/.test(r.output) ? t.todo(2) : t.todo(4),
    });
  }
  return s;
}

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds my_device.ko; `gcc` builds monitor',
    async run(t) {
      await t.machine.build();
      t.expect(t.files.exists('my_device.ko'), { summary: '`make` finished but built no my_device.ko.', where: { file: 'Makefile' } });
      await t.machine.build('gcc -o monitor monitor.c');
    },
  },
  {
    id: 'insmod',
    title: '`sudo insmod my_device.ko` finds both cards; `sudo sh makedev.sh` makes /dev/my_device0-7',
    needs: ['build'],
    async run(t) {
      const r = await t.machine.sh('sudo insmod my_device.ko && sudo sh makedev.sh');
      t.expectEqual(r.status, 0, { summary: 'insmod or makedev.sh failed.', seen: shown(r), where: t.find('my_device.c', 'int init_module') });
      t.expect(t.machine.card(0).phase === 'running' && t.machine.card(1).phase === 'running', 'Both cards should be running their firmware after insmod.');
    },
  },
  {
    id: 'ioctl-number',
    title: 'VIEW_VARIABLE in my_device.h is the article\'s _IOWR(MY_DEVICE_MAJOR, 2, int[2]) = 0xc0087d02',
    needs: ['insmod'],
    async run(t) {
      t.files.write('.check/probe.c', PROBE_C);
      await t.machine.build('gcc -I. -o .check/probe .check/probe.c');
      const r = await t.machine.sh('.check/probe number');
      const seen = r.output.trim();
      if (seen === hex(VIEW_VARIABLE)) return;
      const n = Number(seen);
      t.fail({
        summary: 'VIEW_VARIABLE is not the article\'s command number.',
        seen: Number.isFinite(n) ? `${seen}: dir ${(n >>> 30) & 3}, type ${(n >> 8) & 0xff}, nr ${n & 0xff}, size ${(n >>> 16) & 0x3fff}` : shown(r),
        expected: `${hex(VIEW_VARIABLE)}: dir 3 (_IOC_READ|_IOC_WRITE), type 125, nr 2, size 8 (sizeof(int[2]))`,
        where: t.todo(1),
        hint: '_IOWR(type, nr, argument type): the kernel works out the size from the type, as sizeof(int[2]).',
      });
    },
  },
  {
    id: 'view-variable',
    title: 'VIEW_VARIABLE answers through copy_from_user/copy_to_user: 0 0 for an idle card, EINVAL for a card that is not there, EFAULT for a bad pointer, ENOTTY for other numbers',
    needs: ['ioctl-number'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('.check/probe');
      const seen = r.output.trimEnd().split('\n');
      for (const [line, todo] of PROBE_LINES) {
        const label = line.slice(0, line.indexOf(':'));
        const got = seen.find((s) => s.startsWith(`${label}:`));
        t.expect(got === line, {
          summary: `${label}: the driver does not answer VIEW_VARIABLE as it should.`,
          seen: got ?? shown(r),
          expected: line,
          where: t.todo(todo),
          hint: label.startsWith('card') && /Inappropriate/.test(got ?? '') ? 'The driver has no case for VIEW_VARIABLE yet: its switch falls to default.' : undefined,
        });
      }
      t.expect(m.problems(mark).length === 0, { summary: `The kernel reported: ${m.problems(mark)[0]?.text}`, where: t.todo(2) });
    },
  },
  {
    id: 'unknown-logged',
    title: 'a number that is not the driver\'s is logged decoded: "my_device: unknown ioctl 0xc0087d09 (dir 3, type 125, nr 9, size 8)"',
    needs: ['view-variable'],
    async run(t) {
      const log = t.machine.dmesg().map((l) => l.text);
      for (const line of UNKNOWN_LOGGED) {
        t.expect(log.includes(line), {
          summary: 'The driver does not log the commands it refuses, decoded.',
          seen: log.filter((l) => /ioctl/.test(l)).join('\n') || '(no ioctl messages in dmesg)',
          expected: UNKNOWN_LOGGED.join('\n'),
          where: t.todo(3),
        });
      }
    },
  },
  {
    id: 'monitor-decodes',
    title: '`./monitor` shows VIEW_VARIABLE taken apart with _IOC_DIR, _IOC_TYPE, _IOC_NR, _IOC_SIZE, then its samples',
    needs: ['view-variable'],
    async run(t: CheckContext) {
      const r = await t.machine.sh('./monitor 1 0');
      const first = r.output.split('\n')[0] ?? '';
      const m = HEADER.exec(first);
      if (!m) {
        t.fail({
          summary: 'The monitor\'s first line does not show VIEW_VARIABLE decoded.',
          seen: first || shown(r),
          expected: 'VIEW_VARIABLE = 0xc0087d02: dir 3 (read/write), type 125, nr 2, size 8',
          where: t.todo(5),
        });
      }
      t.expectEqual(`dir ${m[2]} (${m[3]}), type ${m[4]}, nr ${m[5]}, size ${m[6]}`, 'dir 3 (read/write), type 125, nr 2, size 8', {
        summary: 'The monitor takes VIEW_VARIABLE apart wrongly.',
        seen: first,
        where: t.todo(5),
      });
      const s = firstSample(t, r);
      t.expectEqual(JSON.stringify([s.card0, s.card1]), '[[0,0],[0,0]]', {
        summary: 'With nothing running, the monitor does not show 0 processes everywhere.',
        seen: shown(r),
        where: s.card0[0] === -1 ? t.todo(4) : t.todo(2),
      });
    },
  },
  {
    id: 'under-load',
    title: 'under load.sh (three processes on card 0, one on card 1) the monitor shows 1 asleep and 2 queued at card 0, 1 asleep at card 1',
    needs: ['monitor-decodes'],
    async run(t) {
      const r = await t.machine.sh('sh load.sh >/dev/null & ./monitor 16 50; wait');
      const all = samples(r.output);
      const busy = all.filter((s) => s.card0[0] === 1 && s.card0[1] === 2 && s.card1[0] === 1 && s.card1[1] === 0);
      const impossible = all.find((s) => s.card0[0] < 0 || s.card0[0] > 1 || s.card0[1] < 0 || s.card0[1] > 2 || s.card1[0] < 0 || s.card1[0] > 1 || s.card1[1] !== 0);
      if (busy.length > 0 && !impossible) return;
      const asleepSeen = all.some((s) => s.card0[0] > 0 || s.card1[0] > 0);
      const queuedSeen = all.some((s) => s.card0[1] > 0);
      t.fail({
        summary: impossible
          ? `At ${impossible.time} s the monitor shows counts that cannot be: a card answers one process at a time, and card 0 has three of them, card 1 one.`
          : `The monitor never shows card 0 with 1 process asleep and 2 queued while three use it${!asleepSeen ? ': nobody is ever counted asleep' : !queuedSeen ? ': nobody is ever counted queued' : ''}.`,
        seen: shown(r),
        expected: '  0.05 s                1      2                1      0   (most samples, while load.sh runs)',
        where: !asleepSeen ? t.todo(6) : !queuedSeen ? t.todo(7) : [t.todo(6), t.todo(7)],
      });
    },
  },
  {
    id: 'after-signal',
    title: 'a process interrupted (Ctrl-C) while it waits its turn leaves the counts right: 0 0 afterwards',
    needs: ['under-load'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      // The first writer holds card 0 (4000-byte writes, 60 ms each); the second waits its turn in down() when it is interrupted.
      const r = await m.sh('dd if=/dev/zero of=/dev/my_device0 bs=4000 count=3 2>/dev/null & sleep 0.005; dd if=/dev/zero of=/dev/my_device1 bs=4000 count=3 2>/dev/null & sleep 0.01; kill -INT $!; wait; ./monitor 1 0');
      const inDown = m.events(mark).some((e) => e.kind === 'task' && /__down/.test(e.wchan));
      t.expect(inDown, 'The second writer never waited in down(): the check could not interrupt it there.');
      const s = firstSample(t, r);
      t.expectEqual(JSON.stringify(s.card0), '[0,0]', {
        summary: 'After a process waiting its turn at card 0 was interrupted, card 0\'s counts did not go back to 0.',
        seen: shown(r),
        expected: 'card 0: 0 asleep, 0 queued',
        where: t.todo(7),
        hint: 'The article: "시그널을 받은 프로세스는 ... 꼭 필요한 일만 하고 신속하게 끝내야 한다" — and a count is one of the things that must be put back on the way out.',
      });
    },
  },
  {
    id: 'rmmod',
    title: '`sudo rmmod my_device` gives back both cards\' ports and IRQs, and every kmalloc',
    needs: ['insmod'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo rmmod my_device');
      t.expectEqual(r.status, 0, { summary: 'rmmod failed.', seen: shown(r) });
      const left = m.unloads(mark).find((u) => u.module === 'my_device');
      t.expect(!left || (left.leftovers.length === 0 && left.leakedAllocations === 0), {
        summary: `The module left ${[...(left?.leftovers ?? []), ...(left?.leakedAllocations ? [`${left.leakedBytes} bytes of kmalloc`] : [])].join(', ')} behind.`,
        where: t.find('my_device.c', 'static void my_device_release_card'),
      });
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
