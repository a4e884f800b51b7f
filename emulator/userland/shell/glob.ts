// Pathname expansion over any file system that can list a directory: the usual way to implement
// ExpandContext.glob. Patterns are matched one `/`-separated component at a time (so `*` never
// crosses a `/`), names starting with `.` match only a pattern that starts with `.`, and results
// come back sorted.

import { hasGlobMagic, matchPattern, unescapeGlob } from './pattern.js';

/** The names in a directory (without `.` and `..`), or null if the path is not a readable directory. */
export type ReadDir = (path: string) => Promise<string[] | null>;

function joinPath(prefix: string, name: string): string {
  if (prefix === '') return name;
  return prefix.endsWith('/') ? prefix + name : `${prefix}/${name}`;
}

/** The absolute directory a candidate prefix (as it will be printed) refers to. */
function resolve(prefix: string, cwd: string): string {
  if (prefix.startsWith('/')) return prefix;
  return prefix === '' ? cwd : joinPath(cwd, prefix);
}

/** Paths matching `pattern` (relative ones relative to `cwd`, and printed relative), sorted. */
export async function globPaths(pattern: string, cwd: string, readdir: ReadDir): Promise<string[]> {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/');
  if (absolute) segments.shift();
  let candidates = [absolute ? '/' : ''];
  let afterMagic = false;
  for (let i = 0; i < segments.length && candidates.length > 0; i++) {
    const segment = segments[i] as string;
    const last = i === segments.length - 1;
    const next: string[] = [];
    if (segment === '') {
      // `dir//x` is `dir/x`; a trailing `/` keeps only directories.
      if (!last) continue;
      for (const candidate of candidates) {
        if ((await readdir(resolve(candidate, cwd))) !== null) next.push(`${candidate}/`);
      }
    } else if (!hasGlobMagic(segment)) {
      const name = unescapeGlob(segment);
      for (const candidate of candidates) {
        const mustCheck = (afterMagic || last) && name !== '.' && name !== '..';
        if (!mustCheck || (await readdir(resolve(candidate, cwd)))?.includes(name)) next.push(joinPath(candidate, name));
      }
    } else {
      afterMagic = true;
      const showHidden = segment.startsWith('.') || segment.startsWith('\\.');
      for (const candidate of candidates) {
        const names = (await readdir(resolve(candidate, cwd))) ?? [];
        for (const name of [...names].sort()) {
          if (name.startsWith('.') && !showHidden) continue;
          if (matchPattern(segment, name)) next.push(joinPath(candidate, name));
        }
      }
    }
    candidates = next;
  }
  return candidates.sort();
}
