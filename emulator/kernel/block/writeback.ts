// Write-back of dirty buffers on a timer, and the emergency sync of SysRq-S, per personality:
//
// * 2.2 (fs/buffer.c): the kernel threads [kupdate], which wakes every 5 s (bdflush `interval`)
//   and writes the buffers dirty for 30 s or more (`age_buffer`), and [kflushd] (bdflush), which
//   does the emergency sync SysRq-S asks for: "Syncing device 03:01 ... OK" per mounted disk file
//   system, then "Done.". Tuned through /proc/sys/vm/bdflush.
// * modern (fs/fs-writeback.c): the delayed work wb_workfn on the "writeback" workqueue (its
//   rescuer thread shows in ps as [writeback]), queued 5 s (dirty_writeback_centisecs) after the
//   first buffer got dirty and again every 5 s while dirty buffers remain; it writes the ones
//   dirty for 30 s or more (dirty_expire_centisecs). SysRq-S queues do_sync_work on the system
//   workqueue, which syncs everything and says "Emergency Sync complete".
//
// The threads start with the first dirty buffer (or the first SysRq-S), not at boot: init must
// stay pid 1. Write-back only ever runs in process context (a kernel thread or a worker), never
// in an interrupt: the IDE driver polls, and must not be entered twice.
import type { Kernel } from '../kernel.js';
import { HZ } from '../kernel.js';
import { KThread } from '../kthread.js';
import { WaitQueue } from '../sched.js';
import { Work, WQ_FREEZABLE, WQ_MEM_RECLAIM, WQ_UNBOUND, type Workqueue } from '../workqueue.js';
import { EINVAL } from '../errno.js';
import { MAJOR, MINOR } from '../fs/types.js';
import { mountedSupers, remountReadOnly } from '../fs/super.js';
import type { BlockLayer } from './index.js';

const NS_PER_CENTISEC = 10_000_000;

/** The 2.2 bdflush parameters, as /proc/sys/vm/bdflush lists them (its defaults). */
interface Bdflush22 {
  nfract: number; ndirty: number; nrefill: number; nrefDirt: number; interval: number; ageBuffer: number; ageSuper: number; dummy1: number; dummy2: number;
}

export class Writeback {
  /** dirty_writeback_centisecs / bdflush interval: how often old dirty buffers are looked for. */
  writebackCentisecs = 500;
  /** dirty_expire_centisecs / bdflush age_buffer: how long a buffer may stay dirty. */
  expireCentisecs = 3000;
  /** Write-back passes that wrote something (for tests and the curious). */
  passes = 0;

  private kupdate: KThread | undefined;
  private kflushd: KThread | undefined;
  private readonly kupdateWait = new WaitQueue('kupdate');
  private readonly bdflushWait = new WaitQueue('bdflush');
  /** What SysRq asked bdflush to do (2.2's emergency_sync_scheduled: EMERG_SYNC or EMERG_REMOUNT). */
  private emergencyPending: 'sync' | 'remount' | undefined;
  private bdflush22: Bdflush22 = { nfract: 40, ndirty: 500, nrefill: 64, nrefDirt: 256, interval: 500, ageBuffer: 3000, ageSuper: 500, dummy1: 1884, dummy2: 2 };

  private writebackWq: Workqueue | undefined;
  private readonly wbWork: Work;

  constructor(private readonly k: Kernel, private readonly layer: BlockLayer) {
    this.wbWork = new Work('vmlinux', () => this.wbWorkfn(), () => undefined);
  }

  /** The first buffer became dirty: make sure someone will write it back in time. */
  becameDirty(): void {
    if (this.k.personality === '2.2') this.startDaemons22();
    else this.wakeupDelayed();
  }

  /**
   * emergency_sync(): safe from interrupt context (SysRq-S); the sync itself runs later in a
   * kernel thread or worker, which prints what Linux prints when it is done.
   */
  emergencySync(): void {
    if (this.k.personality === '2.2') {
      this.wakeBdflush('sync');
      return;
    }
    const work = new Work('vmlinux', () => this.doSyncWork(), () => undefined);
    this.k.workqueues.queue(this.k.workqueues.system.events, work);
  }

  /** 2.2's SysRq-U: bdflush remounts every disk file system read-only, in the emergency sync's place. */
  emergencyRemount22(): void {
    this.wakeBdflush('remount');
  }

  private wakeBdflush(what: 'sync' | 'remount'): void {
    this.emergencyPending = what;
    this.startDaemons22();
    this.k.wakeAll(this.bdflushWait);
  }

  /** Writes the buffers dirty for `expire` or longer; whether there were any. */
  private writeOld(): boolean {
    this.k.klogd?.flush();
    // Linux keeps dirtying times in jiffies: a buffer dirtied during a tick counts from that tick.
    const cutoff = this.k.clock.now - this.expireCentisecs * NS_PER_CENTISEC + 1e9 / HZ;
    const written = this.layer.cache.writeOlderThan(cutoff);
    if (written) this.passes++;
    return written > 0;
  }

  // --- modern: wb_workfn on the writeback workqueue ------------------------------------------------

  private wakeupDelayed(): void {
    if (this.wbWork.pending || this.writebackCentisecs === 0) return;
    this.writebackWq ??= this.k.workqueues.alloc('writeback', WQ_MEM_RECLAIM | WQ_UNBOUND | WQ_FREEZABLE, 0, 'vmlinux');
    this.k.workqueues.queueDelayed(this.writebackWq, this.wbWork, Math.max(1, Math.round(this.writebackCentisecs * HZ / 100)));
  }

  private wbWorkfn(): void {
    this.writeOld();
    if (this.layer.cache.dirtyCount > 0) this.wakeupDelayed();
  }

  /** do_sync_work(): everything to the disks, then the message. */
  private doSyncWork(): void {
    this.layer.syncAll();
    this.k.printk('\x016Emergency Sync complete\n');
  }

  // --- 2.2: kupdate and kflushd --------------------------------------------------------------------

  private startDaemons22(): void {
    if (this.kupdate) return;
    this.kflushd = new KThread(this.k, 'kflushd', () => this.bdflush());
    this.kupdate = new KThread(this.k, 'kupdate', () => this.kupdateLoop());
    this.kflushd.wake();
    this.kupdate.wake();
  }

  /** kupdate(): every `interval`, the buffers older than `age_buffer` go to the disk. */
  private async kupdateLoop(): Promise<number> {
    for (;;) {
      await this.sleepTimeout(this.kupdateWait, this.writebackCentisecs * NS_PER_CENTISEC);
      if (this.kupdate?.shouldStop) return 0;
      this.writeOld();
    }
  }

  /** bdflush(): here only the emergency sync (writers write back themselves when too much is dirty). */
  private async bdflush(): Promise<number> {
    for (;;) {
      const pending = this.emergencyPending;
      if (pending) {
        this.emergencyPending = undefined;
        this.doEmergencySync22(pending === 'remount');
      }
      if (this.kflushd?.shouldStop) return 0;
      await this.k.sleepOn(this.bdflushWait, 'bdflush', true);
    }
  }

  /**
   * 2.2's do_emergency_sync(): each mounted file system on a disk is synced (go_sync()), or
   * with SysRq-U synced and remounted read-only ("R/O" if it was already), then "Done.".
   */
  private doEmergencySync22(remount: boolean): void {
    this.k.klogd?.flush();
    for (const { sb, mounts } of mountedSupers(this.k.vfs)) {
      const bdev = this.layer.devices.get(sb.dev);
      if (!bdev) continue;
      const dev = `${hex2(MAJOR(sb.dev))}:${hex2(MINOR(sb.dev))}`;
      sb.sync?.();
      this.layer.syncDevice(bdev);
      let result = 'OK';
      if (remount) {
        result = remountReadOnly(sb, mounts);
        // The clean state the file system wrote on the way to read-only goes out too.
        this.layer.syncDevice(bdev);
      }
      this.k.printk(`\x016${remount ? 'Remount' : 'Sync'}ing device ${dev} ... ${result}\n`);
    }
    this.k.printk('\x016Done.\n');
  }

  /** schedule_timeout() in TASK_INTERRUPTIBLE: sleeps `ns`, or until the queue is woken. */
  private async sleepTimeout(wq: WaitQueue, ns: number): Promise<void> {
    const ev = this.k.clock.schedule(this.k.clock.now + ns, () => this.k.wakeAll(wq), `${wq.name} timeout`);
    await this.k.sleepOn(wq, 'schedule_timeout', true);
    this.k.clock.cancel(ev);
  }

  // --- tuning -----------------------------------------------------------------------------------

  /** /proc/sys/vm: dirty_expire_centisecs and dirty_writeback_centisecs (modern), bdflush (2.2). */
  registerSysctls(): void {
    const p = this.k.procfs;
    const vm = p.dir('sys/vm');
    if (this.k.personality === '2.2') {
      p.addText(vm, 'bdflush', {
        show: () => `${Object.values(this.bdflush22).join(' ')}\n`,
        write: (text) => {
          const nums = text.trim().split(/\s+/).map(Number);
          if (!nums.length || nums.length > 9 || nums.some((n) => !Number.isInteger(n) || n < 0)) return -EINVAL;
          const keys = Object.keys(this.bdflush22) as (keyof Bdflush22)[];
          nums.forEach((n, i) => { this.bdflush22[keys[i]!] = n; });
          this.writebackCentisecs = this.bdflush22.interval;
          this.expireCentisecs = this.bdflush22.ageBuffer;
          this.layer.cache.limits.dirtyRatio = Math.min(100, Math.max(1, this.bdflush22.nfract));
          return text.length;
        },
      }, 0o644);
      return;
    }
    const centisecs = (name: string, get: () => number, set: (v: number) => void) => p.addText(vm, name, {
      show: () => `${get()}\n`,
      write: (text) => {
        const v = Number(text.trim());
        if (!Number.isInteger(v) || v < 0) return -EINVAL;
        set(v);
        return text.length;
      },
    }, 0o644);
    centisecs('dirty_expire_centisecs', () => this.expireCentisecs, (v) => { this.expireCentisecs = v; });
    centisecs('dirty_writeback_centisecs', () => this.writebackCentisecs, (v) => { this.writebackCentisecs = v; if (this.layer.cache.dirtyCount) this.wakeupDelayed(); });
    centisecs('dirty_ratio', () => this.layer.cache.limits.dirtyRatio, (v) => { this.layer.cache.limits.dirtyRatio = Math.min(100, Math.max(1, v)); });
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
