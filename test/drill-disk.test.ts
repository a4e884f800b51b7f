// Step 5's done-when, end to end on a machine whose root file system is ext2 on its hard disk:
// notes written under /home/user and not synced, a driver that leaves a task in D forever, and
// the recovery. SysRq s, u, b keeps the notes and the next boot's fsck finds the file system
// clean; b alone loses them and the next boot's fsck is forced. A hard lockup takes no SysRq key:
// only the reset button helps, and what was dirty is gone.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Machine } from '../emulator/machine.js';
import { runSh } from './helpers/machine.js';
import { checkDisk, readDiskText } from '../emulator/disk-inspect.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const makefile = (obj: string) => `obj-m += ${obj}.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n`;

/**
 * Presses Alt+SysRq+`keys` on the machine's keyboard, one a second, once a task named `comm` has
 * been in D for a second (whenever the script gets there: building the module takes what it takes).
 */
function onceStuck(comm: string, keys: string[]) {
  return (m: Machine) => {
    let stuckSince: number | undefined;
    const poll = () => {
      const stuck = [...m.kernel.tasks.values()].some((t) => t.comm === comm && t.state === 'D');
      if (stuck) stuckSince ??= m.clock.now;
      if (stuckSince !== undefined && m.clock.now - stuckSince >= 1e9) {
        keys.forEach((key, i) => m.clock.schedule(m.clock.now + i * 1e9, () => m.sysrq(key), `test: Alt+SysRq+${key}`));
        return;
      }
      m.clock.schedule(m.clock.now + 100e6, poll, 'test: is it stuck yet?');
    };
    poll();
  };
}

describe('the sysrq-reisub drill: unsynced notes under /home/user, a task stuck in D (modern)', () => {
  const files = { 'blocker.c': fixture('blocker.c'), Makefile: makefile('blocker') };
  const script = [
    'make -s && sudo insmod blocker.ko && sudo mknod /dev/blocker c 203 0 && sudo chmod 666 /dev/blocker',
    'echo "notes from the lab" > /home/user/notes.txt',
    // The reader sleeps uninterruptibly in the driver: the shell is gone with it.
    'cat /dev/blocker',
    'echo "after the reboot:"; cat /home/user/notes.txt',
    'cat /var/log/fsck/checkroot',
  ].join('\n');

  it('SysRq s, u, b: after the reboot the notes are intact and fsck found the file system clean', async () => {
    const r = await runSh(script, { files, prepare: onceStuck('cat', ['s', 'u', 'b']) });
    expect(r.output).toMatch(/sysrq: Emergency Sync\n(.*\n)*.*sysrq: Emergency Remount R\/O\n(.*\n)*.*sysrq: Resetting\n/);
    expect(r.output).toContain('after the reboot:\nnotes from the lab\n');
    expect(r.machine.rootCheck).toMatchObject({ device: '/dev/hda1', exitCode: 0, clean: true });
    expect(r.output).toMatch(/\n\/dev\/hda1: clean, \d+\/\d+ files, \d+\/\d+ blocks\n/);
    expect(r.output).not.toContain('was not cleanly unmounted');
    // From outside, as a drill scores it: the notes are on the disk itself.
    expect(readDiskText(r.machine.config.disk, '/home/user/notes.txt')).toBe('notes from the lab\n');
  });

  it('SysRq b alone: the notes are lost, and the next boot\'s fsck is forced and says why', async () => {
    const r = await runSh(script, { files, prepare: onceStuck('cat', ['b']) });
    expect(r.output).toMatch(/after the reboot:\n(cat: \/home\/user\/notes\.txt: No such file or directory\n|\n)/);
    expect(r.output).not.toContain('notes from the lab');
    expect(r.machine.rootCheck?.clean).toBe(false);
    expect(r.machine.rootCheck?.output).toContain('/dev/hda1 was not cleanly unmounted, check forced.\n');
    expect(r.output).toContain('/dev/hda1 was not cleanly unmounted, check forced.\n');
    expect(readDiskText(r.machine.config.disk, '/home/user/notes.txt')).toBeUndefined();
    // Before the reboot's fsck, the disk as SysRq-B left it: not clean, and the notes never reached it.
    const before = await runSh(script, { files, prepare: (m) => { onceStuck('cat', ['b'])(m); m.onReboot = () => m.powerOff(); } });
    expect(checkDisk(before.machine.config.disk, { force: false }).output).toContain('/dev/hda1 was not cleanly unmounted, check forced.\n');
    expect(readDiskText(before.machine.config.disk, '/home/user/notes.txt')).toBeUndefined();
  });
});

describe('a hard lockup: `while (1) ;` with interrupts disabled on every CPU', () => {
  it('the keyboard\'s SysRq does nothing, the NMI watchdog reports it, only the reset button brings the machine back, and fsck runs', async () => {
    const files = { 'spin.c': fixture('spin.c'), Makefile: makefile('spin') };
    const r = await runSh([
      'make -s && sudo insmod spin.ko && sudo mknod /dev/spin c 202 0 && sudo chmod 666 /dev/spin',
      'echo "notes from the lab" > /home/user/notes.txt',
      // Writing spins with interrupts off: one writer per CPU, and no CPU takes an interrupt any more.
      'echo x > /dev/spin & echo x > /dev/spin',
      'echo "after the reset:"; cat /home/user/notes.txt',
    ].join('\n'), {
      files,
      prepare: (m) => {
        const poll = () => {
          if ([...m.kernel.tasks.values()].filter((t) => t.comm === 'sh' && t.state === 'R').length >= 2) {
            for (const [s, key] of [[2, 's'], [3, 'u'], [4, 'b']] as const) m.clock.schedule(m.clock.now + s * 1e9, () => m.sysrq(key), `test: Alt+SysRq+${key}`);
            m.clock.schedule(m.clock.now + 25e9, () => m.pressReset(), 'test: the reset button');
            return;
          }
          m.clock.schedule(m.clock.now + 100e6, poll, 'test: spinning yet?');
        };
        poll();
      },
    });
    expect(r.output).not.toContain('sysrq');
    expect(r.output).toMatch(/watchdog: Watchdog detected hard LOCKUP on cpu \d\n/);
    expect(r.output).toMatch(/after the reset:\n(cat: \/home\/user\/notes\.txt: No such file or directory\n|\n)/);
    expect(r.machine.rootCheck?.clean).toBe(false);
    expect(r.machine.rootCheck?.output).toContain('/dev/hda1 was not cleanly unmounted, check forced.\n');
  });
});
