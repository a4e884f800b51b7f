// <linux/proc_fs.h>: proc_create()/proc_mkdir()/proc_remove() with struct
// proc_ops called through the module's function table.
import type { FileOperations, Inode, OpenFile } from '../fs/types.js';
import type { KapiTable, ModuleContext } from './context.js';
import { andThen } from '../maybe.js';
import { MODERN, V2_2 } from './layout.js';
import { MAJOR, MINOR } from '../fs/types.js';

interface Pde { parent: Inode; name: string; inode: Inode; handle: number }

const L = MODERN;

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

export function procApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const entries = new Map<number, Pde>();
  const dirs = new Map<number, Inode>();
  const parentOf = (p: number) => (p ? dirs.get(p) ?? entries.get(p)?.inode : undefined) ?? k.procfs.root;

  const fopsFor = (opsPtr: number): FileOperations => {
    const fn = (off: number) => m.view().getUint32(opsPtr + off, true);
    const structs = new WeakMap<OpenFile, ReturnType<typeof kernelFileStructs>>();
    const syncPos = (file: OpenFile, filp: number) => { file.pos = Number(m.view().getBigInt64(filp + L.file.f_pos, true)); };
    const setPos = (file: OpenFile, filp: number) => m.view().setBigInt64(filp + L.file.f_pos, BigInt(file.pos), true);
    return {
      open(_inode, file) {
        const s = kernelFileStructs(m, file);
        structs.set(file, s);
        const open = fn(L.proc_ops.proc_open);
        if (!open) return 0;
        return andThen(m.call(open, s.inodep, s.filp), (ret) => {
          const r = Number(ret);
          if (r < 0) { freeFileStructs(m, s); structs.delete(file); }
          return r;
        });
      },
      read(file, ubuf, count) {
        const read = fn(L.proc_ops.proc_read);
        if (!read) return -22;
        const s = structs.get(file)!;
        setPos(file, s.filp);
        return andThen(m.call(read, s.filp, ubuf, count, s.filp + L.file.f_pos), (r) => { syncPos(file, s.filp); return Number(r); });
      },
      write(file, ubuf, count) {
        const write = fn(L.proc_ops.proc_write);
        if (!write) return -5;
        const s = structs.get(file)!;
        setPos(file, s.filp);
        return andThen(m.call(write, s.filp, ubuf, count, s.filp + L.file.f_pos), (r) => { syncPos(file, s.filp); return Number(r); });
      },
      llseek(file, offset, whence) {
        const lseek = fn(L.proc_ops.proc_lseek);
        const s = structs.get(file)!;
        if (!lseek) {
          // Like proc's default: plain positions only.
          if (whence === 0 && offset >= 0) { file.pos = offset; return offset; }
          if (whence === 1 && file.pos + offset >= 0) { file.pos += offset; return file.pos; }
          return -22;
        }
        setPos(file, s.filp);
        return andThen(m.call(lseek, s.filp, BigInt(offset), whence), (r) => { syncPos(file, s.filp); return Number(r); });
      },
      ioctl(file, cmd, arg) {
        const ioctl = fn(L.proc_ops.proc_ioctl);
        if (!ioctl) return -25;
        return andThen(m.call(ioctl, structs.get(file)!.filp, cmd, arg), Number);
      },
      release(inode, file) {
        const s = structs.get(file);
        if (!s) return 0;
        const release = fn(L.proc_ops.proc_release);
        void inode;
        return andThen(release ? m.call(release, s.inodep, s.filp) : 0, (r) => {
          freeFileStructs(m, s);
          structs.delete(file);
          return Number(r);
        });
      },
    };
  };

  const remove = (handle: number) => {
    const pde = entries.get(handle);
    if (!pde) return;
    k.procfs.remove(pde.parent, pde.name);
    entries.delete(handle);
    dirs.delete(handle);
    m.untrack('proc', `${handle}`);
    m.heap.free(handle);
  };

  const create = (namep: number, mode: number, parentp: number, opsp: number, dir: boolean): number => {
    const name = m.cstring(namep) ?? '';
    const parent = parentOf(parentp);
    let inode: Inode;
    try {
      inode = dir ? k.procfs.addDir(parent, name, 0o555) : k.procfs.addEntry(parent, name, (mode & 0o7777) || 0o444, fopsFor(opsp));
    } catch {
      k.printk(`\x014proc_dir_entry '${name}' already registered\n`);
      return 0;
    }
    const handle = m.heap.alloc(16, true, 'kernel');
    entries.set(handle, { parent, name, inode, handle });
    if (dir) dirs.set(handle, inode);
    m.track('proc', `${handle}`, () => remove(handle));
    return handle;
  };

  return {
    proc_create: (namep: number, mode: number, parentp: number, opsp: number) => create(namep, mode, parentp, opsp, false),
    proc_create_data: (namep: number, mode: number, parentp: number, opsp: number) => create(namep, mode, parentp, opsp, false),
    proc_mkdir: (namep: number, parentp: number) => create(namep, 0o555, parentp, 0, true),
    proc_remove: (handle: number) => remove(handle),
    remove_proc_entry: (namep: number, parentp: number) => {
      const name = m.cstring(namep) ?? '';
      const parent = parentOf(parentp);
      for (const [h, pde] of entries) if (pde.name === name && pde.parent === parent) return remove(h);
      k.printk(`\x014remove_proc_entry: removing non-empty directory or unknown entry '${name}'\n`);
    },
  };
}
