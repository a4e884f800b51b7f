// A failed check item: the error that carries it out of a check, and the text the learner reads.
import type { Failure, Location } from './check-api.js';

export class CheckFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.summary);
    this.name = 'CheckFailure';
  }
}

/** Accepts what checks pass to t.fail(): a whole Failure or just its summary. */
export function toFailure(f: Failure | string): Failure {
  return typeof f === 'string' ? { summary: f } : f;
}

/** "hello.c:52 (TODO 2)". */
export function formatLocation(l: Location): string {
  return `${l.file}${l.line !== undefined ? `:${l.line}` : ''}${l.note ? ` (${l.note})` : ''}`;
}

export function locations(f: Failure): Location[] {
  return f.where === undefined ? [] : Array.isArray(f.where) ? f.where : [f.where];
}

/** Lines of seen/expected text kept in a message: enough to recognise it, not a whole build log. */
const MAX_QUOTED_LINES = 12;

function quote(text: string): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  const kept = lines.length > MAX_QUOTED_LINES ? [...lines.slice(0, MAX_QUOTED_LINES), `... (${lines.length - MAX_QUOTED_LINES} more lines)`] : lines;
  if (kept.length === 1 && kept[0] === '') return '(nothing)';
  return kept.length === 1 ? kept[0]! : '\n' + kept.map((l) => `    ${l}`).join('\n');
}

/** The message recorded with the run and shown under the item: summary, seen, expected, where to look. */
export function formatFailure(f: Failure): string {
  const parts = [f.summary];
  const label = (name: string, text: string) => { const q = quote(text); return `${name}:${q.startsWith('\n') ? '' : ' '}${q}`; };
  if (f.seen !== undefined) parts.push(label('Seen', f.seen));
  if (f.expected !== undefined) parts.push(label('Expected', f.expected));
  const where = locations(f);
  if (where.length > 0) parts.push(`Look at: ${where.map(formatLocation).join(', ')}`);
  if (f.hint) parts.push(f.hint);
  return parts.join('\n');
}
