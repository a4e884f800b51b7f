// mke2fs: lays a fresh ext2 file system on a block device, as e2fsprogs'
// mke2fs does for `mkfs.ext2 -b 1024 -I 128 -O ^dir_index,^resize_inode,
// ^ext_attr,^large_file`: revision 1, filetype and sparse_super, backup
// superblocks in groups 0, 1 and the powers of 3, 5 and 7, bitmaps and inode
// table right after each group's descriptors, a root directory and a
// lost+found of 12 preallocated blocks (so e2fsck never has to grow it).
import type { BlockIo } from '../../block/blockio.js';
import {
  EXT2_DYNAMIC_REV, EXT2_ERRORS_CONTINUE, EXT2_FEATURE_INCOMPAT_FILETYPE,
  EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER, EXT2_FT_DIR, EXT2_GOOD_OLD_FIRST_INO, EXT2_OS_LINUX, EXT2_ROOT_INO,
  EXT2_SUPER_MAGIC, EXT2_SUPERBLOCK_OFFSET, EXT2_VALID_FS, Geometry, GroupDescView, I_BLOCK, InodeView,
  S_UUID, S_VOLUME_NAME, SuperBlockView, formatUuid, groupHasSuper, setBit, writeCString,
} from './layout.js';
import { initDirBlock, writeDirEntry } from './dirent.js';

export const MKE2FS_VERSION = 'mke2fs 1.47.0 (5-Feb-2023)';

export interface MkfsOptions {
  /** Seconds since the epoch for s_mkfs_time, s_wtime, s_lastcheck and the root's times. */
  now: number;
  /** Volume label (-L), up to 16 bytes. */
  label?: string;
  /** Bytes of disk per inode (-i); 8192 gives 2048 inodes on 16 MiB. */
  inodeRatio?: number;
  /** Exact inode count (-N); overrides inodeRatio. */
  inodes?: number;
  /** Percentage of blocks reserved for root (-m). */
  reservedPercent?: number;
  /** s_max_mnt_count: -1 (mke2fs 1.42 and later) disables the mount-count check; 20 is the classic value. */
  maxMountCount?: number;
  /** s_checkinterval in seconds (0: none). */
  checkInterval?: number;
  /** The 16 bytes of the UUID; derived from `now` when absent, so one seed gives one disk. */
  uuid?: Uint8Array;
  /** Owner of the root directory (mke2fs uses the caller's ids). */
  rootUid?: number;
  rootGid?: number;
  /** Bytes per inode on disk (-I): 128, as Linux 2.x wrote them, or 256. */
  inodeSize?: number;
  /** -v: the long report of the geometry. */
  verbose?: boolean;
}

export interface MkfsResult {
  /** What mke2fs prints, line for line. */
  output: string;
  blocksCount: number;
  inodesCount: number;
}

const BLOCK_SIZE = 1024;
const LPF_BLOCKS = 12;
const LPF_INO = EXT2_GOOD_OLD_FIRST_INO;

/** A deterministic version-4-shaped UUID from a number (the machine has no entropy worth the name). */
function uuidFrom(seed: number): Uint8Array {
  const out = new Uint8Array(16);
  let x = (seed ^ 0x5bd1e995) >>> 0;
  for (let i = 0; i < 16; i++) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x297a2d39) >>> 0;
    out[i] = x >>> 24;
  }
  out[6] = (out[6]! & 0x0f) | 0x40;
  out[8] = (out[8]! & 0x3f) | 0x80;
  return out;
}

/** The backup list as mke2fs wraps it: a new tab-indented line whenever 72 columns would overflow. */
function backupList(blocks: number[]): string {
  let out = '', left = 0;
  blocks.forEach((b, i) => {
    if (i) out += ', ';
    const need = String(b).length + 2;
    if (need > left) { out += '\n\t'; left = 72; }
    left -= need;
    out += b;
  });
  return out;
}

/** Writes a fresh file system over the whole device and syncs it. Throws Error with mke2fs's text when impossible. */
export function mke2fs(io: BlockIo, opts: MkfsOptions): MkfsResult {
  if (io.blockSize !== BLOCK_SIZE) throw new Error(`mke2fs: block size ${io.blockSize} not supported (1024 only)`);
  const inodeSize = opts.inodeSize ?? 128;
  const blocksPerGroup = BLOCK_SIZE * 8;
  const firstDataBlock = 1;
  let blocksCount = io.blockCount;
  const inodesPerBlock = BLOCK_SIZE / inodeSize;
  // Like mke2fs, the inode count comes from the whole device, before a runt last group is cut off.
  const wanted = opts.inodes ?? Math.floor((blocksCount * BLOCK_SIZE) / (opts.inodeRatio ?? 8192));

  // ext2fs_initialize(): size the groups, then drop a last group too small to hold its own tables.
  let groups: number, ipg: number, itableBlocks: number;
  for (;;) {
    groups = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
    if (groups < 1 || blocksCount < 64) throw new Error('mke2fs: Filesystem too small');
    ipg = Math.ceil(Math.max(wanted, EXT2_GOOD_OLD_FIRST_INO + 1) / groups);
    ipg = Math.ceil(ipg / inodesPerBlock) * inodesPerBlock;
    ipg = Math.min(Math.ceil(ipg / 8) * 8, BLOCK_SIZE * 8);
    itableBlocks = ipg / inodesPerBlock;
    const descBlocks = Math.ceil(groups / (BLOCK_SIZE / 32));
    const lastOverhead = 2 + itableBlocks + (groupHasSuper(groups - 1, true) ? 1 + descBlocks : 0);
    const rem = (blocksCount - firstDataBlock) % blocksPerGroup;
    if (groups === 1 && rem && rem < lastOverhead) throw new Error('mke2fs: Filesystem too small');
    if (rem && rem < lastOverhead + 50) { blocksCount -= rem; continue; }
    break;
  }
  const inodesCount = ipg * groups;
  const now = opts.now >>> 0;

  // Every block is built in memory and written once at the end: no buffer is held across getblk() calls.
  const image = new Map<number, Uint8Array>();
  const zero = (block: number): Uint8Array => {
    const data = new Uint8Array(BLOCK_SIZE);
    image.set(block, data);
    return data;
  };

  // The primary superblock; its geometry drives everything else.
  const sbBlock = zero(1);
  const es = new SuperBlockView(sbBlock, EXT2_SUPERBLOCK_OFFSET % BLOCK_SIZE);
  es.s_inodes_count = inodesCount;
  es.s_blocks_count = blocksCount;
  es.s_r_blocks_count = Math.floor((blocksCount * (opts.reservedPercent ?? 5)) / 100);
  es.s_first_data_block = firstDataBlock;
  es.s_log_block_size = 0;
  es.s_log_frag_size = 0;
  es.s_blocks_per_group = blocksPerGroup;
  es.s_frags_per_group = blocksPerGroup;
  es.s_inodes_per_group = ipg;
  es.s_mtime = 0;
  es.s_wtime = now;
  es.s_mnt_count = 0;
  es.s_max_mnt_count = opts.maxMountCount ?? -1;
  es.s_magic = EXT2_SUPER_MAGIC;
  es.s_state = EXT2_VALID_FS;
  es.s_errors = EXT2_ERRORS_CONTINUE;
  es.s_lastcheck = now;
  es.s_mkfs_time = now;
  es.s_checkinterval = opts.checkInterval ?? 0;
  es.s_creator_os = EXT2_OS_LINUX;
  es.s_rev_level = EXT2_DYNAMIC_REV;
  es.s_first_ino = EXT2_GOOD_OLD_FIRST_INO;
  es.s_inode_size = inodeSize;
  es.s_feature_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE;
  es.s_feature_ro_compat = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER;
  const uuid = opts.uuid ?? uuidFrom(now);
  sbBlock.set(uuid.subarray(0, 16), S_UUID[0]);
  writeCString(sbBlock, S_VOLUME_NAME[0], S_VOLUME_NAME[1], opts.label ?? '');
  const geo = new Geometry(es);

  // Group descriptors and per-group tables.
  const descBlocks = [...Array(geo.descBlocks)].map((_, i) => zero(geo.descBlock(i)));
  const desc = (g: number) => new GroupDescView(descBlocks[Math.floor(g / geo.descPerBlock)]!, (g % geo.descPerBlock) * 32);
  const blockBitmaps: Uint8Array[] = [];
  const inodeBitmaps: Uint8Array[] = [];
  const backups: number[] = [];
  for (let g = 0; g < groups; g++) {
    const start = geo.groupFirstBlock(g);
    const meta = geo.superAndDescBlocks(g);
    if (g > 0 && meta) backups.push(start);
    const gd = desc(g);
    gd.bg_block_bitmap = start + meta;
    gd.bg_inode_bitmap = start + meta + 1;
    gd.bg_inode_table = start + meta + 2;
    const bbitmap = zero(gd.bg_block_bitmap);
    const ibitmap = zero(gd.bg_inode_bitmap);
    blockBitmaps.push(bbitmap);
    inodeBitmaps.push(ibitmap);
    const used = meta + 2 + geo.inodeTableBlocks;
    for (let b = 0; b < used; b++) setBit(bbitmap, b);
    // Bits past the end of a short last group are "in use" padding, as e2fsck expects.
    for (let b = geo.groupBlocks(g); b < BLOCK_SIZE * 8; b++) setBit(bbitmap, b);
    for (let i = ipg; i < BLOCK_SIZE * 8; i++) setBit(ibitmap, i);
    for (let b = 0; b < geo.inodeTableBlocks; b++) zero(gd.bg_inode_table + b);
    gd.bg_free_blocks_count = geo.groupBlocks(g) - used;
    gd.bg_free_inodes_count = ipg;
  }

  // Reserved inodes 1..10 are allocated; the root and lost+found take the first data blocks of group 0.
  for (let ino = 1; ino < EXT2_GOOD_OLD_FIRST_INO; ino++) setBit(inodeBitmaps[0]!, ino - 1);
  desc(0).bg_free_inodes_count -= EXT2_GOOD_OLD_FIRST_INO - 1;
  let nextBlock = desc(0).bg_inode_table + geo.inodeTableBlocks;
  const allocBlock = () => {
    const b = nextBlock++;
    setBit(blockBitmaps[0]!, b - geo.groupFirstBlock(0));
    desc(0).bg_free_blocks_count--;
    return b;
  };
  const inodeAt = (ino: number) => {
    const index = ino - 1;
    const gd = desc(geo.groupOfInode(ino));
    const offsetInGroup = (index % ipg) * inodeSize;
    return new InodeView(image.get(gd.bg_inode_table + Math.floor(offsetInGroup / BLOCK_SIZE))!, offsetInGroup % BLOCK_SIZE);
  };
  const makeDir = (ino: number, mode: number, links: number, blocks: number[], uid: number, gid: number) => {
    const inode = inodeAt(ino);
    inode.i_mode = mode;
    inode.i_uid = uid & 0xffff;
    inode.l_i_uid_high = uid >>> 16;
    inode.i_gid = gid & 0xffff;
    inode.l_i_gid_high = gid >>> 16;
    inode.i_size = blocks.length * BLOCK_SIZE;
    inode.i_atime = inode.i_ctime = inode.i_mtime = now;
    inode.i_links_count = links;
    inode.i_blocks = blocks.length * (BLOCK_SIZE / 512);
    blocks.forEach((b, i) => inode.view.setUint32(inode.offset + I_BLOCK + 4 * i, b, true));
    setBit(inodeBitmaps[0]!, ino - 1);
    desc(0).bg_used_dirs_count++;
  };
  // Inode 1 (bad blocks) carries the creation times, as mke2fs writes it.
  const bad = inodeAt(1);
  bad.i_atime = bad.i_ctime = bad.i_mtime = now;

  const rootBlock = allocBlock();
  const lpfBlocks = [...Array(LPF_BLOCKS)].map(allocBlock);
  makeDir(EXT2_ROOT_INO, 0o40755, 3, [rootBlock], opts.rootUid ?? 0, opts.rootGid ?? 0);
  makeDir(LPF_INO, 0o40700, 2, lpfBlocks, 0, 0);
  setBit(inodeBitmaps[0]!, LPF_INO - 1);
  desc(0).bg_free_inodes_count--;

  const root = zero(rootBlock);
  let off = writeDirEntry(root, 0, EXT2_ROOT_INO, '.', EXT2_FT_DIR);
  off = writeDirEntry(root, off, EXT2_ROOT_INO, '..', EXT2_FT_DIR);
  writeDirEntry(root, off, LPF_INO, 'lost+found', EXT2_FT_DIR, BLOCK_SIZE - off);
  const lpf = zero(lpfBlocks[0]!);
  off = writeDirEntry(lpf, 0, LPF_INO, '.', EXT2_FT_DIR);
  writeDirEntry(lpf, off, EXT2_ROOT_INO, '..', EXT2_FT_DIR, BLOCK_SIZE - off);
  for (const b of lpfBlocks.slice(1)) initDirBlock(zero(b));

  let freeBlocks = 0, freeInodes = 0;
  for (let g = 0; g < groups; g++) { freeBlocks += desc(g).bg_free_blocks_count; freeInodes += desc(g).bg_free_inodes_count; }
  es.s_free_blocks_count = freeBlocks;
  es.s_free_inodes_count = freeInodes;

  // Backup superblocks and descriptor copies, each with its own s_block_group_nr.
  for (const start of backups) {
    const g = geo.groupOfBlock(start);
    const copy = zero(start);
    copy.set(sbBlock);
    new SuperBlockView(copy).s_block_group_nr = g;
    descBlocks.forEach((d, i) => zero(start + 1 + i).set(d));
  }
  for (const [block, data] of [...image].sort((a, b) => a[0] - b[0])) {
    const bh = io.getblk(block);
    bh.data.set(data);
    io.markDirty(bh);
  }
  io.sync();

  const lines = [MKE2FS_VERSION];
  if (opts.verbose) {
    const sizeType = blocksCount * BLOCK_SIZE < 3 * 1024 * 1024 ? 'floppy' : blocksCount * BLOCK_SIZE < 512 * 1024 * 1024 ? 'small' : 'default';
    const reserved = es.s_r_blocks_count;
    lines.push(`fs_types for mke2fs.conf resolution: 'ext2', '${sizeType}'`, `Filesystem label=${opts.label ?? ''}`, 'OS type: Linux',
      'Block size=1024 (log=0)', 'Fragment size=1024 (log=0)', 'Stride=0 blocks, Stripe width=0 blocks',
      `${inodesCount} inodes, ${blocksCount} blocks`,
      `${reserved} blocks (${((100 * reserved) / blocksCount).toFixed(2)}%) reserved for the super user`,
      'First data block=1', `${groups} block group${groups > 1 ? 's' : ''}`,
      `${blocksPerGroup} blocks per group, ${blocksPerGroup} fragments per group`, `${ipg} inodes per group`);
  } else {
    lines.push(`Creating filesystem with ${blocksCount} 1k blocks and ${inodesCount} inodes`);
  }
  lines.push(`Filesystem UUID: ${formatUuid(sbBlock)}`);
  if (backups.length) lines.push(`Superblock backups stored on blocks: ${backupList(backups)}`);
  lines.push('', 'Allocating group tables: done                            ',
    'Writing inode tables: done                            ',
    'Writing superblocks and filesystem accounting information: done', '', '');
  return { output: lines.join('\n'), blocksCount, inodesCount };
}
