// ext2 for the virtual PC's disk: what the rest of the kernel uses.
//   mke2fs(io, { now, label? })            lays out a fresh file system (mkfs.ext2), returns mke2fs's text
//   new Ext2Fs(io, fsctx, printk, dev, { deviceName: 'hda1', readOnly?, messageStyle? })
//                                          mounts it: .root for the VFS, .vfsSb for sync/remount/unmount/statfs
//   e2fsck(io, { mode: 'preen'|'yes'|'no', force?, deviceName: '/dev/hda1', now })
//                                          checks and repairs it: { output, exitCode }
export { mke2fs, MKE2FS_VERSION, type MkfsOptions, type MkfsResult } from './mkfs.js';
export { Ext2Fs, type Ext2Context, type Ext2MountOptions } from './super.js';
export type { Ext2MessageStyle, Printk } from './sb-info.js';
export { e2fsck, E2FSCK_VERSION, FSCK_ERROR, FSCK_NONDESTRUCT, FSCK_OK, FSCK_REBOOT, FSCK_UNCORRECTED,
  type E2fsckOptions, type E2fsckResult } from './e2fsck/e2fsck.js';
export { MemoryBlockIo, WritebackBlockIo } from './mem-blockio.js';
export { EXT2_SUPER_MAGIC, EXT2_VALID_FS, EXT2_ERROR_FS } from './layout.js';
