// The progress store's figure: recording one check run with a 20-file workspace snapshot,
// durably (WAL, synchronous=FULL: each one is fsync'ed), into a database that already holds a
// history. Between runs one file changes, as when a learner edits and checks again.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProgressStore } from '../main/progress/store.js';
import { median, type Row } from './stats.js';

export function benchRecordCheckRun(runs = 60): Row {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-bench-progress-'));
  const store = ProgressStore.open({ home });
  const enc = (s: string) => new TextEncoder().encode(s);
  const unchanged: Record<string, Uint8Array> = {};
  for (let f = 1; f < 20; f++) unchanged[`src/file${f}.c`] = enc(`/* file ${f} */\n` + `static int f${f}(void) { return ${f}; }\n`.repeat(50));
  const items = Array.from({ length: 8 }, (_, i) => ({ id: `item-${i}`, title: `check item ${i}`, passed: i !== 7, message: i === 7 ? 'read returned 0 bytes' : '' }));
  const times: number[] = [];
  try {
    for (let i = 0; i < runs * 2; i++) {
      const files = { ...unchanged, 'hello.c': enc(`/* edit ${i} */\n` + 'int x;\n'.repeat(300)) };
      const t = performance.now();
      store.recordCheckRun({ labId: 'hello-proc', seed: i, personality: 'modern', items, files });
      if (i >= runs) times.push(performance.now() - t); // the first half builds a history
    }
  } finally {
    store.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
  return { name: 'record a check run (20 files, fsync)', value: `${median(times).toFixed(1)} ms`, target: '< 5 ms', runs: times.length };
}
