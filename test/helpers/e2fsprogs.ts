// The real e2fsprogs as referees for our ext2: images go to a temporary file,
// e2fsck/debugfs/mkfs.ext2 run on it, and their verdicts come back.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const E2FSCK = '/usr/sbin/e2fsck', DEBUGFS = '/usr/sbin/debugfs', MKFS_EXT2 = '/usr/sbin/mkfs.ext2';

export const haveE2fsprogs = [E2FSCK, DEBUGFS, MKFS_EXT2].every((p) => fs.existsSync(p));

/** Why the cross-checks did not run, printed once so a skipped test is never silent. */
export const missingE2fsprogs = `skipped: e2fsprogs not found (${E2FSCK}, ${DEBUGFS}, ${MKFS_EXT2}); ` +
  'install it (apt-get install e2fsprogs) to cross-check ext2 against the real tools';
if (!haveE2fsprogs) console.warn(missingE2fsprogs);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-ext2-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function withImage<T>(image: Uint8Array, run: (file: string) => T): T {
  const file = path.join(dir, `img${counter++}`);
  fs.writeFileSync(file, image);
  try {
    return run(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

export interface ToolResult {
  status: number;
  output: string;
}

/** Runs the real e2fsck on a copy of the image (`-fn` by default: check only, change nothing). */
export function realE2fsck(image: Uint8Array, args: string[] = ['-fn']): ToolResult {
  return withImage(image, (file) => {
    const r = spawnSync(E2FSCK, [...args, file], { encoding: 'utf8', maxBuffer: 1 << 30 });
    return { status: r.status ?? -1, output: (r.stdout + r.stderr).replaceAll(file, 'IMAGE') };
  });
}

/** Runs one debugfs request (`-R`) on a copy of the image; stdout only. */
export function debugfs(image: Uint8Array, request: string): string {
  return withImage(image, (file) => spawnSync(DEBUGFS, ['-R', request, file], { encoding: 'latin1', maxBuffer: 1 << 30 }).stdout);
}

/** A file system made by the real mkfs.ext2 on an image of `blocks` 1 KiB blocks. */
export function realMkfs(blocks: number, args: string[]): Uint8Array {
  const file = path.join(dir, `mkfs${counter++}`);
  fs.writeFileSync(file, new Uint8Array(blocks * 1024));
  const r = spawnSync(MKFS_EXT2, ['-q', '-F', ...args, file, String(blocks)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mkfs.ext2 failed: ${r.stderr}`);
  const image = new Uint8Array(fs.readFileSync(file));
  fs.rmSync(file);
  return image;
}

/** Writes files into an image with debugfs (`write` takes host files). */
export function debugfsWrite(image: Uint8Array, files: Record<string, Uint8Array | string>, dirs: string[] = []): Uint8Array {
  return withImage(image, (file) => {
    const requests: string[] = dirs.map((d) => `mkdir ${d}`);
    for (const [target, content] of Object.entries(files)) {
      const src = path.join(dir, `src${counter++}`);
      fs.writeFileSync(src, content);
      requests.push(`write ${src} ${target}`);
    }
    const script = path.join(dir, `cmds${counter++}`);
    fs.writeFileSync(script, requests.join('\n') + '\n');
    const r = spawnSync(DEBUGFS, ['-w', '-f', script, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`debugfs failed: ${r.stderr}`);
    return new Uint8Array(fs.readFileSync(file));
  });
}

/** What the real mkfs.ext2 prints for an image of `blocks` 1 KiB blocks (the image itself is thrown away). */
export function realMkfsOutput(blocks: number, args: string[]): string {
  const file = path.join(dir, `mkfs${counter++}`);
  fs.writeFileSync(file, new Uint8Array(blocks * 1024));
  const r = spawnSync(MKFS_EXT2, ['-F', ...args, file, String(blocks)], { encoding: 'utf8' });
  fs.rmSync(file);
  // The progress counters erase themselves with backspaces on a terminal: keep what stays on the screen.
  return r.stdout.replaceAll('\u0008', '#').replace(/\d+\/\d+#+\s+#+/g, '');
}
