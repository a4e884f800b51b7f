// The virtual hard disk as a file in the app's data folder ($DRIVERLAB_HOME/disks/NAME.img):
// a DiskBacking that a crash of the host process (or a power cut) never corrupts.
//
// NAME.img is the raw disk, sector after sector. Writes do not go into it directly: each
// writeSectors() appends one record (header, checksum, the sectors) to NAME.img.journal, and an
// in-memory overlay serves reads of journaled sectors. A record whose checksum or sequence number
// is wrong ends the journal: that is the torn tail of a write the process died in, and is ignored.
// flush() fsyncs the journal, so a write acknowledged by FLUSH CACHE survives a power cut (every
// completed write(2) already survives the death of the process).
//
// Checkpoint: when the journal has grown past its limit (JOURNAL_LIMIT), on open and on close, the overlay is
// written into the image in place, the image is fsynced, then the journal is emptied. A crash at
// any point of this leaves the full journal on disk, and replaying a journal is idempotent (each
// sector ends up holding its last journaled contents, however much of the journal the image
// already had), so the next open repairs a half-written image: no temporary copy of the whole
// image is needed. A new image is created as a temporary file, fsynced and renamed into place, so
// a crash never leaves a half-created image behind.
//
// A lock file (NAME.img.lock, holding the owner's pid) keeps two processes from journaling into
// the same image; a lock left by a dead process is taken over.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SECTOR_SIZE, type DiskBacking } from '../../emulator/host.js';
import { DEFAULT_DISK_SECTORS, writeInstalledPartitionTable } from '../../emulator/disk.js';

/** The journal is checkpointed into the image once it holds this many bytes. */
export const JOURNAL_LIMIT = 8 << 20;

const JOURNAL_MAGIC = 'DLDISKJ1';
const JOURNAL_HEADER_BYTES = 16;
const RECORD_MAGIC = 0x52444c44; // "DLDR"
const RECORD_HEADER_BYTES = 24;

/** The disk image is locked by another running process. */
export class DiskImageBusyError extends Error {
  constructor(readonly imagePath: string, readonly pid: number) {
    super(`the disk image ${imagePath} is in use by another DriverLab (process ${pid}); close it first, or delete ${imagePath}.lock if that process is gone`);
    this.name = 'DiskImageBusyError';
  }
}

export interface DiskImageOptions {
  /** Size of a new image in sectors; an existing image keeps its size. */
  sectors: number;
  /** Writes the initial contents of a new image (a partition table...) through the backing. */
  initialize?: (disk: DiskBacking) => void;
  /** Journal size that triggers a checkpoint (default JOURNAL_LIMIT). */
  journalLimit?: number;
}

/** The folder holding the disk images of a DriverLab data folder. */
export function disksDir(home: string): string {
  return path.join(home, 'disks');
}

/** The hard disk of a lab's machine (the app's lab session, `driverlab start`): disks/labs/LAB.img. */
export function labDiskPath(home: string, labId: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(labId)) throw new Error(`'${labId}' is not a lab id`);
  return path.join(disksDir(home), 'labs', `${labId}.img`);
}

/**
 * The machine's hard disk as a file: $DRIVERLAB_HOME/disks/NAME.img, made on first use as an
 * installed DriverLab disk (32 MiB, hda1 from sector 2048). Close it when the app stops.
 */
export function openHardDisk(home: string, name = 'hda'): FileDisk {
  return openDiskImage(home, name, { sectors: DEFAULT_DISK_SECTORS, initialize: writeInstalledPartitionTable });
}

/**
 * A machine's hard disk at `imagePath` (any path), created on first use as an installed disk:
 * `install` writes the system onto the new image (emulator/installer.ts installOnto) before it is
 * renamed into place. An image whose installation a crash cut short never exists.
 */
export function openMachineDisk(imagePath: string, install: (disk: DiskBacking) => void): FileDisk {
  return FileDisk.open(imagePath, { sectors: DEFAULT_DISK_SECTORS, initialize: install });
}

/**
 * Deletes a disk image and its journal, for a machine to be installed afresh ("reinstall").
 * Refused (DiskImageBusyError) while another process has it open.
 */
export function removeDiskImage(imagePath: string): void {
  const lockPath = `${imagePath}.lock`;
  if (fs.existsSync(lockPath)) {
    const owner = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) throw new DiskImageBusyError(imagePath, owner);
  }
  for (const suffix of ['', '.journal', '.tmp', '.lock']) fs.rmSync(`${imagePath}${suffix}`, { force: true });
}

/**
 * Releases the lock this process holds on an image whose user is gone without closing it (a
 * machine thread that was terminated): its journal is intact, the next open replays it.
 */
export function releaseStaleLock(imagePath: string): void {
  const lockPath = `${imagePath}.lock`;
  try {
    if (Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10) === process.pid) fs.rmSync(lockPath, { force: true });
  } catch {
    // No lock: nothing to release.
  }
}

/** $DRIVERLAB_HOME/disks/NAME.img, created (and initialised) on first use. */
export function openDiskImage(home: string, name: string, options: DiskImageOptions): FileDisk {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)) throw new Error(`'${name}' is not a disk name (lower-case letters, digits, '.', '_', '-')`);
  return FileDisk.open(path.join(disksDir(home), `${name}.img`), options);
}

export class FileDisk implements DiskBacking {
  readonly sectorCount: number;
  /** Journaled sectors not yet checkpointed into the image: lba -> contents. */
  private readonly overlay = new Map<number, Uint8Array>();
  private journalBytes = JOURNAL_HEADER_BYTES;
  private nextSeq = 1;
  private closed = false;

  private constructor(
    readonly imagePath: string,
    private readonly imageFd: number,
    private readonly journalFd: number,
    private readonly releaseLock: () => void,
    private readonly journalLimit: number,
  ) {
    const size = fs.fstatSync(imageFd).size;
    if (size % SECTOR_SIZE !== 0 || size === 0) {
      throw new Error(`the disk image ${imagePath} is ${size} bytes, not a whole number of ${SECTOR_SIZE}-byte sectors`);
    }
    this.sectorCount = size / SECTOR_SIZE;
  }

  static open(imagePath: string, options: DiskImageOptions): FileDisk {
    if (!Number.isSafeInteger(options.sectors) || options.sectors <= 0) throw new RangeError(`a disk needs a positive number of sectors, got ${options.sectors}`);
    const dir = path.dirname(imagePath);
    fs.mkdirSync(dir, { recursive: true });
    const releaseLock = lock(imagePath);
    let imageFd: number | undefined;
    let journalFd: number | undefined;
    try {
      if (!fs.existsSync(imagePath)) createImage(imagePath, options.sectors, options.initialize);
      imageFd = fs.openSync(imagePath, 'r+');
      journalFd = fs.openSync(`${imagePath}.journal`, fs.existsSync(`${imagePath}.journal`) ? 'r+' : 'w+');
      const disk = new FileDisk(imagePath, imageFd, journalFd, releaseLock, options.journalLimit ?? JOURNAL_LIMIT);
      disk.replayJournal();
      disk.checkpoint();
      return disk;
    } catch (e) {
      if (journalFd !== undefined) fs.closeSync(journalFd);
      if (imageFd !== undefined) fs.closeSync(imageFd);
      releaseLock();
      throw e;
    }
  }

  readSectors(lba: number, count: number): Uint8Array {
    this.check(lba, count);
    const out = new Uint8Array(count * SECTOR_SIZE);
    readFully(this.imageFd, out, lba * SECTOR_SIZE);
    if (this.overlay.size) {
      for (let i = 0; i < count; i++) {
        const journaled = this.overlay.get(lba + i);
        if (journaled) out.set(journaled, i * SECTOR_SIZE);
      }
    }
    return out;
  }

  writeSectors(lba: number, data: Uint8Array): void {
    if (data.length % SECTOR_SIZE !== 0 || data.length === 0) throw new RangeError(`disk writes are whole sectors; got ${data.length} bytes`);
    const count = data.length / SECTOR_SIZE;
    this.check(lba, count);
    const record = encodeRecord(this.nextSeq, lba, data);
    try {
      writeFully(this.journalFd, record, this.journalBytes);
    } catch (e) {
      // A partial record would end the journal early on the next open: cut it off now.
      try { fs.ftruncateSync(this.journalFd, this.journalBytes); } catch { /* the open-time check drops it anyway */ }
      throw e;
    }
    this.journalBytes += record.length;
    this.nextSeq++;
    for (let i = 0; i < count; i++) this.overlay.set(lba + i, data.slice(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE));
    if (this.journalBytes > this.journalLimit) this.checkpoint();
  }

  flush(): void {
    this.checkOpen();
    fs.fdatasyncSync(this.journalFd);
  }

  /** Checkpoints, closes the files and releases the lock. The disk cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    try {
      this.checkpoint();
    } finally {
      this.closed = true;
      fs.closeSync(this.journalFd);
      fs.closeSync(this.imageFd);
      this.releaseLock();
    }
  }

  /** Bytes in the journal now (its header included): for tests and diagnostics. */
  get journalSize(): number {
    return this.journalBytes;
  }

  /** Reads every valid record of the journal into the overlay; stops at the first that is not. */
  private replayJournal(): void {
    const size = fs.fstatSync(this.journalFd).size;
    if (size < JOURNAL_HEADER_BYTES) return;
    const journal = new Uint8Array(size);
    readFully(this.journalFd, journal, 0);
    if (!validJournalHeader(journal, this.sectorCount)) return;
    let pos = JOURNAL_HEADER_BYTES;
    let seq = 1;
    for (;;) {
      const rec = decodeRecord(journal, pos, seq, this.sectorCount);
      if (!rec) break;
      for (let i = 0; i < rec.count; i++) {
        const from = rec.dataOffset + i * SECTOR_SIZE;
        this.overlay.set(rec.lba + i, journal.slice(from, from + SECTOR_SIZE));
      }
      pos = rec.dataOffset + rec.count * SECTOR_SIZE;
      seq++;
    }
  }

  /** Writes the overlay into the image, makes it durable, then empties the journal. */
  private checkpoint(): void {
    this.checkOpen();
    if (this.overlay.size) {
      // The journal must be durable before the image changes: it is what repairs a torn image.
      fs.fdatasyncSync(this.journalFd);
      const lbas = [...this.overlay.keys()].sort((a, b) => a - b);
      for (let i = 0; i < lbas.length;) {
        let run = 1;
        while (i + run < lbas.length && lbas[i + run] === lbas[i]! + run && run < 256) run++;
        const chunk = new Uint8Array(run * SECTOR_SIZE);
        for (let j = 0; j < run; j++) chunk.set(this.overlay.get(lbas[i + j]!)!, j * SECTOR_SIZE);
        writeFully(this.imageFd, chunk, lbas[i]! * SECTOR_SIZE);
        i += run;
      }
      fs.fsyncSync(this.imageFd);
      this.overlay.clear();
    }
    this.resetJournal();
  }

  private resetJournal(): void {
    fs.ftruncateSync(this.journalFd, 0);
    const header = new Uint8Array(JOURNAL_HEADER_BYTES);
    header.set(new TextEncoder().encode(JOURNAL_MAGIC), 0);
    const view = new DataView(header.buffer);
    view.setUint32(8, this.sectorCount, true);
    view.setUint32(12, crc32(header.subarray(0, 12)), true);
    writeFully(this.journalFd, header, 0);
    fs.fdatasyncSync(this.journalFd);
    this.journalBytes = JOURNAL_HEADER_BYTES;
    this.nextSeq = 1;
  }

  private check(lba: number, count: number): void {
    this.checkOpen();
    if (!Number.isSafeInteger(lba) || !Number.isSafeInteger(count) || lba < 0 || count < 0 || lba + count > this.sectorCount) {
      throw new RangeError(`sectors ${lba}-${lba + count - 1} lie outside the disk (${this.sectorCount} sectors)`);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`the disk image ${this.imagePath} is closed`);
  }
}

/**
 * A new image (sparse, then `initialize`d), built under a temporary name and renamed into place
 * once complete and durable: a crash never leaves an image without its initial contents.
 */
function createImage(imagePath: string, sectors: number, initialize: ((disk: DiskBacking) => void) | undefined): void {
  const tmp = `${imagePath}.tmp`;
  const fd = fs.openSync(tmp, 'w+');
  try {
    fs.ftruncateSync(fd, sectors * SECTOR_SIZE);
    initialize?.({
      sectorCount: sectors,
      readSectors: (lba, count) => { const out = new Uint8Array(count * SECTOR_SIZE); readFully(fd, out, lba * SECTOR_SIZE); return out; },
      writeSectors: (lba, data) => writeFully(fd, data, lba * SECTOR_SIZE),
      flush: () => undefined,
    });
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // A journal of an image that no longer exists must not be replayed onto the new one.
  fs.rmSync(`${imagePath}.journal`, { force: true });
  fs.renameSync(tmp, imagePath);
  syncDirectory(path.dirname(imagePath));
}

/** Makes a rename in `dir` durable (where the platform allows fsync on a directory). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open or fsync a directory; NTFS journals the rename itself.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Takes NAME.img.lock for this process; returns its release. */
function lock(imagePath: string): () => void {
  const lockPath = `${imagePath}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      return () => { try { fs.rmSync(lockPath, { force: true }); } catch { /* already gone */ } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const owner = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) throw new DiskImageBusyError(imagePath, owner);
      // Left behind by a process that died: take it over.
      fs.rmSync(lockPath, { force: true });
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function validJournalHeader(journal: Uint8Array, sectorCount: number): boolean {
  if (new TextDecoder().decode(journal.subarray(0, 8)) !== JOURNAL_MAGIC) return false;
  const view = new DataView(journal.buffer, journal.byteOffset, JOURNAL_HEADER_BYTES);
  return view.getUint32(12, true) === crc32(journal.subarray(0, 12)) && view.getUint32(8, true) === sectorCount;
}

/** magic, seq, lba, count, crc32 (of seq, lba, count and the data), reserved; then the sectors. */
function encodeRecord(seq: number, lba: number, data: Uint8Array): Uint8Array {
  const record = new Uint8Array(RECORD_HEADER_BYTES + data.length);
  const view = new DataView(record.buffer);
  view.setUint32(0, RECORD_MAGIC, true);
  view.setUint32(4, seq, true);
  view.setUint32(8, lba, true);
  view.setUint32(12, data.length / SECTOR_SIZE, true);
  record.set(data, RECORD_HEADER_BYTES);
  view.setUint32(16, recordChecksum(record.subarray(4, 16), data), true);
  return record;
}

function decodeRecord(journal: Uint8Array, pos: number, seq: number, sectorCount: number): { lba: number; count: number; dataOffset: number } | undefined {
  if (pos + RECORD_HEADER_BYTES > journal.length) return undefined;
  const view = new DataView(journal.buffer, journal.byteOffset + pos, RECORD_HEADER_BYTES);
  if (view.getUint32(0, true) !== RECORD_MAGIC || view.getUint32(4, true) !== seq) return undefined;
  const lba = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const dataOffset = pos + RECORD_HEADER_BYTES;
  if (count === 0 || lba + count > sectorCount || dataOffset + count * SECTOR_SIZE > journal.length) return undefined;
  const data = journal.subarray(dataOffset, dataOffset + count * SECTOR_SIZE);
  if (view.getUint32(16, true) !== recordChecksum(journal.subarray(pos + 4, pos + 16), data)) return undefined;
  return { lba, count, dataOffset };
}

function recordChecksum(fields: Uint8Array, data: Uint8Array): number {
  return crc32(data, crc32(fields));
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = fs.readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

function writeFully(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, position + done);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib's), continuing from `crc`. */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
