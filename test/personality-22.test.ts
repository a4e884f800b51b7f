// The 2.2 personality: a driver written the way the 1998 article writes it
// (register_chrdev on major 125, the positional 2.2 file_operations, MINOR of
// inode->i_rdev, file->f_dentry->d_inode, MOD_INC/DEC_USE_COUNT, mknod).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

const DRIVER = fs.readFileSync(path.join(import.meta.dirname, 'fixtures/my_device_22.c'), 'utf8');
const MAKEFILE = 'obj-m += my_device.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n';

describe('kernel personality 2.2', () => {
  it('builds and runs an article-style driver with mknod, minors, busy flags and the use count', async () => {
    const r = await runSh([
      'uname -r', 'make -s', 'sudo insmod my_device.ko',
      'for i in 0 1 2 3; do sudo mknod /dev/my_device$i c 125 $i; done',
      'sudo chmod 660 /dev/my_device?', 'ls -l /dev/my_device1', 'sudo cat /dev/my_device1',
      'sudo sh -c "exec 3</dev/my_device0; rmmod my_device; cat /dev/my_device0"',
      'sudo mknod /dev/my_device255 c 125 255', 'sudo cat /dev/my_device255', 'cat /dev/my_device2',
      'grep my_device /proc/devices', 'sudo rmmod my_device && echo unloaded',
    ].join('\n'), { files: { 'my_device.c': DRIVER, Makefile: MAKEFILE }, config: { personality: '2.2' } });
    expect(r.output).toBe([
      '2.2.26-driverlab',
      'crw-rw---- 1 root root 125, 1 Jan 15 10:30 /dev/my_device1',
      'hello from 2.2',
      // modutils' rmmod: perror() of delete_module(2)'s EBUSY.
      'my_device: Device or resource busy',
      'cat: /dev/my_device0: Device or resource busy',
      'cat: /dev/my_device255: No such device',
      'cat: /dev/my_device2: Permission denied',
      '125 my_device',
      'unloaded',
      '',
    ].join('\n'));
  });

  it('refuses a modern driver with the errors the 2.2 headers give', async () => {
    const modern = '#include <linux/module.h>\n#include <linux/init.h>\nstatic int __init hi(void) { return 0; }\nmodule_init(hi);\n';
    const r = await runSh('make -s; echo "status $?"', { files: { 'my_device.c': modern, Makefile: MAKEFILE }, config: { personality: '2.2' } });
    expect(r.output).toMatch(/my_device\.c:4:1: error: type specifier missing|my_device\.c:4:\d+: error: /);
    expect(r.output).toContain('status 2');
  });
});
