// Test helpers: lab folders as a lab author writes them (labs/README.md), small and whole, to be
// broken one file at a time.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MINIMAL_CHECKS = `import type { Check } from '@driverlab/checks';

const checks: Check[] = [
  {
    id: 'greeting',
    title: 'hello.c says hello',
    run(t) {
      t.expect(t.files.read('hello.c')?.trim() === '/* hello */', { summary: 'hello.c does not say hello', where: t.todo(1) });
    },
  },
];

export default checks;
`;

export interface LabFiles {
  manifest?: Record<string, unknown>;
  /** Files of the folder: relative path -> content, or null to leave the file out. */
  files?: Record<string, string | null>;
}

/** A whole lab in labsDir/id (overrides change or drop its parts); returns its folder. */
export function writeLab(labsDir: string, id: string, o: LabFiles = {}): string {
  const dir = path.join(labsDir, id);
  const manifest = {
    id, title: `Lab ${id}`, summary: 'A lab for tests.', topic: 'tests', order: 1, difficulty: 'beginner',
    estimatedMinutes: 5, personality: 'modern', languages: ['en'], ...o.manifest,
  };
  const files: Record<string, string | null> = {
    'lab.json': JSON.stringify(manifest, null, 2),
    'README.md': `# ${id}\n\nSay hello.\n`,
    'hints.md': '# Hints\n\n## Say it\n\nWrite hello.\n\n## Exactly\n\n`/* hello */`\n',
    'starter/hello.c': '/* TODO 1: say hello */\n',
    'solution/hello.c': '/* hello */\n',
    'checks.ts': MINIMAL_CHECKS,
    ...o.files,
  };
  for (const [name, content] of Object.entries(files)) {
    if (content === null) continue;
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}
