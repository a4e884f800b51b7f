// The console keyboard (drivers/input/keyboard/atkbd.c + drivers/tty/vt/keyboard.c,
// or 2.2's drivers/char/pc_keyb.c + keyboard.c, in miniature): IRQ 1 reads
// set-1 scancodes from the i8042's port 0x60, tracks the modifiers, turns keys
// into characters for the console, and hands Alt+SysRq+key to Magic SysRq
// (drivers/tty/sysrq.c), which works as long as interrupts reach the CPU.
import type { Kernel } from './kernel.js';
import { SIGKILL, SIGTERM } from './sched.js';

const SC_LCTRL = 0x1d, SC_LSHIFT = 0x2a, SC_RSHIFT = 0x36, SC_LALT = 0x38, SC_SYSRQ = 0x54, SC_BREAK = 0x80;

/** Set-1 make codes to characters, unshifted and shifted (US layout). */
const KEYMAP: Record<number, [string, string]> = {};
const row = (plain: string, shifted: string, first: number) => {
  for (let i = 0; i < plain.length; i++) KEYMAP[first + i] = [plain[i]!, shifted[i]!];
};
row('1234567890-=', '!@#$%^&*()_+', 0x02);
row('qwertyuiop[]', 'QWERTYUIOP{}', 0x10);
row("asdfghjkl;'`", 'ASDFGHJKL:"~', 0x1e);
row('\\zxcvbnm,./', '|ZXCVBNM<>?', 0x2b);
KEYMAP[0x39] = [' ', ' '];
KEYMAP[0x1c] = ['\r', '\r'];
KEYMAP[0x0f] = ['\t', '\t'];
KEYMAP[0x0e] = ['\x7f', '\x7f'];
KEYMAP[0x01] = ['\x1b', '\x1b'];

export interface SysrqHooks {
  /** SysRq-B: the machine resets at once (emergency_restart). */
  restart(): void;
  /** SysRq-O: power off. */
  powerOff(): void;
  /** SysRq-S / SysRq-U: the storage layer's emergency sync and read-only remount, when there is one. */
  emergencySync?(): void;
  emergencyRemountRo?(): void;
}

export class Keyboard {
  private shift = false;
  private ctrl = false;
  private alt = false;
  private sysrqHeld = false;

  constructor(private readonly k: Kernel, private readonly hooks: SysrqHooks) {}

  /** Claims IRQ 1 (the i8042's keyboard line), as the keyboard driver does at boot. */
  install(): void {
    this.k.requestIrq(1, { handler: () => this.interrupt(), name: this.k.personality === '2.2' ? 'keyboard' : 'i8042' });
  }

  private interrupt(): boolean {
    const sc = this.k.bus.read(0x60, 1);
    const make = (sc & SC_BREAK) === 0;
    const code = sc & ~SC_BREAK;
    switch (code) {
      case SC_LSHIFT: case SC_RSHIFT: this.shift = make; return true;
      case SC_LCTRL: this.ctrl = make; return true;
      case SC_LALT: this.alt = make; if (!make) this.sysrqHeld = false; return true;
      case SC_SYSRQ: this.sysrqHeld = make && this.alt; return true;
    }
    if (!make) return true;
    const key = KEYMAP[code];
    if (!key) return true;
    if (this.sysrqHeld) { this.handleSysrq(key[0]); return true; }
    let ch = key[this.shift ? 1 : 0];
    if (this.ctrl && /[a-z]/i.test(ch)) ch = String.fromCharCode(ch.toLowerCase().charCodeAt(0) - 96);
    else if (this.ctrl && ch === '\\') ch = '\x1c';
    this.k.console.input(ch);
    return true;
  }

  /** __handle_sysrq(): the action's message at KERN_INFO, then the action. */
  handleSysrq(key: string): void {
    const k = this.k;
    const say = (msg: string) => {
      // sysrq raises the console loglevel so its messages are always seen.
      const saved = k.log.consoleLoglevel;
      k.log.consoleLoglevel = 7;
      k.printk(`\x016${k.personality === 'modern' ? 'sysrq: ' : 'SysRq: '}${msg}\n`);
      k.log.consoleLoglevel = saved;
    };
    if (/^[0-9]$/.test(key)) {
      say(`Changing Loglevel`);
      k.log.consoleLoglevel = Number(key);
      k.printk(`\x014${k.personality === 'modern' ? 'sysrq: ' : 'SysRq: '}Loglevel set to ${key}\n`);
      return;
    }
    switch (key) {
      case 'b': say('Resetting'); this.hooks.restart(); return;
      case 'o': say('Power Off'); this.hooks.powerOff(); return;
      case 's':
        say('Emergency Sync');
        this.hooks.emergencySync?.();
        k.printk('\x016Emergency Sync complete\n');
        return;
      case 'u':
        say('Emergency Remount R/O');
        this.hooks.emergencyRemountRo?.();
        k.printk('\x016Emergency Remount complete\n');
        return;
      case 'e': say('Terminate All Tasks'); this.signalAll(SIGTERM); return;
      case 'i': say('Kill All Tasks'); this.signalAll(SIGKILL); return;
      case 't': say('Show State'); this.showState(false); return;
      case 'w': say('Show Blocked State'); this.showState(true); return;
      default:
        say('HELP : loglevel(0-9) reboot(b) terminate-all-tasks(e) kill-all-tasks(i) poweroff(o) sync(s) show-task-states(t) unmount(u) show-blocked-tasks(w)');
    }
  }

  /** send_sig_all(): every user task but init. */
  private signalAll(sig: number): void {
    for (const t of this.k.tasks.values()) if (t.pid !== 1 && t.kind === 'user' && t.alive) this.k.sendSignal(t, sig);
  }

  /** show_state_filter(): one line per task (the stacks are left out). */
  private showState(blockedOnly: boolean): void {
    for (const t of this.k.tasks.values()) {
      if (!t.alive || (blockedOnly && t.state !== 'D')) continue;
      this.k.printk(`\x016task:${t.comm.padEnd(15)} state:${t.state} pid:${String(t.pid).padEnd(5)} ppid:${t.parent?.pid ?? 0}${t.wchan ? ` wchan:${t.wchan}` : ''}\n`);
    }
  }
}
