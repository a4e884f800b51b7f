#!/usr/bin/env node
// The DriverLab command line. The TypeScript sources are built into dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main', 'cli', 'driverlab.js');
if (!existsSync(entry)) {
  console.error('driverlab: not built yet; run "npm run build" in ' + root);
  process.exit(2);
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
