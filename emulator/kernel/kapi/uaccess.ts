// <linux/uaccess.h>: copying between the module's memory and the current
// task's address space. A bad user address copies nothing and returns the count
// not copied, so the driver returns -EFAULT; it never faults the simulator.
import { copyFromUser, copyToUser } from '../uaccess.js';
import type { KapiTable, ModuleContext } from './context.js';
import { KernelFault } from '../oops.js';
import { NULL_GUARD } from '../../wasm/faults.js';

/** What a user copy costs the CPU: the access check and fault handling set-up, then the bytes (~4 GB/s). */
const UACCESS_NS = 20;
const UACCESS_NS_PER_BYTE = 0.25;

export function uaccessApi(m: ModuleContext): KapiTable {
  const mm = () => m.kernel.currentMm();
  const cost = (n: number) => m.kernel.charge(UACCESS_NS + n * UACCESS_NS_PER_BYTE);
  /**
   * The kernel side of a user copy. The modern kernel (HARDENED_USERCOPY, as Ubuntu builds it)
   * refuses a NULL kernel pointer outright: usercopy_abort() and a BUG. Any other bad kernel
   * address faults inside the copy, whose exception fixup makes the copy fail (-EFAULT).
   */
  const kernelSide = (addr: number, n: number, toUser: boolean): boolean => {
    addr >>>= 0;
    if (n <= 0) return true;
    if (m.kernel.personality === 'modern' && addr <= 16) {
      m.kernel.printk(`\x010usercopy: Kernel memory ${toUser ? 'exposure' : 'overwrite'} attempt detected ${toUser ? 'from' : 'to'} null address (offset ${addr}, size ${n})!\n`);
      throw new KernelFault({ kind: 'invalid-opcode', bug: { file: 'mm/usercopy.c', line: 99 } }, undefined, undefined,
        [{ kind: 'kernel', name: 'usercopy_abort', offset: 0x7c }, { kind: 'kernel', name: '__check_object_size', offset: 0x8c }]);
    }
    return addr >= NULL_GUARD && addr + n <= m.memory().buffer.byteLength;
  };
  const toUser = (to: number, from: number, n: number) => {
    cost(n);
    if (!kernelSide(from, n, true)) return n;
    return copyToUser(mm(), to >>> 0, m.u8().subarray(from, from + n)) === 0 ? 0 : n;
  };
  const fromUser = (to: number, from: number, n: number) => {
    cost(n);
    if (!kernelSide(to, n, false)) return n;
    const bytes = copyFromUser(mm(), from >>> 0, n);
    if (!bytes) { m.u8().fill(0, to, to + n); return n; }
    m.u8().set(bytes, to);
    return 0;
  };
  return {
    copy_to_user: toUser,
    _copy_to_user: toUser,
    copy_from_user: fromUser,
    _copy_from_user: fromUser,
    // get_user/put_user with a size argument; the header macros pick the size.
    __get_user_n: (dst: number, uptr: number, size: number) => (fromUser(dst, uptr, size) ? -14 : 0),
    __put_user_n: (src: number, uptr: number, size: number) => (toUser(uptr, src, size) ? -14 : 0),
    access_ok: (addr: number, size: number) => (copyFromUser(mm(), addr >>> 0, size) ? 1 : 0),
    strncpy_from_user: (dst: number, src: number, count: number) => {
      const mem = mm().bytes();
      src >>>= 0;
      if (src < 4096 || src >= mem.length) return -14;
      let n = 0;
      while (n < count && src + n < mem.length && mem[src + n]) n++;
      m.u8().set(mem.subarray(src, src + n), dst);
      if (n < count) m.u8()[dst + n] = 0;
      return n;
    },
    clear_user: (to: number, n: number) => (copyToUser(mm(), to >>> 0, new Uint8Array(n)) === 0 ? 0 : n),
  };
}
