// ESLint flat config. The layering rule of ARCHITECTURE.md lives here (and in
// emulator/tsconfig.json, which has no Node or DOM types): emulator/ is pure
// TypeScript and reaches files, workers and the compiler only through its Host.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'fs/promises', 'path', 'os', 'child_process', 'worker_threads', 'url', 'crypto', 'module', 'process', 'buffer', 'events', 'stream', 'util', 'net', 'http', 'https'];

const forbiddenInEmulator = {
  paths: nodeBuiltins.map((name) => ({ name, message: 'emulator/ must not import Node built-ins; use the Host interface (emulator/host.ts).' })),
  patterns: [
    { group: ['node:*'], message: 'emulator/ must not import Node modules; use the Host interface (emulator/host.ts).' },
    { group: ['electron', 'electron/*'], message: 'emulator/ must not import Electron.' },
    { group: ['react', 'react-dom', 'react/*', '@xterm/*'], message: 'emulator/ must not import UI code.' },
    { group: ['../main/*', '../../main/*', '../../../main/*', '**/main/**', '**/renderer/**'], message: 'emulator/ must not depend on main/ or renderer/.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'renderer/dist/**', '**/*.d.ts', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['emulator/**/*.ts'],
    ignores: ['emulator/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', forbiddenInEmulator] },
  },
  {
    files: ['emulator/hw/**/*.ts'],
    ignores: ['emulator/hw/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: forbiddenInEmulator.paths,
        patterns: [...forbiddenInEmulator.patterns,
          { group: ['../kernel/*', '../../kernel/*', '**/kernel/**', '**/userland/**', '**/toolchain/**'], message: 'hw/ knows nothing of the kernel (ARCHITECTURE.md dependency rule).' }],
      }],
    },
  },
  {
    // The IPC contract is shared with the renderer: plain TypeScript, like emulator/.
    files: ['main/ipc/common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'main/ipc/common/ is shared with the renderer: no Node built-ins.' })),
        patterns: [
          { group: ['node:*', 'electron', 'electron/*'], message: 'main/ipc/common/ is shared with the renderer: no Node or Electron.' },
          // emulator/events.ts is the event stream's types, without imports (made to be shared).
          { regex: '^\\.\\./(?!\\.\\./progress/settings\\.js$|\\.\\./\\.\\./emulator/events\\.js$)', message: 'main/ipc/common/ may import only itself, the settings type and the event stream\'s types.' },
        ],
      }],
    },
  },
  {
    // The renderer reaches the core only through the IPC contract (ARCHITECTURE.md dependency rule).
    files: ['renderer/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'the renderer runs in a sandboxed page: no Node built-ins.' })),
        patterns: [
          { group: ['node:*', 'electron', 'electron/*'], message: 'the renderer runs in a sandboxed page: no Node or Electron; use the IPC contract.' },
          { regex: '(^|/)emulator/', message: 'the renderer reaches the machine only through the IPC contract.' },
          { regex: '(^|/)main/(?!ipc/common/)', message: 'the renderer may import only main/ipc/common/ (the IPC contract).' },
        ],
      }],
    },
  },
  {
    files: ['bin/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
