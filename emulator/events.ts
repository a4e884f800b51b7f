// The machine's event stream (ARCHITECTURE.md decision 7): what the inspector, the timeline,
// labs' checks and `driverlab sh --trace` read. A file of its own, without imports, so that the
// lab check API (main/labs/check-api.ts) can name these types without pulling in the emulator.

/** Something that happened in the machine, at virtual time `t` (ns). */
export type MachineEvent =
  | { t: number; kind: 'switch'; cpu: number; pid: number; comm: string }
  | { t: number; kind: 'task'; pid: number; comm: string; state: string; wchan: string }
  | { t: number; kind: 'port'; dir: 'in' | 'out'; port: number; size: number; value: number; owner?: string }
  | { t: number; kind: 'pic'; lines: number; irr: number; isr: number; imr: number; intr: boolean }
  | { t: number; kind: 'printk'; level: number; text: string };
