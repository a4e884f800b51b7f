// tee: copy standard input to standard output and to files. Every chunk read is passed on
// with one write() per output, so a /proc or device write handler sees what echo wrote.
import type { Proc } from '../../libc.js';
import { O_APPEND, O_CREAT, O_TRUNC, O_WRONLY } from '../../libc.js';
import { Tool, ignoreSysError, errorText, quoteIfNeeded, type LongOption } from './common.js';

const HELP = `Usage: PROG [OPTION]... [FILE]...
Copy standard input to each FILE, and also to standard output.

  -a, --append              append to the given FILEs, do not overwrite
  -i, --ignore-interrupts   ignore interrupt signals
  -p                        operate in a more appropriate MODE with pipes
      --help        display this help and exit
      --version     output version information and exit
`;

const LONGS: LongOption[] = [
  { name: 'append', key: 'a' },
  { name: 'ignore-interrupts', key: 'i' },
  { name: 'output-error', key: 'p', arg: 'optional' },
];

/** The chunk size GNU tee reads with (BUFSIZ). */
const CHUNK = 8192;

export async function tee(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'tee', HELP);
  const parsed = await t.parse(argv, 'aip', LONGS);
  if (typeof parsed === 'number') return parsed;
  const append = parsed.options.some((o) => o.key === 'a');
  const outputs: { name: string; fd: number }[] = [{ name: 'standard output', fd: 1 }];
  for (const name of parsed.operands) {
    try {
      const fd = name === '-' ? 1 : await p.open(name, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o666);
      outputs.push({ name, fd });
    } catch (e) {
      await t.error(`${quoteIfNeeded(name)}: ${errorText(e)}`);
    }
  }
  try {
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = await p.read(0, CHUNK);
      } catch (e) {
        await t.error(`read error: ${errorText(e)}`);
        break;
      }
      if (chunk.length === 0) break;
      for (let i = 0; i < outputs.length; i++) {
        const out = outputs[i]!;
        try {
          await p.write(out.fd, chunk);
        } catch (e) {
          // A failed output is reported once and dropped; the others go on.
          await t.error(`${quoteIfNeeded(out.name)}: ${errorText(e)}`);
          outputs.splice(i--, 1);
          if (out.fd > 2) await ignoreSysError(p.close(out.fd));
        }
      }
      if (!outputs.length) break;
    }
  } finally {
    for (const out of outputs) {
      if (out.fd <= 2) continue;
      try {
        await p.close(out.fd);
      } catch (e) {
        await t.error(`${quoteIfNeeded(out.name)}: ${errorText(e)}`);
      }
    }
  }
  return t.status;
}
