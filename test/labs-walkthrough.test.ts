// The lab 1 walkthrough (labs/hello-proc/WALKTHROUGH.md) replayed: a new learner's session from
// `driverlab labs` to a passed check, with the edits they made. Each `$ driverlab ...` line runs
// through the real CLI and must print what the walkthrough shows; each "Edit `FILE`" block is
// applied to the workspace. UPDATE_WALKTHROUGH=1 records the outputs again instead of comparing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCacheDir } from '../main/host/node-host.js';

const CLI = path.resolve(import.meta.dirname, '../bin/driverlab.js');
const LABS = path.resolve(import.meta.dirname, '../labs');
const WALKTHROUGH = path.join(LABS, 'hello-proc', 'WALKTHROUGH.md');
const UPDATE = process.env.UPDATE_WALKTHROUGH === '1';

/** Splits a command line into words, with '...' and "..." quoting as the shell does. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3]!);
  return out;
}

interface Console { kind: 'console'; start: number; end: number; commands: { line: string; output: string[] }[] }
interface Edit { kind: 'edit'; file: string; remove: string; add: string }

/**
 * The walkthrough's console blocks (with their place in the file) and edits, in order. A console
 * block is fenced with four backticks (outputs hold three-backtick blocks) and holds one
 * command: any `$ cd DIR` lines, then `$ driverlab ...`, then everything after it is its output.
 */
function parse(lines: string[]): (Console | Edit)[] {
  const steps: (Console | Edit)[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '````console') {
      const block: Console = { kind: 'console', start: i + 1, end: i + 1, commands: [] };
      for (i++; lines[i] !== '````'; i++) {
        const last = block.commands.at(-1);
        if (lines[i]!.startsWith('$ ') && (!last || last.line.startsWith('cd '))) block.commands.push({ line: lines[i]!.slice(2), output: [] });
        else last!.output.push(lines[i]!);
      }
      block.end = i;
      steps.push(block);
    }
    const edit = /^Edit `([^`]+)`/.exec(lines[i]!);
    if (edit) {
      while (lines[i] !== '```diff') i++;
      const remove: string[] = [], add: string[] = [];
      for (i++; lines[i] !== '```'; i++) {
        const l = lines[i]!;
        if (l.startsWith('-')) remove.push(l.slice(1));
        else if (l.startsWith('+')) add.push(l.slice(1));
        else { remove.push(l.slice(1)); add.push(l.slice(1)); }
      }
      steps.push({ kind: 'edit', file: edit[1]!, remove: remove.join('\n'), add: add.join('\n') });
    }
  }
  return steps;
}

describe('lab 1 walkthrough (labs/hello-proc/WALKTHROUGH.md)', () => {
  it('replays a new learner\'s session, from driverlab labs to a passed check', () => {
    const home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'driverlab-walkthrough-')));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, DRIVERLAB_LABS: LABS, DRIVERLAB_CACHE: compileCacheDir() ?? 'off' };
    delete env.DRIVERLAB_HOME;
    delete env.XDG_DATA_HOME;
    const lines = fs.readFileSync(WALKTHROUGH, 'utf8').split('\n');
    const steps = parse(lines);
    let cwd = home;
    const recorded: { start: number; end: number; lines: string[] }[] = [];
    for (const step of steps) {
      if (step.kind === 'edit') {
        const file = path.join(cwd, step.file);
        const text = fs.readFileSync(file, 'utf8');
        expect(text.includes(step.remove), `the edit of ${step.file} finds:\n${step.remove}`).toBe(true);
        fs.writeFileSync(file, text.replace(step.remove, step.add));
        continue;
      }
      const block: string[] = [];
      for (const command of step.commands) {
        block.push(`$ ${command.line}`);
        const [program, ...args] = words(command.line);
        if (program === 'cd') {
          cwd = path.resolve(cwd, args[0]!.replace(/^~/, home));
          continue;
        }
        expect(program).toBe('driverlab');
        const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
        const output = (r.stdout + r.stderr).split(home).join('~').replace(/\n$/, '');
        const got = output === '' ? [] : output.split('\n');
        // Kernel log times move whenever boot changes; what the learner saw is the rest.
        const untimed = (text: string) => text.replace(/^\[\s*\d+\.\d{6}\]/gm, '[time]');
        if (!UPDATE) expect(untimed(got.join('\n')), `output of: ${command.line}`).toBe(untimed(command.output.join('\n')));
        block.push(...got);
      }
      recorded.push({ start: step.start, end: step.end, lines: block });
    }
    expect(recorded.at(-1)?.lines.join('\n')).toMatch(/1 +hello-proc +passed/);
    if (UPDATE) {
      for (const r of [...recorded].reverse()) lines.splice(r.start, r.end - r.start, ...r.lines);
      fs.writeFileSync(WALKTHROUGH, lines.join('\n'));
    }
  }, 600_000);
});
