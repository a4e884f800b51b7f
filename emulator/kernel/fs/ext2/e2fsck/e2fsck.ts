// e2fsck (e2fsck/unix.c): decides whether a check is needed (clean, or "was
// not cleanly unmounted, check forced."), runs passes 1 to 5 (starting over
// when a pass asks for it), prints the summary and returns e2fsck's exit
// code: 0 clean, 1 errors fixed, 2 fixed and the (mounted root) system must
// reboot, 4 errors left, 8 operational error.
import type { BlockIo } from '../../../block/blockio.js';
import {
  EXT2_ERROR_FS, EXT2_FEATURE_COMPAT_DIR_INDEX, EXT2_FEATURE_COMPAT_DIR_PREALLOC, EXT2_FEATURE_COMPAT_EXT_ATTR,
  EXT2_FEATURE_COMPAT_IMAGIC_INODES, EXT2_FEATURE_INCOMPAT_FILETYPE, EXT2_FEATURE_RO_COMPAT_LARGE_FILE,
  EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER, EXT2_SUPER_MAGIC, EXT2_SUPERBLOCK_OFFSET, EXT2_VALID_FS, S_VOLUME_NAME,
  SuperBlockView, readCString,
} from '../layout.js';
import { E2fsckContext, type E2fsckOptions } from './context.js';
import { FsckFs } from './fs.js';
import { pass1 } from './pass1.js';
import { pass2 } from './pass2.js';
import { pass3 } from './pass3.js';
import { pass4 } from './pass4.js';
import { pass5 } from './pass5.js';
import { FatalError, PreenHalt } from './problem.js';

export type { E2fsckOptions } from './context.js';

export const E2FSCK_VERSION = 'e2fsck 1.47.0 (5-Feb-2023)';

export const FSCK_OK = 0, FSCK_NONDESTRUCT = 1, FSCK_REBOOT = 2, FSCK_UNCORRECTED = 4, FSCK_ERROR = 8;

export interface E2fsckResult {
  /** Everything e2fsck prints (stdout and stderr, in order). */
  output: string;
  exitCode: number;
}

const COMPAT_OK = EXT2_FEATURE_COMPAT_DIR_PREALLOC | EXT2_FEATURE_COMPAT_IMAGIC_INODES | EXT2_FEATURE_COMPAT_EXT_ATTR |
  EXT2_FEATURE_COMPAT_DIR_INDEX;
const INCOMPAT_OK = EXT2_FEATURE_INCOMPAT_FILETYPE;
const RO_COMPAT_OK = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE;

/** Checks (and with -p or -y repairs) the ext2 file system on `io`. */
export function e2fsck(io: BlockIo, opts: E2fsckOptions): E2fsckResult {
  const chunks: string[] = [];
  const out = (t: string) => chunks.push(t);
  const preen = opts.mode === 'preen';
  if (!preen) out(`${E2FSCK_VERSION}\n`);
  const result = (exitCode: number): E2fsckResult => ({ output: chunks.join(''), exitCode });

  const raw = new SuperBlockView(io.bread(Math.floor(EXT2_SUPERBLOCK_OFFSET / io.blockSize)).data, EXT2_SUPERBLOCK_OFFSET % io.blockSize);
  const geometryBad = raw.s_magic !== EXT2_SUPER_MAGIC || raw.s_log_block_size !== Math.log2(io.blockSize / 1024) ||
    !raw.s_blocks_per_group || !raw.s_inodes_per_group || raw.s_blocks_count > io.blockCount || raw.s_first_data_block >= raw.s_blocks_count;
  if (geometryBad) {
    const why = raw.s_magic !== EXT2_SUPER_MAGIC ? 'Bad magic number in super-block' : 'The ext2 superblock is corrupt';
    if (!preen) out(`ext2fs_open2: ${why}\ne2fsck: Superblock invalid, trying backup blocks...\n`);
    out(`e2fsck: ${why} while trying to open ${opts.deviceName}\n`);
    if (preen) out(`${opts.deviceName}: `);
    out('\nThe superblock could not be read or does not describe a valid ext2/ext3/ext4\n' +
      'filesystem.  If the device is valid and it really contains an ext2/ext3/ext4\n' +
      'filesystem (and not swap or ufs or something else), then the superblock\n' +
      'is corrupt, and you might try running e2fsck with an alternate superblock:\n' +
      '    e2fsck -b 8193 <device>\n or\n    e2fsck -b 32768 <device>\n\n');
    return result(FSCK_ERROR);
  }

  // ext2fs_open2() refuses a superblock whose inode count disagrees with its groups; e2fsck opens
  // it again ignoring that, and check_super_block() offers the count the groups give.
  const groups = Math.ceil((raw.s_blocks_count - raw.s_first_data_block) / raw.s_blocks_per_group);
  const inodeCountWrong = raw.s_inodes_count !== raw.s_inodes_per_group * groups;
  if (inodeCountWrong) {
    if (!preen) out('ext2fs_open2: The ext2 superblock is corrupt\ne2fsck: Superblock invalid, trying backup blocks...\n');
    out(`e2fsck: The ext2 superblock is corrupt while trying to open ${opts.deviceName}\ne2fsck: Trying to load superblock despite errors...\n`);
  }

  const unsupported = [raw.s_feature_compat & ~COMPAT_OK, raw.s_feature_incompat & ~INCOMPAT_OK, raw.s_feature_ro_compat & ~RO_COMPAT_OK];
  if (unsupported.some((m) => m)) {
    out(`e2fsck: ${opts.deviceName} has unsupported feature(s): ` +
      `${unsupported.map((m, i) => (m ? `${['compat', 'incompat', 'ro_compat'][i]}=0x${m.toString(16)}` : '')).filter(Boolean).join(' ')}\n` +
      'e2fsck: Get a newer version of e2fsck!\n');
    return result(FSCK_ERROR);
  }

  const label = readCString(raw.bytes, raw.offset + S_VOLUME_NAME[0], S_VOLUME_NAME[1]);
  const deviceName = (label || opts.deviceName).replace(/[\s:]/g, '_');
  let fs = new FsckFs(io);
  let ctx = new E2fsckContext(fs, { ...opts, deviceName }, chunks);

  if (inodeCountWrong) {
    const shouldBe = raw.s_inodes_per_group * groups;
    try {
      if (ctx.fix('PR_0_INODE_COUNT_WRONG', { ino: fs.sb.s_inodes_count, ino2: shouldBe })) {
        fs.sb.s_inodes_count = shouldBe;
        fs.markSuperDirty();
        fs.close();
        fs = new FsckFs(io);
        ctx = new E2fsckContext(fs, { ...opts, deviceName }, chunks);
        fs.changed = true;
        ctx.fixedSomething = true;
      } else {
        ctx.fix('PR_0_MISC_CORRUPT_SUPER', { num: fs.sb.s_inodes_count, str: 'inodes_count' });
      }
    } catch (e) {
      if (e instanceof PreenHalt) return preenHalt();
      if (e instanceof FatalError) { ctx.valid = false; return result(fatalError(ctx, opts)); }
      throw e;
    }
  }

  const descriptorsBad = checkDescriptors(fs);
  if (descriptorsBad) {
    out(`ext2fs_check_desc: Corrupt group descriptor: ${descriptorsBad}\n` +
      `e2fsck: Group descriptors look bad... trying backup blocks...\n`);
    return result(FSCK_ERROR);
  }

  if (!opts.force && checkIfSkip(ctx, opts)) {
    if (!ctx.readOnly) fs.close();
    return result(FSCK_OK);
  }

  function preenHalt(): E2fsckResult {
    out(`\n\n${deviceName}: UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.\n\t(i.e., without -a or -p options)\n`);
    fs.sb.s_state |= EXT2_ERROR_FS;
    fs.markSuperDirty();
    fs.close();
    return result(FSCK_UNCORRECTED);
  }

  let exitValue = FSCK_OK;
  for (;;) {
    try {
      runPasses(ctx);
    } catch (e) {
      if (e instanceof PreenHalt) return preenHalt();
      if (e instanceof FatalError) {
        if (e.reported) fatalError(ctx, opts);
        return result(fatalError(ctx, opts, 'aborted'));
      }
      throw e;
    }
    if (!ctx.restart) break;
    out('Restarting e2fsck from the beginning...\n');
    const fixed = ctx.fixedSomething;
    fs.close();
    fs = new FsckFs(io);
    ctx = new E2fsckContext(fs, { ...opts, deviceName }, chunks);
    ctx.fixedSomething = fixed;
  }

  if (fs.changed) {
    if (ctx.fixedSomething) exitValue |= FSCK_NONDESTRUCT;
    if (!preen) out(`\n${deviceName}: ***** FILE SYSTEM WAS MODIFIED *****\n`);
    if (opts.isMountedRoot) {
      out(`${deviceName}: ***** REBOOT SYSTEM *****\n`);
      exitValue |= FSCK_REBOOT;
    }
  }
  if (!ctx.valid) {
    out(`\n${deviceName}: ********** WARNING: Filesystem still has errors **********\n\n`);
    exitValue |= FSCK_UNCORRECTED;
    exitValue &= ~FSCK_NONDESTRUCT;
  }
  showStats(ctx);
  if (!ctx.readOnly) {
    const sb = fs.sb;
    if (ctx.valid) {
      if (!(sb.s_state & EXT2_VALID_FS)) exitValue |= FSCK_NONDESTRUCT;
      sb.s_state = EXT2_VALID_FS;
    } else {
      sb.s_state &= ~EXT2_VALID_FS;
    }
    sb.s_mnt_count = 0;
    sb.s_lastcheck = opts.now;
    fs.markSuperDirty();
    fs.close();
  }
  return result(exitValue);
}

function runPasses(ctx: E2fsckContext): void {
  for (const pass of [pass1, pass2, pass3, pass4, pass5]) {
    pass(ctx);
    if (ctx.restart) return;
  }
}

/** fatal_error(): whatever was written stays; the summary is not printed. */
function fatalError(ctx: E2fsckContext, opts: E2fsckOptions, msg?: string): number {
  let exitValue = FSCK_ERROR;
  if (msg) ctx.out(`e2fsck: ${msg}\n`);
  if (!ctx.readOnly) ctx.fs.io.sync();
  if (ctx.fs.changed) {
    exitValue |= FSCK_NONDESTRUCT;
    ctx.out(`\n${ctx.deviceName}: ***** FILE SYSTEM WAS MODIFIED *****\n`);
    if (opts.isMountedRoot) exitValue |= FSCK_REBOOT;
  }
  if (!ctx.valid) {
    ctx.out(`\n${ctx.deviceName}: ********** WARNING: Filesystem still has errors **********\n\n`);
    exitValue |= FSCK_UNCORRECTED;
    exitValue &= ~FSCK_NONDESTRUCT;
  }
  return exitValue;
}

/** ext2fs_check_desc(): each group's bitmaps and inode table inside the group. Returns the complaint, if any. */
function checkDescriptors(fs: FsckFs): string | undefined {
  const geo = fs.geo;
  for (let g = 0; g < geo.groupCount; g++) {
    const gd = fs.gd(g);
    const first = geo.groupFirstBlock(g), last = first + geo.groupBlocks(g) - 1;
    const inside = (b: number) => b >= first && b <= last;
    if (!inside(gd.bg_block_bitmap)) return 'bad block for block bitmap';
    if (!inside(gd.bg_inode_bitmap)) return 'bad block for inode bitmap';
    if (!inside(gd.bg_inode_table) || !inside(gd.bg_inode_table + geo.inodeTableBlocks - 1)) return 'bad block for inode table';
  }
  return undefined;
}

/** check_if_skip(): a clean file system is not checked; returns true after printing "clean". */
function checkIfSkip(ctx: E2fsckContext, opts: E2fsckOptions): boolean {
  const fs = ctx.fs, sb = fs.sb;
  let reason: string | undefined;
  if ((sb.s_state & EXT2_ERROR_FS) || !ctx.valid) reason = ' contains a file system with errors';
  else if (!(sb.s_state & EXT2_VALID_FS)) reason = ' was not cleanly unmounted';
  else if (sb.s_max_mnt_count > 0 && sb.s_mnt_count >= sb.s_max_mnt_count) {
    reason = ` has been mounted ${sb.s_mnt_count} times without being checked`;
  } else if (sb.s_checkinterval && opts.now < sb.s_lastcheck) {
    reason = ' has filesystem last checked time in the future';
  } else if (sb.s_checkinterval && opts.now - sb.s_lastcheck >= sb.s_checkinterval) {
    reason = ` has gone ${Math.floor((opts.now - sb.s_lastcheck) / (3600 * 24))} days without being checked`;
  }
  if (reason) {
    ctx.out(`${ctx.deviceName}${reason}, check forced.\n`);
    return false;
  }
  // The kernel keeps the global counts only roughly: bring them in line with the groups, quietly.
  let freeBlocks = 0, freeInodes = 0;
  for (let g = 0; g < fs.geo.groupCount; g++) { freeBlocks += fs.gd(g).bg_free_blocks_count; freeInodes += fs.gd(g).bg_free_inodes_count; }
  if (sb.s_free_inodes_count !== freeInodes && !ctx.readOnly &&
    ctx.fix('PR_0_FREE_INODE_COUNT', { ino: sb.s_free_inodes_count, ino2: freeInodes })) {
    sb.s_free_inodes_count = freeInodes;
    fs.markSuperDirty();
  }
  if (sb.s_free_blocks_count !== freeBlocks && !ctx.readOnly &&
    ctx.fix('PR_0_FREE_BLOCK_COUNT', { blk: sb.s_free_blocks_count, blk2: freeBlocks })) {
    sb.s_free_blocks_count = freeBlocks;
    fs.markSuperDirty();
  }
  let line = `${ctx.deviceName}: clean, ${sb.s_inodes_count - sb.s_free_inodes_count}/${sb.s_inodes_count} files, ` +
    `${sb.s_blocks_count - sb.s_free_blocks_count}/${sb.s_blocks_count} blocks`;
  let nextCheck = 100000;
  if (sb.s_max_mnt_count > 0) nextCheck = Math.max(1, sb.s_max_mnt_count - sb.s_mnt_count);
  if (sb.s_checkinterval && opts.now - sb.s_lastcheck >= sb.s_checkinterval) nextCheck = 1;
  if (nextCheck <= 5) line += nextCheck === 1 ? ' (check after next mount)' : ` (check in ${nextCheck} mounts)`;
  ctx.out(`${line}\n`);
  return true;
}

/** show_stats() without -v. */
function showStats(ctx: E2fsckContext): void {
  const sb = ctx.fs.sb;
  const inodes = sb.s_inodes_count, inodesUsed = inodes - sb.s_free_inodes_count;
  const blocks = sb.s_blocks_count, blocksUsed = blocks - sb.s_free_blocks_count;
  let fragTotal = 0;
  if (inodesUsed > 0) fragTotal = Math.floor((Math.floor((10000 * (ctx.fsFragmented + ctx.fsFragmentedDir)) / inodesUsed) + 5) / 10);
  ctx.out(`${ctx.deviceName}: ${inodesUsed}/${inodes} files (${Math.floor(fragTotal / 10)}.${fragTotal % 10}% non-contiguous), ${blocksUsed}/${blocks} blocks\n`);
}
