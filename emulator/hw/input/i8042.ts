// The PC/AT keyboard controller (Intel 8042) with its keyboard, as far as a console needs it:
// scancodes in through the output buffer on port 0x60, status and controller commands on 0x64,
// IRQ 1 while a byte waits.
//
// Reference: IBM PC/AT Technical Reference, "Keyboard controller" (status register, command byte,
// controller commands 0x20/0x60/0xAA/0xAB/0xAD/0xAE) and "Keyboard" (commands 0xED, 0xEE, 0xF2-0xF5,
// 0xFF and their 0xFA acknowledgement); scancode set 1 as delivered with translation on (command
// byte bit 6), the set Linux's pc_keyb.c / atkbd reads. Structure follows QEMU's hw/input/pckbd.c.
//
// Modelling choices: the controller answers instantly (IBF never reads set, no 8042 firmware
// delays); the auxiliary (mouse) port is absent; bytes typed while the keyboard is disabled wait in
// the queue instead of being lost. The IRQ 1 line follows OBF while the command byte's INT bit is
// set: reading port 0x60 lowers it, and the next queued byte raises it again at once (a new edge).

import type { IoPortBus, PortSize } from '../ioport-bus.js';
import type { IrqLine } from '../irq.js';

export const I8042_DATA = 0x60;
export const I8042_STATUS = 0x64;
export const I8042_COMMAND = 0x64;

// Status register
export const I8042_STATUS_OBF = 0x01; // output buffer full: a byte waits at 0x60
export const I8042_STATUS_IBF = 0x02; // input buffer full (never set: commands complete at once)
export const I8042_STATUS_SYS = 0x04; // system flag: self test passed
export const I8042_STATUS_CMD = 0x08; // last write went to 0x64 (a command), not 0x60
export const I8042_STATUS_UNLOCKED = 0x10; // keyboard not inhibited by the key lock

// Command byte
export const I8042_CB_INT = 0x01; // IRQ 1 when the output buffer fills
export const I8042_CB_SYS = 0x04;
export const I8042_CB_DISABLE_KBD = 0x10;
export const I8042_CB_XLATE = 0x40; // translate to scancode set 1
const POWER_ON_COMMAND_BYTE = I8042_CB_INT | I8042_CB_SYS | I8042_CB_XLATE;

// Controller commands (port 0x64)
export const I8042_CMD_READ_COMMAND_BYTE = 0x20;
export const I8042_CMD_WRITE_COMMAND_BYTE = 0x60;
export const I8042_CMD_SELF_TEST = 0xaa;
export const I8042_CMD_INTERFACE_TEST = 0xab;
export const I8042_CMD_DISABLE_KBD = 0xad;
export const I8042_CMD_ENABLE_KBD = 0xae;
const SELF_TEST_OK = 0x55;
const INTERFACE_TEST_OK = 0x00;

// Keyboard commands (port 0x60) and answers
const KBD_SET_LEDS = 0xed;
const KBD_ECHO = 0xee;
const KBD_SCANCODE_SET = 0xf0;
const KBD_IDENTIFY = 0xf2;
const KBD_TYPEMATIC = 0xf3;
const KBD_ENABLE = 0xf4;
const KBD_DISABLE = 0xf5;
const KBD_DEFAULTS = 0xf6;
const KBD_RESET = 0xff;
const KBD_ACK = 0xfa;
const KBD_RESEND = 0xfe;
const KBD_BAT_OK = 0xaa;
const KBD_ID = [0xab, 0x83];

/** Scancode set 1 key codes (make codes; break = make | 0x80). */
export const SC = {
  ESC: 0x01, BACKSPACE: 0x0e, TAB: 0x0f, ENTER: 0x1c, LCTRL: 0x1d, LSHIFT: 0x2a, RSHIFT: 0x36,
  LALT: 0x38, SPACE: 0x39, CAPSLOCK: 0x3a, F1: 0x3b, SYSRQ: 0x54,
} as const;
export const SC_BREAK = 0x80;

/** What the next write to port 0x60 means. */
export type I8042DataTarget = 'keyboard' | 'command-byte' | 'kbd-argument';

export interface I8042State {
  commandByte: number;
  /** The byte at port 0x60, or null when OBF is clear. */
  outputBuffer: number | null;
  /** The last byte delivered; re-read when port 0x60 is read with OBF clear. */
  lastOutput: number;
  /** Controller answers, delivered before anything the keyboard sent. */
  controllerQueue: number[];
  /** Bytes from the keyboard not yet in the output buffer. */
  keyboardQueue: number[];
  dataTarget: I8042DataTarget;
  lastWriteWasCommand: boolean;
  selfTestPassed: boolean;
  /** The keyboard itself scans (0xF4/0xF5), independent of the controller's disable bit. */
  keyboardScanning: boolean;
}

export interface I8042Snapshot {
  name: 'i8042';
  version: 1;
  state: I8042State;
}

export interface I8042Options {
  onGuestError?: (msg: string) => void;
}

function powerOnState(): I8042State {
  // The BIOS has run its POST: self test passed, keyboard enabled, interrupts on, translation on.
  return {
    commandByte: POWER_ON_COMMAND_BYTE, outputBuffer: null, lastOutput: 0, controllerQueue: [], keyboardQueue: [],
    dataTarget: 'keyboard', lastWriteWasCommand: false, selfTestPassed: true, keyboardScanning: true,
  };
}

export class I8042 {
  onGuestError?: (msg: string) => void;
  /** Called when the output buffer or the command byte changes (the inspector). */
  onChange?: () => void;
  readonly ioWidth = 1;

  private s: I8042State = powerOnState();

  constructor(
    private readonly irq: IrqLine,
    options: I8042Options = {},
  ) {
    this.onGuestError = options.onGuestError;
    this.reset();
  }

  /** Claims 0x60 and 0x64 under the name Linux shows in /proc/ioports. */
  attach(bus: IoPortBus): void {
    bus.claim(I8042_DATA, 1, this, 'keyboard');
    bus.claim(I8042_STATUS, 1, this, 'keyboard');
  }

  get state(): Readonly<I8042State> {
    return this.s;
  }

  get status(): number {
    const s = this.s;
    let status = I8042_STATUS_UNLOCKED;
    if (s.outputBuffer !== null) status |= I8042_STATUS_OBF;
    if (s.selfTestPassed) status |= I8042_STATUS_SYS;
    if (s.lastWriteWasCommand) status |= I8042_STATUS_CMD;
    return status;
  }

  read(port: number, _size: PortSize): number {
    if (port === I8042_STATUS) return this.status;
    if (port !== I8042_DATA) return 0xff;
    const s = this.s;
    if (s.outputBuffer === null) return s.lastOutput;
    const value = s.outputBuffer;
    s.lastOutput = value;
    s.outputBuffer = null;
    this.irq.lower();
    this.refill();
    this.onChange?.();
    return value;
  }

  write(port: number, value: number, _size: PortSize): void {
    value &= 0xff;
    if (port === I8042_COMMAND) {
      this.s.lastWriteWasCommand = true;
      this.controllerCommand(value);
    } else if (port === I8042_DATA) {
      this.s.lastWriteWasCommand = false;
      this.dataWrite(value);
    }
    this.onChange?.();
  }

  /** Key presses from the host: raw scancode set 1 bytes (make and break codes). */
  pressKeys(scancodes: readonly number[]): void {
    for (const code of scancodes) {
      if (!Number.isInteger(code) || code < 0 || code > 0xff) throw new RangeError(`scancode must be a byte, got ${code}`);
      this.s.keyboardQueue.push(code);
    }
    this.refill();
    this.onChange?.();
  }

  /** Types `text` as a person would: shift held for capitals and symbols, Ctrl for control characters. */
  typeText(text: string): void {
    this.pressKeys(scancodesFor(text));
  }

  /** Magic SysRq: Alt+SysRq+`key` (Linux's emergency keys: 'b' reboot, 's' sync, 't' task list...). */
  sysrq(key: string): void {
    this.pressKeys(sysrqScancodes(key));
  }

  /** Power-on after POST. The line follows: low, nothing to read. */
  reset(): void {
    this.s = powerOnState();
    this.irq.lower();
  }

  saveState(): I8042Snapshot {
    return { name: 'i8042', version: 1, state: cloneState(this.s) };
  }

  loadState(snapshot: I8042Snapshot): void {
    if (snapshot.name !== 'i8042' || snapshot.version !== 1) {
      throw new Error(`cannot load ${String(snapshot.name)} v${String(snapshot.version)} state into an i8042 v1`);
    }
    this.s = cloneState(snapshot.state);
    this.driveLine();
  }

  // --- controller ------------------------------------------------------------------------------

  private controllerCommand(value: number): void {
    const s = this.s;
    switch (value) {
      case I8042_CMD_READ_COMMAND_BYTE:
        this.answer(s.commandByte);
        return;
      case I8042_CMD_WRITE_COMMAND_BYTE:
        s.dataTarget = 'command-byte';
        return;
      case I8042_CMD_SELF_TEST:
        s.selfTestPassed = true;
        this.answer(SELF_TEST_OK);
        return;
      case I8042_CMD_INTERFACE_TEST:
        this.answer(INTERFACE_TEST_OK);
        return;
      case I8042_CMD_DISABLE_KBD:
        s.commandByte |= I8042_CB_DISABLE_KBD;
        return;
      case I8042_CMD_ENABLE_KBD:
        s.commandByte &= ~I8042_CB_DISABLE_KBD;
        this.refill();
        return;
      default:
        this.guestError(`controller command 0x${hex2(value)} is not implemented; ignored`);
    }
  }

  private dataWrite(value: number): void {
    const s = this.s;
    switch (s.dataTarget) {
      case 'command-byte':
        s.dataTarget = 'keyboard';
        s.commandByte = value;
        if ((value & I8042_CB_XLATE) === 0) this.guestError('command byte clears translation (bit 6); scancodes stay set 1 here');
        this.driveLine();
        this.refill();
        return;
      case 'kbd-argument':
        s.dataTarget = 'keyboard';
            this.keyboardReply([KBD_ACK]);
        return;
      case 'keyboard':
        this.keyboardCommand(value);
    }
  }

  /** The keyboard's own command set, sent through port 0x60. */
  private keyboardCommand(value: number): void {
    const s = this.s;
    switch (value) {
      case KBD_SET_LEDS:
      case KBD_TYPEMATIC:
      case KBD_SCANCODE_SET:
        s.dataTarget = 'kbd-argument';
        this.keyboardReply([KBD_ACK]);
        return;
      case KBD_ECHO:
        this.keyboardReply([KBD_ECHO]);
        return;
      case KBD_IDENTIFY:
        this.keyboardReply([KBD_ACK, ...KBD_ID]);
        return;
      case KBD_ENABLE:
        s.keyboardScanning = true;
        this.keyboardReply([KBD_ACK]);
        return;
      case KBD_DISABLE:
        s.keyboardScanning = false;
        s.keyboardQueue = [];
        this.keyboardReply([KBD_ACK]);
        return;
      case KBD_DEFAULTS:
        s.keyboardQueue = [];
        this.keyboardReply([KBD_ACK]);
        return;
      case KBD_RESET:
        s.keyboardScanning = true;
        s.keyboardQueue = [];
        this.keyboardReply([KBD_ACK, KBD_BAT_OK]);
        return;
      default:
        this.guestError(`keyboard command 0x${hex2(value)} is not implemented; answered with RESEND`);
        this.keyboardReply([KBD_RESEND]);
    }
  }

  /** A keyboard answer jumps ahead of queued keys, as the keyboard stops scanning to reply. */
  private keyboardReply(bytes: number[]): void {
    this.s.controllerQueue.push(...bytes);
    this.refill();
  }

  private answer(byte: number): void {
    this.s.controllerQueue.push(byte);
    this.refill();
  }

  /** Moves the next byte into an empty output buffer and raises IRQ 1 for it. */
  private refill(): void {
    const s = this.s;
    if (s.outputBuffer !== null) return;
    let next = s.controllerQueue.shift();
    if (next === undefined && (s.commandByte & I8042_CB_DISABLE_KBD) === 0 && s.keyboardScanning) next = s.keyboardQueue.shift();
    if (next === undefined) return;
    s.outputBuffer = next;
    this.driveLine();
  }

  private driveLine(): void {
    if (this.s.outputBuffer !== null && (this.s.commandByte & I8042_CB_INT) !== 0) this.irq.raise();
    else this.irq.lower();
  }

  private guestError(msg: string): void {
    this.onGuestError?.(`i8042: ${msg}`);
  }
}

// --- scancode set 1 ------------------------------------------------------------------------------

/** Unshifted characters and their key's make code. */
const PLAIN_KEYS: Record<string, number> = {};
/** Characters that need Shift, and the key that gives them. */
const SHIFTED_KEYS: Record<string, number> = {};

function defineRow(plain: string, shifted: string, firstCode: number): void {
  for (let i = 0; i < plain.length; i++) {
    PLAIN_KEYS[plain[i]!] = firstCode + i;
    const upper = shifted[i];
    if (upper !== undefined && upper !== ' ') SHIFTED_KEYS[upper] = firstCode + i;
  }
}

defineRow('1234567890-=', '!@#$%^&*()_+', 0x02);
defineRow('qwertyuiop[]', 'QWERTYUIOP{}', 0x10);
defineRow("asdfghjkl;'`", 'ASDFGHJKL:"~', 0x1e);
defineRow('\\zxcvbnm,./', '|ZXCVBNM<>?', 0x2b);
PLAIN_KEYS[' '] = SC.SPACE;
PLAIN_KEYS['\n'] = SC.ENTER;
PLAIN_KEYS['\r'] = SC.ENTER;
PLAIN_KEYS['\t'] = SC.TAB;
PLAIN_KEYS['\b'] = SC.BACKSPACE;
PLAIN_KEYS['\x7f'] = SC.BACKSPACE;
PLAIN_KEYS['\x1b'] = SC.ESC;

function tap(code: number): number[] {
  return [code, code | SC_BREAK];
}

function withModifier(modifier: number, code: number): number[] {
  return [modifier, ...tap(code), modifier | SC_BREAK];
}

/** The make code of the key that types `ch` unshifted (letters by their lower case), or undefined. */
export function keyCodeOf(ch: string): number | undefined {
  return PLAIN_KEYS[ch] ?? PLAIN_KEYS[ch.toLowerCase()];
}

/**
 * The character a key gives under the US layout, the other way round from keyCodeOf (what a BIOS
 * keyboard handler or a console driver looks up for a make code); undefined for keys without one.
 */
export function characterOf(code: number, shifted: boolean): string | undefined {
  const table = shifted ? SHIFTED_KEYS : PLAIN_KEYS;
  for (const [ch, c] of Object.entries(table)) if (c === code && ch !== '\n' && ch !== '\x7f') return ch;
  if (shifted) return characterOf(code, false);
  return undefined;
}

/**
 * Scancode set 1 make/break sequence typing `text`. Capitals and shifted symbols hold left Shift;
 * control characters 0x01-0x1A other than \b \t \n \r become Ctrl+letter (0x03 is Ctrl+C).
 */
export function scancodesFor(text: string): number[] {
  const codes: number[] = [];
  for (const ch of text) {
    const plain = PLAIN_KEYS[ch];
    if (plain !== undefined) {
      codes.push(...tap(plain));
      continue;
    }
    const shifted = SHIFTED_KEYS[ch];
    if (shifted !== undefined) {
      codes.push(...withModifier(SC.LSHIFT, shifted));
      continue;
    }
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0x01 && c <= 0x1a) {
      codes.push(...withModifier(SC.LCTRL, PLAIN_KEYS[String.fromCharCode(0x60 + c)]!));
      continue;
    }
    throw new RangeError(`no key on the PC keyboard types ${JSON.stringify(ch)}`);
  }
  return codes;
}

/**
 * Alt make, SysRq make (Alt+PrintScreen is 0x54 in set 1), the key, then the releases. A
 * character that needs Shift (a capital: SysRq-R is not SysRq-r) holds Shift around its key.
 */
export function sysrqScancodes(key: string): number[] {
  const plain = key.length === 1 ? PLAIN_KEYS[key] : undefined;
  const shifted = key.length === 1 && plain === undefined ? SHIFTED_KEYS[key] : undefined;
  const press = plain !== undefined ? tap(plain) : shifted !== undefined ? withModifier(SC.LSHIFT, shifted) : undefined;
  if (!press) throw new RangeError(`SysRq needs one key that has a scancode, got ${JSON.stringify(key)}`);
  return [SC.LALT, SC.SYSRQ, ...press, SC.SYSRQ | SC_BREAK, SC.LALT | SC_BREAK];
}

function cloneState(s: I8042State): I8042State {
  return { ...s, controllerQueue: [...s.controllerQueue], keyboardQueue: [...s.keyboardQueue] };
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
