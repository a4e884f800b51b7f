// The driverlab:// protocol: the built renderer's files, each with the app's security headers.
// Windows load driverlab://app/index.html; file:// is never used (Electron's checklist).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appFileFor, contentType, SECURITY_HEADERS } from '../app/content-security.js';
import { isAppUrl } from './security.js';

/** The response for one request of the app scheme (protocol.handle's handler). */
export function serveAppFile(url: string, rendererDir: string): Response {
  const notFound = () => new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain', ...SECURITY_HEADERS } });
  if (!isAppUrl(url)) return notFound();
  const file = appFileFor(new URL(url).pathname);
  if (!file) return notFound();
  const full = path.join(rendererDir, file);
  let body: Buffer;
  try {
    body = fs.readFileSync(full);
  } catch {
    return notFound();
  }
  return new Response(new Uint8Array(body), { status: 200, headers: { 'Content-Type': contentType(full), ...SECURITY_HEADERS } });
}
