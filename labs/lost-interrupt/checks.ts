import type { Check } from '@driverlab/checks';

const IRQ = 5;
const ACK = 0x203;

const checks: Check[] = [
  {
    id: 'build',
    title: '`make` builds my_device.o',
    async run(t) {
      await t.machine.build();
    },
  },
  {
    id: 'round-trip',
    title: 'After the card has started, a write and a read go through the loopback port',
    needs: ['build'],
    async run(t) {
      const m = t.machine;
      await m.sh('sudo insmod ./my_device.o && for i in 0 1 2 3; do sudo mknod -m 666 /dev/my_device$i c 125 $i; done');
      const r = await m.sh('echo hello > /dev/my_device0 && cat /dev/my_device0', { timeoutMs: 10_000 });
      const card = m.card();
      t.expectEqual(r.output, 'hello\n', {
        summary: 'The write or the read did not get an answer from the card.',
        seen: `${r.output}(card: ERROR=${card.error}, IRQ line ${card.irqAsserted ? 'high' : 'low'})`,
        where: t.find('my_device.c', /ACK_ADDR\)/) ?? t.find('my_device.c', /my_device_interrupt\(int/),
      });
    },
  },
  {
    id: 'every-irq-acked',
    title: 'Every interrupt of the card is acknowledged, the news (READY, RX_NOTIFY) too',
    needs: ['round-trip'],
    async run(t) {
      const m = t.machine;
      const since = m.mark();
      m.card().receive(1, [0x41, 0x42]);
      await m.sh('sleep 0.1; cat /dev/my_device1 > /dev/null; echo again > /dev/my_device2', { timeoutMs: 10_000 });
      const edges = m.irqLine(IRQ, since).edges;
      const acks = m.portAccesses({ port: ACK, dir: 'out', since }).length;
      t.expect(!m.card().irqAsserted && acks >= edges && m.card().error === 0, {
        summary: `The card interrupted ${edges} time(s) and was acknowledged ${acks} time(s): an interrupt was left unacknowledged.`,
        expected: 'one write of 1 to ACK (base + 3) for every interrupt, whatever it says',
        where: t.find('my_device.c', /my_device_interrupt\(int/),
      });
    },
  },
];

export default checks;
