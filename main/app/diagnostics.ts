// What a build printed, as diagnostics the editor can mark: clang's and gcc's
// `file:line:col: error: ...` (with the file made relative to the workspace, following make's
// "Entering directory" lines for relative paths), make's `Makefile:N: *** ...`, and the
// messages of modpost and the linker, which name no line but still fail the build.
import type { BuildDiagnostic, DiagnosticSeverity } from '../ipc/common/contract.js';

/** The workspace as the machine sees it. */
export const WORKSPACE_DIR = '/home/lab';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\x1b[=>]/g;

const COMPILER = /^(?<path>[^\s:][^:]*?):(?<line>\d+):(?:(?<column>\d+):)? (?<severity>fatal error|error|warning|note): (?<message>.*)$/;
const MAKE_ERROR = /^(?<path>[^\s:][^:]*?):(?<line>\d+): \*\*\* (?<message>.*)$/;
const MAKE_DIR = /^make(?:\[\d+\])?: (?<action>Entering|Leaving) directory '(?<dir>[^']+)'$/;
const TOOL = /^(?<tool>(?:\/usr\/bin\/)?(?:ld|wasm-ld)|collect2|gcc|cc|clang|kbuild): (?:(?<severity>fatal error|error|warning): )?(?<message>.*)$/;
const MODPOST = /^(?<severity>ERROR|WARNING): modpost: (?<message>.*)$/;

function severityOf(word: string): DiagnosticSeverity {
  if (word === 'warning' || word === 'WARNING') return 'warning';
  if (word === 'note') return 'note';
  return 'error';
}

/** `/home/lab/a/b.c` or `b.c` printed in `/home/lab/a` -> `a/b.c`; undefined outside the workspace. */
export function workspacePath(printed: string, cwd: string): string | undefined {
  const parts: string[] = [];
  for (const seg of (printed.startsWith('/') ? printed : `${cwd}/${printed}`).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  const full = `/${parts.join('/')}`;
  return full.startsWith(`${WORKSPACE_DIR}/`) ? full.slice(WORKSPACE_DIR.length + 1) : undefined;
}

/** The diagnostics in `output` (a terminal's text: \r\n, colours), in the order printed. */
export function parseDiagnostics(output: string, startDir = WORKSPACE_DIR): BuildDiagnostic[] {
  const diagnostics: BuildDiagnostic[] = [];
  const dirs = [startDir];
  const cwd = () => dirs[dirs.length - 1]!;
  for (const raw of output.replace(ANSI, '').split(/\r?\n/)) {
    const line = raw.replace(/\r/g, '');
    let m: RegExpExecArray | null;
    if ((m = MAKE_DIR.exec(line))) {
      if (m.groups!.action === 'Entering') dirs.push(m.groups!.dir!);
      else if (dirs.length > 1) dirs.pop();
    } else if ((m = COMPILER.exec(line))) {
      const g = m.groups!;
      diagnostics.push({
        file: workspacePath(g.path!, cwd()), source: g.path!, line: Number(g.line),
        ...(g.column ? { column: Number(g.column) } : {}), severity: severityOf(g.severity!), message: g.message!,
      });
    } else if ((m = MAKE_ERROR.exec(line)) && !/^make(\[\d+\])?$/.test(m.groups!.path!)) {
      const g = m.groups!;
      diagnostics.push({ file: workspacePath(g.path!, cwd()), source: g.path!, line: Number(g.line), severity: 'error', message: g.message!.replace(/\s+Stop\.$/, '') });
    } else if ((m = MODPOST.exec(line))) {
      diagnostics.push({ source: 'modpost', severity: severityOf(m.groups!.severity!), message: m.groups!.message!.split(`${WORKSPACE_DIR}/`).join('') });
    } else if ((m = TOOL.exec(line))) {
      const g = m.groups!;
      // "collect2: error: ld returned 1 exit status" repeats the linker's own message.
      if (g.tool === 'collect2') continue;
      diagnostics.push({ source: g.tool!.replace(/^\/usr\/bin\//, ''), severity: g.severity ? severityOf(g.severity) : 'error', message: g.message! });
    }
  }
  return diagnostics;
}
