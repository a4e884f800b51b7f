// Labs 5 to 8 (module-params, probe-resources, firmware-startup, mailbox-irq): the mistakes a
// learner makes with the card, each caught by the item meant for it, pointing at the right TODO,
// and no other item failing for it. (Both directions of every lab are in labs.test.ts.)
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLabChecks, type CheckRunReport } from '../main/labs/check-runner.js';
import { loadLabs, type Lab, type LabSet } from '../main/labs/loader.js';

const LABS = path.resolve(import.meta.dirname, '../labs');

let set: LabSet;
beforeAll(async () => {
  set = await loadLabs(LABS);
}, 60_000);

function lab(id: string): Lab {
  const found = set.labs.find((l) => l.manifest.id === id);
  if (!found) throw new Error(`lab ${id} did not load: ${JSON.stringify(set.problems)}`);
  return found;
}

/** The lab's solution with `edits` (old text -> new text) made to `file`, as a learner's workspace. */
function mistake(l: Lab, file: string, edits: [string, string][]) {
  const files = new Map([...l.starter, ...l.solution]);
  let text = new TextDecoder().decode(files.get(file)!);
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`the edit of ${file} finds no:\n${from}`);
    text = text.replace(from, to);
  }
  files.set(file, new TextEncoder().encode(text));
  return new Map([...files].map(([p, data]) => [p, { data, mtimeMs: 0, mode: 0o644 }]));
}

function failed(r: CheckRunReport): Record<string, string> {
  return Object.fromEntries(r.items.filter((i) => i.status === 'failed').map((i) => [i.id, i.message]));
}

const todoOf = (l: Lab, n: number) => `${l.todos[n - 1]!.file}:${l.todos[n - 1]!.line} (TODO ${n} of the starter)`;

describe('lab 5 module-params', () => {
  it('"1-10i" for a 4-element array is refused by modinfo\'s item; a failed load that keeps card 0\'s ports by missing-card', async () => {
    const l = lab('module-params');
    const wide = await runLabChecks(l, mistake(l, 'my_device.c', [['MODULE_PARM(io, "1-4i");', 'MODULE_PARM(io, "1-10i");']]));
    expect(Object.keys(failed(wide))).toEqual(['modinfo']);
    expect(failed(wide).modinfo).toContain('io takes up to 10 values but the array has room for 4');
    expect(failed(wide).modinfo).toContain(`Look at: ${todoOf(l, 1)}`);

    const keeps = await runLabChecks(l, mistake(l, 'my_device.c', [['\t\t\trelease_cards();\n\t\t\treturn ret;', '\t\t\treturn ret;']]));
    expect(Object.keys(failed(keeps))).toEqual(['missing-card']);
    expect(failed(keeps)['missing-card']).toMatch(/^The load failed, but card 0's ports \(0x200-0x20f\) were still claimed/);
    expect(failed(keeps)['missing-card']).toContain(todoOf(l, 5));
  }, 180_000);
});

describe('lab 6 probe-resources', () => {
  it('a goto ladder that undoes nothing is seen after every failed load, naming what was left', async () => {
    const l = lab('probe-resources');
    const r = await runLabChecks(l, mistake(l, 'my_device.c', [[
      'err_unmap:\n\tiounmap(card->mem);\nerr_mem_region:\n\trelease_mem_region(card->mem_start, MY_DEVICE_MEM_SIZE);\nerr_region:\n\trelease_region(card->base, MY_DEVICE_IO_EXTENT);\n',
      'err_unmap:\nerr_mem_region:\nerr_region:\n',
    ]]));
    const f = failed(r);
    expect(Object.keys(f)).toEqual(['no-card', 'irq-conflict', 'mem-busy']);
    expect(f['no-card']).toContain('Seen: left behind: I/O port region');
    expect(f['mem-busy']).toContain(todoOf(l, 7));
  }, 180_000);
});

describe('lab 7 firmware-startup', () => {
  it('mdelay() for the window starts the card but is flagged, with the heartbeat\'s gap; an interruptible sleep writes RUN early on Ctrl-C', async () => {
    const l = lab('firmware-startup');
    const spin = await runLabChecks(l, mistake(l, 'my_device.c', [
      ['\tcurrent->state = TASK_UNINTERRUPTIBLE;\n\tschedule_timeout((ms * HZ + 999) / 1000);', '\tmdelay(ms);'],
      ['#include <linux/sched.h>\n', '#include <linux/sched.h>\n#include <linux/delay.h>\n'],
    ]));
    expect(Object.keys(failed(spin))).toEqual(['no-busy-wait']);
    expect(failed(spin)['no-busy-wait']).toMatch(/^insmod spun in the kernel for \d+ ms without sleeping \(this lab allows 10 ms\): for all that time no other process ran\.\nSeen:\n.*\n +a heartbeat printing \/proc\/uptime every 100 ms beside insmod stopped for \d+ ms/);
    expect(failed(spin)['no-busy-wait']).toContain(todoOf(l, 3));

    const woken = await runLabChecks(l, mistake(l, 'my_device.c', [['TASK_UNINTERRUPTIBLE', 'TASK_INTERRUPTIBLE']]));
    expect(Object.keys(failed(woken))).toEqual(['ctrl-c']);
    expect(failed(woken)['ctrl-c']).toMatch(/^The signal cut the driver's sleep short and it went on as if the time had passed: RUN came \d+ ms after the reset\./);
  }, 180_000);

  it('a driver that gives up at the first missed window fails window-missed only', async () => {
    const l = lab('firmware-startup');
    const r = await runLabChecks(l, mistake(l, 'my_device.c', [['\t\tif (inb(io + ERROR_ADDR) != ERROR_TIMING)\n\t\t\tbreak;', '\t\tbreak;']]));
    expect(Object.keys(failed(r))).toEqual(['window-missed']);
    expect(failed(r)['window-missed']).toContain(todoOf(l, 5));
  }, 180_000);
});

describe('lab 8 mailbox-irq', () => {
  it('a handler that acknowledges only answers leaves the ready interrupt up; a wait that ignores signals spins after Ctrl-C', async () => {
    const l = lab('mailbox-irq');
    const picky = await runLabChecks(l, mistake(l, 'my_device.c', [[
      '\t\t\twake_up_interruptible(&card->queue);\n\t}\n\n\toutb(0x01, card->base + ACK_ADDR);',
      '\t\t\twake_up_interruptible(&card->queue);\n\t\toutb(0x01, card->base + ACK_ADDR);\n\t}',
    ]]));
    expect(Object.keys(failed(picky))).toEqual(['insmod']);
    expect(failed(picky).insmod).toMatch(/^While the card started, the card interrupted 1 time\(s\) and was acknowledged 0 time\(s\)/);
    expect(failed(picky).insmod).toContain(todoOf(l, 2));

    const deaf = await runLabChecks(l, mistake(l, 'my_device.c', [['\t\tif (signal_pending(current))\n\t\t\treturn -EINTR;\n', '']]));
    expect(Object.keys(failed(deaf))).toEqual(['ctrl-c']);
    expect(failed(deaf)['ctrl-c']).toMatch(/^After Ctrl-C, cat spun in the kernel for \d+ ms, with the whole machine frozen/);
    expect(failed(deaf)['ctrl-c']).toContain(todoOf(l, 4));
  }, 180_000);

  it('ringing without waiting for the interrupted command\'s answer overruns the card (ERROR=5)', async () => {
    const l = lab('mailbox-irq');
    const r = await runLabChecks(l, mistake(l, 'my_device.c', [['\tret = my_device_wait_answer(card);\n\tif (ret)\n\t\treturn ret;\n\tmemcpy_toio', '\tmemcpy_toio']]));
    expect(Object.keys(failed(r))).toEqual(['ctrl-c']);
    expect(failed(r)['ctrl-c']).toMatch(/ERROR=5 \(OVERRUN\), the new command ignored\./);
    expect(failed(r)['ctrl-c']).toContain(todoOf(l, 5));
  }, 180_000);
});
