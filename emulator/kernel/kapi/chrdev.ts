// <linux/fs.h>, <linux/cdev.h>, <linux/device.h>: character devices, both
// generations: register_chrdev (2.x) and the region + cdev API, plus classes and
// device_create(), whose nodes appear in /dev as udev would create them.
import type { FileOperations } from '../fs/types.js';
import { MAJOR, MINOR, MKDEV, S_IFCHR } from '../fs/types.js';
import { EBUSY, EINVAL, ENOMEM } from '../errno.js';
import type { KapiTable, ModuleContext } from './context.js';
import { MODERN, V2_2 } from './layout.js';
import { cFileOps, type OpsLayout } from './fops.js';

const L = MODERN;
/** ERR_PTR values, as IS_ERR() sees them (the top 4095 addresses). */
export const ERR_PTR = (errno: number) => (-errno) >>> 0;

/** Where struct file_operations keeps its methods, per personality. */
function fopsLayout(m: ModuleContext): OpsLayout {
  if (m.kernel.personality === '2.2') {
    const F = V2_2.file_operations;
    return { owner: -1, llseek: F.llseek, read: F.read, write: F.write, ioctl: F.ioctl, open: F.open, release: F.release,
      ioctlTakesInode: true, missingWrite: -EINVAL, fileFop: V2_2.file.f_op };
  }
  const F = L.file_operations;
  return { owner: F.owner, llseek: F.llseek, read: F.read, write: F.write, ioctl: F.unlocked_ioctl, open: F.open, release: F.release,
    ioctlTakesInode: false, missingWrite: -EINVAL, fileFop: L.file.f_op };
}

/** FileOperations calling a module's struct file_operations. */
export function moduleFileOps(m: ModuleContext, fopsPtr: number): FileOperations {
  return cFileOps(m, fopsPtr, fopsLayout(m));
}

interface DeviceClass { name: string; handle: number }

export function chrdevApi(m: ModuleContext): KapiTable {
  const k = m.kernel;
  const classes = new Map<number, DeviceClass>();
  const devices = new Map<number, { dev: number; name: string; handle: number }>();

  const regionKey = (major: number, minor: number, count: number) => `${major}:${minor}:${count}`;
  const trackRegion = (major: number, minor: number, count: number) =>
    m.track('chrdev region', regionKey(major, minor, count), () => k.chrdevs.unregisterRegion(major, minor, count));

  const cdevOf = (cdevp: number) => ({
    ops: m.view().getUint32(cdevp + L.cdev.ops, true),
    dev: m.view().getUint32(cdevp + L.cdev.dev, true),
    count: m.view().getUint32(cdevp + L.cdev.count, true),
  });

  const removeDevice = (dev: number) => {
    const d = devices.get(dev);
    if (!d) return;
    devices.delete(dev);
    try { k.vfs.unlink(`/dev/${d.name}`, '/', { uid: 0, gid: 0 }); } catch { /* already gone */ }
    m.untrack('device', `${dev}`);
    m.heap.free(d.handle);
  };

  return {
    register_chrdev: (major: number, namep: number, fopsp: number) => {
      const name = m.cstring(namep) ?? '';
      const r = k.chrdevs.registerRegion(major, 0, 256, name, m.name);
      if (r < 0) return r;
      k.chrdevs.cdevAdd(MKDEV(r, 0), 256, moduleFileOps(m, fopsp), m.name);
      m.track('chrdev', `${r}`, () => { k.chrdevs.cdevDel(MKDEV(r, 0)); k.chrdevs.unregisterRegion(r, 0, 256); });
      return major === 0 ? r : 0;
    },
    unregister_chrdev: (major: number, namep: number) => {
      void namep;
      k.chrdevs.cdevDel(MKDEV(major, 0));
      if (!k.chrdevs.unregisterRegion(major, 0, 256)) k.printk(`\x014unregister_chrdev: major ${major} was not registered\n`);
      m.untrack('chrdev', `${major}`);
      return 0;
    },
    // Linux 2.2's use count: MOD_INC_USE_COUNT / MOD_DEC_USE_COUNT.
    __mod_inc_use_count: () => { const mod = m.kernel.modules.get(m.name); if (mod) mod.refcount++; },
    __mod_dec_use_count: () => {
      const mod = m.kernel.modules.get(m.name);
      if (!mod) return;
      if (mod.refcount === 0) k.printk(`\x014${m.name}: MOD_DEC_USE_COUNT with a use count of 0\n`);
      else mod.refcount--;
    },
    __mod_in_use: () => (m.kernel.modules.get(m.name)?.refcount ?? 0) > 0 ? 1 : 0,
    alloc_chrdev_region: (devp: number, baseminor: number, count: number, namep: number) => {
      const r = k.chrdevs.registerRegion(0, baseminor, count, m.cstring(namep) ?? '', m.name);
      if (r < 0) return r;
      m.view().setUint32(devp, MKDEV(r, baseminor), true);
      trackRegion(r, baseminor, count);
      return 0;
    },
    register_chrdev_region: (from: number, count: number, namep: number) => {
      const major = MAJOR(from);
      if (major === 0) return -EINVAL;
      const r = k.chrdevs.registerRegion(major, MINOR(from), count, m.cstring(namep) ?? '', m.name);
      if (r < 0) return r;
      trackRegion(major, MINOR(from), count);
      return 0;
    },
    unregister_chrdev_region: (from: number, count: number) => {
      if (!k.chrdevs.unregisterRegion(MAJOR(from), MINOR(from), count)) {
        k.printk(`\x014unregister_chrdev_region: ${MAJOR(from)}:${MINOR(from)} (+${count}) was not registered\n`);
      }
      m.untrack('chrdev region', regionKey(MAJOR(from), MINOR(from), count));
    },
    cdev_init: (cdevp: number, fopsp: number) => {
      m.u8().fill(0, cdevp, cdevp + L.cdev.size);
      m.view().setUint32(cdevp + L.cdev.ops, fopsp, true);
    },
    cdev_alloc: () => m.heap.alloc(L.cdev.size, true, 'kmalloc'),
    cdev_add: (cdevp: number, dev: number, count: number) => {
      m.view().setUint32(cdevp + L.cdev.dev, dev, true);
      m.view().setUint32(cdevp + L.cdev.count, count, true);
      const { ops } = cdevOf(cdevp);
      if (!ops) return -EINVAL;
      if (k.chrdevs.cdevs.some((c) => c.dev === dev)) return -EBUSY;
      k.chrdevs.cdevAdd(dev, count, moduleFileOps(m, ops), m.name);
      m.track('cdev', `${dev}`, () => k.chrdevs.cdevDel(dev));
      return 0;
    },
    cdev_del: (cdevp: number) => {
      const { dev } = cdevOf(cdevp);
      k.chrdevs.cdevDel(dev);
      m.untrack('cdev', `${dev}`);
    },
    // class_create(owner, name) before 6.4, class_create(name) after: the header maps both here.
    __class_create: (namep: number) => {
      const handle = m.heap.alloc(32, true, 'kernel');
      if (!handle) return ERR_PTR(ENOMEM);
      const name = m.cstring(namep) ?? '';
      classes.set(handle, { name, handle });
      m.track('class', `${handle}`, () => classes.delete(handle));
      return handle;
    },
    class_destroy: (handle: number) => {
      if (!classes.delete(handle)) return;
      m.untrack('class', `${handle}`);
      m.heap.free(handle);
    },
    device_create: (classp: number, parent: number, dev: number, drvdata: number, fmt: number, va: number) => {
      void parent; void drvdata;
      if (!classes.has(classp)) return ERR_PTR(EINVAL);
      const name = formatName(m, fmt, va);
      const mode = k.udevMode(name);
      try {
        k.vfs.mknod(`/dev/${name}`, S_IFCHR | mode.mode, dev, '/', { uid: 0, gid: 0, umask: 0 });
      } catch {
        return ERR_PTR(17);
      }
      const handle = m.heap.alloc(32, true, 'kernel');
      devices.set(dev, { dev, name, handle });
      m.track('device', `${dev}`, () => removeDevice(dev));
      return handle;
    },
    device_destroy: (classp: number, dev: number) => { void classp; removeDevice(dev); },
    try_module_get: () => 1,
    module_put: () => undefined,
  };
}

function formatName(m: ModuleContext, fmt: number, va: number): string {
  // device_create's name is printf-style.
  const text = m.cstring(fmt) ?? '';
  return text.includes('%') ? m.kernel.vsprintf(text, m.varargs(va)) : text;
}
