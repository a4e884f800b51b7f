// The machine's event stream (ARCHITECTURE.md decision 7): what the inspector, the timeline,
// labs' checks and `driverlab sh --trace` read. A file of its own, without imports, so that the
// lab check API (main/labs/check-api.ts) and the renderer can name these types without pulling
// in the emulator. emulator/event-stream.ts produces them.

/**
 * Where in a module's C code an event came from, when it came from one: the source line the
 * module build kept ("/home/lab/my_device.c:57") and the function as %pS prints it.
 */
export interface EventSource {
  src?: string;
  fn?: string;
}

/** Something that happened in the machine, at virtual time `t` (ns). */
export type MachineEvent =
  | { t: number; kind: 'switch'; cpu: number; pid: number; comm: string }
  | { t: number; kind: 'task'; pid: number; comm: string; state: string; wchan: string }
  | ({ t: number; kind: 'port'; dir: 'in' | 'out'; port: number; size: number; value: number; owner?: string } & EventSource)
  | { t: number; kind: 'pic'; lines: number; irr: number; isr: number; imr: number; intr: boolean }
  /** An edge on an interrupt request line (the wire into the 8259 pair): raised or lowered. */
  | { t: number; kind: 'irq'; line: number; level: boolean }
  /**
   * A CPU's interrupt flag (EFLAGS.IF) changed: by a task (cli, local_irq_save, spin_lock_irqsave,
   * the return from an interrupt) or by the entry into an interrupt handler of `irq`.
   */
  | ({ t: number; kind: 'irqflag'; cpu: number; enabled: boolean; by: 'task' | 'irq'; pid?: number; comm?: string; irq?: number } & EventSource)
  /**
   * An access to the ISA memory hole: by the host (readb/writeb, memcpy_toio/fromio: one event
   * per call, `size` bytes from `addr`), or a card writing its own shared memory (a mailbox reply).
   */
  | ({ t: number; kind: 'mem'; dir: 'read' | 'write'; by: 'host' | 'card'; addr: number; size: number; value?: number; owner?: string } & EventSource)
  /**
   * A card's state machine moved or a fault was injected (MyDeviceEvent): `event` is what
   * happened ('busy', 'answering', 'ack', 'error', 'fault'...), `state` where the card is now.
   */
  | { t: number; kind: 'card'; card: string; io: number; event: string; state: CardState; detail: string }
  /** A module being loaded (coming), up (live), unloaded (gone) or whose init failed. */
  | { t: number; kind: 'module'; name: string; state: 'coming' | 'live' | 'failed' | 'gone' }
  | { t: number; kind: 'printk'; level: number; text: string };

/** The MY_DEVICE card's state machine as the inspector names it. */
export type CardState = 'halted' | 'start-window' | 'starting' | 'running' | 'busy' | 'answering';

export type MachineEventKind = MachineEvent['kind'];
