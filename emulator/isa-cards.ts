// The machine's ISA slots: MY_DEVICE cards as the machine configuration sets their jumpers, checked
// before power-on and plugged into the port bus, the ISA memory hole and the PIC.
// (shared/design/my_device-datasheet.md, "Jumpers".)
import type { VirtualClock } from './hw/clock.js';
import type { IoPortBus } from './hw/ioport-bus.js';
import type { DualPic } from './hw/intc/i8259.js';
import type { IsaMemory } from './hw/isa-memory.js';
import { irqLine } from './hw/irq.js';
import {
  DEFAULT_JUMPERS, MyDeviceCard, validateCards, type MyDeviceFaults, type MyDeviceJumpers,
} from './hw/cards/my-device.js';

/** One MY_DEVICE card of a machine. Jumpers left out take the datasheet's default for its slot. */
export interface CardConfig extends Partial<MyDeviceJumpers> {
  /** false skips the firmware checks (early labs). Default true. */
  firmwareCheck?: boolean;
  /** Fault injection (datasheet, "Fault injection"); off by default. */
  faults?: Partial<MyDeviceFaults>;
}

/** A machine without a `cards` entry holds one card with the datasheet's card-0 jumpers. */
export const DEFAULT_CARDS: readonly CardConfig[] = [{}];

/** A machine configuration that cannot be powered on; the message names every conflict. */
export class MachineConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`machine configuration error: ${problems.join('; ')}`);
    this.name = 'MachineConfigError';
  }
}

/** The jumpers of each card, defaults filled in; throws MachineConfigError naming what is wrong. */
export function cardJumpers(cards: readonly CardConfig[]): MyDeviceJumpers[] {
  const problems: string[] = [];
  const jumpers = cards.map((card, index) => {
    const fallback = DEFAULT_JUMPERS[index];
    const { io = fallback?.io, irq = fallback?.irq, mem = fallback?.mem } = card;
    const missing = Object.entries({ io, irq, mem }).filter(([, v]) => v === undefined).map(([name]) => name);
    if (missing.length) problems.push(`card ${index}: no default jumpers for this slot; set ${missing.join(', ')}`);
    return { io: io ?? NaN, irq: irq ?? NaN, mem: mem ?? NaN };
  });
  if (!problems.length) problems.push(...validateCards(jumpers));
  if (problems.length) throw new MachineConfigError(problems);
  return jumpers;
}

export interface IsaSlots {
  clock: VirtualClock;
  bus: IoPortBus;
  pic: DualPic;
  isa: IsaMemory;
  seed: number;
}

/**
 * Validates the cards, then plugs each one in. The card never reads its IRQ jumper itself: the
 * slot wires its interrupt line to the PIC input the jumper selects.
 */
export function plugCards(cards: readonly CardConfig[], slots: IsaSlots): MyDeviceCard[] {
  return cardJumpers(cards).map((jumpers, index) => {
    const config = cards[index]!;
    const card = new MyDeviceCard(slots.clock, irqLine(slots.pic, jumpers.irq), jumpers, {
      name: cards.length > 1 ? `my_device${index}` : 'my_device',
      seed: slots.seed + index,
      firmwareCheck: config.firmwareCheck,
      faults: config.faults,
    });
    card.attach(slots.bus, slots.isa);
    return card;
  });
}
