import { describe, expect, it } from 'vitest';
import { globPaths } from './glob.js';

const TREE: Readonly<Record<string, string[]>> = {
  '/': ['dev', 'proc', 'home'],
  '/dev': ['null', 'zero', 'my_device0', 'my_device1', '.udev'],
  '/proc': ['hello_proc', 'modules'],
  '/home': ['learner'],
  '/home/learner': ['b.c', 'a.c', 'notes', '.profile', 'lab'],
  '/home/learner/lab': ['hello.c', 'Makefile'],
};

const readdir = async (path: string): Promise<string[] | null> => TREE[path] ?? null;

function glob(pattern: string): Promise<string[]> {
  return globPaths(pattern, '/home/learner', readdir);
}

describe('globPaths', () => {
  it('expands relative patterns relative to the working directory, sorted', async () => {
    expect(await glob('*.c')).toEqual(['a.c', 'b.c']);
    expect(await glob('lab/*')).toEqual(['lab/Makefile', 'lab/hello.c']);
  });

  it('expands absolute patterns and patterns in several components', async () => {
    expect(await glob('/dev/my_device?')).toEqual(['/dev/my_device0', '/dev/my_device1']);
    expect(await glob('/*/hello_proc')).toEqual(['/proc/hello_proc']);
    expect(await glob('/home/*/lab/*.c')).toEqual(['/home/learner/lab/hello.c']);
  });

  it('hides dot files unless the pattern starts with a dot', async () => {
    expect(await glob('/dev/*')).not.toContain('/dev/.udev');
    expect(await glob('.*')).toEqual(['.profile']);
  });

  it('keeps only directories for a trailing slash', async () => {
    expect(await glob('/*/')).toEqual(['/dev/', '/home/', '/proc/']);
  });

  it('returns nothing when nothing matches or a directory is missing', async () => {
    expect(await glob('*.rs')).toEqual([]);
    expect(await glob('missing/*')).toEqual([]);
    expect(await glob('*/Makefile')).toEqual(['lab/Makefile']);
  });
});
