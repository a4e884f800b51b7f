// Kernel-side FileOperations over a C operations table in module memory: the
// one bridge behind both struct file_operations (character devices) and
// struct proc_ops (/proc entries). The module's struct file lives in its
// memory for as long as the file is open; f_pos is synced around every call.
import type { FileOperations, OpenFile } from '../fs/types.js';
import { EINVAL, ENOTTY } from '../errno.js';
import { andThen, type Maybe } from '../maybe.js';
import type { ModuleContext } from './context.js';
import { MODERN as L, V2_2 } from './layout.js';
import { MAJOR, MINOR } from '../fs/types.js';

/**
 * Allocates struct file and struct inode (and for 2.2 the dentry between them)
 * in module memory for calls into the module, laid out for its personality.
 */
export function kernelFileStructs(m: ModuleContext, file: OpenFile): { filp: number; inodep: number; extra: number[] } {
  const v = () => m.view();
  if (m.kernel.personality === '2.2') {
    const O = V2_2;
    const inodep = m.heap.alloc(O.inode.size, true, 'kernel');
    const dentryp = m.heap.alloc(O.dentry.size, true, 'kernel');
    const filp = m.heap.alloc(O.file.size, true, 'kernel');
    const kdev = (dev: number) => ((MAJOR(dev) & 0xff) << 8) | (MINOR(dev) & 0xff);
    v().setUint16(inodep + O.inode.i_dev, 0x0301, true);
    v().setUint32(inodep + O.inode.i_ino, file.inode.ino, true);
    v().setUint16(inodep + O.inode.i_mode, file.inode.mode, true);
    v().setUint16(inodep + O.inode.i_nlink, file.inode.nlink, true);
    v().setUint16(inodep + O.inode.i_uid, file.inode.uid, true);
    v().setUint16(inodep + O.inode.i_gid, file.inode.gid, true);
    v().setUint16(inodep + O.inode.i_rdev, kdev(file.inode.rdev), true);
    v().setUint32(dentryp + O.dentry.d_inode, inodep, true);
    v().setUint32(filp + O.file.f_dentry, dentryp, true);
    v().setUint16(filp + O.file.f_mode, file.fmode & 3, true);
    v().setBigInt64(filp + O.file.f_pos, BigInt(file.pos), true);
    v().setUint32(filp + O.file.f_count, 1, true);
    v().setUint32(filp + O.file.f_flags, file.flags, true);
    return { filp, inodep, extra: [dentryp] };
  }
  const inodep = m.heap.alloc(L.inode.size, true, 'kernel');
  const filp = m.heap.alloc(L.file.size, true, 'kernel');
  v().setUint16(inodep + L.inode.i_mode, file.inode.mode, true);
  v().setUint32(inodep + L.inode.i_uid, file.inode.uid, true);
  v().setUint32(inodep + L.inode.i_gid, file.inode.gid, true);
  v().setUint32(inodep + L.inode.i_ino, file.inode.ino, true);
  v().setUint32(inodep + L.inode.i_rdev, file.inode.rdev, true);
  v().setUint32(inodep + L.inode.i_count, 1, true);
  v().setUint32(filp + L.file.f_inode, inodep, true);
  v().setUint32(filp + L.file.f_flags, file.flags, true);
  v().setUint32(filp + L.file.f_mode, file.fmode, true);
  v().setBigInt64(filp + L.file.f_pos, BigInt(file.pos), true);
  v().setUint32(filp + L.file.f_count, 1, true);
  return { filp, inodep, extra: [] };
}

/** Frees what kernelFileStructs allocated. */
export function freeFileStructs(m: ModuleContext, s: { filp: number; inodep: number; extra: number[] }): void {
  m.heap.free(s.filp);
  m.heap.free(s.inodep);
  for (const p of s.extra) m.heap.free(p);
}

/** Where f_pos lives in this personality's struct file. */
export function fposOffset(m: ModuleContext): number {
  return m.kernel.personality === '2.2' ? V2_2.file.f_pos : L.file.f_pos;
}

/** Where each method sits in the C table, and how the table differs from the others. */
export interface OpsLayout {
  /** Offset of `.owner`, or -1 when the table has none. */
  owner: number;
  open: number;
  read: number;
  write: number;
  llseek: number;
  ioctl: number;
  release: number;
  /** 2.2's ioctl(inode, file, cmd, arg) instead of unlocked_ioctl(file, cmd, arg). */
  ioctlTakesInode: boolean;
  /** What write() returns without a write method (-EINVAL for devices, -EIO for proc). */
  missingWrite: number;
  /** Offset of struct file's f_op, filled in at open; -1 to leave it. */
  fileFop: number;
}

/**
 * A table with `.owner = THIS_MODULE` pins the module while a file is open,
 * as fops_get()/try_module_get() do in Linux.
 */
export function cFileOps(m: ModuleContext, table: number, L: OpsLayout): FileOperations {
  const fn = (off: number) => m.view().getUint32(table + off, true);
  const fpos = fposOffset(m);
  const structs = new WeakMap<OpenFile, ReturnType<typeof kernelFileStructs>>();
  const setPos = (file: OpenFile, filp: number) => m.view().setBigInt64(filp + fpos, BigInt(file.pos), true);
  const getPos = (file: OpenFile, filp: number) => { file.pos = Number(m.view().getBigInt64(filp + fpos, true)); };
  const pinned = () => L.owner >= 0 && fn(L.owner) !== 0;
  const mod = () => m.kernel.modules.get(m.name);
  const unpin = () => { const owner = mod(); if (pinned() && owner && owner.refcount > 0) owner.refcount--; };
  /** Which file operation the task is in, for the bottom of its stack trace (SysRq-T). */
  const entering = (op: string) => { const t = m.kernel.sched.current; if (t) t.kernelEntry = op; };
  const rw = (method: number, missing: number, op: string) => (file: OpenFile, ubuf: number, count: number): Maybe<number> => {
    const f = fn(method);
    if (!f) return missing;
    entering(op);
    const s = structs.get(file)!;
    setPos(file, s.filp);
    return andThen(m.call(f, s.filp, ubuf, count, s.filp + fpos), (r) => { getPos(file, s.filp); return Number(r); });
  };
  return {
    open(_inode, file) {
      if (pinned()) mod()!.refcount++;
      const s = kernelFileStructs(m, file);
      if (L.fileFop >= 0) m.view().setUint32(s.filp + L.fileFop, table, true);
      structs.set(file, s);
      const open = fn(L.open);
      if (!open) return 0;
      entering('open');
      return andThen(m.call(open, s.inodep, s.filp), (ret) => {
        const r = Number(ret);
        if (r < 0) { structs.delete(file); freeFileStructs(m, s); unpin(); }
        return r;
      });
    },
    read: rw(L.read, -EINVAL, 'read'),
    write: rw(L.write, L.missingWrite, 'write'),
    llseek(file, offset, whence) {
      const llseek = fn(L.llseek);
      if (!llseek) {
        // default_llseek(): SEEK_SET/SEEK_CUR on the file position (no size known).
        const pos = whence === 0 ? offset : whence === 1 ? file.pos + offset : -1;
        if (pos < 0) return -EINVAL;
        file.pos = pos;
        return pos;
      }
      const s = structs.get(file)!;
      setPos(file, s.filp);
      entering('llseek');
      return andThen(m.call(llseek, s.filp, BigInt(offset), whence), (r) => { getPos(file, s.filp); return Number(r); });
    },
    ioctl(file, cmd, arg) {
      const ioctl = fn(L.ioctl);
      if (!ioctl) return -ENOTTY;
      const s = structs.get(file)!;
      entering('ioctl');
      return andThen(L.ioctlTakesInode ? m.call(ioctl, s.inodep, s.filp, cmd, arg) : m.call(ioctl, s.filp, cmd, arg), Number);
    },
    release(_inode, file) {
      const s = structs.get(file);
      if (!s) return 0;
      const release = fn(L.release);
      const done = (r: number) => { freeFileStructs(m, s); structs.delete(file); unpin(); return r; };
      if (release) entering('release');
      return release ? andThen(m.call(release, s.inodep, s.filp), (r) => done(Number(r))) : done(0);
    },
  };
}
