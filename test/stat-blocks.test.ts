// st_blocks and st_blksize come from the file system: on the ext2 root what the inode holds
// (a sparse file holds less than its size, as the programs' files do), in memory whole pages.
// ls -s, ls -l's total, stat and df then agree with each other and with e2fsck.
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

describe('blocks as the file system counts them', () => {
  it('on ext2: a sparse file holds one block, a written one its size, and the IO block is the fs block', async () => {
    const { output } = await runSh([
      'dd if=/dev/zero of=/tmp/full bs=1024 count=40 2>/dev/null',
      'dd if=/dev/zero of=/tmp/sparse bs=1024 seek=99 count=1 2>/dev/null',
      'stat -c "%n %s %b %B %o" /tmp/full /tmp/sparse /home/lab/x',
      'ls -1s /tmp/full /tmp/sparse',
    ].join('\n'), { files: { x: 'hello\n' } });
    // 40 data blocks + 1 indirect block on a 1 KiB-block ext2: 82 sectors; the sparse file's one
    // block past 12 direct ones needs its indirect block too.
    expect(output).toBe('/tmp/full 40960 82 512 1024\n/tmp/sparse 102400 4 512 1024\n/home/lab/x 6 8 512 4096\n' +
      '41 /tmp/full\n 2 /tmp/sparse\n');
  });

  it("the installed programs' files are small on the disk, whatever size they show", async () => {
    const { output } = await runSh('stat -c "%s %b" /bin/cat; ls -s /bin/cat');
    const [size, sectors] = output.split('\n')[0]!.split(' ').map(Number);
    expect(size).toBeGreaterThan(10_000);
    expect(sectors).toBeLessThanOrEqual(4);
    expect(output.split('\n')[1]).toBe(`${Math.ceil(sectors! / 2)} /bin/cat`);
  });
});
