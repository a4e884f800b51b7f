// struct ext2_dir_entry_2 inside a directory block: inode (4), rec_len (2),
// name_len (1), file_type (1), then name_len bytes of name. Entries chain by
// rec_len to the end of the block; a deleted entry either has inode 0 (first
// in its block) or is swallowed by the rec_len of the entry before it.
import { EXT2_DIR_REC_LEN } from './layout.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface RawDirent {
  /** Byte offset of the entry in its block. */
  offset: number;
  inode: number;
  recLen: number;
  nameLen: number;
  fileType: number;
}

export function nameBytes(name: string): Uint8Array {
  return encoder.encode(name);
}

export function readDirent(block: Uint8Array, offset: number): RawDirent {
  const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
  return {
    offset,
    inode: v.getUint32(offset, true),
    recLen: v.getUint16(offset + 4, true),
    nameLen: block[offset + 6]!,
    fileType: block[offset + 7]!,
  };
}

export function direntName(block: Uint8Array, de: RawDirent): string {
  return decoder.decode(block.subarray(de.offset + 8, de.offset + 8 + de.nameLen));
}

export function direntNameBytes(block: Uint8Array, de: RawDirent): Uint8Array {
  return block.subarray(de.offset + 8, de.offset + 8 + de.nameLen);
}

export function setDirentInode(block: Uint8Array, offset: number, ino: number, fileType?: number): void {
  new DataView(block.buffer, block.byteOffset, block.byteLength).setUint32(offset, ino, true);
  if (fileType !== undefined) block[offset + 7] = fileType;
}

export function setDirentRecLen(block: Uint8Array, offset: number, recLen: number): void {
  new DataView(block.buffer, block.byteOffset, block.byteLength).setUint16(offset + 4, recLen, true);
}

/** Writes one entry; returns the offset just past it (offset + rec_len). */
export function writeDirEntry(block: Uint8Array, offset: number, ino: number, name: string | Uint8Array,
  fileType: number, recLen?: number): number {
  const bytes = typeof name === 'string' ? encoder.encode(name) : name;
  const len = recLen ?? EXT2_DIR_REC_LEN(bytes.length);
  const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
  v.setUint32(offset, ino, true);
  v.setUint16(offset + 4, len, true);
  block[offset + 6] = bytes.length;
  block[offset + 7] = fileType;
  block.set(bytes, offset + 8);
  // Zero the padding so images stay byte-identical for identical histories.
  block.fill(0, offset + 8 + bytes.length, Math.min(offset + EXT2_DIR_REC_LEN(bytes.length), offset + len));
  return offset + len;
}

/** An empty directory block: one unused entry spanning all of it. */
export function initDirBlock(block: Uint8Array): void {
  block.fill(0);
  setDirentRecLen(block, 0, block.length);
}

/** Why an entry at `offset` cannot be trusted (ext2_check_page's reasons), or undefined. */
export function direntProblem(block: Uint8Array, de: RawDirent, inodesCount: number): string | undefined {
  if (de.recLen < EXT2_DIR_REC_LEN(1)) return 'rec_len is smaller than minimal';
  if (de.recLen & 3) return 'unaligned directory entry';
  if (de.recLen < EXT2_DIR_REC_LEN(de.nameLen)) return 'rec_len is too small for name_len';
  if (de.offset + de.recLen > block.length) return 'directory entry across blocks';
  if (de.inode > inodesCount) return 'inode out of bounds';
  return undefined;
}
