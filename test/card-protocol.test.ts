// The datasheet's two timing rules seen from a driver (issue "Step 4"): RUN written outside the
// 400-500 ms start window leaves ERROR=1 and the driver's error path gives everything back; a
// handler that never writes ACK gets the first interrupt and no other, and the card shows
// ERROR=7 (NO_ACK) a second later.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

const files = {
  'card_protocol.c': fs.readFileSync(path.join(import.meta.dirname, 'fixtures/card_protocol.c'), 'utf8'),
  Makefile: 'obj-m += card_protocol.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n',
};
const LEFTOVERS = 'grep -c my_device /proc/ioports /proc/iomem /proc/interrupts';

describe('MY_DEVICE start-up window and ACK protocol, through a driver', () => {
  for (const ms of [300, 600]) {
    it(`RUN ${ms} ms after the reset: ERROR=1 (TIMING), insmod fails, nothing stays claimed`, async () => {
      const r = await runSh(`make -s && sudo insmod card_protocol.ko start_ms=${ms}; echo "insmod $?"; dmesg | grep my_device:; ${LEFTOVERS}`, { files });
      expect(r.output).toContain('insmod: ERROR: could not insert module card_protocol.ko: Input/output error\ninsmod 1\n');
      expect(r.output).toMatch(/my_device: no READY interrupt \(error 1\)\n/);
      expect(r.output).toMatch(/\/proc\/ioports:0\n\/proc\/iomem:0\n\/proc\/interrupts:0\n$/);
      expect(r.machine.bus.read(0x204, 1)).toBe(1);
    });
  }

  it('RUN 450 ms after the reset: READY, and the WRITE is answered (the control case)', async () => {
    const r = await runSh('make -s && sudo insmod card_protocol.ko && dmesg | grep -E "running|WRITE"', { files });
    expect(r.output).toMatch(/my_device: firmware 1 running, status 0x11\n.*my_device: WRITE answered with status 0, error register 0\n$/);
  });

  it('a handler that never ACKs gets the READY interrupt and no other; the card sets ERROR=7 after 1 s', async () => {
    const r = await runSh(`make -s && sudo insmod card_protocol.ko ack=0; echo "insmod $?"; dmesg | grep -E "WRITE|interrupts handled"; ${LEFTOVERS}`, { files });
    expect(r.output).toContain('could not insert module card_protocol.ko: Connection timed out\ninsmod 1\n');
    expect(r.output).toMatch(/my_device: WRITE answered with status -110, error register 7\n.*my_device: 1 interrupts handled\n/);
    expect(r.output).toMatch(/\/proc\/ioports:0\n\/proc\/iomem:0\n\/proc\/interrupts:0\n$/);
    // The card answered the WRITE (ANSWER set) but kept its line quiet: no second edge.
    expect(r.machine.bus.read(0x200, 1) & 0x02).toBe(0x02);
  });
});
