// Fuzzing MY_DEVICE from the driver's side, qtest-style: whatever a driver writes into the host
// mailbox's header {cmd, port, length} and payload, whatever it writes to the registers and in
// whatever order, the card answers by its datasheet (a reply of at most 4092 bytes, or
// BAD_COMMAND / BAD_PORT and the ERROR register) or reports a guest error; it never throws.
// And the firmware image a driver downloads is accepted or refused with a reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, VirtualClock } from '../../emulator/hw/clock.js';
import { DualPic } from '../../emulator/hw/intc/i8259.js';
import { IoPortBus } from '../../emulator/hw/ioport-bus.js';
import { irqLine } from '../../emulator/hw/irq.js';
import { IsaMemory } from '../../emulator/hw/isa-memory.js';
import { checkFirmwareImage } from '../../emulator/hw/cards/my-device-firmware.js';
import { DEFAULT_JUMPERS, MY_DEVICE_CMD, MY_DEVICE_FW, MY_DEVICE_REG, MY_DEVICE_REPLY, MyDeviceCard } from '../../emulator/hw/cards/my-device.js';
import { applyMutation, bounded, check, isClearMessage, mutation } from './harness.js';

const IO = DEFAULT_JUMPERS[0]!.io;
const MEM = DEFAULT_JUMPERS[0]!.mem;
const HOST_BOX = MEM + 0x2000;
const CARD_BOX = MEM + 0x3000;
const MAX_PAYLOAD = 4092;

function bench() {
  const clock = new VirtualClock();
  const bus = new IoPortBus();
  const isa = new IsaMemory();
  const pic = new DualPic();
  pic.attach(bus);
  const errors: string[] = [];
  const card = new MyDeviceCard(clock, irqLine(pic, DEFAULT_JUMPERS[0]!.irq), DEFAULT_JUMPERS[0]!, { onGuestError: (m) => errors.push(m) });
  card.attach(bus, isa);
  // The datasheet's start-up: stop, download the firmware, wait, run.
  bus.write(IO, 0, 1);
  isa.copyIn(MEM + 0x1000, MY_DEVICE_FW);
  clock.advanceBy(450 * NS_PER_MS);
  bus.write(IO, 1, 1);
  clock.advanceBy(50 * NS_PER_MS);
  bus.write(IO + MY_DEVICE_REG.ACK, 1, 1);
  return { clock, bus, isa, errors };
}

type Step =
  | { kind: 'header'; cmd: number; port: number; length: number }
  | { kind: 'payload'; bytes: number[] }
  | { kind: 'outb'; reg: number; value: number }
  | { kind: 'inb'; reg: number }
  | { kind: 'mem'; offset: number; value: number }
  | { kind: 'wait'; us: number };

const byte = fc.integer({ min: 0, max: 255 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({
    kind: fc.constant('header' as const),
    cmd: fc.oneof(fc.constantFrom(...Object.values(MY_DEVICE_CMD)), byte),
    port: fc.oneof(fc.integer({ min: 0, max: 4 }), byte),
    length: fc.oneof(fc.integer({ min: 0, max: 16 }), fc.constantFrom(MAX_PAYLOAD, MAX_PAYLOAD + 1, 0xffff), fc.integer({ min: 0, max: 0xffff })),
  }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('payload' as const), bytes: fc.array(byte, { maxLength: 16 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('outb' as const), reg: fc.integer({ min: 0, max: 9 }), value: fc.oneof(fc.constantFrom(0, 1), byte) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('inb' as const), reg: fc.integer({ min: 0, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mem' as const), offset: fc.integer({ min: 0, max: 0x3fff }), value: byte }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), us: fc.integer({ min: 0, max: 20_000 }) }) },
);

describe('MY_DEVICE driven by any driver', () => {
  it('answers any mailbox header and register sequence by its datasheet, or reports a guest error', () => {
    check(fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const m = bench();
      bounded('the card', () => {
        for (const s of steps) {
          switch (s.kind) {
            case 'header':
              m.isa.write8(HOST_BOX, s.cmd);
              m.isa.write8(HOST_BOX + 1, s.port);
              m.isa.write16(HOST_BOX + 2, s.length);
              m.bus.write(IO + MY_DEVICE_REG.DOORBELL, 1, 1);
              break;
            case 'payload': m.isa.copyIn(HOST_BOX + 4, Uint8Array.from(s.bytes)); break;
            case 'outb': m.bus.write(IO + s.reg, s.value, 1); break;
            case 'inb': { const v = m.bus.read(IO + s.reg, 1); expect(v >= 0 && v <= 0xff).toBe(true); break; }
            case 'mem': m.isa.write8(MEM + s.offset, s.value); break;
            case 'wait': m.clock.advanceBy(s.us * 1000); break;
          }
        }
        m.clock.advanceBy(100 * NS_PER_MS);
      });
      const status = m.isa.read8(CARD_BOX);
      const length = m.isa.read16(CARD_BOX + 2);
      if (status !== MY_DEVICE_REPLY.RX_NOTIFY) expect(length).toBeLessThanOrEqual(MAX_PAYLOAD);
      for (const e of m.errors) expect(isClearMessage(e)).toBe(true);
    }), 400);
  });

  it('accepts a downloaded firmware image or says why not, whatever its bytes', () => {
    check(fc.property(mutation(MY_DEVICE_FW.length, { truncate: true }), (mu) => {
      const r = checkFirmwareImage(applyMutation(MY_DEVICE_FW, mu));
      if (!r.ok) expect(isClearMessage(r.reason)).toBe(true);
    }), 400);
  });
});
