// The editor's Build: `make` typed at the shell's prompt in the lab's terminal, its output
// turned into diagnostics. What the learner would type, where they would see it.
import type { BuildResult } from '../ipc/common/contract.js';
import type { MachineSession } from '../session/machine-session.js';
import { parseDiagnostics, WORKSPACE_DIR } from './diagnostics.js';

export const BUILD_COMMAND = 'make';

export async function buildWorkspace(session: MachineSession): Promise<BuildResult> {
  const run = await session.runCommand(BUILD_COMMAND, WORKSPACE_DIR);
  const diagnostics = parseDiagnostics(run.output);
  const failed = run.status !== undefined ? run.status !== 0 : diagnostics.some((d) => d.severity === 'error');
  return {
    command: BUILD_COMMAND,
    outcome: run.interrupted ? 'interrupted' : failed ? 'failed' : 'succeeded',
    ...(run.status !== undefined ? { status: run.status } : {}),
    diagnostics,
  };
}
