// Magic SysRq (emulator/kernel/sysrq.ts): every key of both personalities with Linux's words,
// from /proc/sysrq-trigger and from the keyboard (Alt+SysRq+key through the i8042 and IRQ 1),
// the kernel.sysrq mask that gates the keyboard only, the task dumps with their kernel
// stacks (a driver function named in a D-state task's trace), and SysRq during lockups.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';
import type { Machine } from '../emulator/machine.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const makefile = (obj: string) => `obj-m += ${obj}.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n`;

const HELP_MODERN = 'sysrq: HELP : loglevel(0-9) reboot(b) crash(c) terminate-all-tasks(e) memory-full-oom-kill(f) kill-all-tasks(i) '
  + 'thaw-filesystems(j) sak(k) show-backtrace-all-active-cpus(l) show-memory-usage(m) nice-all-RT-tasks(n) poweroff(o) '
  + 'show-registers(p) show-all-timers(q) unraw(r) sync(s) show-task-states(t) unmount(u) force-fb(v) show-blocked-tasks(w) '
  + 'dump-ftrace-buffer(z) replay-kernel-logs(R) ';
const HELP_22 = 'SysRq: unRaw saK Boot Off Sync Unmount showPc showTasks showMem loglevel0-8 tErm kIll killalL';

/** dmesg's lines without their timestamps. */
const messages = (dmesg: string) => dmesg.split('\n').map((l) => l.replace(/^\[\s*\d+\.\d{6}\] /, ''));

/** Alt+SysRq+key at virtual time `t` seconds, for each entry. */
const pressKeys = (keys: [number, string][]) => (m: Machine) => {
  // Kernel time, as dmesg counts it (the 2.2 machine's LILO waits five seconds before the kernel starts).
  for (const [t, key] of keys) m.clock.schedule(m.kernel.bootNs + t * 1e9, () => m.sysrq(key), `test: Alt+SysRq+${key}`);
};

describe('SysRq from /proc/sysrq-trigger (modern)', () => {
  it('h and any key without an action print the HELP line, with pr_cont\'s trailing space', async () => {
    const r = await runSh('echo h | sudo tee /proc/sysrq-trigger >/dev/null; echo x | sudo tee /proc/sysrq-trigger >/dev/null; dmesg | grep HELP');
    // On the console whatever its loglevel (SysRq's positive feedback), then in dmesg.
    expect(messages(r.output).filter(Boolean)).toEqual([HELP_MODERN, HELP_MODERN, HELP_MODERN, HELP_MODERN]);
  });

  it('every key says what it does, in the kernel\'s words; e, i and k kill the shell, which init starts again on the next command', async () => {
    const keys = ['5', 'e', 'f', 'i', 'j', 'k', 'l', 'm', 'n', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'z', 'R'];
    const script = keys.map((k) => `sudo sh -c 'echo ${k} > /proc/sysrq-trigger'; sleep 0.1`).join('\n') + '\ndmesg | grep -E "^\\[ *[0-9.]+\\] (sysrq: [A-Z]|Emergency|Loglevel)"';
    const r = await runSh(script);
    const lines = messages(r.output.slice(r.output.lastIndexOf('sysrq: Changing Loglevel') - 15)).filter((l) => /^(sysrq: [A-Z]|Emergency)/.test(l));
    expect(lines).toEqual([
      'sysrq: Changing Loglevel', 'sysrq: Loglevel set to 5',
      'sysrq: Terminate All Tasks',
      'sysrq: Manual OOM execution',
      'sysrq: Kill All Tasks',
      'sysrq: Emergency Thaw of all frozen filesystems', 'Emergency Thaw complete',
      'sysrq: SAK',
      'sysrq: Show backtrace of all active CPUs',
      'sysrq: Show Memory',
      'sysrq: Nice All RT Tasks',
      'sysrq: Show Regs',
      'sysrq: Show clockevent devices & pending hrtimers (no others)',
      'sysrq: Keyboard mode set to system default',
      'sysrq: Emergency Sync', 'Emergency Sync complete',
      'sysrq: Show State',
      'sysrq: Emergency Remount R/O', 'Emergency Remount complete',
      'sysrq: Restore framebuffer console',
      'sysrq: Show Blocked State',
      'sysrq: Dump ftrace buffer',
      'sysrq: Replay kernel logs on consoles',
    ]);
    expect(r.status).toBe(0);
  });

  it('m shows memory, q the timers, z the empty ftrace buffer, l each CPU', async () => {
    const r = await runSh('for k in m q z l; do echo $k | sudo tee /proc/sysrq-trigger >/dev/null; done; dmesg');
    const out = messages(r.output).join('\n');
    expect(out).toMatch(/Mem-Info:\nactive_anon:\d+ inactive_anon:0 isolated_anon:0\n[^]*\n\d+ pages RAM\n0 pages HighMem\/MovableOnly\n\d+ pages reserved/);
    expect(out).toContain('Timer List Version: v0.9\nHRTIMER_MAX_CLOCK_BASES: 8\nnow at ');
    expect(out).toContain('Clock Event Device: pit');
    expect(out).toContain('Dumping ftrace buffer:\n   (ftrace buffer empty)');
    expect(out).toMatch(/NMI backtrace for cpu (\d)\nCPU: \1 PID: \d+ Comm: tee Not tainted 6\.8\.0-driverlab #1\nHardware name: DriverLab Virtual PC[^\n]*\nCall Trace:\n <TASK>\n dump_stack_lvl\n/);
    expect(out).toMatch(/Sending NMI from CPU \d to CPUs \d:\nNMI backtrace for cpu \d skipped: idling at default_idle/);
  });

  it('only root may trigger; without a leading _ only the first character counts; 0-9 set the console loglevel', async () => {
    const r = await runSh('echo t > /proc/sysrq-trigger; echo 37 | sudo tee /proc/sysrq-trigger >/dev/null; cat /proc/sys/kernel/printk; dmesg | grep -c "sysrq: Show State"');
    expect(messages(r.output)).toEqual(['sh: /proc/sysrq-trigger: Permission denied', 'sysrq: Changing Loglevel', 'sysrq: Loglevel set to 3', '3\t4\t1\t7', '0', '']);
  });

  it('_ runs every character: _reisub terminates, kills, syncs, remounts and reboots, and the script goes on', async () => {
    const r = await runSh('echo _reisub | sudo tee /proc/sysrq-trigger >/dev/null\necho back; dmesg | grep -c sysrq');
    // e and i killed the script's shell too; b reset the machine: a new boot, whose log has no SysRq in it.
    expect(messages(r.output).filter((l) => l.startsWith('sysrq: ') || /^\w+$/.test(l))).toEqual([
      'sysrq: Keyboard mode set to system default', 'sysrq: Terminate All Tasks', 'sysrq: Kill All Tasks', 'sysrq: Emergency Sync',
      'sysrq: Emergency Remount R/O', 'sysrq: Resetting', 'back', '0',
    ]);
  });

  it('e and i signal every process but init (and kernel threads); the shell init runs comes back', async () => {
    const r = await runSh('sleep 100 & sleep 0.1; sudo sh -c "echo i > /proc/sysrq-trigger"\nps -e -o pid,stat,comm');
    // init (pid 1) is still there; the old shell and the background sleep are gone; a new shell runs ps.
    // Kernel threads (the writeback workqueue's rescuer, with the root on the disk) are left alone too.
    expect(r.output).toMatch(/sysrq: Kill All Tasks\n {2}PID STAT COMMAND\n {4}1 Ss {3}init\n(?: {3,4}\d+ S {4}[\w/:-]+\n)* {3,4}\d+ S\+ {3}sh\n {3,4}\d+ R\+ {3}ps\n$/);
  });

  it('f kills the biggest process, as the OOM killer reports it', async () => {
    const hog = '#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>\nint main(void) { char *p = malloc(4 << 20); memset(p, 1, 4 << 20); sleep(100); return 0; }\n';
    const r = await runSh('gcc -o hog hog.c && (./hog & sleep 0.5; sudo sh -c "echo f > /proc/sysrq-trigger"; wait $!; echo "hog: $?"); dmesg | grep -E "oom|Out of memory"', { files: { 'hog.c': hog } });
    expect(r.output).toMatch(/hog: 137\n/);
    expect(r.output).toMatch(/kworker\/\d:\d+ invoked oom-killer: gfp_mask=0xcc0\(GFP_KERNEL\), order=-1, oom_score_adj=0\n/);
    expect(r.output).toMatch(/oom-kill:constraint=CONSTRAINT_NONE,nodemask=\(null\),cpuset=\/,mems_allowed=0,global_oom,task_memcg=\/,task=hog,pid=(\d+),uid=1000\n.*Out of memory: Killed process \1 \(hog\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:\d+kB oom_score_adj:0\n/);
  });

  it('c panics ("sysrq triggered crash"); o powers off, and the script ends there', async () => {
    const crash = await runSh('echo c | sudo tee /proc/sysrq-trigger >/dev/null; echo never');
    expect(crash.output).toMatch(/sysrq: Trigger a crash\n\[\s*\d+\.\d+\] Kernel panic - not syncing: sysrq triggered crash\n/);
    expect(crash.output).not.toContain('never');
    const off = await runSh('echo o | sudo tee /proc/sysrq-trigger >/dev/null; sleep 1; echo never');
    expect(off.output).toMatch(/sysrq: Power Off\n\[\s*\d+\.\d+\] reboot: Power down\n$/);
    expect(off.status).toBe(0);
  });
});

describe('task dumps (modern)', () => {
  const files = { 'blocker.c': fixture('blocker.c'), Makefile: makefile('blocker') };
  const SETUP = 'make -s && sudo insmod blocker.ko && sudo mknod /dev/blocker c 203 0 && sudo chmod 666 /dev/blocker';

  it('w lists the task blocked in D inside the driver, with the driver functions in its stack', async () => {
    const r = await runSh(`${SETUP}; cat /dev/blocker & sleep 0.1; echo w | sudo tee /proc/sysrq-trigger >/dev/null; echo x > /dev/blocker; wait; dmesg | grep -A12 'Show Blocked State'`, { files });
    const trace = messages(r.output).join('\n');
    expect(trace).toMatch(new RegExp([
      'sysrq: Show Blocked State',
      'task:cat {13}state:D stack:0 {5}pid:(\\d+) +tgid:\\1 +ppid:\\d+ +flags:0x00000000',
      'Call Trace:',
      ' <TASK>',
      ' __schedule',
      ' schedule',
      ' blocker_wait_for_data\\+0x[0-9a-f]+\\/0x[0-9a-f]+ \\[blocker\\] \\([^)\\n]+\\)',
      ' blocker_read\\+0x[0-9a-f]+\\/0x[0-9a-f]+ \\[blocker\\] \\([^)\\n]+\\)',
      ' vfs_read',
      ' ksys_read',
      ' do_syscall_64',
      ' entry_SYSCALL_64_after_hwframe',
      ' </TASK>',
    ].join('\n')));
    // Only the D task: the shell (S) and tee (R) are not in it.
    expect(trace).not.toMatch(/task:(sh|tee) /);
  });

  it('t lists every task with its state, and the reader still sleeps where it did after being looked at', async () => {
    const r = await runSh(`${SETUP}; cat /dev/blocker & sleep 0.1; ps -e -o pid,stat,comm > /tmp/ps; echo t | sudo tee /proc/sysrq-trigger >/dev/null; echo x > /dev/blocker; wait; echo "cat: $?"; cat /tmp/ps; dmesg | grep "task:"`, { files });
    expect(r.output).toContain('cat: 0\n');
    const ps = [...r.output.matchAll(/^ +(\d+) (\S)\S* +(\S+)$/gm)].map((m) => ({ pid: m[1], state: m[2], comm: m[3] }));
    const tasks = [...r.output.matchAll(/task:(\S+) +state:(\S)(?: {2}running task {4})? stack:0 +pid:(\d+) /g)].map((m) => ({ comm: m[1], state: m[2], pid: m[3] }));
    // Every process ps saw is in the dump with the same state (ps itself has exited; tee now runs).
    for (const p of ps.filter((x) => x.comm !== 'ps')) expect(tasks).toContainEqual({ pid: p.pid, state: p.state, comm: p.comm });
    expect(tasks.find((t) => t.comm === 'cat')?.state).toBe('D');
    expect(tasks.find((t) => t.comm === 'tee')?.state).toBe('R');
    expect(r.output).toMatch(/task:init +state:S stack:0 +pid:1 +tgid:1 +ppid:0 /);
  });
});

describe('SysRq from the keyboard (modern)', () => {
  it('t while one task spins in a driver and another sleeps in it: both stacks, and both go on unharmed', async () => {
    const files = { 'blocker.c': fixture('blocker.c'), Makefile: makefile('blocker') };
    const r = await runSh('echo 1 | sudo tee /proc/sys/kernel/sysrq >/dev/null; make -s && sudo insmod blocker.ko && sudo mknod /dev/blocker c 203 0 && sudo chmod 666 /dev/blocker; cat /dev/blocker & echo s > /dev/blocker & sleep 2; echo x > /dev/blocker; wait; echo "both done"; dmesg | grep -A34 "task:\\(cat\\|sh\\) .*state:[RD]"', {
      files, prepare: pressKeys([[1, 't'], [1.0001, 't']]),
    });
    expect(r.output).toContain('both done\n');
    const dump = messages(r.output).join('\n');
    // The reader, asleep in the driver (its C frames read back while the spinner ran code of the same module).
    expect(dump).toMatch(/task:cat {13}state:D[^\n]*\nCall Trace:\n <TASK>\n __schedule\n schedule\n blocker_wait_for_data\+0x[0-9a-f]+\/0x[0-9a-f]+ \[blocker\] \([^)\n]+\)\n blocker_read\+0x[0-9a-f]+\/0x[0-9a-f]+ \[blocker\] \([^)\n]+\)\n vfs_read\n/);
    // The writer, spinning in blocker_write (the subshell that runs echo).
    expect(dump).toMatch(/task:sh {14}state:R {2}running task[^\n]*\nCall Trace:\n(?: <IRQ>\n(?: \S+\n)+ <\/IRQ>\n)? <TASK>\n(?: \S+\n)*? blocker_write\+0x[0-9a-f]+\/0x[0-9a-f]+ \[blocker\] \([^)\n]+\)\n vfs_write\n/);
  });

  it('by default (Debian\'s kernel.sysrq = 438) sync works from the keyboard and the task dump is disabled', async () => {
    const r = await runSh('cat /proc/sys/kernel/sysrq; sleep 2; echo "-- dmesg:"; dmesg | grep -E "sysrq|Emergency"', { prepare: pressKeys([[0.5, 's'], [1, 't']]) });
    expect(messages(r.output)).toEqual([
      '438',
      // The console shows SysRq's headers whatever its loglevel; the rest is in the log.
      'sysrq: Emergency Sync', 'sysrq: This sysrq operation is disabled.',
      '-- dmesg:', 'sysrq: Emergency Sync', 'Emergency Sync complete', 'sysrq: This sysrq operation is disabled.', '',
    ]);
  });

  it('with kernel.sysrq = 0x10 the keyboard\'s s works and b is ignored, while /proc/sysrq-trigger still runs both', async () => {
    const r = await runSh('echo 0x10 | sudo tee /proc/sys/kernel/sysrq; sleep 2; sudo sh -c "echo s > /proc/sysrq-trigger"; sleep 0.1; dmesg | grep -E "sysrq|Emergency"; sudo sh -c "echo b > /proc/sysrq-trigger"\necho after the reset', { prepare: pressKeys([[0.5, 's'], [1, 'b']]) });
    expect(messages(r.output)).toEqual([
      '0x10',
      'sysrq: Emergency Sync', 'sysrq: This sysrq operation is disabled.', 'sysrq: Emergency Sync',
      'sysrq: Emergency Sync', 'Emergency Sync complete', 'sysrq: This sysrq operation is disabled.', 'sysrq: Emergency Sync', 'Emergency Sync complete',
      'sysrq: Resetting', 'after the reset', '',
    ]);
  });

  it('with kernel.sysrq = 0 the keyboard\'s SysRq does nothing', async () => {
    const r = await runSh('echo 0 | sudo tee /proc/sys/kernel/sysrq >/dev/null; sleep 2; dmesg | grep -c -i sysrq; echo still here', { prepare: pressKeys([[0.5, 's'], [1, 'b'], [1.5, 'h']]) });
    // The keys are ordinary Alt+keys then: the console gets them with the Meta escape prefix (and echoes them).
    expect(r.output).toBe('\x1bs\x1bb\x1bh0\nstill here\n');
  });

  it('Alt+Shift+SysRq+R is R (replay the log), not r (unraw)', async () => {
    const r = await runSh('echo 1 | sudo tee /proc/sys/kernel/sysrq >/dev/null; sleep 1; dmesg | grep sysrq:', { prepare: pressKeys([[0.5, 'R'], [0.6, 'r']]) });
    expect(messages(r.output)).toContain('sysrq: Replay kernel logs on consoles');
    expect(messages(r.output)).toContain('sysrq: Keyboard mode set to system default');
  });

  it('works during a soft lockup: t shows the spinning driver function, b resets the machine and the script goes on', async () => {
    const files = { 'spin.c': fixture('spin.c'), Makefile: makefile('spin') };
    const r = await runSh('echo 1 | sudo tee /proc/sys/kernel/sysrq >/dev/null; make -s && sudo insmod spin.ko && sudo mknod /dev/spin c 202 0 && sudo chmod 666 /dev/spin; cat /dev/spin & sleep 27; dmesg > dmesg.txt; sleep 10\necho back', {
      files, prepare: pressKeys([[25, 't'], [26, 's'], [30, 'b']]),
    });
    expect(r.output).toMatch(/watchdog: BUG: soft lockup - CPU#\d stuck for \d+s! \[cat:\d+\]/);
    expect(r.output).toMatch(/sysrq: Resetting\nback\n$/);
    const dmesg = messages(fs.readFileSync(path.join(r.workspace, 'dmesg.txt'), 'utf8')).join('\n');
    expect(dmesg).toMatch(/task:cat {13}state:R {2}running task {5}stack:0[^\n]*\nCall Trace:\n(?: <IRQ>\n(?: \S+\n)+ <\/IRQ>\n)? <TASK>\n(?: \S+\n)*? spin_read\+0x[0-9a-f]+\/0x[0-9a-f]+ \[spin\] \([^)\n]+\)\n vfs_read\n/);
    expect(dmesg).toContain('sysrq: Emergency Sync\nEmergency Sync complete');
  });

  it('p shows where the keyboard interrupted the CPU: the driver function, its C stack pointer, interrupts on', async () => {
    const files = { 'spin.c': fixture('spin.c'), Makefile: makefile('spin') };
    const r = await runSh('echo 1 | sudo tee /proc/sys/kernel/sysrq >/dev/null; make -s && sudo insmod spin.ko && sudo mknod /dev/spin c 202 0 && sudo chmod 666 /dev/spin; cat /dev/spin & sleep 5; dmesg | grep -A4 "Show Regs"', {
      files, config: { seed: 3 }, prepare: pressKeys([[3, 'p'], [3.001, 'p'], [3.002, 'p'], [3.003, 'p']]),
    });
    expect(r.output).toMatch(/sysrq: Show Regs\n[^\n]*CPU: \d PID: \d+ Comm: cat Tainted: G {11}O {7}6\.8\.0-driverlab #1\n[^\n]*Hardware name: [^\n]*\n[^\n]*RIP: 0010:spin_read\+0x[0-9a-f]+\/0x[0-9a-f]+ \[spin\] \([^)\n]+\)\n[^\n]*RSP: 0018:[0-9a-f]{16} EFLAGS: 00000202\n/);
  });
});

describe('SysRq in the 2.2 personality (the 1998 article\'s keys)', () => {
  const config = { personality: '2.2' as const };

  it('has no /proc/sysrq-trigger, and kernel.sysrq is an on/off switch, on at boot', async () => {
    const r = await runSh('ls /proc/sysrq-trigger; cat /proc/sys/kernel/sysrq; echo 438 | sudo tee /proc/sys/kernel/sysrq >/dev/null; cat /proc/sys/kernel/sysrq', { config });
    expect(r.output).toBe("ls: cannot access '/proc/sysrq-trigger': No such file or directory\n1\n1\n");
  });

  it('every key of 2.2\'s drivers/char/sysrq.c, in its words, from the keyboard', async () => {
    const keys: [number, string][] = [[0.5, 'r'], [1, 'k'], [1.5, 's'], [2, 'u'], [2.5, 'p'], [3, 't'], [3.5, 'm'], [4, '7'], [4.5, 'e'], [5, 'i'], [5.5, 'x']];
    const r = await runSh('sleep 1; sleep 1; sleep 1; sleep 1; sleep 1; sleep 1; sleep 1; sleep 1; sleep 1; sleep 1; sleep 1; sleep 1\necho "-- dmesg"; dmesg | grep -E "SysRq|] Done|Mem-info|  task"', { config, prepare: pressKeys(keys) });
    // 2.2 printed the dumps at the default level: they were on the console too. The log has it all.
    const lines = messages(r.output.slice(r.output.indexOf('-- dmesg\n') + 9)).filter(Boolean);
    expect(lines).toEqual([
      'SysRq: Keyboard mode set to XLATE',
      'SysRq: SAK',
      'SysRq: Emergency Sync', 'Done.',
      'SysRq: Emergency Remount R/O', 'Done.',
      'SysRq: Show Regs',
      'SysRq: Show State', '  task             PC    stack   pid father child younger older',
      'SysRq: Show Memory', 'Mem-info:',
      'SysRq: Log level set to 7',
      'SysRq: Terminate All Tasks',
      'SysRq: Kill All Tasks',
      HELP_22,
    ]);
  });

  it('t is 2.2\'s table: slot, state, saved PC, free stack, pid, father, family, and the signals', async () => {
    const r = await runSh('sleep 2', { config, prepare: pressKeys([[1, 't']]) });
    // The idle CPU took the key: no task is "current".
    expect(messages(r.output).join('\n')).toBe([
      'SysRq: Show State',
      '',
      '                         free                        sibling',
      '  task             PC    stack   pid father child younger older',
      'init       1 S C0111F4E  6416     1      0     4        ',
      '   sig: 0 0000000000000000 0000000000000000 : X',
      // The root file system is on the disk: bdflush and kupdate started with it, as on a real 2.2.
      'kflushd    2 S C0111F4E  6416     2      0              ',
      '   sig: 0 0000000000000000 0000000000000000 : X',
      'kupdate    3 S C0111F4E  6416     3      0              ',
      '   sig: 0 0000000000000000 0000000000000000 : X',
      'sh         4 S C0111F4E  6416     4      1     5        ',
      '   sig: 0 0000000000000000 0000000000000000 : X',
      'sleep      5 S C0111F4E  6416     5      4              ',
      '   sig: 0 0000000000000000 0000000000000000 : X',
      '',
    ].join('\n'));
  });

  it('b resets at once; o powers off; l kills even init', async () => {
    const reset = await runSh('sleep 2 && echo never\necho after', { config, prepare: pressKeys([[1, 'b']]) });
    expect(reset.output).toMatch(/^\[\s*1\.\d+\] SysRq: Resetting\nafter\n$/);
    const off = await runSh('sleep 2 && echo never; echo never', { config, prepare: pressKeys([[1, 'o']]) });
    expect(off.output).toMatch(/^\[\s*1\.\d+\] SysRq: Power off\n$/);
    const all = await runSh('sleep 2 && echo never; echo never', { config, prepare: pressKeys([[1, 'l']]) });
    expect(all.output).toMatch(/^\[\s*1\.\d+\] SysRq: Kill ALL Tasks \(even init\)\n$/);
    expect(all.status).toBe(137);
  });

  it('the article\'s sequence s, e, i, u, b: synced, every process killed, remounted read-only, rebooted', async () => {
    // e and i kill the script's shell too: init starts it again on the next command each time.
    const r = await runSh('sleep 100 &\nsleep 20\nsleep 20\nsleep 2\ndmesg > dmesg.txt\nsleep 20\necho back; uname -r', {
      config, prepare: pressKeys([[5, 's'], [6, 'e'], [7, 'i'], [8, 'u'], [12, 'b']]),
    });
    // After e and i the console shows every message (2.2 set loglevel 8: "we probably have killed syslogd").
    expect(messages(r.output).filter(Boolean)).toEqual([
      'SysRq: Emergency Sync', 'SysRq: Terminate All Tasks', 'SysRq: Kill All Tasks', 'SysRq: Emergency Remount R/O',
      // The root on hda1, remounted read-only (2.2's go_sync() names each device at KERN_INFO).
      'Remounting device 03:01 ... OK', 'Done.', 'SysRq: Resetting',
      'back', '2.2.26-driverlab',
    ]);
    // bdflush did the sync and the remount in process context, saying "Done." each time (in the log).
    const log = messages(fs.readFileSync(path.join(r.workspace, 'dmesg.txt'), 'utf8')).filter((l) => /SysRq|^Done/.test(l));
    expect(log).toEqual(['SysRq: Emergency Sync', 'Done.', 'SysRq: Terminate All Tasks', 'SysRq: Kill All Tasks', 'SysRq: Emergency Remount R/O', 'Done.']);
  });

  it('during a kernel stall the keys are heard, but bdflush never runs to sync (2.2 has no kernel preemption): only b helps', async () => {
    const files = { 'stall.c': fixture('stall22.c'), Makefile: makefile('stall') };
    const r = await runSh('make -s && (sudo insmod stall.ko &); sleep 2\necho back; uname -r', {
      files, config, prepare: pressKeys([[10, 's'], [11, 'e'], [12, 'i'], [13, 'u'], [14, 'b']]),
    });
    expect(messages(r.output).filter(Boolean)).toEqual([
      'SysRq: Emergency Sync',
      'SysRq: Terminate All Tasks',
      'SysRq: Kill All Tasks',
      'SysRq: Emergency Remount R/O',
      'SysRq: Resetting',
      'back', '2.2.26-driverlab',
    ]);
  });

  it('a hard lockup (interrupts off on the only CPU) takes no key at all: only the reset button helps', async () => {
    const files = { 'hardlock.c': fixture('hardlock22.c'), Makefile: makefile('hardlock') };
    const r = await runSh('make -s && (sudo insmod hardlock.ko &); sleep 2\necho back after $(cat /proc/uptime)', {
      files, config, prepare: (m) => { pressKeys([[10, 'b'], [11, 's']])(m); m.clock.schedule(m.kernel.bootNs + 20e9, () => m.pressReset(), 'test: reset button'); },
    });
    expect(r.output).not.toContain('SysRq');
    expect(r.output).toMatch(/^back after 0\.\d\d /);
  });
});
