// A driver built into the kernel the 1998 way, in /usr/src/linux of the 2.2 machine: the article's
// edits (Config.in, Configure.help, major.h, init/main.c's table, drivers/char/Makefile's
// L_OBJS/M_OBJS, mem.c's chr_dev_init(), tty.h), make config/dep/zlilo, a reboot with lilo's
// append= line, and then the driver at work: its setup function got the command line, its init ran
// while the kernel booted, a user program talks to the card through it. The same source as a
// module (make modules, modules_install, insmod with io= and irq=), and the build's errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine, type MachineConfig } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { tempWorkspace } from './helpers/machine.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

/** The user program: one line written to a port, read back from its loopback plug. */
const LOOP_C = `#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[] = "a line through the loopback plug\\n";
	char back[128];
	int fd, n;

	fd = open(argv[1], O_RDWR);
	if (fd < 0) { perror(argv[1]); return 1; }
	if (write(fd, line, strlen(line)) != (int)strlen(line)) { perror("write"); return 1; }
	n = read(fd, back, sizeof back - 1);
	if (n < 0) { perror("read"); return 1; }
	back[n] = 0;
	printf("%s: %s", argv[1], back);
	return close(fd);
}
`;

/** The article's steps, as a learner at the shell would make them (as root, with sed). */
const ARTICLE_EDITS = `cd /usr/src/linux
sudo cp /home/lab/my_device.c drivers/char/my_device.c
cat > /tmp/my_device.in <<'EOF'
tristate 'insert my device driver in kernel' CONFIG_MY_DEVICE
if [ "$CONFIG_MY_DEVICE" = "y" -o "$CONFIG_MY_DEVICE" = "m" ]; then
int ' my device value' CONFIG_MY_DEVICE_VALUE 1
bool ' support my device something' CONFIG_MY_DEVICE_SUPPORT
fi
EOF
sudo sed -i '/^bool .Enhanced Real Time Clock/r /tmp/my_device.in' drivers/char/Config.in
cat <<'EOF' | sudo tee -a Documentation/Configure.help >/dev/null

My device support
CONFIG_MY_DEVICE
This text is help message for my device driver
EOF
sudo sed -i '/^#define UNIX98_PTY_SLAVE_MAJOR/a #define MY_DEVICE_MAJOR 125' include/linux/major.h
sudo sed -i '/^extern void root_dev_setup/a\\
#ifdef CONFIG_MY_DEVICE\\
extern void my_device_setup(char *str, int *ints);\\
#endif' init/main.c
sudo sed -i '/{ "console=", console_setup },/a\\
#ifdef CONFIG_MY_DEVICE\\
{ "my_device=", my_device_setup},\\
#endif' init/main.c
sudo sed -i '/^\\treturn 0;/i\\
#ifdef CONFIG_MY_DEVICE\\
\\tmy_device_init();\\
#endif' drivers/char/mem.c
sudo sed -i '/^extern int rtc_init/a extern int my_device_init(void);' include/linux/tty.h
`;

const MAKEFILE_EDIT = `sudo sed -i '/^include $(TOPDIR)\\/Rules.make/i\\
ifeq ($(CONFIG_MY_DEVICE),y)\\
L_OBJS += my_device.o\\
else\\
ifeq ($(CONFIG_MY_DEVICE),m)\\
M_OBJS += my_device.o\\
endif\\
endif\\
' drivers/char/Makefile
`;

/** make config's answers: the defaults for the 20 questions before ours, then ? and ours. */
const answers = (mine: string[]) => `(yes '' | head -20; echo '?'; ${mine.map((a) => `echo '${a}'`).join('; ')}; echo) | sudo make config`;

/** The article's device nodes, made as root. */
const MKNOD = `sudo sh -c 'mknod /dev/my_device0 c 125 0
mknod /dev/my_device1 c 125 1
mknod /dev/my_device2 c 125 2
mknod /dev/my_device3 c 125 3
chown root.root /dev/my_device?
chmod 660 /dev/my_device?'
sudo mknod /dev/my_device5 c 125 5
`;

function machine(config: MachineConfig = {}) {
  const workspace = tempWorkspace({ 'my_device.c': fixture('my_device_card22.c'), 'loop.c': LOOP_C });
  let screen = '';
  const m: Machine = new Machine(createNodeHost({ workspace }), { personality: '2.2', cards: [{}, {}], ...config }, (t) => {
    if (!m.booting) screen += t;
    if (process.env.DRIVERLAB_TEST_SCREEN) process.stderr.write(t);
  });
  const sh = async (script: string) => {
    screen = '';
    const status = await m.runShell(script);
    return { status, output: screen.replace(/\r\n/g, '\n') };
  };
  return { m, sh };
}

/** A kernel build is a few compiles and a link; on a busy machine that takes a while. */
const BUILD_TIMEOUT = 600_000;

/** dmesg's lines without their timestamps. */
const kernelLog = (m: Machine) => m.kernel.log.read().map((r) => r.text);

describe('a driver built into the kernel from /usr/src/linux', () => {
  it("follows the article: make config asks and helps, make zlilo builds and installs it, and at boot its setup function gets lilo's append= and its init runs before init", async () => {
    // Also typed at LILO's prompt on every boot: the article's example with four cards.
    const { m, sh } = machine({ cmdline: 'my_device=0x200,5,0x300,7,0x400,8,0x500,9' });
    await m.boot();
    m.endInput();
    let r = await sh(`${ARTICLE_EDITS}${MAKEFILE_EDIT}${answers(['y', '', 'y'])}
grep MY_DEVICE .config include/linux/autoconf.h
sudo sed -i 's/^\\tread-only/\\tread-only\\n\\tappend="my_device=0x200,5,0x300,7"/' /etc/lilo.conf
sudo make dep >/dev/null && sudo make zlilo 2>&1; echo "zlilo: $?"
sudo reboot
`);
    expect(r.output).toContain('insert my device driver in kernel (CONFIG_MY_DEVICE) [N/y/m/?] (NEW) \nCONFIG_MY_DEVICE:\n\nThis text is help message for my device driver\n\n'
      + 'insert my device driver in kernel (CONFIG_MY_DEVICE) [N/y/m/?] (NEW)  my device value (CONFIG_MY_DEVICE_VALUE) [1] (NEW)  support my device something (CONFIG_MY_DEVICE_SUPPORT) [N/y/?] (NEW) *\n* Kernel hacking\n');
    expect(r.output).toContain('.config:CONFIG_MY_DEVICE=y\n.config:CONFIG_MY_DEVICE_VALUE=1\n.config:CONFIG_MY_DEVICE_SUPPORT=y\n'
      + 'include/linux/autoconf.h:#define CONFIG_MY_DEVICE 1\ninclude/linux/autoconf.h:#define CONFIG_MY_DEVICE_VALUE (1)\ninclude/linux/autoconf.h:#define CONFIG_MY_DEVICE_SUPPORT 1\n');
    expect(r.output).toMatch(/\ngcc -D__KERNEL__ -I\/usr\/src\/linux-2\.2\.26-driverlab\/include -Wall -Wstrict-prototypes -O2 -fomit-frame-pointer -fno-strength-reduce -m486 .* -c -o my_device\.o my_device\.c\n/);
    expect(r.output).toContain('ar  rcs char.a  mem.o my_device.o\n');
    expect(r.output).toContain('ld -m elf_i386 -T /usr/src/linux-2.2.26-driverlab/arch/i386/vmlinux.lds -e stext  init/main.o init/version.o \\\n');
    expect(r.output).toContain('Root device is (3, 1)\nBoot sector 512 bytes.\nSetup is 2048 bytes.\n');
    expect(r.output).toContain('cat zImage > /boot/vmlinuz\n');
    expect(r.output).toMatch(/\nAdded linux \*\n.*\nzlilo: 0\n/);

    // The new kernel: its banner, the command line for its setup function, the cards up before init.
    const log = kernelLog(m);
    expect(log[0]).toMatch(/^Linux version 2\.2\.26-driverlab \(root@driverlab\) \(gcc .*\) #1 /);
    expect(log).toContain('Kernel command line: BOOT_IMAGE=linux ro root=301 my_device=0x200,5,0x300,7 my_device=0x200,5,0x300,7,0x400,8,0x500,9');
    const setups = log.filter((l) => l.startsWith('my_device'));
    expect(setups).toEqual([
      'my_device_setup: str="0x200,5,0x300,7" ints={4, 0x200, 5, 0x300, 7}',
      'my_device_setup: str="0x200,5,0x300,7,0x400,8,0x500,9" ints={8, 0x200, 5, 0x300, 7, 0x400, 8, 0x500, 9}',
      'my_device0: card at 0x200, irq 5, memory 0xd0000, firmware 1',
      'my_device1: card at 0x300, irq 7, memory 0xd4000, firmware 1',
      'my_device2: no card at 0x400',
      'my_device3: no card at 0x500',
    ]);
    expect(log.indexOf('my_device1: card at 0x300, irq 7, memory 0xd4000, firmware 1')).toBeLessThan(log.findIndex((l) => l.startsWith('VFS: Mounted root')));

    r = await sh(`${MKNOD}ls -l /dev/my_device?
cd /home/lab && gcc -o loop loop.c && sudo ./loop /dev/my_device1 && sudo ./loop /dev/my_device5
grep -E '^ *(5|7):' /proc/interrupts; grep my_device /proc/ioports /proc/devices; lsmod`);
    expect(r.output).toBe([
      "chown: warning: '.' should be ':': 'root.root'",
      'crw-rw---- 1 root root 125, 0 Jan 15 10:30 /dev/my_device0',
      'crw-rw---- 1 root root 125, 1 Jan 15 10:30 /dev/my_device1',
      'crw-rw---- 1 root root 125, 2 Jan 15 10:30 /dev/my_device2',
      'crw-rw---- 1 root root 125, 3 Jan 15 10:30 /dev/my_device3',
      'crw-r--r-- 1 root root 125, 5 Jan 15 10:30 /dev/my_device5',
      '/dev/my_device1: a line through the loopback plug',
      '/dev/my_device5: a line through the loopback plug',
      '  5:          3          XT-PIC  my_device',
      '  7:          3          XT-PIC  my_device',
      '/proc/ioports:0200-020f : my_device',
      '/proc/ioports:0300-030f : my_device',
      '/proc/devices:125 my_device',
      'Module                  Size  Used by',
      '',
    ].join('\n'));

    // The article's first example, typed at the prompt this time: IRQ 1 is the keyboard's.
    (m.config as { cmdline: string }).cmdline = 'my_device=0x200,1';
    await sh('sudo reboot');
    expect(kernelLog(m).filter((l) => l.startsWith('my_device'))).toEqual([
      'my_device_setup: str="0x200,5,0x300,7" ints={4, 0x200, 5, 0x300, 7}',
      'my_device_setup: str="0x200,1" ints={2, 0x200, 1}',
      'my_device0: IRQ 1 is busy',
      'my_device1: card at 0x300, irq 7, memory 0xd4000, firmware 1',
    ]);
  }, BUILD_TIMEOUT);
});

describe('the same driver source as a module', () => {
  it('make modules and modules_install put it in /lib/modules/2.2.26-driverlab/misc, insmod sets io= and irq=, rmmod leaves nothing', async () => {
    const { m, sh } = machine();
    await m.boot();
    m.endInput();
    const r = await sh(`${ARTICLE_EDITS}${MAKEFILE_EDIT}${answers(['m', '', 'n'])} >/dev/null
sudo make dep >/dev/null && sudo make modules >/dev/null && sudo make modules_install
ls /lib/modules/2.2.26-driverlab/misc
${MKNOD}sudo insmod my_device io=0x200,0x300 irq=5,7 && lsmod
cd /home/lab && gcc -o loop loop.c && sudo ./loop /dev/my_device1 && sudo ./loop /dev/my_device5
grep -E '^ *(5|7):' /proc/interrupts; grep my_device /proc/ioports
sudo rmmod my_device; echo "rmmod: $?"; grep -c my_device /proc/ioports /proc/interrupts /proc/devices
sudo insmod my_device io=200,300,400 irq=5,7,8; echo "insmod: $?"
grep -c my_device /proc/ioports /proc/interrupts /proc/devices`);
    expect(r.output).toBe([
      'Installing modules under /lib/modules/2.2.26-driverlab/misc',
      'my_device.o',
      "chown: warning: '.' should be ':': 'root.root'",
      'Module                  Size  Used by',
      'my_device              16384  0',
      '/dev/my_device1: a line through the loopback plug',
      '/dev/my_device5: a line through the loopback plug',
      '  5:          3          XT-PIC  my_device',
      '  7:          3          XT-PIC  my_device',
      '0200-020f : my_device',
      '0300-030f : my_device',
      'rmmod: 0',
      '/proc/ioports:0', '/proc/interrupts:0', '/proc/devices:0',
      // The article's line: io=200 is decimal 200, 0xc8, inside the DMA controller's ports.
      '/lib/modules/2.2.26-driverlab/misc/my_device.o: init_module: No such device',
      'insmod: 1',
      '/proc/ioports:0', '/proc/interrupts:0', '/proc/devices:0',
      '',
    ].join('\n'));
    expect(kernelLog(m).slice(-4)).toEqual([
      'my_device0: I/O 0xc8 is busy', 'my_device1: no card at 0x12c', 'my_device2: no card at 0x190', 'my_device: no cards found',
    ]);
  }, BUILD_TIMEOUT);

  it('takes the article\'s MODULE_PARM(my_device,"1-10i"): up to ten numbers from insmod', async () => {
    const { m, sh } = machine();
    await m.boot();
    m.endInput();
    const r = await sh(`cat > parm.c <<'END'
#include <linux/module.h>
#include <linux/kernel.h>

static int my_device[10];
MODULE_PARM(my_device, "1-10i");

int init_module(void)
{
	int i;

	for (i = 0; i < 10 && my_device[i]; i++)
		printk(KERN_INFO "my_device[%d] = 0x%x\\n", i, my_device[i]);
	return 0;
}

void cleanup_module(void)
{
}
END
gcc -D__KERNEL__ -DMODULE -O2 -Wall -c parm.c && modinfo -p parm.o
sudo insmod parm.o my_device=0x200,5,0x300,7,0x400,8,0x500,9,0x600,10 && dmesg | tail -10 | sed 's/^\\[[^]]*\\] //'
sudo insmod -o parm2 parm.o my_device=1,2,3,4,5,6,7,8,9,10,11; echo "status $?"`);
    expect(r.output).toBe([
      'parm:        my_device int array (min = 1, max = 10)',
      ...['0x200', '0x5', '0x300', '0x7', '0x400', '0x8', '0x500', '0x9', '0x600', '0xa'].map((v, i) => `my_device[${i}] = ${v}`),
      'parm.o: too many values for my_device (max 10)',
      'status 1',
      '',
    ].join('\n'));
  }, BUILD_TIMEOUT);
});

describe('building the kernel: what goes wrong', () => {
  it("runs make config for a tree without .config, stops the link at a setup function nobody built, and at a C error, with make's, ld's and gcc's words", async () => {
    const { m, sh } = machine();
    await m.boot();
    m.endInput();
    const r = await sh(`cd /usr/src/linux; sudo make zlilo </dev/null 2>&1 | head -4; echo ---
${ARTICLE_EDITS}${answers(['y', '', 'n'])} >/dev/null
sudo make dep >/dev/null; sudo make zlilo 2>&1 | grep -E 'undefined|\\*\\*\\*'; echo ---
${MAKEFILE_EDIT}sudo sed -i 's/^\\tint i, found = 0;$/\\tint i, found = 0/' drivers/char/my_device.c
sudo make zlilo 2>&1 | grep -E 'error|\\*\\*\\*'`);
    expect(r.output.split('\n')).toEqual([
      '',
      "You have a bad or nonexistent .config : running 'make config'",
      '',
      'make config',
      '---',
      "init/main.o: undefined reference to `my_device_setup'",
      "drivers/char/char.a(mem.o): undefined reference to `my_device_init'",
      'make: *** [Makefile:97: vmlinux] Error 1',
      '---',
      expect.stringMatching(/^my_device\.c:\d+:\d+: error: expected ';' at end of declaration$/),
      '1 error generated.',
      'make[3]: *** [/usr/src/linux-2.2.26-driverlab/Rules.make:57: my_device.o] Error 1',
      'make[2]: *** [/usr/src/linux-2.2.26-driverlab/Rules.make:44: first_rule] Error 2',
      'make[1]: *** [/usr/src/linux-2.2.26-driverlab/Rules.make:101: sub_dirs] Error 2',
      'make: *** [Makefile:122: _dir_drivers] Error 2',
      '',
    ]);
  }, BUILD_TIMEOUT);
});

const HELLO_C = `/* A driver with a boot parameter of the new (2.2.26) kind, __setup(). */
#include <linux/kernel.h>
#include <linux/init.h>

static int hello_count;

static int __init hello_setup(char *str)
{
	int ints[10];

	get_options(str, ints);
	printk(KERN_INFO "hello_setup: \\"%s\\": %d numbers, the last %d\\n", str, ints[0], ints[ints[0]]);
	hello_count = ints[0];
	return 1;
}
__setup("hello=", hello_setup);

int __init hello_init(void)
{
	printk(KERN_INFO "hello: %d numbers at boot\\n", hello_count);
	return 0;
}
`;

describe('boot parameters of the kernel built from the tree', () => {
  it('go to __setup() handlers after init/main.c tables (reserve= among them), get_options() takes at most 9 numbers, the rest goes to init', async () => {
    const { m, sh } = machine({ cmdline: 'hello=1,2,3,4,5,6,7,8,9,10,11 reserve=0x300,32 foo=bar single' });
    m.endInput();
    await m.boot();
    let r = await sh(`cd /usr/src/linux
cat > /tmp/hello.c <<'EOF'
${HELLO_C}EOF
sudo cp /tmp/hello.c drivers/char/hello.c
sudo sed -i 's/^L_OBJS   := mem.o$/L_OBJS   := mem.o hello.o/' drivers/char/Makefile
sudo sed -i '/^\\treturn 0;/i\\
\\thello_init();' drivers/char/mem.c
sudo sed -i '/^extern int rtc_init/a extern int hello_init(void);' include/linux/tty.h
sudo make oldconfig </dev/null >/dev/null && sudo make dep >/dev/null && sudo make bzlilo >/dev/null 2>&1; echo "bzlilo: $?"
sudo reboot`);
    expect(r.output).toMatch(/^bzlilo: 0\n/);
    expect(m.kernel.image?.kind).toBe('bzImage');
    expect(kernelLog(m).filter((l) => l.startsWith('hello'))).toEqual([
      'hello_setup: "1,2,3,4,5,6,7,8,9,10,11": 9 numbers, the last 9',
      'hello: 9 numbers at boot',
    ]);
    r = await sh('grep reserved /proc/ioports; ps -eo pid,args | head -2; echo "foo=$foo"');
    expect(r.output).toBe('0300-031f : reserved\n  PID COMMAND\n    1 init single\nfoo=bar\n');
  }, BUILD_TIMEOUT);
});
