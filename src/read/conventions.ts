/**
 * The house styles of the wire, as a table (issue 13): how each agency writes its dateline, its photo
 * credits, its closing attribution and its byline. One entry per style: the pattern, what it yields and an
 * example (tests/conventions.test.ts reads every example and checks it yields what the entry says).
 * Adding an agency is one entry here and one article in tests/fixtures/agencies.
 *
 * Every pattern is anchored (at the start or the end of the text it is tried on) and bounds each
 * repetition, and the reader tries them only on short texts (a dateline's opening, the inside of a
 * bracket, the last 200 characters of a line, a line of at most 400): each costs a constant per line.
 */

/** Agencies as wire copy names them in datelines and closing lines. */
const AGENCY = 'Xinhua|Reuters|AP|AFP|Bloomberg|dpa|DPA|Kyodo|Yonhap|TASS|Bernama|Anadolu|EFE|ANSA|PTI|CNS|China News Service|China Daily|CGTN|Agencies|agencies';

// ---------------------------------------------------------------------------------------------------------
// Datelines: at the start of the first paragraph.

export interface DatelineYield {
  /** The dateline as the article keeps it: the place, with its region and date (not the agency). */
  dateline: string | null;
  /** The agency in parentheses: attribution. */
  agency: string | null;
  /** The month and day as written ("Feb 12"), for the published date. */
  date: string | null;
}

export interface DatelineConvention {
  style: string;
  /** Anchored at the start; groups `place` (with region and date), `date`, `agency`. */
  pattern: RegExp;
  example: string;
  yields: DatelineYield;
}

// A place in capitals ("HONG KONG", "PORT-AU-PRINCE", "NEW YORK/LONDON", "ST. PETERSBURG"), then up to two
// ", Region" or ", Month Day" parts. A plain hyphen needs a space before it ("WHO-led talks" is no
// dateline); dashes may stand unspaced.
const PLACE = "\\p{Lu}[\\p{Lu}.'’ /-]{0,60}\\p{Lu}\\.?";
const PART = "[\\p{L}\\d][\\p{L}\\d .'’]{0,40}?";
const DATE = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]{0,6}\\.?\\s\\d{1,2}|\\d{1,2}\\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\\.?';
const SEPARATOR = '(?:\\s+(?:--|-)|\\s*[–—])\\s*(?=\\S)';

/** A dateline naming the agency: PLACE[, Region][, Month Day] (Agency) and the agency's separator. */
function agencyDateline(agency: string): RegExp {
  return new RegExp(`^(?<place>(?:${PLACE})(?:,\\s*(?:${PART}))??(?:,\\s*(?<date>${DATE}))?)\\s*\\((?<agency>${agency})\\)${SEPARATOR}`, 'u');
}

export const DATELINES: readonly DatelineConvention[] = [
  {
    style: 'Xinhua',
    pattern: agencyDateline('Xinhua'),
    example: 'BEIJING, Feb 12 (Xinhua) -- China on Monday ...',
    yields: { dateline: 'BEIJING, Feb 12', agency: 'Xinhua', date: 'Feb 12' },
  },
  {
    style: 'Reuters',
    pattern: agencyDateline('Reuters'),
    example: 'LONDON, May 2 (Reuters) - British house prices ...',
    yields: { dateline: 'LONDON, May 2', agency: 'Reuters', date: 'May 2' },
  },
  {
    style: 'AP',
    pattern: agencyDateline('AP'),
    example: 'WASHINGTON (AP) — The Senate voted ...',
    yields: { dateline: 'WASHINGTON', agency: 'AP', date: null },
  },
  {
    style: 'AFP',
    pattern: agencyDateline('AFP'),
    example: 'PARIS (AFP) - France said on Monday ...',
    yields: { dateline: 'PARIS', agency: 'AFP', date: null },
  },
  {
    style: 'Bloomberg (agency, no place)',
    pattern: /^\((?<agency>Bloomberg|Reuters|AP|AFP|Xinhua)\)\s*(?:--|[-–—])\s*(?=\S)/u,
    example: '(Bloomberg) -- Asian stocks rose ...',
    yields: { dateline: null, agency: 'Bloomberg', date: null },
  },
  {
    style: 'other agencies',
    pattern: agencyDateline("[\\p{L}][\\p{L} .,&/'’-]{0,38}[\\p{L}.]"),
    example: 'SEOUL, June 3 (Yonhap) -- South Korea ...',
    yields: { dateline: 'SEOUL, June 3', agency: 'Yonhap', date: 'June 3' },
  },
  {
    style: 'place only (the seed)',
    pattern: new RegExp(`^(?<place>(?:${PLACE})(?:,\\s*(?:${PART}))??(?:,\\s*(?<date>${DATE}))?)${SEPARATOR}`, 'u'),
    example: 'VLADIVOSTOK, Russia - Russian President ...',
    yields: { dateline: 'VLADIVOSTOK, Russia', agency: null, date: null },
  },
];

/** The dateline at the start of a lead paragraph: what it yields and its length, or null. */
export function readDateline(lead: string): (DatelineYield & { length: number }) | null {
  const first = lead.charCodeAt(0);
  // Only a capital or an opening parenthesis starts a dateline.
  if (first !== 0x28 && !(first >= 0x41 && first <= 0x5a) && !/^\p{Lu}/u.test(lead)) return null;
  const head = lead.length > 400 ? lead.slice(0, 400) : lead;
  for (const convention of DATELINES) {
    const m = convention.pattern.exec(head);
    if (!m) continue;
    const place = m.groups?.place?.trim() ?? null;
    // A place has at least three capitals: "US - " is no dateline.
    if (place !== null && place.replace(/[^\p{Lu}]/gu, '').length < 3) continue;
    return { dateline: place, agency: m.groups?.agency?.trim() ?? null, date: m.groups?.date?.trim() ?? null, length: m[0].length };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Photo credits: inside brackets at the end of a caption or on the line under it, or bare at the end of a
// caption line (after its last sentence) or on a line of its own.

export interface CreditConvention {
  style: string;
  /**
   * `round`, `square` or `either`: the inside of a bracket (`inner` below is that text); `bare`: the end of
   * a line, where the pattern is tried on the line's last 200 characters and its group `credit` is the
   * credit (anchored at the end, opening at the line's start or after a sentence).
   */
  form: 'round' | 'square' | 'either' | 'bare';
  pattern: RegExp;
  example: string;
  /** The credit the example yields. */
  yields: string;
}

// Up to five capitalised words, the way a photographer's name or an agency is written.
const CAP_WORD = "\\p{Lu}[\\p{L}'’.-]{0,30}";
const NAME_WORDS = `${CAP_WORD}(?: ${CAP_WORD}){0,4}`;
// Words in capitals for the bare credits: ZOU HONG / CHINA DAILY.
const UPPER_WORD = "\\p{Lu}[\\p{Lu}\\d.'’&-]{0,30}";
const UPPER_WORDS = `${UPPER_WORD}(?: ${UPPER_WORD}){0,5}`;
/** Where a bare credit may open: the line's start, or after a sentence (or a caption's closing date). */
const AFTER_SENTENCE = '(?:^|[.!?"”’)\\d]\\s)';

export const CREDITS: readonly CreditConvention[] = [
  {
    style: 'photo/agency (China Daily, Xinhua)',
    form: 'either',
    pattern: /^photos?\s{0,3}[/:]/i,
    example: 'A rocket lifts off in northwest China. [Photo/Xinhua]',
    yields: 'Photo/Xinhua',
  },
  {
    style: 'agency or provider in square brackets',
    form: 'square',
    pattern: new RegExp(`^(?:${AGENCY}|VCG|IC|Getty Images|photo\\b.{0,200}|.{0,200}\\b(?:provided|courtesy|for China Daily)\\b.{0,200})$`, 'iu'),
    example: 'Tourists visit the Palace Museum in Beijing. [Photo provided to China Daily]',
    yields: 'Photo provided to China Daily',
  },
  {
    style: 'agency/photographer (Xinhua, AP, Reuters, AFP)',
    form: 'either',
    pattern: new RegExp(`^(?:Xinhua|AP|AFP|Reuters|REUTERS|EPA|EPA-EFE|CNS|China Daily|Bloomberg)(?: Photo)?\\s?/\\s?${NAME_WORDS}(?:\\s?/\\s?${NAME_WORDS}){0,2}$`, 'u'),
    example: 'Workers check solar panels in Hami. (AP Photo/Andy Wong)',
    yields: 'AP Photo/Andy Wong',
  },
  {
    style: 'photo by photographer/agency',
    form: 'either',
    pattern: /^photo(?:graph)?s? by\s[^/()[\]]{2,80}\/\s?[^/()[\]]{2,80}$/i,
    example: 'Herders move cattle in Altay. (Photo by Zhang Ming/Xinhua)',
    yields: 'Photo by Zhang Ming/Xinhua',
  },
  {
    style: 'agency alone in round brackets, after a caption (Xinhua, AP)',
    form: 'round',
    pattern: new RegExp(`^(?:${AGENCY})$`, 'iu'),
    example: 'Workers plant trees in a park in Beijing, April 25, 2023. (Xinhua)',
    yields: 'Xinhua',
  },
  {
    style: 'name/publication in capitals (China Daily, AFP)',
    form: 'bare',
    pattern: new RegExp(`${AFTER_SENTENCE}(?<credit>${UPPER_WORDS}(?: ?/ ?${UPPER_WORDS}){1,3})$`, 'u'),
    example: 'Children skate in Harbin, Feb 12, 2024. LIU LANYING/FOR CHINA DAILY',
    yields: 'LIU LANYING/FOR CHINA DAILY',
  },
  {
    style: 'REUTERS/photographer',
    form: 'bare',
    pattern: new RegExp(`${AFTER_SENTENCE}(?<credit>REUTERS ?/ ?${NAME_WORDS}(?: ?/ ?${NAME_WORDS}){0,2})$`, 'u'),
    example: 'Traders work in Hong Kong, May 2, 2024. REUTERS/Tyrone Siu',
    yields: 'REUTERS/Tyrone Siu',
  },
  {
    style: 'Getty Images',
    form: 'bare',
    pattern: new RegExp(`${AFTER_SENTENCE}(?<credit>(?:${NAME_WORDS} ?/ ?)?(?:(?:AFP|Bloomberg) via )?Getty Images)$`, 'u'),
    example: 'Fans gather outside the stadium. Kevin Frayer/Getty Images',
    yields: 'Kevin Frayer/Getty Images',
  },
];

const AGENCY_ALONE = new RegExp(`^(?:${AGENCY})$`, 'iu');

/**
 * An agency alone in brackets, `(Xinhua)` or `(XINHUA)`, is a photo credit only after a caption; after an
 * ordinary paragraph, or closing the article, it is the article's attribution (issue 12).
 */
export function isAgencyAlone(inner: string): boolean {
  return inner.length <= 40 && AGENCY_ALONE.test(inner);
}

/**
 * Whether a line reads as a photo caption rather than body text: it ends with the day the photo was taken
 * (`..., April 25, 2019.`, `... on Feb 12.`), as the wire writes captions.
 */
export function readsAsCaption(line: string): boolean {
  const end = line.length > 80 ? line.slice(-80) : line;
  return /\b(?:19|20)\d{2}\s?[.)]?["”’]?$/.test(end) || /\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.? \d{1,2}\.$/.test(end);
}

const BRACKETED = CREDITS.filter((c) => c.form !== 'bare');
const BARE = CREDITS.filter((c) => c.form === 'bare');

/** Whether the inside of a bracket reads as a photo credit in one of the styles above. */
export function isConventionCredit(inner: string, square: boolean): boolean {
  if (inner.length > 200) return false;
  for (const c of BRACKETED) if ((c.form === 'either' || (c.form === 'square') === square) && c.pattern.test(inner)) return true;
  return false;
}

/** A bare credit at the end of the line: the credit and where it opens (0: the line is the credit). */
export function bareCredit(line: string): { credit: string; at: number } | null {
  // A cheap precheck: every bare credit holds a slash or ends in "Images".
  const zone = line.length > 200 ? line.slice(-200) : line;
  if (!zone.includes('/') && !zone.endsWith('Getty Images')) return null;
  for (const c of BARE) {
    const m = c.pattern.exec(zone);
    const credit = m?.groups?.credit;
    if (m && credit) {
      const at = line.length - credit.length;
      // The start of a sliced zone is not the start of the line.
      if (at === 0 || zone === line || m.index > 0) return { credit, at };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Closing lines that are attribution, not body. (Parenthesised ones, "(Xinhua)", "(With agencies input)",
// "(Reporting by ...)", are read as attribution by the bracket rule in raw.ts.)

export interface ClosingConvention {
  style: string;
  /** Tried on whole lines of at most 400 characters that hold `hint`; group `attribution` is what it yields. */
  pattern: RegExp;
  hint: string;
  example: string;
  yields: string;
}

/** A person's name: capitalised words and the particles names hold. */
const NAME = "\\p{Lu}[\\p{L}'’.-]{0,40}(?:\\s(?:\\p{Lu}[\\p{L}'’.-]{0,40}|de|van|von|bin|al|da|del|la|le)){0,5}";

export const CLOSINGS: readonly ClosingConvention[] = [
  {
    style: 'Reuters reporting and editing credits',
    pattern: new RegExp(`^(?<attribution>(?:Additional )?Reporting by ${NAME}(?:(?:,| and) ${NAME}){0,5}(?: (?:in|from) \\p{Lu}[\\p{L} ]{0,60})?(?:; ?[\\p{L} ]{1,40} by [^;]{2,120}){0,8}?)\\.?$`, 'u'),
    hint: 'Reporting by ',
    example: 'Reporting by Jane Doe; Editing by John Smith',
    yields: 'Reporting by Jane Doe; Editing by John Smith',
  },
  {
    style: 'contributed to this report (AP and others)',
    pattern:
      /^(?<attribution>(?:The )?Associated Press [\p{L}\d .,&'’-]{1,300}? contributed(?: to this (?:report|story|article))?\.?|\p{Lu}[\p{L}\d .,&'’-]{1,300}? contributed to this (?:report|story|article)\.?)$/u,
    hint: ' contributed',
    example: 'Associated Press writer Ken Moritsugu in Beijing contributed to this report.',
    yields: 'Associated Press writer Ken Moritsugu in Beijing contributed to this report.',
  },
  {
    style: 'dash and agency (AFP)',
    pattern: new RegExp(`^(?:--|[-–—])\\s?(?<attribution>(?:${AGENCY})(?:\\s?(?:/|,|and|&)\\s?(?:${AGENCY})){0,3})$`),
    hint: '',
    example: '— AFP',
    yields: 'AFP',
  },
];

/** The attribution a closing line yields, or null. */
export function closingAttribution(line: string): string | null {
  if (line.length > 400) return null;
  const first = line.charCodeAt(0);
  // Each closing opens with a capital or a dash.
  if (!(first >= 0x41 && first <= 0x5a) && first !== 0x2d && first !== 0x2013 && first !== 0x2014) return null;
  for (const c of CLOSINGS) {
    const m = line.includes(c.hint) ? c.pattern.exec(line) : null;
    if (m?.groups?.attribution) return m.groups.attribution;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Bylines with a masthead and a time: `By NAME in City | China Daily | Updated: 2024-02-12 09:15`.

export interface BylineYield {
  /** The names (and place), as the plain byline rule reads them. */
  byline: string;
  publisher: string;
  /** YYYY-MM-DD. */
  date: string;
}

export interface BylineConvention {
  style: string;
  pattern: RegExp;
  example: string;
  yields: BylineYield;
}


export const BYLINES: readonly BylineConvention[] = [
  {
    style: 'China Daily',
    pattern: new RegExp(
      `^By\\s(?<byline>${NAME}(?:\\s?(?:,|and|&)\\s${NAME}){0,5}(?:\\s(?:in|from)\\s\\p{Lu}[\\p{L} ,.'’-]{0,60}?)?)\\s?\\|\\s?(?<publisher>[^|]{2,80}?)\\s?\\|\\s?Updated:\\s?(?<date>\\d{4}-\\d{2}-\\d{2})(?:\\s\\d{1,2}:\\d{2}(?::\\d{2})?)?$`,
      'u',
    ),
    example: 'By ZHAO YIMENG in Beijing | China Daily | Updated: 2024-02-12 09:15',
    yields: { byline: 'ZHAO YIMENG in Beijing', publisher: 'China Daily', date: '2024-02-12' },
  },
];

/** What a byline with a masthead and a time yields, or null. */
export function mastheadByline(line: string): BylineYield | null {
  if (line.length > 300 || line.charCodeAt(0) !== 0x42 /* B */ || !line.includes('|')) return null;
  for (const c of BYLINES) {
    const m = c.pattern.exec(line);
    if (m?.groups?.byline && m.groups.publisher && m.groups.date) return { byline: m.groups.byline, publisher: m.groups.publisher, date: m.groups.date };
  }
  return null;
}
