// init (pid 1): opens the console, starts the console's shell, reaps orphans. Like a getty
// line with `respawn` in /etc/inittab, it starts the shell again when it was killed (SysRq-E,
// -I, -K, the OOM killer, `kill -9 $$`), unless the system is going down (runlevel 0 or 6,
// after shutdown, reboot, halt or poweroff). A shell that exits by itself ends the session:
// that is how `exit` leaves `driverlab shell`.
import type { Kernel, ProgramMain } from '../kernel/kernel.js';
import { O_RDWR, Proc, SysError, exitStatus } from './libc.js';
import { bootScripts, type RootCheck } from './rc.js';

/** What init serves on the console: an interactive login shell, or a script the harness types into it. */
export interface ConsoleSession {
  /** What is left of the script (`driverlab sh`), or undefined for an interactive login shell. */
  script(): string | undefined;
  /** The script's shell starts a top-level command: the next one begins at `nextOffset` of the text it was given. */
  report(nextOffset: number): void;
  /** The console shell is gone for good (exited, or killed at the end of its script). */
  ended(status: number): void;
  /**
   * The boot scripts are done (they run once per boot, in the first init): what checkroot found
   * (undefined when it did not run), and from now on the console is the user's.
   */
  booted?(check: RootCheck | undefined): void;
}

const runlevels = new WeakMap<Kernel, string>();
/** Kernels whose boot scripts have run (a later init of the same boot skips them). */
const booted = new WeakSet<Kernel>();

/** The runlevel init is in (2: multi-user; 0 halt, 6 reboot once shutdown has begun). */
export function runlevel(k: Kernel): string {
  return runlevels.get(k) ?? '2';
}

/** telinit(8), as shutdown tells init over /dev/initctl: init prints the switch and stops respawning. */
export function telinit(k: Kernel, level: '0' | '6'): void {
  runlevels.set(k, level);
  k.console.write(`INIT: Switching to runlevel: ${level}\n`);
}

function goingDown(k: Kernel): boolean {
  const level = runlevel(k);
  return level === '0' || level === '6';
}

/**
 * The environment of the console's login shell. init hands on what the kernel gave it (sysvinit
 * does), so a boot parameter such as foo=bar that no kernel code took reaches the shell.
 */
function loginEnv(k: Kernel, inherited: Map<string, string>): Map<string, string> {
  return new Map([
    ...[...inherited].filter(([name]) => name !== 'HOME' && name !== 'TERM' && name !== 'PATH'),
    ['PATH', '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'], ['HOME', '/home/user'], ['USER', 'user'],
    ['LOGNAME', 'user'], ['SHELL', '/bin/sh'], ['TERM', 'xterm-256color'], ['PWD', '/home/lab'], ['HOSTNAME', k.hostname],
  ]);
}

export function initProgram(k: Kernel, session: ConsoleSession): ProgramMain {
  return async (task) => {
    const p = new Proc(k, task);
    const tty = await p.open('/dev/console', O_RDWR);
    await p.dup(tty);
    await p.dup(tty);
    if (!booted.has(k)) {
      booted.add(k);
      const boot = await bootScripts(k, p);
      // A repaired root reboots the machine: this init waits for the end.
      if (boot.rebooting) for (;;) await p.sleep(3600e9);
      session.booted?.(boot.check);
    } else {
      session.booted?.(undefined);
    }
    let shell = await startShell(k, p, session);
    for (;;) {
      let r: { pid: number; status: number };
      try {
        r = await p.waitpid(-1);
      } catch (e) {
        if (!(e instanceof SysError)) throw e;
        // No children left while the system goes down: init waits for the end.
        await p.sleep(3600e9);
        continue;
      }
      if (r.pid !== shell || goingDown(k)) continue;
      const killed = (r.status & 0x7f) !== 0;
      if (!killed || session.script()?.trim() === '') {
        session.ended(exitStatus(r.status));
        return 0;
      }
      shell = await startShell(k, p, session);
    }
  };
}

/** Starts the console's shell: a login shell (`sh -i`), or `sh -c` with what is left of the script. */
async function startShell(k: Kernel, p: Proc, session: ConsoleSession): Promise<number> {
  const script = session.script();
  k.consoleScript = script === undefined ? undefined : { initPid: p.pid, report: (offset) => session.report(offset) };
  const argv = script === undefined ? ['sh', '-i'] : ['sh', '-c', script];
  const pid = await p.spawn(argv, { cwd: '/home/lab', env: loginEnv(k, p.task.env), uid: 1000 });
  const child = k.tasks.get(pid);
  if (child) { child.pgid = pid; k.console.fgPgid = pid; }
  return pid;
}
