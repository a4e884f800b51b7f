// stty (GNU coreutils 9.4, C locale): the terminal's window size through TIOCGWINSZ and
// TIOCSWINSZ, as a program sees it (`stty size`, `stty rows N cols M`), and the line
// discipline's switches the console tty has (echo, icanon, isig, onlcr). The app's terminal
// sets the window size when its screen is resized; `stty size` is how a learner checks it.
import type { Kernel } from '../../kernel/kernel.js';
import { SysError, type Proc } from '../libc.js';

const TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;

const HELP = `Usage: stty [-F DEVICE | --file=DEVICE] [SETTING]...
  or:  stty [-F DEVICE | --file=DEVICE] [-a|--all]
  or:  stty [-F DEVICE | --file=DEVICE] [-g|--save]
Print or change terminal characteristics.

  -a, --all          print all current settings in human-readable form
      --help        display this help and exit

Settings this terminal has:
   [-]echo       echo input characters
   [-]icanon     enable special characters: erase, kill, werase, rprnt
   [-]isig       enable interrupt, quit, and suspend special characters
   [-]onlcr      translate newline to carriage return-newline
   cols N        tell the kernel that the terminal has N columns
   columns N     same as cols N
   rows N        tell the kernel that the terminal has N rows
   sane          same as echo icanon isig onlcr
   size          print the number of rows and columns according to the kernel
`;

/** The switches of the console's line discipline, by stty's names. */
const SWITCHES = ['echo', 'icanon', 'isig', 'onlcr'] as const;
type Switch = (typeof SWITCHES)[number];

interface WindowSize { rows: number; columns: number }

async function getWindowSize(p: Proc): Promise<WindowSize> {
  const ws = new DataView((await p.ioctlStruct(0, TIOCGWINSZ, new Uint8Array(8))).buffer);
  return { rows: ws.getUint16(0, true), columns: ws.getUint16(2, true) };
}

async function setWindowSize(p: Proc, size: WindowSize): Promise<void> {
  const ws = new DataView(new ArrayBuffer(8));
  ws.setUint16(0, size.rows, true);
  ws.setUint16(2, size.columns, true);
  await p.ioctlStruct(0, TIOCSWINSZ, new Uint8Array(ws.buffer));
}

/** What `stty -a` prints, wrapped at the screen's width as GNU's wrapf() does. */
function describeAll(size: WindowSize, on: (s: Switch) => boolean, width: number): string {
  const flag = (name: string, set: boolean) => (set ? name : `-${name}`);
  const groups = [
    ['speed 38400 baud;', `rows ${size.rows}; columns ${size.columns};`, 'line = 0;'],
    ['intr = ^C;', 'quit = ^\\;', 'erase = ^?;', 'kill = ^U;', 'eof = ^D;', 'eol = <undef>;', 'eol2 = <undef>;', 'swtch = <undef>;',
      'start = ^Q;', 'stop = ^S;', 'susp = ^Z;', 'rprnt = ^R;', 'werase = ^W;', 'lnext = ^V;', 'discard = ^O;', 'min = 1; time = 0;'],
    ['-parenb', '-parodd', '-cmspar', 'cs8', '-hupcl', '-cstopb', 'cread', '-clocal', '-crtscts'],
    ['-ignbrk', '-brkint', '-ignpar', '-parmrk', '-inpck', '-istrip', '-inlcr', '-igncr', 'icrnl', 'ixon', '-ixoff', '-iuclc', '-ixany', '-imaxbel', 'iutf8'],
    ['opost', '-olcuc', '-ocrnl', flag('onlcr', on('onlcr')), '-onocr', '-onlret', '-ofill', '-ofdel', 'nl0', 'cr0', 'tab0', 'bs0', 'vt0', 'ff0'],
    [flag('isig', on('isig')), flag('icanon', on('icanon')), 'iexten', flag('echo', on('echo')), 'echoe', 'echok', '-echonl', '-noflsh', '-xcase', '-tostop', '-echoprt', 'echoctl', 'echoke', '-flusho', '-extproc'],
  ];
  let out = '';
  for (const group of groups) {
    let column = 0;
    for (const item of group) {
      if (column > 0) {
        if (width - column < item.length) { out += '\n'; column = 0; } else { out += ' '; column++; }
      }
      out += item;
      column += item.length;
    }
    out += '\n';
  }
  return out;
}

export function stty(k: Kernel) {
  return async (p: Proc, argv: string[]): Promise<number> => {
    const args = argv.slice(1);
    const tryHelp = async (message: string) => {
      await p.err(`stty: ${message}\nTry 'stty --help' for more information.\n`);
      return 1;
    };
    if (args.includes('--help')) { await p.out(HELP); return 0; }
    if (!p.isatty(0)) {
      await p.err(`stty: 'standard input': ${new SysError(25).message}\n`);
      return 1;
    }
    const tty = k.console;
    try {
      if (args.length === 0 || args.includes('-a') || args.includes('--all')) {
        const size = await getWindowSize(p);
        // Without arguments: the settings that differ from 'stty sane'.
        const off = SWITCHES.filter((s) => !tty[s]).map((s) => ` -${s}`).join('');
        if (args.length === 0) await p.out(`speed 38400 baud; line = 0;\n-brkint -imaxbel iutf8${off}\n`);
        else await p.out(describeAll(size, (s) => tty[s], size.columns || 80));
        return 0;
      }
      for (let i = 0; i < args.length; i++) {
        const arg = args[i]!;
        if (arg === 'size') {
          const size = await getWindowSize(p);
          await p.out(`${size.rows} ${size.columns}\n`);
        } else if (arg === 'rows' || arg === 'cols' || arg === 'columns') {
          const value = args[++i];
          if (value === undefined) return await tryHelp(`missing argument to '${arg}'`);
          if (!/^\d+$/.test(value) || Number(value) > 0xffff) return await tryHelp(`invalid integer argument: '${value}'`);
          const size = await getWindowSize(p);
          await setWindowSize(p, arg === 'rows' ? { ...size, rows: Number(value) } : { ...size, columns: Number(value) });
        } else if (arg === 'sane') {
          for (const s of SWITCHES) tty[s] = true;
        } else {
          const name = arg.replace(/^-/, '');
          if (!(SWITCHES as readonly string[]).includes(name)) return await tryHelp(`invalid argument '${arg}'`);
          tty[name as Switch] = !arg.startsWith('-');
        }
      }
      return 0;
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      await p.err(`stty: 'standard input': ${e.message}\n`);
      return 1;
    }
  };
}
