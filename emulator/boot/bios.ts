// The PC's BIOS, as much of it as a boot shows: the power-on self test's screen and the keyboard
// service (INT 16h) that a boot loader reads before any operating system exists. The keys come the
// way they come on a PC: as scancodes through the i8042 keyboard controller at ports 0x60/0x64,
// read here by polling its status register, turned into characters by the BIOS's own tables.

import type { IoPortBus } from '../hw/ioport-bus.js';
import { characterOf, I8042_DATA, I8042_STATUS, I8042_STATUS_OBF, SC, SC_BREAK } from '../hw/input/i8042.js';

export interface PostInfo {
  /** Installed memory in KiB (what the memory test counts up to). */
  memoryKb: number;
  cpuName: string;
  cpuMhz: number;
  /** The four IDE positions (primary master/slave, secondary master/slave): a drive's model, or undefined. */
  ideDrives: readonly (string | undefined)[];
  /** The BIOS ID line at the bottom of the screen. */
  biosId: string;
}

const IDE_POSITIONS = ['Primary Master  ', 'Primary Slave   ', 'Secondary Master', 'Secondary Slave '];

/** The POST screen of an Award-style BIOS: banner, CPU, memory test, IDE detection, SETUP hint. */
export function postScreen(info: PostInfo): string {
  const lines = [
    'DriverLab Virtual PC BIOS v1.0, An Energy Star Ally',
    'Copyright (C) 1984-2025, DriverLab',
    '',
    `${info.cpuName} CPU at ${info.cpuMhz}MHz`,
    `Memory Test : ${String(info.memoryKb).padStart(7)}K OK`,
    '',
    ...IDE_POSITIONS.map((pos, i) => `   Detecting IDE ${pos} ... ${info.ideDrives[i] ?? 'None'}`),
    '',
    'Press DEL to enter SETUP',
    info.biosId,
    '',
  ];
  return lines.map((l) => `${l}\r\n`).join('');
}

/**
 * The BIOS keyboard: scancodes from the i8042 into characters, with the Shift and Ctrl state a
 * BIOS keeps. Enter gives '\r', Backspace '\b', Tab '\t', Esc '\x1b'.
 */
export class BiosKeyboard {
  private shift = false;
  private ctrl = false;
  private readonly buffer: string[] = [];

  constructor(private readonly bus: IoPortBus) {}

  /** INT 16h AH=01h: whether a key is waiting (pulls what the controller holds into the BIOS buffer first). */
  available(): boolean {
    this.drainController();
    return this.buffer.length > 0;
  }

  /** INT 16h AH=00h without the wait: the next key, or undefined. */
  read(): string | undefined {
    this.drainController();
    return this.buffer.shift();
  }

  private drainController(): void {
    while (this.bus.read(I8042_STATUS, 1) & I8042_STATUS_OBF) this.scancode(this.bus.read(I8042_DATA, 1));
  }

  private scancode(sc: number): void {
    const make = (sc & SC_BREAK) === 0;
    const code = sc & ~SC_BREAK;
    if (code === SC.LSHIFT || code === SC.RSHIFT) { this.shift = make; return; }
    if (code === SC.LCTRL) { this.ctrl = make; return; }
    if (!make) return;
    const ch = characterOf(code, this.shift);
    if (ch === undefined) return;
    if (this.ctrl && /[a-z]/i.test(ch)) this.buffer.push(String.fromCharCode(ch.toLowerCase().charCodeAt(0) - 96));
    else this.buffer.push(ch);
  }
}
