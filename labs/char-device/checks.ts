// Lab 2 checks: the tutorial's §2.3 session (shared/seeds/000, "2.3 고급 모듈 테스트") and the
// error paths a real program meets (ENOTTY, EINVAL, ENOSPC, EFAULT), open counts, rmmod while
// open, and a clean unload (the major, the cdev, the class and device, the kmalloc'ed buffer).
import type { Check, CheckContext, ShellResult } from '@driverlab/checks';

/** The §2.3 output of test_device. (The tutorial prints 22 bytes; strlen("Hello from userspace!") is 21.) */
const TEST_DEVICE_OUTPUT = [
  'Device opened successfully',
  'Written 21 bytes: Hello from userspace!',
  'Current buffer size: 21 bytes',
  'Read 21 bytes: Hello from userspace!',
  'Buffer reset successfully',
  'Buffer size after reset: 0 bytes',
  'Device closed',
  '',
].join('\n');

/** The check's own program: the error paths (`probe errors`) and two opens at once (`probe opens`). */
const PROBE_C = `#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define IOCTL_RESET    _IO('a', 1)
#define IOCTL_GET_SIZE _IOR('a', 2, int)
#define IOCTL_SET_SIZE _IOW('a', 3, int)

static void report(const char *what, long r) {
    if (r < 0) printf("%s: %s\\n", what, strerror(errno));
    else printf("%s: %ld\\n", what, r);
}

static int errors(void) {
    static char big[2000];
    int size;
    int fd = open("/dev/advanced_dev", O_RDWR);
    if (fd < 0) { perror("open"); return 1; }
    report("unknown ioctl", ioctl(fd, _IO('a', 9)));
    size = -1; report("set size -1", ioctl(fd, IOCTL_SET_SIZE, &size));
    size = 1025; report("set size 1025", ioctl(fd, IOCTL_SET_SIZE, &size));
    size = 10; report("set size 10", ioctl(fd, IOCTL_SET_SIZE, &size));
    size = 0; report("get size", ioctl(fd, IOCTL_GET_SIZE, &size));
    printf("size: %d\\n", size);
    report("get size into NULL", ioctl(fd, IOCTL_GET_SIZE, NULL));
    report("set size from NULL", ioctl(fd, IOCTL_SET_SIZE, NULL));
    report("write from NULL", write(fd, NULL, 4));
    lseek(fd, 0, SEEK_SET);
    report("read into NULL", read(fd, NULL, 4));
    memset(big, 'x', sizeof big);
    lseek(fd, 0, SEEK_SET);
    report("write 2000 bytes", write(fd, big, sizeof big));
    report("write at 1024", write(fd, "y", 1));
    lseek(fd, 0, SEEK_SET);
    report("read 2000 bytes", read(fd, big, sizeof big));
    report("read at the end", read(fd, big, sizeof big));
    close(fd);
    return 0;
}

static int opens(void) {
    int a = open("/dev/advanced_dev", O_RDONLY);
    int b = open("/dev/advanced_dev", O_RDONLY | O_NONBLOCK);
    if (a < 0 || b < 0) { perror("open"); return 1; }
    close(b);
    close(a);
    return 0;
}

int main(int argc, char **argv) {
    return argc > 1 && strcmp(argv[1], "opens") == 0 ? opens() : errors();
}
`;

/** Each line `probe errors` prints, and the TODO that makes it right. */
const ERROR_PATHS: [string, number][] = [
  ['unknown ioctl: Inappropriate ioctl for device', 8],
  ['set size -1: Invalid argument', 8],
  ['set size 1025: Invalid argument', 8],
  ['set size 10: 0', 8],
  ['get size: 0', 8],
  ['size: 10', 8],
  ['get size into NULL: Bad address', 8],
  ['set size from NULL: Bad address', 8],
  ['write from NULL: Bad address', 7],
  ['read into NULL: Bad address', 6],
  ['write 2000 bytes: 1024', 7],
  ['write at 1024: No space left on device', 7],
  ['read 2000 bytes: 1024', 6],
  ['read at the end: 0', 6],
];

function shown(r: ShellResult): string {
  return r.output.trimEnd() || `(no output, exit status ${r.status})`;
}

function since(t: CheckContext, mark: ReturnType<CheckContext['machine']['mark']>): string[] {
  return t.machine.dmesg(mark).map((m) => m.text);
}

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds advanced_device.ko',
    async run(t) {
      await t.machine.build();
      t.expect(t.files.exists('advanced_device.ko'), { summary: '`make` finished but built no advanced_device.ko.', where: { file: 'Makefile' } });
    },
  },
  {
    id: 'insmod',
    title: '`sudo insmod advanced_device.ko` loads it with a major number from the kernel, listed in /proc/devices',
    needs: ['build'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo insmod advanced_device.ko');
      t.expectEqual(r.status, 0, { summary: 'insmod failed: advanced_init returned an error.', seen: shown(r), where: t.todo(1) });
      const log = since(t, mark);
      const loaded = log.map((l) => /^Advanced device module loaded \(major: (\d+)\)$/.exec(l)).find(Boolean);
      t.expect(loaded, {
        summary: 'The kernel log has no "Advanced device module loaded (major: N)".',
        seen: log.join('\n') || '(no messages)',
        where: t.find('advanced_device.c', 'Advanced device module loaded') ?? t.todo(1),
      });
      const major = Number(loaded![1]);
      const dev = m.resources().chrdevs.find((d) => d.name === 'advanced_dev');
      t.expectEqual(dev?.major, major, {
        summary: `/proc/devices does not list major ${major} as advanced_dev: the logged major is not the one the kernel gave.`,
        where: t.todo(1),
      });
    },
  },
  {
    id: 'dev-node',
    title: '/dev/advanced_dev appears (udev), a character device everyone may read and write',
    needs: ['insmod'],
    async run(t) {
      const r = await t.machine.sh('ls -l /dev/advanced_dev');
      t.expect(r.status === 0, { summary: 'After insmod there is no /dev/advanced_dev.', seen: shown(r), where: t.todo(3) });
      const major = t.machine.resources().chrdevs.find((d) => d.name === 'advanced_dev')?.major;
      t.expectMatch(r.output, new RegExp(`^crw-rw-rw- 1 root root ${major}, 0 `), {
        summary: `/dev/advanced_dev is not the character device ${major},0.`,
        where: t.todo(3),
      });
    },
  },
  {
    id: 'test-device',
    title: '`gcc -o test_device test_device.c && ./test_device` prints the tutorial\'s session',
    needs: ['dev-node'],
    async run(t) {
      await t.machine.build('gcc -o test_device test_device.c');
      const r = await t.machine.sh('./test_device');
      const seen = r.output.split('\n');
      const wanted = TEST_DEVICE_OUTPUT.split('\n');
      const first = wanted.findIndex((line, i) => seen[i] !== line);
      if (first < 0) return;
      const line = wanted[first]!;
      const todo = /^Device opened/.test(line) ? 4 : /^Written/.test(line) ? 7 : /^Read/.test(line) ? 6 : /size|reset/i.test(line) ? (seen.some((s) => /buffer size|reset/i.test(s)) ? 8 : 10) : 5;
      t.fail({
        summary: `./test_device differs from the tutorial's session at line ${first + 1}.`,
        seen: shown(r),
        expected: TEST_DEVICE_OUTPUT,
        where: t.todo(todo),
      });
    },
  },
  {
    id: 'driver-log',
    title: 'the driver logs each operation of test_device (dmesg)',
    needs: ['test-device'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      await m.sh('./test_device >/dev/null');
      const log = since(t, mark);
      const wanted: [string, number][] = [
        ['Device opened (count: 1)', 4], ['Written 21 bytes to device', 7], ['Read 21 bytes from device', 6],
        ['Device buffer reset', 8], ['Device closed (count: 0)', 5],
      ];
      let at = 0;
      for (const [line, todo] of wanted) {
        const i = log.indexOf(line, at);
        t.expect(i >= 0, { summary: `The kernel log lacks "${line}" (in this order).`, seen: log.join('\n') || '(no messages)', where: t.todo(todo) });
        at = i + 1;
      }
    },
  },
  {
    id: 'error-paths',
    title: 'wrong requests get the errors programs expect: ENOTTY, EINVAL, EFAULT, ENOSPC',
    needs: ['dev-node'],
    async run(t) {
      t.files.write('.check/probe.c', PROBE_C);
      await t.machine.build('gcc -o .check/probe .check/probe.c');
      const r = await t.machine.sh('.check/probe errors');
      const seen = r.output.trimEnd().split('\n');
      for (const [line, todo] of ERROR_PATHS) {
        const label = line.slice(0, line.indexOf(':'));
        const got = seen.find((s) => s.startsWith(`${label}:`));
        t.expect(got === line, {
          summary: `${label}: the driver does not answer as Linux programs expect.`,
          seen: got ?? shown(r),
          expected: line,
          where: t.todo(todo),
        });
      }
    },
  },
  {
    id: 'open-count',
    title: 'two opens at once are counted (1, 2) and so are their closes (1, 0); O_NONBLOCK is noticed',
    needs: ['error-paths'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('.check/probe opens');
      t.expectEqual(r.status, 0, { summary: 'Opening /dev/advanced_dev twice at once fails.', seen: shown(r), where: t.todo(4) });
      const log = since(t, mark).filter((l) => /^Device (opened|closed)|^Non-blocking/.test(l));
      t.expectEqual(log.join('\n'), ['Device opened (count: 1)', 'Device opened (count: 2)', 'Non-blocking open', 'Device closed (count: 1)', 'Device closed (count: 0)'].join('\n'), {
        summary: 'The open count in the kernel log is not right.',
        where: [t.todo(4), t.todo(5)],
      });
    },
  },
  {
    id: 'in-use',
    title: 'rmmod is refused while a process has the device open',
    needs: ['dev-node'],
    async run(t) {
      const r = await t.machine.sh('exec 3</dev/advanced_dev; sudo rmmod advanced_device');
      t.expectMatch(r.output, /Module advanced_device is in use/, {
        summary: 'rmmod unloaded the module while a process had /dev/advanced_dev open.',
        where: t.find('advanced_device.c', '.owner = THIS_MODULE') ?? t.todo(2),
        hint: 'The file_operations\' .owner (and the cdev\'s) make the kernel count each open file as a user of the module.',
      });
    },
  },
  {
    id: 'rmmod',
    title: '`sudo rmmod advanced_device` unloads it and takes /dev/advanced_dev and the major number with it',
    needs: ['insmod'],
    async run(t) {
      const m = t.machine;
      const mark = m.mark();
      const r = await m.sh('sudo rmmod advanced_device');
      t.expectEqual(r.status, 0, { summary: 'rmmod failed.', seen: shown(r) });
      t.expect(since(t, mark).includes('Advanced device module unloaded'), { summary: 'Unloading is not logged ("Advanced device module unloaded").', where: t.find('advanced_device.c', 'advanced_exit') });
      const left = m.unloads(mark).find((u) => u.module === 'advanced_device');
      t.expect(!left || left.leftovers.length === 0, {
        summary: `The module was unloaded with ${left?.leftovers.join(', ')} still registered (the kernel undid them; Linux would not have).`,
        where: t.todo(9),
      });
      t.expect(!left || left.leakedAllocations === 0, { summary: `The module leaked ${left?.leakedBytes} bytes of kmalloc memory.`, where: t.find('advanced_device.c', 'kfree(dev_data)') });
      const node = await m.sh('ls /dev/advanced_dev');
      t.expect(node.status !== 0, { summary: '/dev/advanced_dev is still there after rmmod.', where: t.todo(9) });
      t.expect(!m.resources().chrdevs.some((d) => d.name === 'advanced_dev'), { summary: '/proc/devices still lists advanced_dev after rmmod.', where: t.todo(9) });
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
