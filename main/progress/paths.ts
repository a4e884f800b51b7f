// Where DriverLab keeps the learner's data, and the names that may become file names there.
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The data folder: $DRIVERLAB_HOME, else $XDG_DATA_HOME/driverlab, else ~/.local/share/driverlab.
 * The desktop app passes its own folder (Electron's userData) instead.
 */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DRIVERLAB_HOME) return path.resolve(env.DRIVERLAB_HOME);
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  return path.join(xdg, 'driverlab');
}

/** A lab's (or drill's) id: lower-case letters, digits, '-', '_' and '.', as its folder in labs/. */
const LAB_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function isValidLabId(id: unknown): id is string {
  return typeof id === 'string' && LAB_ID.test(id);
}

/** The folder holding a lab's workspace (mounted at /home/lab while the lab runs). */
export function labWorkspaceDir(home: string, labId: string): string {
  if (!isValidLabId(labId)) throw new Error(`'${labId}' is not a lab id`);
  return path.join(home, 'workspaces', labId);
}

/**
 * A workspace file's path as snapshots store it: relative, '/'-separated, without '.', '..' or
 * empty segments. Anything else (from an imported document, say) could write outside the folder.
 */
export function isSafeRelativePath(p: unknown): p is string {
  if (typeof p !== 'string' || p.length === 0 || p.length > 4096) return false;
  if (p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}
