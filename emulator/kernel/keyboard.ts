// The console keyboard (drivers/input/keyboard/atkbd.c + drivers/tty/vt/keyboard.c,
// or 2.2's drivers/char/pc_keyb.c + keyboard.c, in miniature): IRQ 1 reads
// set-1 scancodes from the i8042's port 0x60, tracks the modifiers, turns keys
// into characters for the console, and hands Alt+SysRq+key to Magic SysRq
// (sysrq.ts), which works as long as interrupts reach the CPU.
import type { Kernel } from './kernel.js';
import type { Sysrq } from './sysrq.js';

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

export class Keyboard {
  private shift = false;
  private ctrl = false;
  private alt = false;
  private sysrqHeld = false;
  /** The keyboard mode (KDSKBMODE): keys translated to characters, or raw scancodes; SysRq-R sets it back to 'xlate'. */
  mode: 'xlate' | 'raw' = 'xlate';

  constructor(private readonly k: Kernel, private readonly sysrq: Sysrq) {}

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
    // The modern kernel takes Shift into account (Alt+Shift+SysRq+R is not r); 2.2's table had lower case only.
    const sysrqKey = this.shift && this.k.personality === 'modern' ? key[1] : key[0];
    if (this.sysrqHeld && this.sysrq.fromKeyboard(sysrqKey)) return true;
    let ch = key[this.shift ? 1 : 0];
    if (this.ctrl && /[a-z]/i.test(ch)) ch = String.fromCharCode(ch.toLowerCase().charCodeAt(0) - 96);
    else if (this.ctrl && ch === '\\') ch = '\x1c';
    // Meta sends an escape prefix (the VT's default meta mode).
    this.k.console.input(this.alt ? `\x1b${ch}` : ch);
    return true;
  }
}
