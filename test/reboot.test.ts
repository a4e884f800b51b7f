// Rebooting: reboot/halt/poweroff/shutdown with sysvinit's sequence and the kernel's last
// words, panic=N, the machine's reset button and power switch, and `driverlab sh` scripts
// that go on after the machine comes back (the next top-level command), in process and
// through the real CLI. Also init respawning a shell that SysRq killed.
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runSh, tempWorkspace } from './helpers/machine.js';
import { Machine } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { Ext2Fs, e2fsck, mke2fs } from '../emulator/kernel/fs/ext2/index.js';
import { MKDEV } from '../emulator/kernel/fs/types.js';

const CLI = path.resolve(import.meta.dirname, '../bin/driverlab.js');
const ts = String.raw`\[\s*\d+\.\d{6}\] `;

/** What a reboot prints, from the wall message to the kernel's line. */
function rebootLines(kernelLine: string, how = 'for reboot', level = '6', last = 'Will now restart.'): string {
  return [
    '',
    'Broadcast message from root@driverlab \\(console\\) \\(Wed Jan 15 10:30:\\d\\d 2025\\):',
    '',
    `The system is going down ${how} NOW!`,
    `INIT: Switching to runlevel: ${level}`,
    'INIT: Sending processes the TERM signal',
    'Sending all processes the TERM signal\\.\\.\\.done\\.',
    'Sending all processes the KILL signal\\.\\.\\.done\\.',
    'Unmounting local filesystems\\.\\.\\.done\\.',
    last.replace(/\./g, '\\.'),
    `${ts}${kernelLine}`,
  ].join('\n');
}

describe('reboot and friends', () => {
  it('sudo reboot: the shutdown sequence, the kernel restarts, the script goes on and ends with its last status', async () => {
    const r = await runSh('echo a; sudo reboot; echo b; false');
    expect(r.output).toMatch(new RegExp(`^a\n${rebootLines('reboot: Restarting system')}\nb\n$`));
    expect(r.status).toBe(1);
  });

  it('2.2 says "Restarting system." as its sys_reboot did', async () => {
    const r = await runSh('sudo shutdown -r now; uname -r', { config: { personality: '2.2' } });
    expect(r.output).toMatch(new RegExp(`^${rebootLines('Restarting system\\.')}\n2\\.2\\.26-driverlab\n$`));
  });

  it('the new boot is a new machine: variables and /tmp are gone, /home/lab is kept, uptime starts again', async () => {
    const r = await runSh('X=1; echo kept > kept.txt; echo lost > /tmp/lost.txt; sleep 5; sudo reboot -f\necho "X=$X"; cat kept.txt; cat /tmp/lost.txt; cat /proc/uptime');
    expect(r.output).toMatch(/^\[\s*5\.\d{6}\] reboot: Restarting system\nX=\nkept\ncat: \/tmp\/lost\.txt: No such file or directory\n0\.\d\d /);
  });

  it('halt, poweroff and shutdown -h stop the machine: the script ends there, with status 0', async () => {
    const halt = await runSh('sudo halt; echo never');
    expect(halt.output).toMatch(new RegExp(`^${rebootLines('reboot: System halted', 'for system halt', '0', 'Will now halt.')}\n$`));
    expect(halt.status).toBe(0);
    const off = await runSh('sudo poweroff -f; echo never');
    expect(off.output).toMatch(/^\[\s*\d+\.\d{6}\] reboot: Power down\n$/);
    const shutdown = await runSh('sudo shutdown -h now; echo never', { config: { personality: '2.2' } });
    expect(shutdown.output).toMatch(new RegExp(`^${rebootLines('Power down\\.', 'for system halt', '0', 'Will now halt.')}\n$`));
  });

  it('only root may: each tool says so as sysvinit\'s does', async () => {
    const r = await runSh('reboot; halt; poweroff; shutdown -r now; echo $?');
    expect(r.output).toBe('reboot: must be superuser.\nhalt: must be superuser.\npoweroff: must be superuser.\nshutdown: you must be root to do that!\n1\n');
  });

  it('shutdown +m warns, waits m minutes of virtual time, then goes down', async () => {
    const r = await runSh('sudo shutdown -r +2 "new kernel"\ncat /proc/uptime');
    expect(r.output).toMatch(/The system is going down for reboot in 2 minutes!\nnew kernel\n\nBroadcast message from root@driverlab \(console\) \(Wed Jan 15 10:32:\d\d 2025\):\n\nThe system is going down for reboot NOW!\nnew kernel\n/);
    expect(r.output).toMatch(/\[\s*12\d\.\d{6}\] reboot: Restarting system\n0\.\d\d /);
  });

  it('shutdown without a time shows its usage', async () => {
    const r = await runSh('sudo shutdown -r; echo $?');
    expect(r.output).toMatch(/^Usage:\t {2}shutdown \[-akrhPHfnc\] \[-t secs\] time \[warning message\]\n[^]*\(try "now"\) \*\*\n1\n$/);
  });
});

describe('scripts across resets', () => {
  it('SysRq-B from /proc/sysrq-trigger resets at once; the script goes on', async () => {
    const r = await runSh('echo a; echo b | sudo tee /proc/sysrq-trigger; echo after');
    expect(r.output).toMatch(/^a\nb\n\[\s*\d+\.\d{6}\] sysrq: Resetting\nafter\n$/);
    expect(r.status).toBe(0);
  });

  it('a panic with panic=5 reboots 5 seconds later (virtual time), and the script goes on', async () => {
    let firstClock: Machine['clock'] | undefined;
    const r = await runSh('sleep 1; echo c | sudo tee /proc/sysrq-trigger >/dev/null\necho back', {
      config: { cmdline: 'panic=5' }, prepare: (m) => { firstClock = m.clock; },
    });
    // dump_stack() of the writer comes between the panic line and the reboot notice.
    expect(r.output).toMatch(new RegExp(`^${ts}sysrq: Trigger a crash\n${ts}Kernel panic - not syncing: sysrq triggered crash\n(?:${ts}.*\n)*${ts}Rebooting in 5 seconds\\.\\.\nback\n$`));
    const panicAt = Number(/\[\s*(\d+\.\d+)\] Kernel panic/.exec(r.output)![1]);
    expect(firstClock!.now / 1e9).toBeCloseTo(panicAt + 5, 3);
  });

  it('a panic without panic=N halts for good: the script ends, as if killed', async () => {
    const r = await runSh('echo c | sudo tee /proc/sysrq-trigger >/dev/null\necho never');
    expect(r.output).not.toContain('never');
    expect(r.status).toBe(137);
  });

  it('the reset button and a power cycle, in the middle of a command: the script goes on with the next one', async () => {
    const reset = await runSh('sleep 10 && echo never\necho after the reset', { prepare: (m) => m.clock.schedule(2e9, () => m.pressReset()) });
    expect(reset.output).toBe('after the reset\n');
    const cycle = await runSh('sleep 10 && echo never\necho after the power cycle; cat /proc/uptime', { prepare: (m) => m.clock.schedule(2e9, () => m.powerCycle()) });
    expect(cycle.output).toMatch(/^after the power cycle\n0\.\d\d /);
  });

  it('the power switch off ends the script', async () => {
    const r = await runSh('sleep 10 && echo never\necho never', { prepare: (m) => m.clock.schedule(2e9, () => m.powerOff()) });
    expect(r.output).toBe('');
    expect(r.status).toBe(137);
  });

  it('sleep waits for a reboot something else brings: the script goes on after it on the new boot', async () => {
    const r = await runSh('(sleep 2; echo b | sudo tee /proc/sysrq-trigger >/dev/null) &\nsleep 60 && echo "no reboot came"\necho rebooted at $(cat /proc/uptime)');
    expect(r.output).toMatch(/sysrq: Resetting\nrebooted at 0\.\d\d /);
    expect(r.output).not.toContain('no reboot came');
  });

  it('a script ending in a reboot ends once the machine is back, with status 0', async () => {
    const r = await runSh('echo b | sudo tee /proc/sysrq-trigger >/dev/null');
    expect(r.output).toMatch(/sysrq: Resetting\n$/);
    expect(r.status).toBe(0);
  });

  it('driverlab sh: the reboot messages, then the next command; boot messages only with --show-boot', () => {
    const ws = tempWorkspace();
    const quiet = spawnSync(process.execPath, [CLI, 'sh', '-c', 'echo a; sudo reboot; echo b; exit 3'], { cwd: ws, encoding: 'utf8', timeout: 120_000 });
    expect(quiet.stdout).toMatch(new RegExp(`^a\n${rebootLines('reboot: Restarting system')}\nb\n$`));
    expect(quiet.status).toBe(3);
    const shown = spawnSync(process.execPath, [CLI, 'sh', '--show-boot', '-c', 'echo a; sudo reboot; echo b'], { cwd: ws, encoding: 'utf8', timeout: 120_000 });
    expect(shown.stdout.match(/Linux version 6\.8\.0-driverlab/g)).toHaveLength(2);
    // After the kernel's last words, the power-on: the BIOS, LILO, then the kernel again.
    expect(shown.stdout).toMatch(/reboot: Restarting system\nDriverLab Virtual PC BIOS[^]*\nLILO Loading linux\.+\nDecompressing Linux[^]*\n\[\s*0\.000000\] Linux version 6\.8\.0-driverlab[^]*\nb\n$/);
  });
});

describe('init respawns the console shell', () => {
  /** An interactive machine (a login shell on the console) with input typed and keys pressed at virtual times (seconds). */
  async function interactive(events: [number, (m: Machine) => void][], personality: 'modern' | '2.2' = '2.2') {
    let out = '';
    const m = new Machine(createNodeHost({ workspace: tempWorkspace() }), { personality, showBoot: false }, (t) => { out += t; });
    m.boot();
    // Seconds after the boot (the 2.2 machine's LILO has waited at its prompt before the kernel started).
    for (const [t, act] of events) m.clock.schedule(m.clock.now + t * 1e9, () => act(m));
    const status = await m.runShell();
    return { status, output: out.replace(/\r\n/g, '\n') };
  }
  const PROMPT = 'user@driverlab:/home/lab$ ';

  it('SysRq-I kills the login shell too: init starts a new one, as a getty would', async () => {
    const r = await interactive([[1, (m) => m.input('sleep 100\n')], [2, (m) => m.sysrq('i')], [3, (m) => m.input('echo back; exit 4\n')]]);
    expect(r.output).toMatch(new RegExp(`^${PROMPT.replace('$', '\\$')}sleep 100\n${ts}SysRq: Kill All Tasks\n${PROMPT.replace('$', '\\$')}echo back; exit 4\nback\n$`));
    expect(r.status).toBe(4);
  });

  it('SysRq-E ends the foreground command; the interactive shell ignores SIGTERM, as bash does', async () => {
    const r = await interactive([[1, (m) => m.input('sleep 100\n')], [2, (m) => m.sysrq('e')], [3, (m) => m.input('echo still here; exit\n')]]);
    expect(r.output).toMatch(/sleep 100\n\[\s*2\.\d+\] SysRq: Terminate All Tasks\nTerminated\nuser@driverlab:\/home\/lab\$ echo still here; exit\nstill here\n$/);
  });

  it('a machine that panicked waits for the reset button in an interactive session, then boots a new shell', async () => {
    const r = await interactive([
      [1, (m) => m.input('echo 1 | sudo tee /proc/sys/kernel/sysrq >/dev/null\n')],
      [2, (m) => {
        m.sysrq('c');
        // The panicked machine's clock stands still: the button is pressed from outside, later.
        setTimeout(() => m.pressReset(), 50);
        m.onReboot = () => m.clock.schedule(1e9, () => m.input('exit\n'));
      }],
    ], 'modern');
    expect(r.output).toContain(`---[ end Kernel panic - not syncing: sysrq triggered crash ]---\n\n[driverlab] The machine has stopped; reset it to start it again.\n${PROMPT}exit\n`);
    expect(r.status).toBe(0);
  });
});

describe('file systems on the disk: SysRq-U, reboot and a reset (ext2 on hda1, mounted at /mnt)', () => {
  /** mke2fs on the disk and a mount at /mnt, as the boot scripts would do it. */
  const mountExt2 = (m: Machine) => {
    const k = m.kernel;
    const io = k.block.blockIo('hda1');
    mke2fs(io, { now: Math.floor(k.wallTimeNs() / 1e9) });
    io.sync();
    const fs = new Ext2Fs(io, k.fsctx, (msg) => k.printk(msg), MKDEV(3, 1), { deviceName: 'hda1' });
    k.mkdirp('/mnt');
    k.vfs.mount('/mnt', fs.root, '/dev/hda1', 'rw,relatime');
  };
  /** e2fsck -n of hda1 as the machine's disk has it now (after the script: a new boot, nothing mounted). */
  const fsck = (m: Machine) => e2fsck(m.kernel.block.blockIo('hda1'), { mode: 'no', deviceName: '/dev/hda1', now: Math.floor(m.kernel.wallTimeNs() / 1e9) }).output;

  it('SysRq-U remounts it read-only, syncing first: after SysRq-B the file system is clean and has the file', async () => {
    const r = await runSh('echo kept | sudo tee /mnt/f >/dev/null; sudo sh -c "echo u > /proc/sysrq-trigger"; sleep 0.1; grep hda1 /proc/mounts; echo more | sudo tee /mnt/g; sudo sh -c "echo b > /proc/sysrq-trigger"', { prepare: mountExt2, config: { rescue: true } });
    expect(r.output).toMatch(/^\[\s*\d+\.\d{6}\] sysrq: Emergency Remount R\/O\n\/dev\/hda1 \/mnt ext2 ro,relatime 0 0\ntee: \/mnt\/g: Read-only file system\n/);
    expect(fsck(r.machine)).toMatch(/\/dev\/hda1: clean, 12\/\d+ files/);
  });

  it('without it, SysRq-B leaves the file system not cleanly unmounted', async () => {
    const r = await runSh('echo lost | sudo tee /mnt/f >/dev/null; sudo sh -c "echo b > /proc/sysrq-trigger"', { prepare: mountExt2, config: { rescue: true } });
    expect(fsck(r.machine)).not.toContain('clean,');
  });

  it('reboot syncs and unmounts: the file system is clean and has the file', async () => {
    const r = await runSh('echo kept | sudo tee /mnt/f >/dev/null; sudo reboot', { prepare: mountExt2, config: { rescue: true } });
    expect(fsck(r.machine)).toMatch(/\/dev\/hda1: clean, 12\/\d+ files/);
  });
});
