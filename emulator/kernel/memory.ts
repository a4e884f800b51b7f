// The machine's RAM as one budget: modules' memory (their kmalloc/vmalloc heaps) and user
// programs' address spaces come out of the same MemTotal that /proc/meminfo and `free` show.
// When it runs out, the kernel answers as Linux does: a kmalloc that cannot get pages returns
// NULL after warn_alloc()'s "page allocation failure" (mm/page_alloc.c), and a user program that
// grows past what is left is chosen by the OOM killer (mm/oom_kill.c) and killed.
import type { Kernel } from './kernel.js';
import type { Task } from './sched.js';
import { SIGKILL } from './sched.js';

/** 256 MB of RAM. */
export const MEM_TOTAL_KB = 262144;
/** The page cache of the root file system (it lives in RAM), the kernel, and its slab and other caches: fixed. */
export const CACHED_KB = 24576;
export const KERNEL_USED_KB = 18432;
export const SLAB_BASE_KB = 4096;
export const OTHER_KERNEL_KB = 6144;
/** min_free_kbytes: the min watermark (SysRq-M's "min:1024kB"); only atomic reserves go below it. */
export const MIN_FREE_KB = 1024;
/**
 * The largest address space one user program may have (64 MiB, the wasm memory maximum gcc links
 * with): past it malloc() returns NULL, as with `ulimit -v 65536`.
 */
export const USER_ADDRESS_SPACE_MAX = 64 << 20;

/** KiB of RAM the loaded modules' memories take (code, data, stacks, kmalloc heap). */
export function modulesKb(k: Kernel): number {
  let bytes = 0;
  for (const m of k.modules.list()) bytes += m.memory().buffer.byteLength;
  return Math.ceil(bytes / 1024);
}

/** KiB of RAM a task's address space takes: its wasm memory (the shell's own commands are part of the kernel's figure). */
export function taskRssKb(task: Task): number {
  return task.alive && task.mm?.resident ? Math.ceil(task.mm.resident() / 1024) : 0;
}

/** KiB of RAM the user programs' address spaces take. */
export function programsKb(k: Kernel): number {
  let kb = 0;
  for (const t of k.tasks.values()) kb += taskRssKb(t);
  return kb;
}

/** MemFree in KiB, from the same figures /proc/meminfo shows. */
export function freeKb(k: Kernel): number {
  const buffersKb = k.block?.stats().buffersKb ?? 0;
  return MEM_TOTAL_KB - KERNEL_USED_KB - modulesKb(k) - programsKb(k) - CACHED_KB - OTHER_KERNEL_KB - buffersKb;
}

/** Whether `bytes` more can come out of free memory without going below the min watermark. */
export function canAllocate(k: Kernel, bytes: number): boolean {
  return freeKb(k) - Math.ceil(bytes / 1024) >= MIN_FREE_KB;
}

/** get_order(): the page order an allocation of `bytes` needs. */
function order(bytes: number): number {
  let pages = Math.ceil(bytes / 4096);
  let o = 0;
  while (pages > 1) { pages = Math.ceil(pages / 2); o++; }
  return o;
}

/** warn_alloc(): the first line of the report a failed allocation leaves (rate-limited on Linux; one line here). */
export function warnAllocFailure(k: Kernel, bytes: number, gfp: string): void {
  const task = k.sched.current;
  k.printk(`\x014${task?.comm ?? 'swapper/0'}: page allocation failure: order:${order(bytes)}, mode:${gfp}, nodemask=(null),cpuset=/,mems_allowed=0\n`);
}

const oomVictims = new WeakSet<Task>();

/**
 * out_of_memory(): a user program grew while free memory was below the min watermark. The task
 * with the largest address space is killed (oom_badness() with every oom_score_adj 0), with the
 * kernel's two report lines. Returns the task killed, if any.
 */
export function outOfMemory(k: Kernel, trigger: Task): Task | undefined {
  if (freeKb(k) >= MIN_FREE_KB) return undefined;
  // A victim not yet dead frees its memory as soon as it runs: no second kill meanwhile (tsk_is_oom_victim()).
  for (const t of k.tasks.values()) if (t.alive && oomVictims.has(t)) return undefined;
  let victim: Task | undefined;
  for (const t of k.tasks.values()) if (t.pid !== 1 && taskRssKb(t) > (victim ? taskRssKb(victim) : 0)) victim = t;
  if (!victim) return undefined;
  oomVictims.add(victim);
  const rss = taskRssKb(victim);
  k.printk(`\x014${trigger.comm} invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0\n`);
  k.printk(`\x013Out of memory: Killed process ${victim.pid} (${victim.comm}) total-vm:${rss}kB, anon-rss:${rss}kB, file-rss:0kB, shmem-rss:0kB, UID:${victim.cred.uid} pgtables:${Math.ceil(rss / 512)}kB oom_score_adj:0\n`);
  k.sendSignal(victim, SIGKILL);
  return victim;
}
