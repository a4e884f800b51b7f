// Times and durations as the UI shows them, in the learner's language.
import type { Language } from '../../main/ipc/common/contract';

const LOCALES: Record<Language, string> = { en: 'en-GB', ko: 'ko-KR' };

/** "2 h 05 min", "12 min", "< 1 min"; Korean "2시간 5분". */
export function duration(ms: number, lang: Language): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 0) return ms > 0 ? (lang === 'ko' ? '1분 미만' : '< 1 min') : lang === 'ko' ? '0분' : '0 min';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (lang === 'ko') return h ? `${h}시간${m ? ` ${m}분` : ''}` : `${m}분`;
  return h ? `${h} h${m ? ` ${String(m).padStart(2, '0')} min` : ''}` : `${m} min`;
}

/** mm:ss for a running clock (h:mm:ss past an hour). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mmss = `${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss}` : mmss;
}

export function dateTime(ms: number, lang: Language): string {
  return new Date(ms).toLocaleString(LOCALES[lang], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function day(isoDay: string, lang: Language): string {
  const [y, m, d] = isoDay.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d).toLocaleDateString(LOCALES[lang], { year: 'numeric', month: 'short', day: 'numeric' });
}

/** 1234 -> "1.2 s", 950 -> "950 ms". */
export function millis(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${ms} ms`;
}
