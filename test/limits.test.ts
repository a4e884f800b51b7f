// What a learner's code cannot take from the machine: memory past what it has (NULL, ENOMEM,
// the OOM killer, all consistent with `free`), its own stack past its end (an oops in a module,
// SIGSEGV in a program), and the host's disk or functions (the wasm imports are the only door).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSh, tempWorkspace } from './helpers/machine.js';

const kbuild = (obj: string) => `obj-m += ${obj}\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n`;

const HOG_MODULE = `#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

static void *chunks[64];
static int n;

static int __init hog_init(void)
{
	while (n < 64 && (chunks[n] = vmalloc(1 << 20)))
		n++;
	printk(KERN_INFO "hog: got %d MiB\\n", n);
	return 0;
}

static void __exit hog_exit(void)
{
	while (n > 0)
		vfree(chunks[--n]);
}

module_init(hog_init);
module_exit(hog_exit);
MODULE_LICENSE("GPL");
`;

const HOG_PROGRAM = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	long mib = 0;
	char *p;
	while ((p = malloc(1 << 20)) != NULL) { memset(p, 1, 1 << 20); mib++; }
	printf("malloc returned NULL after %ld MiB\\n", mib);
	fflush(stdout);
	sleep(argc > 1 ? atoi(argv[1]) : 0);
	return 0;
}
`;

const memFree = (out: string) => [...out.matchAll(/^Mem: +\d+ +(\d+) +(\d+)/gm)].map((m) => ({ used: Number(m[1]), free: Number(m[2]) }));

describe('memory limits', () => {
  it('a module allocating without bound gets NULL at the end of its memory, after "page allocation failure"; free shows what it took, and gives it back at rmmod', async () => {
    const r = await runSh('make -s && free -k | grep Mem; sudo insmod hog.ko; free -k | grep Mem; dmesg | grep -E "hog|page allocation"; sudo rmmod hog; free -k | grep Mem', { files: { 'hog.c': HOG_MODULE, Makefile: kbuild('hog.o') } });
    const got = Number(/hog: got (\d+) MiB/.exec(r.output)?.[1]);
    expect(got).toBeGreaterThan(32);
    expect(got).toBeLessThan(64);
    expect(r.output).toMatch(/insmod: page allocation failure: order:8, mode:0xcc0\(GFP_KERNEL\), nodemask=\(null\)/);
    const [before, loaded, after] = memFree(r.output);
    expect(loaded!.free).toBeLessThan(before!.free - got * 1024);
    expect(after!.free).toBe(before!.free);
  });

  it('a program allocating without bound gets NULL from malloc at its address-space ceiling, and free shows it while it runs', async () => {
    const r = await runSh('gcc -o hog hog.c && ./hog; echo "status $?"', { files: { 'hog.c': HOG_PROGRAM } });
    const mib = Number(/malloc returned NULL after (\d+) MiB/.exec(r.output)?.[1]);
    expect(mib).toBeGreaterThan(48);
    expect(mib).toBeLessThan(64);
    expect(r.output).toContain('status 0\n');
    expect(r.output).not.toContain('oom-killer');
  });

  it('programs that together outgrow the machine: the OOM killer kills the largest, with the kernel\'s report; the rest go on', async () => {
    const r = await runSh('gcc -o hog hog.c && for i in 1 2 3 4; do ./hog 3 > /dev/null & done; sleep 1; free -k | grep Mem; wait; dmesg | grep -iE "oom|out of memory"', { files: { 'hog.c': HOG_PROGRAM } });
    expect(r.output).toMatch(/hog invoked oom-killer: gfp_mask=0x140cca\(GFP_HIGHUSER_MOVABLE\|__GFP_COMP\), order=0, oom_score_adj=0\n/);
    expect(r.output).toMatch(/Out of memory: Killed process \d+ \(hog\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:\d+kB oom_score_adj:0\n/);
    const [running] = memFree(r.output);
    expect(running!.free).toBeGreaterThanOrEqual(1024);
    expect(running!.used).toBeGreaterThan(150 * 1024);
  });
});

describe('process limits', () => {
  it('past RLIMIT_NPROC (1024 for a user on 256 MB) a fork is refused with EAGAIN, and the shell says so and goes on', async () => {
    const r = await runSh('for i in $(seq 1100); do sleep 30 & done 2>&1 | sort | uniq -c; echo "still here"');
    expect(r.output).toMatch(/^ +(\d+) sh: fork: Resource temporarily unavailable\nstill here\n$/);
    const refused = Number(/(\d+) sh: fork/.exec(r.output)![1]);
    // 1100 asked for; the user's other processes (login shell, the loop's shells, sort, uniq) share the 1024.
    expect(refused).toBeGreaterThan(1100 - 1024);
    expect(refused).toBeLessThan(1100 - 1024 + 10);
  });

  it('a fork bomb stops growing at the limit: the machine answers, and the script that started it goes on', async () => {
    const r = await runSh('bomb() { bomb | bomb & }; bomb; sleep 1; echo survived >&2', { prepare: (m) => setTimeout(() => m.stop(), 50_000) });
    r.machine.stop();
    expect(r.output).toContain('sh: fork: Resource temporarily unavailable\n');
    expect(r.output).toContain('survived\n');
    expect(r.output).not.toContain('BUG');
  });
});

describe('the learner\'s stack', () => {
  it('a program recursing without end dies with SIGSEGV ("Segmentation fault"), and the shell goes on', async () => {
    const src = '#include <stdio.h>\nint down(int n) { volatile char frame[512]; frame[0] = (char)n; return down(n + 1) + frame[0]; }\nint main(void) { printf("%d\\n", down(0)); return 0; }\n';
    const r = await runSh('gcc -o deep deep.c && ./deep; echo "status $?"; echo alive', { files: { 'deep.c': src } });
    expect(r.output).toMatch(/Segmentation fault\nstatus 139\nalive\n$/);
  });
});

/** wasi_snapshot_preview1, the whole of it: the functions a WASI program may import. */
const WASI_PREVIEW1 = new Set(['args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get', 'fd_advise', 'fd_allocate',
  'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times',
  'fd_pread', 'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek', 'fd_sync', 'fd_tell', 'fd_write',
  'path_create_directory', 'path_filestat_get', 'path_filestat_set_times', 'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename',
  'path_symlink', 'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown']);

type ImportDescriptor = { module: string; name: string; kind: string };
/** The engine's WebAssembly.Module.imports() (test/ is compiled without the DOM library that declares it). */
function wasmImports(bytes: Uint8Array): ImportDescriptor[] {
  const { Module } = (globalThis as unknown as { WebAssembly: { Module: { new(b: Uint8Array): object; imports(m: object): ImportDescriptor[] } } }).WebAssembly;
  return Module.imports(new Module(bytes));
}

/** The machine's own calls for user programs (emulator/userland/wasi.ts): the preemption point, ioctl, signals, sync, ids. */
const DRIVERLAB_CALLS = ['tick', 'ioctl', 'raise', 'sync', 'syncfs', 'getpid', 'getppid', 'getuid', 'geteuid'];

describe('the learner\'s code cannot reach the host', () => {
  const PROBE = `#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char buf[64] = "";
		int fd = open(argv[i], O_RDONLY);
		int n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
		printf("%s: fd %d read %d [%s]\\n", argv[i], fd, n, n > 0 ? buf : "");
	}
	return 0;
}
`;
  const ESCAPE_MODULE = `#include <linux/module.h>
extern int system(const char *command);
static int __init escape_init(void) { return system("touch /tmp/driverlab-escaped"); }
module_init(escape_init);
MODULE_LICENSE("GPL");
`;

  it('a program reads only the machine\'s files: a host file outside the workspace is not there by its host path, nor by ../ from /home/lab; and only through the machine\'s VFS', async () => {
    const outside = tempWorkspace({ 'secret.txt': 'host-secret-4711\n' });
    const ws = tempWorkspace({ 'probe.c': PROBE });
    const up = '../'.repeat(12);
    const r = await runSh(`gcc -o probe probe.c && ./probe ${outside}/secret.txt /home/lab/${up}${outside.slice(1)}/secret.txt /home/lab/probe.c`, { workspace: ws });
    expect(r.output).not.toContain('host-secret-4711');
    expect(r.output).toContain(`${outside}/secret.txt: fd -1 read -1 []\n`);
    expect(r.output).toMatch(/\/home\/lab\/probe\.c: fd \d+ read 63 \[#include <stdio\.h>/);
  });

  it('a module can call only the kernel API: a host function is an undefined symbol, and the module is not built', async () => {
    const r = await runSh('make -s; echo "make $?"; ls escape.ko', { files: { 'escape.c': ESCAPE_MODULE, Makefile: kbuild('escape.o') } });
    expect(r.output).toMatch(/^ERROR: modpost: "system" \[\/home\/lab\/escape\.ko\] undefined!\n[\s\S]*make 2\nls: cannot access 'escape\.ko': No such file or directory\n$/);
    expect(fs.existsSync('/tmp/driverlab-escaped')).toBe(false);
  });

  it('the wasm imports are the only door: a program imports WASI and the machine\'s own calls; a module imports only kernel functions', async () => {
    const r = await runSh('make -s && gcc -o probe probe.c && echo built', { files: { 'probe.c': PROBE, 'hog.c': HOG_MODULE, Makefile: kbuild('hog.o') } });
    expect(r.output).toContain('built\n');
    const program = wasmImports(fs.readFileSync(path.join(r.workspace, 'probe')));
    for (const imp of program) {
      expect(imp.kind).toBe('function');
      if (imp.module === 'wasi_snapshot_preview1') expect(WASI_PREVIEW1.has(imp.name), imp.name).toBe(true);
      else expect(`${imp.module}.${imp.name}`).toBeOneOf(DRIVERLAB_CALLS.map((n) => `driverlab.${n}`));
    }
    const module = wasmImports(fs.readFileSync(path.join(r.workspace, 'hog.ko')));
    expect(module.length).toBeGreaterThan(0);
    for (const imp of module) expect(`${imp.module}.${imp.kind}`, imp.name).toBe('env.function');
  });
});
