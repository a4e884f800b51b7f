// Interrupt request wires. A device holds an IrqLine and drives it high or low; the interrupt
// controller on the other end (an IrqSink, normally the DualPic) decides what an edge or a level
// means. Keeping the wire separate from the controller lets a device be tested with a fake sink
// and lets the machine assembler choose the IRQ number from the card's jumpers.

export interface IrqLine {
  raise(): void;
  lower(): void;
  readonly level: boolean;
}

export interface IrqSink {
  setIrq(irq: number, level: boolean): void;
}

/**
 * A wire from one device to input `irq` of `sink`. Every raise() and lower() is passed on, even
 * when the level does not change: the controller does its own edge detection, and re-driving the
 * current level is how a device restored from a snapshot puts the wire back in a known state.
 * One wire per input: two devices sharing an ISA IRQ would fight over the level, as on real
 * hardware, which is why the machine configuration refuses two cards on one IRQ.
 */
export function irqLine(sink: IrqSink, irq: number): IrqLine {
  let level = false;
  return {
    raise(): void {
      level = true;
      sink.setIrq(irq, true);
    },
    lower(): void {
      level = false;
      sink.setIrq(irq, false);
    },
    get level(): boolean {
      return level;
    },
  };
}
