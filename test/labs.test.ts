// The labs DriverLab ships (labs/), both ways: the reference solution passes every check, and
// the untouched starter fails with messages that point at its TODOs. Then a few learner
// mistakes, to see that each is caught by the item meant for it and pointed at the right TODO.
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLabChecks, type CheckRunReport } from '../main/labs/check-runner.js';
import { loadLabs, type Lab, type LabSet } from '../main/labs/loader.js';
import type { WorkspaceFile } from '../main/labs/workspace.js';

const LABS = path.resolve(import.meta.dirname, '../labs');
const SHIPPED = ['hello-proc', 'char-device', 'major-minor', 'module-params', 'probe-resources', 'firmware-startup', 'mailbox-irq'];

let set: LabSet;
beforeAll(async () => {
  set = await loadLabs(LABS);
}, 60_000);

function lab(id: string): Lab {
  const found = set.labs.find((l) => l.manifest.id === id);
  if (!found) throw new Error(`lab ${id} did not load: ${JSON.stringify(set.problems)}`);
  return found;
}

function workspace(files: ReadonlyMap<string, Uint8Array>): Map<string, WorkspaceFile> {
  return new Map([...files].map(([p, data]) => [p, { data, mtimeMs: 0, mode: p.endsWith('.sh') ? 0o755 : 0o644 }]));
}

/** The starter with the solution's files over it: what a learner who did everything has. */
function solved(l: Lab): Map<string, Uint8Array> {
  return new Map([...l.starter, ...l.solution]);
}

/** The solution with one file's text changed. */
function edited(l: Lab, file: string, change: (text: string) => string): Map<string, Uint8Array> {
  const files = solved(l);
  const text = new TextDecoder().decode(files.get(file)!);
  const changed = change(text);
  if (changed === text) throw new Error(`the edit of ${file} changed nothing`);
  files.set(file, new TextEncoder().encode(changed));
  return files;
}

function failures(r: CheckRunReport): { id: string; message: string }[] {
  return r.items.filter((i) => i.status === 'failed').map((i) => ({ id: i.id, message: i.message }));
}

describe('the shipped labs', () => {
  it('all load, with no problems reported', () => {
    expect(set.problems).toEqual([]);
    expect(set.labs.map((l) => l.manifest.id)).toEqual(SHIPPED);
  });

  for (const id of SHIPPED) {
    describe(id, () => {
      it('the reference solution passes every check', async () => {
        const r = await runLabChecks(lab(id), workspace(solved(lab(id))));
        expect(r.items.filter((i) => i.status !== 'passed')).toEqual([]);
        expect(r.passed).toBe(true);
      }, 180_000);

      it('the untouched starter fails, and every failure points at a TODO', async () => {
        const l = lab(id);
        const r = await runLabChecks(l, workspace(l.starter));
        expect(r.passed).toBe(false);
        const failed = r.items.filter((i) => i.status === 'failed');
        expect(failed.length).toBeGreaterThan(0);
        for (const item of failed) {
          expect(item.message, item.title).toMatch(/Look at: .*\(TODO \d+\)/);
          const where = [item.failure!.where].flat();
          for (const w of where.filter((x) => x?.note)) {
            const marker = l.todos.find((t) => `TODO ${t.n}` === w!.note);
            expect(marker, `${item.id} points at ${w!.note}`).toBeDefined();
            expect({ file: w!.file, line: w!.line }).toEqual({ file: marker!.file, line: marker!.line });
          }
        }
      }, 180_000);
    });
  }
});

describe('learner mistakes are caught by the item meant for them', () => {
  it('hello-proc: a read that ignores *pos never ends; a missing proc_remove is seen after rmmod', async () => {
    const l = lab('hello-proc');
    const endless = edited(l, 'hello.c', (c) => c.replace('    *pos += count;\n', ''));
    const r = await runLabChecks(l, workspace(endless));
    expect(failures(r).map((f) => f.id)).toContain('proc-read');
    expect(failures(r).find((f) => f.id === 'proc-read')!.message).toMatch(/^`cat \/proc\/hello_proc` printed more than 256 KiB without stopping; the check killed it\./);

    const leaky = edited(l, 'hello.c', (c) => c.replace('        proc_remove(proc_entry);\n', ''));
    const r2 = await runLabChecks(l, workspace(leaky));
    expect(failures(r2)).toEqual([{
      id: 'clean-unload',
      message: 'The module was unloaded with /proc/hello_proc still registered (the kernel removed it; Linux would have left a dangling entry).\n' +
        `Look at: ${l.todos[5]!.file}:${l.todos[5]!.line} (TODO 6 of the starter)`,
    }]);
  }, 180_000);

  it('hello-proc: a compile error is reported with its file and line', async () => {
    const l = lab('hello-proc');
    const broken = edited(l, 'hello.c', (c) => c.replace('    return count;\n}\n\n// 파일 연산 구조체', '    return count\n}\n\n// 파일 연산 구조체'));
    const r = await runLabChecks(l, workspace(broken));
    expect(failures(r)).toEqual([{
      id: 'build',
      message: '`make` failed (exit status 2).\nSeen: hello.c:38:17: error: expected \';\' after return statement\nLook at: hello.c:38',
    }]);
  }, 180_000);

  it('char-device: an ioctl that accepts any size is caught as a missing EINVAL', async () => {
    const l = lab('char-device');
    const lax = edited(l, 'advanced_device.c', (c) => c.replace('if (new_size < 0 || new_size > BUFFER_SIZE) {', 'if (0) {'));
    const r = await runLabChecks(l, workspace(lax));
    const f = failures(r);
    expect(f.map((x) => x.id)).toEqual(['error-paths']);
    expect(f[0]!.message).toMatch(/^set size -1: the driver does not answer as Linux programs expect\.\nSeen: set size -1: 0\nExpected: set size -1: Invalid argument\nLook at: advanced_device\.c:\d+ \(TODO 8 of the starter\)$/);
  }, 180_000);

  it('major-minor: an open that counts itself before failing keeps the module in use forever', async () => {
    const l = lab('major-minor');
    const early = edited(l, 'my_device.c', (c) => c
      .replace('\tMOD_INC_USE_COUNT;\n\treturn 0;\n}', '\treturn 0;\n}')
      .replace('\tint minor = MINOR(inode->i_rdev);\n\tstruct MY_DEVICE_PORT *port;\n', '\tint minor = MINOR(inode->i_rdev);\n\tstruct MY_DEVICE_PORT *port;\n\n\tMOD_INC_USE_COUNT;\n'));
    const r = await runLabChecks(l, workspace(early));
    const f = failures(r);
    if (f[0]?.id === 'build') console.log(JSON.stringify(f));
    expect(f.map((x) => x.id)).toEqual(['use-count', 'failed-open-count', 'rmmod']);
    expect(f[1]!.message).toMatch(/^After opens that failed, the module's use count is not 0: an open counted itself and then returned an error\.\nSeen: \d+\nExpected: 0\nLook at: my_device\.c:\d+ \(TODO 5 of the starter\)\nThe article:/);
  }, 180_000);
});
