// The file-mode and device-number ABI as userland sees it (<sys/stat.h>, <sys/sysmacros.h>):
// one definition, the kernel's (kernel/fs/types.ts), so the two can never disagree.

export { S_IFMT, S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO, MKDEV, MAJOR, MINOR } from '../../../kernel/fs/types.js';

export const S_ISUID = 0o4000, S_ISGID = 0o2000, S_ISVTX = 0o1000;


