// The in-memory side of a mounted ext2 (struct ext2_sb_info): the geometry,
// the superblock and group descriptors as views over their buffers, the
// mount state and the kernel's messages. Nothing here holds a buffer head
// across calls: each access goes back to the buffer cache (sb_bread), which
// may hand out a new buffer head after writing back and dropping an old one.
// So a change is read-modify-mark with no other buffer access in between:
// updateSuper()/updateGd(), never a view kept across a bread().
import type { BlockIo, BufferHead } from '../../block/blockio.js';
import { EIO, Errno } from '../../errno.js';
import { EXT2_DESC_SIZE, EXT2_ERROR_FS, EXT2_SUPERBLOCK_OFFSET, Geometry, GroupDescView, SuperBlockView } from './layout.js';

/** Which kernel's wording the messages follow: Linux 2.2 ("EXT2-fs warning: ...") or 6.x ("EXT2-fs (hda1): warning: ..."). */
export type Ext2MessageStyle = '2.2' | 'modern';

export type Printk = (message: string) => void;

const KERN_CRIT = '\x012', KERN_ERR = '\x013', KERN_WARNING = '\x014';

/** ext2_msg(KERN_ERR): why a mount was refused, in the chosen kernel's words. */
export function printMountError(printk: Printk, style: Ext2MessageStyle, deviceName: string, text: string, text22?: string): void {
  printk(style === '2.2' ? `${KERN_ERR}${text22 ?? `EXT2-fs: ${text}`}\n` : `${KERN_ERR}EXT2-fs (${deviceName}): error: ${text}\n`);
}

export class Ext2SbInfo {
  readonly geo: Geometry;
  readonly sbBlock: number;
  readonly sbOffset: number;
  /** s_mount_state: the state found at mount, written back on a clean unmount. */
  mountState: number;
  private sbView?: { bh: BufferHead; view: SuperBlockView };
  private readonly gdViews = new Map<number, { bh: BufferHead; view: GroupDescView }>();
  /** Set by the mount: a read-only file system records no errors on the disk. */
  isReadOnly: () => boolean = () => false;

  constructor(readonly io: BlockIo, readonly deviceName: string, readonly style: Ext2MessageStyle,
    private readonly printk: Printk) {
    this.sbBlock = Math.floor(EXT2_SUPERBLOCK_OFFSET / io.blockSize);
    this.sbOffset = EXT2_SUPERBLOCK_OFFSET % io.blockSize;
    this.geo = new Geometry(this.es());
    this.mountState = this.es().s_state;
  }

  /** The on-disk superblock (ext2_sb_info.s_es). */
  es(): SuperBlockView {
    const bh = this.io.bread(this.sbBlock);
    if (this.sbView?.bh !== bh) this.sbView = { bh, view: new SuperBlockView(bh.data, this.sbOffset) };
    return this.sbView.view;
  }

  /** Changes the superblock in its buffer and marks that buffer dirty. */
  updateSuper(change: (es: SuperBlockView) => void): void {
    const es = this.es();
    change(es);
    this.io.markDirty(this.io.bread(this.sbBlock));
  }

  /** Writes the superblock to the disk now (sync_dirty_buffer on s_sbh). */
  syncSuper(): void {
    const bh = this.io.bread(this.sbBlock);
    this.io.markDirty(bh);
    this.io.syncBuffer(bh);
  }

  /** ext2_get_group_desc(). */
  gd(group: number): GroupDescView {
    const block = this.geo.descBlock(Math.floor(group / this.geo.descPerBlock));
    const bh = this.io.bread(block);
    let cached = this.gdViews.get(group);
    if (cached?.bh !== bh) {
      cached = { bh, view: new GroupDescView(bh.data, (group % this.geo.descPerBlock) * EXT2_DESC_SIZE) };
      this.gdViews.set(group, cached);
    }
    return cached.view;
  }

  /** Changes a group descriptor in its buffer and marks that buffer dirty. */
  updateGd(group: number, change: (gd: GroupDescView) => void): void {
    change(this.gd(group));
    this.io.markDirty(this.io.bread(this.geo.descBlock(Math.floor(group / this.geo.descPerBlock))));
  }

  warning(text: string): void {
    this.printk(this.style === '2.2' ? `${KERN_WARNING}EXT2-fs warning: ${text}\n`
      : `${KERN_WARNING}EXT2-fs (${this.deviceName}): warning: ${text}\n`);
  }

  mountError(text: string, text22?: string): void {
    printMountError(this.printk, this.style, this.deviceName, text, text22);
  }

  /**
   * ext2_error(): corruption found while running. Marks the file system as
   * having errors (so the next boot's fsck checks it) and fails the operation
   * with EIO, as errors=continue does.
   */
  error(func: string, text: string): never {
    this.reportError(func, text);
    throw new Errno(EIO);
  }

  /** ext2_error() for damage the operation can step over (a bitmap bit already clear): reported, not fatal. */
  reportError(func: string, text: string): void {
    this.printk(this.style === '2.2' ? `${KERN_CRIT}EXT2-fs error (device ${this.deviceName}): ${func}: ${text}\n`
      : `${KERN_CRIT}EXT2-fs (${this.deviceName}): error: ${func}: ${text}\n`);
    this.mountState |= EXT2_ERROR_FS;
    if (!this.isReadOnly()) {
      this.updateSuper((es) => { es.s_state |= EXT2_ERROR_FS; });
      this.syncSuper();
    }
  }
}
