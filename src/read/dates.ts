/** Finds calendar dates written in article text ("April 25, 2019", "25 April 2019", "2019-04-25"). */

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};
const MONTH = '(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const MONTH_DAY_YEAR = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'g');
const DAY_MONTH_YEAR = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH},?\\s+(\\d{4})\\b`, 'g');
const ISO_DAY = /\b(\d{4})-(\d{2})-(\d{2})\b/g;

/** A date found in text, as YYYY-MM-DD, with where it was found (for choosing among several). */
export interface FoundDate {
  day: string;
  index: number;
  /** Length of the matched text. */
  length: number;
}

function toDay(year: number, month: number, day: number): string | null {
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return null; // 31 June and the like
  return date.toISOString().slice(0, 10);
}

function monthNumber(name: string): number {
  return MONTHS[name.toLowerCase().replace('.', '').slice(0, name.toLowerCase().startsWith('sept') ? 4 : 3)] ?? 0;
}

/** Every full date in the text, in order of appearance. */
export function findDates(text: string): FoundDate[] {
  const found: FoundDate[] = [];
  for (const m of text.matchAll(MONTH_DAY_YEAR)) {
    const day = toDay(Number(m[3]), monthNumber(m[1] ?? ''), Number(m[2]));
    if (day) found.push({ day, index: m.index ?? 0, length: m[0].length });
  }
  for (const m of text.matchAll(DAY_MONTH_YEAR)) {
    const day = toDay(Number(m[3]), monthNumber(m[2] ?? ''), Number(m[1]));
    if (day) found.push({ day, index: m.index ?? 0, length: m[0].length });
  }
  for (const m of text.matchAll(ISO_DAY)) {
    const day = toDay(Number(m[1]), Number(m[2]), Number(m[3]));
    if (day) found.push({ day, index: m.index ?? 0, length: m[0].length });
  }
  return found.sort((a, b) => a.index - b.index);
}

/** The value seen most often, ties going to the one seen first; null if none. */
function mostCommon<T>(values: Iterable<T>): T | null {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: T | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

/** The date most often written, ties going to the one written first. */
export function mostCommonDate(texts: readonly string[]): string | null {
  return mostCommon(texts.flatMap((text) => findDates(text).map(({ day }) => day)));
}

const MONTH_THEN_DAY = new RegExp(`^${MONTH}\\s+(\\d{1,2})$`);
const DAY_THEN_MONTH = new RegExp(`^(\\d{1,2})\\s+${MONTH}$`);

/** A month and day as a dateline writes them ("Feb 12", "March 3", "Sept. 9", "12 Feb"), or null. */
export function monthDayOf(text: string): { month: number; day: number } | null {
  if (text.length > 20) return null;
  const md = MONTH_THEN_DAY.exec(text);
  const dm = md ? null : DAY_THEN_MONTH.exec(text);
  const month = md ? monthNumber(md[1] ?? '') : dm ? monthNumber(dm[2] ?? '') : 0;
  const day = Number(md ? md[2] : dm?.[1]);
  return month > 0 && day >= 1 && day <= 31 ? { month, day } : null;
}

/**
 * The month and day in the year that puts them nearest the given day (YYYY-MM-DD): a dateline of Jan 2
 * beside a caption dated Dec 31, 2023 is 2024-01-02. Null for a day no year near it has (31 June).
 */
export function dayNear(month: number, day: number, near: string): string | null {
  const year = Number(near.slice(0, 4));
  const target = Date.parse(`${near}T00:00:00Z`);
  let best: string | null = null;
  for (const y of [year, year - 1, year + 1]) {
    const found = toDay(y, month, day);
    if (found !== null && (best === null || Math.abs(Date.parse(`${found}T00:00:00Z`) - target) < Math.abs(Date.parse(`${best}T00:00:00Z`) - target))) best = found;
  }
  return best;
}

/** The year most often written on its own (1900-2199), ties going to the one written first; null if none. */
export function mostCommonYear(texts: readonly string[]): number | null {
  return mostCommon(texts.flatMap((text) => [...text.matchAll(/\b(19\d\d|2[01]\d\d)\b/g)].map((m) => Number(m[1]))));
}
