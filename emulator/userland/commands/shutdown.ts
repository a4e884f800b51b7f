// shutdown, reboot, halt and poweroff, as sysvinit has them: the warning to every terminal,
// init switching to runlevel 6 (reboot) or 0 (halt), every process asked to end and then
// killed, the file systems synced and unmounted, and finally the reboot(2) system call,
// whose message is the kernel's ("reboot: Restarting system"; 2.2: "Restarting system.").
// Everything is said on the console, where init and the rc scripts write.
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/sched.js';
import { SIGKILL, SIGTERM } from '../../kernel/sched.js';
import { unmountAllForShutdown } from '../../kernel/fs/super.js';
import { kernelShutdown, type ShutdownKind } from '../../kernel/reboot.js';
import { O_WRONLY, type Proc } from '../libc.js';
import { telinit } from '../init.js';
import { ctime } from './coreutils/common.js';


interface Plan {
  how: ShutdownKind;
  /** Minutes to wait before going down (shutdown +m). */
  delayMin: number;
  /** -f for halt/reboot: straight to reboot(2), without init and the rc scripts. */
  force: boolean;
  /** -n: no sync before reboot(2). */
  noSync: boolean;
  message: string;
}

/** The sequence of a shutdown, from the warning to reboot(2). Returns only if it could not begin. */
async function goDown(k: Kernel, p: Proc, plan: Plan): Promise<number> {
  const fd = await p.open('/dev/console', O_WRONLY);
  const say = (text: string) => p.write(fd, text);
  if (!plan.force) {
    const what = plan.how === 'restart' ? 'for reboot' : 'for system halt';
    const wall = async (when: string) => {
      const now = ctime(k.epochMs + k.clock.now / 1e6);
      await say(`\nBroadcast message from root@${k.hostname} (console) (${now}):\n\nThe system is going down ${what} ${when}!\n${plan.message ? `${plan.message}\n` : ''}`);
    };
    if (plan.delayMin > 0) {
      await wall(`in ${plan.delayMin} minute${plan.delayMin === 1 ? '' : 's'}`);
      await p.sleep(plan.delayMin * 60e9);
    }
    await wall('NOW');
    telinit(k, plan.how === 'restart' ? '6' : '0');
    await say('INIT: Sending processes the TERM signal\n');
    if (await signalAll(k, p, SIGTERM)) await say('INIT: Sending processes the KILL signal\n');
    await say('Sending all processes the TERM signal...done.\n');
    await signalAll(k, p, SIGTERM);
    await say('Sending all processes the KILL signal...done.\n');
    await signalAll(k, p, SIGKILL);
    await say('Unmounting local filesystems...done.\n');
    k.block.syncAll();
    unmountAllForShutdown(k);
    await say(plan.how === 'restart' ? 'Will now restart.\n' : 'Will now halt.\n');
  } else if (!plan.noSync) {
    k.block.syncAll();
  }
  kernelShutdown(k, plan.how);
  // reboot(2) does not return: the machine stops under this process.
  for (;;) await p.sleep(3600e9);
}

/**
 * killall5: `sig` to every process but init, kernel threads and this one; then a grace period
 * for them to go. Whether any was left when it ended (init then sends SIGKILL).
 */
async function signalAll(k: Kernel, p: Proc, sig: number): Promise<boolean> {
  const others = (): Task[] => [...k.tasks.values()].filter((t) => t.kind === 'user' && t.alive && !t.isInit && t !== p.task);
  for (const t of others()) k.sendSignal(t, sig);
  for (let waited = 0; waited < 5 && others().length; waited++) await p.sleep(100e6);
  return others().length > 0;
}

/** halt(8), reboot(8) and poweroff(8) are one program: its name says what it does. */
export function haltCommand(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const name = (argv[0] ?? 'halt').slice((argv[0] ?? '').lastIndexOf('/') + 1);
    const plan: Plan = { how: name === 'reboot' ? 'restart' : name === 'poweroff' ? 'poweroff' : 'halt', delayMin: 0, force: false, noSync: false, message: '' };
    for (const a of argv.slice(1)) {
      if (!/^-[nwdfiphk]+$/.test(a)) {
        await p.err(`usage: ${name} [-n] [-w] [-d] [-f] [-h] [-i]${name === 'halt' ? ' [-p]' : ''}\n`);
        return 1;
      }
      if (a.includes('f')) plan.force = true;
      if (a.includes('n')) plan.noSync = true;
      if (a.includes('p') && name === 'halt') plan.how = 'poweroff';
    }
    if (p.uid !== 0) { await p.err(`${name}: must be superuser.\n`); return 1; }
    return goDown(k, p, plan);
  };
}

const SHUTDOWN_USAGE = `Usage:\t  shutdown [-akrhPHfnc] [-t secs] time [warning message]
\t\t  -a:      use /etc/shutdown.allow
\t\t  -k:      don't really shutdown, only warn.
\t\t  -r:      reboot after shutdown.
\t\t  -h:      halt after shutdown.
\t\t  -P:      halt action is to turn off power.
\t\t  -H:      halt action is to just halt.
\t\t  -f:      do a 'fast' reboot (skip fsck).
\t\t  -F:      Force fsck on reboot.
\t\t  -n:      do not go through "init" but go down real fast.
\t\t  -c:      cancel a running shutdown.
\t\t  -t secs: delay between warning and kill signal.
\t\t  ** the "time" argument is mandatory! (try "now") **
`;

/** shutdown(8): -r reboots, -h halts (and powers off, as Debian's halt does), at "now" or in +m minutes. */
export function shutdownCommand(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    if (p.uid !== 0) { await p.err('shutdown: you must be root to do that!\n'); return 1; }
    const plan: Plan = { how: 'poweroff', delayMin: 0, force: false, noSync: false, message: '' };
    let reboot = false;
    let justHalt = false;
    let warnOnly = false;
    const rest: string[] = [];
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (rest.length || !a.startsWith('-')) { rest.push(a); continue; }
      if (a === '-t') { i++; continue; }
      for (const c of a.slice(1)) {
        if (c === 'r') reboot = true;
        else if (c === 'H') justHalt = true;
        else if (c === 'k') warnOnly = true;
        else if (c === 'n') plan.force = true;
        else if (!'ahPfFc'.includes(c)) { await p.err(SHUTDOWN_USAGE); return 1; }
      }
    }
    const time = rest.shift();
    const delay = time === 'now' ? 0 : time && /^\+\d+$/.test(time) ? Number(time.slice(1)) : undefined;
    if (delay === undefined) { await p.err(SHUTDOWN_USAGE); return 1; }
    plan.delayMin = delay;
    plan.message = rest.join(' ');
    plan.how = reboot ? 'restart' : justHalt ? 'halt' : 'poweroff';
    if (warnOnly) {
      const fd = await p.open('/dev/console', O_WRONLY);
      const now = ctime(k.epochMs + k.clock.now / 1e6);
      await p.write(fd, `\nBroadcast message from root@${k.hostname} (console) (${now}):\n\nThe system is going down ${reboot ? 'for reboot' : 'for system halt'} NOW!\n`);
      return 0;
    }
    return goDown(k, p, plan);
  };
}
