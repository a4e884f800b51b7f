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

  it('reports errors where GNU sed does, found by fuzzing against it (test/fuzz/tools.test.ts)', async () => {
    const sys = new FakeSystem();
    const err = async (...args: string[]) => (await run(sys, sed, ['sed', ...args])).err;
    // The end of the script is not a character: `s` fails at char 1, not 2.
    expect(await err('s')).toBe("sed: -e expression #1, char 1: unterminated `s' command\n");
    expect(await err('0,/t/')).toBe('sed: -e expression #1, char 5: missing command\n');
    // A label ends at a blank, `;', `#' or `}'.
    expect(await err('bx}')).toBe("sed: -e expression #1, char 3: unexpected `}'\n");
    expect(await err('bx#y')).toBe("sed: can't find label for jump to `x'\n");
    expect(await err('2w')).toBe('sed: -e expression #1, char 2: missing filename in r/R/w/W commands\n');
    expect(await err('1,2q')).toBe('sed: -e expression #1, char 4: command only uses one address\n');
    // \( in -E is a literal parenthesis, so \1 refers to nothing.
    expect(await err('-E', 's/t\\(.\\)/[\\1]/')).toBe("sed: -e expression #1, char 14: invalid reference \\1 on `s' command's RHS\n");
    expect(await err('-E', 's/(a)(b)/\\2\\3/g')).toBe("sed: -e expression #1, char 15: invalid reference \\3 on `s' command's RHS\n");
  });

  it('reads \\n in the one-liner text of a, i and c as a newline, as GNU sed does', async () => {
    const sys = new FakeSystem();
    sys.file('/home/user/f', 'x\n');
    expect((await run(sys, sed, ['sed', 'ca\\nb', 'f'])).out).toBe('a\nb\n');
  });

  it('an empty a/i/c text is an empty line, and a\\ ending the script is no text at all, as in GNU sed', async () => {
    const sys = new FakeSystem();
    sys.file('/home/user/f', 'x\ny\n');
    expect((await run(sys, sed, ['sed', 'c\n', 'f'])).out).toBe('\n\n');
    expect((await run(sys, sed, ['sed', 'a\\\n', 'f'])).out).toBe('x\n\ny\n\n');
    expect((await run(sys, sed, ['sed', 'a\\', 'f'])).out).toBe('x\ny\n');
    expect((await run(sys, sed, ['sed', 'c\\', 'f'])).out).toBe('');
    expect((await run(sys, sed, ['sed', '1!d;ca\\cAb\\cz', 'f'])).out).toBe('a\x01b\x1a\n');
  });
});

