// Images of a lab's instructions, read from its folder (labs/<id>/...) and handed to the page
// as data: URLs: the page loads nothing from anywhere (the Content-Security-Policy allows
// images from the app itself and data: only), in Electron and in browser mode alike.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabAsset } from '../ipc/common/contract.js';

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.svg': 'image/svg+xml',
};

/** An image larger than this is not an illustration. */
export const MAX_ASSET_BYTES = 4 * 1024 * 1024;

/** `file` (a relative path the contract's schema has checked) of lab `lab` in `labsDir`. */
export function readLabAsset(labsDir: string, lab: string, file: string): LabAsset {
  const mime = IMAGE_TYPES[path.extname(file).toLowerCase()];
  if (!mime) throw new Error(`${file}: instructions can show PNG, JPEG, GIF, WebP and SVG images only`);
  const labDir = fs.realpathSync(path.join(labsDir, lab));
  let full: string;
  try {
    full = fs.realpathSync(path.join(labDir, file));
  } catch {
    throw new Error(`${file}: no such file in lab '${lab}'`);
  }
  if (!full.startsWith(labDir + path.sep)) throw new Error(`${file}: outside lab '${lab}'`);
  const stat = fs.statSync(full);
  if (!stat.isFile() || stat.size > MAX_ASSET_BYTES) throw new Error(`${file}: not an image file of at most ${MAX_ASSET_BYTES / 1024 / 1024} MB`);
  return { mime, base64: fs.readFileSync(full).toString('base64') };
}
