// The shell against the real kernel: pipes, substitutions, redirections, jobs.
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

describe('shell on the virtual PC', () => {
  it('runs pipelines inside command substitutions', async () => {
    const r = await runSh('a=$(echo hello world | tr a-z A-Z | cut -d" " -f2); echo "[$a]"; echo "$(printf "%s\\n" b a c | sort | head -1)"');
    expect(r.output).toBe('[WORLD]\na\n');
  });

  it('applies redirections in order and keeps exit statuses', async () => {
    const r = await runSh('ls /nothere >out 2>&1; echo "st $?"; cat out; false || echo recovered; true && echo chained; (exit 3); echo "sub $?"');
    expect(r.output).toBe("st 2\nls: cannot access '/nothere': No such file or directory\nrecovered\nchained\nsub 3\n");
  });

  it('runs background jobs with $! and wait', async () => {
    const r = await runSh('sleep 2 & p=$!; [ "$p" -gt 1 ] && echo "pid ok"; wait $p; echo "waited $?"; for i in 1 2 3; do echo $i; done | wc -l');
    expect(r.output).toBe('pid ok\nwaited 0\n3\n');
  });

  it('gives a background job the variables as they were when it was started, not when it first runs', async () => {
    const r = await runSh('for i in 1 2 3; do ( echo "sub $i" ) & done; wait; w() { echo "fn $1 $i"; }; for i in 4 5; do w $i & done; wait');
    expect(r.output.split('\n').filter(Boolean).sort()).toEqual(['fn 4 4', 'fn 5 5', 'sub 1', 'sub 2', 'sub 3']);
  });
});
