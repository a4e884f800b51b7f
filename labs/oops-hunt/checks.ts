import type { Check } from '@driverlab/checks';

const NODES = 'for i in 0 1 2 3; do sudo mknod -m 666 /dev/my_device$i c 125 $i; done';

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds my_device.ko',
    async run(t) {
      await t.machine.build();
    },
  },
  {
    id: 'unwritten-port',
    title: 'Reading a port nobody wrote to returns nothing, without an oops',
    needs: ['build'],
    async run(t) {
      const since = t.machine.mark();
      const r = await t.machine.sh(`sudo insmod my_device.ko && ${NODES} && cat /dev/my_device1; echo "status $?"`);
      const oops = t.machine.problems(since).find((p) => p.kind === 'Oops' || p.kind === 'BUG');
      if (oops) {
        t.fail({
          summary: 'Reading /dev/my_device1 still oopses.',
          seen: oops.text,
          where: oops.where ?? { file: 'my_device.c' },
        });
      }
      t.expectEqual(r.output.trim().split('\n').at(-1), 'status 0', { summary: '`cat /dev/my_device1` should print nothing and succeed.', seen: r.output });
    },
  },
  {
    id: 'round-trip',
    title: 'A message written to a port is read back',
    needs: ['unwritten-port'],
    async run(t) {
      const r = await t.machine.sh('echo "hello, port 2" > /dev/my_device2 && cat /dev/my_device2');
      t.expectEqual(r.output, 'hello, port 2\n', { summary: 'The fix broke the messages: what is written to a port is not read back.', where: t.find('my_device.c', /my_device_read/) });
    },
  },
];

export default checks;
