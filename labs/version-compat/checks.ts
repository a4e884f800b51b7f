// Lab 12 checks: one source for two kernels (shared/seeds/004, "LINUX_VERSION_CODE"). The same
// my_device.c and Makefile are built on a Linux 2.2 machine and on a modern one, and each build
// must load, pass the same user test (card_test on two ports at once, the status ioctl), keep
// the module while a port is open, and unload without leaving anything behind. A compile error
// on either kernel is pointed at the TODO above it.
import type { Check, CheckContext, CheckMachine, Failure, Location, ShellResult } from '@driverlab/checks';

type Kernel = '2.2' | 'modern';
const RELEASE: Record<Kernel, string> = { '2.2': '2.2.26', modern: '6.8.0' };
const TEST = 'sudo sh -c \'for m in 0 1 2 3; do mknod /dev/my_device$m c 125 $m; done; chmod 666 /dev/my_device?\'; ./card_test /dev/my_device0 5 & ./card_test /dev/my_device1 5 & wait';
const PASSED = [
  'my_device0: card status 0x11 EXIST READY',
  'my_device0: 5 messages came back',
  'my_device1: 5 messages came back',
];

/** The 2.2 machine of a check run (the shared machine is the modern one, the lab's kernel). */
const machines22 = new WeakMap<CheckContext, CheckMachine>();

async function machineFor(t: CheckContext, kernel: Kernel): Promise<CheckMachine> {
  if (kernel === 'modern') return t.machine;
  let m = machines22.get(t);
  if (!m) {
    m = await t.boot({ personality: '2.2' });
    machines22.set(t, m);
  }
  return m;
}

function shown(r: ShellResult): string {
  return r.output.trimEnd() || `(no output, exit status ${r.status})`;
}

/** What a compile error on the other kernel is about, by the names in its message, and the TODO that says what changed. */
const ABOUT: [RegExp, number][] = [
  [/malloc\.h|uaccess\.h|semaphore\.h|moduleparam\.h|delay\.h|wait\.h/, 1],
  [/MODULE_PARM\b|module_param|MODULE_LICENSE/, 2],
  [/interruptible_sleep_on|wait_queue|timeout|schedule|'current'|msleep|wait_event/, 3],
  [/pt_regs|SA_INTERRUPT|irq_handler_t|irqreturn|IRQ_HANDLED/, 4],
  [/ioctl|MOD_INC_USE_COUNT|MOD_DEC_USE_COUNT|owner|THIS_MODULE/, 5],
  [/check_region|request_region/, 6],
];

/** The TODO a compile error at `line` of my_device.c is about: by its message or the line's code, else the nearest marker above. */
function todoFor(t: CheckContext, message: string, line: number): Location {
  const code = (t.files.read('my_device.c') ?? '').split('\n')[line - 1] ?? '';
  const about = ABOUT.find(([re]) => re.test(message)) ?? ABOUT.find(([re]) => re.test(code));
  if (about) return t.todo(about[1]);
  return todoAbove(t, line);
}

/** The TODO whose part of my_device.c holds `line`: the nearest marker above it (TODO 1 when none is). */
function todoAbove(t: CheckContext, line: number): Location {
  const lines = (t.files.read('my_device.c') ?? '').split('\n').slice(0, line);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /\bTODO (\d+):/.exec(lines[i]!);
    if (m) return t.todo(Number(m[1]));
  }
  return t.todo(1);
}

/** `make clean; make` for `kernel`: a compile error names the kernel, and the TODO it falls under. */
async function build(t: CheckContext, kernel: Kernel): Promise<void> {
  const m = await machineFor(t, kernel);
  try {
    await m.build('make clean >/dev/null; make');
  } catch (e) {
    const f = (e as { failure?: Failure }).failure;
    if (!f) throw e;
    const at = [f.where ?? []].flat()[0];
    t.fail({
      ...f,
      summary: `For the ${kernel} kernel (${RELEASE[kernel]}): ${f.summary}`,
      where: at?.file === 'my_device.c' && at.line !== undefined ? [at, todoFor(t, f.seen ?? '', at.line)] : f.where ?? t.todo(1),
      hint: `One source, two kernels: where they differ, #if LINUX_VERSION_CODE >= KERNEL_VERSION(2, 6, 0) chooses. The ${kernel} kernel's headers are in /lib/modules/$(uname -r)/build/include of its machine.`,
    });
  }
  t.expect(t.files.exists('my_device.ko'), { summary: `\`make\` finished on the ${kernel} kernel but built no my_device.ko.`, where: { file: 'Makefile' } });
}

/** Loads the build of `kernel`, runs the user test, and checks it loaded as that kernel's module. */
async function userTest(t: CheckContext, kernel: Kernel): Promise<void> {
  const m = await machineFor(t, kernel);
  const mark = m.mark();
  const load = await m.sh('sudo insmod my_device.ko');
  t.expectEqual(load.status, 0, { summary: `On the ${kernel} kernel, insmod my_device.ko failed.`, seen: shown(load), where: t.find('my_device.c', 'static int my_device_init') });
  const log = m.dmesg(mark).map((l) => l.text);
  t.expect(log.includes(`my_device: card at 0x200, irq 5, built for ${RELEASE[kernel]}`), {
    summary: `On the ${kernel} kernel, the driver did not log that it started the card, built for ${RELEASE[kernel]}.`,
    seen: log.join('\n') || '(no messages)',
    where: t.find('my_device.c', 'static int my_device_init'),
  });
  if (kernel === 'modern') {
    const taint = log.find((l) => /license|taints kernel/.test(l) && !/out-of-tree/.test(l));
    t.expect(taint === undefined, { summary: 'On the modern kernel the module taints the kernel: it has no MODULE_LICENSE.', seen: taint, where: t.todo(2) });
  }
  const r = await m.sh(TEST);
  const seen = r.output.split('\n').filter((l) => /^my_device\d: /.test(l));
  const missing = PASSED.filter((l) => !seen.includes(l));
  if (missing.length === 0) return;
  const status = seen.find((l) => /status|MY_DEVICE_GET_STATUS/.test(l));
  t.fail({
    summary: `On the ${kernel} kernel, card_test does not pass.`,
    seen: shown(r),
    expected: `${PASSED.join('\n')}\n(and my_device1's status line)`,
    where: status && !/0x11 EXIST READY|0x31 EXIST READY/.test(status) ? t.todo(5) : t.todo(3),
  });
}

/** While a port is open the module is in use; after, rmmod gives everything back. */
async function unload(t: CheckContext, kernel: Kernel): Promise<void> {
  const m = await machineFor(t, kernel);
  const busy = await m.sh('sudo sh -c "exec 3</dev/my_device2; rmmod my_device"');
  t.expectMatch(busy.output, kernel === '2.2' ? /my_device: Device or resource busy/ : /Module my_device is in use/, {
    summary: `On the ${kernel} kernel, rmmod unloaded the module while a process had /dev/my_device2 open.`,
    seen: shown(busy),
    where: t.todo(5),
    hint: kernel === '2.2' ? '2.2 counts with MOD_INC_USE_COUNT in open and MOD_DEC_USE_COUNT in release.' : 'Today\'s kernel counts the users itself, through file_operations\' .owner = THIS_MODULE.',
  });
  const mark = m.mark();
  const r = await m.sh('sudo rmmod my_device');
  t.expectEqual(r.status, 0, { summary: `On the ${kernel} kernel, rmmod failed.`, seen: shown(r) });
  const left = m.unloads(mark).find((u) => u.module === 'my_device');
  t.expect(!left || (left.leftovers.length === 0 && left.leakedAllocations === 0), {
    summary: `On the ${kernel} kernel, the module left ${[...(left?.leftovers ?? []), ...(left?.leakedAllocations ? [`${left.leakedBytes} bytes of kmalloc`] : [])].join(', ')} behind.`,
    where: t.find('my_device.c', 'static void my_device_exit'),
  });
  t.expectNoProblems(m, { kernel });
}

const checks: Check[] = [
  {
    id: 'build-22',
    title: 'on Linux 2.2: `make` builds my_device.ko from my_device.c, and `gcc` builds card_test',
    async run(t) {
      await build(t, '2.2');
      await (await machineFor(t, '2.2')).build('gcc -o card_test card_test.c');
    },
  },
  {
    id: 'test-22',
    title: 'on Linux 2.2: the module loads and card_test passes on two ports at once',
    needs: ['build-22'],
    run: (t) => userTest(t, '2.2'),
  },
  {
    id: 'unload-22',
    title: 'on Linux 2.2: rmmod is refused while a port is open, then unloads cleanly',
    needs: ['test-22'],
    run: (t) => unload(t, '2.2'),
  },
  {
    id: 'build-modern',
    title: 'on Linux 6.8: the same my_device.c and Makefile build my_device.ko',
    needs: ['build-22'],
    run: (t) => build(t, 'modern'),
  },
  {
    id: 'test-modern',
    title: 'on Linux 6.8: the module loads (licensed, no taint but out-of-tree) and the same card_test passes',
    needs: ['build-modern'],
    run: (t) => userTest(t, 'modern'),
  },
  {
    id: 'unload-modern',
    title: 'on Linux 6.8: rmmod is refused while a port is open, then unloads cleanly',
    needs: ['test-modern'],
    run: (t) => unload(t, 'modern'),
  },
];

export default checks;
