// The file-mode and device-number ABI as userland sees it (<sys/stat.h>, <sys/sysmacros.h>).
// Programs take these from their C library's headers rather than from kernel sources; the
// values are Linux's, the same as kernel/fs/types.ts.

export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000,
  S_IFBLK = 0o060000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;

export const S_ISUID = 0o4000, S_ISGID = 0o2000, S_ISVTX = 0o1000;

const MINORBITS = 20;
export const MKDEV = (major: number, minor: number) => ((major << MINORBITS) | minor) >>> 0;
export const MAJOR = (dev: number) => dev >>> MINORBITS;
export const MINOR = (dev: number) => dev & ((1 << MINORBITS) - 1);

