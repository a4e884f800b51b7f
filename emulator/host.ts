// The host interface: everything the emulator needs from the world outside the
// virtual PC. emulator/ is pure TypeScript (ARCHITECTURE.md, "Dependency rule");
// main/ and the CLI implement this with Node's fs and the clang WebAssembly.

/** A file tree passed to and returned from the compiler: path -> contents. */
export type FileTree = { [name: string]: FileTree | string | Uint8Array };

export interface CompileResult {
  /** Exit status of the tool: 0 on success. */
  status: number;
  /** What the tool printed on stderr (clang's diagnostics, exactly as printed). */
  stderr: string;
  stdout: string;
  /** Files produced by the run (outputs only). */
  outputs: Map<string, Uint8Array>;
}

/** clang and wasm-ld, loaded once per process and kept warm. */
export interface HostCompiler {
  /** Runs `clang args...` (args[0] is not "clang") in a private virtual directory holding `files`. */
  clang(args: string[], files: FileTree): Promise<CompileResult>;
  /** Runs `wasm-ld args...` in a private virtual directory holding `files`. */
  wasmLd(args: string[], files: FileTree): Promise<CompileResult>;
  /**
   * binaryen's Asyncify pass: C code that calls one of `imports` ("module.name")
   * can then suspend in the middle of a call and be resumed later
   * (ARCHITECTURE.md decision 3). Custom sections and function names are kept.
   * With `tick` ("module.name"), loops and function entries also become
   * preemption points: they spend the exported `__dl_fuel` counter and call
   * that import, which may suspend the code too, when it runs out.
   * With `kernel` (kernel modules), loads and stores that could touch the
   * NULL page or a wild address, and a C stack growing past its limit, trap
   * with the details in exported globals (emulator/wasm/faults.ts), and the
   * source lines of the code (from its DWARF) are kept as a source map in
   * the DRIVERLAB_LINES custom section (emulator/wasm/source-map.ts).
   */
  asyncify(wasm: Uint8Array, imports: string[], tick?: string, kernel?: boolean): Promise<Uint8Array>;
}

export interface HostStat {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mode: number;
  mtimeMs: number;
}

/**
 * A host directory mounted into the machine (the learner's workspace at /home/lab).
 * Paths are relative to the mount root, '/'-separated, never containing '..'.
 * Every write reaches the host file system before the call returns: no drill can
 * lose the learner's code.
 */
export interface HostDirectory {
  stat(path: string): HostStat | undefined;
  readdir(path: string): string[];
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array): void;
  mkdir(path: string): void;
  unlink(path: string): void;
  rmdir(path: string): void;
  rename(from: string, to: string): void;
  chmod(path: string, mode: number): void;
}

export interface Host {
  compiler: HostCompiler;
  /** The learner's workspace, mounted at /home/lab; undefined for a machine without one. */
  workspace: HostDirectory | undefined;
  /**
   * Read-only system files shipped with DriverLab, path -> contents: the kernel headers
   * (emulator/include) and the 2.2 kernel source tree (emulator/linux-2.2).
   */
  systemTree(name: 'include' | 'linux-2.2'): Map<string, Uint8Array>;
  /** Wall-clock milliseconds, for safety nets and pacing only, never for virtual time. */
  wallNow(): number;
  /** Waits wall-clock time (real-time pacing of an interactive machine). */
  sleepWall(ms: number): Promise<void>;
}

/** Bytes in one sector of a hard disk (the unit of every ATA transfer). */
export const SECTOR_SIZE = 512;

/**
 * The medium of a virtual hard disk: what the IDE drive (hw/disk/ide.ts) reads
 * and writes, in 512-byte sectors. It belongs to the machine configuration,
 * not to the powered-on machine, so whatever reached it survives a reset; the
 * file-backed one (main/host/disk-image.ts) also survives the app and a crash
 * of its process. Calls are synchronous, like the drive's PIO protocol. A
 * failure throws an Error saying what went wrong on the host; the drive
 * reports it to the kernel as a media error.
 */
export interface DiskBacking {
  /** Size of the disk in sectors. */
  readonly sectorCount: number;
  /** `count` sectors from `lba` on: count * SECTOR_SIZE bytes. */
  readSectors(lba: number, count: number): Uint8Array;
  /** Writes whole sectors from `lba` on (`data.length` is a multiple of SECTOR_SIZE); later reads see them at once. */
  writeSectors(lba: number, data: Uint8Array): void;
  /** FLUSH CACHE: every write so far becomes durable (for a file: it survives a crash of the host too). */
  flush(): void;
}
