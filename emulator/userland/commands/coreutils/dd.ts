// dd: copies blocks from one file to another, which is how a disk is read or written raw
// (`dd if=/dev/hda of=/dev/hdc`, the 1998 article's disk copy). GNU dd's operands (if= of= bs=
// ibs= obs= count= skip= seek= conv= status=), its record counts and its transfer line on
// stderr; the time is the machine's (virtual) time, so a run prints the same numbers every time.
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, SysError, type Proc } from '../../libc.js';
import { SEEK_CUR } from '../../../kernel/fs/types.js';
import { Tool, concatBytes, errorText, ignoreSysError, quoteAlways } from './common.js';

const HELP = `Usage: PROG [OPERAND]...
  or:  PROG OPTION
Copy a file, converting and formatting according to the operands.

  bs=BYTES        read and write up to BYTES bytes at a time (default: 512);
                  overrides ibs and obs
  conv=CONVS      convert the file as per the comma separated symbol list
  count=N         copy only N input blocks
  ibs=BYTES       read up to BYTES bytes at a time (default: 512)
  if=FILE         read from FILE instead of stdin
  obs=BYTES       write BYTES bytes at a time (default: 512)
  of=FILE         write to FILE instead of stdout
  seek=N          skip N obs-sized output blocks
  skip=N          skip N ibs-sized input blocks
  status=LEVEL    The LEVEL of information to print to stderr;
                  'none' suppresses everything but error messages,
                  'noxfer' suppresses the final transfer statistics,
                  'progress' shows periodic transfer statistics

N and BYTES may be followed by the following multiplicative suffixes:
c=1, w=2, b=512, kB=1000, K=1024, MB=1000*1000, M=1024*1024, xM=M,
GB=1000*1000*1000, G=1024*1024*1024, and so on for T, P, E, Z, Y, R, Q.

Each CONV symbol may be:

  notrunc   do not truncate the output file
  sync      pad every input block with NULs to ibs-size
  fdatasync  physically write output file data before finishing
  fsync     likewise, but also write metadata
`;

interface Operands {
  input?: string;
  output?: string;
  ibs: number;
  obs: number;
  /** bs= was given: every input block is written as it was read. */
  sameBlocks: boolean;
  count?: number;
  skip: number;
  seek: number;
  conv: Set<string>;
  status: 'default' | 'none' | 'noxfer' | 'progress';
}

const CONVS = new Set(['notrunc', 'sync', 'fsync', 'fdatasync', 'noerror']);

export async function dd(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'dd', HELP);
  if (argv[1] === '--help') { await p.out(t.helpText()); return 0; }
  if (argv[1] === '--version') { await p.out(t.versionText()); return 0; }
  const ops = await parseOperands(t, argv.slice(1));
  if (typeof ops === 'number') return ops;

  let inFd = 0, outFd = 1;
  try {
    if (ops.input !== undefined) inFd = await p.open(ops.input, O_RDONLY);
  } catch (e) {
    await t.error(`failed to open ${quoteAlways(ops.input!)}: ${errorText(e)}`);
    return 1;
  }
  try {
    if (ops.output !== undefined) outFd = await p.open(ops.output, O_WRONLY | O_CREAT | (ops.conv.has('notrunc') || ops.seek ? 0 : O_TRUNC), 0o666);
  } catch (e) {
    await t.error(`failed to open ${quoteAlways(ops.output!)}: ${errorText(e)}`);
    return 1;
  }
  const inName = ops.input ?? 'standard input';
  const outName = ops.output ?? 'standard output';
  const start = p.kernel.clock.now;
  const stats = { fullIn: 0, partIn: 0, fullOut: 0, partOut: 0, bytes: 0 };
  let status = 0;

  const writeBlock = async (block: Uint8Array): Promise<boolean> => {
    try {
      await p.write(outFd, block);
    } catch (e) {
      await t.error(`error writing ${quoteAlways(outName)}: ${errorText(e)}`);
      return false;
    }
    if (block.length === ops.obs) stats.fullOut++; else stats.partOut++;
    stats.bytes += block.length;
    return true;
  };

  try {
    if (ops.skip) await skipInput(p, inFd, ops.skip, ops.ibs);
    if (ops.seek) await p.lseek(outFd, ops.seek * ops.obs, 0);
  } catch (e) {
    await t.error(`${ops.skip ? `${quoteAlways(inName)}: cannot skip` : `${quoteAlways(outName)}: cannot seek`}: ${errorText(e)}`);
    return 1;
  }

  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  copy: for (let blocks = 0; ops.count === undefined || blocks < ops.count; blocks++) {
    let block: Uint8Array;
    try {
      block = await p.read(inFd, ops.ibs);
    } catch (e) {
      await t.error(`error reading ${quoteAlways(inName)}: ${errorText(e)}`);
      status = 1;
      break;
    }
    if (block.length === 0) break;
    if (block.length === ops.ibs) stats.fullIn++; else stats.partIn++;
    if (ops.conv.has('sync') && block.length < ops.ibs) block = concatBytes([block, new Uint8Array(ops.ibs - block.length)]);
    if (ops.sameBlocks) {
      if (!await writeBlock(block)) { status = 1; break; }
      continue;
    }
    pending.push(block);
    pendingBytes += block.length;
    while (pendingBytes >= ops.obs) {
      const all = concatBytes(pending);
      if (!await writeBlock(all.subarray(0, ops.obs))) { status = 1; break copy; }
      pending = [all.subarray(ops.obs)];
      pendingBytes -= ops.obs;
    }
  }
  if (status === 0 && pendingBytes > 0 && !await writeBlock(concatBytes(pending))) status = 1;
  if (status === 0 && (ops.conv.has('fsync') || ops.conv.has('fdatasync'))) {
    try {
      await p.fsync(outFd);
    } catch (e) {
      await t.error(`fsync failed for ${quoteAlways(outName)}: ${errorText(e)}`);
      status = 1;
    }
  }
  if (ops.input !== undefined) await ignoreSysError(p.close(inFd));
  if (ops.output !== undefined) {
    try {
      await p.close(outFd);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await t.error(`closing output file ${quoteAlways(outName)}: ${errorText(e)}`);
      status = 1;
    }
  }
  if (ops.status !== 'none') {
    let report = `${stats.fullIn}+${stats.partIn} records in\n${stats.fullOut}+${stats.partOut} records out\n`;
    if (ops.status !== 'noxfer') report += transferLine(stats.bytes, p.kernel.clock.now - start);
    await p.err(report);
  }
  return Math.max(status, t.status);
}

async function parseOperands(t: Tool, args: string[]): Promise<Operands | number> {
  const ops: Operands = { ibs: 512, obs: 512, sameBlocks: false, skip: 0, seek: 0, conv: new Set(), status: 'default' };
  let bs: number | undefined;
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) return t.usage(`unrecognized operand ${quoteAlways(arg)}`);
    const key = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    const number = (positive: boolean): number | undefined => {
      const n = parseDdNumber(value);
      return n === undefined || (positive && n === 0) ? undefined : n;
    };
    switch (key) {
      case 'if': ops.input = value; break;
      case 'of': ops.output = value; break;
      case 'bs': case 'ibs': case 'obs': case 'count': case 'skip': case 'seek': {
        const n = number(key.endsWith('bs'));
        if (n === undefined) {
          await t.warn(`invalid number: ${quoteAlways(value)}`);
          return 1;
        }
        if (key === 'bs') bs = n;
        else if (key === 'ibs') ops.ibs = n;
        else if (key === 'obs') ops.obs = n;
        else ops[key] = n;
        break;
      }
      case 'conv':
        for (const c of value.split(',')) {
          if (!CONVS.has(c)) { await t.warn(`invalid conversion: ${quoteAlways(c)}`); return t.tryHelp(); }
          ops.conv.add(c);
        }
        break;
      case 'status':
        if (value !== 'none' && value !== 'noxfer' && value !== 'progress') { await t.warn(`invalid status level: ${quoteAlways(value)}`); return t.tryHelp(); }
        ops.status = value;
        break;
      default:
        return t.usage(`unrecognized operand ${quoteAlways(arg)}`);
    }
  }
  if (bs !== undefined) { ops.ibs = ops.obs = bs; ops.sameBlocks = true; }
  return ops;
}

/** A dd number: digits, an optional multiplier suffix, and products with x (2x512). */
function parseDdNumber(text: string): number | undefined {
  let product = 1;
  for (const part of text.split('x')) {
    const m = /^(\d+)(c|w|b|kB|KB|K|k|KiB|MB|M|MiB|GB|G|GiB|TB|T|TiB)?$/.exec(part);
    if (!m) return undefined;
    const unit = m[2] ?? '';
    const scale: Record<string, number> = {
      '': 1, c: 1, w: 2, b: 512, kB: 1000, KB: 1000, K: 1024, k: 1024, KiB: 1024, MB: 1e6, M: 1024 ** 2, MiB: 1024 ** 2,
      GB: 1e9, G: 1024 ** 3, GiB: 1024 ** 3, TB: 1e12, T: 1024 ** 4, TiB: 1024 ** 4,
    };
    product *= Number(m[1]) * scale[unit]!;
  }
  return Number.isSafeInteger(product) ? product : undefined;
}

/** skip=: seeks a seekable input, reads and discards from anything else. */
async function skipInput(p: Proc, fd: number, blocks: number, ibs: number): Promise<void> {
  try {
    await p.lseek(fd, blocks * ibs, SEEK_CUR);
    return;
  } catch (e) {
    if (!(e instanceof SysError) || e.errno !== 29) throw e;
  }
  for (let i = 0; i < blocks; i++) if ((await p.read(fd, ibs)).length === 0) return;
}

/** The last line: "N bytes (SI, IEC) copied, T s, RATE/s", with GNU's human_readable rounding. */
function transferLine(bytes: number, elapsedNs: number): string {
  const si = humanReadable(bytes, 1000);
  const iec = humanReadable(bytes, 1024);
  const seconds = elapsedNs / 1e9;
  const rate = elapsedNs > 0 ? `${humanReadable(bytes / seconds, 1000)}/s` : 'Infinity B/s';
  const time = `${formatG(seconds)} s`;
  if (!/[kMGT]/.test(si)) return `${bytes} byte${bytes === 1 ? '' : 's'} copied, ${time}, ${rate}\n`;
  if (!/[KMGT]i/.test(iec)) return `${bytes} bytes (${si}) copied, ${time}, ${rate}\n`;
  return `${bytes} bytes (${si}, ${iec}) copied, ${time}, ${rate}\n`;
}

/** gnulib human_readable with autoscale and rounding to nearest: "512 B", "1.0 kB", "33 MB", "1.0 KiB". */
function humanReadable(n: number, base: 1000 | 1024): string {
  const prefixes = base === 1000 ? ['k', 'M', 'G', 'T', 'P'] : ['Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  if (n < base) return `${Math.round(n)} B`;
  let v = n;
  let i = -1;
  while (v >= base && i < prefixes.length - 1) { v /= base; i++; }
  if (v < 10) {
    const tenths = Math.round(v * 10) / 10;
    if (tenths < 10) return `${tenths.toFixed(1)} ${prefixes[i]}B`;
  }
  const whole = Math.round(v);
  if (whole >= base && i < prefixes.length - 1) return `1.0 ${prefixes[i + 1]}B`;
  return `${whole} ${prefixes[i]}B`;
}

/** printf's %g: six significant digits, no trailing zeros. */
function formatG(x: number): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    const [mant, e] = x.toExponential(5).split('e');
    return `${mant!.replace(/\.?0+$/, '')}e${e!.startsWith('-') ? '-' : '+'}${e!.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return x.toFixed(Math.max(0, 5 - exp)).replace(/\.?0+$/, '');
}
