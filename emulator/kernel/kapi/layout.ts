// Byte offsets of the kernel structures that live in module memory, as the
// headers in emulator/include/<personality>/ declare them for wasm32 (ILP32).
// test/layout.test.ts compiles offsetof() checks against the real headers.

export const MODERN = {
  file: { size: 40, f_inode: 0, f_op: 4, f_flags: 8, f_mode: 12, f_pos: 16, private_data: 24, f_dentry: 28, f_count: 32 },
  inode: { size: 48, i_mode: 0, i_uid: 4, i_gid: 8, i_flags: 12, i_ino: 16, i_rdev: 20, i_size: 24, i_private: 32, i_cdev: 36, i_count: 40 },
  file_operations: { owner: 0, llseek: 4, read: 8, write: 12, read_iter: 16, write_iter: 20, iopoll: 24, iterate_shared: 28, poll: 32, unlocked_ioctl: 36, compat_ioctl: 40, mmap: 44, mmap_supported_flags: 48, open: 52, flush: 56, release: 60, fsync: 64 },
  cdev: { size: 24, owner: 0, ops: 4, dev: 8, count: 12, list: 16 },
  mutex: { size: 16, owner: 0, count: 4, wait_next: 8, magic: 12 },
  proc_ops: { proc_flags: 0, proc_open: 4, proc_read: 8, proc_read_iter: 12, proc_write: 16, proc_lseek: 20, proc_release: 24, proc_poll: 28, proc_ioctl: 32, proc_mmap: 36 },
} as const;

/** Linux 2.2 (i386 layouts rebuilt for wasm32): no owner in file_operations, ioctl takes the inode. */
export const V2_2 = {
  inode: { size: 28, i_dev: 0, i_ino: 4, i_mode: 8, i_nlink: 10, i_uid: 12, i_gid: 14, i_rdev: 16, i_size: 20, u_generic_ip: 24 },
  dentry: { size: 8, d_inode: 0, d_parent: 4 },
  file: { size: 40, f_dentry: 0, f_op: 4, f_mode: 8, f_pos: 16, f_count: 24, f_flags: 28, private_data: 32 },
  file_operations: { llseek: 0, read: 4, write: 8, readdir: 12, poll: 16, ioctl: 20, mmap: 24, open: 28, flush: 32, release: 36, fsync: 40, fasync: 44, check_media_change: 48, revalidate: 52, lock: 56 },
} as const;

/** Linux 2.2's task_struct as the 2.2 headers declare the fields a driver touches. */
export const V2_2_SCHED = {
  task_struct: { size: 36, state: 0, signal: 4, blocked: 8, timeout: 12, pid: 16, comm: 20 },
} as const;

/** <linux/ioport.h>'s struct resource (resource_size_t is 32 bits on this i686). */
export const MODERN_IO = {
  resource: { size: 32, start: 0, end: 4, name: 8, flags: 12, desc: 16, parent: 20, sibling: 24, child: 28 },
} as const;

/** Linux 2.2's i386 struct pt_regs, as <asm/ptrace.h> declares it: what a 2.2 interrupt handler receives. */
export const V2_2_IRQ = {
  pt_regs: { size: 60, ebx: 0, eax: 24, xds: 28, orig_eax: 36, eip: 40, xcs: 44, eflags: 48, esp: 52, xss: 56 },
} as const;

/** Deferred work and synchronisation (modern): timers, completions, tasklets, work items, rwlocks. */
export const MODERN_DEFERRED = {
  hlist_node: { size: 8, next: 0, pprev: 4 },
  timer_list: { size: 20, entry: 0, expires: 8, function: 12, flags: 16 },
  completion: { size: 16, done: 0, wait: 4 },
  tasklet_struct: { size: 24, next: 0, state: 4, count: 8, use_callback: 12, func: 16, callback: 16, data: 20 },
  work_struct: { size: 16, data: 0, entry: 4, func: 12 },
  delayed_work: { size: 44, work: 0, timer: 16, wq: 36, cpu: 40 },
  rwlock: { size: 8, cnt: 0, owner: 4 },
} as const;

/** Linux 2.2's struct timer_list: a doubly linked list node with the callback and its argument. */
export const V2_2_TIMER = {
  timer_list: { size: 20, next: 0, prev: 4, expires: 8, data: 12, function: 16 },
} as const;

/** The part of the modern struct task_struct a module may read (<linux/sched.h>). */
export const MODERN_TASK = {
  task_struct: { size: 28, __state: 0, pid: 4, tgid: 8, comm: 12 },
} as const;

/** <linux/moduleparam.h>'s struct kernel_param as DriverLab lays it out (see the header's comment). */
export const MODERN_PARAM = {
  kernel_param: { size: 24, name: 0, type: 4, perm: 8, elemsize: 10, arg: 12, num: 16, max: 20 },
} as const;
