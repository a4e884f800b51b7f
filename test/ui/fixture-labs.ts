// The labs the UI tests use: a small curriculum with the fields of the lab format (difficulty,
// time, prerequisites, Korean instructions, hints, check items, a drill), served by a
// LabProvider and a LabFramework of the core's interfaces. The lab framework of step 6 brings
// the real ones; these checks are real too (they build and load the learner's module in a
// machine of their own), only smaller.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Machine } from '../../emulator/machine.js';
import type { CheckItemResult, LabCatalog, LabDetails, LabSummary } from '../../main/ipc/common/contract.js';
import { FREE_PLAY_LAB, type LabProvider } from '../../main/labs/catalog.js';
import { CheckRunCancelled, type CheckReport, type LabFramework } from '../../main/app/lab-framework.js';
import { createNodeHost } from '../../main/host/node-host.js';

export const HELLO_MAKEFILE = 'obj-m += hello.o\n\nall:\n\tmake -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n\nclean:\n\tmake -C /lib/modules/$(shell uname -r)/build M=$(PWD) clean\n';

/** The tutorial's hello.c with three parts left to the learner. */
export const HELLO_STARTER = `#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>

#define PROC_FILENAME "hello_proc"

static struct proc_dir_entry *proc_entry;

static ssize_t hello_read(struct file *file, char __user *buffer,
                         size_t count, loff_t *pos) {
    static const char message[] = "Hello from kernel module!\\n";
    size_t message_len = sizeof(message) - 1;

    if (*pos >= message_len) {
        return 0;  // EOF
    }

    if (count > message_len - *pos) {
        count = message_len - *pos;
    }

    // TODO 1: copy the message to user space (copy_to_user), -EFAULT if it fails

    *pos += count;
    return count;
}

static const struct proc_ops hello_proc_ops = {
    .proc_read = hello_read,
};

static int __init hello_init(void) {
    printk(KERN_INFO "Hello module: initializing\\n");
    // TODO 2: create /proc/hello_proc with proc_create()
    return 0;
}

static void __exit hello_exit(void) {
    // TODO 3: remove /proc/hello_proc
    printk(KERN_INFO "Hello module: unloaded\\n");
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
`;

export const HELLO_TODOS: [string, string][] = [
  ['    // TODO 1: copy the message to user space (copy_to_user), -EFAULT if it fails\n', '    if (copy_to_user(buffer, message + *pos, count)) {\n        return -EFAULT;\n    }\n'],
  ['    // TODO 2: create /proc/hello_proc with proc_create()\n', '    proc_entry = proc_create(PROC_FILENAME, 0666, NULL, &hello_proc_ops);\n    if (!proc_entry) {\n        return -ENOMEM;\n    }\n'],
  ['    // TODO 3: remove /proc/hello_proc\n', '    proc_remove(proc_entry);\n'],
];

const HELLO_README = `# Hello, /proc

Your first kernel module answers through a file in \`/proc\`.

![How a read reaches your module](images/read-path.svg)

| Step | Command | You see |
|------|---------|---------|
| build | \`make\` | \`LD [M]  /home/lab/hello.ko\` |
| load | \`sudo insmod hello.ko\` | nothing: no news is good news |
| read | \`cat /proc/hello_proc\` | \`Hello from kernel module!\` |

## What to do

1. Complete the three **TODO** markers in \`hello.c\`.
2. Press **Build** (or type \`make\` in the terminal).
3. Load the module and read the file:

\`\`\`c
if (copy_to_user(buffer, message + *pos, count))
    return -EFAULT;
\`\`\`

> A module that forgets \`proc_remove()\` leaves a dangling entry behind: the next \`cat\` oopses.
`;

const HELLO_README_KO = `# Hello, /proc

첫 커널 모듈은 \`/proc\`의 파일로 대답합니다.

![읽기가 모듈에 닿는 길](images/read-path.svg)

| 단계 | 명령 | 결과 |
|------|------|------|
| 빌드 | \`make\` | \`LD [M]  /home/lab/hello.ko\` |
| 로드 | \`sudo insmod hello.ko\` | 출력 없음 |
| 읽기 | \`cat /proc/hello_proc\` | \`Hello from kernel module!\` |

## 할 일

1. \`hello.c\`의 **TODO** 세 곳을 완성하세요.
2. **빌드**를 누르세요(또는 터미널에서 \`make\`).
3. 모듈을 로드하고 파일을 읽으세요.
`;

const READ_PATH_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="70" font-family="sans-serif" font-size="12">
<rect x="5" y="20" width="90" height="30" rx="4" fill="#ddf4ff" stroke="#0969da"/><text x="50" y="40" text-anchor="middle">cat</text>
<rect x="165" y="20" width="90" height="30" rx="4" fill="#fff8c5" stroke="#9a6700"/><text x="210" y="40" text-anchor="middle">VFS / procfs</text>
<rect x="325" y="20" width="90" height="30" rx="4" fill="#dafbe1" stroke="#1a7f37"/><text x="370" y="40" text-anchor="middle">hello_read()</text>
<path d="M95 35 H165 M255 35 H325" stroke="#57606a" stroke-width="2"/></svg>
`;

const HINTS: Record<string, { en: [string, string][]; ko: [string, string][] }> = {
  'hello-proc': {
    en: [['Where the bytes go', '`copy_to_user(to, from, n)` returns how many bytes it could **not** copy.'], ['Creating the entry', '`proc_create(name, mode, parent, &proc_ops)` returns NULL on failure.'], ['Cleaning up', 'Call `proc_remove(proc_entry)` in the exit function.']],
    ko: [['바이트가 가는 곳', '`copy_to_user(to, from, n)`은 복사하지 **못한** 바이트 수를 반환합니다.'], ['항목 만들기', '`proc_create(name, mode, parent, &proc_ops)`는 실패하면 NULL을 반환합니다.'], ['정리', '종료 함수에서 `proc_remove(proc_entry)`를 호출하세요.']],
  },
};

const LABS: LabDetails[] = [
  {
    id: 'hello-proc', title: 'Hello, /proc: your first kernel module', summary: 'Write, build and load a module that answers through /proc/hello_proc.',
    topic: 'kernel modules', personality: 'modern', kind: 'lab', order: 1, difficulty: 'beginner', estimatedMinutes: 30, prerequisites: [], languages: ['en', 'ko'],
    translations: { ko: { title: 'Hello, /proc: 첫 커널 모듈', summary: '/proc/hello_proc으로 대답하는 모듈을 작성하고 빌드하고 로드합니다.' } },
    instructions: HELLO_README, localizedInstructions: { ko: HELLO_README_KO }, hintCount: 3,
    checkItems: [{ id: 'builds', title: 'hello.c builds into hello.ko' }, { id: 'loads', title: 'insmod loads it' }, { id: 'reads', title: 'cat /proc/hello_proc prints the message' }, { id: 'unloads', title: 'rmmod removes /proc/hello_proc' }],
  },
  {
    id: 'char-device', title: 'A character device with a mutex', summary: 'open, read, write and ioctl on /dev/advanced_dev, safely from two processes.',
    topic: 'character devices', personality: 'modern', kind: 'lab', order: 2, difficulty: 'intermediate', estimatedMinutes: 90, prerequisites: ['hello-proc'], languages: ['en'],
    instructions: '# A character device\n\nRegister a device with `alloc_chrdev_region` and `cdev_add`.\n',
  },
  {
    id: 'my-device-22', title: 'my_device on Linux 2.2', summary: 'The 1998 driver: register_chrdev, request_irq, a shared-memory mailbox.',
    topic: 'character devices', personality: '2.2', kind: 'lab', order: 3, difficulty: 'advanced', estimatedMinutes: 120, prerequisites: ['char-device'], languages: ['en'],
    instructions: '# my_device\n\nThe driver of the 1998 article, on the kernel it was written for.\n',
  },
  {
    id: 'hung-task', title: 'Recover a hung machine', summary: 'A driver hangs the machine with unsynced data: get it back with SysRq and lose as little as you can.',
    topic: 'drills', personality: 'modern', kind: 'drill', order: 10, languages: ['en'],
    instructions: '# Recover a hung machine\n', drill: { goal: 'Save the data in **/var/log/app.log** and get the machine back: *s*, *u*, then *b*.', timeLimitSeconds: 300 },
  },
];

const summaryOf = ({ instructions: _i, localizedInstructions: _l, hintCount: _h, checkItems: _c, drill: _d, ...s }: LabDetails): LabSummary => s;

/** The labs, with their files in `labsDir/<id>/` (the images). */
/**
 * Holds the next check run before its machine starts, until it is cancelled: the UI's run in
 * progress stays on screen as long as a test needs it.
 */
export class CheckGate {
  private held = false;
  hold(): void {
    this.held = true;
  }
  /** Resolves at once unless held; a held run ends with its cancellation. */
  pass(signal: AbortSignal | undefined): Promise<void> {
    if (!this.held) return Promise.resolve();
    this.held = false;
    return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new CheckRunCancelled()), { once: true }));
  }
}

export function fixtureLabs(labsDir: string): { provider: LabProvider; framework: LabFramework; labsDir: string; gate: CheckGate } {
  const gate = new CheckGate();
  fs.mkdirSync(path.join(labsDir, 'hello-proc', 'images'), { recursive: true });
  fs.writeFileSync(path.join(labsDir, 'hello-proc', 'images', 'read-path.svg'), READ_PATH_SVG);
  for (const lab of LABS) fs.mkdirSync(path.join(labsDir, lab.id), { recursive: true });
  const find = (id: string) => {
    if (id === FREE_PLAY_LAB.id) return FREE_PLAY_LAB;
    const lab = LABS.find((l) => l.id === id);
    if (!lab) throw new Error(`no lab '${id}'`);
    return lab;
  };
  const provider: LabProvider = {
    async catalog(): Promise<LabCatalog> { return { labs: LABS.map(summaryOf), problems: [], freePlay: summaryOf(FREE_PLAY_LAB) }; },
    async details(id) { return find(id); },
    async session(id, workspace) { return { id, workspace, machine: { personality: find(id).personality, pacing: 'realtime' } }; },
    async starter(id) {
      return id === 'hello-proc' ? new Map([['hello.c', new TextEncoder().encode(HELLO_STARTER)], ['Makefile', new TextEncoder().encode(HELLO_MAKEFILE)]]) : new Map();
    },
  };
  const framework: LabFramework = {
    // Items are reported as the real framework does, one by one; Cancel takes effect once the
    // machine has run (the real one stops between items).
    runChecks: async (lab, workspace, options = {}) => {
      if (lab !== 'hello-proc') throw new Error(`'${lab}' has no checks in this version of DriverLab`);
      await gate.pass(options.signal);
      const report = await checkHelloProc(workspace);
      if (options.signal?.aborted) throw new CheckRunCancelled();
      for (const item of report.items) options.onItem?.(item);
      return report;
    },
    hint: async (lab, index, language) => {
      const hint = HINTS[lab]?.[language]?.[index] ?? HINTS[lab]?.en[index];
      return hint && { title: hint[0], text: hint[1] };
    },
    startDrill: async () => undefined,
    // The drill's scenario and measurements come with the lab framework; this one scores the
    // time the attempt took, so the UI's drill frame has a score to show.
    finishDrill: async () => ({ virtualMs: 1200, wallMs: 4000, bytesLost: 0, keysPressed: 3, fixPassed: true }),
  };
  return { provider, framework, labsDir, gate };
}

/** Builds, loads, reads and unloads the learner's module in a machine of its own, on a copy of the workspace. */
async function checkHelloProc(workspace: string): Promise<CheckReport> {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-check-'));
  const files = new Map<string, Uint8Array>();
  for (const name of ['hello.c', 'Makefile']) {
    const full = path.join(workspace, name);
    if (!fs.existsSync(full)) continue;
    const data = new Uint8Array(fs.readFileSync(full));
    files.set(name, data);
    fs.writeFileSync(path.join(copy, name), data);
  }
  let out = '';
  let booted = false;
  const machine = new Machine(createNodeHost({ workspace: copy }), { personality: 'modern' }, (t) => { if (booted) out += t; });
  machine.boot();
  booted = true;
  machine.endInput();
  await machine.runShell('make >/dev/null 2>&1; echo "@build $?"; sudo insmod hello.ko; echo "@load $?"; cat /proc/hello_proc; echo "@read"; sudo rmmod hello; dmesg | grep -q "left proc registered"; echo "@leak $?"');
  fs.rmSync(copy, { recursive: true, force: true });
  out = out.replace(/\r\n/g, '\n');
  const mark = (name: string) => new RegExp(`@${name} (\\d+)`).exec(out)?.[1];
  const read = /@load \d+\n([\s\S]*?)@read/.exec(out)?.[1] ?? '';
  const item = (id: string, title: string, ok: boolean, message: string, line?: number): CheckItemResult =>
    ({ id, title, status: ok ? 'passed' : 'failed', message: ok ? '' : message, ...(ok || line === undefined ? {} : { where: { file: 'hello.c', line } }) });
  const source = new TextDecoder().decode(files.get('hello.c') ?? new Uint8Array());
  const lineOf = (text: string) => { const i = source.split('\n').findIndex((l) => l.includes(text)); return i < 0 ? undefined : i + 1; };
  const built = mark('build') === '0';
  const loaded = built && mark('load') === '0';
  const items = [
    item('builds', 'hello.c builds into hello.ko', built, 'make failed: press Build to see the errors in the editor'),
    item('loads', 'insmod loads it', loaded, built ? 'insmod hello.ko failed' : 'not built'),
    item('reads', 'cat /proc/hello_proc prints the message', loaded && read === 'Hello from kernel module!\n', `cat /proc/hello_proc printed ${JSON.stringify(read)}, expected "Hello from kernel module!\\n"`, lineOf('TODO 1') ?? lineOf('copy_to_user')),
    item('unloads', 'rmmod removes /proc/hello_proc', loaded && mark('leak') === '1', 'the module was unloaded with /proc/hello_proc still registered: remove it in hello_exit()', lineOf('TODO 3') ?? lineOf('hello_exit')),
  ];
  return { seed: 1, personality: 'modern', items, files };
}
