// Writing a check run's workspace snapshot back into a folder, without losing the learner's work:
// a file is overwritten only if its current content is saved in some check run (or --force),
// and files the snapshot does not have are kept and listed, never deleted.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RestorePlan {
  /** Files to create or overwrite. */
  write: string[];
  /** Files already holding the snapshot's content. */
  identical: string[];
  /** Files whose current content no check run saved: overwriting them would lose it. */
  unsaved: string[];
  /** Snapshot files that cannot be written: a folder, or a file where a folder is needed. */
  blocked: { path: string; why: string }[];
  /** Files in the folder the snapshot does not have (kept). */
  extra: string[];
}

function kindOf(p: string): 'file' | 'folder' | 'other' | undefined {
  try {
    const st = fs.statSync(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'folder' : 'other';
  } catch {
    return undefined; // does not exist
  }
}

/** Every regular file under `dir`, as '/'-separated relative paths. */
function listFiles(dir: string, prefix = ''): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, rel) : e.isFile() ? [rel] : [];
  });
}

/**
 * What restoring `files` into `dir` would do. `isSaved` tells whether some check run holds a
 * given content, i.e. whether overwriting a file with it could be undone by another restore.
 */
export function planRestore(files: ReadonlyMap<string, Uint8Array>, dir: string, isSaved: (data: Uint8Array) => boolean): RestorePlan {
  const plan: RestorePlan = { write: [], identical: [], unsaved: [], blocked: [], extra: [] };
  for (const [rel, data] of files) {
    const parts = rel.split('/');
    const full = path.join(dir, ...parts);
    const ancestors = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
    const notFolder = ancestors.find((a) => (kindOf(path.join(dir, a)) ?? 'folder') !== 'folder');
    const kind = kindOf(full);
    if (notFolder !== undefined) plan.blocked.push({ path: rel, why: `${notFolder} is not a folder` });
    else if (kind === undefined) plan.write.push(rel);
    else if (kind !== 'file') plan.blocked.push({ path: rel, why: kind === 'folder' ? 'is a folder' : 'is not a regular file' });
    else {
      const current = fs.readFileSync(full);
      if (Buffer.compare(current, data) === 0) plan.identical.push(rel);
      else {
        plan.write.push(rel);
        if (!isSaved(current)) plan.unsaved.push(rel);
      }
    }
  }
  plan.extra = listFiles(dir).filter((p) => !files.has(p)).sort();
  return plan;
}

/** Writes the planned files; each one atomically (temporary file, then rename), so none is ever half written. */
export function applyRestore(files: ReadonlyMap<string, Uint8Array>, dir: string, plan: RestorePlan): void {
  for (const rel of plan.write) {
    const full = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    const tmp = `${full}.driverlab-restore-${process.pid}`;
    fs.writeFileSync(tmp, files.get(rel)!);
    fs.renameSync(tmp, full);
  }
}
