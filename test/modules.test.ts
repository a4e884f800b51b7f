// The module loader's Linux behaviours: failing init, taint, unknown symbols, modinfo, lsmod.
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

const MAKEFILE = (obj: string) => `obj-m += ${obj}.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n`;

const FAILING = `#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/slab.h>
#include <linux/ioport.h>
static const struct proc_ops ops = { 0 };
static int __init f_init(void)
{
	proc_create("leaky", 0444, NULL, &ops);
	kmalloc(64, GFP_KERNEL);
	return -ENOMEM;  /* forgot to remove the proc entry, and to free */
}
module_init(f_init);
MODULE_LICENSE("GPL");
`;

describe('module loader', () => {
  it('a failing init: insmod reports the errno, and nothing is left in /proc, /proc/modules or the resource lists', async () => {
    const r = await runSh('make -s && sudo insmod failing.ko; echo "status $?"; ls /proc/leaky; grep -c failing /proc/modules; dmesg | grep failing', {
      files: { 'failing.c': FAILING.replace('#include <linux/ioport.h>\n', ''), Makefile: MAKEFILE('failing') },
    });
    expect(r.output).toContain('insmod: ERROR: could not insert module failing.ko: Cannot allocate memory\nstatus 1\n');
    expect(r.output).toContain("ls: cannot access '/proc/leaky': No such file or directory\n0\n");
    expect(r.output).toMatch(/failing: 1 kmalloc allocation\(s\), \d+ bytes, not freed when init failed \(memory leak\)\n(.*\n)?.*failing: init failed but left proc registered; the kernel removed them/);
  });

  it('a proprietary license taints the kernel with Linux\'s messages', async () => {
    const src = '#include <linux/module.h>\nstatic int __init p_init(void) { return 0; }\nstatic void __exit p_exit(void) { }\nmodule_init(p_init);\nmodule_exit(p_exit);\nMODULE_LICENSE("Proprietary");\n';
    const r = await runSh('make -s && sudo insmod prop.ko && dmesg | tail -3 && cat /proc/sys/kernel/tainted && cat /proc/modules', { files: { 'prop.c': src, Makefile: MAKEFILE('prop') } });
    expect(r.output).toMatch(/\] prop: module license 'Proprietary' taints kernel\.\n.*\] Disabling lock debugging due to kernel taint\n.*\] prop: loading out-of-tree module taints kernel\.\n4097\nprop \d+ 0 - Live 0x00000000 \(OP\)\n/);
  });

  it('an unknown kernel symbol: modpost fails the build, like kbuild', async () => {
    const src = '#include <linux/module.h>\nextern int no_such_function(void);\nstatic int __init u_init(void) { return no_such_function(); }\nmodule_init(u_init);\nMODULE_LICENSE("GPL");\n';
    const r = await runSh('make; echo "status $?"', { files: { 'unk.c': src, Makefile: MAKEFILE('unk') } });
    expect(r.output).toContain('ERROR: modpost: "no_such_function" [/home/lab/unk.ko] undefined!\n');
    expect(r.output).toContain('status 2');
  });

  it('modinfo and lsmod show what Linux shows', async () => {
    const src = '#include <linux/module.h>\nstatic int __init m_init(void) { return 0; }\nstatic void __exit m_exit(void) { }\nmodule_init(m_init);\nmodule_exit(m_exit);\nMODULE_LICENSE("GPL");\nMODULE_AUTHOR("Your Name");\nMODULE_DESCRIPTION("modinfo test");\nMODULE_VERSION("1.0");\n';
    const r = await runSh('make -s && modinfo info.ko && sudo insmod info.ko && lsmod', { files: { 'info.c': src, Makefile: MAKEFILE('info') } });
    expect(r.output).toMatch(/^filename: {7}\/home\/lab\/info\.ko\nversion: {8}1\.0\ndescription: {4}modinfo test\nauthor: {9}Your Name\nlicense: {8}GPL\nsrcversion: {5}[0-9A-F]+\ndepends: {8}\nretpoline: {6}Y\nname: {11}info\nvermagic: {7}6\.8\.0-driverlab SMP preempt mod_unload\n/);
    expect(r.output).toMatch(/Module {18}Size {2}Used by\ninfo {20}4096 {2}0\n$/);
  });

  it('insmod as a normal user and of a missing file fail with kmod\'s messages', async () => {
    const r = await runSh('insmod nothere.ko; touch x.ko; insmod x.ko; sudo insmod x.ko; sudo rmmod nothere');
    expect(r.output).toBe([
      'insmod: ERROR: could not load module nothere.ko: No such file or directory',
      'insmod: ERROR: could not insert module x.ko: Operation not permitted',
      'insmod: ERROR: could not insert module x.ko: Invalid module format',
      'rmmod: ERROR: Module nothere is not currently loaded',
      '',
    ].join('\n'));
  });
});
