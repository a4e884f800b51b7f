// Block device files (fs/block_dev.c): /dev/hda and /dev/hda1 opened from user space read and
// write through the buffer cache, so `dd if=/dev/hda1` and `cat /dev/hda >backup` work and a
// write lands in the cache first. The device is as large as its whole 1 KiB blocks.
//
// Closing the last descriptor: the modern kernel writes the device's dirty buffers back and
// forgets its cache (blkdev_put -> blkdev_flush_mapping); 2.2 keeps both, dirty data included,
// until sync or kupdate. A file system mounted on the device holds it open, so its buffers stay.
import type { Kernel } from '../kernel.js';
import { EACCES, EBUSY, EFAULT, EINVAL, EIO, ENOSPC, ENOTTY } from '../errno.js';
import { SEEK_CUR, SEEK_END, SEEK_SET, type FileOperations, type OpenFile } from '../fs/types.js';
import { BLOCK_SIZE, type Buffer } from './buffer.js';
import { IdeError } from './ide.js';
import type { BlockDevice } from './genhd.js';
import type { BlockLayer } from './index.js';

// <linux/fs.h> and <linux/hdreg.h> ioctl numbers (32-bit user space: size_t is 4 bytes).
export const BLKRRPART = 0x125f, BLKGETSIZE = 0x1260, BLKFLSBUF = 0x1261, BLKSSZGET = 0x1268,
  BLKBSZGET = 0x80041270, BLKGETSIZE64 = 0x80041272, HDIO_GETGEO = 0x0301;

/** Bytes of the device reachable through its 1 KiB blocks. */
export function deviceBytes(bdev: BlockDevice): number {
  return Math.floor(bdev.nrSects / 2) * BLOCK_SIZE;
}

export function blkdevFileOps(k: Kernel, layer: BlockLayer, bdev: BlockDevice): FileOperations {
  const cache = layer.cache;
  return {
    open() {
      bdev.openers++;
      return 0;
    },

    release() {
      if (--bdev.openers === 0 && k.personality === 'modern') {
        layer.syncDevice(bdev);
        cache.invalidate(bdev);
      }
      return 0;
    },

    read(file, ubuf, count) {
      const size = deviceBytes(bdev);
      if (file.pos >= size || count <= 0) return 0;
      const n = Math.min(count, size - file.pos);
      const first = Math.floor(file.pos / BLOCK_SIZE);
      const last = Math.floor((file.pos + n - 1) / BLOCK_SIZE);
      let buffers: Buffer[];
      try {
        buffers = cache.breadRange(bdev, first, last - first + 1);
      } catch (e) {
        if (e instanceof IdeError) return -EIO;
        throw e;
      }
      const out = new Uint8Array(n);
      const skip = file.pos - first * BLOCK_SIZE;
      for (let i = 0; i < buffers.length; i++) {
        const from = i * BLOCK_SIZE - skip;
        const data = buffers[i]!.data;
        const lo = Math.max(0, -from);
        const hi = Math.min(BLOCK_SIZE, n - from);
        if (hi > lo) out.set(data.subarray(lo, hi), from + lo);
      }
      if (k.fsctx.toUser(ubuf, out)) return -EFAULT;
      file.pos += n;
      return n;
    },

    write(file, ubuf, count) {
      const size = deviceBytes(bdev);
      if (count <= 0) return 0;
      if (file.pos >= size) return -ENOSPC;
      const n = Math.min(count, size - file.pos);
      const src = k.fsctx.fromUser(ubuf, n);
      if (!src) return -EFAULT;
      let done = 0;
      try {
        while (done < n) {
          const pos = file.pos + done;
          const nr = Math.floor(pos / BLOCK_SIZE);
          const offset = pos - nr * BLOCK_SIZE;
          const len = Math.min(BLOCK_SIZE - offset, n - done);
          // A whole block is overwritten without reading it first.
          const b = len === BLOCK_SIZE ? cache.getblk(bdev, nr) : cache.bread(bdev, nr);
          b.data.set(src.subarray(done, done + len), offset);
          cache.markDirty(b);
          done += len;
        }
      } catch (e) {
        if (!(e instanceof IdeError)) throw e;
        if (!done) return -EIO;
      }
      file.pos += done;
      return done;
    },

    llseek(file, offset, whence) {
      const base = whence === SEEK_SET ? 0 : whence === SEEK_CUR ? file.pos : whence === SEEK_END ? deviceBytes(bdev) : NaN;
      const pos = base + offset;
      if (!Number.isFinite(pos) || pos < 0 || pos > deviceBytes(bdev)) return -EINVAL;
      file.pos = pos;
      return pos;
    },

    ioctl(file, cmd, arg) {
      return blkdevIoctl(k, layer, bdev, file, cmd, arg);
    },

    fsync() {
      return layer.syncDevice(bdev) ? -EIO : 0;
    },
  };
}

function blkdevIoctl(k: Kernel, layer: BlockLayer, bdev: BlockDevice, _file: OpenFile, cmd: number, arg: number): number {
  const put = (bytes: Uint8Array) => (k.fsctx.toUser(arg, bytes) ? -EFAULT : 0);
  const le = (value: number, size: 4 | 8) => {
    const b = new Uint8Array(size);
    const v = new DataView(b.buffer);
    if (size === 4) v.setUint32(0, value, true); else v.setBigUint64(0, BigInt(value), true);
    return b;
  };
  const admin = () => (k.sched.current?.cred.euid ?? 0) === 0;
  switch (cmd >>> 0) {
    case BLKGETSIZE: return put(le(bdev.nrSects, 4));
    case BLKGETSIZE64: return put(le(bdev.nrSects * 512, 8));
    case BLKSSZGET: return put(le(512, 4));
    case BLKBSZGET: return put(le(BLOCK_SIZE, 4));
    case BLKFLSBUF:
      if (!admin()) return -EACCES;
      layer.syncDevice(bdev);
      layer.cache.invalidate(bdev);
      return 0;
    case BLKRRPART:
      if (!admin()) return -EACCES;
      if (bdev.partno !== 0) return -EINVAL;
      return layer.rescanPartitions(bdev.disk) ? 0 : -EBUSY;
    case HDIO_GETGEO: {
      const drive = layer.driveOf(bdev.disk);
      if (!drive) return -EINVAL;
      const geo = new Uint8Array(8);
      const v = new DataView(geo.buffer);
      v.setUint8(0, drive.heads);
      v.setUint8(1, drive.sects);
      v.setUint16(2, drive.cyls, true);
      v.setUint32(4, bdev.startSect, true);
      return put(geo);
    }
    default:
      // 2.2's ide_ioctl() answered an unknown request with EINVAL; blkdev_ioctl() now says ENOTTY.
      return k.personality === '2.2' ? -EINVAL : -ENOTTY;
  }
}
