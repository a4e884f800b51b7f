// Acceptance test: the tutorial's §2 (advanced_device.c and test_device.c exactly
// as printed) and the Linux behaviours around it.
import { describe, expect, it } from 'vitest';
import { runSh, seedFiles } from './helpers/machine.js';

const seed = seedFiles('000_29c68f9db2cc9634.txt');
const DRIVER = seed.get('advanced_device.c')!;
const TEST = seed.get('test_device.c')!;
const MAKEFILE = 'obj-m += advanced_device.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n';
const files = (driver = DRIVER, test = TEST) => ({ 'advanced_device.c': driver, 'test_device.c': test, Makefile: MAKEFILE });

describe('seed §2: advanced_device and test_device', () => {
  it('reproduces the §2.3 session', async () => {
    const r = await runSh('make -s && sudo insmod advanced_device.ko && ls -l /dev/advanced_dev && gcc -o test_device test_device.c && ./test_device && dmesg | tail -10 && grep advanced_dev /proc/devices', { files: files() });
    expect(r.status).toBe(0);
    const out = r.output;
    const major = /^(\d+) advanced_dev$/m.exec(out)?.[1];
    expect(major).toBeDefined();
    expect(out).toMatch(new RegExp(`^crw-rw-rw- 1 root root ${major}, 0 Jan 15 10:30 /dev/advanced_dev$`, 'm'));
    // The seed prints "22 bytes", but strlen("Hello from userspace!") is 21: Linux prints 21.
    expect(out).toContain([
      'Device opened successfully',
      'Written 21 bytes: Hello from userspace!',
      'Current buffer size: 21 bytes',
      'Read 21 bytes: Hello from userspace!',
      'Buffer reset successfully',
      'Buffer size after reset: 0 bytes',
      'Device closed',
    ].join('\n'));
    const ts = String.raw`\[\s*\d+\.\d{6}\] `;
    for (const line of [`Advanced device module loaded \\(major: ${major}\\)`, 'Device opened \\(count: 1\\)', 'Written 21 bytes to device',
      'Read 21 bytes from device', 'Device buffer reset', 'Device closed \\(count: 0\\)']) {
      expect(out).toMatch(new RegExp(`^${ts}${line}$`, 'm'));
    }
  });

  it('without .llseek the kernel default llseek still rewinds', async () => {
    const r = await runSh('make -s && sudo insmod advanced_device.ko && gcc -o test_device test_device.c && ./test_device', { files: files(DRIVER) });
    expect(r.output).toContain('Read 21 bytes: Hello from userspace!');
  });

  it('without .owner rmmod succeeds while open; with it rmmod is refused while a process holds the device', async () => {
    const r = await runSh('make -s && sudo insmod advanced_device.ko && exec 3</dev/advanced_dev; sudo rmmod advanced_device; echo "rmmod $?"', { files: files() });
    expect(r.output).toContain('rmmod: ERROR: Module advanced_device is in use\nrmmod 1\n');
    const noOwner = DRIVER.replace('    .owner = THIS_MODULE,\n', '');
    const r2 = await runSh('make -s && sudo insmod advanced_device.ko && exec 3</dev/advanced_dev; sudo rmmod advanced_device; echo "rmmod $?"', { files: files(noOwner) });
    expect(r2.output).toContain('rmmod 0\n');
  });

  it('an unknown ioctl gives ENOTTY and a NULL buffer gives EFAULT', async () => {
    const test = '#include <stdio.h>\n#include <fcntl.h>\n#include <unistd.h>\n#include <sys/ioctl.h>\nint main(void){\n int fd = open("/dev/advanced_dev", O_RDWR);\n if (ioctl(fd, _IO(\'a\', 9)) < 0) perror("ioctl");\n if (write(fd, NULL, 4) < 0) perror("write");\n if (read(fd, (void *)0, 4) < 0) perror("read");\n int big[2]; if (ioctl(fd, _IOW(\'a\', 3, int), 0) < 0) perror("set size");\n (void)big; close(fd); return 0; }\n';
    const r = await runSh('make -s && sudo insmod advanced_device.ko && gcc -o t t.c && echo hi > /dev/advanced_dev && ./t', { files: { ...files(), 't.c': test } });
    expect(r.output).toContain('ioctl: Inappropriate ioctl for device\nwrite: Bad address\nread: Bad address\nset size: Bad address\n');
  });

  it('a process that exits without close() still gets release called, and stdio buffers like glibc', async () => {
    const leaver = '#include <stdio.h>\n#include <fcntl.h>\n#include <unistd.h>\nint main(void){ int fd = open("/dev/advanced_dev", O_RDWR | O_NONBLOCK); printf("opened %d\\n", fd >= 0); fprintf(stderr, "err line\\n"); printf("second\\n"); return 0; }\n';
    const r = await runSh('make -s && sudo insmod advanced_device.ko && gcc -o leaver leaver.c && ./leaver && ./leaver 2>&1 | cat && dmesg | grep -E "Non-blocking|closed"', { files: { ...files(), 'leaver.c': leaver } });
    // On a terminal stdout is line-buffered (interleaves with stderr); into a pipe it is fully buffered.
    expect(r.output).toContain('opened 1\nerr line\nsecond\nerr line\nopened 1\nsecond\n');
    expect(r.output).toMatch(/\] Non-blocking open\n.*\] Device closed \(count: 0\)\n.*\] Non-blocking open\n.*\] Device closed \(count: 0\)\n$/);
  });

  it('opening a node whose major has no driver gives ENXIO', async () => {
    const r = await runSh('sudo mknod /dev/nodrv c 42 0 && sudo chmod 666 /dev/nodrv; cat /dev/nodrv; echo "status $?"');
    expect(r.output).toContain('cat: /dev/nodrv: No such device or address\nstatus 1\n');
  });

  it('a crashing program dies with SIGSEGV (139) or SIGABRT (134) and the machine goes on', async () => {
    const segv = '#include <stdio.h>\nint main(void){ int *p = 0; puts("before"); *p = 42; puts("after"); return 0; }\n';
    const abrt = '#include <stdlib.h>\nint main(void){ abort(); }\n';
    const r = await runSh('gcc -o segv segv.c && gcc -o abrt abrt.c; ./segv; echo "segv $?"; ./abrt; echo "abrt $?"; echo alive', { files: { 'segv.c': segv, 'abrt.c': abrt } });
    expect(r.output).toContain('before\nSegmentation fault\nsegv 139\nAborted\nabrt 134\nalive\n');
  });
});
