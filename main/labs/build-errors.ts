// What went wrong in a build, from what make, clang and gcc printed: the first error and the
// file:line it names, so a check can say where to look instead of pasting a build log.
import type { Location } from './check-api.js';

export interface BuildError {
  /** The error line as the tool printed it (paths in /home/lab shortened). */
  message: string;
  where?: Location;
}

const WORKSPACE = '/home/lab/';

function shorten(file: string): string {
  return file.startsWith(WORKSPACE) ? file.slice(WORKSPACE.length) : file;
}

/** The first error in a build's output, or undefined when it printed none we recognise. */
export function firstBuildError(output: string): BuildError | undefined {
  const lines = output.split('\n');
  for (const line of lines) {
    // clang: /home/lab/hello.c:31:17: error: expected ';' after return statement
    const cc = /^(\S+?):(\d+):(\d+): (?:fatal )?error: (.*)$/.exec(line);
    if (cc) return { message: `${shorten(cc[1]!)}:${cc[2]}:${cc[3]}: error: ${cc[4]}`, where: { file: shorten(cc[1]!), line: Number(cc[2]) } };
  }
  for (const line of lines) {
    // kbuild about a workspace file: scripts/Makefile.build:44: /home/lab/Makefile: no obj-m found
    const ws = /(\/home\/lab\/[^\s:]+):(?:(\d+):)? (.*)$/.exec(line);
    if (ws) return { message: line.split(WORKSPACE).join(''), where: { file: shorten(ws[1]!), ...(ws[2] ? { line: Number(ws[2]) } : {}) } };
  }
  for (const line of lines) {
    // make: Makefile:8: *** missing separator.  Stop.
    const mk = /^(\S+?):(\d+): \*\*\* (.*)$/.exec(line);
    if (mk && !/^make(\[\d+\])?$/.test(mk[1]!) && !mk[3]!.startsWith('[')) return { message: line.replace(WORKSPACE, ''), where: { file: shorten(mk[1]!), line: Number(mk[2]) } };
  }
  for (const line of lines) {
    // modpost / the linker: ERROR: modpost: "foo" [/home/lab/hello.ko] undefined!  -- gcc: error: x.c: No such file
    if (/\b(ERROR|error|undefined)\b/.test(line) && !/^make(\[\d+\])?: \*\*\* \[/.test(line)) return { message: line.split(WORKSPACE).join('') };
  }
  const stop = lines.find((l) => /\*\*\*/.test(l));
  return stop ? { message: stop.split(WORKSPACE).join('') } : undefined;
}
