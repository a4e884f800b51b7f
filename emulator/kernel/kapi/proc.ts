// <linux/proc_fs.h>: proc_create()/proc_mkdir()/proc_remove() with struct
// proc_ops called through the module's function table.
import type { FileOperations, Inode } from '../fs/types.js';
import type { KapiTable, ModuleContext } from './context.js';
import { cFileOps, type OpsLayout } from './fops.js';
import { MODERN } from './layout.js';

interface Pde { parent: Inode; name: string; inode: Inode; handle: number }

const L = MODERN;

export function procApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const entries = new Map<number, Pde>();
  const dirs = new Map<number, Inode>();
  const parentOf = (p: number) => (p ? dirs.get(p) ?? entries.get(p)?.inode : undefined) ?? k.procfs.root;

  const P = L.proc_ops;
  const procLayout: OpsLayout = { owner: -1, open: P.proc_open, read: P.proc_read, write: P.proc_write, llseek: P.proc_lseek,
    ioctl: P.proc_ioctl, release: P.proc_release, ioctlTakesInode: false, missingWrite: -5, fileFop: -1 };
  const fopsFor = (opsPtr: number): FileOperations => cFileOps(m, opsPtr, procLayout);

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
