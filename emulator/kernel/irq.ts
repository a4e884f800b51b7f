// The generic IRQ layer on the 8259A pair: interrupt descriptors (action list, disable depth,
// autoprobe state), the do_IRQ flow, request/free, enable/disable, probe_irq_on/off and
// /proc/interrupts. The kernel reaches the PICs only through their ports, as Linux does.
//
// References: Linux 2.2 arch/i386/kernel/irq.c (do_8259A_IRQ, handle_IRQ_event, setup_x86_irq,
// free_irq, probe_irq_on/off, get_irq_list) and Linux 6.8 kernel/irq/{manage,autoprobe,proc}.c.
// Both mask and acknowledge a line before running its handlers and unmask it afterwards
// (mask_and_ack_8259A / handle_level_irq), so a line never interrupts its own handler; 2.2's
// "slow" handlers (no SA_INTERRUPT) then run with the CPU's interrupts enabled, so other lines
// (the timer among them) may nest, while modern handlers always run with interrupts off.
import { HZ, type Kernel, type IrqAction } from './kernel.js';
import { EBUSY, EINVAL } from './errno.js';
import { kernelWarn } from './oops.js';

export const NR_IRQS = 16;
/** The chip name /proc/interrupts shows for the legacy PIC (struct irq_chip i8259A_chip). */
const CHIP_NAME = 'XT-PIC';
/** What Linux 2.2's probe_irq_on() returns and probe_irq_off() checks. */
export const PROBE_COOKIE_22 = 0x12345678;

export interface IrqDesc {
  /** disable_irq() nesting; the line is masked while > 0 (IRQ_DISABLED). */
  depth: number;
  /** A handler of this line is running (IRQ_INPROGRESS). */
  inProgress: boolean;
  /** Part of a probe_irq_on()/probe_irq_off() scan (IRQ_AUTODETECT). */
  autodetect: boolean;
  /** Cleared when the line fires during a probe (IRQ_WAITING). */
  waiting: boolean;
  /** note_interrupt()'s bookkeeping: interrupts in this round of 100,000, and how many nobody handled. */
  irqCount: number;
  irqsUnhandled: number;
  /** jiffies of the last unhandled one. */
  lastUnhandled: number;
  /** Shut off as stuck (IRQS_SPURIOUS_DISABLED). */
  spuriousDisabled: boolean;
}

export function newIrqDescs(k: Pick<Kernel, 'personality'>): IrqDesc[] {
  // 2.2's init_ISA_irqs() leaves depth 0; modern descriptors start shut down with depth 1.
  const depth = k.personality === '2.2' ? 0 : 1;
  return Array.from({ length: NR_IRQS }, () => ({
    depth, inProgress: false, autodetect: false, waiting: false, irqCount: 0, irqsUnhandled: 0, lastUnhandled: 0, spuriousDisabled: false,
  }));
}

// ---- the PIC side (arch/x86/kernel/i8259.c) --------------------------------------------------

/** mask_and_ack_8259A(): mask the line first, then the specific EOIs, slave before master. */
function maskAndAck(k: Kernel, irq: number): void {
  k.maskIrq(irq);
  if (irq >= 8) {
    k.bus.write(0xa0, 0x60 | (irq & 7), 1);
    k.bus.write(0x20, 0x60 | 2, 1);
  } else {
    k.bus.write(0x20, 0x60 | irq, 1);
  }
}

// ---- do_IRQ -------------------------------------------------------------------------------------

/**
 * One interrupt on `irq`, after the CPU's INTA cycle: counted, masked and acknowledged, then its
 * handlers run unless the line is disabled, has none (a probe sees it fired) or is already being
 * handled; the line is unmasked again afterwards if it still has handlers and is not disabled.
 */
export function doIRQ(k: Kernel, irq: number): void {
  const desc = k.irqDesc[irq]!;
  k.irqCounts[irq]!++;
  k.irqCountsPerCpu[k.sched.cpu.id]![irq]!++;
  maskAndAck(k, irq);
  desc.waiting = false;
  const actions = k.irqActions[irq]!;
  if (!actions.length || desc.depth > 0 || desc.inProgress) return;
  desc.inProgress = true;
  const wasEnabled = k.irqsEnabled;
  k.inInterrupt++;
  // handle_IRQ_event(): the first action's SA_INTERRUPT decides for the whole chain.
  k.irqsEnabled = actions[0]!.interruptsEnabled === true;
  let handled = false;
  try {
    for (const action of [...actions]) {
      if (action.handler(irq)) handled = true;
      if (k.irqsEnabled && !action.interruptsEnabled && k.personality === 'modern') {
        warn(k, `irq ${irq} handler ${action.name} enabled interrupts`, 'kernel/irq/handle.c:161 __handle_irq_event_percpu');
        k.irqsEnabled = false;
      }
    }
  } finally {
    k.irqsEnabled = false;
    k.inInterrupt--;
    desc.inProgress = false;
  }
  if (k.personality === 'modern') noteInterrupt(k, irq, desc, handled);
  if (desc.depth === 0 && k.irqActions[irq]!.length) k.unmaskIrq(irq);
  k.irqsEnabled = wasEnabled;
}

// ---- stuck lines (kernel/irq/spurious.c) ------------------------------------------------------------

/** Interrupts per round, and how many of them unhandled make the line "stuck". */
const IRQ_ROUND = 100_000, IRQ_STUCK = 99_900;

/**
 * note_interrupt(): counts what the handlers said. A line that fires 100,000 times with more than
 * 99,900 of them unhandled (IRQ_NONE from every handler) is stuck: it is reported and disabled.
 * Unhandled interrupts more than HZ/10 apart start the count again, so the odd spurious one from
 * bus asynchronicity never adds up.
 */
function noteInterrupt(k: Kernel, irq: number, desc: IrqDesc, handled: boolean): void {
  if (!handled) {
    // time_after(jiffies, desc->last_unhandled + HZ/10), with jiffies wrapping.
    desc.irqsUnhandled = ((desc.lastUnhandled + HZ / 10 - k.jiffies) | 0) < 0 ? 1 : desc.irqsUnhandled + 1;
    desc.lastUnhandled = k.jiffies;
  }
  if (++desc.irqCount < IRQ_ROUND) return;
  desc.irqCount = 0;
  if (desc.irqsUnhandled > IRQ_STUCK) {
    reportBadIrq(k, irq);
    k.printk(`\x010Disabling IRQ #${irq}\n`);
    desc.spuriousDisabled = true;
    if (desc.depth++ === 0) k.maskIrq(irq);
  }
  desc.irqsUnhandled = 0;
}

/** __report_bad_irq(): the complaint, the stack it was noticed on, and every handler of the line. */
function reportBadIrq(k: Kernel, irq: number): void {
  const task = k.sched.current;
  k.printk(`\x013irq ${irq}: nobody cared (try booting with the "irqpoll" option)\n`);
  k.printk(`\x014CPU: ${k.sched.cpu.id} PID: ${task?.pid ?? 0} Comm: ${task?.comm ?? `swapper/${k.sched.cpu.id}`} ${k.taintString()} ${k.release.release} #1\n`);
  k.printk('\x014Hardware name: DriverLab Virtual PC, BIOS 1.0 01/15/2025\n');
  k.printk('\x014Call Trace:\n');
  k.printk('\x014 <IRQ>\n');
  for (const frame of ['dump_stack_lvl+0x48/0x70', '__report_bad_irq+0x35/0xc0', 'note_interrupt+0x2b0/0x300',
    'handle_irq_event+0x6c/0x80', 'handle_level_irq+0x9d/0x1a0', '__common_interrupt+0x4b/0xb0', 'common_interrupt+0x80/0xa0']) {
    k.printk(`\x014 ${frame}\n`);
  }
  k.printk('\x014 </IRQ>\n');
  k.printk('\x013handlers:\n');
  for (const action of k.irqActions[irq]!) {
    const sym = action.symbol?.() ?? { ptr: 0, name: action.name };
    k.printk(`\x013[<${hashedPointer(sym.ptr)}>] ${sym.name}\n`);
  }
}

/** %p prints a hashed pointer (never the address itself): 32 bits of siphash, zero-extended. */
function hashedPointer(ptr: number): string {
  let h = Math.imul((ptr >>> 0) ^ 0x5bd1e995, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return `00000000${((h ^ (h >>> 13)) >>> 0).toString(16).padStart(8, '0')}`;
}

// ---- request / free (setup_irq, __free_irq) -------------------------------------------------------

/** setup_irq(): a second action only joins a line when both agreed to share it. */
export function setupIrq(k: Kernel, irq: number, action: IrqAction): number {
  if (!Number.isInteger(irq) || irq < 0 || irq >= NR_IRQS) return -EINVAL;
  const list = k.irqActions[irq]!;
  const old = list[0];
  if (old && !(old.shared && action.shared)) {
    if (k.personality === 'modern') {
      k.printk(`\x013genirq: Flags mismatch irq ${irq}. ${hex8(action.flags ?? 0)} (${action.name}) vs. ${hex8(old.flags ?? 0)} (${old.name})\n`);
    }
    return -EBUSY;
  }
  list.push(action);
  if (list.length === 1) {
    const desc = k.irqDesc[irq]!;
    desc.depth = 0;
    desc.autodetect = false;
    desc.waiting = false;
    desc.spuriousDisabled = false;
    desc.irqCount = desc.irqsUnhandled = 0;
    k.unmaskIrq(irq);
  }
  return 0;
}

/** Removes the first action matching `which`; the line is shut down when it was the last one. */
export function removeIrqAction(k: Kernel, irq: number, which: (a: IrqAction) => boolean): IrqAction | undefined {
  if (!Number.isInteger(irq) || irq < 0 || irq >= NR_IRQS) return undefined;
  const list = k.irqActions[irq]!;
  const i = list.findIndex(which);
  if (i < 0) return undefined;
  const [action] = list.splice(i, 1);
  if (!list.length) {
    k.maskIrq(irq);
    if (k.personality === 'modern') k.irqDesc[irq]!.depth = 1;
  }
  return action;
}

// ---- enable / disable ------------------------------------------------------------------------------

export function disableIrq(k: Kernel, irq: number): void {
  const desc = k.irqDesc[irq];
  if (!desc) return;
  if (desc.depth++ === 0) k.maskIrq(irq);
}

/** enable_irq(): false when it was not disabled (the caller reports the imbalance). */
export function enableIrq(k: Kernel, irq: number): boolean {
  const desc = k.irqDesc[irq];
  if (!desc) return true;
  if (desc.depth === 0) return false;
  // A request latched in the 8259's IRR while the line was masked fires as soon as it is unmasked:
  // that is the replay of an interrupt that arrived while disabled.
  if (desc.depth === 1) k.unmaskIrq(irq);
  desc.depth--;
  return true;
}

// ---- autoprobing (kernel/irq/autoprobe.c) --------------------------------------------------------------

/** Starts every line without a handler (IRQ 15 down to 1); with `mark`, arms it for the probe. */
export function probeStartup(k: Kernel, mark: boolean): void {
  for (let irq = NR_IRQS - 1; irq > 0; irq--) {
    if (k.irqActions[irq]!.length) continue;
    const desc = k.irqDesc[irq]!;
    if (mark) { desc.autodetect = true; desc.waiting = true; }
    k.unmaskIrq(irq);
  }
}

/** After the settle delay: lines that fired already are spurious and leave the probe. Returns the candidates' mask. */
export function probeFilter(k: Kernel): number {
  let mask = 0;
  for (let irq = 0; irq < NR_IRQS; irq++) {
    const desc = k.irqDesc[irq]!;
    if (!desc.autodetect) continue;
    if (!desc.waiting) { desc.autodetect = false; k.maskIrq(irq); } else mask |= 1 << irq;
  }
  return mask >>> 0;
}

/** probe_irq_off(): the one line that fired since probe_irq_on(), 0 for none, minus the first when several did. */
export function probeOff(k: Kernel): number {
  let found = 0;
  let fired = 0;
  for (let irq = 0; irq < NR_IRQS; irq++) {
    const desc = k.irqDesc[irq]!;
    if (!desc.autodetect) continue;
    if (!desc.waiting) { if (!fired) found = irq; fired++; }
    desc.autodetect = false;
    if (!k.irqActions[irq]!.length) k.maskIrq(irq);
  }
  return fired > 1 ? -found : found;
}

// ---- /proc/interrupts -----------------------------------------------------------------------------------

/** show_interrupts() of Linux 6.8 (modern, two CPU columns) or get_irq_list() of 2.2 (uniprocessor). */
export function procInterrupts(k: Kernel): string {
  const named = (irq: number) => k.irqActions[irq]!.map((a) => a.name).join(', ');
  let out = '';
  if (k.personality === '2.2') {
    out += '           CPU0       \n';
    for (let irq = 0; irq < NR_IRQS; irq++) {
      if (!k.irqActions[irq]!.length) continue;
      out += `${pad(irq, 3)}: ${pad(k.irqCounts[irq]!, 10)}  ${pad(CHIP_NAME, 14)}  ${named(irq)}\n`;
    }
    return out + `NMI: ${pad(0, 10)}\n`;
  }
  const prec = 3;
  const cpus = k.sched.cpus.map((c) => c.id);
  out += ' '.repeat(prec + 8) + cpus.map((c) => `CPU${String(c).padEnd(8)}`).join('') + '\n';
  for (let irq = 0; irq < NR_IRQS; irq++) {
    if (!k.irqActions[irq]!.length) continue;
    const counts = cpus.map((c) => `${pad(k.irqCountsPerCpu[c]![irq]!, 10)} `).join('');
    // No irq domain on the legacy PIC: the hwirq column is blank.
    out += `${pad(irq, prec)}: ${counts} ${pad(CHIP_NAME, 8)} ${' '.repeat(prec)}  ${named(irq)}\n`;
  }
  out += `${pad('NMI', prec)}: ${cpus.map(() => `${pad(0, 10)} `).join('')}  Non-maskable interrupts\n`;
  out += `${pad('ERR', prec)}: ${pad(k.spuriousIrqs, 10)}\n`;
  return out;
}

// ---- helpers ---------------------------------------------------------------------------------------------

/** WARN() with a message first (warn.ts has the report). */
export function warn(k: Kernel, message: string, where: string): void {
  kernelWarn(k, where, message);
}

function pad(v: number | string, width: number): string {
  return String(v).padStart(width, ' ');
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
