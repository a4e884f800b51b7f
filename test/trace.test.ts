// `driverlab sh --trace FILE`: the machine's event stream as JSON lines.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempWorkspace } from './helpers/machine.js';
import type { MachineEvent } from '../emulator/machine.js';

const BIN = path.resolve(import.meta.dirname, '../bin/driverlab.js');

describe('the event log', () => {
  it('--trace writes task switches and states, port accesses, IRQ edges, PIC changes, the interrupt flag and printk, in time order', () => {
    const ws = tempWorkspace();
    const file = path.join(ws, 'trace.jsonl');
    const r = spawnSync(process.execPath, [BIN, 'sh', '--workspace', ws, '--trace', file, '-c', 'sleep 0.05 & wait; echo done'], { encoding: 'utf8' });
    expect(r.stdout).toBe('done\n');
    const events = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MachineEvent);
    const kinds = new Set(events.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['irq', 'irqflag', 'pic', 'port', 'printk', 'switch', 'task']);
    expect(events.every((e, i) => i === 0 || e.t >= events[i - 1]!.t)).toBe(true);
    // The timer: IRQ 0 raised at the PIC and the EOI the kernel writes to port 0x20.
    expect(events.some((e) => e.kind === 'pic' && (e.irr & 1) === 1)).toBe(true);
    expect(events.some((e) => e.kind === 'port' && e.dir === 'out' && e.port === 0x20 && e.owner === 'pic1')).toBe(true);
    expect(events.some((e) => e.kind === 'irq' && e.line === 0 && e.level)).toBe(true);
    expect(events.some((e) => e.kind === 'irqflag' && e.by === 'irq' && e.irq === 0 && !e.enabled)).toBe(true);
    // sleep sleeps (S, hrtimer_nanosleep) and exits (Z).
    const sleep = events.filter((e): e is Extract<MachineEvent, { kind: 'task' }> => e.kind === 'task' && e.comm === 'sleep');
    expect(sleep.map((e) => e.state)).toContain('S');
    expect(sleep.find((e) => e.state === 'S')!.wchan).toBe('hrtimer_nanosleep');
    expect(sleep[sleep.length - 1]!.state).toBe('Z');
  });
});
