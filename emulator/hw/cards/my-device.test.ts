// qtest-style: the card is programmed through its ports and shared memory the way a driver would,
// on an IoPortBus + IsaMemory + DualPic, with the VirtualClock advanced explicitly.
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_US, VirtualClock } from '../clock.js';
import { DualPic } from '../intc/i8259.js';
import { IoPortBus } from '../ioport-bus.js';
import { irqLine, type IrqLine } from '../irq.js';
import { IsaMemory } from '../isa-memory.js';
import {
  buildFirmwareImage, checkFirmwareImage, DEFAULT_JUMPERS, firmwareHeaderC, MY_DEVICE_CMD, MY_DEVICE_ERROR, MY_DEVICE_FW,
  MY_DEVICE_REG, MY_DEVICE_REPLY, MY_DEVICE_STATUS, MyDeviceCard, validateCards,
  type MyDeviceEvent, type MyDeviceOptions,
} from './my-device.js';

const IO = 0x200;
const MEM = 0xd0000;
const HOST_BOX = MEM + 0x2000;
const CARD_BOX = MEM + 0x3000;
const { READY, ANSWER, EXIST, BUSY, ERROR, IRQ } = MY_DEVICE_STATUS;

function machine(options: MyDeviceOptions = {}) {
  const clock = new VirtualClock();
  const bus = new IoPortBus();
  const isa = new IsaMemory();
  const pic = new DualPic();
  pic.attach(bus);
  // Linux's init_8259A(), everything unmasked.
  for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01], [0xa0, 0x11], [0xa1, 0x28], [0xa1, 0x02], [0xa1, 0x01], [0x21, 0], [0xa1, 0]] as const) bus.write(port, v, 1);
  const pin = irqLine(pic, 5);
  let edges = 0;
  const line: IrqLine = {
    raise() { if (!pin.level) edges++; pin.raise(); },
    lower() { pin.lower(); },
    get level() { return pin.level; },
  };
  const events: MyDeviceEvent[] = [];
  const errors: string[] = [];
  const card = new MyDeviceCard(clock, line, DEFAULT_JUMPERS[0]!, { onEvent: (e) => events.push(e), onGuestError: (m) => errors.push(m), ...options });
  card.attach(bus, isa);
  const m = {
    clock, bus, isa, pic, card, events, errors,
    get edges() { return edges; },
    inb: (off: number) => bus.read(IO + off, 1),
    outb: (off: number, v: number) => bus.write(IO + off, v, 1),
    ms: (n: number) => clock.advanceBy(Math.round(n * NS_PER_MS)),
    status: () => bus.read(IO + MY_DEVICE_REG.STATUS, 1),
    error: () => bus.read(IO + MY_DEVICE_REG.ERROR, 1),
    ack: () => bus.write(IO + MY_DEVICE_REG.ACK, 1, 1),
    /** The INTA cycle and EOI a kernel would do; returns the vector, or undefined if INTR was low. */
    takeInterrupt: (): number | undefined => {
      if (!pic.intr) return undefined;
      const vector = pic.acknowledge();
      bus.write(0x20, 0x20, 1);
      return vector;
    },
    command: (cmd: number, port: number, payload: number[] | number = []) => {
      const length = typeof payload === 'number' ? payload : payload.length;
      isa.write8(HOST_BOX, cmd);
      isa.write8(HOST_BOX + 1, port);
      isa.write16(HOST_BOX + 2, length);
      if (typeof payload !== 'number') isa.copyIn(HOST_BOX + 4, Uint8Array.from(payload));
      bus.write(IO + MY_DEVICE_REG.DOORBELL, 1, 1);
    },
    reply: () => {
      const status = isa.read8(CARD_BOX);
      const length = isa.read16(CARD_BOX + 2);
      // RX_NOTIFY's length is the count of bytes pending on the port; it carries no payload.
      const payload = status === MY_DEVICE_REPLY.RX_NOTIFY ? [] : Array.from(isa.copyOut(CARD_BOX + 4, length));
      return { status, port: isa.read8(CARD_BOX + 1), length, payload };
    },
    /** The datasheet's start-up sequence with the given delay between the two CONTROL writes. */
    startUp: (delayMs = 450, image: Uint8Array = MY_DEVICE_FW) => {
      bus.write(IO, 0, 1);
      isa.copyIn(MEM + 0x1000, image);
      clock.advanceBy(delayMs * NS_PER_MS);
      bus.write(IO, 1, 1);
    },
  };
  return m;
}

/** A card that has started, taken its ready interrupt and been ACKed. */
function running(options: MyDeviceOptions = {}) {
  const m = machine(options);
  m.startUp();
  m.ms(50);
  m.takeInterrupt();
  m.ack();
  return m;
}

describe('MyDeviceCard registers and ROM', () => {
  it('claims 16 ports and the 16 KiB window under its name', () => {
    const m = machine();
    expect(m.bus.claims()).toContainEqual({ base: 0x200, length: 16, owner: 'my_device' });
    expect(m.isa.regions()).toEqual([{ base: 0xd0000, size: 0x4000, owner: 'my_device' }]);
  });

  it('reads ID 0xA5, STATUS EXIST only, MEM_PAGE 0xD0 and 0 in reserved registers', () => {
    const m = machine();
    expect(m.inb(MY_DEVICE_REG.ID)).toBe(0xa5);
    expect(m.status()).toBe(EXIST);
    expect(m.inb(MY_DEVICE_REG.MEM_PAGE)).toBe(0xd0);
    expect(m.inb(MY_DEVICE_REG.FW_VERSION)).toBe(0);
    expect(m.error()).toBe(0);
    for (let off = 9; off < 16; off++) expect(m.inb(off)).toBe(0);
    m.outb(12, 0x55);
    expect(m.inb(12)).toBe(0);
  });

  it('MEM_PAGE follows the jumper', () => {
    const clock = new VirtualClock();
    const card = new MyDeviceCard(clock, irqLine({ setIrq() {} }, 7), { io: 0x300, irq: 7, mem: 0xec000 });
    const bus = new IoPortBus();
    card.attach(bus, new IsaMemory());
    expect(bus.read(0x308, 1)).toBe(0xec);
  });

  it('floats where nothing is decoded: an empty I/O slot reads 0xFF, so does unmapped ISA memory', () => {
    const m = machine();
    expect(m.bus.read(0x300 + MY_DEVICE_REG.ID, 1)).toBe(0xff);
    expect(m.bus.read(0x210, 1)).toBe(0xff);
    expect(m.isa.read8(0xd4000)).toBe(0xff);
    expect(m.isa.read8(0xcffff)).toBe(0xff);
  });

  it('has "MY_DEVICE\\0" and revision 0x01 in ROM, read-only, and a zero reserved area', () => {
    const m = machine();
    const rom = m.isa.copyOut(MEM, 16);
    expect(String.fromCharCode(...rom.subarray(0, 9))).toBe('MY_DEVICE');
    expect(rom[9]).toBe(0);
    expect(rom[10]).toBe(0x01);
    m.isa.write8(MEM, 0x41);
    m.isa.copyIn(MEM + 0xff0, new Uint8Array(32).fill(0x77));
    expect(m.isa.read8(MEM)).toBe(0x4d);
    expect(m.isa.read8(MEM + 0xfff)).toBe(0);
    expect(m.isa.read8(MEM + 0x1000)).toBe(0x77);
    expect(m.isa.read8(MEM + 0x800)).toBe(0);
  });

  it('logs writes to read-only registers as guest errors', () => {
    const m = machine();
    m.outb(MY_DEVICE_REG.ID, 1);
    expect(m.errors).toEqual(['my_device at 0x200: write of 0x01 to read-only register ID (port 0x201) ignored']);
  });
});

describe('MyDeviceCard start-up', () => {
  it('RUN=1 300 ms after CONTROL=0 is too early: ERROR=1 TIMING, never READY', () => {
    const m = machine();
    m.startUp(300);
    expect(m.error()).toBe(MY_DEVICE_ERROR.TIMING);
    expect(m.status()).toBe(EXIST | ERROR);
    m.ms(1000);
    expect(m.status() & READY).toBe(0);
    expect(m.edges).toBe(0);
  });

  it('RUN=1 600 ms after CONTROL=0 is too late: ERROR=1', () => {
    const m = machine();
    m.startUp(600);
    expect(m.error()).toBe(MY_DEVICE_ERROR.TIMING);
    m.ms(100);
    expect(m.status() & READY).toBe(0);
  });

  it('the window is 400-500 ms inclusive, to the nanosecond', () => {
    for (const [delayNs, ok] of [[400 * NS_PER_MS - 1, false], [400 * NS_PER_MS, true], [500 * NS_PER_MS, true], [500 * NS_PER_MS + 1, false]] as const) {
      const m = machine();
      m.outb(0, 0);
      m.isa.copyIn(MEM + 0x1000, MY_DEVICE_FW);
      m.clock.advanceBy(delayNs);
      m.outb(0, 1);
      expect(m.error()).toBe(ok ? 0 : MY_DEVICE_ERROR.TIMING);
    }
  });

  it('RUN=1 without a CONTROL=0 first is a TIMING error; a TIMING error needs a new CONTROL=0', () => {
    const m = machine();
    m.outb(0, 1);
    expect(m.error()).toBe(MY_DEVICE_ERROR.TIMING);
    m.startUp(300);
    m.ms(150);
    m.outb(0, 1); // 450 ms after the reset, but the failed start closed the window
    expect(m.error()).toBe(MY_DEVICE_ERROR.TIMING);
  });

  it('a good start at 450 ms: READY exactly 50 ms later with FW_VERSION and the ready interrupt', () => {
    const m = machine();
    m.startUp(450);
    expect(m.status()).toBe(EXIST);
    m.clock.advanceBy(50 * NS_PER_MS - 1);
    expect(m.status()).toBe(EXIST);
    expect(m.edges).toBe(0);
    m.clock.advanceBy(1);
    expect(m.status()).toBe(EXIST | READY | ANSWER | IRQ);
    expect(m.inb(MY_DEVICE_REG.FW_VERSION)).toBe(1);
    expect(m.edges).toBe(1);
    expect(m.reply()).toEqual({ status: MY_DEVICE_REPLY.READY, port: 0, length: 0, payload: [] });
    expect(m.takeInterrupt()).toBe(0x25);
    m.ack();
    expect(m.status()).toBe(EXIST | READY);
    expect(m.pic.master.lines & 0x20).toBe(0);
    expect(m.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['start-window', 'starting', 'running', 'answering', 'ack']));
  });

  it('bad firmware (corrupt byte, wrong magic, nothing loaded) gives ERROR=2 and no READY', () => {
    const corrupt = MY_DEVICE_FW.slice();
    corrupt[100] = corrupt[100]! ^ 1;
    const badMagic = MY_DEVICE_FW.slice();
    badMagic[0] = 0x4e;
    for (const image of [corrupt, badMagic, new Uint8Array(0)]) {
      const m = machine();
      m.startUp(450, image);
      expect(m.error()).toBe(MY_DEVICE_ERROR.BAD_FIRMWARE);
      m.ms(100);
      expect(m.status()).toBe(EXIST | ERROR);
      expect(m.inb(MY_DEVICE_REG.FW_VERSION)).toBe(0);
    }
  });

  it('CONTROL=0 while booting cancels the pending READY and reopens the window', () => {
    const m = machine();
    m.startUp();
    m.ms(30);
    m.outb(0, 0);
    m.ms(100);
    expect(m.status()).toBe(EXIST);
    expect(m.edges).toBe(0);
    m.ms(350);
    m.outb(0, 1);
    m.ms(50);
    expect(m.status() & READY).toBe(READY);
  });

  it('reports state changes on the timeline with their virtual time', () => {
    const m = machine();
    m.startUp(300);
    expect(m.events.map(({ kind, timeNs }) => ({ kind, timeNs }))).toEqual([
      { kind: 'start-window', timeNs: 0 },
      { kind: 'error', timeNs: 300 * NS_PER_MS },
      { kind: 'halted', timeNs: 300 * NS_PER_MS },
    ]);
    expect(m.events[1]!.detail).toBe('ERROR=1 TIMING: CONTROL=1 300 ms after CONTROL=0, outside the 400-500 ms window');
  });

  it('firmwareCheck: false accepts any image', () => {
    const m = machine({ firmwareCheck: false });
    m.startUp(450, new Uint8Array([1, 2, 3]));
    m.ms(50);
    expect(m.status() & READY).toBe(READY);
  });

  it('CONTROL=0 halts a running card and clears ERROR, ANSWER, READY and the line', () => {
    const m = machine();
    m.startUp();
    m.ms(50);
    m.outb(MY_DEVICE_REG.PORT_SELECT, 9); // guest error, no effect on STATUS
    m.command(0x77, 0);
    m.ms(20);
    expect(m.status()).toBe(EXIST | READY | ANSWER | ERROR | IRQ);
    m.outb(0, 0);
    expect(m.status()).toBe(EXIST);
    expect(m.error()).toBe(0);
    expect(m.pic.master.lines & 0x20).toBe(0);
  });
});

describe('MyDeviceCard commands', () => {
  it('WRITE then READ round-trips through the loopback, each taking 20 ms + 10 us per payload byte', () => {
    const m = running();
    const data = Array.from('hello, world', (c) => c.charCodeAt(0));
    const t0 = m.clock.now;
    m.command(MY_DEVICE_CMD.WRITE, 2, data);
    expect(m.status()).toBe(EXIST | READY | BUSY);
    m.outb(MY_DEVICE_REG.PORT_SELECT, 2);
    expect(m.inb(MY_DEVICE_REG.PORT_STATUS)).toBe(2);
    const writeNs = 20 * NS_PER_MS + 12 * 10 * NS_PER_US;
    m.clock.advanceTo(t0 + writeNs - 1);
    expect(m.status() & BUSY).toBe(BUSY);
    expect(m.edges).toBe(1);
    m.clock.advanceTo(t0 + writeNs);
    expect(m.status()).toBe(EXIST | READY | ANSWER | IRQ);
    expect(m.edges).toBe(2);
    expect(m.inb(MY_DEVICE_REG.PORT_STATUS)).toBe(1);
    expect(m.reply()).toEqual({ status: 0, port: 2, length: 0, payload: [] });
    m.takeInterrupt();
    m.ack();

    const t1 = m.clock.now;
    m.command(MY_DEVICE_CMD.READ, 2, 100);
    m.clock.advanceTo(t1 + writeNs - 1);
    expect(m.status() & ANSWER).toBe(0);
    m.clock.advanceTo(t1 + writeNs); // 12 bytes come back, so the same latency
    expect(m.reply()).toEqual({ status: 0, port: 2, length: 12, payload: data });
    m.ack();

    m.command(MY_DEVICE_CMD.PORT_INFO, 2);
    m.ms(20);
    expect(m.reply()).toEqual({ status: 0, port: 2, length: 8, payload: [0, 0, 0, 0, 12, 0, 0, 0] });
  });

  it('the host may reuse the mailbox while BUSY: the command was copied at the doorbell', () => {
    const m = running();
    m.command(MY_DEVICE_CMD.WRITE, 0, [1, 2, 3]);
    m.isa.copyIn(HOST_BOX, new Uint8Array([0x02, 0x03, 0xff, 0xff, 9, 9, 9]));
    m.ms(21);
    m.ack();
    m.command(MY_DEVICE_CMD.READ, 0, 10);
    m.ms(21);
    expect(m.reply().payload).toEqual([1, 2, 3]);
  });

  it('RESET_PORT empties the receive buffer; the port buffers 4096 bytes and counts what it drops', () => {
    const m = running();
    m.card.receive(1, new Uint8Array(4000));
    m.ack();
    expect(m.card.receive(1, new Uint8Array(200))).toBe(96);
    expect(m.card.state.ports[1]!.rxDropped).toBe(104);
    m.outb(MY_DEVICE_REG.PORT_SELECT, 1);
    expect(m.inb(MY_DEVICE_REG.PORT_STATUS)).toBe(3);
    m.ack();
    m.command(MY_DEVICE_CMD.RESET_PORT, 1);
    m.ms(20);
    expect(m.inb(MY_DEVICE_REG.PORT_STATUS)).toBe(1);
    m.ack();
    m.command(MY_DEVICE_CMD.PORT_INFO, 1);
    m.ms(20);
    expect(m.reply().payload).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('an unknown command answers BAD_COMMAND (0x03) and sets ERROR=3', () => {
    const m = running();
    m.command(0x09, 0);
    m.ms(20);
    expect(m.reply()).toMatchObject({ status: MY_DEVICE_REPLY.BAD_COMMAND, port: 0, length: 0 });
    expect(m.error()).toBe(MY_DEVICE_ERROR.BAD_COMMAND);
    expect(m.status() & ERROR).toBe(ERROR);
  });

  it('port 4 answers BAD_PORT (0x04) and sets ERROR=4', () => {
    const m = running();
    m.command(MY_DEVICE_CMD.READ, 4, 10);
    m.ms(20);
    expect(m.reply()).toMatchObject({ status: MY_DEVICE_REPLY.BAD_PORT, port: 4, length: 0 });
    expect(m.error()).toBe(MY_DEVICE_ERROR.BAD_PORT);
  });

  it('doorbell while BUSY: ERROR=5 OVERRUN and the command is ignored', () => {
    const m = running();
    m.command(MY_DEVICE_CMD.WRITE, 0, [1]);
    m.ms(5);
    m.command(MY_DEVICE_CMD.WRITE, 0, [2, 3]);
    expect(m.error()).toBe(MY_DEVICE_ERROR.OVERRUN);
    m.ms(20);
    expect(m.card.state.ports[0]!.rx).toEqual([1]);
  });

  it('doorbell before READY: ERROR=6 NOT_READY (halted and while booting)', () => {
    const m = machine();
    m.command(MY_DEVICE_CMD.WRITE, 0, [1]);
    expect(m.error()).toBe(MY_DEVICE_ERROR.NOT_READY);
    m.startUp();
    m.ms(10);
    m.command(MY_DEVICE_CMD.WRITE, 0, [1]);
    expect(m.error()).toBe(MY_DEVICE_ERROR.NOT_READY);
    expect(m.status() & BUSY).toBe(0);
  });
});

describe('MyDeviceCard interrupt protocol', () => {
  it('no new edge until ACK; the later reply is still written; ACK drops the line', () => {
    const m = machine();
    m.startUp();
    m.ms(50); // ready interrupt, never ACKed
    expect(m.edges).toBe(1);
    m.command(MY_DEVICE_CMD.WRITE, 3, [7]);
    m.ms(20.01);
    expect(m.edges).toBe(1);
    expect(m.reply()).toEqual({ status: 0, port: 3, length: 0, payload: [] });
    expect(m.status()).toBe(EXIST | READY | ANSWER | IRQ);
    m.ack();
    expect(m.status()).toBe(EXIST | READY);
    m.command(MY_DEVICE_CMD.READ, 3, 1);
    m.ms(20.01);
    expect(m.edges).toBe(2);
  });

  it('an interrupt unacknowledged for 1 s sets ERROR=7 NO_ACK', () => {
    const m = machine();
    m.startUp();
    m.ms(50);
    m.clock.advanceBy(1000 * NS_PER_MS - 1);
    expect(m.error()).toBe(0);
    m.clock.advanceBy(1);
    expect(m.error()).toBe(MY_DEVICE_ERROR.NO_ACK);
    expect(m.status()).toBe(EXIST | READY | ANSWER | ERROR | IRQ);
  });

  it('ACK in time cancels the NO_ACK timer', () => {
    const m = running();
    m.ms(5000);
    expect(m.error()).toBe(0);
  });

  it('receive() buffers bytes and raises RX_NOTIFY with the pending count', () => {
    const m = running();
    expect(m.card.receive(1, [0x61, 0x62, 0x63])).toBe(3);
    expect(m.edges).toBe(2);
    expect(m.reply()).toEqual({ status: MY_DEVICE_REPLY.RX_NOTIFY, port: 1, length: 3, payload: [] });
    expect(m.takeInterrupt()).toBe(0x25);
    m.ack();
    m.card.receive(1, [0x64]);
    expect(m.reply().length).toBe(4);
    m.ack();
    m.command(MY_DEVICE_CMD.READ, 1, 2);
    m.ms(20.02);
    expect(m.reply()).toEqual({ status: 0, port: 1, length: 2, payload: [0x61, 0x62] });
  });

  it('receive() before READY drops the bytes', () => {
    const m = machine();
    expect(m.card.receive(0, [1, 2])).toBe(0);
    expect(m.edges).toBe(0);
    expect(() => m.card.receive(4, [1])).toThrow(RangeError);
  });
});

describe('MyDeviceCard fault injection', () => {
  it('extra latency delays the reply', () => {
    const m = running({ faults: { extraLatencyNs: 30 * NS_PER_MS } });
    m.command(MY_DEVICE_CMD.PORT_INFO, 0);
    m.ms(49);
    expect(m.status() & ANSWER).toBe(0);
    m.ms(1);
    expect(m.status() & ANSWER).toBe(ANSWER);
    expect(m.events.some((e) => e.kind === 'fault' && e.detail.includes('extra latency'))).toBe(true);
  });

  it('lost interrupts: reply written and ANSWER set, no edge; deterministic for a seed', () => {
    const lost = (seed: number): number[] => {
      const m = running({ seed });
      m.card.setFaults({ lostIrqProbability: 0.5 });
      const pattern: number[] = [];
      for (let i = 0; i < 16; i++) {
        const before = m.edges;
        m.command(MY_DEVICE_CMD.PORT_INFO, 0);
        m.ms(20);
        expect(m.status() & ANSWER).toBe(ANSWER);
        pattern.push(m.edges - before);
        m.ack();
      }
      return pattern;
    };
    const a = lost(1);
    expect(a).toEqual(lost(1));
    expect(a).toContain(0);
    expect(a).toContain(1);
    const all = running({ faults: { lostIrqProbability: 1 } });
    all.command(MY_DEVICE_CMD.PORT_INFO, 0);
    all.ms(20);
    expect(all.status()).toBe(EXIST | READY | ANSWER);
  });

  it('stuck BUSY: STATUS.BUSY stays set and every doorbell is an OVERRUN', () => {
    const m = running();
    m.card.setFaults({ stuckBusy: true });
    expect(m.status() & BUSY).toBe(BUSY);
    m.command(MY_DEVICE_CMD.PORT_INFO, 0);
    expect(m.error()).toBe(MY_DEVICE_ERROR.OVERRUN);
    m.card.setFaults({ stuckBusy: false });
    expect(m.status() & BUSY).toBe(0);
  });

  it('spurious interrupts at a rate: IRQ without ANSWER, one edge per period while ACKed', () => {
    const m = running();
    m.card.setFaults({ spuriousIrqPerSec: 10 });
    const before = m.edges;
    for (let i = 0; i < 10; i++) {
      m.ms(100);
      expect(m.status()).toBe(EXIST | READY | IRQ);
      m.ack();
    }
    expect(m.edges - before).toBe(10);
    m.card.setFaults({ spuriousIrqPerSec: 0 });
    m.ms(1000);
    expect(m.edges - before).toBe(10);
  });

  it('firmware crash after N commands: READY drops and ERROR=2', () => {
    const m = running({ faults: { crashAfterCommands: 2 } });
    m.command(MY_DEVICE_CMD.PORT_INFO, 0);
    m.ms(20);
    m.ack();
    expect(m.status() & READY).toBe(READY);
    m.command(MY_DEVICE_CMD.PORT_INFO, 0);
    m.ms(20);
    expect(m.status() & READY).toBe(0);
    expect(m.error()).toBe(MY_DEVICE_ERROR.BAD_FIRMWARE);
    expect(m.inb(MY_DEVICE_REG.FW_VERSION)).toBe(0);
    m.ack();
    m.command(MY_DEVICE_CMD.PORT_INFO, 0);
    expect(m.error()).toBe(MY_DEVICE_ERROR.NOT_READY);
    expect(m.events.some((e) => e.kind === 'fault' && e.detail.includes('crash'))).toBe(true);
  });
});

describe('MyDeviceCard snapshot', () => {
  it('restores a card mid-command, including the pending completion', () => {
    const m = running();
    m.command(MY_DEVICE_CMD.WRITE, 0, [5, 6]);
    m.ms(10);
    const snap = JSON.parse(JSON.stringify(m.card.saveState())) as ReturnType<MyDeviceCard['saveState']>;
    m.card.reset();
    expect(m.status()).toBe(EXIST);
    m.card.loadState(snap);
    expect(m.status()).toBe(EXIST | READY | BUSY);
    m.ms(10.02);
    expect(m.status()).toBe(EXIST | READY | ANSWER | IRQ);
    expect(m.card.state.ports[0]!.rx).toEqual([5, 6]);
  });
});

describe('firmware image', () => {
  it('MY_DEVICE_FW is valid: MDFW, version 1, 256-byte body, bytes sum to 0 mod 256', () => {
    expect(MY_DEVICE_FW.length).toBe(264);
    expect(String.fromCharCode(...MY_DEVICE_FW.subarray(0, 4))).toBe('MDFW');
    expect(MY_DEVICE_FW[4]).toBe(1);
    expect(MY_DEVICE_FW[5]! | (MY_DEVICE_FW[6]! << 8)).toBe(256);
    expect(MY_DEVICE_FW.reduce((a, b) => a + b, 0) % 256).toBe(0);
    expect(checkFirmwareImage(MY_DEVICE_FW)).toEqual({ ok: true, version: 1, size: 264 });
    expect(checkFirmwareImage(buildFirmwareImage(7, new Uint8Array([1, 2, 3])))).toEqual({ ok: true, version: 7, size: 11 });
  });

  it('a new firmware version is reported in FW_VERSION', () => {
    const m = machine();
    m.startUp(450, buildFirmwareImage(3));
    m.ms(50);
    expect(m.inb(MY_DEVICE_REG.FW_VERSION)).toBe(3);
  });

  it('firmwareHeaderC() is the C header the drivers include', () => {
    const text = firmwareHeaderC();
    expect(text).toContain('static const unsigned char my_device_fw[] = {');
    expect(text).toContain('#define MY_DEVICE_FW_SIZE 264');
    expect(text).toContain('\t0x4d, 0x44, 0x46, 0x57, 0x01, 0x00, 0x01,');
    const bytes = [...text.matchAll(/0x([0-9a-f]{2}),/g)].map((x) => parseInt(x[1]!, 16));
    expect(bytes).toEqual(Array.from(MY_DEVICE_FW));
  });
});

describe('validateCards', () => {
  it('accepts the defaults and an empty machine', () => {
    expect(validateCards([...DEFAULT_JUMPERS])).toEqual([]);
    expect(validateCards([])).toEqual([]);
    expect(DEFAULT_JUMPERS).toEqual([{ io: 0x200, irq: 5, mem: 0xd0000 }, { io: 0x300, irq: 7, mem: 0xd4000 }]);
  });

  it('names overlapping I/O ranges and memory windows, and shared IRQs', () => {
    expect(validateCards([{ io: 0x200, irq: 5, mem: 0xd0000 }, { io: 0x200, irq: 5, mem: 0xd0000 }])).toEqual([
      'card 1 at I/O 0x200-0x20f overlaps card 0 at 0x200-0x20f',
      'card 1 at memory 0xd0000-0xd3fff overlaps card 0 at 0xd0000-0xd3fff',
      'card 1 shares IRQ 5 with card 0; each card needs its own IRQ',
    ]);
  });

  it('refuses illegal jumpers', () => {
    expect(validateCards([{ io: 0x208, irq: 6, mem: 0xd2000 }])).toEqual([
      'card 0: I/O base 0x208 is not a multiple of 0x10 within 0x100-0xfff0',
      'card 0: IRQ 6 is not a legal jumper setting (legal: 3, 4, 5, 7, 9, 10, 11, 12, 15)',
      'card 0: shared memory base 0xd2000 is not a multiple of 0x4000 within 0xc0000-0xec000',
    ]);
    expect(validateCards([{ io: 0xf0, irq: 2, mem: 0xf0000 }])).toHaveLength(3);
    for (const irq of [3, 4, 5, 7, 9, 10, 11, 12, 15]) expect(validateCards([{ io: 0x100, irq, mem: 0xec000 }])).toEqual([]);
    for (const irq of [0, 1, 2, 6, 8, 13, 14, 16]) expect(validateCards([{ io: 0xfff0, irq, mem: 0xc0000 }])).toHaveLength(1);
  });

  it('refuses more than 4 cards', () => {
    const cards = [0, 1, 2, 3, 4].map((i) => ({ io: 0x200 + 0x10 * i, irq: [3, 4, 5, 7, 9][i]!, mem: 0xc0000 + 0x4000 * i }));
    expect(validateCards(cards.slice(0, 4))).toEqual([]);
    expect(validateCards(cards)).toEqual(['5 MY_DEVICE cards configured; a machine holds at most 4']);
  });
});
