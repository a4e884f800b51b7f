// The machine's event log as JSON lines, one event a line (`driverlab sh --trace FILE`, the
// inspector's "Record trace"): written in blocks, since a driver polling a port makes millions
// of events, and never sampled: every event the machine emits is in the file.
import * as fs from 'node:fs';
import type { MachineEvent } from '../../emulator/events.js';

const BLOCK_EVENTS = 4096;

export class TraceFile {
  private readonly fd: number;
  private lines: string[] = [];
  /** Events written so far. */
  count = 0;

  /** Opens (truncates) `file`; throws what fs.openSync throws. */
  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w');
  }

  readonly write = (event: MachineEvent): void => {
    this.lines.push(JSON.stringify(event));
    this.count++;
    if (this.lines.length >= BLOCK_EVENTS) this.flush();
  };

  flush(): void {
    if (this.lines.length) fs.writeSync(this.fd, this.lines.join('\n') + '\n');
    this.lines = [];
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
