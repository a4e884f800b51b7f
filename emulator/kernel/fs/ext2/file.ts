// File operations of ext2 regular files (ext2_file_operations: generic read
// and write through the block map), and the tables for the other inode types.
import { EFAULT, EFBIG, EINVAL, EROFS } from '../../errno.js';
import { genericLlseek, type FsContext } from '../ramfs.js';
import { type FileOperations, O_APPEND } from '../types.js';
import type { Ext2Inode } from './inode.js';

type UserCopy = Pick<FsContext, 'toUser' | 'fromUser'>;

/** The most a single read or write moves at once (MAX_RW_COUNT). */
const MAX_RW_COUNT = 0x7ffff000;

/** open/release keep the count that lets an unlinked file live until its last close. */
function refcounted(ops: FileOperations): FileOperations {
  return {
    ...ops,
    open(inode) {
      (inode as Ext2Inode).openCount++;
      return 0;
    },
    release(inode) {
      const ext2 = inode as Ext2Inode;
      if (--ext2.openCount === 0 && ext2.nlink === 0) ext2.owner.evict(ext2);
      return 0;
    },
  };
}

export function regularFileOperations(user: UserCopy): FileOperations {
  return refcounted({
    read(file, ubuf, count) {
      const inode = file.inode as Ext2Inode;
      if (count < 0) return -EINVAL;
      const size = inode.sizeBytes;
      if (file.pos >= size || count === 0) return 0;
      const n = Math.min(count, size - file.pos, MAX_RW_COUNT);
      const data = inode.readData(file.pos, n);
      if (user.toUser(ubuf, data) !== 0) return -EFAULT;
      file.pos += n;
      inode.touchAtime();
      return n;
    },
    write(file, ubuf, count) {
      const inode = file.inode as Ext2Inode;
      if (inode.sb.readOnly) return -EROFS;
      if (count < 0) return -EINVAL;
      if (file.flags & O_APPEND) file.pos = inode.sizeBytes;
      if (count === 0) return 0;
      // generic_write_checks(): no byte at or past s_maxbytes, a write that would cross it is cut short.
      const max = inode.owner.sbi.geo.maxFileSize();
      if (file.pos >= max) return -EFBIG;
      const n = Math.min(count, max - file.pos, MAX_RW_COUNT);
      const src = user.fromUser(ubuf, n);
      if (!src) return -EFAULT;
      let written: number;
      try {
        written = inode.writeData(file.pos, src);
      } catch (e) {
        const errno = (e as { errno?: unknown }).errno;
        if (typeof errno === 'number') return -errno;
        throw e;
      }
      file.pos += written;
      inode.mtimeNs = inode.owner.nowNs();
      return written;
    },
    llseek(file, offset, whence) {
      // generic_file_llseek(): no position past s_maxbytes, and a refused seek leaves f_pos alone.
      const inode = file.inode as Ext2Inode;
      const before = file.pos;
      const pos = genericLlseek(file, offset, whence, inode.sizeBytes);
      if (pos > inode.owner.sbi.geo.maxFileSize()) {
        file.pos = before;
        return -EINVAL;
      }
      return pos;
    },
  });
}

/** Directories are read through getdents (DirOperations.list), never read(2). */
export function directoryOperations(): FileOperations {
  return refcounted({
    llseek: (file, offset, whence) => genericLlseek(file, offset, whence, (file.inode as Ext2Inode).sizeBytes),
  });
}

/**
 * Device nodes are opened through the VFS's device switch, which replaces
 * these; FIFOs and sockets have no file contents on ext2.
 */
export function specialFileOperations(): FileOperations {
  return refcounted({});
}
