// The ext2 on-disk format, named as in Linux's fs/ext2/ext2.h and e2fsprogs'
// lib/ext2fs/ext2_fs.h: revision 1 ("dynamic"), little-endian, every structure
// read and written in place through a DataView over the block's bytes, so what
// the buffer cache holds is exactly what the disk holds.

export const EXT2_SUPER_MAGIC = 0xef53;
/** The superblock always sits at byte 1024, whatever the block size. */
export const EXT2_SUPERBLOCK_OFFSET = 1024;
export const EXT2_SUPERBLOCK_SIZE = 1024;

export const EXT2_BAD_INO = 1, EXT2_ROOT_INO = 2, EXT2_BOOT_LOADER_INO = 5, EXT2_UNDEL_DIR_INO = 6,
  EXT2_RESIZE_INO = 7, EXT2_JOURNAL_INO = 8;
export const EXT2_GOOD_OLD_FIRST_INO = 11;
export const EXT2_GOOD_OLD_INODE_SIZE = 128;
export const EXT2_GOOD_OLD_REV = 0, EXT2_DYNAMIC_REV = 1;

/** s_state */
export const EXT2_VALID_FS = 0x0001, EXT2_ERROR_FS = 0x0002;
/** s_errors */
export const EXT2_ERRORS_CONTINUE = 1, EXT2_ERRORS_RO = 2, EXT2_ERRORS_PANIC = 3;
export const EXT2_OS_LINUX = 0;
/** The max mount count mke2fs used to set (and the kernel sets when it finds 0). */
export const EXT2_DFL_MAX_MNT_COUNT = 20;

export const EXT2_FEATURE_COMPAT_DIR_PREALLOC = 0x0001, EXT2_FEATURE_COMPAT_IMAGIC_INODES = 0x0002,
  EXT3_FEATURE_COMPAT_HAS_JOURNAL = 0x0004, EXT2_FEATURE_COMPAT_EXT_ATTR = 0x0008,
  EXT2_FEATURE_COMPAT_RESIZE_INO = 0x0010, EXT2_FEATURE_COMPAT_DIR_INDEX = 0x0020;
export const EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER = 0x0001, EXT2_FEATURE_RO_COMPAT_LARGE_FILE = 0x0002,
  EXT2_FEATURE_RO_COMPAT_BTREE_DIR = 0x0004;
export const EXT2_FEATURE_INCOMPAT_COMPRESSION = 0x0001, EXT2_FEATURE_INCOMPAT_FILETYPE = 0x0002,
  EXT3_FEATURE_INCOMPAT_RECOVER = 0x0004, EXT3_FEATURE_INCOMPAT_JOURNAL_DEV = 0x0008,
  EXT2_FEATURE_INCOMPAT_META_BG = 0x0010;

/** What this driver understands, as EXT2_FEATURE_*_SUPP in ext2.h (the kernel refuses the rest). */
export const EXT2_FEATURE_INCOMPAT_SUPP = EXT2_FEATURE_INCOMPAT_FILETYPE | EXT2_FEATURE_INCOMPAT_META_BG;
export const EXT2_FEATURE_RO_COMPAT_SUPP = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE |
  EXT2_FEATURE_RO_COMPAT_BTREE_DIR;

export const EXT2_NDIR_BLOCKS = 12, EXT2_IND_BLOCK = 12, EXT2_DIND_BLOCK = 13, EXT2_TIND_BLOCK = 14, EXT2_N_BLOCKS = 15;
export const EXT2_NAME_LEN = 255;
/** i_flags bits the checker looks at. */
export const EXT2_INDEX_FL = 0x00001000, EXT4_EXTENTS_FL = 0x00080000, EXT2_IMMUTABLE_FL = 0x00000010,
  EXT2_APPEND_FL = 0x00000020;

/** ext2_dir_entry_2.file_type */
export const EXT2_FT_UNKNOWN = 0, EXT2_FT_REG_FILE = 1, EXT2_FT_DIR = 2, EXT2_FT_CHRDEV = 3, EXT2_FT_BLKDEV = 4,
  EXT2_FT_FIFO = 5, EXT2_FT_SOCK = 6, EXT2_FT_SYMLINK = 7, EXT2_FT_MAX = 8;

const S_IFMT = 0o170000;
const FT_BY_TYPE: Record<number, number> = {
  0o100000: EXT2_FT_REG_FILE, 0o040000: EXT2_FT_DIR, 0o020000: EXT2_FT_CHRDEV, 0o060000: EXT2_FT_BLKDEV,
  0o010000: EXT2_FT_FIFO, 0o140000: EXT2_FT_SOCK, 0o120000: EXT2_FT_SYMLINK,
};
/** ext2_set_de_type(): the directory entry's file_type for an inode mode. */
export function fileTypeOfMode(mode: number): number {
  return FT_BY_TYPE[mode & S_IFMT] ?? EXT2_FT_UNKNOWN;
}

// ---- struct views ----------------------------------------------------------------

type FieldKind = 'u8' | 'u16' | 's16' | 'u32';
type FieldTable = Record<string, readonly [offset: number, kind: FieldKind]>;
type StructFields<F extends FieldTable> = { [K in keyof F]: number };

/** A C struct at an offset in a byte array; each field is a little-endian accessor. */
export interface StructView {
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly view: DataView;
}

/**
 * Builds a class whose instances read and write the fields of a C struct in
 * place, e.g. `new SuperBlockView(bytes, 1024).s_free_blocks_count -= 1`.
 */
function defineStruct<F extends FieldTable>(fields: F): new (bytes: Uint8Array, offset?: number) => StructView & StructFields<F> {
  class View implements StructView {
    readonly view: DataView;
    constructor(readonly bytes: Uint8Array, readonly offset = 0) {
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  }
  for (const [name, [off, kind]] of Object.entries(fields)) {
    const get = kind === 'u8' ? function (this: View) { return this.view.getUint8(this.offset + off); }
      : kind === 'u16' ? function (this: View) { return this.view.getUint16(this.offset + off, true); }
        : kind === 's16' ? function (this: View) { return this.view.getInt16(this.offset + off, true); }
          : function (this: View) { return this.view.getUint32(this.offset + off, true); };
    const set = kind === 'u8' ? function (this: View, v: number) { this.view.setUint8(this.offset + off, v); }
      : kind === 'u16' || kind === 's16' ? function (this: View, v: number) { this.view.setUint16(this.offset + off, v & 0xffff, true); }
        : function (this: View, v: number) { this.view.setUint32(this.offset + off, v >>> 0, true); };
    Object.defineProperty(View.prototype, name, { get, set, enumerable: true });
  }
  return View as unknown as new (bytes: Uint8Array, offset?: number) => StructView & StructFields<F>;
}

/** struct ext2_super_block (the fields up to s_first_meta_bg; the rest is reserved). */
export const SuperBlockView = defineStruct({
  s_inodes_count: [0, 'u32'], s_blocks_count: [4, 'u32'], s_r_blocks_count: [8, 'u32'],
  s_free_blocks_count: [12, 'u32'], s_free_inodes_count: [16, 'u32'], s_first_data_block: [20, 'u32'],
  s_log_block_size: [24, 'u32'], s_log_frag_size: [28, 'u32'], s_blocks_per_group: [32, 'u32'],
  s_frags_per_group: [36, 'u32'], s_inodes_per_group: [40, 'u32'], s_mtime: [44, 'u32'], s_wtime: [48, 'u32'],
  s_mnt_count: [52, 'u16'], s_max_mnt_count: [54, 's16'], s_magic: [56, 'u16'], s_state: [58, 'u16'],
  s_errors: [60, 'u16'], s_minor_rev_level: [62, 'u16'], s_lastcheck: [64, 'u32'], s_checkinterval: [68, 'u32'],
  s_creator_os: [72, 'u32'], s_rev_level: [76, 'u32'], s_def_resuid: [80, 'u16'], s_def_resgid: [82, 'u16'],
  s_first_ino: [84, 'u32'], s_inode_size: [88, 'u16'], s_block_group_nr: [90, 'u16'],
  s_feature_compat: [92, 'u32'], s_feature_incompat: [96, 'u32'], s_feature_ro_compat: [100, 'u32'],
  s_algorithm_usage_bitmap: [200, 'u32'], s_prealloc_blocks: [204, 'u8'], s_prealloc_dir_blocks: [205, 'u8'],
  s_journal_inum: [224, 'u32'], s_journal_dev: [228, 'u32'], s_last_orphan: [232, 'u32'],
  s_def_hash_version: [252, 'u8'], s_default_mount_opts: [256, 'u32'], s_first_meta_bg: [260, 'u32'],
  /** e2fsprogs' s_mkfs_time (reserved space in Linux's ext2.h; dumpe2fs shows it as "Filesystem created"). */
  s_mkfs_time: [264, 'u32'],
});
export type SuperBlockView = InstanceType<typeof SuperBlockView>;
/** Byte fields of ext2_super_block: offset and length. */
export const S_UUID = [104, 16] as const, S_VOLUME_NAME = [120, 16] as const, S_LAST_MOUNTED = [136, 64] as const,
  S_HASH_SEED = [236, 16] as const;

/** struct ext2_group_desc: 32 bytes, packed in the blocks after the superblock. */
export const GroupDescView = defineStruct({
  bg_block_bitmap: [0, 'u32'], bg_inode_bitmap: [4, 'u32'], bg_inode_table: [8, 'u32'],
  bg_free_blocks_count: [12, 'u16'], bg_free_inodes_count: [14, 'u16'], bg_used_dirs_count: [16, 'u16'],
  bg_flags: [18, 'u16'],
});
export type GroupDescView = InstanceType<typeof GroupDescView>;
export const EXT2_DESC_SIZE = 32;

/** struct ext2_inode: the 128 bytes every inode size starts with (Linux osd2 layout). */
export const InodeView = defineStruct({
  i_mode: [0, 'u16'], i_uid: [2, 'u16'], i_size: [4, 'u32'], i_atime: [8, 'u32'], i_ctime: [12, 'u32'],
  i_mtime: [16, 'u32'], i_dtime: [20, 'u32'], i_gid: [24, 'u16'], i_links_count: [26, 'u16'],
  i_blocks: [28, 'u32'], i_flags: [32, 'u32'], i_generation: [100, 'u32'], i_file_acl: [104, 'u32'],
  /** i_dir_acl in ext2.h; the high 32 bits of i_size for regular files with large_file. */
  i_size_high: [108, 'u32'], i_faddr: [112, 'u32'], l_i_frag: [116, 'u8'], l_i_fsize: [117, 'u8'],
  l_i_blocks_hi: [116, 'u16'], l_i_file_acl_high: [118, 'u16'], l_i_uid_high: [120, 'u16'], l_i_gid_high: [122, 'u16'],
  i_extra_isize: [128, 'u16'],
});
export type InodeView = InstanceType<typeof InodeView>;
/** Offset of i_block[15] in ext2_inode. */
export const I_BLOCK = 40;

/** ext2_dir_entry_2: inode, rec_len, name_len, file_type, then the name, padded to 4 bytes. */
export const EXT2_DIR_PAD = 4;
export const EXT2_DIR_REC_LEN = (nameLen: number) => (nameLen + 8 + 3) & ~3;

// ---- geometry ----------------------------------------------------------------------

/** Is `group` one of the groups that carry a backup superblock under sparse_super (0, 1, powers of 3, 5, 7)? */
export function groupHasSuper(group: number, sparse: boolean): boolean {
  if (!sparse || group <= 1) return true;
  if (!(group & 1)) return false;
  const isPower = (base: number) => { let n = base; while (n < group) n *= base; return n === group; };
  return isPower(3) || isPower(5) || isPower(7);
}

/** The sizes of a file system, computed once from its superblock. */
export class Geometry {
  readonly blockSize: number;
  readonly blocksCount: number;
  readonly firstDataBlock: number;
  readonly blocksPerGroup: number;
  readonly inodesPerGroup: number;
  readonly inodesCount: number;
  readonly inodeSize: number;
  readonly firstIno: number;
  readonly groupCount: number;
  readonly descPerBlock: number;
  readonly descBlocks: number;
  readonly inodesPerBlock: number;
  readonly inodeTableBlocks: number;
  /** Block numbers per indirect block (ppb). */
  readonly addrPerBlock: number;
  readonly sparseSuper: boolean;

  constructor(sb: SuperBlockView) {
    this.blockSize = 1024 << sb.s_log_block_size;
    this.blocksCount = sb.s_blocks_count;
    this.firstDataBlock = sb.s_first_data_block;
    this.blocksPerGroup = sb.s_blocks_per_group;
    this.inodesPerGroup = sb.s_inodes_per_group;
    this.inodesCount = sb.s_inodes_count;
    this.inodeSize = sb.s_rev_level === EXT2_GOOD_OLD_REV ? EXT2_GOOD_OLD_INODE_SIZE : sb.s_inode_size;
    this.firstIno = sb.s_rev_level === EXT2_GOOD_OLD_REV ? EXT2_GOOD_OLD_FIRST_INO : sb.s_first_ino;
    this.groupCount = Math.ceil((this.blocksCount - this.firstDataBlock) / this.blocksPerGroup);
    this.descPerBlock = this.blockSize / EXT2_DESC_SIZE;
    this.descBlocks = Math.ceil(this.groupCount / this.descPerBlock);
    this.inodesPerBlock = this.blockSize / this.inodeSize;
    this.inodeTableBlocks = Math.ceil(this.inodesPerGroup / this.inodesPerBlock);
    this.addrPerBlock = this.blockSize / 4;
    this.sparseSuper = (sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER) !== 0;
  }

  groupFirstBlock(group: number): number {
    return this.firstDataBlock + group * this.blocksPerGroup;
  }

  /** Blocks in a group (the last one may be short). */
  groupBlocks(group: number): number {
    return Math.min(this.blocksPerGroup, this.blocksCount - this.groupFirstBlock(group));
  }

  groupOfBlock(block: number): number {
    return Math.floor((block - this.firstDataBlock) / this.blocksPerGroup);
  }

  groupOfInode(ino: number): number {
    return Math.floor((ino - 1) / this.inodesPerGroup);
  }

  hasSuper(group: number): boolean {
    return groupHasSuper(group, this.sparseSuper);
  }

  /** Superblock plus group descriptor copies at the start of a group (0 if it holds none). */
  superAndDescBlocks(group: number): number {
    return this.hasSuper(group) ? 1 + this.descBlocks : 0;
  }

  /** Where group descriptor block `i` lives (in group 0, right after the primary superblock). */
  descBlock(i: number): number {
    return this.firstDataBlock + 1 + i;
  }

  /** ext2_max_size(): the largest file the block tree and i_blocks can address. */
  maxFileSize(): number {
    const bits = Math.log2(this.blockSize);
    const ppb = this.addrPerBlock;
    let res = EXT2_NDIR_BLOCKS + ppb + ppb * ppb + ppb * ppb * ppb;
    let upper = Math.floor((2 ** 32 - 1) / 2 ** (bits - 9));
    let meta = 1 + (1 + ppb) + (1 + ppb + ppb * ppb);
    if (res + meta > upper) {
      res = upper;
      upper -= EXT2_NDIR_BLOCKS + ppb;
      meta = 1;
      if (upper < ppb * ppb) meta += 1 + Math.ceil(upper / ppb);
      else {
        meta += 1 + ppb;
        upper -= ppb * ppb;
        meta += 1 + Math.ceil(upper / ppb) + Math.ceil(upper / (ppb * ppb));
      }
      res -= meta;
    }
    return res * this.blockSize;
  }
}

/** A little-endian 32-bit word at a byte offset, without a DataView (block pointers are read in hot loops). */
export function le32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

export function setLe32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

// ---- bitmaps ---------------------------------------------------------------------------

export function testBit(map: Uint8Array, bit: number): boolean {
  return (map[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

export function setBit(map: Uint8Array, bit: number): void {
  map[bit >> 3]! |= 1 << (bit & 7);
}

export function clearBit(map: Uint8Array, bit: number): void {
  map[bit >> 3]! &= ~(1 << (bit & 7));
}

/** find_next_zero_bit(): the first clear bit in [from, size), or -1. */
export function findNextZeroBit(map: Uint8Array, size: number, from: number): number {
  let bit = from;
  while (bit < size) {
    if ((bit & 7) === 0 && map[bit >> 3] === 0xff) { bit += 8; continue; }
    if (!testBit(map, bit)) return bit;
    bit++;
  }
  return -1;
}

// ---- strings in fixed-size fields --------------------------------------------------------

export function readCString(bytes: Uint8Array, offset: number, length: number): string {
  const field = bytes.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

export function writeCString(bytes: Uint8Array, offset: number, length: number, text: string): void {
  const field = bytes.subarray(offset, offset + length);
  field.fill(0);
  field.set(new TextEncoder().encode(text).subarray(0, length));
}

/** The UUID as e2fsprogs prints it: 8-4-4-4-12 lowercase hex. */
export function formatUuid(bytes: Uint8Array, offset = S_UUID[0]): string {
  const hex = [...bytes.subarray(offset, offset + 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---- device numbers in i_block -----------------------------------------------------------

const MINORBITS = 20;
const major = (dev: number) => dev >>> MINORBITS;
const minor = (dev: number) => dev & ((1 << MINORBITS) - 1);
const mkdev = (ma: number, mi: number) => ((ma << MINORBITS) | mi) >>> 0;

/** old_valid_dev(): fits the 16-bit 8:8 encoding of Linux 2.x. */
export const oldValidDev = (dev: number) => major(dev) < 256 && minor(dev) < 256;
export const oldEncodeDev = (dev: number) => (major(dev) << 8) | minor(dev);
export const oldDecodeDev = (v: number) => mkdev((v >> 8) & 255, v & 255);
export const newEncodeDev = (dev: number) => ((minor(dev) & 0xff) | (major(dev) << 8) | ((minor(dev) & ~0xff) << 12)) >>> 0;
export const newDecodeDev = (v: number) => mkdev((v & 0xfff00) >> 8, (v & 0xff) | ((v >> 12) & 0xfff00));
