// ARCHITECTURE.md's dependency rule is enforced by the build: emulator/ may not
// import Node, Electron or UI code, and hw/ may not import the kernel.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

async function lint(code: string, filePath: string): Promise<string[]> {
  const eslint = new ESLint();
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering', () => {
  it('refuses Node built-ins, Electron and DOM libraries in emulator/', async () => {
    expect(await lint("import * as fs from 'node:fs';\nvoid fs;\n", 'emulator/kernel/bad.ts')).toHaveLength(1);
    expect(await lint("import * as fs from 'fs';\nvoid fs;\n", 'emulator/userland/bad.ts')).toHaveLength(1);
    expect(await lint("import { app } from 'electron';\nvoid app;\n", 'emulator/machine-bad.ts')).toHaveLength(1);
    expect(await lint("import { Terminal } from '@xterm/xterm';\nvoid Terminal;\n", 'emulator/bad.ts')).toHaveLength(1);
  });

  it('lets emulator/ import its own folders (kernel/fs is not Node\'s fs)', async () => {
    expect(await lint("import { S_IFMT } from '../kernel/fs/types.js';\nvoid S_IFMT;\n", 'emulator/userland/ok.ts')).toEqual([]);
  });

  it('keeps hw/ free of the kernel', async () => {
    expect(await lint("import { Kernel } from '../kernel/kernel.js';\nvoid Kernel;\n", 'emulator/hw/bad.ts')).toHaveLength(1);
  });

  it('allows Node in main/', async () => {
    expect(await lint("import * as fs from 'node:fs';\nvoid fs;\n", 'main/host/ok.ts')).toEqual([]);
  });

  it('keeps the renderer to the IPC contract: no Node, no Electron, no emulator, no main/ but main/ipc/common/', async () => {
    expect(await lint("import * as fs from 'node:fs';\nvoid fs;\n", 'renderer/src/bad.ts')).toHaveLength(1);
    expect(await lint("import { ipcRenderer } from 'electron';\nvoid ipcRenderer;\n", 'renderer/src/bad.tsx')).toHaveLength(1);
    expect(await lint("import { Machine } from '../../emulator/machine';\nvoid Machine;\n", 'renderer/src/bad.ts')).toHaveLength(1);
    expect(await lint("import { DriverLabCore } from '../../main/app/core';\nvoid DriverLabCore;\n", 'renderer/src/bad.ts')).toHaveLength(1);
    expect(await lint("import { CONTRACT } from '../../main/ipc/common/contract';\nvoid CONTRACT;\n", 'renderer/src/ok.ts')).toEqual([]);
  });

  it('keeps the shared IPC contract plain TypeScript', async () => {
    expect(await lint("import * as fs from 'node:fs';\nvoid fs;\n", 'main/ipc/common/bad.ts')).toHaveLength(1);
    expect(await lint("import { ProgressStore } from '../../progress/store.js';\nvoid ProgressStore;\n", 'main/ipc/common/bad.ts')).toHaveLength(1);
    expect(await lint("import type { Settings } from '../../progress/settings.js';\nexport type S = Settings;\n", 'main/ipc/common/ok.ts')).toEqual([]);
  });
});
