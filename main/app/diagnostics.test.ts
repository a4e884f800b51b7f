// The build output parser, on what DriverLab's make, kbuild, clang and gcc really print (the
// transcripts below are from `driverlab sh`), through the terminal (\r\n) and with colours.
import { describe, expect, it } from 'vitest';
import { parseDiagnostics, workspacePath } from './diagnostics.js';

const KBUILD_ERROR = `make -C /lib/modules/6.8.0-driverlab/build M=/home/lab modules
make[1]: Entering directory '/usr/src/linux-headers-6.8.0-driverlab'
  CC [M]  /home/lab/hello.o
/home/lab/hello.c:6:6: warning: unused variable 'x' [-Wunused-variable]
    6 |         int x;
      |             ^
/home/lab/hello.c:7:26: error: expected ';' after expression
    7 |         printk(KERN_INFO "hi\\n")
      |                                 ^
      |                                 ;
1 warning and 1 error generated.
make[2]: *** [scripts/Makefile.build:243: /home/lab/hello.o] Error 1
make[1]: *** [Makefile:8: modules] Error 2
make[1]: Leaving directory '/usr/src/linux-headers-6.8.0-driverlab'
make: *** [Makefile:4: all] Error 2
`;

describe('build diagnostics', () => {
  it("takes clang's errors and warnings from a kbuild run, files relative to the workspace", () => {
    expect(parseDiagnostics(KBUILD_ERROR.replace(/\n/g, '\r\n'))).toEqual([
      { file: 'hello.c', source: '/home/lab/hello.c', line: 6, column: 6, severity: 'warning', message: "unused variable 'x' [-Wunused-variable]" },
      { file: 'hello.c', source: '/home/lab/hello.c', line: 7, column: 26, severity: 'error', message: "expected ';' after expression" },
    ]);
  });

  it('resolves relative paths in the directory make entered, and keeps files outside the workspace without a file', () => {
    const out = [
      "make[1]: Entering directory '/home/lab/driver'",
      'main.c:3:1: error: unknown type name \'foo\'',
      "include/linux/module.h:12:2: note: expanded from macro 'x'",
      "make[1]: Leaving directory '/home/lab/driver'",
      'test.c:9:5: warning: implicit declaration of function \'bar\'',
      "/usr/src/linux-headers-6.8.0-driverlab/include/linux/fs.h:40:8: note: previous definition is here",
    ].join('\n');
    expect(parseDiagnostics(out).map((d) => [d.file, d.line, d.severity])).toEqual([
      ['driver/main.c', 3, 'error'], ['driver/include/linux/module.h', 12, 'note'], ['test.c', 9, 'warning'], [undefined, 40, 'note'],
    ]);
  });

  it("takes make's own errors, modpost's and the linker's, but not make's echoes of a failed recipe", () => {
    const out = [
      'Makefile:2: *** missing separator.  Stop.',
      'ERROR: modpost: "nosuch" [/home/lab/hello.ko] undefined!',
      'WARNING: modpost: missing MODULE_LICENSE() in /home/lab/hello.o',
      '/usr/bin/ld: /build/gcc-0.o: undefined symbol: foo',
      'collect2: error: ld returned 1 exit status',
      'gcc: error: nofile.c: No such file or directory',
      "/home/lab/inc.c:1:10: fatal error: 'missing.h' file not found",
      'make: *** [Makefile:4: all] Error 2',
      'make[2]: *** [scripts/Makefile.build:243: /home/lab/hello.o] Error 1',
    ].join('\n');
    expect(parseDiagnostics(out)).toEqual([
      { file: 'Makefile', source: 'Makefile', line: 2, severity: 'error', message: 'missing separator.' },
      { source: 'modpost', severity: 'error', message: '"nosuch" [hello.ko] undefined!' },
      { source: 'modpost', severity: 'warning', message: 'missing MODULE_LICENSE() in hello.o' },
      { source: 'ld', severity: 'error', message: '/build/gcc-0.o: undefined symbol: foo' },
      { source: 'gcc', severity: 'error', message: 'nofile.c: No such file or directory' },
      { file: 'inc.c', source: '/home/lab/inc.c', line: 1, column: 10, severity: 'error', message: "'missing.h' file not found" },
    ]);
  });

  it('ignores colours, the source excerpt and the caret lines', () => {
    const coloured = '\x1b[1m/home/lab/a.c:2:3: \x1b[0;1;31merror: \x1b[0m\x1b[1muse of undeclared identifier \'y\'\x1b[0m\r\n    2 |   y = 1;\r\n      |   ^\r\n';
    expect(parseDiagnostics(coloured)).toEqual([{ file: 'a.c', source: '/home/lab/a.c', line: 2, column: 3, severity: 'error', message: "use of undeclared identifier 'y'" }]);
    expect(parseDiagnostics('hello\nuser@driverlab:/home/lab$ ls -l\n-rw-r--r-- 1 user user 12:30 a.c\n')).toEqual([]);
  });

  it('maps machine paths to workspace paths', () => {
    expect(workspacePath('/home/lab/a/../b.c', '/')).toBe('b.c');
    expect(workspacePath('../lab/x.c', '/home/tmp')).toBe('x.c');
    expect(workspacePath('/home/lab', '/')).toBeUndefined();
    expect(workspacePath('/home/labx/y.c', '/')).toBeUndefined();
  });
});
