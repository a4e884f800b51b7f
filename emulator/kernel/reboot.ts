// Stopping and restarting the machine (kernel/reboot.c; 2.2's sys_reboot in kernel/sys.c):
// the kernel's last words and the request the Machine acts on (Kernel.requestShutdown). The
// orderly kind (reboot(2), after userspace has synced and unmounted) and the emergency kind
// (SysRq-B, a panic timeout: nothing synced, whatever was dirty is lost) end the same way.
import type { Kernel } from './kernel.js';

export type ShutdownKind = 'restart' | 'halt' | 'poweroff';

/** kernel_restart() / kernel_halt() / kernel_power_off(): the message, then the machine acts. */
export function kernelShutdown(k: Kernel, how: ShutdownKind): void {
  const modern = k.personality === 'modern';
  const say = {
    restart: modern ? 'reboot: Restarting system' : 'Restarting system.',
    halt: modern ? 'reboot: System halted' : 'System halted.',
    poweroff: modern ? 'reboot: Power down' : 'Power down.',
  }[how];
  k.printk(`\x010${say}\n`);
  k.requestShutdown(how);
}

/** emergency_restart(): the reset line, at once and silently (SysRq-B). */
export function emergencyRestart(k: Kernel): void {
  k.requestShutdown('restart');
}

/** panic_timeout: panic=N on the command line (the last one counts); 0 means a panic halts for good. */
export function panicTimeout(k: Kernel): number {
  let timeout = 0;
  for (const m of k.cmdline.matchAll(/(?:^|\s)panic=(-?\d+)(?=\s|$)/g)) timeout = Number(m[1]);
  return timeout;
}

/**
 * The end of panic(): with panic=N > 0 the machine restarts N seconds later ("Rebooting in N
 * seconds.."), spinning with interrupts off meanwhile, so the Machine lets the time pass
 * before it resets; a negative N restarts at once; 0 leaves it halted. Returns the virtual
 * time of the restart.
 */
export function schedulePanicRestart(k: Kernel): number | undefined {
  const timeout = panicTimeout(k);
  if (timeout === 0) return undefined;
  if (timeout < 0) return k.clock.now;
  k.printk(`\x010Rebooting in ${timeout} seconds..\n`);
  return k.clock.now + timeout * 1e9;
}
