// Power-cut safety of the disk image, approximated by SIGKILL: a child process writes runs of
// sectors in a loop, each sector a self-checking pattern (the write's number, its sector, a
// CRC), flushes, and reports the write on stdout. It is killed at random moments, while opening
// (journal replay and checkpoint) or while writing (with a small journal, so checkpoints happen
// too), over and over on the same image. After each kill the image opens, every sector holds one
// whole pattern or zeros, and each reported write is there unless a later write covers it.
// The child runs the built module (dist/, from `tsc -b`), as the app does.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { FileDisk, crc32 } from '../main/host/disk-image.js';
import { tempWorkspace } from './helpers/machine.js';

const MODULE = path.resolve(import.meta.dirname, '../dist/main/host/disk-image.js');
const SECTORS = 512;

const CHILD = `
import { writeSync } from 'node:fs';
const { FileDisk, crc32 } = await import(${JSON.stringify(MODULE)});
const [image, firstArg] = process.argv.slice(1);
const disk = FileDisk.open(image, { sectors: ${SECTORS}, journalLimit: 48 * 1024 });
let seed = Number(firstArg) * 2654435761 >>> 0;
const rand = (n) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
for (let write = Number(firstArg); ; write++) {
  const count = 1 + rand(8);
  const lba = rand(${SECTORS} - count + 1);
  const data = new Uint8Array(count * 512);
  const view = new DataView(data.buffer);
  for (let s = 0; s < count; s++) {
    const o = s * 512;
    view.setUint32(o, write, true);
    view.setUint32(o + 4, lba + s, true);
    for (let i = 8; i < 508; i++) data[o + i] = (write * 7 + i) & 0xff;
    view.setUint32(o + 508, crc32(data.subarray(o, o + 508)), true);
  }
  disk.writeSectors(lba, data);
  disk.flush();
  writeSync(1, write + ' ' + lba + ' ' + count + '\\n'); // only once the write is flushed
}
`;

interface Reported { write: number; lba: number; count: number }

function runAndKill(image: string, first: number, delayMs: number, afterFirstReport: boolean): Promise<{ reported: Reported[]; stderr: string; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, image, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = () => { timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs); };
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; if (afterFirstReport) arm(); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    if (!afterFirstReport) arm();
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      // A line cut by the kill is not a report.
      const reported = out.split('\n').slice(0, -1).map((l) => { const [write, lba, count] = l.split(' ').map(Number); return { write: write!, lba: lba!, count: count! }; });
      resolve({ reported, stderr, signal });
    });
  });
}

/** The write whose pattern a sector holds (0 for a sector never written); throws on a torn sector. */
function writeInSector(data: Uint8Array, lba: number): number {
  if (data.every((b) => b === 0)) return 0;
  const view = new DataView(data.buffer, data.byteOffset, 512);
  const write = view.getUint32(0, true);
  const whole = view.getUint32(4, true) === lba && view.getUint32(508, true) === crc32(data.subarray(0, 508))
    && data.subarray(8, 508).every((b, i) => b === ((write * 7 + i + 8) & 0xff));
  if (!whole) throw new Error(`sector ${lba} is torn: it holds no whole pattern`);
  return write;
}

const KILLS = 100;
/** Images killed over in parallel (the machine has two cores); KILLS in all. */
const LANES = 2;

/** KILLS / LANES kills of children writing to one image, checking it after each. */
async function killLane(lane: number): Promise<number> {
  const image = path.join(tempWorkspace(), 'disks', `crash${lane}.img`);
  // The newest reported write covering each sector.
  const newest = new Array<number>(SECTORS).fill(0);
  let next = 1;
  let killedWhileWriting = 0;
  for (let kill = 0; kill < KILLS / LANES; kill++) {
    const afterFirstReport = kill % 2 === 1;
    const r = await runAndKill(image, next, Math.random() * (afterFirstReport ? 20 : 100), afterFirstReport);
    expect(r.stderr, `lane ${lane}, kill ${kill}`).toBe('');
    expect(r.signal, `lane ${lane}, kill ${kill}`).toBe('SIGKILL');
    for (const w of r.reported) for (let s = w.lba; s < w.lba + w.count; s++) newest[s] = Math.max(newest[s]!, w.write);
    if (r.reported.length) killedWhileWriting++;
    // Writes of the next run are numbered after anything this one may have started.
    next += 1_000_000;

    const disk = FileDisk.open(image, { sectors: SECTORS });
    try {
      const all = disk.readSectors(0, SECTORS);
      for (let s = 0; s < SECTORS; s++) {
        const found = writeInSector(all.subarray(s * 512, (s + 1) * 512), s);
        // A later write (reported, or flushed and cut off by the kill before its report) may cover a reported one.
        expect(found, `lane ${lane}, kill ${kill}: sector ${s} lost reported write ${newest[s]}`).toBeGreaterThanOrEqual(newest[s]!);
      }
    } finally {
      disk.close();
    }
  }
  return killedWhileWriting;
}

describe('disk image: killed at random moments', () => {
  it(`keeps every flushed write and never tears a sector, ${KILLS} kills`, async () => {
    const killedWhileWriting = await Promise.all(Array.from({ length: LANES }, (_, lane) => killLane(lane)));
    expect(killedWhileWriting.reduce((a, b) => a + b, 0)).toBeGreaterThan(KILLS / 4);
  }, 120_000);
});
