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
