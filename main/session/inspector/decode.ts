// What the inspector says about a register, a value and an event: the MY_DEVICE card's
// registers by name and bit (datasheet: STATUS flags, ERROR codes, mailbox headers), the PC's
// own chips by their usual names, and one line per event for the timeline's list.
import type { MachineEvent } from '../../../emulator/events.js';
import { MY_DEVICE_CMD, MY_DEVICE_ERROR, MY_DEVICE_MEM, MY_DEVICE_PORT_STATE, MY_DEVICE_REPLY, MY_DEVICE_STATUS } from '../../../emulator/hw/cards/my-device.js';
import type { BitView, MarkTone, MemoryRegionView } from '../../ipc/common/inspector.js';

/** A card as the decoder needs it: where its ports and its window are. */
export interface CardPlace {
  name: string;
  io: number;
  mem: number;
}

const STATUS_BITS = Object.entries(MY_DEVICE_STATUS).map(([name, mask]) => ({ name, bit: 31 - Math.clz32(mask), mask }));
const ERROR_NAMES = new Map(Object.entries(MY_DEVICE_ERROR).map(([name, code]) => [code as number, name]));
const PORT_STATE_NAMES = new Map(Object.entries(MY_DEVICE_PORT_STATE).map(([name, code]) => [code as number, name]));
const CMD_NAMES = new Map(Object.entries(MY_DEVICE_CMD).map(([name, code]) => [code as number, name]));
const REPLY_NAMES = new Map(Object.entries(MY_DEVICE_REPLY).map(([name, code]) => [code as number, name]));

/** Card registers by offset, as read and as written (offset 0 is STATUS when read, CONTROL when written). */
const CARD_READ = new Map<number, string>([[0, 'STATUS'], [1, 'ID'], [4, 'ERROR'], [6, 'PORT_STATUS'], [7, 'FW_VERSION'], [8, 'MEM_PAGE']]);
const CARD_WRITE = new Map<number, string>([[0, 'CONTROL'], [2, 'DOORBELL'], [3, 'ACK'], [5, 'PORT_SELECT']]);

/** The PC's chips at their fixed ports. */
const CHIP_PORTS = new Map<number, string>([
  [0x20, 'PIC1 command'], [0x21, 'PIC1 data (IMR)'], [0xa0, 'PIC2 command'], [0xa1, 'PIC2 data (IMR)'],
  [0x40, 'PIT counter 0'], [0x41, 'PIT counter 1'], [0x42, 'PIT counter 2'], [0x43, 'PIT mode'],
  [0x60, 'i8042 data'], [0x64, 'i8042 status/command'],
  [0x1f0, 'IDE data'], [0x1f7, 'IDE status/command'], [0x3f6, 'IDE control'],
]);

export function statusBits(value: number): BitView[] {
  return STATUS_BITS.map(({ name, bit, mask }) => ({ name, bit, set: (value & mask) !== 0 }));
}

export function errorName(code: number): string {
  return ERROR_NAMES.get(code) ?? `unknown (${code})`;
}

export function commandName(cmd: number): string {
  return CMD_NAMES.get(cmd) ?? `0x${cmd.toString(16)}`;
}

export function statusText(value: number): string {
  const set = STATUS_BITS.filter((b) => value & b.mask).map((b) => b.name);
  return set.length ? set.join(' ') : 'none';
}

/** The register `port` is on a card, by direction. */
export function cardRegister(card: CardPlace, port: number, dir: 'in' | 'out'): string | undefined {
  const offset = port - card.io;
  if (offset < 0 || offset >= 16) return undefined;
  return (dir === 'in' ? CARD_READ : CARD_WRITE).get(offset) ?? (offset >= 9 ? 'reserved' : undefined);
}

export class Decoder {
  constructor(private readonly cards: () => readonly CardPlace[]) {}

  cardAt(port: number): CardPlace | undefined {
    return this.cards().find((c) => port >= c.io && port < c.io + 16);
  }

  cardOfMemory(addr: number): CardPlace | undefined {
    return this.cards().find((c) => addr >= c.mem && addr < c.mem + MY_DEVICE_MEM.SIZE);
  }

  /** The register's name, for both directions when they differ ("STATUS/CONTROL"). */
  register(port: number, dir?: 'in' | 'out'): string | undefined {
    const card = this.cardAt(port);
    if (card) {
      if (dir) return cardRegister(card, port, dir);
      const r = cardRegister(card, port, 'in');
      const w = cardRegister(card, port, 'out');
      return r && w && r !== w ? `${r}/${w}` : r ?? w;
    }
    return CHIP_PORTS.get(port);
  }

  /** A value's meaning on its register, when it has one beyond the number. */
  value(port: number, dir: 'in' | 'out', value: number): string | undefined {
    const card = this.cardAt(port);
    if (!card) return undefined;
    switch (cardRegister(card, port, dir)) {
      case 'STATUS': return statusText(value);
      case 'ERROR': return errorName(value);
      case 'PORT_STATUS': return PORT_STATE_NAMES.get(value) ?? `unknown (${value})`;
      case 'CONTROL': return value & 1 ? 'RUN' : 'halt, reset';
      case 'DOORBELL': return value === 1 ? 'command waiting' : undefined;
      case 'ACK': return value === 1 ? 'interrupt seen' : undefined;
      default: return undefined;
    }
  }

  /** Where in a card's window `addr` is ("host mailbox+0x4"). */
  memoryPlace(addr: number): string {
    const card = this.cardOfMemory(addr);
    if (!card) return `0x${addr.toString(16)}`;
    const offset = addr - card.mem;
    const region = REGIONS.find((r) => offset >= r.offset && offset < r.offset + r.size)!;
    const within = offset - region.offset;
    return `${card.name} ${region.name}${within ? `+0x${within.toString(16)}` : ''}`;
  }

  describe(e: MachineEvent): { text: string; tone: MarkTone } {
    switch (e.kind) {
      case 'port': {
        const reg = this.register(e.port, e.dir);
        const meaning = this.value(e.port, e.dir, e.value);
        const v = `0x${e.value.toString(16).padStart(e.size * 2, '0')}`;
        const arrow = e.dir === 'out' ? '←' : '→';
        return { text: `${e.dir} 0x${e.port.toString(16)}${reg ? ` ${reg}` : ''} ${arrow} ${v}${meaning ? ` (${meaning})` : ''}${e.fn ? `  ${e.fn}` : ''}`, tone: e.dir };
      }
      case 'mem': {
        const what = e.dir === 'write' ? 'write' : 'read';
        const value = e.value !== undefined && e.size === 1 ? ` = 0x${e.value.toString(16).padStart(2, '0')}` : '';
        return { text: `${e.by === 'card' ? 'card' : 'host'} ${what} ${e.size} byte${e.size === 1 ? '' : 's'} at ${this.memoryPlace(e.addr)}${value}${e.fn ? `  ${e.fn}` : ''}`, tone: e.by === 'card' ? 'card' : e.dir };
      }
      case 'irq': return { text: `IRQ ${e.line} ${e.level ? 'raised ↑' : 'lowered ↓'}`, tone: e.level ? 'warn' : 'info' };
      case 'pic': return { text: `PIC irr ${bits16(e.irr)} isr ${bits16(e.isr)} imr ${bits16(e.imr)}${e.intr ? ' INTR' : ''}`, tone: 'info' };
      case 'irqflag': {
        const who = e.by === 'irq' ? `IRQ ${e.irq ?? '?'} handler` : `${e.comm ?? '?'}[${e.pid ?? '?'}]`;
        return { text: `CPU${e.cpu} interrupts ${e.enabled ? 'on (sti)' : 'off (cli)'} by ${who}${e.fn ? `  ${e.fn}` : ''}`, tone: e.enabled ? 'info' : 'warn' };
      }
      case 'card': return { text: `${e.card}: ${e.event} → ${e.state}${e.detail ? `: ${e.detail}` : ''}`, tone: e.event === 'error' || e.event === 'fault' ? 'error' : 'card' };
      case 'module': return { text: `module ${e.name} ${e.state}`, tone: e.state === 'failed' ? 'error' : 'info' };
      case 'task': return { text: `${e.comm}[${e.pid}] ${e.state}${e.wchan ? ` in ${e.wchan}` : ''}`, tone: 'info' };
      case 'switch': return { text: `CPU${e.cpu} runs ${e.comm}[${e.pid}]`, tone: 'info' };
      case 'printk': return { text: `<${e.level}> ${e.text.replace(/\n$/, '')}`, tone: e.level <= 3 ? 'error' : e.level <= 4 ? 'warn' : 'info' };
    }
  }
}

function bits16(v: number): string {
  return `0x${v.toString(16).padStart(4, '0')}`;
}

/** The regions of a MY_DEVICE window (datasheet, "Shared memory window"). */
export const REGIONS: readonly { name: string; offset: number; size: number }[] = [
  { name: 'ROM', offset: MY_DEVICE_MEM.ROM, size: 0x10 },
  { name: 'reserved', offset: 0x10, size: MY_DEVICE_MEM.FIRMWARE - 0x10 },
  { name: 'firmware', offset: MY_DEVICE_MEM.FIRMWARE, size: MY_DEVICE_MEM.HOST_MAILBOX - MY_DEVICE_MEM.FIRMWARE },
  { name: 'host mailbox', offset: MY_DEVICE_MEM.HOST_MAILBOX, size: MY_DEVICE_MEM.CARD_MAILBOX - MY_DEVICE_MEM.HOST_MAILBOX },
  { name: 'card mailbox', offset: MY_DEVICE_MEM.CARD_MAILBOX, size: MY_DEVICE_MEM.SIZE - MY_DEVICE_MEM.CARD_MAILBOX },
];

/** The regions of a window with their headers decoded from its bytes. */
export function memoryRegions(bytes: Uint8Array): MemoryRegionView[] {
  return REGIONS.map((r) => {
    const view: MemoryRegionView = { ...r };
    if (r.name === 'ROM') {
      const sig = String.fromCharCode(...bytes.subarray(0, 9));
      view.header = `"${sig.replace(/[^\x20-\x7e]/g, '.')}" revision ${bytes[10]}`;
    } else if (r.name === 'host mailbox') {
      const len = bytes[r.offset + 2]! | (bytes[r.offset + 3]! << 8);
      const cmd = bytes[r.offset]!;
      view.header = `cmd ${commandName(cmd)}, port ${bytes[r.offset + 1]}, length ${len}`;
    } else if (r.name === 'card mailbox') {
      const len = bytes[r.offset + 2]! | (bytes[r.offset + 3]! << 8);
      const status = bytes[r.offset]!;
      view.header = `status ${REPLY_NAMES.get(status) ?? `0x${status.toString(16)}`}, port ${bytes[r.offset + 1]}, length ${len}`;
    }
    return view;
  });
}
