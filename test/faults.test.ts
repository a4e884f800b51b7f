// Faults from outside the learner's code: another program holding the progress database's lock,
// the disk filling up while the disk image or the workspace is saved, the compile service dying
// mid-compile. Each is reported in words a learner can act on, and nothing already saved is lost.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ProgressBusyError, ProgressStore } from '../main/progress/store.js';
import { openHardDisk } from '../main/host/disk-image.js';
import { MachineSession } from '../main/session/machine-session.js';
import type { DiskBacking } from '../emulator/host.js';
import { enc, items, tempHome } from './helpers/progress.js';
import { runSh, tempWorkspace } from './helpers/machine.js';
import { Machine } from '../emulator/machine.js';
import { NodeDirectory, createNodeHost } from '../main/host/node-host.js';

/** Another process that opens the database and holds its write lock until told to let go. */
async function lockHolder(file: string): Promise<{ release: () => Promise<void> }> {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const child = spawn(process.execPath, ['-e', `
    const Database = require(${JSON.stringify(sqlite)});
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    process.stdin.on('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });
  `], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(); });
    child.on('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return {
    release: () => new Promise<void>((resolve) => { child.removeAllListeners('exit'); child.on('exit', () => resolve()); child.stdin.write('go\n'); }),
  };
}

describe('progress database locked by another process', () => {
  it('a check run recorded while another process holds the lock waits busy_timeout, says so, and is saved when the lock goes', async () => {
    const home = tempHome();
    const store = ProgressStore.open({ home, busyTimeoutMs: 200 });
    store.recordCheckRun({ labId: 'hello-proc', seed: 1, personality: 'modern', items: items(true, false), files: { 'hello.c': enc('one') } });
    const holder = await lockHolder(path.join(home, 'progress.db'));
    let error: unknown;
    try {
      store.recordCheckRun({ labId: 'hello-proc', seed: 1, personality: 'modern', items: items(true, true), files: { 'hello.c': enc('two') } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProgressBusyError);
    expect((error as Error).message).toMatch(/progress\.db is locked by another program .* Nothing is lost: this record is kept and will be saved as soon as it lets go/);
    // Still locked: the next write is kept too, after the first.
    expect(() => store.openLab('char-device')).toThrow(/2 records are kept/);
    await holder.release();
    store.revealHint('hello-proc', 'hint-1');
    const runs = store.labHistory('hello-proc').runs;
    expect(runs.map((r) => r.passed)).toEqual([false, true]);
    expect(store.labHistory('char-device').runs).toEqual([]);
    store.close();
    const reopened = ProgressStore.open({ home });
    expect(reopened.labHistory('hello-proc').runs).toHaveLength(2);
    expect(reopened.labHistory('hello-proc').hints.map((h) => h.hintId)).toEqual(['hint-1']);
    reopened.close();
  });
});

/** A disk backing whose host disk is full from `full` on: every write fails as Node reports ENOSPC. */
function fillingDisk(disk: DiskBacking): DiskBacking & { full: boolean } {
  const wrapped = {
    full: false,
    get sectorCount() { return disk.sectorCount; },
    readSectors: (lba: number, count: number) => disk.readSectors(lba, count),
    writeSectors(lba: number, data: Uint8Array) {
      if (wrapped.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      disk.writeSectors(lba, data);
    },
    flush: () => disk.flush(),
  };
  return wrapped;
}

/** Runs `script` on a machine with `disk`; `onMark` is called when the script echoes @@mark@@. */
async function runWithMark(script: string, disk: DiskBacking, onMark: () => void): Promise<string> {
  let out = '';
  const machine = new Machine(createNodeHost({ workspace: tempWorkspace() }), { showBoot: false, disk }, (t) => {
    if (t.includes('@@mark@@')) onMark();
    out += t;
  });
  machine.boot();
  machine.endInput();
  await machine.runShell(script);
  return out.replace(/\r\n/g, '\n');
}

describe('host disk full', () => {
  it('while the disk image is written: the kernel gets write errors and says so, and what was synced before stays in the image', async () => {
    const home = tempHome();
    const image = openHardDisk(home);
    const disk = fillingDisk(image);
    const out = await runWithMark('echo first | sudo dd of=/dev/hda1 status=none && sync && echo @@mark@@ && echo second | sudo dd of=/dev/hda1 status=none; sync; echo "sync done"; dmesg | grep -iE "hda|I/O error|disk image" | tail -5', disk, () => { disk.full = true; });
    expect(out).toContain('sync done\n');
    expect(out).toMatch(/ide0: the disk image failed writing sectors \d+-\d+: ENOSPC: no space left on device, write/);
    expect(out).toMatch(/I\/O error/);
    image.close();
    const again = openHardDisk(home);
    const r = await runSh('sudo dd if=/dev/hda1 bs=6 count=1 status=none', { config: { disk: again } });
    again.close();
    expect(r.output).toBe('first\n');
  });
});

describe('host disk full while the workspace is saved', () => {
  /** The next save of `file` in `workspace` meets a full disk: its temporary copy is /dev/full. */
  const fillUp = (workspace: string, file: string) => fs.symlinkSync('/dev/full', path.join(workspace, `${file}.driverlab-tmp`));

  it('a write from the machine fails with ENOSPC; the file keeps its previous content and no temporary is left', async () => {
    const workspace = tempWorkspace({ 'hello.c': 'int good;\n' });
    fillUp(workspace, 'hello.c');
    const r = await runSh('echo "int bad;" > hello.c; echo "status $?"; ls', { workspace });
    expect(r.output).toMatch(/No space left on device\n(.*\n)?status [12]\n/);
    expect(fs.readFileSync(path.join(workspace, 'hello.c'), 'utf8')).toBe('int good;\n');
    expect(fs.readdirSync(workspace)).toEqual(['hello.c']);
  });

  it('a save from the editor says the disk is full and that the previous version is kept', () => {
    const workspace = tempWorkspace({ 'hello.c': 'int good;\n' });
    fillUp(workspace, 'hello.c');
    const dir = new NodeDirectory(workspace);
    expect(() => dir.writeFile('hello.c', enc('int bad;\n'))).toThrow('hello.c was not saved: the host disk is full. The previous version is kept; free some space and save again.');
    expect(fs.readFileSync(path.join(workspace, 'hello.c'), 'utf8')).toBe('int good;\n');
    dir.writeFile('hello.c', enc('int better;\n'));
    expect(fs.readFileSync(path.join(workspace, 'hello.c'), 'utf8')).toBe('int better;\n');
  });
});

describe('the compile service killed mid-compile', () => {
  const HELLO = '#include <linux/module.h>\nstatic int __init hi_init(void) { printk(KERN_INFO "hi\\n"); return 0; }\nstatic void __exit hi_exit(void) { }\nmodule_init(hi_init);\nmodule_exit(hi_exit);\nMODULE_LICENSE("GPL");\n';
  const MAKEFILE = 'obj-m += hi.o\n\nall:\n\t$(MAKE) -C /lib/modules/$(shell uname -r)/build M=$(PWD) modules\n';

  it('the build says the machine crashed before it finished; the workspace is as it was; after a new boot the build works', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-fault-'));
    fs.writeFileSync(path.join(workspace, 'hi.c'), HELLO);
    fs.writeFileSync(path.join(workspace, 'Makefile'), MAKEFILE);
    // The compiler's cache would make the build too quick to interrupt (the machine's thread reads this when it starts).
    const cache = process.env.DRIVERLAB_CACHE;
    const restoreCache = () => { if (cache === undefined) delete process.env.DRIVERLAB_CACHE; else process.env.DRIVERLAB_CACHE = cache; };
    process.env.DRIVERLAB_CACHE = 'off';
    const session = new MachineSession({ id: 'free-play', workspace, machine: { personality: 'modern', pacing: 'realtime' } });
    let screen = '';
    session.output.attach((chunk) => { screen += chunk.data; session.output.ack(chunk.stream, chunk.data.length); });
    const prompt = async () => {
      for (let waited = 0; !screen.includes('user@driverlab:/home/lab$ '); waited += 10) {
        if (waited > 20_000) throw new Error(`no prompt; screen:\n${JSON.stringify(screen.slice(-500))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    try {
      session.boot();
      await prompt();
      const build = session.runCommand('make', '/home/lab');
      // kbuild prints CC before it runs clang, which then loads in the machine's thread for about a
      // second (cache off): terminating right after the line is mid-compile, on a quiet machine too.
      for (let waited = 0; !screen.includes('CC [M]'); waited += 5) {
        if (waited > 20_000) throw new Error(`make never compiled; screen:\n${JSON.stringify(screen.slice(-500))}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      await session.thread!.terminate();
      restoreCache();
      await expect(build).rejects.toThrow(/the machine stopped \(crashed: the machine thread exited with code 1\) before the command finished/);
      expect(fs.readdirSync(workspace).sort()).toEqual(['Makefile', 'hi.c']);
      expect(fs.readFileSync(path.join(workspace, 'hi.c'), 'utf8')).toBe(HELLO);
      screen = '';
      session.boot();
      await prompt();
      const again = await session.runCommand('make -s && sudo insmod hi.ko && dmesg | tail -1', '/home/lab');
      expect(again.status).toBe(0);
      expect(again.output).toMatch(/\] hi\r?\n/);
    } finally {
      restoreCache();
      await session.dispose();
    }
  });
});
