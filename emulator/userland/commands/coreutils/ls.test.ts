import { describe, expect, it } from 'vitest';
import { FakeSystem, FAKE_EPOCH_NS, run } from './fake-proc.js';
import { ls, lsTime } from './ls.js';

function lab(): FakeSystem {
  const sys = new FakeSystem();
  sys.device('/dev/advanced_dev', 240, 0);
  sys.device('/dev/null', 1, 3);
  sys.mkdirs('/home/user/dir', 1000);
  sys.file('/home/user/hello.c', 'int main(void) { return 0; }\n');
  sys.file('/home/user/Makefile', 'obj-m += hello.o\n');
  sys.file('/home/user/.hidden', '');
  sys.symlink('/home/user/link', 'hello.c');
  return sys;
}

describe('ls -l', () => {
  it('prints a character device with major, minor in place of the size', async () => {
    const r = await run(lab(), ls, ['ls', '-l', '/dev/advanced_dev']);
    expect(r.out).toBe('crw-rw-rw- 1 root root 240, 0 Jan 15 10:30 /dev/advanced_dev\n');
    expect(r.status).toBe(0);
  });

  it('aligns a directory, files and a symlink like GNU, with a total line', async () => {
    const r = await run(lab(), ls, ['ls', '-l']);
    expect(r.out).toBe([
      'total 12',
      '-rw-r--r-- 1 user user   17 Jan 15 10:30 Makefile',
      'drwxr-xr-x 2 user user 4096 Jan 15 10:30 dir',
      '-rw-r--r-- 1 user user   29 Jan 15 10:30 hello.c',
      'lrwxrwxrwx 1 user user    7 Jan 15 10:30 link -> hello.c',
      '',
    ].join('\n'));
  });

  it('widens the size column for devices: major right-aligned, minor in its own width', async () => {
    const sys = new FakeSystem();
    sys.device('/dev/my_device0', 125, 0);
    sys.device('/dev/my_device1', 125, 1);
    sys.device('/dev/tty10', 4, 10, 0o620);
    sys.file('/dev/big', 'x'.repeat(123456), 0o644, 0);
    const r = await run(sys, ls, ['ls', '-l', '/dev']);
    expect(r.out).toBe([
      'total 124',
      '-rw-r--r-- 1 root root  123456 Jan 15 10:30 big',
      'crw-rw-rw- 1 root root 125,  0 Jan 15 10:30 my_device0',
      'crw-rw-rw- 1 root root 125,  1 Jan 15 10:30 my_device1',
      'crw--w---- 1 root root   4, 10 Jan 15 10:30 tty10',
      '',
    ].join('\n'));
  });

  it('shows numeric ids with -n and human sizes with -h', async () => {
    const sys = lab();
    sys.file('/home/user/big.bin', new Uint8Array(1536 * 1024));
    const r = await run(sys, ls, ['ls', '-lnh', 'big.bin', 'dir']);
    expect(r.out).toBe('-rw-r--r-- 1 1000 1000 1.5M Jan 15 10:30 big.bin\n\ndir:\ntotal 0\n');
  });

  it('lists the directory itself with -d, and inodes with -i', async () => {
    const sys = lab();
    const ino = sys.lookup('/home/user/dir')!.ino;
    const r = await run(sys, ls, ['ls', '-ldi', 'dir']);
    expect(r.out).toBe(`${ino} drwxr-xr-x 2 user user 4096 Jan 15 10:30 dir\n`);
  });

  it('prints old and future dates with the year', () => {
    const jan15 = FAKE_EPOCH_NS;
    expect(lsTime(jan15, jan15)).toBe('Jan 15 10:30');
    expect(lsTime(Date.UTC(2024, 2, 5, 9, 7) * 1e6, jan15)).toBe('Mar  5  2024');
    expect(lsTime(Date.UTC(2024, 7, 1) * 1e6, jan15)).toBe('Aug  1 00:00');
    expect(lsTime(Date.UTC(2025, 5, 1) * 1e6, jan15)).toBe('Jun  1  2025');
  });
});

describe('ls', () => {
  it('prints one name per line to a pipe, hiding dot files', async () => {
    const r = await run(lab(), ls, ['ls']);
    expect(r.out).toBe('Makefile\ndir\nhello.c\nlink\n');
  });

  it('shows . .. and dot files with -a, dot files only with -A', async () => {
    expect((await run(lab(), ls, ['ls', '-a'])).out).toBe('.\n..\n.hidden\nMakefile\ndir\nhello.c\nlink\n');
    expect((await run(lab(), ls, ['ls', '-A'])).out).toBe('.hidden\nMakefile\ndir\nhello.c\nlink\n');
  });

  it('uses columns on a terminal, with tabs as GNU does', async () => {
    const r = await run(lab(), ls, ['ls'], { tty: true });
    expect(r.out).toBe('Makefile  dir  hello.c\tlink\n');
    const sys = new FakeSystem();
    for (const name of ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima']) sys.file(`/tmp/${name}-file-name`, '');
    const wide = await run(sys, ls, ['ls', '/tmp'], { tty: true, env: { COLUMNS: '60' } });
    expect(wide.out).toBe([
      'alpha-file-name    echo-file-name     india-file-name',
      'bravo-file-name    foxtrot-file-name  juliet-file-name',
      'charlie-file-name  golf-file-name     kilo-file-name',
      'delta-file-name    hotel-file-name    lima-file-name',
      '',
    ].join('\n'));
    const across = await run(sys, ls, ['ls', '-x', '-w', '60', '/tmp']);
    expect(across.out).toBe([
      'alpha-file-name   bravo-file-name  charlie-file-name',
      'delta-file-name   echo-file-name   foxtrot-file-name',
      'golf-file-name\t  hotel-file-name  india-file-name',
      'juliet-file-name  kilo-file-name   lima-file-name',
      '',
    ].join('\n'));
  });

  it('lists files before directories and names directories when there are several', async () => {
    const r = await run(lab(), ls, ['ls', 'hello.c', 'dir', '/dev']);
    expect(r.out).toBe('hello.c\n\n/dev:\nadvanced_dev\nnull\n\ndir:\n');
  });

  it('recurses with -R', async () => {
    const sys = lab();
    sys.file('/home/user/dir/inner.txt', 'x');
    const r = await run(sys, ls, ['ls', '-R', 'dir']);
    expect(r.out).toBe('dir:\ninner.txt\n');
    const top = await run(sys, ls, ['ls', '-R']);
    expect(top.out).toBe('.:\nMakefile\ndir\nhello.c\nlink\n\n./dir:\ninner.txt\n');
  });

  it('reports a missing operand with status 2 and still lists the rest', async () => {
    const r = await run(lab(), ls, ['ls', 'x', 'hello.c']);
    expect(r.err).toBe("ls: cannot access 'x': No such file or directory\n");
    expect(r.out).toBe('hello.c\n');
    expect(r.status).toBe(2);
  });

  it('reports a directory it cannot open', async () => {
    const sys = lab();
    sys.mkdirs('/root', 0).mode = 0o040700;
    const r = await run(sys, ls, ['ls', '/root']);
    expect(r.err).toBe("ls: cannot open directory '/root': Permission denied\n");
    expect(r.status).toBe(2);
  });

  it('rejects unknown options like getopt', async () => {
    const r = await run(lab(), ls, ['ls', '-z']);
    expect(r.err).toBe("ls: invalid option -- 'z'\nTry 'ls --help' for more information.\n");
    expect(r.status).toBe(2);
    const long = await run(lab(), ls, ['ls', '--bogus']);
    expect(long.err).toBe("ls: unrecognized option '--bogus'\nTry 'ls --help' for more information.\n");
  });

  it('follows a symlink to a directory given as operand unless -l', async () => {
    const sys = lab();
    sys.file('/home/user/dir/a', '');
    sys.symlink('/home/user/dirlink', 'dir');
    expect((await run(sys, ls, ['ls', 'dirlink'])).out).toBe('a\n');
    expect((await run(sys, ls, ['ls', '-l', 'dirlink'])).out).toBe('lrwxrwxrwx 1 user user 3 Jan 15 10:30 dirlink -> dir\n');
  });

  it('classifies with -F and sorts by size with -S, reversed with -r', async () => {
    const sys = lab();
    sys.file('/home/user/run.sh', 'echo hi\n', 0o755);
    expect((await run(sys, ls, ['ls', '-F'])).out).toBe('Makefile\ndir/\nhello.c\nlink@\nrun.sh*\n');
    expect((await run(sys, ls, ['ls', '-Sr', 'hello.c', 'Makefile', 'run.sh'])).out).toBe('run.sh\nMakefile\nhello.c\n');
  });

  it('quotes names for a terminal and keeps the others aligned', async () => {
    const sys = new FakeSystem();
    for (const name of ['a b', 'c', "it's", 'd']) sys.file(`/tmp/${name}`, '');
    expect((await run(sys, ls, ['ls', '/tmp'], { tty: true })).out).toBe(`'a b'   c   d  "it's"\n`);
    expect((await run(sys, ls, ['ls', '-1', '/tmp'], { tty: true })).out).toBe(`'a b'\nc\nd\n"it's"\n`);
    expect((await run(sys, ls, ['ls', '-l', '/tmp'], { tty: true })).out.split('\n')[2]).toBe('-rw-r--r-- 1 user user 0 Jan 15 10:30  c');
    expect((await run(sys, ls, ['ls', '/tmp'])).out).toBe(`a b\nc\nd\nit's\n`);
  });

  it('separates with commas under -m', async () => {
    expect((await run(lab(), ls, ['ls', '-m'])).out).toBe('Makefile, dir, hello.c, link\n');
  });
});
