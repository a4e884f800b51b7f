// User memory: every task has its own address space (ARCHITECTURE.md decision 2).
// The kernel reaches it only through these checks, so a bad user pointer gives
// -EFAULT instead of reading kernel (module) memory or crashing the simulator.

/** The first 4 KiB are never mapped, as on Linux: NULL and small offsets from it fault. */
export const USER_LOWEST_ADDRESS = 4096;

export interface UserMemory {
  /** The current bytes of the address space (may change identity when it grows). */
  bytes(): Uint8Array;
  /** Bytes of RAM the address space takes, for a program with memory of its own (a wasm program). */
  resident?(): number;
}

/** A growable scratch address space for TypeScript programs, which have no wasm memory. */
export class ScratchMemory implements UserMemory {
  private buf = new Uint8Array(USER_LOWEST_ADDRESS + 4096);
  bytes(): Uint8Array { return this.buf; }
  /** Makes room for `len` bytes at USER_LOWEST_ADDRESS and returns that address. */
  reserve(len: number): number {
    const need = USER_LOWEST_ADDRESS + len;
    if (need > this.buf.length) {
      let size = this.buf.length;
      while (size < need) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf);
      this.buf = next;
    }
    return USER_LOWEST_ADDRESS;
  }
}

export function userRangeOk(mem: UserMemory, addr: number, len: number): boolean {
  if (len === 0) return true;
  return addr >= USER_LOWEST_ADDRESS && addr + len <= mem.bytes().length && addr + len >= addr;
}

/** copy_to_user semantics: returns the number of bytes NOT copied. */
export function copyToUser(mem: UserMemory, uaddr: number, src: Uint8Array): number {
  if (!userRangeOk(mem, uaddr, src.length)) return src.length;
  mem.bytes().set(src, uaddr);
  return 0;
}

/** copy_from_user semantics: returns the bytes, or undefined when the range is bad. */
export function copyFromUser(mem: UserMemory, uaddr: number, len: number): Uint8Array | undefined {
  if (!userRangeOk(mem, uaddr, len)) return undefined;
  return mem.bytes().slice(uaddr, uaddr + len);
}
