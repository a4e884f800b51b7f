import { describe, expect, it } from 'vitest';
import type { LabProgress, LabSummary } from '../ipc/common/contract.js';
import { suggestNextLab } from './next-lab.js';

const lab = (id: string, order: number, prerequisites: string[] = [], kind: 'lab' | 'drill' = 'lab'): LabSummary =>
  ({ id, title: id, summary: '', topic: 't', personality: 'modern', order, prerequisites, kind });
const progress = (id: string, status: LabProgress['status'], at = 0): LabProgress =>
  ({ id, title: id, topic: 't', status, firstOpenedAt: at || null, firstPassedAt: null, timeSpentMs: 0, checkRuns: 0, lastRunAt: at || null, hintsRevealed: 0 });

describe('the next lab', () => {
  const labs = [lab('chardev', 2, ['hello']), lab('hello', 1), lab('irq', 3, ['chardev']), lab('oops-drill', 0, [], 'drill')];

  it('is the first lab in curriculum order for a new learner (drills are never next)', () => {
    expect(suggestNextLab(labs, [])).toBe('hello');
  });

  it('is the lab in progress worked on last', () => {
    expect(suggestNextLab(labs, [progress('hello', 'in progress', 10), progress('irq', 'in progress', 20)])).toBe('irq');
  });

  it('is the first lab whose prerequisites are passed', () => {
    expect(suggestNextLab(labs, [progress('hello', 'passed')])).toBe('chardev');
    expect(suggestNextLab(labs, [progress('hello', 'passed'), progress('chardev', 'passed')])).toBe('irq');
  });

  it('is none when everything is passed', () => {
    expect(suggestNextLab(labs, ['hello', 'chardev', 'irq'].map((id) => progress(id, 'passed')))).toBeNull();
  });
});
