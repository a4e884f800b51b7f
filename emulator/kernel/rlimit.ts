// How many processes the machine runs (kernel/fork.c): max_threads from the RAM, as fork_init()
// computes it, and each user's RLIMIT_NPROC at half of it. A fork past either is refused with
// EAGAIN ("Resource temporarily unavailable"), so a fork bomb stops growing and the machine,
// and the host under it, stay usable.
import type { Kernel } from './kernel.js';
import { MEM_TOTAL_KB } from './memory.js';

/** fork_init(): totalram pages / (8 * THREAD_SIZE / PAGE_SIZE), THREAD_SIZE 16 KiB: 2048 on 256 MB. */
export const MAX_THREADS = Math.floor((MEM_TOTAL_KB / 4) / (8 * 4));
/** init_task's RLIMIT_NPROC: max_threads / 2, inherited by every process. */
export const RLIMIT_NPROC = MAX_THREADS / 2;

/** /proc/sys/kernel/pid_max's default, and the pids below which a wrapped allocation does not go back (RESERVED_PIDS). */
export const PID_MAX = 32768;
export const RESERVED_PIDS = 300;

const EAGAIN = 11;

/**
 * copy_process()'s checks: -EAGAIN when the machine has max_threads tasks, or when a user other
 * than root already runs RLIMIT_NPROC processes; 0 when the fork may go on.
 */
export function forkRefused(k: Kernel, uid: number): number {
  let all = 0;
  let mine = 0;
  for (const t of k.tasks.values()) {
    if (!t.alive) continue;
    all++;
    if (t.cred.uid === uid) mine++;
  }
  if (all >= MAX_THREADS) return -EAGAIN;
  if (uid !== 0 && mine >= RLIMIT_NPROC) return -EAGAIN;
  return 0;
}

