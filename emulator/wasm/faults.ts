// The contract between the module build (the checks main/host/wasm-passes.ts
// puts into kernel C code) and the kernel that reports their faults: what a
// check does when it fires, and where it leaves the details.
//
// Address 0 is ordinary wasm memory, so a NULL dereference does not trap by
// itself. Every load and store whose address could be below NULL_GUARD or at
// or above ADDRESS_LIMIT is preceded by one unsigned compare; when it fires,
// the effective address and the kind of access go into two exported globals
// and the code traps (`unreachable`), which the kernel turns into an oops.
// A trap costs nothing until it fires, unlike a call (see bench/faults.ts).

/** Addresses below this are a NULL pointer dereference, as the kernel's first page is unmapped. */
export const NULL_GUARD = 4096;
/** A module's memory never grows past this; a pointer at or beyond it is wild. */
export const ADDRESS_LIMIT = 64 << 20;

/** Exported globals a firing check fills in. */
export const FAULT_ADDRESS_GLOBAL = '__dl_fault_addr';
export const FAULT_KIND_GLOBAL = '__dl_fault_kind';
/** The lowest address the C stack may grow to; the kernel sets it to the running task's stack. */
export const STACK_LIMIT_GLOBAL = '__dl_stack_limit';

/** __dl_fault_kind: the access size in the low byte, and what the access was. */
export const FAULT_SIZE_MASK = 0xff;
export const FAULT_WRITE = 0x100;
/** memory.copy / memory.fill (the compiler's inline memcpy and memset). */
export const FAULT_BULK = 0x200;
/** The stack pointer went below STACK_LIMIT_GLOBAL. */
export const FAULT_STACK = 0x400;
/** Above these bits, the number of the check that fired (so that no two checks are identical code). */
export const FAULT_SITE_SHIFT = 12;
