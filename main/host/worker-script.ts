// Where a worker thread's script is. Worker threads run JavaScript: built, the script sits
// beside the module that starts it; from source (tests run the .ts files) it is the build's
// copy, which `npm test` makes before it tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from './node-host.js';

/** `file` (e.g. 'machine-worker.js') of the folder of the module at `moduleUrl` (its import.meta.url). */
export function workerScript(moduleUrl: string, file: string): string {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.js')) return path.join(path.dirname(here), file);
  const root = packageRoot();
  const built = path.join(root, 'dist', path.relative(root, path.dirname(here)), file);
  if (!fs.existsSync(built)) throw new Error(`${built} is missing: run 'npm run build' first`);
  return built;
}
