// Power-on the 1998 way: the BIOS's self test, LILO and its prompt, /sbin/lilo writing the boot
// record that the next boot reads (and nothing else), reboot, and the kernel command line that
// results (/proc/cmdline, dmesg).
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Machine, type MachineConfig } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { tempWorkspace } from './helpers/machine.js';
import { newMemoryDisk } from '../emulator/disk.js';
import { panicSettings } from '../emulator/kernel/oops.js';

const CLI = path.resolve(import.meta.dirname, '../bin/driverlab.js');

/** A machine whose screen is kept whole (`all`) and from user space on (`user`, what `driverlab sh` prints). */
function machine(config: MachineConfig = {}) {
  const screen = { all: '', user: '' };
  const m: Machine = new Machine(createNodeHost({ workspace: tempWorkspace() }), config, (t) => {
    screen.all += t;
    if (!m.booting) screen.user += t;
  });
  /** Runs a script in the running machine; what it printed, and its status. */
  const sh = async (script: string) => {
    screen.user = '';
    const status = await m.runShell(script);
    return { status, output: screen.user.replace(/\r\n/g, '\n') };
  };
  return { m, screen, sh };
}

/** A here-document through sudo tee: how a script rewrites a file only root may write. */
const asRoot = (file: string, text: string) => `cat <<'EOF' | sudo tee ${file} >/dev/null\n${text}EOF\n`;

const CONF_WITH_APPEND = `boot=/dev/hda
map=/boot/map
install=/boot/boot.b
prompt
timeout=50
default=linux
image=/boot/vmlinuz
	label=linux
	root=/dev/hda1
	read-only
	append="my_device=0x200,5,0x300,7"
`;

describe('power-on', () => {
  it('shows the BIOS self test, LILO and the kernel, which driverlab sh keeps off its output unless --show-boot', () => {
    const cwd = tempWorkspace();
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'sh', ...args, '-c', 'echo user space'], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(run('--kernel', '2.2').stdout).toBe('user space\n');
    const shown = run('--kernel', '2.2', '--show-boot').stdout;
    expect(shown).toContain([
      'DriverLab Virtual PC BIOS v1.0, An Energy Star Ally',
      'Copyright (C) 1984-2025, DriverLab',
      '',
      'DriverLab Virtual (wasm32) CPU at 2385MHz',
      'Memory Test :  262144K OK',
      '',
      '   Detecting IDE Primary Master   ... DRIVERLAB HARDDISK',
      '   Detecting IDE Primary Slave    ... None',
      '   Detecting IDE Secondary Master ... None',
      '   Detecting IDE Secondary Slave  ... None',
      '',
      'Press DEL to enter SETUP',
    ].join('\n'));
    expect(shown).toMatch(/\nLILO boot: \nLoading linux\.+\nUncompressing Linux\.\.\. Ok, booting the kernel\.\n\[ +0\.000000\] Linux version 2\.2\.26-driverlab/);
    expect(shown).toContain('Kernel command line: BOOT_IMAGE=linux ro root=301\n');
    expect(shown.endsWith('user space\n')).toBe(true);
    // The modern machine's lilo.conf has no prompt: LILO goes straight on.
    expect(run('--show-boot').stdout).toMatch(/\nLILO Loading linux\.+\nDecompressing Linux\.\.\. Parsing ELF\.\.\. done\.\nBooting the kernel\.\n/);
  });

  it('waits timeout= tenths of a second at the prompt on the virtual clock; kernel time starts when the kernel does', async () => {
    const { m, sh } = machine({ personality: '2.2' });
    await m.boot();
    expect(m.kernel.bootNs).toBe(5_000_000_000);
    const r = await sh('dmesg | head -1; cat /proc/uptime');
    expect(r.output).toMatch(/^\[ {4}0\.000000\] Linux version/);
    expect(Number(r.output.split('\n')[1]!.split(' ')[0])).toBeLessThan(1);
  });
});

describe('the LILO boot: prompt', () => {
  it('boots a label with the words typed after it, for this boot only', async () => {
    const { m, screen, sh } = machine({ personality: '2.2' });
    m.input('linux my_device=0x300,7\r');
    await m.boot();
    m.endInput();
    expect(screen.all).toContain('LILO boot: linux my_device=0x300,7\r\nLoading linux');
    // Enter ended the wait: no timeout passed.
    expect(m.kernel.bootNs).toBe(0);
    let r = await sh('cat /proc/cmdline; dmesg | grep "Kernel command line"; sudo reboot');
    expect(r.output).toMatch(/^BOOT_IMAGE=linux ro root=301 my_device=0x300,7\n\[ +[0-9.]+\] Kernel command line: BOOT_IMAGE=linux ro root=301 my_device=0x300,7\n/);
    expect(r.output).toContain('Restarting system.');
    r = await sh('cat /proc/cmdline');
    expect(r.output).toBe('BOOT_IMAGE=linux ro root=301\n');
  });

  it('lists the labels on Tab, edits with Backspace, and refuses an unknown label as LILO does', async () => {
    const { m, screen } = machine({ personality: '2.2' });
    m.input('\tlinus\bz\r\t\r');
    await m.boot();
    expect(screen.all).toContain('LILO boot: \r\nlinux\r\nboot: linus\b \bz\r\nNo such image. [Tab] shows a list.\r\nboot: \r\nlinux\r\nboot: \r\nLoading linux');
    expect(m.kernel.cmdline).toBe('BOOT_IMAGE=linux ro root=301');
  });

  it('waits for keys in real time at a prompt, and boots what is typed', async () => {
    const { m, screen } = machine({ personality: '2.2', pacing: 'realtime' });
    let done = false;
    const booting = m.boot().then(() => { done = true; });
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    expect(screen.all.endsWith('LILO boot: ')).toBe(true);
    m.input('linux single\r');
    await booting;
    expect(m.kernel.cmdline).toBe('BOOT_IMAGE=linux ro root=301 single');
  });
});

describe('powering off at the prompt', () => {
  it('ends the wait and the machine, without a hang report', async () => {
    const { m, screen } = machine({ personality: '2.2', pacing: 'realtime' });
    const shell = m.runShell('echo never');
    await new Promise((r) => setTimeout(r, 50));
    m.stop();
    expect(await shell).toBe(130);
    expect(m.kernel.hungReason).toBeUndefined();
    expect(screen.all.endsWith('LILO boot: ')).toBe(true);
  });
});

describe('/sbin/lilo', () => {
  it('changes nothing at boot until lilo has run; after lilo, reboot boots the new command line', async () => {
    const { m, sh } = machine({ personality: '2.2' });
    await m.boot();
    m.endInput();
    let r = await sh(`${asRoot('/etc/lilo.conf', CONF_WITH_APPEND)}sudo reboot`);
    r = await sh('cat /proc/cmdline');
    expect(r.output).toBe('BOOT_IMAGE=linux ro root=301\n');
    r = await sh(`${asRoot('/etc/lilo.conf', CONF_WITH_APPEND)}sudo lilo; echo "lilo: $?"; sudo lilo -q; sudo reboot`);
    expect(r.output).toMatch(/^Added linux \*\nlilo: 0\nlinux {11} \*\n/);
    r = await sh('cat /proc/cmdline');
    expect(r.output).toBe('BOOT_IMAGE=linux ro root=301 my_device=0x200,5,0x300,7\n');
  });

  it("prints LILO's errors and leaves the boot record as it was", async () => {
    const { m, sh } = machine({ personality: '2.2' });
    await m.boot();
    m.endInput();
    const broken = (extra: string) => `${asRoot('/etc/lilo.conf', CONF_WITH_APPEND + extra)}sudo lilo; echo "status $?"\n`;
    let r = await sh([
      broken('image=/boot/vmlinuz-2.0.36\n\tlabel=old\n'),
      broken('image=/boot/vmlinuz\n\tlabel=Linux\n'),
      broken('vga=normal\nfoo=bar\n'),
      asRoot('/etc/lilo.conf', CONF_WITH_APPEND),
      'lilo; echo "status $?"\n',
      'sudo lilo -t\n', 'sudo reboot -f\n',
    ].join(''));
    // The console shows the kernel's own message with its timestamp.
    expect(r.output.replace(/\[ *[0-9.]+\] /g, '')).toBe([
      'Added linux *', 'Fatal: open /boot/vmlinuz-2.0.36: No such file or directory', 'status 1',
      'Fatal: Duplicate label "Linux"', 'status 1',
      `Fatal: Unrecognized token "foo" at or above line 13 in file '/etc/lilo.conf'`, 'status 1',
      'Fatal: open /dev/hda: Permission denied', 'status 1',
      'Added linux *', 'The boot sector and the map file have *NOT* been altered.',
      'Restarting system.', '',
    ].join('\n'));
    r = await sh('cat /proc/cmdline');
    expect(r.output).toBe('BOOT_IMAGE=linux ro root=301\n');
  });

  it('gives the modern machine a prompt too, once lilo.conf asks for one and lilo has run', async () => {
    const { m, screen, sh } = machine();
    await m.boot();
    m.endInput();
    await sh("sudo sed -i 's/^default=linux/prompt\\ntimeout=20\\ndefault=linux/' /etc/lilo.conf && sudo lilo && sudo reboot");
    expect(screen.all).toMatch(/\nLILO Loading linux\.+\r\n[^]*\nLILO boot: \r\nLoading linux\.+\r\nDecompressing Linux/);
    expect(m.kernel.bootNs).toBe(2_000_000_000);
  });

  it('writes to the hard disk, before hda1: another machine on the same disk boots it; a wiped boot sector leaves nothing to boot', async () => {
    const disk = newMemoryDisk();
    const first = machine({ personality: '2.2', disk });
    await first.m.boot();
    first.m.endInput();
    await first.sh(`${asRoot('/etc/lilo.conf', CONF_WITH_APPEND)}sudo lilo >/dev/null`);
    expect(new TextDecoder().decode(disk.readSectors(0, 1).subarray(6, 10))).toBe('LILO');
    const second = machine({ personality: '2.2', disk });
    await second.m.boot();
    second.m.endInput();
    const r = await second.sh('cat /proc/cmdline; sudo dd if=/dev/zero of=/dev/hda count=1 2>/dev/null; sudo reboot -f');
    expect(r.output).toMatch(/^BOOT_IMAGE=linux ro root=301 my_device=0x200,5,0x300,7\n/);
    expect(second.screen.all).toContain('Restarting system.\r\nDriverLab Virtual PC BIOS');
    expect(second.screen.all).toMatch(/Press DEL to enter SETUP\r\n.*\r\n\r\nDISK BOOT FAILURE, INSERT SYSTEM DISK AND PRESS ENTER\r\n/);
    expect(second.m.kernel.hungReason).toMatch(/^the disk holds no boot record/);
  });

  it('is for root, like reboot', async () => {
    const { m, sh } = machine({ personality: '2.2' });
    await m.boot();
    m.endInput();
    const r = await sh('reboot; echo "status $?"');
    expect(r.output).toBe('reboot: must be superuser.\nstatus 1\n');
  });

  it('stops a machine whose LILO would wait at a prompt for ever with nobody to type, and says so', async () => {
    const { m, sh } = machine({ personality: '2.2' });
    await m.boot();
    m.endInput();
    await sh(`${asRoot('/etc/lilo.conf', CONF_WITH_APPEND.replace('timeout=50\n', ''))}sudo lilo >/dev/null; sudo reboot`);
    const r = await sh('echo never');
    // A machine that hangs ends the script as if its shell had been killed.
    expect(r.status).toBe(137);
    expect(m.kernel.hungReason).toMatch(/LILO waits at its boot: prompt for ever .*add timeout= to \/etc\/lilo.conf and run lilo/);
  });
});

describe('the kernel command line', () => {
  it("passes what no kernel code claims to init: NAME=value into its environment (and on to the shell), the rest into its arguments", async () => {
    const { m, sh } = machine({ personality: '2.2' });
    m.input('linux foo=bar single\r');
    await m.boot();
    m.endInput();
    const r = await sh('ps -eo pid,args | head -2; echo "foo=$foo BOOT_IMAGE=$BOOT_IMAGE"');
    expect(r.output).toBe('  PID COMMAND\n    1 init single\nfoo=bar BOOT_IMAGE=linux\n');
  });

  it("runs the kernel's own setup functions of 2.2's tables: reserve= keeps I/O ports from drivers, panic= sets the reboot delay", async () => {
    const { m, sh } = machine({ personality: '2.2' });
    m.input('linux reserve=0x300,32 panic=30\r');
    await m.boot();
    m.endInput();
    const r = await sh('grep reserved /proc/ioports; echo "$reserve$panic"');
    expect(r.output).toBe('0300-031f : reserved\n\n');
    expect(panicSettings.timeout(m.kernel)).toBe(30);
  });

  it('on the modern kernel, says which parameters it leaves to user space', async () => {
    const { m, sh } = machine({ cmdline: 'foo=bar single panic=10' });
    await m.boot();
    m.endInput();
    const r = await sh('dmesg | grep -E "command line"');
    expect(r.output).toMatch(/Kernel command line: BOOT_IMAGE=linux ro root=301 foo=bar single panic=10\n.*Unknown kernel command line parameters "BOOT_IMAGE=linux foo=bar single", will be passed to user space\.\n$/);
    expect(panicSettings.timeout(m.kernel)).toBe(10);
    expect(m.kernel.initArgv).toEqual(['init', 'single']);
  });
});
