// lab.json: a lab's manifest, the schema it must meet, and the messages a lab author gets when
// it does not. The schema is strict (an unknown key is reported, not ignored): a misspelt
// "personalty" would otherwise silently boot the wrong kernel.
import * as v from 'valibot';
import { isValidLabId } from '../progress/paths.js';

export const DIFFICULTIES = ['beginner', 'intermediate', 'advanced'] as const;
export const LANGUAGES = ['en', 'ko'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];
export type Language = (typeof LANGUAGES)[number];

const hexOrNumber = (what: string, max: number) => v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]+$/, `${what}: write a number or a hex string like "0x200"`))]),
  v.transform((x) => (typeof x === 'number' ? x : parseInt(x, 16))),
  v.integer(`${what} must be a whole number`),
  v.minValue(0, `${what} must be >= 0`),
  v.maxValue(max, `${what} is too big`),
);

/** One MY_DEVICE card and its jumpers (shared/design/my_device-datasheet.md); left-out jumpers take the slot's defaults. */
export const CardSchema = v.strictObject({
  io: v.optional(hexOrNumber('io', 0xffff)),
  irq: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(15))),
  mem: v.optional(hexOrNumber('mem', 0xfffff)),
  /** false for labs before the firmware lab: the card runs without a firmware download. */
  firmwareCheck: v.optional(v.boolean()),
});

const MachineSchema = v.strictObject({
  /** MY_DEVICE cards; absent means the default single card at 0x200, IRQ 5, 0xD0000. */
  cards: v.optional(v.pipe(v.array(CardSchema), v.maxLength(4, 'a machine holds at most 4 cards'))),
  /** Extra kernel command line. */
  cmdline: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  /** The scheduler seed checks boot with (default 1). */
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1))),
});

const LabId = v.pipe(v.string(), v.check((s: string) => isValidLabId(s), 'a lab id is lower-case letters, digits, ".", "_" and "-"'));

export const ManifestSchema = v.strictObject({
  id: LabId,
  title: v.pipe(v.string(), v.minLength(1), v.maxLength(120)),
  /** One or two sentences for the lab list. */
  summary: v.pipe(v.string(), v.minLength(1), v.maxLength(400)),
  /** The curriculum's topic the lab belongs to (progress is summed per topic). */
  topic: v.pipe(v.string(), v.minLength(1), v.maxLength(60)),
  /** Position in the curriculum: labs are listed in this order. */
  order: v.pipe(v.number(), v.integer(), v.minValue(0)),
  difficulty: v.picklist(DIFFICULTIES),
  estimatedMinutes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(24 * 60)),
  personality: v.picklist(['modern', '2.2'] as const),
  machine: v.optional(MachineSchema, {}),
  /** Labs to pass first (ids); the list shows them, nothing is locked. */
  prerequisites: v.optional(v.array(LabId), []),
  /** Languages of the instructions: 'en' is README.md, 'ko' README.ko.md. */
  languages: v.pipe(v.array(v.picklist(LANGUAGES)), v.minLength(1), v.check((l) => l.includes('en'), "'en' (README.md) is required")),
  /** What the checks allow (see labs/README.md). */
  limits: v.optional(v.strictObject({
    /** Longest a driver may busy-wait (spin in the kernel without sleeping), in virtual ms. */
    busyWaitMs: v.optional(v.pipe(v.number(), v.minValue(0))),
  }), {}),
});

export type LabManifest = v.InferOutput<typeof ManifestSchema>;
export type CardManifest = v.InferOutput<typeof CardSchema>;

/** Valibot's words, except for a key the schema does not know, which is most likely misspelt. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.expected !== 'never') return issue.message;
  const key = v.getDotPath(issue)?.split('.').at(-1);
  return `unknown key '${key}' (misspelt? labs/README.md lists the keys of lab.json)`;
}

/** The manifest in `text`, or the problems with it, each naming the key ("lab.json: machine.cards.0.irq: ..."). */
export function parseManifest(text: string, folder: string): { manifest: LabManifest } | { problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { problems: [`lab.json: not valid JSON: ${(e as Error).message}`] };
  }
  const r = v.safeParse(ManifestSchema, raw);
  if (!r.success) {
    return { problems: r.issues.map((i) => `lab.json: ${v.getDotPath(i) ?? '(top level)'}: ${describeIssue(i)}`) };
  }
  if (r.output.id !== folder) return { problems: [`lab.json: id '${r.output.id}' is not the folder's name '${folder}'`] };
  return { manifest: r.output };
}
