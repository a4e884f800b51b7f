// Name operations on ext2 directories (fs/ext2/namei.c): create, mkdir,
// symlink, link, unlink, rmdir and rename, keeping the link counts and the
// '..' entries right. Errors are thrown as Errno, as the VFS expects.
import { EEXIST, EINVAL, EISDIR, EMLINK, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, Errno } from '../../errno.js';
import type { DirEntry, DirOperations, Inode } from '../types.js';
import { addLink, checkName, deleteEntry, findEntry, forEachEntry, isEmptyDir, makeEmpty, parentOf, setLink } from './dir.js';
import type { Ext2Inode } from './inode.js';
import { EXT2_FT_DIR, EXT2_ROOT_INO, fileTypeOfMode } from './layout.js';

const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000;
const isDirMode = (mode: number) => (mode & S_IFMT) === S_IFDIR;
/** EXT2_LINK_MAX */
const EXT2_LINK_MAX = 32000;
/** A symlink target shorter than i_block (60 bytes, with its NUL) lives in the inode itself. */
const FAST_SYMLINK_MAX = 59;

/** What the name operations need from the mounted file system. */
export interface NameiOwner {
  iget(ino: number): Ext2Inode;
  newInode(dir: Ext2Inode, mode: number, uid: number, gid: number, rdev?: number): Ext2Inode;
  /** Drops a link; frees the inode once nothing references it (ext2's iput with i_nlink 0). */
  dropLink(inode: Ext2Inode): void;
  checkWritable(): void;
}

/** A directory already removed takes no new names (IS_DEADDIR). */
function checkAlive(dir: Ext2Inode): Ext2Inode {
  if (dir.nlink === 0) throw new Errno(ENOENT);
  return dir;
}

function asExt2(inode: Inode): Ext2Inode {
  return inode as Ext2Inode;
}

function changeLinks(inode: Ext2Inode, delta: number): void {
  inode.nlink = inode.nlink + delta;
}

/** Is `dir` the same as, or below, `ancestor`? Walks up the '..' entries. */
function isWithin(fs: NameiOwner, dir: Ext2Inode, ancestor: Ext2Inode): boolean {
  let cur = dir;
  for (let depth = 0; depth < 4096; depth++) {
    if (cur.ino === ancestor.ino) return true;
    if (cur.ino === EXT2_ROOT_INO) return false;
    const up = parentOf(cur);
    if (!up || up.de.inode === cur.ino) return false;
    cur = fs.iget(up.de.inode);
  }
  return false;
}

export function ext2DirOperations(fs: NameiOwner): DirOperations {
  const ops: DirOperations = {
    lookup(dir, name) {
      if (name.length > 255) throw new Errno(ENAMETOOLONG);
      const slot = findEntry(asExt2(dir), name);
      return slot ? fs.iget(slot.de.inode) : undefined;
    },

    list(dir) {
      const out: DirEntry[] = [];
      forEachEntry(asExt2(dir), (name, ino) => {
        if (name !== '.' && name !== '..') out.push({ name, inode: fs.iget(ino) });
      });
      return out;
    },

    create(dir, name, mode, uid, gid, rdev = 0) {
      fs.checkWritable();
      checkName(name);
      const parent = checkAlive(asExt2(dir));
      if (findEntry(parent, name)) throw new Errno(EEXIST);
      const fullMode = (mode & S_IFMT) === 0 ? S_IFREG | mode : mode;
      if (isDirMode(fullMode)) throw new Errno(EPERM);
      const inode = fs.newInode(parent, fullMode, uid, gid, rdev);
      linkOrUndo(fs, parent, name, inode);
      return inode;
    },

    mkdir(dir, name, mode, uid, gid) {
      fs.checkWritable();
      checkName(name);
      const parent = checkAlive(asExt2(dir));
      if (parent.nlink >= EXT2_LINK_MAX) throw new Errno(EMLINK);
      if (findEntry(parent, name)) throw new Errno(EEXIST);
      const inode = fs.newInode(parent, S_IFDIR | (mode & 0o7777), uid, gid);
      try {
        makeEmpty(inode, parent.ino);
      } catch (e) {
        fs.dropLink(inode);
        throw e;
      }
      changeLinks(inode, 1);
      linkOrUndo(fs, parent, name, inode, () => changeLinks(inode, -1));
      changeLinks(parent, 1);
      return inode;
    },

    symlink(dir, name, target, uid, gid) {
      fs.checkWritable();
      checkName(name);
      const parent = checkAlive(asExt2(dir));
      if (findEntry(parent, name)) throw new Errno(EEXIST);
      const bytes = new TextEncoder().encode(target);
      if (bytes.length + 1 > parent.owner.sbi.geo.blockSize) throw new Errno(ENAMETOOLONG);
      const inode = fs.newInode(parent, S_IFLNK | 0o777, uid, gid);
      try {
        if (bytes.length <= FAST_SYMLINK_MAX) {
          // ext2_symlink's fast case: the target is stored in i_block.
          const raw = new Uint8Array(60);
          raw.set(bytes);
          const v = new DataView(raw.buffer);
          for (let i = 0; i < 15; i++) inode.iBlock[i] = v.getUint32(i * 4, true);
          inode.sizeBytes = bytes.length;
          inode.write();
        } else {
          inode.writeData(0, bytes);
        }
      } catch (e) {
        fs.dropLink(inode);
        throw e;
      }
      linkOrUndo(fs, parent, name, inode);
      return inode;
    },

    /** link(2): another name for a non-directory. */
    link(target, dir, name) {
      fs.checkWritable();
      const inode = asExt2(target);
      if (isDirMode(inode.mode)) throw new Errno(EPERM);
      if (inode.nlink >= EXT2_LINK_MAX) throw new Errno(EMLINK);
      if (inode.nlink === 0) throw new Errno(ENOENT);
      addLink(checkAlive(asExt2(dir)), name, inode.ino, fileTypeOfMode(inode.mode));
      changeLinks(inode, 1);
    },

    unlink(dir, name) {
      fs.checkWritable();
      const parent = asExt2(dir);
      const slot = findEntry(parent, name);
      if (!slot) throw new Errno(ENOENT);
      const inode = fs.iget(slot.de.inode);
      if (isDirMode(inode.mode)) throw new Errno(EISDIR);
      deleteEntry(parent, slot);
      fs.dropLink(inode);
    },

    rmdir(dir, name) {
      fs.checkWritable();
      const parent = asExt2(dir);
      if (name === '.') throw new Errno(EINVAL);
      if (name === '..') throw new Errno(ENOTEMPTY);
      const slot = findEntry(parent, name);
      if (!slot) throw new Errno(ENOENT);
      const inode = fs.iget(slot.de.inode);
      if (!isDirMode(inode.mode)) throw new Errno(ENOTDIR);
      if (!isEmptyDir(inode)) throw new Errno(ENOTEMPTY);
      deleteEntry(parent, slot);
      // ext2_rmdir: the victim loses its name and its '.', the parent the victim's '..'.
      inode.setSize(0);
      changeLinks(inode, -1);
      fs.dropLink(inode);
      changeLinks(parent, -1);
    },

    rename(oldDirInode, oldName, newDirInode, newName) {
      fs.checkWritable();
      const oldDir = asExt2(oldDirInode), newDir = checkAlive(asExt2(newDirInode));
      checkName(newName);
      const oldSlot = findEntry(oldDir, oldName);
      if (!oldSlot) throw new Errno(ENOENT);
      const moving = fs.iget(oldSlot.de.inode);
      const movingDir = isDirMode(moving.mode);
      if (oldName === '.' || oldName === '..' || newName === '.' || newName === '..') throw new Errno(EINVAL);
      if (movingDir && isWithin(fs, newDir, moving)) throw new Errno(EINVAL);
      const newSlot = findEntry(newDir, newName);
      if (newSlot && newSlot.de.inode === moving.ino) return;
      const dotdot = movingDir && oldDir.ino !== newDir.ino ? parentOf(moving) : undefined;
      if (newSlot) {
        const victim = fs.iget(newSlot.de.inode);
        const victimDir = isDirMode(victim.mode);
        if (movingDir && !victimDir) throw new Errno(ENOTDIR);
        if (!movingDir && victimDir) throw new Errno(EISDIR);
        if (victimDir && !isEmptyDir(victim)) throw new Errno(ENOTEMPTY);
        setLink(newDir, newSlot, moving.ino, fileTypeOfMode(moving.mode));
        // A directory replaced loses its name and its '.'; its '..' is taken over by the one moving in.
        if (victimDir) {
          victim.setSize(0);
          changeLinks(victim, -1);
        }
        fs.dropLink(victim);
      } else {
        if (movingDir && newDir.nlink >= EXT2_LINK_MAX) throw new Errno(EMLINK);
        addLink(newDir, newName, moving.ino, fileTypeOfMode(moving.mode));
        if (movingDir) changeLinks(newDir, 1);
      }
      // The old entry may have moved if the new name went into the same block: look it up again.
      const stale = findEntry(oldDir, oldName);
      if (stale && stale.de.inode === moving.ino) deleteEntry(oldDir, stale);
      moving.touchCtime();
      if (movingDir) {
        if (dotdot) setLink(moving, dotdot, newDir.ino, EXT2_FT_DIR, false);
        changeLinks(oldDir, -1);
      }
    },
  };
  return ops;
}

/** Adds the entry for a fresh inode; on failure (ENOSPC, EEXIST) the inode is given back. */
function linkOrUndo(fs: NameiOwner, dir: Ext2Inode, name: string, inode: Ext2Inode, undo?: () => void): void {
  try {
    addLink(dir, name, inode.ino, fileTypeOfMode(inode.mode));
  } catch (e) {
    undo?.();
    if (isDirMode(inode.mode)) inode.setSize(0);
    fs.dropLink(inode);
    throw e;
  }
}
