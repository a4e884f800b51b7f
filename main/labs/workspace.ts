// The learner's workspace on the host: which of its files are the learner's work (saved with
// every check run, copied into the check's machine) and which are build products that make
// makes again; copying a lab's starter into it.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What kbuild, modpost and gcc leave in the workspace: made again by every build. */
const BUILD_OUTPUT = [
  /\.(o|ko|mod|mod\.c|mod\.o|a|cmd|symvers|order|driverlab-tmp)$/,
  /(^|\/)Module\.symvers$/,
  /(^|\/)modules\.order$/,
  /(^|\/)\.tmp_versions(\/|$)/,
];
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Snapshots keep source files, not whatever else a learner drops into the folder. */
const MAX_FILE_BYTES = 1 << 20;
const MAX_FILES = 500;

export function isBuildOutput(rel: string, data?: Uint8Array): boolean {
  if (BUILD_OUTPUT.some((re) => re.test(rel))) return true;
  // gcc's programs (WebAssembly binaries: `test_device`) have no telling name.
  return data !== undefined && data.length >= 4 && WASM_MAGIC.every((b, i) => data[i] === b);
}

export interface WorkspaceFile {
  data: Uint8Array;
  mtimeMs: number;
  mode: number;
}

/**
 * The learner's files in `dir`: relative '/'-separated path -> content, build outputs, hidden
 * files and folders (.git, editor state), symbolic links and oversized files left out.
 */
export function readLearnerFiles(dir: string): Map<string, WorkspaceFile> {
  const out = new Map<string, WorkspaceFile>();
  const walk = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const ent of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.size >= MAX_FILES) return;
      if (ent.name.startsWith('.')) continue;
      const p = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) { walk(p); continue; }
      if (!ent.isFile() || isBuildOutput(p)) continue;
      const full = path.join(dir, p);
      const st = fs.statSync(full);
      if (st.size > MAX_FILE_BYTES) continue;
      const data = new Uint8Array(fs.readFileSync(full));
      if (isBuildOutput(p, data)) continue;
      out.set(p, { data, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777 });
    }
  };
  walk('');
  return out;
}

/** Copies `files` (relative path -> content) into `dir`, creating folders; existing files are overwritten. */
export function writeFiles(dir: string, files: ReadonlyMap<string, Uint8Array>): void {
  for (const [rel, data] of files) {
    const full = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
  }
}

/** Whether `dir` holds anything but hidden files (a workspace the learner has used). */
export function hasFiles(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((n) => !n.startsWith('.'));
  } catch {
    return false;
  }
}
