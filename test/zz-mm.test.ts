import { it } from 'vitest';
import { loadLabs } from '../main/labs/loader.js';
import { LabMachine } from '../main/labs/check-machine.js';
import { MemoryWorkspace } from '../main/labs/memory-workspace.js';
import { createNodeHost } from '../main/host/node-host.js';
it('x', async () => {
  const set = await loadLabs('/work/wt-labs/labs');
  const l = set.labs.find((x) => x.manifest.id === 'major-minor')!;
  for (let i = 0; i < 60; i++) {
    const ws = new MemoryWorkspace(new Map([...l.starter].map(([p, data]) => [p, { data }])));
    const m = new LabMachine({ ...createNodeHost({}), workspace: ws }, { personality: '2.2', seed: 1 });
    const t0 = performance.now();
    try {
      const r = await m.sh('make -s 2>/dev/null; echo $?');
      console.log(i, Math.round(performance.now() - t0), m.now() / 1e9, JSON.stringify(r.output));
    } catch (e) {
      console.log(i, 'FAILED', Math.round(performance.now() - t0), m.now() / 1e9, (e as Error).message, JSON.stringify(m.tasks()));
      const ev = m.events().slice(-30).map((x) => JSON.stringify(x)).join('\n');
      console.log(ev);
    }
  }
}, 900000);
