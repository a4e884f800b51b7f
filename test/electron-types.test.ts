// `main/` compiles against Electron's own type definitions (issue 9): the electron package's
// electron.d.ts is installed even though its runtime binary cannot be downloaded here, and
// `tsc -b` type-checks main/electron with it. This test makes sure that stays true: 'electron'
// resolves to that file under main/'s compiler options, and no stand-in declaration (a
// `declare module 'electron'` shim) could quietly take its place.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

function mainCompilerOptions(): ts.CompilerOptions {
  const file = path.join(ROOT, 'main', 'tsconfig.json');
  const config = ts.readConfigFile(file, ts.sys.readFile.bind(ts.sys));
  return ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(file)).options;
}

describe("main/ and Electron's type definitions", () => {
  it("resolves 'electron' to the electron package's electron.d.ts", () => {
    const options = mainCompilerOptions();
    for (const from of ['main/electron/main.ts', 'main/electron/security.ts', 'main/electron/preload.cts']) {
      const resolved = ts.resolveModuleName('electron', path.join(ROOT, from), options, ts.sys).resolvedModule;
      expect(resolved?.resolvedFileName, from).toBe(path.join(fs.realpathSync(path.join(ROOT, 'node_modules', 'electron')), 'electron.d.ts'));
    }
    const dts = fs.readFileSync(path.join(ROOT, 'node_modules', 'electron', 'electron.d.ts'), 'utf8');
    // The real thing, not a placeholder: the APIs main/electron uses are declared there.
    for (const api of ['class BrowserWindow', 'interface Protocol', 'handle(scheme: string', 'contextBridge', 'interface WebPreferences']) expect(dts).toContain(api);
  });

  it('has no stand-in declaration of the electron module anywhere in the sources', () => {
    const shim = /declare\s+module\s+['"]electron['"]/;
    for (const dir of ['main', 'renderer/src', 'emulator', 'test', 'bench']) {
      for (const file of fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        // (This file names the shim it looks for.)
        if (!/\.(c|m)?tsx?$/.test(file) || file.includes('node_modules') || path.join(ROOT, dir, file) === import.meta.filename) continue;
        const text = fs.readFileSync(path.join(ROOT, dir, file), 'utf8');
        expect(shim.test(text), `${dir}/${file}`).toBe(false);
      }
    }
  });
});
