/**
 * Worst cases for the raw reader (issue 9, "Quadratic reading"), shared by the benchmark (`BENCH_ONLY=worst
 * npm run bench`) and the tests (tests/hostile.test.ts). Each gives a raw article body of about the size
 * asked for (never more), deterministic, shaped so that a reader doing work per pair (image markers x
 * captions, short lines x body lines) does as much of it as the text allows, and says what reading it must
 * give: refused naming a field, or read.
 *
 *   npx tsx bench/pathological.ts NAME BYTES > FILE     writes one case (names: see WORST_CASES)
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What reading a worst case must give: an ArticleError on this field, or an article with these counts. */
export type WorstOutcome = { refused: string } | { read: { photos: number; quotes: number; paragraphs: number } };

export interface WorstCase {
  /** What the text is and which work it drives. */
  about: string;
  /** A raw article body (no front matter) of at most `bytes` bytes of UTF-8, about that many. */
  generate(bytes: number): string;
  outcome(bytes: number): WorstOutcome;
}

/** The article's limits (src/article.ts): 100 photos, 2,000 paragraphs. */
const MAX_PHOTOS = 100;
const MAX_PARAGRAPHS = 2000;

const BODY = 'BEIJING - The museum reopened on Monday after a two-year renovation, officials said, and thousands of visitors queued outside.';

/** A caption with its credit at the end of the line: one photo each. */
const caption = (n: number) => `Visitors look at exhibit ${n} in the main hall of the museum. (PHOTO / AP)`;

/**
 * A line of image markers `![alt]()` up to `width` characters. Their alt text is long enough to be matched
 * against captions and opens none of them, and they have no URL (so they are no photos of their own).
 */
function markerLine(first: number, width: number): { line: string; count: number } {
  const parts: string[] = [];
  let length = -1;
  for (let n = first; ; n++) {
    const marker = `![harbour view ${n}]()`;
    if (length + 1 + marker.length > width && parts.length > 0) break;
    parts.push(marker);
    length += 1 + marker.length;
  }
  return { line: parts.join(' '), count: parts.length };
}

/** Marker lines are read as markers up to 4,000 characters (src/read/raw.ts); a little under it. */
const MARKER_LINE = 3900;

/** Lines of markers filling `room` bytes (markers are ASCII). */
function markerLines(room: number): string[] {
  const lines: string[] = [];
  let n = 0;
  while (room > 30) {
    const { line, count } = markerLine(n, Math.min(MARKER_LINE, room - 1));
    lines.push(line);
    room -= line.length + 1;
    n += count;
  }
  return lines;
}

const captionFloodCaptions = (bytes: number) => Math.max(1, Math.floor(bytes / 8 / 80));

/**
 * Issue 9's first text: caption lines (an eighth of the bytes: about 3,300 at 2 MB) and long lines of
 * markers between them, a line of markers after every few captions; under the reader's 5,000 lines.
 */
function captionFlood(bytes: number): string {
  const captions = Array.from({ length: captionFloodCaptions(bytes) }, (_, n) => caption(n));
  const markers = markerLines(bytes - BODY.length - 1 - captions.reduce((n, c) => n + c.length + 1, 0) - 1);
  const out = [BODY];
  // Spread the marker lines evenly among the captions.
  for (let k = 0, m = 0; k < captions.length; k++) {
    out.push(captions[k] as string);
    while (m < markers.length && (m + 1) * captions.length <= (k + 1) * markers.length) out.push(markers[m++] as string);
  }
  return `${out.join('\n')}\n`;
}

/** As many captions as an article may have photos (fewer in a small text), then markers to the end. */
function markerFlood(bytes: number): string {
  const captions = Math.min(MAX_PHOTOS, Math.floor(bytes / 2 / 80));
  const out = [BODY, ...Array.from({ length: captions }, (_, n) => caption(n))];
  const used = out.reduce((n, l) => n + l.length + 1, 0);
  out.push(...markerLines(bytes - used - 1));
  return `${out.join('\n')}\n`;
}

const SHORT = (n: number) => `The committee said the new rules would apply to case ${String(n).padStart(4, '0')}`;
const FILLER = ' Officials said the details would be published later this year after a public consultation on the plan.';

/**
 * Pairs of a short unpunctuated line (a pull quote's shape) and a long body line sharing its first words;
 * every pair opens with the same words, so every long line holds every short line's opening and none holds a
 * whole short line. `maxPairs` 2,490 is issue 9's text (more paragraphs than an article may have from about
 * 800 KB); 999 keeps it under the article's 2,000 paragraphs at any size, the long lines growing instead.
 */
function quotePairs(bytes: number, maxPairs: number): string {
  const pairs = Math.max(1, Math.min(maxPairs, Math.floor(bytes / 760)));
  const per = Math.floor((bytes - 1) / pairs);
  const out: string[] = [];
  for (let n = 0; n < pairs; n++) {
    const short = SHORT(n);
    const opening = `The committee said the new rules would apply to every district from next year (${n}).`;
    const room = Math.max(opening.length, per - short.length - 2);
    const long = `${(opening + FILLER.repeat(Math.ceil(room / FILLER.length))).slice(0, room - 1).trimEnd()}.`;
    out.push(short, long);
  }
  return `${out.join('\n')}\n`;
}

/**
 * The new reader's own worst case: up to 3,000 pull-quote-shaped lines (270-300 characters, near the most a
 * pull quote may have) of many lengths, all repeating one opening every 19 characters, so that every line
 * holds every line's opening many times over and each comparison runs most of the line before it fails;
 * then body lines of the same words up to the size.
 */
function quoteBudget(bytes: number): string {
  const out: string[] = [];
  let size = 0;
  for (let n = 0; n < 3000; n++) {
    const line = `${'The committee said '.repeat(14)}${'x'.repeat(n % 23)} case ${String(n).padStart(4, '0')}`;
    if (size + line.length + 1 > bytes) break;
    out.push(line);
    size += line.length + 1;
  }
  while (bytes - size > 100) {
    const length = Math.min(50_000, bytes - size - 1);
    out.push(`${'The committee said '.repeat(Math.ceil(length / 19)).slice(0, length - 1)}.`);
    size += length + 1;
  }
  return `${out.join('\n')}\n`;
}

const pairsOf = (bytes: number, maxPairs: number) => Math.max(1, Math.min(maxPairs, Math.floor(bytes / 760)));

export const WORST_CASES: Record<string, WorstCase> = {
  captionFlood: {
    about: 'issue 9: thousands of caption lines between long lines of image markers whose alt text opens no caption (markers x captions)',
    generate: captionFlood,
    outcome: (bytes) => {
      const photos = captionFloodCaptions(bytes);
      return photos > MAX_PHOTOS ? { refused: 'photos' } : { read: { photos, quotes: 0, paragraphs: 1 } };
    },
  },
  markerFlood: {
    about: 'at most 100 captions, then image markers whose alt text opens no caption up to the size (read: the markers have no URL)',
    generate: markerFlood,
    outcome: (bytes) => ({ read: { photos: Math.min(MAX_PHOTOS, Math.floor(bytes / 2 / 80)), quotes: 0, paragraphs: 1 } }),
  },
  quotePairs: {
    about: 'issue 9: pairs of a short unpunctuated line and a long line sharing its first words (short lines x body lines)',
    generate: (bytes) => quotePairs(bytes, 2490),
    // The first short line is the headline; every other line a paragraph.
    outcome: (bytes) => {
      const paragraphs = 2 * pairsOf(bytes, 2490) - 1;
      return paragraphs > MAX_PARAGRAPHS ? { refused: 'paragraphs' } : { read: { photos: 0, quotes: 0, paragraphs } };
    },
  },
  quotePairsRead: {
    about: 'the same with at most 999 pairs, the long lines growing with the size: read at every size',
    generate: (bytes) => quotePairs(bytes, 999),
    outcome: (bytes) => ({ read: { photos: 0, quotes: 0, paragraphs: 2 * pairsOf(bytes, 999) - 1 } }),
  },
  quoteBudget: {
    about: 'pull-quote-shaped lines of 270-300 characters all repeating one opening, every comparison long, then body lines of the same words: the new matching at its bound',
    generate: quoteBudget,
    outcome: (bytes) => {
      // Every line a paragraph: none is a pull quote (none stands inside another), none a headline (too long).
      const paragraphs = quoteBudget(bytes).split('\n').length - 1;
      return paragraphs > MAX_PARAGRAPHS ? { refused: 'paragraphs' } : { read: { photos: 0, quotes: 0, paragraphs } };
    },
  },
};

/** The sizes the benchmark reads each case at: 10 KB to the 2 MB limit. */
export const WORST_SIZES = [10_000, 100_000, 500_000, 1_000_000, 2 * 1024 * 1024] as const;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [name, size] = process.argv.slice(2);
  const worst = name ? WORST_CASES[name] : undefined;
  const bytes = Number(size);
  if (!worst || !Number.isSafeInteger(bytes) || bytes <= 0) {
    process.stderr.write(`usage: npx tsx bench/pathological.ts ${Object.keys(WORST_CASES).join('|')} BYTES > FILE\n`);
    process.exitCode = 2;
  } else {
    process.stdout.write(worst.generate(bytes));
  }
}
