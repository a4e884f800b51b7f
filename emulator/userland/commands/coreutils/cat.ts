// cat: concatenate files to standard output.
import { SysError, type Proc } from '../../libc.js';
import { ignoreSysError } from './common.js';

export async function cat(p: Proc, argv: string[]): Promise<number> {
  const files = argv.slice(1).filter((a) => a === '-' || !a.startsWith('-'));
  let status = 0;
  for (const f of files.length ? files : ['-']) {
    let fd = 0;
    try {
      if (f !== '-') {
        fd = await p.open(f);
        if ((await p.fstat(fd)).isDir) { await p.close(fd); await p.err(`cat: ${f}: Is a directory\n`); status = 1; continue; }
      }
      for (;;) {
        const chunk = await p.read(fd, 65536);
        if (chunk.length === 0) break;
        await p.write(1, chunk);
      }
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await p.err(`cat: ${f}: ${e.message}\n`);
      status = 1;
    } finally {
      if (fd !== 0) await ignoreSysError(p.close(fd));
    }
  }
  return status;
}
