import type { Check } from '@driverlab/checks';

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds my_device.ko',
    async run(t) {
      await t.machine.build();
    },
  },
  {
    id: 'restart',
    title: '`echo restart > /dev/my_device0` restarts the card and the machine stays responsive',
    needs: ['build'],
    async run(t) {
      await t.machine.sh('sudo insmod my_device.ko && sudo mknod -m 666 /dev/my_device0 c 125 0');
      const since = t.machine.mark();
      const r = await t.machine.sh('echo restart > /dev/my_device0 && cat /dev/my_device0', { timeoutMs: 5000 });
      t.expectEqual(r.output, 'running\n', { summary: 'After a restart the card should be running.', seen: r.output, where: t.find('my_device.c', /my_device_restart\(void\)/) });
      const spinMs = t.machine.longestBusyWait(since)?.ms ?? 0;
      t.expect(spinMs <= t.lab.limits.busyWaitMs, {
        summary: `The restart kept the CPU busy for ${spinMs} ms: wait by sleeping (schedule_timeout), with interrupts on.`,
        where: t.find('my_device.c', /jiffies|cli\(\)|mdelay|udelay/) ?? t.find('my_device.c', /my_device_restart\(void\)/),
      });
      const card = t.machine.card(0);
      t.expect(card.error === 0, { summary: `The card reports ERROR=${card.error}: RUN must follow the reset within 400-500 ms.`, where: t.find('my_device.c', /my_device_restart\(void\)/) });
    },
  },
];

export default checks;
