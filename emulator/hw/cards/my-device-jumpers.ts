// Machine configuration of MY_DEVICE cards: jumper settings and the conflicts refused before
// power-on (shared/design/my_device-datasheet.md, "Jumpers"). Two cards fighting over a port, a
// memory window or an IRQ would hang a real PC silently; the simulator names the conflict instead.

export interface MyDeviceJumpers {
  /** I/O base: multiple of 0x10, 0x100-0xFFF0. 16 ports are decoded. */
  io: number;
  /** ISA IRQ: 3, 4, 5, 7, 9, 10, 11, 12 or 15. */
  irq: number;
  /** Shared memory base: multiple of 0x4000, 0xC0000-0xEC000. 16 KiB are decoded. */
  mem: number;
}

export const MY_DEVICE_IO_SIZE = 0x10;
export const MY_DEVICE_MEM_SIZE = 0x4000;
export const MY_DEVICE_MAX_CARDS = 4;
export const MY_DEVICE_LEGAL_IRQS: readonly number[] = [3, 4, 5, 7, 9, 10, 11, 12, 15];
const IO_MIN = 0x100;
const IO_MAX = 0xfff0;
const MEM_MIN = 0xc0000;
const MEM_MAX = 0xec000;

export const DEFAULT_JUMPERS: readonly Readonly<MyDeviceJumpers>[] = [
  { io: 0x200, irq: 5, mem: 0xd0000 },
  { io: 0x300, irq: 7, mem: 0xd4000 },
];

/** Problems with one card's jumpers on their own; empty when they are legal. */
export function jumperErrors(card: MyDeviceJumpers, index = 0): string[] {
  const errors: string[] = [];
  const { io, irq, mem } = card;
  if (!Number.isInteger(io) || io % MY_DEVICE_IO_SIZE !== 0 || io < IO_MIN || io > IO_MAX) {
    errors.push(`card ${index}: I/O base ${hex(io)} is not a multiple of 0x10 within 0x100-0xfff0`);
  }
  if (!MY_DEVICE_LEGAL_IRQS.includes(irq)) {
    errors.push(`card ${index}: IRQ ${irq} is not a legal jumper setting (legal: ${MY_DEVICE_LEGAL_IRQS.join(', ')})`);
  }
  if (!Number.isInteger(mem) || mem % MY_DEVICE_MEM_SIZE !== 0 || mem < MEM_MIN || mem > MEM_MAX) {
    errors.push(`card ${index}: shared memory base ${hex(mem)} is not a multiple of 0x4000 within 0xc0000-0xec000`);
  }
  return errors;
}

/** Every configuration error of a machine's cards, each naming the cards involved; empty when fine. */
export function validateCards(cards: readonly MyDeviceJumpers[]): string[] {
  const errors: string[] = [];
  if (cards.length > MY_DEVICE_MAX_CARDS) {
    errors.push(`${cards.length} MY_DEVICE cards configured; a machine holds at most ${MY_DEVICE_MAX_CARDS}`);
  }
  cards.forEach((card, index) => {
    errors.push(...jumperErrors(card, index));
    for (let other = 0; other < index; other++) {
      const earlier = cards[other]!;
      if (overlaps(card.io, earlier.io, MY_DEVICE_IO_SIZE)) {
        errors.push(`card ${index} at I/O ${range(card.io, MY_DEVICE_IO_SIZE)} overlaps card ${other} at ${range(earlier.io, MY_DEVICE_IO_SIZE)}`);
      }
      if (overlaps(card.mem, earlier.mem, MY_DEVICE_MEM_SIZE)) {
        errors.push(`card ${index} at memory ${range(card.mem, MY_DEVICE_MEM_SIZE)} overlaps card ${other} at ${range(earlier.mem, MY_DEVICE_MEM_SIZE)}`);
      }
      if (card.irq === earlier.irq) {
        errors.push(`card ${index} shares IRQ ${card.irq} with card ${other}; each card needs its own IRQ`);
      }
    }
  });
  return errors;
}

function overlaps(a: number, b: number, size: number): boolean {
  return a < b + size && b < a + size;
}

function hex(n: number): string {
  return Number.isInteger(n) ? '0x' + n.toString(16) : String(n);
}

function range(base: number, size: number): string {
  return `${hex(base)}-${hex(base + size - 1)}`;
}
