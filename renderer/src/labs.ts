// A lab's words in the learner's language, when the lab has them.
import type { Language, LabSummary } from '../../main/ipc/common/contract';

export function labTitle(lab: LabSummary, language: Language): string {
  return lab.translations?.[language]?.title ?? lab.title;
}

export function labSummary(lab: LabSummary, language: Language): string {
  return lab.translations?.[language]?.summary ?? lab.summary;
}
