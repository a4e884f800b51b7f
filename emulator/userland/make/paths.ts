// '/'-separated path arithmetic for the virtual file system (no node:path in emulator/).

/** Removes `.`, `..`, empty components and a trailing slash from an absolute path. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

/** `name` made absolute against `dir`, normalised. */
export function resolvePath(dir: string, name: string): string {
  return normalizePath(name.startsWith('/') ? name : `${dir}/${name}`);
}

/** The directory part of a file name as $(dir) gives it: up to and including the last '/', or './'. */
export function dirPart(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? './' : name.slice(0, slash + 1);
}

/** The file name without its directory, as $(notdir) gives it. */
export function notdirPart(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** The directory as $(@D) gives it: no trailing slash, '.' for none. */
export function directoryOf(name: string): string {
  const slash = name.lastIndexOf('/');
  if (slash < 0) return '.';
  return slash === 0 ? '/' : name.slice(0, slash);
}

/** Whether a word holds shell glob characters that make expands in rules and $(wildcard). */
export function hasGlobChars(word: string): boolean {
  return /[*?[]/.test(word);
}
