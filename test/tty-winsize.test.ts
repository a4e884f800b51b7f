// The console's window size as programs see it: TIOCGWINSZ/TIOCSWINSZ on the tty and
// `stty size` (the app's terminal sets the size when its screen is resized).
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { createNodeHost } from '../main/host/node-host.js';
import { runSh, tempWorkspace } from './helpers/machine.js';

const WINSIZE_C = `#include <stdio.h>
#include <sys/ioctl.h>

int main(void)
{
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) < 0) {
		perror("TIOCGWINSZ");
		return 1;
	}
	printf("%d rows, %d columns\\n", ws.ws_row, ws.ws_col);
	return 0;
}
`;

/** Runs `script` on a machine whose screen is `columns` x `rows`, as the app's worker sets it. */
async function onScreen(columns: number, rows: number, script: string, files: Record<string, string> = {}): Promise<string> {
  let out = '';
  const machine = new Machine(createNodeHost({ workspace: tempWorkspace(files) }), { showBoot: false }, (t) => { out += t; });
  machine.boot();
  machine.kernel.console.columns = columns;
  machine.kernel.console.rows = rows;
  out = '';
  machine.endInput();
  await machine.runShell(script);
  return out.replace(/\r\n/g, '\n');
}

describe('the terminal window size', () => {
  it('stty size and a C program with TIOCGWINSZ report the screen', async () => {
    const out = await onScreen(132, 41, 'stty size; gcc -o winsize winsize.c && ./winsize', { 'winsize.c': WINSIZE_C });
    expect(out).toBe('41 132\n41 rows, 132 columns\n');
  });

  it('stty rows/cols set it (TIOCSWINSZ), stty -a shows it, stty sane and -echo switch the line discipline', async () => {
    const r = await runSh('stty size; stty rows 30 cols 100; stty size; stty -a | head -1; stty -echo; stty; stty sane; stty');
    expect(r.output).toBe('24 80\n30 100\nspeed 38400 baud; rows 30; columns 100; line = 0;\n' +
      'speed 38400 baud; line = 0;\n-brkint -imaxbel iutf8 -echo\nspeed 38400 baud; line = 0;\n-brkint -imaxbel iutf8\n');
  });

  it('says what is wrong the way GNU stty does', async () => {
    const r = await runSh('stty size < /dev/null; echo $?; stty rows; stty cols x; stty -nosuch; echo $?');
    expect(r.output).toBe("stty: 'standard input': Inappropriate ioctl for device\n1\n" +
      "stty: missing argument to 'rows'\nTry 'stty --help' for more information.\n" +
      "stty: invalid integer argument: 'x'\nTry 'stty --help' for more information.\n" +
      "stty: invalid argument '-nosuch'\nTry 'stty --help' for more information.\n1\n");
  });

  it('wraps stty -a at the screen width', async () => {
    const out = await onScreen(80, 24, 'stty -a');
    expect(out.split('\n')[1]).toBe('intr = ^C; quit = ^\\; erase = ^?; kill = ^U; eof = ^D; eol = <undef>;');
    expect(Math.max(...out.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });
});
