// <linux/mutex.h>, <linux/spinlock.h>, <linux/atomic.h>: locks over module memory.
// Until the scheduler can sleep inside C (step 3), a contended mutex can only
// mean a lock leaked by an earlier call, which Linux would hang on: it is reported.
import type { KapiTable, ModuleContext } from './context.js';
import { MODERN } from './layout.js';
import { WaitQueue } from '../sched.js';
import { moduleWaitName } from './wait.js';

const L = MODERN.mutex;
const MUTEX_MAGIC = 0x4d555458;

export function syncApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const owner = (lock: number) => m.view().getUint32(lock + L.owner, true);
  const pid = () => k.sched.current?.pid ?? 0;
  const check = (lock: number, what: string) => {
    if (m.view().getUint32(lock + L.magic, true) !== MUTEX_MAGIC) {
      k.printk(`\x013DEBUG_LOCKS_WARN_ON(lock->magic != lock): ${what} on an uninitialized mutex in ${m.name}\n`);
    }
  };
  const waiters = new Map<number, WaitQueue>();
  /** mutex_lock(): takes a free lock at once; otherwise sleeps (D, or S when interruptible) until handed the lock. */
  const acquire = (lock: number, interruptible: boolean, what: string): number => {
    if (m.asyncState() === 2) return m.sleepUntil(() => Promise.resolve(0));
    check(lock, what);
    const me = pid() || 0xffffffff;
    if (owner(lock) === 0) { m.view().setUint32(lock + L.owner, me, true); return 0; }
    if (owner(lock) === me) {
      k.printk(`\x014WARNING: possible recursive locking detected: ${k.sched.current?.comm ?? '?'}/${me} is trying to acquire a mutex of ${m.name} it already holds\n`);
    }
    let q = waiters.get(lock);
    if (!q) { q = new WaitQueue(moduleWaitName(m, 'mutex', lock)); waiters.set(lock, q); }
    const wq = q;
    return m.sleepUntil(() => k.sleepOn(wq, what, interruptible).then((r) => (r < 0 ? -4 : 0)));
  };

  return {
    __mutex_init: (lock: number) => {
      m.u8().fill(0, lock, lock + L.size);
      m.view().setUint32(lock + L.magic, MUTEX_MAGIC, true);
    },
    mutex_lock: (lock: number) => { acquire(lock, false, 'mutex_lock'); },
    mutex_lock_interruptible: (lock: number) => acquire(lock, true, 'mutex_lock_interruptible'),
    mutex_trylock: (lock: number) => {
      if (owner(lock) !== 0) return 0;
      m.view().setUint32(lock + L.owner, pid() || 0xffffffff, true);
      return 1;
    },
    mutex_unlock: (lock: number) => {
      const o = owner(lock);
      if (o === 0) k.printk(`\x014WARNING: ${m.name}: mutex_unlock() of a mutex that is not locked\n`);
      else if (o !== (pid() || 0xffffffff)) k.printk(`\x014DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current): ${m.name}: unlocking a mutex held by pid ${o}\n`);
      // Hand-off to the first waiter, which returns from mutex_lock() owning the lock.
      const q = waiters.get(lock);
      const next = q && [...q.waiters][0];
      if (next) {
        m.view().setUint32(lock + L.owner, next.pid, true);
        q.waiters.delete(next);
        k.sched.wake(next);
      } else {
        m.view().setUint32(lock + L.owner, 0, true);
      }
    },
    mutex_is_locked: (lock: number) => (owner(lock) !== 0 ? 1 : 0),
    mutex_destroy: (lock: number) => {
      if (owner(lock) !== 0) k.printk(`\x014DEBUG_LOCKS_WARN_ON(mutex_is_locked(lock)): ${m.name}: mutex_destroy() of a locked mutex\n`);
      m.view().setUint32(lock + L.magic, 0, true);
    },
  };
}
