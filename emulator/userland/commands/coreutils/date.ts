// date, and the strftime and date parsing it shares with touch and stat. The lab machine's
// clock is UTC: wall time is the machine's epoch plus virtual time (kernel.wallTimeNs()).
import type { Proc } from '../../libc.js';
import { MONTHS, Tool, WEEKDAYS, errorText, nowNs, pad2, quote, quoteAlways } from './common.js';

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Splits ns since the epoch into a Date (whole seconds) and the nanoseconds within it. */
function split(ns: number): { date: Date; seconds: number; nanos: number } {
  const seconds = Math.floor(ns / 1e9);
  const nanos = Math.min(999_999_999, Math.max(0, Math.round(ns - seconds * 1e9)));
  return { date: new Date(seconds * 1000), seconds, nanos };
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000);
}

/** ISO 8601 week number and week-based year: the week holding the year's first Thursday is 1. */
function isoWeek(d: Date): { week: number; year: number } {
  const weekday = d.getUTCDay() || 7;
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 4 - weekday);
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.ceil(((thursday - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return { week, year };
}

/** strftime in the C locale and UTC, with GNU's flags (- _ 0 ^ #) and field widths. */
export function strftime(format: string, ns: number): string {
  const { date: d, seconds, nanos } = split(ns);
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%' || i + 1 >= format.length) { out += c; continue; }
    const m = /^([-_0^#]*)(\d*)(:{0,3})([a-zA-Z%+])/.exec(format.slice(i + 1));
    if (!m) { out += c; continue; }
    i += m[0].length;
    const [, flags, widthText, colons, conv] = m;
    const hour12 = d.getUTCHours() % 12 || 12;
    // [text, default padding character, default width] for each conversion.
    let value: string;
    let padChar = '0';
    let numeric = true;
    switch (conv) {
      case 'a': value = WEEKDAYS[d.getUTCDay()]!; numeric = false; break;
      case 'A': value = DAY_NAMES[d.getUTCDay()]!; numeric = false; break;
      case 'b': case 'h': value = MONTHS[d.getUTCMonth()]!; numeric = false; break;
      case 'B': value = MONTH_NAMES[d.getUTCMonth()]!; numeric = false; break;
      case 'c': value = strftime('%a %b %e %H:%M:%S %Y', ns); numeric = false; break;
      case 'C': value = pad2(Math.floor(d.getUTCFullYear() / 100)); break;
      case 'd': value = pad2(d.getUTCDate()); break;
      case 'D': value = strftime('%m/%d/%y', ns); numeric = false; break;
      case 'e': value = String(d.getUTCDate()).padStart(2); padChar = ' '; break;
      case 'F': value = strftime('%Y-%m-%d', ns); numeric = false; break;
      case 'g': value = pad2(isoWeek(d).year % 100); break;
      case 'G': value = String(isoWeek(d).year); break;
      case 'H': value = pad2(d.getUTCHours()); break;
      case 'I': value = pad2(hour12); break;
      case 'j': value = String(dayOfYear(d) + 1).padStart(3, '0'); break;
      case 'k': value = String(d.getUTCHours()).padStart(2); padChar = ' '; break;
      case 'l': value = String(hour12).padStart(2); padChar = ' '; break;
      case 'm': value = pad2(d.getUTCMonth() + 1); break;
      case 'M': value = pad2(d.getUTCMinutes()); break;
      case 'n': value = '\n'; numeric = false; break;
      case 'N': value = String(nanos).padStart(9, '0').slice(0, widthText ? Number(widthText) : 9); numeric = false; break;
      case 'p': value = d.getUTCHours() < 12 ? 'AM' : 'PM'; numeric = false; break;
      case 'P': value = d.getUTCHours() < 12 ? 'am' : 'pm'; numeric = false; break;
      case 'r': value = strftime('%I:%M:%S %p', ns); numeric = false; break;
      case 'R': value = strftime('%H:%M', ns); numeric = false; break;
      case 's': value = String(seconds); break;
      case 'S': value = pad2(d.getUTCSeconds()); break;
      case 't': value = '\t'; numeric = false; break;
      case 'T': value = strftime('%H:%M:%S', ns); numeric = false; break;
      case 'u': value = String(d.getUTCDay() || 7); break;
      case 'U': value = pad2(Math.floor((dayOfYear(d) + 7 - d.getUTCDay()) / 7)); break;
      case 'V': value = pad2(isoWeek(d).week); break;
      case 'w': value = String(d.getUTCDay()); break;
      case 'W': value = pad2(Math.floor((dayOfYear(d) + 7 - ((d.getUTCDay() + 6) % 7)) / 7)); break;
      case 'x': value = strftime('%m/%d/%y', ns); numeric = false; break;
      case 'X': value = strftime('%H:%M:%S', ns); numeric = false; break;
      case 'y': value = pad2(d.getUTCFullYear() % 100); break;
      case 'Y': value = String(d.getUTCFullYear()); break;
      case 'z': value = colons === ':' ? '+00:00' : colons === '::' ? '+00:00:00' : colons === ':::' ? '+00' : '+0000'; numeric = false; break;
      case 'Z': value = 'UTC'; numeric = false; break;
      case '%': value = '%'; numeric = false; break;
      default: value = `%${m[0]}`; numeric = false;
    }
    if (conv === 'N') { out += value; continue; }
    if (numeric && flags!.includes('-')) value = value.trimStart().replace(/^0+(?=\d)/, '');
    else if (numeric && flags!.includes('_')) value = value.replace(/^0+(?=\d)/, (z) => ' '.repeat(z.length));
    else if (numeric && flags!.includes('0')) value = value.replace(/^ +/, (s) => '0'.repeat(s.length));
    if (flags!.includes('^')) value = value.toUpperCase();
    else if (flags!.includes('#')) value = value === value.toUpperCase() ? value.toLowerCase() : value.toUpperCase();
    const width = widthText ? Number(widthText) : 0;
    if (value.length < width) {
      const fill = flags!.includes('_') || (padChar === ' ' && !flags!.includes('0')) || !numeric ? ' ' : '0';
      value = fill.repeat(width - value.length) + value;
    }
    out += value;
  }
  return out;
}

/** "2025-01-15 10:30:00.000000000 +0000", as stat shows times. */
export function statTimestamp(ns: number): string {
  const { nanos } = split(ns);
  return `${strftime('%Y-%m-%d %H:%M:%S', ns)}.${String(nanos).padStart(9, '0')} +0000`;
}

/**
 * A date as date -d and touch -d read it: "@SECONDS", ISO 8601 ("2025-01-15 10:30[:00]",
 * "2025-01-15T10:30:00Z"), "now", or what Date.parse understands; times are UTC.
 */
export function parseDate(text: string, now: number): number | undefined {
  const s = text.trim();
  if (s === '' || /^now$/i.test(s) || /^today$/i.test(s)) return now;
  if (/^yesterday$/i.test(s)) return now - 86_400e9;
  if (/^tomorrow$/i.test(s)) return now + 86_400e9;
  const at = /^@(-?\d+(?:\.\d+)?)$/.exec(s);
  if (at) return Number(at[1]) * 1e9;
  const iso = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?\s*(?:Z|UTC|[+-]00:?00)?$/i.exec(s);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = ''] = iso;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
    if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 60) return undefined;
    return ms * 1e6 + Number((frac + '000000000').slice(0, 9));
  }
  const ms = Date.parse(/[a-z]{3}$/i.test(s) || /[+-]\d{4}$/.test(s) ? s : `${s} UTC`);
  return Number.isNaN(ms) ? undefined : ms * 1e6;
}

const DATE_HELP = `Usage: PROG [OPTION]... [+FORMAT]
Display the current time in the given FORMAT.

  -d, --date=STRING          display time described by STRING, not 'now'
  -I[FMT], --iso-8601[=FMT]  output date/time in ISO 8601 format.
                               FMT='date' for date only (the default),
                               'hours', 'minutes', 'seconds', or 'ns'
  -r, --reference=FILE       display the last modification time of FILE
  -R, --rfc-email            output date and time in RFC 5322 format.
                               Example: Mon, 14 Aug 2006 02:34:56 -0600
  -s, --set=STRING           set time described by STRING
  -u, --utc, --universal     print or set Coordinated Universal Time (UTC)
      --help        display this help and exit
      --version     output version information and exit

The machine's clock runs in UTC.
`;

const ISO_FORMATS: Readonly<Record<string, string>> = {
  date: '%Y-%m-%d',
  hours: '%Y-%m-%dT%H%:z',
  minutes: '%Y-%m-%dT%H:%M%:z',
  seconds: '%Y-%m-%dT%H:%M:%S%:z',
  ns: '%Y-%m-%dT%H:%M:%S,%N%:z',
};

export async function date(p: Proc, argv: string[]): Promise<number> {
  const t = new Tool(p, argv, 'date', DATE_HELP);
  const parsed = await t.parse(argv, 'd:f:I::r:Rs:u', [
    { name: 'date', key: 'd', arg: 'required' },
    { name: 'iso-8601', key: 'I', arg: 'optional' },
    { name: 'reference', key: 'r', arg: 'required' },
    { name: 'rfc-email', key: 'R' },
    { name: 'rfc-2822', key: 'R' },
    { name: 'set', key: 's', arg: 'required' },
    { name: 'utc', key: 'u' },
    { name: 'universal', key: 'u' },
  ]);
  if (typeof parsed === 'number') return parsed;
  let format = '%a %b %e %H:%M:%S %Z %Y';
  let when = nowNs(p);
  for (const o of parsed.options) {
    if (o.key === 'd') {
      const v = parseDate(o.value!, when);
      if (v === undefined) { await t.warn(`invalid date ${quote(o.value!)}`); return 1; }
      when = v;
    } else if (o.key === 'r') {
      try {
        when = (await p.stat(o.value!)).mtimeNs;
      } catch (e) {
        await t.warn(`${o.value}: ${errorText(e)}`);
        return 1;
      }
    } else if (o.key === 'R') {
      format = '%a, %d %b %Y %H:%M:%S %z';
    } else if (o.key === 'I') {
      const which = o.value ?? 'date';
      const names = Object.keys(ISO_FORMATS).filter((n) => n.startsWith(which));
      if (names.length !== 1) {
        await p.err(`${t.name}: invalid argument ${quoteAlways(which)} for '--iso-8601'\nValid arguments are:\n  - 'hours'\n  - 'minutes'\n  - 'date'\n  - 'seconds'\n  - 'ns'\n`);
        return t.tryHelp();
      }
      format = ISO_FORMATS[names[0]!]!;
    } else if (o.key === 's') {
      // The virtual clock cannot be set from userland.
      await t.warn('cannot set date: Operation not permitted');
      return 1;
    }
  }
  const operands = parsed.operands;
  if (operands.length > 1) return t.usage(`extra operand ${quote(operands[1]!)}`);
  if (operands.length === 1) {
    if (!operands[0]!.startsWith('+')) {
      await t.warn(`invalid date ${quote(operands[0]!)}`);
      return 1;
    }
    format = operands[0]!.slice(1);
  }
  await p.out(strftime(format, when) + '\n');
  return 0;
}
