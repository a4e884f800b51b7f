// ext2's figures: mounting the disk and reading a 1 MiB file through the file
// operations (what `cat` costs after boot), and a full e2fsck of a 16 MiB disk.
import { MemoryBlockIo } from '../emulator/kernel/fs/ext2/mem-blockio.js';
import { mke2fs } from '../emulator/kernel/fs/ext2/mkfs.js';
import { Ext2Fs } from '../emulator/kernel/fs/ext2/super.js';
import { e2fsck } from '../emulator/kernel/fs/ext2/e2fsck/e2fsck.js';
import { O_RDONLY, O_RDWR, type OpenFile } from '../emulator/kernel/fs/types.js';
import { median, type Row } from './stats.js';

const MiB = 1 << 20;

export function benchExt2(runs = 20): Row[] {
  const disk = new Uint8Array(16 * MiB);
  mke2fs(new MemoryBlockIo(disk), { now: 1_700_000_000 });
  const user = new Uint8Array(MiB);
  const ctx = {
    now: () => 1_700_000_100e9,
    toUser: (at: number, src: Uint8Array) => { user.set(src, at); return 0; },
    fromUser: (at: number, len: number) => user.slice(at, at + len),
  };
  const mount = () => new Ext2Fs(new MemoryBlockIo(disk), ctx, () => {}, 0x301, { deviceName: 'hda1' });
  const open = (fs: Ext2Fs, name: string, flags: number): OpenFile => {
    const inode = fs.root.dirOps!.lookup(fs.root, name) ?? fs.root.dirOps!.create!(fs.root, name, 0o644, 0, 0);
    const file: OpenFile = { inode, path: `/${name}`, flags, fmode: 3, pos: 0, fops: inode.fops, refs: 1 };
    inode.fops.open!(inode, file);
    return file;
  };
  const setup = mount();
  for (let i = 0; i < user.length; i++) user[i] = i & 0xff;
  const w = open(setup, 'big', O_RDWR);
  w.fops.write!(w, 0, MiB);
  for (let i = 0; i < 300; i++) {
    const f = open(setup, `file${i}`, O_RDWR);
    f.fops.write!(f, 0, 4000);
  }
  setup.unmount();

  const readTimes: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const fs = mount();
    const f = open(fs, 'big', O_RDONLY);
    if (f.fops.read!(f, 0, MiB) !== MiB) throw new Error('short read');
    readTimes.push(performance.now() - t);
    fs.unmount();
  }
  const fsckTimes: number[] = [];
  for (let r = 0; r < 5; r++) {
    const copy = disk.slice();
    const t = performance.now();
    const result = e2fsck(new MemoryBlockIo(copy), { mode: 'yes', force: true, deviceName: '/dev/hda1', now: 1_700_000_200 });
    fsckTimes.push(performance.now() - t);
    if (result.exitCode !== 0) throw new Error(result.output);
  }
  return [
    { name: 'mount ext2 and read a 1 MiB file', value: `${median(readTimes).toFixed(1)} ms`, target: 'a few ms', runs: readTimes.length },
    { name: 'e2fsck -f of a 16 MiB disk, 301 files', value: `${median(fsckTimes).toFixed(1)} ms`, runs: fsckTimes.length },
  ];
}
