// e2fsck's problem reporting (e2fsck/problem.c, message.c): every problem is
// a code with a message in e2fsck's abbreviated language ("@i %i ref count is
// %Il, @s %N.  "), a prompt, and flags that decide what -p (preen), -y and -n
// do with it. The texts are those of e2fsprogs 1.47.0, so the output reads
// exactly like the real tool's.
import type { RawInode } from './fs.js';

export const PR_PREEN_OK = 0x000001, PR_NO_OK = 0x000002, PR_NO_DEFAULT = 0x000004, PR_MSG_ONLY = 0x000008,
  PR_FATAL = 0x001000, PR_AFTER_CODE = 0x002000, PR_PREEN_NOMSG = 0x004000, PR_NOCOLLATE = 0x008000,
  PR_NO_NOMSG = 0x010000, PR_PREEN_NO = 0x020000, PR_PREEN_NOHDR = 0x040000, PR_FORCE_NO = 0x100000,
  PR_NOT_A_FIX = 0x200000, PR_HEADER = 0x400000;

export const PR_LATCH_BLOCK = 0x0010, PR_LATCH_BBLOCK = 0x0020, PR_LATCH_IBITMAP = 0x0030, PR_LATCH_BBITMAP = 0x0040,
  PR_LATCH_RELOC = 0x0050, PR_LATCH_DBLOCK = 0x0060, PR_LATCH_LOW_DTIME = 0x0070, PR_LATCH_TOOBIG = 0x0080;
const PR_LATCH_MASK = 0x0ff0;

const PRL_YES = 1, PRL_NO = 2, PRL_LATCHED = 4, PRL_SUPPRESS = 8;

enum Prompt { NONE, FIX, CLEAR, RELOCATE, ALLOCATE, EXPAND, CONNECT, CREATE, SALVAGE, TRUNCATE, CLEAR_INODE, ABORT,
  SPLIT, CONTINUE, CLONE, DELETE, SUPPRESS, UNLINK, CLEAR_HTREE, RECREATE, OPTIMIZE, CLEAR_FLAG, NULL }

const PROMPTS = ['(no prompt)', 'Fix', 'Clear', 'Relocate', 'Allocate', 'Expand', 'Connect to /lost+found', 'Create',
  'Salvage', 'Truncate', 'Clear inode', 'Abort', 'Split', 'Continue', 'Clone multiply-claimed blocks', 'Delete file',
  'Suppress messages', 'Unlink', 'Clear HTree index', 'Recreate', 'Optimize', 'Clear flag', ''];
const PREEN_MSGS = ['(NONE)', 'FIXED', 'CLEARED', 'RELOCATED', 'ALLOCATED', 'EXPANDED', 'RECONNECTED', 'CREATED',
  'SALVAGED', 'TRUNCATED', 'INODE CLEARED', 'ABORTED', 'SPLIT', 'CONTINUING', 'MULTIPLY-CLAIMED BLOCKS CLONED',
  'FILE DELETED', 'SUPPRESSED', 'UNLINKED', 'HTREE INDEX CLEARED', 'WILL RECREATE', 'WILL OPTIMIZE', 'FLAG CLEARED', ''];

interface ProblemDef {
  msg: string;
  prompt: Prompt;
  flags: number;
  second?: string;
}

const P = (msg: string, prompt: Prompt, flags = 0, second?: string): ProblemDef => ({ msg, prompt, flags, second });

/** The problems this e2fsck can meet on ext2 (no journal, extents, htree, xattrs or checksums). */
const PROBLEMS = {
  PR_0_SB_CORRUPT: P('\nThe @S could not be read or does not describe a valid ext2/ext3/ext4\n' +
    '@f.  If the @v is valid and it really contains an ext2/ext3/ext4\n' +
    '@f (and not swap or ufs or something else), then the @S\n' +
    'is corrupt, and you might try running e2fsck with an alternate @S:\n' +
    '    e2fsck -b 8193 <@v>\n or\n    e2fsck -b 32768 <@v>\n\n', Prompt.NONE, PR_FATAL),
  PR_0_INODE_COUNT_WRONG: P('@i count in @S is %i, @s %j.\n', Prompt.FIX),
  PR_0_MISC_CORRUPT_SUPER: P('Corruption found in @S.  (%s = %N).\n', Prompt.NONE, PR_AFTER_CODE, 'PR_0_SB_CORRUPT'),
  PR_0_FREE_INODE_COUNT: P('Setting free @is count to %j (was %i)\n', Prompt.NONE, PR_PREEN_NOMSG),
  PR_0_FREE_BLOCK_COUNT: P('Setting free @bs count to %c (was %b)\n', Prompt.NONE, PR_PREEN_NOMSG),

  PR_1_PASS_HEADER: P('Pass 1: Checking @is, @bs, and sizes\n', Prompt.NONE, PR_HEADER),
  PR_1_ROOT_NO_DIR: P('@r is not a @d.  ', Prompt.CLEAR),
  PR_1_ROOT_DTIME: P('@r has dtime set (probably due to old mke2fs).  ', Prompt.FIX, PR_PREEN_OK),
  PR_1_RESERVED_BAD_MODE: P('Reserved @i %i (%Q) has @n mode.  ', Prompt.CLEAR, PR_PREEN_OK),
  PR_1_ZERO_DTIME: P('@D @i %i has zero dtime.  ', Prompt.FIX, PR_PREEN_OK),
  PR_1_SET_DTIME: P('@i %i is in use, but has dtime set.  ', Prompt.FIX, PR_PREEN_OK),
  PR_1_ZERO_LENGTH_DIR: P('@i %i is a @z @d.  ', Prompt.CLEAR, PR_PREEN_OK),
  PR_1_BAD_I_SIZE: P('@i %i, i_size is %Is, @s %N.  ', Prompt.FIX, PR_PREEN_OK),
  PR_1_BAD_I_BLOCKS: P('@i %i, i_@bs is %Ib, @s %N.  ', Prompt.FIX, PR_PREEN_OK),
  PR_1_ILLEGAL_BLOCK_NUM: P('@I %B (%b) in @i %i.  ', Prompt.CLEAR, PR_LATCH_BLOCK),
  PR_1_INODE_BLOCK_LATCH: P('@i %i has illegal @b(s).  ', Prompt.CLEAR),
  PR_1_TOO_MANY_BAD_BLOCKS: P('Too many illegal @bs in @i %i.\n', Prompt.CLEAR_INODE, PR_NO_OK),
  PR_1_SUPPRESS_MESSAGES: P('', Prompt.SUPPRESS, PR_NO_OK),
  PR_1_DUP_BLOCKS_PREENSTOP: P('Duplicate or bad @b in use!\n', Prompt.NONE),
  PR_1_BLOCK_ITERATE: P('Error while iterating over @bs in @i %i: %m\n', Prompt.NONE, PR_FATAL),
  PR_1_SET_IMMUTABLE: P('Special (@v/socket/fifo/symlink) file (@i %i) has immutable\nor append-only flag set.  ',
    Prompt.CLEAR, PR_PREEN_OK | PR_PREEN_NO | PR_NO_OK),
  PR_1_SET_NONZSIZE: P('Special (@v/socket/fifo) @i %i has non-zero size.  ', Prompt.FIX, PR_PREEN_OK),
  PR_1_LOW_DTIME: P('@i %i was part of the @o @i list.  ', Prompt.FIX, PR_LATCH_LOW_DTIME),
  PR_1_ORPHAN_LIST_REFUGEES: P('@is that were part of a corrupted orphan linked list found.  ', Prompt.FIX),
  PR_1_INODE_TOOBIG: P('@i %i is too big.  ', Prompt.TRUNCATE),
  PR_1_TOOBIG_DIR: P('%B (%b) causes @d to be too big.  ', Prompt.CLEAR, PR_LATCH_TOOBIG),
  PR_1_TOOBIG_REG: P('%B (%b) causes file to be too big.  ', Prompt.CLEAR, PR_LATCH_TOOBIG),
  PR_1_TOOBIG_SYMLINK: P('%B (%b) causes symlink to be too big.  ', Prompt.CLEAR, PR_LATCH_TOOBIG),
  PR_1_HTREE_SET: P('@i %i has INDEX_FL flag set on @f without htree support.\n', Prompt.CLEAR_HTREE, PR_PREEN_OK),
  PR_1_EXTENTS_SET: P('@i %i has EXTENTS_FL flag set on @f without extents support.\n', Prompt.CLEAR),
  PR_1_CRITICAL_METADATA_COLLISION: P('@i %i block %b conflicts with critical metadata, skipping block checks.\n', Prompt.NONE),

  PR_1B_PASS_HEADER: P('\nRunning additional passes to resolve @bs claimed by more than one @i...\nPass 1B: Rescanning for @m @bs\n', Prompt.NONE, PR_HEADER),
  PR_1B_DUP_BLOCK_HEADER: P('@m @b(s) in @i %i:', Prompt.NONE),
  PR_1B_DUP_BLOCK: P(' %b', Prompt.NONE, PR_LATCH_DBLOCK | PR_PREEN_NOHDR),
  PR_1B_DUP_RANGE: P(' %b--%c', Prompt.NONE, PR_LATCH_DBLOCK | PR_PREEN_NOHDR),
  PR_1B_DUP_BLOCK_END: P('\n', Prompt.NONE, PR_PREEN_NOHDR),
  PR_1C_PASS_HEADER: P('Pass 1C: Scanning directories for @is with @m @bs\n', Prompt.NONE, PR_HEADER),
  PR_1D_PASS_HEADER: P('Pass 1D: Reconciling @m @bs\n', Prompt.NONE, PR_HEADER),
  PR_1D_DUP_FILE: P('File %Q (@i #%i, mod time %IM) \n  has %r @m @b(s), shared with %N file(s):\n', Prompt.NONE),
  PR_1D_DUP_FILE_LIST: P('\t%Q (@i #%i, mod time %IM)\n', Prompt.NONE),
  PR_1D_SHARE_METADATA: P('\t<@f metadata>\n', Prompt.NONE),
  PR_1D_NUM_DUP_INODES: P('(There are %N @is containing @m @bs.)\n\n', Prompt.NONE),
  PR_1D_DUP_BLOCKS_DEALT: P('@m @bs already reassigned or cloned.\n\n', Prompt.NONE),
  PR_1D_CLONE_QUESTION: P('', Prompt.CLONE, PR_NO_OK),
  PR_1D_DELETE_QUESTION: P('', Prompt.DELETE),
  PR_1D_CLONE_ERROR: P("Couldn't clone file: %m\n", Prompt.NONE),

  PR_2_PASS_HEADER: P('Pass 2: Checking @d structure\n', Prompt.NONE, PR_HEADER),
  PR_2_BAD_INODE_DOT: P("@n @i number for '.' in @d @i %i.\n", Prompt.FIX),
  PR_2_BAD_INO: P('@E has @n @i #: %Di.\n', Prompt.CLEAR),
  PR_2_UNUSED_INODE: P('@E has @D/unused @i %Di.  ', Prompt.CLEAR, PR_PREEN_OK),
  PR_2_LINK_DOT: P("@E @L to '.'  ", Prompt.CLEAR),
  PR_2_LINK_DIR: P('@E @L to @d %P (%Di).\n', Prompt.CLEAR),
  PR_2_LINK_ROOT: P('@E @L to the @r.\n', Prompt.CLEAR),
  PR_2_BAD_NAME: P('@E has illegal characters in its name.\n', Prompt.FIX),
  PR_2_MISSING_DOT: P("Missing '.' in @d @i %i.\n", Prompt.FIX),
  PR_2_MISSING_DOT_DOT: P("Missing '..' in @d @i %i.\n", Prompt.FIX),
  PR_2_1ST_NOT_DOT: P("First @e '%Dn' (@i=%Di) in @d @i %i (%p) @s '.'\n", Prompt.FIX),
  PR_2_2ND_NOT_DOT_DOT: P("Second @e '%Dn' (@i=%Di) in @d @i %i @s '..'\n", Prompt.FIX),
  PR_2_FADDR_ZERO: P('i_faddr @F %IF, @s zero.\n', Prompt.CLEAR),
  PR_2_FILE_ACL_ZERO: P('i_file_acl @F %If, @s zero.\n', Prompt.CLEAR),
  PR_2_DIR_SIZE_HIGH_ZERO: P('i_size_high @F %Id, @s zero.\n', Prompt.CLEAR),
  PR_2_BAD_MODE: P('@i %i (%Q) has @n mode (%Im).\n', Prompt.CLEAR),
  PR_2_DIR_CORRUPTED: P('@d @i %i, %B, offset %N: @d corrupted\n', Prompt.SALVAGE),
  PR_2_DIRECTORY_HOLE: P('@d @i %i has an unallocated %B.  ', Prompt.ALLOCATE),
  PR_2_DOT_NULL_TERM: P("'.' @d @e in @d @i %i is not NULL terminated\n", Prompt.FIX),
  PR_2_DOT_DOT_NULL_TERM: P("'..' @d @e in @d @i %i is not NULL terminated\n", Prompt.FIX),
  PR_2_BAD_CHAR_DEV: P('@i %i (%Q) is an @I character @v.\n', Prompt.CLEAR),
  PR_2_BAD_BLOCK_DEV: P('@i %i (%Q) is an @I @b @v.\n', Prompt.CLEAR),
  PR_2_DUP_DOT: P("@E is duplicate '.' @e.\n", Prompt.FIX),
  PR_2_DUP_DOT_DOT: P("@E is duplicate '..' @e.\n", Prompt.FIX),
  PR_2_FINAL_RECLEN: P('@E has rec_len of %Dr, @s %N.\n', Prompt.FIX),
  PR_2_SPLIT_DOT: P("@d @e for '.' in %p (%i) is big.\n", Prompt.SPLIT, PR_NO_OK),
  PR_2_BAD_FIFO: P('@i %i (%Q) is an @I FIFO.\n', Prompt.CLEAR),
  PR_2_BAD_SOCKET: P('@i %i (%Q) is an @I socket.\n', Prompt.CLEAR),
  PR_2_SET_FILETYPE: P('Setting filetype for @E to %N.\n', Prompt.NONE, PR_PREEN_OK | PR_NO_OK | PR_NO_NOMSG),
  PR_2_BAD_FILETYPE: P('@E has an incorrect filetype (was %Dt, @s %N).\n', Prompt.FIX),
  PR_2_NULL_NAME: P('@E has a @z name.\n', Prompt.CLEAR),
  PR_2_INVALID_SYMLINK: P('Symlink %Q (@i #%i) is @n.\n', Prompt.CLEAR),
  PR_2_FEATURE_LARGE_FILES: P('@f contains large files, but lacks LARGE_FILE flag in @S.\n', Prompt.FIX),
  PR_2_BLOCKS_HI_ZERO: P('i_blocks_hi @F %N, @s zero.\n', Prompt.CLEAR),
  PR_2_I_FILE_ACL_HI_ZERO: P('i_file_acl_hi @F %N, @s zero.\n', Prompt.CLEAR, PR_PREEN_OK),
  PR_2_REPORT_DUP_DIRENT: P("Duplicate @e '%Dn' found.\n\tMarking %p (%i) to be rebuilt.\n\n", Prompt.NONE),
  PR_2_DUPLICATE_DIRENT: P('Duplicate @E found.  ', Prompt.CLEAR),
  PR_2_NON_UNIQUE_FILE: P('@E has a non-unique filename.\nRename to %s', Prompt.NULL),

  PR_3_PASS_HEADER: P('Pass 3: Checking @d connectivity\n', Prompt.NONE, PR_HEADER),
  PR_3_NO_ROOT_INODE: P('@r not allocated.  ', Prompt.ALLOCATE),
  PR_3_EXPAND_LF_DIR: P('No room in @l @d.  ', Prompt.EXPAND),
  PR_3_UNCONNECTED_DIR: P('Unconnected @d @i %i (was in %q)\n', Prompt.CONNECT),
  PR_3_LOOPED_DIR: P('Recursively looped @d @i %i (%p)\n', Prompt.CONNECT),
  PR_3_NO_LF_DIR: P('/@l not found.  ', Prompt.CREATE, PR_PREEN_OK),
  PR_3_BAD_DOT_DOT: P("'..' in %Q (%i) is %P (%j), @s %q (%d).\n", Prompt.FIX),
  PR_3_NO_LPF: P('Bad or non-existent /@l.  Cannot reconnect.\n', Prompt.NONE),
  PR_3_CANT_EXPAND_LPF: P('Could not expand /@l: %m\n', Prompt.NONE),
  PR_3_CANT_RECONNECT: P('Could not reconnect %i: %m\n', Prompt.NONE),
  PR_3_FIX_PARENT_ERR: P("Couldn't fix parent of @i %i: %m\n\n", Prompt.NONE),
  PR_3_FIX_PARENT_NOFIND: P("Couldn't fix parent of @i %i: Couldn't find parent @d @e\n\n", Prompt.NONE),
  PR_3_ROOT_NOT_DIR_ABORT: P('@r is not a @d; aborting.\n', Prompt.NONE, PR_FATAL),
  PR_3_NO_ROOT_INODE_ABORT: P('Cannot proceed without a @r.\n', Prompt.NONE, PR_FATAL),
  PR_3_LPF_NOTDIR: P('/@l is not a @d (ino=%i)\n', Prompt.UNLINK),
  PR_3_CREATE_ROOT_ERROR: P('Error creating root @d (%s): %m\n', Prompt.NONE, PR_FATAL),
  PR_3_CREATE_LPF_ERROR: P('Error creating /@l @d (%s): %m\n', Prompt.NONE),
  PR_3A_PASS_HEADER: P('Pass 3A: Optimizing directories\n', Prompt.NONE, PR_HEADER | PR_PREEN_NOMSG),

  PR_4_PASS_HEADER: P('Pass 4: Checking reference counts\n', Prompt.NONE, PR_HEADER),
  PR_4_ZERO_LEN_INODE: P('@u @z @i %i.  ', Prompt.CLEAR, PR_PREEN_OK | PR_NO_OK),
  PR_4_UNATTACHED_INODE: P('@u @i %i\n', Prompt.CONNECT),
  PR_4_BAD_REF_COUNT: P('@i %i ref count is %Il, @s %N.  ', Prompt.FIX, PR_PREEN_OK),

  PR_5_PASS_HEADER: P('Pass 5: Checking @g summary information\n', Prompt.NONE, PR_HEADER),
  PR_5_INODE_BMAP_PADDING: P('Padding at end of @i @B is not set. ', Prompt.FIX, PR_PREEN_OK),
  PR_5_BLOCK_BMAP_PADDING: P('Padding at end of @b @B is not set. ', Prompt.FIX, PR_PREEN_OK),
  PR_5_BLOCK_BITMAP_HEADER: P('@b @B differences: ', Prompt.NONE, PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_BLOCK_UNUSED: P(' -%b', Prompt.NONE, PR_LATCH_BBITMAP | PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_BLOCK_USED: P(' +%b', Prompt.NONE, PR_LATCH_BBITMAP | PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_BLOCK_RANGE_UNUSED: P(' -(%b--%c)', Prompt.NONE, PR_LATCH_BBITMAP | PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_BLOCK_RANGE_USED: P(' +(%b--%c)', Prompt.NONE, PR_LATCH_BBITMAP | PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_BLOCK_BITMAP_END: P('\n', Prompt.FIX, PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_INODE_BITMAP_HEADER: P('@i @B differences: ', Prompt.NONE, PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_INODE_UNUSED: P(' -%i', Prompt.NONE, PR_LATCH_IBITMAP | PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_INODE_USED: P(' +%i', Prompt.NONE, PR_LATCH_IBITMAP | PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_INODE_RANGE_UNUSED: P(' -(%i--%j)', Prompt.NONE, PR_LATCH_IBITMAP | PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_INODE_RANGE_USED: P(' +(%i--%j)', Prompt.NONE, PR_LATCH_IBITMAP | PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_INODE_BITMAP_END: P('\n', Prompt.FIX, PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_FREE_INODE_COUNT_GROUP: P('Free @is count wrong for @g #%g (%i, counted=%j).\n', Prompt.FIX, PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_FREE_DIR_COUNT_GROUP: P('Directories count wrong for @g #%g (%i, counted=%j).\n', Prompt.FIX, PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_FREE_INODE_COUNT: P('Free @is count wrong (%i, counted=%j).\n', Prompt.FIX, PR_PREEN_OK | PR_NO_OK | PR_PREEN_NOMSG),
  PR_5_FREE_BLOCK_COUNT_GROUP: P('Free @bs count wrong for @g #%g (%b, counted=%c).\n', Prompt.FIX, PR_PREEN_OK | PR_PREEN_NOMSG),
  PR_5_FREE_BLOCK_COUNT: P('Free @bs count wrong (%b, counted=%c).\n', Prompt.FIX, PR_PREEN_OK | PR_NO_OK | PR_PREEN_NOMSG),
} satisfies Record<string, ProblemDef>;

export type ProblemCode = keyof typeof PROBLEMS;

const LATCHES: Record<number, { question?: ProblemCode; end?: ProblemCode }> = {
  [PR_LATCH_BLOCK]: { question: 'PR_1_INODE_BLOCK_LATCH' },
  [PR_LATCH_IBITMAP]: { question: 'PR_5_INODE_BITMAP_HEADER', end: 'PR_5_INODE_BITMAP_END' },
  [PR_LATCH_BBITMAP]: { question: 'PR_5_BLOCK_BITMAP_HEADER', end: 'PR_5_BLOCK_BITMAP_END' },
  [PR_LATCH_DBLOCK]: { question: 'PR_1B_DUP_BLOCK_HEADER', end: 'PR_1B_DUP_BLOCK_END' },
  [PR_LATCH_LOW_DTIME]: { question: 'PR_1_ORPHAN_LIST_REFUGEES' },
  [PR_LATCH_TOOBIG]: { question: 'PR_1_INODE_TOOBIG' },
};

/** The directory entry a problem is about. */
export interface DirentInfo {
  inode: number;
  recLen: number;
  nameLen: number;
  fileType: number;
  name: Uint8Array;
}

/** struct problem_context: what the %-expansions print. */
export interface ProblemContext {
  ino?: number;
  ino2?: number;
  dir?: number;
  blk?: number;
  blk2?: number;
  /** -1 when not a block count; BLOCK_COUNT_IND (-1) is told apart by blkcountSet. */
  blkcount?: number;
  group?: number;
  num?: number;
  num2?: number;
  str?: string;
  errcode?: Error;
  dirent?: DirentInfo;
  inode?: RawInode;
}

/** preenhalt(): a problem preen mode may not fix; the check stops with exit code 4. */
export class PreenHalt extends Error {}
/**
 * fatal_error(): the check cannot go on. `reported` when a PR_FATAL problem
 * already ran fatal_error() once (e2fsck then runs it again for "aborted").
 */
export class FatalError extends Error {
  constructor(readonly reported = false) {
    super('e2fsck: aborted');
  }
}

export type Mode = 'preen' | 'yes' | 'no';

/** What reporting needs from the checker. */
export interface ProblemHost {
  readonly mode: Mode;
  readonly deviceName: string;
  out(text: string): void;
  /** ext2fs_unmark_valid(): an error was left unfixed. */
  unmarkValid(): void;
  /** E2F_FLAG_PROBLEMS_FIXED */
  problemsFixed(): void;
  pathname(dir: number, ino: number): string;
}

const ABBREVS: Record<string, string> = {
  a: 'extended attribute', A: 'error allocating', b: 'block', B: 'bitmap', c: 'compress', C: 'conflicts with some other fs @b',
  d: 'directory', D: 'deleted', e: 'entry', E: "@e '%Dn' in %p (%i)", f: 'filesystem', F: 'for @i %i (%Q) is',
  g: 'group', h: 'HTREE @d @i', i: 'inode', I: 'illegal', j: 'journal', l: 'lost+found', L: 'is a link', m: 'multiply-claimed',
  n: 'invalid', o: 'orphaned', p: 'problem in', q: 'quota', r: 'root @i', s: 'should be', S: 'super@b', u: 'unattached',
  v: 'device', x: 'extent', z: 'zero-length',
};

const SPECIAL_INODES = ['<The NULL inode>', '<The bad blocks inode>', '/', '<The user quota inode>', '<The group quota inode>',
  '<The boot loader inode>', '<The undelete directory inode>', '<The group descriptor inode>', '<The journal inode>',
  '<Reserved inode 9>', '<Reserved inode 10>'];

/** asctime() of a UTC time without its newline, as %IM prints it. */
export function asctime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${day} ${mon}${String(d.getUTCDate()).padStart(3)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** safe_print(): control characters as ^X, high bytes as M-x. */
function safePrint(bytes: Uint8Array): string {
  let out = '';
  for (let ch of bytes) {
    if (ch > 128) { out += 'M-'; ch -= 128; }
    if (ch < 32 || ch === 0x7f) { out += '^'; ch ^= 0x40; }
    out += String.fromCharCode(ch);
  }
  return out;
}

function inodeType(mode: number): string {
  switch (mode & 0o170000) {
    case 0o100000: return 'regular file';
    case 0o040000: return 'directory';
    case 0o020000: return 'character device';
    case 0o060000: return 'block device';
    case 0o010000: return 'named pipe';
    case 0o120000: return 'symbolic link';
    case 0o140000: return 'socket';
    default: return `unknown file type with mode 0${mode.toString(8)}`;
  }
}

/** The problems of one e2fsck run: latches and the output they produce. */
export class Problems {
  private readonly latchFlags = new Map<number, number>();

  constructor(private readonly host: ProblemHost) {}

  private pathname(dir: number, ino: number): string {
    if (!dir && ino < SPECIAL_INODES.length) return SPECIAL_INODES[ino]!;
    try {
      return this.host.pathname(dir, ino);
    } catch {
      return '???';
    }
  }

  /**
   * print_e2fsck_message(): @x abbreviations expand (recursively), %x codes
   * print the context; only an abbreviation or %B at the very start is
   * capitalized ("@i %i" -> "Inode 12", but "i_faddr" stays as written).
   */
  format(msg: string, pctx: ProblemContext): string {
    let out = '';
    const capitalize = (text: string) => text[0]!.toUpperCase() + text.slice(1);
    const print = (m: string, first: boolean, depth: number): void => {
      for (let i = 0; i < m.length; i++) {
        const c = m[i]!;
        if (c === '@') {
          const ch = m[++i]!;
          let abbrev = ABBREVS[ch];
          if (abbrev && depth < 10) {
            if (first && /^[a-z]/.test(abbrev)) { out += abbrev[0]!.toUpperCase(); abbrev = abbrev.slice(1); first = false; }
            print(abbrev, first, depth + 1);
          } else out += `@${ch}`;
        } else if (c === '%') {
          let ch = m[++i]!;
          if (ch === 'I' || ch === 'D') ch += m[++i]!;
          const text = this.percent(ch, pctx);
          out += ch === 'B' && first && /^[a-z]/.test(text) ? capitalize(text) : text;
        } else {
          let j = i;
          while (j < m.length && m[j] !== '@' && m[j] !== '%') j++;
          out += m.slice(i, j);
          i = j - 1;
        }
        first = false;
      }
    };
    print(msg, true, 0);
    return out;
  }

  private percent(code: string, pctx: ProblemContext): string {
    const inode = pctx.inode;
    const de = pctx.dirent;
    switch (code) {
      case 'b': return String(pctx.blk ?? 0);
      case 'B': {
        const count = pctx.blkcount ?? -1;
        const what = count === -1 ? 'indirect block' : count === -2 ? 'double indirect block'
          : count === -3 ? 'triple indirect block' : 'block #';
        return count >= 0 ? `${what}${count}` : what;
      }
      case 'c': return String(pctx.blk2 ?? 0);
      case 'd': return String(pctx.dir ?? 0);
      case 'g': return String(pctx.group ?? 0);
      case 'i': return String(pctx.ino ?? 0);
      case 'j': return String(pctx.ino2 ?? 0);
      case 'm': return pctx.errcode?.message ?? '';
      case 'N': return String(pctx.num ?? 0);
      case 'n': return String(pctx.num2 ?? 0);
      case 'p': return this.pathname(pctx.ino ?? 0, 0);
      case 'P': return this.pathname(pctx.ino2 ?? 0, de ? de.inode : 0);
      case 'q': return this.pathname(pctx.dir ?? 0, 0);
      case 'Q': return this.pathname(pctx.dir ?? 0, pctx.ino ?? 0);
      case 'r': return String(pctx.blkcount ?? 0);
      case 's': return pctx.str ?? '';
      case 'Di': return String(de?.inode ?? 0);
      case 'Dn': return de ? safePrint(de.name.subarray(0, de.nameLen)) : '';
      case 'Dr': return String(de?.recLen ?? 0);
      case 'Dt': return String(de?.fileType ?? 0);
      case 'Is': return String(inode?.size ?? 0);
      case 'Ib': return String(inode?.view.i_blocks ?? 0);
      case 'Il': return String(inode?.links ?? 0);
      case 'Im': return `0${(inode?.mode ?? 0).toString(8)}`;
      case 'IM': return asctime(inode?.view.i_mtime ?? 0);
      case 'IF': return String(inode?.view.i_faddr ?? 0);
      case 'If': return String(inode?.view.i_file_acl ?? 0);
      case 'Id': return String(inode?.view.i_size_high ?? 0);
      case 'Iu': return String(inode?.view.i_uid ?? 0);
      case 'Ig': return String(inode?.view.i_gid ?? 0);
      case 'It': return inodeType(inode?.mode ?? 0);
      default: return `%${code}`;
    }
  }

  /** fix_problem(): reports the problem and returns whether to fix it. */
  fix(code: ProblemCode, pctx: ProblemContext = {}): boolean {
    const ptr: ProblemDef = PROBLEMS[code];
    const host = this.host;
    const preen = host.mode === 'preen';
    const defYn = !((ptr.flags & PR_NO_DEFAULT) || ((ptr.flags & PR_PREEN_NO) && preen) || host.mode === 'no');
    let suppress = false;
    let latch: number | undefined;
    if (ptr.flags & PR_LATCH_MASK) {
      latch = ptr.flags & PR_LATCH_MASK;
      const desc = LATCHES[latch]!;
      const flags = this.latchFlags.get(latch) ?? 0;
      if (desc.question && !(flags & PRL_LATCHED)) {
        const ans = this.fix(desc.question, pctx);
        this.latchFlags.set(latch, (this.latchFlags.get(latch) ?? 0) | (ans ? PRL_YES : PRL_NO) | PRL_LATCHED);
      }
      if ((this.latchFlags.get(latch) ?? 0) & PRL_SUPPRESS) suppress = true;
    }
    if ((ptr.flags & PR_PREEN_NOMSG) && preen) suppress = true;
    if ((ptr.flags & PR_NO_NOMSG) && (host.mode === 'no' || (ptr.flags & PR_FORCE_NO))) suppress = true;
    if (!suppress) {
      if (preen && !(ptr.flags & PR_PREEN_NOHDR)) host.out(`${host.deviceName}: `);
      if (ptr.msg) host.out(this.format(ptr.msg, pctx));
    }
    if (!(ptr.flags & PR_PREEN_OK) && ptr.prompt !== Prompt.NONE && preen) throw new PreenHalt();
    if (ptr.flags & PR_FATAL) throw new FatalError(true);
    let answer: boolean;
    if (ptr.prompt === Prompt.NONE) {
      answer = defYn;
    } else {
      let printAnswer = false;
      const latchFlags = latch ? this.latchFlags.get(latch) ?? 0 : 0;
      if (ptr.flags & PR_FORCE_NO) { answer = false; printAnswer = true; }
      else if (preen) { answer = defYn; printAnswer = !(ptr.flags & PR_PREEN_NOMSG); }
      else if (latch && (latchFlags & (PRL_YES | PRL_NO))) { printAnswer = true; answer = !!(latchFlags & PRL_YES); }
      else {
        answer = defYn;
        host.out(`${PROMPTS[ptr.prompt]}? ${answer ? 'yes' : 'no'}\n\n`);
      }
      if (!answer && !(ptr.flags & PR_NO_OK)) host.unmarkValid();
      if (printAnswer && !suppress) host.out(`${answer ? PREEN_MSGS[ptr.prompt] : 'IGNORED'}.\n`);
    }
    if (ptr.prompt === Prompt.ABORT && answer) throw new FatalError();
    if (ptr.flags & PR_AFTER_CODE && ptr.second) answer = this.fix(ptr.second as ProblemCode, pctx);
    if (answer && ptr.prompt !== Prompt.NONE && !(ptr.flags & PR_NOT_A_FIX)) host.problemsFixed();
    return answer;
  }

  /** end_problem_latch(): the closing question of a latch group (-1 if nothing was latched). */
  endLatch(latch: number): number {
    const desc = LATCHES[latch]!;
    let answer = -1;
    if (desc.end && ((this.latchFlags.get(latch) ?? 0) & PRL_LATCHED)) answer = this.fix(desc.end) ? 1 : 0;
    this.latchFlags.set(latch, 0);
    return answer;
  }

  /** set_latch_flags(). */
  setLatchFlags(latch: number, set: number, clear = 0): void {
    this.latchFlags.set(latch, ((this.latchFlags.get(latch) ?? 0) | set) & ~clear);
  }
}

export const LATCH_SUPPRESS = PRL_SUPPRESS;
