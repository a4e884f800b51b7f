// sync: the kernel writes what it caches to the disks (sync(2)); with FILE operands, only those
// files (fsync) or their file systems (-f, syncfs), as GNU sync does.
import { O_NONBLOCK } from '../../../kernel/fs/types.js';
import { O_RDONLY, O_WRONLY, SysError, type Proc } from '../../libc.js';
import { Tool, errorText, ignoreSysError, quoteAlways, type LongOption } from './common.js';

const HELP = `Usage: PROG [OPTION] [FILE]...
Synchronize cached writes to persistent storage

If one or more files are specified, sync only them,
or their containing file systems.

  -d, --data             sync only file data, no unneeded metadata
  -f, --file-system      sync the file systems that contain the files
      --help        display this help and exit
      --version     output version information and exit
`;

const LONGS: LongOption[] = [{ name: 'data', key: 'd' }, { name: 'file-system', key: 'f' }];

export async function sync(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'sync', HELP);
  const parsed = await t.parse(argv, 'df', LONGS);
  if (typeof parsed === 'number') return parsed;
  const data = parsed.options.some((o) => o.key === 'd');
  const fileSystem = parsed.options.some((o) => o.key === 'f');
  if (data && fileSystem) return t.usage('cannot specify both --data and --file-system');
  if (data && !parsed.operands.length) return t.usage('--data needs at least one argument');
  if (!parsed.operands.length) {
    await p.sync();
    return 0;
  }
  for (const name of parsed.operands) {
    let fd: number;
    try {
      fd = await p.open(name, O_RDONLY | O_NONBLOCK);
    } catch (e) {
      // A file that cannot be read may still be writable (GNU retries with O_WRONLY).
      try {
        fd = await p.open(name, O_WRONLY | O_NONBLOCK);
      } catch {
        await t.error(`error opening ${quoteAlways(name)}: ${errorText(e)}`);
        continue;
      }
    }
    try {
      if (fileSystem) await p.syncfs(fd);
      else await p.fsync(fd);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await t.error(`error syncing ${quoteAlways(name)}: ${errorText(e)}`);
    } finally {
      await ignoreSysError(p.close(fd));
    }
  }
  return t.status;
}
