// dmesg, uname, sudo, id, whoami, hostname, clear, help and reboot.
import type { Kernel } from '../../kernel/kernel.js';
import { formatTimestamp } from '../../kernel/printk.js';
import { exitStatus, SysError, type Proc } from '../libc.js';
import { TaskKilled } from '../../kernel/sched.js';

export function dmesg(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    let clear = false, clearOnly = false;
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-c' || a === '--read-clear') clear = true;
      else if (a === '-C' || a === '--clear') clearOnly = true;
      else if (a === '-n' || a === '--console-level') {
        const level = Number(argv[++i]);
        if (!Number.isInteger(level) || level < 1 || level > 8) { await p.err(`dmesg: unknown level '${argv[i] ?? ''}'\n`); return 1; }
        if (p.uid !== 0) { await p.err('dmesg: klogctl failed: Operation not permitted\n'); return 1; }
        k.log.consoleLoglevel = level;
        return 0;
      } else if (/^-n\d$/.test(a)) {
        if (p.uid !== 0) { await p.err('dmesg: klogctl failed: Operation not permitted\n'); return 1; }
        k.log.consoleLoglevel = Number(a.slice(2));
        return 0;
      } else if (a === '-h' || a === '--help') {
        await p.out('Usage:\n dmesg [options]\n\nDisplay or control the kernel ring buffer.\n\nOptions:\n -C, --clear                 clear the kernel ring buffer\n -c, --read-clear            read and clear all messages\n -n, --console-level <level> set level of messages printed to console\n');
        return 0;
      } else {
        await p.err(`dmesg: invalid option -- '${a.replace(/^-+/, '')}'\nTry 'dmesg --help' for more information.\n`);
        return 1;
      }
    }
    if ((clear || clearOnly) && p.uid !== 0) {
      await p.err('dmesg: klogctl failed: Operation not permitted\n');
      return 1;
    }
    if (!clearOnly) {
      const out = k.log.read().map((r) => `${formatTimestamp(r.timeNs)} ${r.text}\n`).join('');
      await p.out(out);
    }
    if (clear || clearOnly) k.log.clear();
    return 0;
  };
}

export function uname(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const f = { s: 'Linux', n: k.hostname, r: k.release.release, v: k.release.version, m: 'i686', o: 'GNU/Linux' };
    const flags = argv.slice(1).join('').replace(/-/g, '');
    if (argv.slice(1).some((a) => !/^-[asnrvmpio]+$/.test(a) && a !== '--all')) {
      await p.err(`uname: invalid option -- '${argv[1]!.replace(/^-+/, '')}'\nTry 'uname --help' for more information.\n`);
      return 1;
    }
    const want = flags.includes('a') || argv.includes('--all') ? 'snrvmo' : flags || 's';
    const parts: string[] = [];
    for (const c of 'snrvmpio') {
      if (!want.includes(c)) continue;
      if (c === 'p' || c === 'i') parts.push('unknown');
      else parts.push(f[c as keyof typeof f]);
    }
    await p.out(parts.join(' ') + '\n');
    return 0;
  };
}

/** sudo: passwordless for `user`, as on the lab machine. */
export async function sudo(p: Proc, argv: string[]): Promise<number> {
  const args = argv.slice(1);
  while (args[0]?.startsWith('-')) {
    const opt = args.shift()!;
    if (opt === '--') break;
    if (opt === '-h' || opt === '--help') { await p.out('usage: sudo command [arg ...]\n'); return 0; }
  }
  if (!args.length) { await p.err('usage: sudo -h | -K | -k | -V\nusage: sudo [-AbEHknPS] [-u user] [VAR=value] [-i|-s] [<command>]\n'); return 1; }
  const env = new Map(p.task.env);
  env.set('SUDO_USER', env.get('USER') ?? 'user');
  env.set('USER', 'root');
  env.set('LOGNAME', 'root');
  env.set('HOME', '/root');
  try {
    const pid = await p.spawn(args, { uid: 0, env });
    const r = await p.waitpid(pid);
    // A command killed by a signal takes sudo with it (sudo kills itself with the signal), so the shell says "Killed".
    const signal = r.status & 0x7f;
    if (signal !== 0 && signal !== 0x7f) throw new TaskKilled(signal);
    return exitStatus(r.status);
  } catch (e) {
    if (e instanceof SysError) { await p.err(`sudo: ${args[0]}: command not found\n`); return 1; }
    throw e;
  }
}

export async function id(p: Proc, argv: string[]): Promise<number> {
  const uid = p.uid;
  const name = uid === 0 ? 'root' : 'user';
  if (argv.includes('-u')) { await p.out(argv.includes('-n') ? `${name}\n` : `${uid}\n`); return 0; }
  await p.out(`uid=${uid}(${name}) gid=${uid}(${name}) groups=${uid}(${name})\n`);
  return 0;
}

export async function whoami(p: Proc): Promise<number> {
  await p.out(p.uid === 0 ? 'root\n' : 'user\n');
  return 0;
}

export function hostname(k: Kernel) {
  return async (p: Proc): Promise<number> => { await p.out(`${k.hostname}\n`); return 0; };
}

export async function clear(p: Proc): Promise<number> {
  await p.out('\x1b[H\x1b[2J\x1b[3J');
  return 0;
}

export async function help(p: Proc): Promise<number> {
  await p.out(`DriverLab shell. Commands:
  files      ls cat cp mv rm mkdir chmod chown mknod ln touch head tail wc grep sed cut tr sort tee
  kernel     insmod rmmod lsmod modinfo dmesg uname lilo reboot
  build      make (kbuild: make -C /lib/modules/$(uname -r)/build M=$PWD modules)
  processes  sleep wait jobs kill true false test
  admin      sudo COMMAND   (user has passwordless sudo); sudo reboot, sudo poweroff
Your workspace is /home/lab (files there live on your computer and survive anything).
`);
  return 0;
}
