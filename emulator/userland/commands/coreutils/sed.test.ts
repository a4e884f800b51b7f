import { describe, expect, it } from 'vitest';
import { FakeSystem, run } from './fake-proc.js';
import { sed } from './sed.js';

const MEM_C = `int chr_dev_init(void)
{
#ifdef CONFIG_SERIAL
	rs_init();
#endif
	return 0;
}
`;

const text = (sys: FakeSystem, path: string) => sys.text(path);

describe('sed', () => {
  it("edits a kernel source in place the way the article's steps need: a block inserted before a line", async () => {
    const sys = new FakeSystem();
    sys.file('/home/user/mem.c', MEM_C);
    const r = await run(sys, sed, ['sed', '-i', '/return 0;/i\\\n#ifdef CONFIG_MY_DEVICE\\\n\tmy_device_init();\\\n#endif', 'mem.c']);
    expect(r).toMatchObject({ status: 0, out: '', err: '' });
    expect(text(sys, '/home/user/mem.c')).toBe(MEM_C.replace('\treturn 0;', '#ifdef CONFIG_MY_DEVICE\n\tmy_device_init();\n#endif\n\treturn 0;'));
  });

  it('appends after a match, substitutes, deletes ranges, keeps a backup with -i.bak', async () => {
    const sys = new FakeSystem();
    sys.file('/home/user/f', 'a\nb\nc\nd\n');
    expect((await run(sys, sed, ['sed', '-i.bak', '-e', '/b/a\\', '-e', 'after b', '-e', 's/d/D/', 'f'])).status).toBe(0);
    expect(text(sys, '/home/user/f')).toBe('a\nb\nafter b\nc\nD\n');
    expect(text(sys, '/home/user/f.bak')).toBe('a\nb\nc\nd\n');
    expect((await run(sys, sed, ['sed', '2,3d', 'f'])).out).toBe('a\nc\nD\n');
    expect((await run(sys, sed, ['sed', '-n', '/^[a-c]/p', 'f', 'f.bak'])).out).toBe('a\nb\nafter b\nc\na\nb\nc\n');
    expect((await run(sys, sed, ['sed', '-n', '$=', 'f', 'f.bak'])).out).toBe('9\n');
    expect((await run(sys, sed, ['sed', '-s', '-n', '$=', 'f', 'f.bak'])).out).toBe('5\n4\n');
  });

  it("says what is wrong, with GNU sed's words", async () => {
    const sys = new FakeSystem();
    expect(await run(sys, sed, ['sed', 's/a/b', 'f'])).toMatchObject({ status: 1, err: "sed: -e expression #1, char 5: unterminated `s' command\n" });
    expect(await run(sys, sed, ['sed', 'k'])).toMatchObject({ status: 1, err: "sed: -e expression #1, char 1: unknown command: `k'\n" });
    expect(await run(sys, sed, ['sed', 'p', 'nope'])).toMatchObject({ status: 2, err: "sed: can't read nope: No such file or directory\n" });
    expect(await run(sys, sed, ['sed', 'b end'])).toMatchObject({ status: 4, err: "sed: can't find label for jump to `end'\n" });
  });
});
