// The ioctls the VFS answers itself for regular files (fs/ioctl.c): FIBMAP, where a block of the
// file lies on its device (what LILO asks to write its map), and FIGETBSZ, the block size.
import type { Kernel } from '../kernel.js';
import type { Task } from '../sched.js';
import { EFAULT, EINVAL, EPERM } from '../errno.js';
import { type OpenFile, isReg } from './types.js';

export const FIBMAP = 1, FIGETBSZ = 2;

/** The answer to a generic ioctl of a regular file, or undefined for the file's own ioctl method. */
export function genericFileIoctl(k: Kernel, task: Task, file: OpenFile, cmd: number, arg: number): number | undefined {
  const inode = file.inode;
  if (!isReg(inode.mode) || (cmd !== FIBMAP && cmd !== FIGETBSZ)) return undefined;
  const putInt = (value: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, value, true);
    return k.fsctx.toUser(arg, b) ? -EFAULT : 0;
  };
  if (cmd === FIGETBSZ) return putInt(inode.sb.statfs?.().blockSize ?? 4096);
  // CAP_SYS_RAWIO: where a file lies on the disk is root's business.
  if (task.cred.euid !== 0) return -EPERM;
  if (!inode.bmap) return -EINVAL;
  const raw = k.fsctx.fromUser(arg, 4);
  if (!raw) return -EFAULT;
  const block = new DataView(raw.buffer, raw.byteOffset).getInt32(0, true);
  if (block < 0) return -EINVAL;
  return putInt(inode.bmap(block));
}
