// The kernel command line at boot (start_kernel's parse_options): the kernel's own parameters,
// drivers' setup functions, and what is left for init.
//
// On 2.2 every word the kernel does not handle inline (ro, rw, debug, quiet, init=) goes to
// checksetup(): the raw_params and cooked_params tables of init/main.c, then the __setup()
// handlers. When the kernel image carries C code (a kernel built from /usr/src/linux), that is the
// learner's own init/main.c, compiled: its tables decide. The stock kernel has the tables of the
// pristine main.c, below. Their entries for the kernel's own parameters (root=, reserve=, panic=,
// console=) call the functions here, from either.
import type { Kernel } from './kernel.js';
import { dispatchSetup, getOptions, parseOptions22 } from '../boot/cmdline.js';
import { panicSettings } from './oops.js';

/** A setup function of the kernel proper: 2.2's `void fn(char *str, int *ints)` (ints NULL for raw_params). */
export type KernelSetup = (k: Kernel, str: string, ints: number[] | undefined) => void;

/** name_to_kdev_t(): "/dev/hda1", "hda1" or a hex number such as LILO's "301". */
export function nameToKdev(name: string): number {
  const dev = name.startsWith('/dev/') ? name.slice(5) : name;
  const m = /^(hd[a-d]|sd[a-d]|fd)(\d*)$/.exec(dev);
  const bases: Record<string, number> = { hda: 0x0300, hdb: 0x0340, hdc: 0x1600, hdd: 0x1640, sda: 0x0800, sdb: 0x0810, sdc: 0x0820, sdd: 0x0830, fd: 0x0200 };
  if (m) return bases[m[1]!]! + Number(m[2] || 0);
  const n = Number.parseInt(dev, 16);
  return Number.isNaN(n) ? 0 : n;
}

/**
 * The kernel's own setup functions, by the name init/main.c's tables use. Each does what 2.2's
 * does: root_dev_setup names the root device, reserve_setup claims I/O ranges as "reserved" so
 * that no driver probes them ("reserve=0x300,32"), panic_setup sets the reboot delay after a
 * panic, console_setup picks the console.
 */
export const KERNEL_SETUPS: Readonly<Record<string, KernelSetup>> = {
  root_dev_setup: (k, str) => { k.rootDev = nameToKdev(str); },
  reserve_setup: (k, _str, ints = [0]) => {
    for (let i = 1; i < ints[0]!; i += 2) k.ioports.request(ints[i]!, ints[i + 1]!, 'reserved');
  },
  panic_setup: (k, _str, ints = [0]) => { if (ints[0] === 1) panicSettings.setTimeout(k, ints[1]!); },
  console_setup: (k, str) => { k.consoleDevice = str; },
};

interface StockEntry { name: string; raw: boolean; setup: KernelSetup }

/** The setup tables of the pristine init/main.c, which the stock kernel was built from. */
const STOCK_22_TABLES: readonly StockEntry[] = [
  { name: 'root=', raw: true, setup: KERNEL_SETUPS.root_dev_setup! },
  { name: 'reserve=', raw: false, setup: KERNEL_SETUPS.reserve_setup! },
  { name: 'profile=', raw: false, setup: () => undefined },
  { name: 'panic=', raw: false, setup: KERNEL_SETUPS.panic_setup! },
  { name: 'console=', raw: false, setup: KERNEL_SETUPS.console_setup! },
];

/** checksetup() of the stock kernel: raw_params first, then cooked_params with get_options(). */
function stockChecksetup(k: Kernel, word: string): boolean {
  for (const raw of [true, false]) {
    const entry = STOCK_22_TABLES.find((e) => e.raw === raw && word.startsWith(e.name));
    if (!entry) continue;
    const str = word.slice(entry.name.length);
    entry.setup(k, str, raw ? undefined : getOptions(str, 10).ints);
    return true;
  }
  return false;
}

/** Something that claims command-line words: the C code built into the kernel image. */
export interface SetupClaimer {
  checksetup(word: string): boolean;
}

/**
 * Parses k.cmdline as the kernel's personality does, runs the setup functions, and leaves init's
 * arguments and environment in k.initArgv / k.initEnvp.
 */
export function parseBootOptions(k: Kernel, builtin: SetupClaimer | undefined): void {
  if (k.personality === '2.2') {
    const o = parseOptions22(k.cmdline, (word) => (builtin ? builtin.checksetup(word) : stockChecksetup(k, word)));
    k.initArgv = o.initArgv;
    k.initEnvp = o.initEnvp;
    if (o.init !== undefined) k.initPath = o.init;
    if (o.loglevel !== undefined) k.log.consoleLoglevel = o.loglevel;
    if (o.readOnly !== undefined) k.rootReadOnly = o.readOnly;
    return;
  }
  const d = dispatchSetup(k.cmdline, []);
  for (const error of d.errors) k.printk(`\x013${error}\n`);
  if (d.root !== undefined) k.rootDev = nameToKdev(d.root);
  if (d.readOnly !== undefined) k.rootReadOnly = d.readOnly;
  if (d.console.length) k.consoleDevice = d.console[d.console.length - 1]!;
  if (d.loglevel !== undefined) k.log.consoleLoglevel = d.loglevel;
  if (d.init !== undefined) k.initPath = d.init;
  if (d.unknown.length) k.printk(`\x015Unknown kernel command line parameters "${d.unknown.join(' ')}", will be passed to user space.\n`);
  k.initArgv = d.initArgv;
  k.initEnvp = d.initEnvp;
}
