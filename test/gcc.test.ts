// gcc for user programs: include paths as programs' Makefiles write them.
import { describe, expect, it } from 'vitest';
import { runSh } from './helpers/machine.js';

describe('gcc', () => {
  it('-I. finds a header of the current directory for a source in a subdirectory', async () => {
    const r = await runSh('gcc -I. -o tools/show tools/show.c && tools/show && gcc -I ./tools/.. -o tools/show tools/show.c && tools/show', {
      files: {
        'shared.h': '#define ANSWER 42\n',
        'tools/show.c': '#include <stdio.h>\n#include "shared.h"\nint main(void) { printf("%d\\n", ANSWER); return 0; }\n',
      },
    });
    expect(r.output).toBe('42\n42\n');
  });
});
