// What is done to every mounted file system at once (fs/super.c): the read-only remount of
// Magic SysRq U and the unmounting at shutdown. Each goes over the VFS mount table and calls
// the SuperBlock's own remount/unmount when the file system has one, then writes the disk's
// dirty buffers (the block layer's syncDevice); memory file systems (rootfs, proc) and the
// host-backed workspace have nothing to write. sync(2) and SysRq-S are the block layer's
// (k.block.syncAll(), k.block.emergencySync()).
import type { Kernel } from '../kernel.js';
import type { Vfs, Mount } from './vfs.js';
import type { SuperBlock } from './types.js';

/** iterate_supers(): each mounted super block once (a file system mounted twice is one super block), in mount order. */
export function mountedSupers(vfs: Vfs): { sb: SuperBlock; mounts: Mount[] }[] {
  const bySb = new Map<SuperBlock, Mount[]>();
  for (const m of vfs.mounted()) {
    const list = bySb.get(m.root.sb);
    if (list) list.push(m);
    else bySb.set(m.root.sb, [m]);
  }
  return [...bySb].map(([sb, mounts]) => ({ sb, mounts }));
}

/** What remounting one file system read-only came to, in the words of 2.2's go_sync(). */
export type RemountResult = 'OK' | 'R/O' | 'nothing to do';

/**
 * Remounts a file system read-only: it syncs first (the SuperBlock's remount does), then
 * refuses writes; the mount table says "ro" from now on, as /proc/mounts shows.
 */
export function remountReadOnly(sb: SuperBlock, mounts: readonly Mount[]): RemountResult {
  if (sb.readOnly) return 'R/O';
  if (!sb.remount) return 'nothing to do';
  sb.remount(true);
  sb.readOnly = true;
  for (const m of mounts) m.options = m.options.replace(/^rw(?=,|$)/, 'ro');
  return 'OK';
}

/** What a file system holds in the buffer cache reaches its disk (sync_blockdev and a cache flush). */
function syncDisk(k: Kernel, sb: SuperBlock): void {
  const bdev = k.block?.devices.get(sb.dev);
  if (bdev) k.block.syncDevice(bdev);
}

/**
 * do_emergency_remount(): every writable file system that has a disk behind it (one that
 * can be remounted) goes read-only, and what it wrote on the way reaches the disk.
 */
export function emergencyRemountAll(k: Kernel): void {
  k.klogd?.flush();
  for (const { sb, mounts } of mountedSupers(k.vfs)) {
    if (remountReadOnly(sb, mounts) === 'OK') syncDisk(k, sb);
  }
}

/**
 * The end of a shutdown (umountfs, then umountroot), after sync: every file system but the
 * root is unmounted, newest first, and the root is remounted read-only, so the disk is clean.
 */
export function unmountAllForShutdown(k: Kernel): void {
  k.klogd?.flush();
  const supers = mountedSupers(k.vfs);
  for (const { sb, mounts } of [...supers].reverse()) {
    if (mounts.some((m) => m.path === '/')) continue;
    sb.unmount?.();
    syncDisk(k, sb);
  }
  const root = supers.find(({ mounts }) => mounts.some((m) => m.path === '/'));
  if (root && remountReadOnly(root.sb, root.mounts) === 'OK') syncDisk(k, root.sb);
}
