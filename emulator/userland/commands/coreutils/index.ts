// The coreutils-style commands, by name. Each is `(proc, argv) => exit status`.
import type { Program } from '../../libc.js';
import { cat } from './cat.js';

export const COREUTILS: Record<string, Program> = {
  cat,
};
