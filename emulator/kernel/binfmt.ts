// The programs built into DriverLab (the shell, coreutils, insmod, make, gcc, lilo...) are
// TypeScript, but on the machine's disk each is a file like any program: /bin/ls is an executable
// file that `ls -l` lists with a size, `cp` copies and an editor can ruin. Its first line names
// the built-in ("#!driverlab-builtin ls"); exec recognises that magic, as binfmt_misc recognises
// a registered format by its first bytes, and runs the built-in of that name. The rest of the
// file is a hole up to the size such a binary had, so the disk spends one block on it.
//
// A copy runs the same program (`cp /bin/ls /tmp/x; /tmp/x`); a file whose first line no longer
// names a built-in is not one any more: exec says ENOEXEC (or ENOENT for a name that names
// nothing, as binfmt_misc says when its interpreter is missing), never anything worse.
import type { ExecLoader, Kernel } from './kernel.js';
import { ENOENT, ENOEXEC } from './errno.js';
import { kernelReadFile, kernelWriteFile } from './fs/kernel-io.js';

export const BUILTIN_MAGIC = '#!driverlab-builtin ';
/** The longest first line exec reads to find the built-in's name. */
const HEADER_MAX = 128;

/** The size a binary of this name had (ls -l shows it): deterministic, larger on the modern system, as binaries are. */
export function nominalProgramSize(name: string, personality: 'modern' | '2.2'): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  const kb = personality === '2.2' ? 12 + (h % 36) : 36 + (h % 120);
  return kb * 1024 + ((h >>> 8) % 128) * 8;
}

/** Writes the file of built-in `name` at `path` (0755, root's). */
export function writeBuiltinFile(k: Kernel, path: string, name: string): void {
  const header = new TextEncoder().encode(`${BUILTIN_MAGIC}${name}\n`);
  const inode = kernelWriteFile(k, path, header, { mode: 0o755, uid: 0, gid: 0 });
  inode.truncate?.(Math.max(header.length, nominalProgramSize(name, k.personality)));
}

/** The exec loader of built-ins: the first line names the program. */
export function builtinLoader(k: Kernel): ExecLoader {
  const decoder = new TextDecoder();
  return async (_task, path) => {
    let head: Uint8Array;
    try {
      head = kernelReadFile(k, path, HEADER_MAX);
    } catch {
      return -ENOEXEC;
    }
    const text = decoder.decode(head);
    if (!text.startsWith(BUILTIN_MAGIC)) return -ENOEXEC;
    const end = text.indexOf('\n');
    if (end < 0) return -ENOEXEC;
    const main = k.builtins.get(text.slice(BUILTIN_MAGIC.length, end).trim());
    return main ?? -ENOENT;
  };
}
