// MY_DEVICE, the intelligent multiport card of the 1998 driver article: its own CPU, four
// loopback ports, 16 I/O ports and a 16 KiB shared-memory window set by jumpers, firmware the host
// downloads at start-up, and a mailbox protocol with one interrupt per reply.
//
// Reference: shared/design/my_device-datasheet.md (the contract every lab depends on; every number
// below comes from it). Structure follows QEMU's hw/misc/edu.c: state type, register constants,
// read/write with a switch over registers, reset, a named and versioned snapshot.
//
// Choices the datasheet leaves open, made here once (the kernel author should know them):
// * A command is decoded when the doorbell rings: the header and a WRITE's payload are copied out of
//   the host mailbox then, so the host may reuse the mailbox while BUSY. Its effect (loopback
//   bytes arriving, READ bytes leaving the receive buffer) happens when it completes.
// * "Payload bytes" for the latency are the bytes a command carries through a mailbox: a WRITE's
//   length, a READ's reply length (fixed at the doorbell as min(length, pending, 4092)), 0 otherwise.
// * BAD_COMMAND / BAD_PORT also take the 20 ms, set ERROR=3 / 4 and answer with status 0x03 / 0x04.
//   A WRITE longer than 4092 bytes is a BAD_COMMAND.
// * The card mailbox holds one reply; a later reply (or RX_NOTIFY) overwrites an unread one.
// * Firmware is checked at the RUN=1 write (inside the window); ERROR=2 shows at once.
// * RESET_PORT clears the receive buffer and its drop count; tx_total keeps counting.
// * PORT_STATUS is 3 ERROR once received bytes were dropped (until RESET_PORT or CONTROL=0).
// * receive() while the firmware is not running drops the bytes (nobody is there to buffer them).
// * A spurious interrupt raises the line and sets STATUS.IRQ without ANSWER; it must be ACKed too.
// * ACK only drops the line and clears ANSWER; an ERROR code stays until CONTROL=0.

import { NS_PER_MS, NS_PER_SEC, NS_PER_US, type EventHandle, type VirtualClock } from '../clock.js';
import type { IoPortBus, PortSize } from '../ioport-bus.js';
import type { IrqLine } from '../irq.js';
import type { IsaMemory, MemRegion } from '../isa-memory.js';
import type { CardState } from '../../events.js';
import { checkFirmwareImage, FW_MAX_IMAGE_SIZE } from './my-device-firmware.js';
import { MY_DEVICE_IO_SIZE, MY_DEVICE_MEM_SIZE, type MyDeviceJumpers } from './my-device-jumpers.js';

export * from './my-device-firmware.js';
export * from './my-device-jumpers.js';

/** I/O registers, as offsets from the I/O base. */
export const MY_DEVICE_REG = {
  CONTROL: 0, STATUS: 0, ID: 1, DOORBELL: 2, ACK: 3, ERROR: 4,
  PORT_SELECT: 5, PORT_STATUS: 6, FW_VERSION: 7, MEM_PAGE: 8,
} as const;

export const MY_DEVICE_CONTROL_RUN = 0x01;
export const MY_DEVICE_ID = 0xa5;
/** The value DOORBELL and ACK expect (bit 0). */
export const MY_DEVICE_KNOCK = 0x01;

export const MY_DEVICE_STATUS = {
  READY: 0x01, ANSWER: 0x02, EXIST: 0x10, BUSY: 0x20, ERROR: 0x40, IRQ: 0x80,
} as const;

export const MY_DEVICE_ERROR = {
  NONE: 0, TIMING: 1, BAD_FIRMWARE: 2, BAD_COMMAND: 3, BAD_PORT: 4, OVERRUN: 5, NOT_READY: 6, NO_ACK: 7,
} as const;

export const MY_DEVICE_PORT_STATE = { IDLE: 1, BUSY: 2, ERROR: 3 } as const;

/** Host mailbox command bytes. */
export const MY_DEVICE_CMD = { WRITE: 0x01, READ: 0x02, PORT_INFO: 0x03, RESET_PORT: 0x04 } as const;

/** Card mailbox status bytes. */
export const MY_DEVICE_REPLY = { OK: 0x00, BAD_COMMAND: 0x03, BAD_PORT: 0x04, RX_NOTIFY: 0x80, READY: 0xff } as const;

/** Offsets in the shared-memory window. */
export const MY_DEVICE_MEM = {
  ROM: 0x0000, FIRMWARE: 0x1000, HOST_MAILBOX: 0x2000, CARD_MAILBOX: 0x3000, SIZE: MY_DEVICE_MEM_SIZE,
} as const;

export const MY_DEVICE_ROM_SIGNATURE = 'MY_DEVICE';
export const MY_DEVICE_REVISION = 0x01;
export const MY_DEVICE_PORTS = 4;
export const MY_DEVICE_MAILBOX_HEADER = 4;
export const MY_DEVICE_MAX_PAYLOAD = 0x1000 - MY_DEVICE_MAILBOX_HEADER;
export const MY_DEVICE_RX_BUFFER = 4096;

export const MY_DEVICE_START_WINDOW_MIN_NS = 400 * NS_PER_MS;
export const MY_DEVICE_START_WINDOW_MAX_NS = 500 * NS_PER_MS;
export const MY_DEVICE_BOOT_NS = 50 * NS_PER_MS;
export const MY_DEVICE_COMMAND_NS = 20 * NS_PER_MS;
export const MY_DEVICE_PER_BYTE_NS = 10 * NS_PER_US;
export const MY_DEVICE_ACK_TIMEOUT_NS = NS_PER_SEC;

const ROM_SIZE = 0x10;
const PORT_INFO_LENGTH = 8;

/**
 * halted: the card CPU is stopped and no start window is open (power-on, or after a failed start or
 * a firmware crash). start-window: CONTROL=0 was written at resetAtNs. starting: RUN=1 came in
 * time with good firmware; READY follows at readyAtNs. running: READY.
 */
export type MyDevicePhase = 'halted' | 'start-window' | 'starting' | 'running';

export interface MyDevicePortState {
  /** Received bytes not yet READ, oldest first (at most MY_DEVICE_RX_BUFFER). */
  rx: number[];
  /** Bytes ever transmitted (WRITE). */
  txTotal: number;
  /** Received bytes dropped because the buffer was full. */
  rxDropped: number;
}

/** A command accepted at the doorbell and not yet answered. */
export interface MyDeviceCommand {
  cmd: number;
  port: number;
  /** The reply status decided at the doorbell (OK, BAD_COMMAND or BAD_PORT). */
  status: number;
  /** A WRITE's payload, copied out of the host mailbox. */
  data: number[];
  /** How many bytes a READ returns. */
  readCount: number;
  doneAtNs: number;
}

export interface MyDeviceState {
  phase: MyDevicePhase;
  /** Time of the last CONTROL=0 write while the start window is open, else null. */
  resetAtNs: number | null;
  readyAtNs: number | null;
  error: number;
  answer: boolean;
  /** The card is driving its IRQ line high (STATUS.IRQ) and waits for ACK. */
  irqAsserted: boolean;
  /** When ERROR=7 is due if no ACK comes, or null. */
  noAckAtNs: number | null;
  fwVersion: number;
  portSelect: number;
  command: MyDeviceCommand | null;
  ports: MyDevicePortState[];
  /** Commands left before the injected firmware crash, or null. */
  commandsUntilCrash: number | null;
  nextSpuriousAtNs: number | null;
  /** The fault-injection PRNG (mulberry32) state. */
  prng: number;
}

/** Fault injection, off by default (datasheet, "Fault injection"). */
export interface MyDeviceFaults {
  /** Added to every command's latency. */
  extraLatencyNs: number;
  /** Chance (0-1) that a reply's interrupt edge is never raised. */
  lostIrqProbability: number;
  /** STATUS.BUSY reads set and every doorbell is an OVERRUN. */
  stuckBusy: boolean;
  /** Interrupts with nothing in the mailbox, per virtual second (periodic). */
  spuriousIrqPerSec: number;
  /** The firmware crashes (READY drops, ERROR=2) after this many commands since start-up. */
  crashAfterCommands: number | null;
}

export const NO_FAULTS: Readonly<MyDeviceFaults> = {
  extraLatencyNs: 0, lostIrqProbability: 0, stuckBusy: false, spuriousIrqPerSec: 0, crashAfterCommands: null,
};

export type MyDeviceEventKind =
  | 'halted' | 'start-window' | 'starting' | 'running' | 'busy' | 'answering' | 'ack' | 'error' | 'rx' | 'fault' | 'faults-set';

export interface MyDeviceEvent {
  kind: MyDeviceEventKind;
  detail: string;
  timeNs: number;
}

export interface MyDeviceOptions {
  /** false skips the firmware checks (early labs); the version byte is then taken as found. Default true. */
  firmwareCheck?: boolean;
  /** Seed of the deterministic PRNG behind probabilistic faults. */
  seed?: number;
  faults?: Partial<MyDeviceFaults>;
  /** Owner name of the I/O ports and memory window. Default "my_device". */
  name?: string;
  onGuestError?: (msg: string) => void;
  onEvent?: (e: MyDeviceEvent) => void;
}

export interface MyDeviceSnapshot {
  name: 'my_device';
  version: 1;
  state: MyDeviceState;
  faults: MyDeviceFaults;
  /** The whole 16 KiB window, ROM included. */
  memory: number[];
}

function powerOnState(seed: number): MyDeviceState {
  return {
    phase: 'halted', resetAtNs: null, readyAtNs: null, error: MY_DEVICE_ERROR.NONE, answer: false, irqAsserted: false,
    noAckAtNs: null, fwVersion: 0, portSelect: 0, command: null, ports: emptyPorts(), commandsUntilCrash: null,
    nextSpuriousAtNs: null, prng: seed >>> 0,
  };
}

function emptyPorts(): MyDevicePortState[] {
  return Array.from({ length: MY_DEVICE_PORTS }, () => ({ rx: [], txTotal: 0, rxDropped: 0 }));
}

/** The 16 KiB window as the host sees it: ROM and reserved area read-only, the rest RAM. */
class SharedWindow implements MemRegion {
  constructor(readonly bytes: Uint8Array) {}

  read8(offset: number): number {
    return this.bytes[offset] ?? 0xff;
  }

  write8(offset: number, value: number): void {
    if (offset >= MY_DEVICE_MEM.FIRMWARE && offset < this.bytes.length) this.bytes[offset] = value;
  }

  readBlock(offset: number, length: number): Uint8Array {
    return this.bytes.slice(offset, offset + length);
  }

  writeBlock(offset: number, bytes: Uint8Array): void {
    const skip = Math.max(0, MY_DEVICE_MEM.FIRMWARE - offset);
    if (skip >= bytes.length) return;
    this.bytes.set(bytes.subarray(skip, Math.max(skip, this.bytes.length - offset)), offset + skip);
  }
}

export class MyDeviceCard {
  onGuestError?: (msg: string) => void;
  onEvent?: (e: MyDeviceEvent) => void;
  /** The card's CPU wrote its own shared memory (a reply in the card mailbox): offset and length in the window. */
  onMemoryWrite?: (offset: number, length: number) => void;
  /** The card decodes 8-bit accesses only; the bus splits wider ones. */
  readonly ioWidth = 1;
  readonly jumpers: Readonly<MyDeviceJumpers>;
  readonly name: string;

  private s: MyDeviceState;
  private currentFaults: MyDeviceFaults;
  private readonly memory = new Uint8Array(MY_DEVICE_MEM_SIZE);
  private readonly window = new SharedWindow(this.memory);
  private readonly firmwareCheck: boolean;
  private readonly seed: number;
  private bootEvent: EventHandle | undefined;
  private commandEvent: EventHandle | undefined;
  private noAckEvent: EventHandle | undefined;
  private spuriousEvent: EventHandle | undefined;

  constructor(
    private readonly clock: VirtualClock,
    private readonly irq: IrqLine,
    jumpers: MyDeviceJumpers,
    options: MyDeviceOptions = {},
  ) {
    this.jumpers = { ...jumpers };
    this.name = options.name ?? 'my_device';
    this.firmwareCheck = options.firmwareCheck ?? true;
    this.seed = options.seed ?? 0x2a;
    this.onGuestError = options.onGuestError;
    this.onEvent = options.onEvent;
    this.currentFaults = { ...NO_FAULTS, ...options.faults };
    this.s = powerOnState(this.seed);
    writeRom(this.memory);
    this.reset();
  }

  /** Claims the 16 I/O ports and maps the shared-memory window, as the jumpers say. */
  attach(bus: IoPortBus, isa: IsaMemory): void {
    bus.claim(this.jumpers.io, MY_DEVICE_IO_SIZE, this, this.name);
    isa.map(this.jumpers.mem, MY_DEVICE_MEM_SIZE, this.window, this.name);
  }

  /** Unplugs the card (machine teardown or the inspector removing it). */
  detach(bus: IoPortBus, isa: IsaMemory): void {
    this.stop();
    bus.release(this.jumpers.io, MY_DEVICE_IO_SIZE);
    isa.unmap(this.jumpers.mem);
  }

  /** Live, read-only view of the card's state (for the inspector). */
  get state(): Readonly<MyDeviceState> {
    return this.s;
  }

  get faults(): Readonly<MyDeviceFaults> {
    return this.currentFaults;
  }

  /** The shared-memory window's bytes (for the inspector; writes here bypass the bus). */
  get sharedMemory(): Uint8Array {
    return this.memory;
  }

  /** Where the state machine is, as the inspector shows it (a command pending is busy; a reply not yet ACKed, answering). */
  get activity(): CardState {
    const s = this.s;
    if (s.phase !== 'running') return s.phase;
    if (s.command !== null) return 'busy';
    return s.answer || s.irqAsserted ? 'answering' : 'running';
  }

  get status(): number {
    const s = this.s;
    let status: number = MY_DEVICE_STATUS.EXIST;
    if (s.phase === 'running') status |= MY_DEVICE_STATUS.READY;
    if (s.answer) status |= MY_DEVICE_STATUS.ANSWER;
    if (this.busy) status |= MY_DEVICE_STATUS.BUSY;
    if (s.error !== MY_DEVICE_ERROR.NONE) status |= MY_DEVICE_STATUS.ERROR;
    if (s.irqAsserted) status |= MY_DEVICE_STATUS.IRQ;
    return status;
  }

  read(port: number, _size: PortSize): number {
    switch (port - this.jumpers.io) {
      case MY_DEVICE_REG.STATUS: return this.status;
      case MY_DEVICE_REG.ID: return MY_DEVICE_ID;
      case MY_DEVICE_REG.ERROR: return this.s.error;
      case MY_DEVICE_REG.PORT_STATUS: return this.portState(this.s.portSelect);
      case MY_DEVICE_REG.FW_VERSION: return this.s.phase === 'running' ? this.s.fwVersion : 0;
      case MY_DEVICE_REG.MEM_PAGE: return (this.jumpers.mem / 0x1000) & 0xff;
      // Write-only registers and the reserved offsets 9-15 read 0.
      default: return 0x00;
    }
  }

  write(port: number, value: number, _size: PortSize): void {
    value &= 0xff;
    const offset = port - this.jumpers.io;
    switch (offset) {
      case MY_DEVICE_REG.CONTROL: this.writeControl(value); return;
      case MY_DEVICE_REG.DOORBELL: this.writeDoorbell(value); return;
      case MY_DEVICE_REG.ACK: this.writeAck(value); return;
      case MY_DEVICE_REG.PORT_SELECT: this.writePortSelect(value); return;
      case MY_DEVICE_REG.ID:
      case MY_DEVICE_REG.ERROR:
      case MY_DEVICE_REG.PORT_STATUS:
      case MY_DEVICE_REG.FW_VERSION:
      case MY_DEVICE_REG.MEM_PAGE:
        this.guestError(`write of 0x${hex2(value)} to read-only register ${REGISTER_NAMES[offset] ?? offset} (port ${hex(port)}) ignored`);
        return;
      default:
        return; // reserved: writes ignored
    }
  }

  /**
   * Bytes arriving on `port` from outside (the inspector's remote terminal, lab scripts). Buffered
   * up to 4096 per port; the card then raises RX_NOTIFY. Returns how many bytes were buffered.
   */
  receive(port: number, bytes: ArrayLike<number>): number {
    if (!Number.isInteger(port) || port < 0 || port >= MY_DEVICE_PORTS) {
      throw new RangeError(`${this.name} has ports 0-${MY_DEVICE_PORTS - 1}, not ${port}`);
    }
    if (this.s.phase !== 'running') {
      this.emit('rx', `port ${port}: ${bytes.length} bytes dropped, the firmware is not running`);
      return 0;
    }
    const accepted = this.buffer(port, bytes);
    const pending = this.s.ports[port]!.rx.length;
    this.emit('rx', `port ${port}: ${accepted} of ${bytes.length} bytes buffered, ${pending} pending`);
    this.postReply(MY_DEVICE_REPLY.RX_NOTIFY, port, [], pending);
    return accepted;
  }

  /** Changes fault injection; unspecified fields keep their value. */
  setFaults(changes: Partial<MyDeviceFaults>): void {
    const faults = { ...this.currentFaults, ...changes };
    if (faults.lostIrqProbability < 0 || faults.lostIrqProbability > 1) throw new RangeError(`lost interrupt probability must be 0-1, got ${faults.lostIrqProbability}`);
    if (faults.extraLatencyNs < 0 || faults.spuriousIrqPerSec < 0) throw new RangeError('fault latency and spurious rate must not be negative');
    this.currentFaults = faults;
    if (changes.crashAfterCommands !== undefined) this.s.commandsUntilCrash = this.s.phase === 'running' ? faults.crashAfterCommands : null;
    if (changes.spuriousIrqPerSec !== undefined) this.scheduleSpurious();
    this.emit('faults-set', describeFaults(faults));
  }

  /** Power-on: halted, no window open, mailboxes and buffers empty, line low. Faults stay configured. */
  reset(): void {
    this.stop();
    this.s = powerOnState(this.seed);
    this.memory.fill(0, ROM_SIZE);
    this.irq.lower();
    this.scheduleSpurious();
  }

  /** Cancels every scheduled event (machine teardown). */
  stop(): void {
    for (const handle of [this.bootEvent, this.commandEvent, this.noAckEvent, this.spuriousEvent]) {
      if (handle !== undefined) this.clock.cancel(handle);
    }
    this.bootEvent = this.commandEvent = this.noAckEvent = this.spuriousEvent = undefined;
  }

  saveState(): MyDeviceSnapshot {
    return {
      name: 'my_device', version: 1, faults: { ...this.currentFaults }, memory: Array.from(this.memory),
      state: cloneState(this.s),
    };
  }

  /** Expects the clock to be at the time the snapshot was taken (restore the clock first). */
  loadState(snapshot: MyDeviceSnapshot): void {
    if (snapshot.name !== 'my_device' || snapshot.version !== 1 || snapshot.memory.length !== MY_DEVICE_MEM_SIZE) {
      throw new Error(`cannot load ${String(snapshot.name)} v${String(snapshot.version)} state into a my_device v1`);
    }
    this.stop();
    this.s = cloneState(snapshot.state);
    this.currentFaults = { ...NO_FAULTS, ...snapshot.faults };
    this.memory.set(snapshot.memory);
    if (this.s.irqAsserted) this.irq.raise();
    else this.irq.lower();
    if (this.s.readyAtNs !== null) this.bootEvent = this.clock.schedule(this.s.readyAtNs, () => this.firmwareReady(), this.label('ready'));
    if (this.s.command !== null) this.commandEvent = this.clock.schedule(this.s.command.doneAtNs, () => this.completeCommand(), this.label('command'));
    if (this.s.noAckAtNs !== null) this.noAckEvent = this.clock.schedule(this.s.noAckAtNs, () => this.ackTimeout(), this.label('ack timeout'));
    if (this.s.nextSpuriousAtNs !== null) this.spuriousEvent = this.clock.schedule(this.s.nextSpuriousAtNs, () => this.spuriousInterrupt(), this.label('spurious irq'));
  }

  // --- registers ------------------------------------------------------------------------------

  private get busy(): boolean {
    return this.s.command !== null || this.currentFaults.stuckBusy;
  }

  private portState(port: number): number {
    const s = this.s;
    if (s.command !== null && s.command.port === port && s.command.status === MY_DEVICE_REPLY.OK) return MY_DEVICE_PORT_STATE.BUSY;
    if ((s.ports[port]?.rxDropped ?? 0) > 0) return MY_DEVICE_PORT_STATE.ERROR;
    return MY_DEVICE_PORT_STATE.IDLE;
  }

  private writeControl(value: number): void {
    if ((value & MY_DEVICE_CONTROL_RUN) === 0) this.haltAndOpenWindow();
    else this.run();
  }

  /** Start-up step 1: the card CPU stops, everything volatile is cleared, the 400-500 ms window opens. */
  private haltAndOpenWindow(): void {
    const s = this.s;
    this.cancelBoot();
    this.cancelCommand();
    this.cancelNoAck();
    s.phase = 'start-window';
    s.resetAtNs = this.clock.now;
    s.error = MY_DEVICE_ERROR.NONE;
    s.answer = false;
    s.fwVersion = 0;
    s.commandsUntilCrash = null;
    s.ports = emptyPorts();
    this.dropLine();
    this.emit('start-window', 'CONTROL=0: card CPU halted; write RUN=1 400-500 ms from now');
  }

  /** Start-up step 3: RUN=1 inside the window with good firmware starts the 50 ms boot. */
  private run(): void {
    const s = this.s;
    if (s.phase === 'running' || s.phase === 'starting') {
      this.guestError('CONTROL=1 while the card is already started; ignored');
      return;
    }
    const now = this.clock.now;
    if (s.phase !== 'start-window' || s.resetAtNs === null) {
      this.fail(MY_DEVICE_ERROR.TIMING, 'CONTROL=1 without a preceding CONTROL=0: no start window is open');
      return;
    }
    const elapsed = now - s.resetAtNs;
    if (elapsed < MY_DEVICE_START_WINDOW_MIN_NS || elapsed > MY_DEVICE_START_WINDOW_MAX_NS) {
      this.fail(MY_DEVICE_ERROR.TIMING, `CONTROL=1 ${formatMs(elapsed)} after CONTROL=0, outside the 400-500 ms window`);
      return;
    }
    const image = this.memory.subarray(MY_DEVICE_MEM.FIRMWARE, MY_DEVICE_MEM.FIRMWARE + FW_MAX_IMAGE_SIZE);
    const check = checkFirmwareImage(image);
    if (!check.ok && this.firmwareCheck) {
      this.fail(MY_DEVICE_ERROR.BAD_FIRMWARE, `firmware rejected: ${check.reason}`);
      return;
    }
    s.fwVersion = check.ok ? check.version : (image[4] ?? 0);
    s.phase = 'starting';
    s.resetAtNs = null;
    s.readyAtNs = now + MY_DEVICE_BOOT_NS;
    this.bootEvent = this.clock.schedule(s.readyAtNs, () => this.firmwareReady(), this.label('ready'));
    this.emit('starting', `CONTROL=1 ${formatMs(elapsed)} after CONTROL=0: firmware v${s.fwVersion} booting, READY in 50 ms`);
  }

  /** Start-up step 4: READY and the one "ready" interrupt. */
  private firmwareReady(): void {
    const s = this.s;
    this.bootEvent = undefined;
    s.readyAtNs = null;
    s.phase = 'running';
    s.commandsUntilCrash = this.currentFaults.crashAfterCommands;
    this.emit('running', `READY, firmware v${s.fwVersion}`);
    this.postReply(MY_DEVICE_REPLY.READY, 0, [], 0);
  }

  /** A failed start or a crash: the CPU stops and the driver has to start over at step 1. */
  private fail(error: number, why: string): void {
    const s = this.s;
    this.cancelBoot();
    s.phase = 'halted';
    s.resetAtNs = null;
    s.fwVersion = 0;
    s.commandsUntilCrash = null;
    this.setError(error, why);
    this.emit('halted', why);
  }

  private writeDoorbell(value: number): void {
    if ((value & MY_DEVICE_KNOCK) === 0) {
      this.guestError(`DOORBELL written with 0x${hex2(value)}; the card only answers 0x01`);
      return;
    }
    const s = this.s;
    if (s.phase !== 'running') {
      this.setError(MY_DEVICE_ERROR.NOT_READY, 'doorbell rung before READY');
      return;
    }
    if (this.busy) {
      if (this.currentFaults.stuckBusy && s.command === null) this.emit('fault', 'stuck BUSY: doorbell refused');
      this.setError(MY_DEVICE_ERROR.OVERRUN, 'doorbell rung while BUSY; command ignored');
      return;
    }
    this.acceptCommand();
  }

  /** Copies the command out of the host mailbox, decides its reply status and latency, goes BUSY. */
  private acceptCommand(): void {
    const s = this.s;
    const mem = this.memory;
    const box = MY_DEVICE_MEM.HOST_MAILBOX;
    const cmd = mem[box]!;
    const port = mem[box + 1]!;
    const length = mem[box + 2]! | (mem[box + 3]! << 8);
    const command: MyDeviceCommand = { cmd, port, status: MY_DEVICE_REPLY.OK, data: [], readCount: 0, doneAtNs: 0 };
    if (!isCommand(cmd) || (cmd === MY_DEVICE_CMD.WRITE && length > MY_DEVICE_MAX_PAYLOAD)) {
      command.status = MY_DEVICE_REPLY.BAD_COMMAND;
    } else if (port >= MY_DEVICE_PORTS) {
      command.status = MY_DEVICE_REPLY.BAD_PORT;
    } else if (cmd === MY_DEVICE_CMD.WRITE) {
      const start = box + MY_DEVICE_MAILBOX_HEADER;
      command.data = Array.from(mem.subarray(start, start + length));
    } else if (cmd === MY_DEVICE_CMD.READ) {
      command.readCount = Math.min(length, s.ports[port]!.rx.length, MY_DEVICE_MAX_PAYLOAD);
    }
    const payloadBytes = command.data.length + command.readCount;
    const extra = this.currentFaults.extraLatencyNs;
    command.doneAtNs = this.clock.now + MY_DEVICE_COMMAND_NS + payloadBytes * MY_DEVICE_PER_BYTE_NS + extra;
    s.command = command;
    this.commandEvent = this.clock.schedule(command.doneAtNs, () => this.completeCommand(), this.label('command'));
    this.emit('busy', `${commandName(cmd)} port ${port} length ${length}: BUSY for ${formatMs(command.doneAtNs - this.clock.now)}`);
    if (extra > 0) this.emit('fault', `extra latency ${formatMs(extra)} on ${commandName(cmd)}`);
  }

  /** The command's effect, its reply, and (fault injection) the firmware crash it may trigger. */
  private completeCommand(): void {
    const s = this.s;
    const command = s.command;
    this.commandEvent = undefined;
    if (command === null) return;
    s.command = null;
    let payload: number[] = [];
    switch (command.status) {
      case MY_DEVICE_REPLY.BAD_COMMAND:
        this.setError(MY_DEVICE_ERROR.BAD_COMMAND, `unknown or malformed command 0x${hex2(command.cmd)}`);
        break;
      case MY_DEVICE_REPLY.BAD_PORT:
        this.setError(MY_DEVICE_ERROR.BAD_PORT, `${commandName(command.cmd)} for port ${command.port}; the card has ports 0-3`);
        break;
      default:
        payload = this.execute(command);
    }
    this.postReply(command.status, command.port, payload, payload.length);
    if (s.commandsUntilCrash !== null && --s.commandsUntilCrash <= 0) {
      this.emit('fault', `firmware crash after ${String(this.currentFaults.crashAfterCommands)} commands`);
      this.fail(MY_DEVICE_ERROR.BAD_FIRMWARE, 'firmware crashed (injected fault): READY dropped');
    }
  }

  private execute(command: MyDeviceCommand): number[] {
    const port = this.s.ports[command.port]!;
    switch (command.cmd) {
      case MY_DEVICE_CMD.WRITE:
        port.txTotal += command.data.length;
        this.buffer(command.port, command.data); // the loopback plug
        return [];
      case MY_DEVICE_CMD.READ:
        return port.rx.splice(0, command.readCount);
      case MY_DEVICE_CMD.PORT_INFO:
        return [...u32le(port.rx.length), ...u32le(port.txTotal)].slice(0, PORT_INFO_LENGTH);
      case MY_DEVICE_CMD.RESET_PORT:
        port.rx = [];
        port.rxDropped = 0;
        return [];
      default:
        return [];
    }
  }

  /** Appends to a port's receive buffer; what does not fit is dropped and counted. */
  private buffer(portIndex: number, bytes: ArrayLike<number>): number {
    const port = this.s.ports[portIndex]!;
    const room = MY_DEVICE_RX_BUFFER - port.rx.length;
    const accepted = Math.min(room, bytes.length);
    for (let i = 0; i < accepted; i++) port.rx.push(bytes[i]! & 0xff);
    const dropped = bytes.length - accepted;
    if (dropped > 0) {
      port.rxDropped += dropped;
      this.emit('error', `port ${portIndex}: receive buffer full, ${dropped} bytes dropped (${port.rxDropped} in all)`);
    }
    return accepted;
  }

  // --- mailbox and interrupt protocol ----------------------------------------------------------

  /** Writes the card mailbox, sets ANSWER and interrupts, unless an unacknowledged interrupt is pending. */
  private postReply(status: number, port: number, payload: number[], length: number): void {
    const mem = this.memory;
    const box = MY_DEVICE_MEM.CARD_MAILBOX;
    mem[box] = status;
    mem[box + 1] = port;
    mem[box + 2] = length & 0xff;
    mem[box + 3] = (length >> 8) & 0xff;
    mem.set(payload, box + MY_DEVICE_MAILBOX_HEADER);
    this.onMemoryWrite?.(box, MY_DEVICE_MAILBOX_HEADER + payload.length);
    this.s.answer = true;
    this.emit('answering', `reply status 0x${hex2(status)} port ${port} length ${length}`);
    this.interrupt();
  }

  private interrupt(): void {
    const s = this.s;
    if (s.irqAsserted) {
      this.emit('answering', 'previous interrupt not ACKed: no new edge');
      return;
    }
    const lossChance = this.currentFaults.lostIrqProbability;
    if (lossChance > 0 && this.random() < lossChance) {
      this.emit('fault', 'interrupt lost (injected fault)');
      return;
    }
    this.raiseLine();
  }

  private raiseLine(): void {
    const s = this.s;
    s.irqAsserted = true;
    s.noAckAtNs = this.clock.now + MY_DEVICE_ACK_TIMEOUT_NS;
    this.noAckEvent = this.clock.schedule(s.noAckAtNs, () => this.ackTimeout(), this.label('ack timeout'));
    this.irq.raise();
  }

  private writeAck(value: number): void {
    if ((value & MY_DEVICE_KNOCK) === 0) {
      this.guestError(`ACK written with 0x${hex2(value)}; the card only answers 0x01`);
      return;
    }
    const wasAsserted = this.s.irqAsserted;
    this.s.answer = false;
    this.cancelNoAck();
    this.dropLine();
    this.emit('ack', wasAsserted ? 'ACK: line dropped, ANSWER cleared' : 'ACK with no interrupt pending');
  }

  private ackTimeout(): void {
    this.noAckEvent = undefined;
    this.s.noAckAtNs = null;
    this.setError(MY_DEVICE_ERROR.NO_ACK, 'interrupt not acknowledged for 1 s');
  }

  private dropLine(): void {
    this.s.irqAsserted = false;
    this.irq.lower();
  }

  private writePortSelect(value: number): void {
    if (value >= MY_DEVICE_PORTS) {
      this.guestError(`PORT_SELECT ${value}: the card has ports 0-3; selection unchanged`);
      return;
    }
    this.s.portSelect = value;
  }

  // --- fault injection -------------------------------------------------------------------------

  private scheduleSpurious(): void {
    if (this.spuriousEvent !== undefined) this.clock.cancel(this.spuriousEvent);
    this.spuriousEvent = undefined;
    this.s.nextSpuriousAtNs = null;
    const rate = this.currentFaults.spuriousIrqPerSec;
    if (rate <= 0) return;
    this.s.nextSpuriousAtNs = this.clock.now + Math.max(1, Math.round(NS_PER_SEC / rate));
    this.spuriousEvent = this.clock.schedule(this.s.nextSpuriousAtNs, () => this.spuriousInterrupt(), this.label('spurious irq'));
  }

  private spuriousInterrupt(): void {
    this.spuriousEvent = undefined;
    if (this.s.irqAsserted) {
      this.emit('fault', 'spurious interrupt swallowed: line already asserted');
    } else {
      this.emit('fault', 'spurious interrupt (injected fault): IRQ without ANSWER');
      this.raiseLine();
    }
    this.scheduleSpurious();
  }

  /** mulberry32: small, fast, and the same sequence for the same seed on every host. */
  private random(): number {
    let t = (this.s.prng = (this.s.prng + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  // --- helpers ---------------------------------------------------------------------------------

  private setError(code: number, why: string): void {
    this.s.error = code;
    this.emit('error', `ERROR=${code} ${ERROR_NAMES[code] ?? ''}: ${why}`);
  }

  private cancelBoot(): void {
    if (this.bootEvent !== undefined) this.clock.cancel(this.bootEvent);
    this.bootEvent = undefined;
    this.s.readyAtNs = null;
  }

  private cancelCommand(): void {
    if (this.commandEvent !== undefined) this.clock.cancel(this.commandEvent);
    this.commandEvent = undefined;
    this.s.command = null;
  }

  private cancelNoAck(): void {
    if (this.noAckEvent !== undefined) this.clock.cancel(this.noAckEvent);
    this.noAckEvent = undefined;
    this.s.noAckAtNs = null;
  }

  private label(what: string): string {
    return `${this.name}@${hex(this.jumpers.io)} ${what}`;
  }

  private emit(kind: MyDeviceEventKind, detail: string): void {
    this.onEvent?.({ kind, detail, timeNs: this.clock.now });
  }

  private guestError(msg: string): void {
    this.onGuestError?.(`${this.name} at ${hex(this.jumpers.io)}: ${msg}`);
  }
}

const REGISTER_NAMES: Record<number, string> = {
  0: 'CONTROL', 1: 'ID', 2: 'DOORBELL', 3: 'ACK', 4: 'ERROR', 5: 'PORT_SELECT', 6: 'PORT_STATUS', 7: 'FW_VERSION', 8: 'MEM_PAGE',
};

const ERROR_NAMES: Record<number, string> = {
  0: 'NONE', 1: 'TIMING', 2: 'BAD_FIRMWARE', 3: 'BAD_COMMAND', 4: 'BAD_PORT', 5: 'OVERRUN', 6: 'NOT_READY', 7: 'NO_ACK',
};

const COMMAND_NAMES: Record<number, string> = { 1: 'WRITE', 2: 'READ', 3: 'PORT_INFO', 4: 'RESET_PORT' };

function isCommand(cmd: number): boolean {
  return COMMAND_NAMES[cmd] !== undefined;
}

function commandName(cmd: number): string {
  return COMMAND_NAMES[cmd] ?? `command 0x${hex2(cmd)}`;
}

/** "MY_DEVICE", NUL, revision 0x01, then zeros to the end of the 16-byte ROM. */
function writeRom(memory: Uint8Array): void {
  memory.fill(0, 0, ROM_SIZE);
  for (let i = 0; i < MY_DEVICE_ROM_SIGNATURE.length; i++) memory[i] = MY_DEVICE_ROM_SIGNATURE.charCodeAt(i);
  memory[MY_DEVICE_ROM_SIGNATURE.length + 1] = MY_DEVICE_REVISION;
}

function cloneState(s: MyDeviceState): MyDeviceState {
  return {
    ...s,
    command: s.command === null ? null : { ...s.command, data: [...s.command.data] },
    ports: s.ports.map((p) => ({ ...p, rx: [...p.rx] })),
  };
}

function describeFaults(f: MyDeviceFaults): string {
  const parts: string[] = [];
  if (f.extraLatencyNs > 0) parts.push(`extra latency ${formatMs(f.extraLatencyNs)}`);
  if (f.lostIrqProbability > 0) parts.push(`lost interrupts p=${f.lostIrqProbability}`);
  if (f.stuckBusy) parts.push('stuck BUSY');
  if (f.spuriousIrqPerSec > 0) parts.push(`spurious interrupts ${f.spuriousIrqPerSec}/s`);
  if (f.crashAfterCommands !== null) parts.push(`firmware crash after ${f.crashAfterCommands} commands`);
  return parts.length === 0 ? 'no faults' : parts.join(', ');
}

function u32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function formatMs(ns: number): string {
  return `${Number((ns / NS_PER_MS).toFixed(3))} ms`;
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
