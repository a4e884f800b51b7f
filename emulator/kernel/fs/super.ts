// What is done to every mounted file system at once (fs/sync.c, fs/super.c): sync(2), the
// emergency sync and read-only remount of Magic SysRq S and U, and unmounting at shutdown.
// Each goes over the VFS mount table and calls the SuperBlock's own sync/remount/unmount
// when the file system has one: a disk file system writes its dirty buffers there; memory
// file systems (rootfs, proc) and the host-backed workspace have nothing to write.
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

/** ksys_sync(): every file system writes back what it holds dirty. */
export function syncFilesystems(vfs: Vfs): void {
  for (const { sb } of mountedSupers(vfs)) sb.sync?.();
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

/**
 * do_emergency_remount(): every writable file system that has a disk behind it (one that
 * can be remounted) goes read-only. Returns what happened to each, for 2.2's report.
 */
export function emergencyRemountAll(vfs: Vfs): { sb: SuperBlock; result: RemountResult }[] {
  return mountedSupers(vfs).map(({ sb, mounts }) => ({ sb, result: remountReadOnly(sb, mounts) }));
}

/**
 * The end of a shutdown (umountfs, then umountroot): every file system but the root is
 * unmounted, newest first, and the root is remounted read-only, so the disk is clean.
 */
export function unmountAllForShutdown(vfs: Vfs): void {
  const supers = mountedSupers(vfs);
  for (const { sb, mounts } of [...supers].reverse()) {
    if (mounts.some((m) => m.path === '/')) continue;
    if (sb.unmount) sb.unmount();
    else sb.sync?.();
  }
  const root = supers.find(({ mounts }) => mounts.some((m) => m.path === '/'));
  if (root) remountReadOnly(root.sb, root.mounts);
}
