// Test helpers for the progress store: a temporary data folder and a store with records in it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProgressStore } from '../../main/progress/store.js';
import type { CheckItem } from '../../main/progress/types.js';
import { tempWorkspace } from './machine.js';

export const enc = (text: string) => new TextEncoder().encode(text);

/** A fresh, empty data folder (DRIVERLAB_HOME), removed when the test process exits. */
export function tempHome(): string {
  return tempWorkspace();
}

export function items(...passed: boolean[]): CheckItem[] {
  return passed.map((p, i) => ({ id: `item-${i}`, title: `check ${i}`, passed: p, message: p ? '' : `check ${i} failed: expected 1, got 0` }));
}

/** A workspace of `n` files of about 2 KB; `version` changes the content of the first one only. */
export function workspace(n: number, version = 0): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < n; i++) {
    const name = i === 0 ? 'hello.c' : i === 1 ? 'Makefile' : `src/part${i}.c`;
    files[name] = enc(`/* ${name}${i === 0 ? ` version ${version}` : ''} */\n` + `int f${i}(void) { return ${i}; }\n`.repeat(60));
  }
  return files;
}

export const DAY = 24 * 3600_000;
/** Noon, local time, `daysAgo` days before 2025-03-10 (a fixed "today" for the tests). */
export function noon(daysAgo = 0): number {
  return new Date(2025, 2, 10 - daysAgo, 12).getTime();
}

/**
 * A store holding some of everything: two labs (one passed), `runs` check runs of hello-proc
 * with snapshots, time, hints, drill attempts, a setting.
 */
export function seededStore(home: string, runs = 3): ProgressStore {
  const store = ProgressStore.open({ home, now: () => noon() });
  store.openLab('hello-proc', noon(3));
  store.addTimeSpent('hello-proc', noon(3), 20 * 60_000);
  for (let i = 0; i < runs; i++) {
    store.recordCheckRun({ labId: 'hello-proc', at: noon(2) + i * 60_000, seed: i + 1, personality: 'modern', items: items(true, i === runs - 1), files: workspace(4, i) });
  }
  store.revealHint('hello-proc', 'copy-to-user', noon(2));
  store.recordCheckRun({ labId: 'chardev', at: noon(1), seed: 7, personality: '2.2', items: items(true, false), files: { 'my_device.c': enc('int init_module(void) { return 0; }\n') } });
  store.recordDrillAttempt({ drillId: 'sysrq-sync', at: noon(1), score: { virtualMs: 4000, wallMs: 30_000, bytesLost: 512, keysPressed: 20, fixPassed: false } });
  store.recordDrillAttempt({ drillId: 'sysrq-sync', at: noon(1) + 60_000, score: { virtualMs: 2500, wallMs: 20_000, bytesLost: 0, keysPressed: 12, fixPassed: true } });
  store.setSetting('fontSize', 16, noon(1));
  return store;
}

export function dbFiles(home: string): string[] {
  return fs.readdirSync(home).filter((f) => f.startsWith('progress.db')).sort();
}

export const dbPath = (home: string) => path.join(home, 'progress.db');
