/**
 * Synthetic article archives for benchmarks: raw wire copy "in the seed's shape" (tests/fixtures/corpus),
 * with YAML front matter, at any scale. Every article is fully determined by (seed, index), so article
 * 73,512 of a 100,000-article archive can be generated on its own, and the same seed always gives
 * byte-identical files. No Math.random, no clock, no I/O but in writeArchive.
 *
 *   npx tsx bench/generate.ts OUTDIR N [SEED]     writes OUTDIR/bench-000000.md ... (N files)
 *
 * Each article says, in `expected`, what the raw reader should find in it (paragraphs, photos, pull quotes,
 * related lines, section), so tests can check that the generator and the reader agree. To keep that true,
 * the text stays clear of lines the reader's rules would take for something else: every line opens with a
 * capital or a quotation mark (no hard-wrap joining), credits always carry a slash or "Photo/" (a bare
 * "(XINHUA)" reads as attribution), pull quotes never open with "By" (a byline) and never stand next to
 * each other (the second would read as the first one's speaker), and speakers' roles never end in a period.
 */
import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const DEFAULT_SEED = 0x5eed2019;

export interface GeneratedArticle {
  /** File name without extension, also the article id: `bench-000042`. */
  name: string;
  /** The whole file: front matter, then the raw body. */
  text: string;
  /** What the raw reader should extract. */
  expected: { paragraphs: number; photos: number; quotes: number; related: number; section: string };
}

// ---------------------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: a small, fast 32-bit PRNG; numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes the archive seed and an article index into an independent 32-bit seed (murmur3 finaliser). */
function articleSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= Math.floor(index / 4294967296); // indexes past 2^32 still differ
  return (h ^ (h >>> 16)) >>> 0;
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** An integer in [lo, hi]: lo plus a whole exponential variate of the given scale, clamped. */
  exponential(lo: number, hi: number, scale: number): number {
    return Math.min(hi, lo + Math.floor(-Math.log(1 - this.next()) * scale));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** k distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const out: T[] = [];
    const taken = new Set<number>();
    while (out.length < Math.min(k, items.length)) {
      const i = Math.floor(this.next() * items.length);
      if (taken.has(i)) continue;
      taken.add(i);
      out.push(items[i] as T);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Fixed vocabularies (independent of the seed)

/** The 20 sections, with topics each: noun phrases that read as objects of a sentence. */
const SECTION_TOPICS: readonly (readonly [string, readonly string[]])[] = [
  ['Hong Kong', ['the Northern Metropolis', 'public housing supply', 'the harbourfront promenade', 'cross-boundary travel', 'electronic consumption vouchers', 'the Kai Tak Sports Park']],
  ['China', ['rural revitalisation', 'the new energy vehicle sector', 'high-speed rail links', 'the Yangtze River Delta', 'grain security', 'elderly care services']],
  ['World', ['the pandemic accord', 'climate finance', 'the ceasefire talks', 'global shipping routes', 'the UN Security Council', 'refugee resettlement']],
  ['Asia-Pacific', ['the haze early-warning system', 'regional supply chains', 'the RCEP trade pact', 'the Mekong River Commission', 'typhoon preparedness', 'cross-border payments']],
  ['Business', ['retail sales', 'electric vehicle exports', 'small and medium-sized enterprises', 'cross-border e-commerce', 'the tourism recovery', 'supply chain financing']],
  ['Markets', ['the Hang Seng Index', 'the offshore yuan', 'green bonds', 'initial public offerings', 'the gold price', 'the Bond Connect scheme']],
  ['Technology', ['drone deliveries', 'generative AI models', 'the chip industry', '5G base stations', 'autonomous driving trials', 'data centres']],
  ['Science', ['the Fengyun satellite constellation', 'the lunar sample mission', 'deep-sea research', 'quantum communication', 'the Tiangong space station', 'gene-editing research']],
  ['Health', ['the vaccination programme', 'primary healthcare', 'hospital waiting times', 'traditional Chinese medicine', 'mental health services', 'cancer screening']],
  ['Environment', ['the carbon market', 'mangrove restoration', 'plastic waste', 'offshore wind farms', 'air quality', 'the giant panda habitat']],
  ['Sports', ['the National Games', 'the Asian Games squad', 'the city marathon', 'the rugby sevens', 'table tennis coaching', 'the new sports park']],
  ['Culture', ['the Palace Museum', 'Cantonese opera', 'the film festival', 'the Harbour of Light festival', 'intangible cultural heritage', 'the spring art fair']],
  ['Lifestyle', ['the café scene', 'night markets', 'wellness retreats', 'vintage fashion', 'weekend hiking trails', 'pet-friendly housing']],
  ['Opinion', ["the city's competitiveness", 'fiscal prudence', 'the talent schemes', 'youth unemployment', 'multilateral trade', 'urban renewal']],
  ['Education', ['university admissions', 'vocational training', 'STEM education', 'student exchanges', 'the new school curriculum', 'international schools']],
  ['Travel', ['Greater Bay Area tours', 'cruise terminal traffic', 'visa-free entry', 'high-speed rail tickets', 'heritage hotels', 'the Golden Week holiday']],
  ['Food', ['dim sum restaurants', 'the crème brûlée craze', 'organic farming', 'seafood imports', 'the Michelin guide', 'plant-based meat']],
  ['Politics', ['the Legislative Council', 'district council elections', 'the policy address', 'bilateral ties', 'the party congress', 'the anti-corruption drive']],
  ['Greater Bay Area', ['the Hong Kong-Zhuhai-Macao Bridge', 'the Qianhai cooperation zone', 'the Hengqin cooperation zone', 'cross-boundary wealth management', 'the Nansha district', 'the innovation corridor']],
  ['Property', ['home prices', 'the stamp duty on homes', 'land sales', 'mortgage rates', 'the rental market', 'commercial property']],
];

export const SECTIONS: readonly string[] = SECTION_TOPICS.map(([name]) => name);

export function sectionSlug(section: string): string {
  return section
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

const CHINESE_SURNAMES = ['Zhang', 'Chen', 'Li', 'Wang', 'Liu', 'Zhou', 'Huang', 'Wu', 'Xu', 'Lin'];
const CHINESE_GIVEN = ['Wěi', 'Xiaoling', 'Jiaying', 'Hao', 'Mingyu', 'Yuxuan', 'Zihan', 'Lěi', 'Ruoxi', 'Kai-man'];
const OTHER_GIVEN = ['José', 'Maria', 'Amara', 'Søren', 'Björn', 'Chloé', 'David', 'Fatima', 'Łukasz', 'Priya'];
const OTHER_FAMILY = ['Álvarez', 'Okafor', 'Müller', 'Núñez', 'Dubois', 'Kowalski', 'Haddad', 'Smith', 'Nakamura', "O'Brien"];

/** 200 author names, 85 of them with letters outside ASCII: "Zhang Wěi", "José Álvarez", ... */
export const AUTHORS: readonly string[] = [
  ...CHINESE_SURNAMES.flatMap((family) => CHINESE_GIVEN.map((given) => `${family} ${given}`)),
  ...OTHER_GIVEN.flatMap((given) => OTHER_FAMILY.map((family) => `${given} ${family}`)),
];

interface Place {
  /** As written in a caption or a sentence. */
  name: string;
  /** As written in a dateline. */
  dateline: string;
  country: string | null;
}

const PLACES: readonly Place[] = [
  ['Hong Kong', null],
  ['Beijing', null],
  ['Shanghai', null],
  ['Shenzhen', null],
  ['Guangzhou', null],
  ['Macao', null],
  ["Xi'an", null],
  ['Singapore', null],
  ['Geneva', 'Switzerland'],
  ['Zürich', 'Switzerland'],
  ['São Paulo', 'Brazil'],
  ['Bogotá', 'Colombia'],
  ['Reykjavík', 'Iceland'],
  ['Malmö', 'Sweden'],
  ['Kraków', 'Poland'],
  ['Düsseldorf', 'Germany'],
  ['Montréal', 'Canada'],
  ['Nairobi', 'Kenya'],
  ['Jakarta', 'Indonesia'],
  ['Kuala Lumpur', 'Malaysia'],
  ['Bangkok', 'Thailand'],
  ['Vladivostok', 'Russia'],
  ['Dubai', 'United Arab Emirates'],
  ['Tokyo', 'Japan'],
  ['Seoul', 'South Korea'],
  ['London', 'United Kingdom'],
].map(([name, country]) => ({ name: name as string, dateline: (name as string).toUpperCase(), country: country ?? null }));

const SUBJECTS = ['local authorities', 'analysts', 'officials', 'industry insiders', 'economists', 'residents', 'researchers', 'organisers', 'lawmakers', 'business groups', 'experts', 'regulators', 'community leaders', 'investors', 'district councillors'];
const PLANS = [
  'would step up support for',
  'plan to expand',
  'are expected to review',
  'will invest more in',
  'have pledged to improve',
  'are stepping up work on',
  'will seek to consolidate',
  'aim to double investment in',
  'are closely watching',
  'should do more for',
  'hope to revive',
  'intend to strengthen',
  'have been slow to reform',
  'are drafting new rules for',
];
const TAILS = [
  'in the coming months',
  'over the past decade',
  'before the end of the year',
  'by 2027',
  'across the region',
  'in the first half of the year',
  'despite rising costs',
  'as demand picks up',
  'after three years of disruption',
  'amid growing competition',
  'in the long run',
  'as the economy recovers',
  'ahead of the summer peak',
  'for the rest of the year',
  'without a clear timetable',
];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const METRICS = ['Sales', 'Exports', 'Visitor numbers', 'Investment', 'Output', 'New orders', 'Bookings', 'Applications', 'Shipments', 'Revenue'];
const PERIODS = ['the first quarter', 'the first five months', 'January', 'the first 10 months', 'the third quarter', 'the past year', 'the Lunar New Year holiday'];
const SOURCES = ['the Census and Statistics Department', 'the National Bureau of Statistics', 'the Commerce Department', 'a statement released on Tuesday', 'provisional figures', 'the industry association', 'the municipal transport bureau'];
const ROLES = [
  'chief economist at Harbourfront Securities',
  'spokesperson for the Ministry of Commerce',
  'professor of economics at the University of Hong Kong',
  'deputy director of the municipal transport bureau',
  'senior analyst at the Shanghai Automotive Industry Research Center',
  'chair of the ASEAN ministerial meeting',
  'lead artist of Studio Maré',
  'head of research at Pacific Rim Capital',
  'founder of a Shenzhen drone start-up',
  'a member of the Legislative Council',
  'director of the Institute for Climate Studies',
  'deputy chief designer, Shanghai Academy of Spaceflight Technology',
  'WHO spokesperson',
  'Russian President',
  'general manager of Café Lumière',
];
const SPEECH = [
  (_t: string, c: string) => `We are confident that ${c}`,
  (t: string, c: string) => `This is a turning point for ${t}, and ${c}`,
  (_t: string, c: string) => `The real test is whether ${c}`,
  (t: string, c: string) => `Nobody expected ${t} to move this fast, but ${c}`,
  (t: string, _c: string) => `What matters now is ${t}, not the short-term numbers we see every quarter`,
  (t: string, c: string) => `For three years we looked at ${t} through windows, and now ${c}`,
  (_t: string, c: string) => `We cannot afford to be caught unprepared again, so ${c}`,
];
const FEELINGS = ['a rare chance', 'long overdue', 'too modest', 'a déjà vu moment', 'a welcome surprise', 'ambitious but achievable', 'a naïve hope'];
const HEADLINE_VERBS = ['set to rebound as border reopens', 'draws record crowds', 'faces new test', 'gets boost from policy support', 'plans expansion despite slowdown', 'sees strong start to the year', 'wins praise from visitors'];
const ATTRIBUTIONS = ['(Xinhua)', '(With agencies input)', '(With Xinhua inputs)', '(Reuters)', '(AP)', '(AFP)', '(China Daily)', '(Bloomberg)'];
const AGENCIES = ['XINHUA', 'CHINA DAILY', 'AP', 'AFP', 'REUTERS', 'POOL', 'VCG', 'CNS', 'PROVIDED TO CHINA DAILY', 'SPUTNIK / KREMLIN POOL PHOTO VIA AP'];
const CAPTION_ACTIONS = [
  'Visitors look around an exhibition on',
  'Delegates pose for a group photo during a forum on',
  'Journalists attend a press conference on',
  'Workers check equipment at a site linked to',
  'Residents queue outside a hall for a briefing on',
  'Officials attend a ceremony marking progress on',
  'A volunteer hands out leaflets about',
  'Students take part in an event promoting',
];
const MONTHS = ['Jan', 'Feb', 'March', 'April', 'May', 'June', 'July', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'];
const PUBLICATIONS = ['CHINA DAILY HONG KONG NEWS |', 'CHINA DAILY HONG KONG NEWS |', 'CHINA DAILY |'];

// ---------------------------------------------------------------------------------------------------------
// Dates: spread over three years, distinct for any index below 1.5 million

const START = Date.UTC(2022, 0, 1);
const MINUTES = 1096 * 24 * 60; // 2022-01-01 to 2024-12-31
/** A Weyl step near the golden ratio, coprime with MINUTES: any run of indexes spreads over the span. */
const STEP = (() => {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let step = Math.round(MINUTES * 0.6180339887);
  while (gcd(step, MINUTES) !== 1) step++;
  return step;
})();

function publishedAt(index: number, seed: number, rng: Rng): Date {
  const offset = articleSeed(seed, -1) % MINUTES;
  const minute = (((index % MINUTES) * STEP) % MINUTES + offset) % MINUTES;
  return new Date(START + minute * 60_000 + rng.int(0, 59) * 1000);
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const pad2 = (n: number) => String(n).padStart(2, '0');
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

// ---------------------------------------------------------------------------------------------------------
// Sentences

interface Sentence {
  text: string;
  /** For a quoted speech: the words spoken (a verbatim substring of text) and who spoke them. */
  speech?: { words: string; speaker: string; role: string };
}

interface Style {
  open: string;
  close: string;
  apostrophe: string;
  topics: readonly string[];
  place: Place;
}

function clause(rng: Rng, style: Style): string {
  return `${rng.pick(SUBJECTS)} ${rng.pick(PLANS)} ${rng.pick(style.topics)} ${rng.pick(TAILS)}`;
}

/** One of items other than `not`. */
function other(rng: Rng, items: readonly string[], not: string): string {
  const pick = rng.pick(items);
  return pick === not ? (items[(items.indexOf(pick) + 1) % items.length] as string) : pick;
}

function sentence(rng: Rng, style: Style): Sentence {
  const topic = rng.pick(style.topics);
  switch (rng.int(0, 9)) {
    case 0:
    case 1: {
      const speaker = rng.pick(AUTHORS);
      const role = rng.pick(ROLES);
      const words = rng.pick(SPEECH)(topic, clause(rng, style));
      return { text: `${style.open}${words},${style.close} said ${speaker}, ${role}.`, speech: { words, speaker, role } };
    }
    case 2:
      return { text: `${rng.pick(METRICS)} ${rng.chance(0.6) ? 'rose' : 'fell'} ${rng.int(2, 60)}.${rng.int(0, 9)} percent year-on-year in ${rng.pick(PERIODS)}, according to ${rng.pick(SOURCES)}.` };
    case 3:
      return { text: `${capitalise(rng.pick(SUBJECTS))} said on ${rng.pick(WEEKDAYS)} that ${clause(rng, style)}.` };
    case 4: {
      const other = rng.pick(PLACES);
      return { text: `In ${other.name}, ${clause(rng, style)}, while ${rng.pick(SUBJECTS)} ${rng.pick(PLANS)} ${topic}.` };
    }
    case 5:
      return { text: `${rng.pick(AUTHORS)}, who moved to ${style.place.name} from ${rng.pick(PLACES).name} in the ${rng.int(195, 201)}0s, said the plan for ${topic} was ${style.open}${rng.pick(FEELINGS)}${style.close}.` };
    case 6:
      return { text: `About ${rng.int(2, 90)} billion yuan, or roughly €${rng.int(1, 12)} billion, was set aside for ${topic}, ${rng.pick(SUBJECTS)} said.` };
    case 7:
      return { text: `Some ${rng.pick(['lawmakers', 'analysts', 'residents', 'exporters', 'diplomats'])} warned that ${clause(rng, style)}, pointing to the experience of ${other(rng, style.topics, topic)}.` };
    case 8:
      return { text: `The city${style.apostrophe}s plans for ${topic}, which also cover ${other(rng, style.topics, topic)}, drew ${rng.int(2, 40)},${rng.int(100, 999)} comments during a public consultation ${rng.pick(TAILS)}.` };
    default:
      return { text: `${capitalise(topic)} had ${rng.pick(['changed quickly', 'drawn criticism', 'become a priority', 'lagged behind'])} ${rng.pick(TAILS)}, and ${clause(rng, style)}.` };
  }
}

const MIN_WORDS = 40;
const MAX_WORDS = 120;

function wordCount(text: string): number {
  let words = 1;
  for (let i = text.indexOf(' '); i !== -1; i = text.indexOf(' ', i + 1)) words++;
  return words;
}

interface Paragraph {
  sentences: Sentence[];
  text: string;
}

/** A paragraph of 40-120 words, as near `target` as whole sentences allow. */
function paragraph(rng: Rng, style: Style, target: number, lead: string | null): Paragraph {
  const sentences: Sentence[] = [];
  let words = 0;
  if (lead !== null) {
    sentences.push({ text: lead });
    words += wordCount(lead);
  }
  while (words < target) {
    const s = sentence(rng, style);
    const n = wordCount(s.text);
    if (words + n > MAX_WORDS) {
      if (words >= MIN_WORDS) break;
      continue; // too long to fit: draw another
    }
    // Stop short of the target when that is nearer than overshooting it.
    if (words >= MIN_WORDS && words + n - target > target - words) break;
    sentences.push(s);
    words += n;
  }
  return { sentences, text: sentences.map((s) => s.text).join(' ') };
}

const WEAK_ENDINGS = new Set('a an the of in on at to for and but or by with from that this is are was were will would be been have has had as while which who first new more most not no so said'.split(' '));

/** A pull quote: 8-16 words from the start of a sentence (or of a speech), never its final period. */
function pullQuote(rng: Rng, source: Sentence): { text: string; speaker: string | null; role: string | null } | null {
  const words = (source.speech ? source.speech.words : source.text).split(' ');
  if (words.length < 9 || /^(By|In)$/.test(words[0] ?? '') || /^["“‘']/.test(words[0] ?? '')) return null;
  // End on a word that can close a line: not "the", "of" or a bare number.
  const closes = (word: string) => word !== '' && !WEAK_ENDINGS.has(word.toLowerCase()) && !/^\d+$/.test(word);
  let k = Math.min(rng.int(8, 16), words.length - 1);
  let last = '';
  for (; k >= 8; k--) {
    last = (words[k - 1] ?? '').replace(/[^\p{L}\p{N}]+$/u, '');
    if (closes(last)) break;
  }
  if (k < 8) return null;
  const text = [...words.slice(0, k - 1), last].join(' ');
  return { text, speaker: source.speech?.speaker ?? null, role: source.speech?.role ?? null };
}

// ---------------------------------------------------------------------------------------------------------
// Articles

/** Article `index` of the archive made with `seed`; the same pair always gives the same bytes. */
export function generateArticle(index: number, seed: number = DEFAULT_SEED): GeneratedArticle {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`index must be a non-negative integer, got ${index}`);
  const rng = new Rng(articleSeed(seed >>> 0, index));
  const id = `bench-${String(index).padStart(6, '0')}`;
  const [section, topics] = rng.pick(SECTION_TOPICS);
  const curly = rng.chance(0.6);
  const style: Style = { open: curly ? '“' : '"', close: curly ? '”' : '"', apostrophe: curly ? '’' : "'", topics, place: rng.pick(PLACES) };
  const published = publishedAt(index, seed >>> 0, rng);
  const day = `${MONTHS[published.getUTCMonth()]} ${published.getUTCDate()}, ${published.getUTCFullYear()}`;

  // Paragraphs: 6-20 of 40-120 words, short ones much likelier, as in wire copy.
  const count = rng.exponential(6, 20, 2);
  const { place } = style;
  const dash = rng.pick([' - ', ' - ', ' — ', ' – ']);
  const dateline = place.country && rng.chance(0.8) ? `${place.dateline}, ${place.country}${dash}` : `${place.dateline}${dash}`;
  const lead = `${capitalise(rng.pick(SUBJECTS))} in ${place.name} said on ${rng.pick(WEEKDAYS)} that ${clause(rng, style)}.`;
  const paragraphs: Paragraph[] = [];
  for (let i = 0; i < count; i++) paragraphs.push(paragraph(rng, style, rng.exponential(MIN_WORDS, 100, 6), i === 0 ? lead : null));

  // Inserts go in slots: slot j is after paragraph j (never after the last one, which closes the story).
  const slots: string[][] = paragraphs.slice(0, -1).map(() => []);

  // Photos: 0-4, each a caption with its credit on the next line or at its end; the first often on top.
  const photos = rng.pick([0, 1, 1, 1, 2, 2, 3, 4]);
  const captions: string[] = [];
  for (let p = 0; p < photos; p++) {
    const at = rng.chance(0.5) ? `${style.place.name}${style.place.country ? `, ${style.place.country}` : ''}` : rng.pick(PLACES).name;
    const caption = `${rng.pick(CAPTION_ACTIONS)} ${rng.pick(topics)} in ${at}, ${day}.`;
    const photographer = rng.pick(AUTHORS).toUpperCase();
    const credit = rng.pick([`(${photographer} / ${rng.pick(AGENCIES)})`, `(${photographer} / ${rng.pick(AGENCIES)})`, '[Photo/Xinhua]', '[Photo/VCG]', '(FILE PHOTO / AGENCIES)', '(PHOTO / AP)']);
    captions.push(rng.chance(0.5) ? `${caption}\n${credit}` : `${caption} ${credit}`);
  }
  const top: string[] = [];
  captions.forEach((caption, p) => {
    if (p === 0 && rng.chance(0.75)) top.push(caption);
    else rng.pick(slots).push(caption);
  });

  // Pull quotes: 0-2, each next to the paragraph it repeats, in slots of their own.
  const quoteSlots = new Set<number>();
  let quotes = 0;
  const wanted = rng.pick([0, 1, 1, 2]);
  for (let attempt = 0; attempt < 8 && quotes < wanted; attempt++) {
    const from = rng.int(1, paragraphs.length - 1);
    const source = paragraphs[from] as Paragraph;
    const speeches = source.sentences.filter((s) => s.speech);
    const quote = pullQuote(rng, speeches.length > 0 && rng.chance(0.7) ? rng.pick(speeches) : rng.pick(source.sentences));
    const slot = from === paragraphs.length - 1 || rng.chance(0.5) ? from - 1 : from;
    if (!quote || quoteSlots.has(slot)) continue;
    quoteSlots.add(slot);
    const withSpeaker = quote.speaker !== null && rng.chance(0.75);
    (slots[slot] as string[]).push(withSpeaker ? `${quote.text}\n${quote.speaker}, ${quote.role}` : quote.text);
    quotes++;
  }

  // Related stories: 0-2.
  const related = rng.pick([0, 0, 1, 1, 1, 2]);
  for (let r = 0; r < related; r++) {
    const headline = `${capitalise(rng.pick(topics).replace(/^the /, ''))} ${rng.pick(HEADLINE_VERBS)}`;
    rng.pick(slots).push(`${r === 0 ? 'READ MORE' : 'ALSO READ'}: ${headline}`);
  }

  const body: string[] = [...top];
  paragraphs.forEach((p, i) => {
    body.push(i === 0 ? dateline + p.text : p.text);
    body.push(...(slots[i] ?? []));
  });
  if (rng.chance(0.9)) body.push(rng.pick(ATTRIBUTIONS));
  for (let m = rng.int(0, 3); m > 0; m--) body.push('![]() |');
  body.push(rng.pick(PUBLICATIONS));
  body.push(rng.chance(0.7) ? 'OPEN |' : `${section.toUpperCase()} |`);

  // Front matter: JSON strings are valid YAML scalars, so no value can break the block.
  const authors = rng.sample(AUTHORS, rng.chance(0.7) ? 1 : 2);
  const front = [
    '---',
    `id: ${id}`,
    `url: https://news.example.com/${sectionSlug(section)}/${id}`,
    `section: ${JSON.stringify(section)}`,
    `authors: [${authors.map((a) => JSON.stringify(a)).join(', ')}]`,
    `published: ${iso(published)}`,
  ];
  if (rng.chance(0.15)) front.push(`updated: ${iso(new Date(published.getTime() + rng.int(10, 2880) * 60_000))}`);
  if (photos > 0) {
    front.push('photos:');
    const folder = `${published.getUTCFullYear()}/${pad2(published.getUTCMonth() + 1)}`;
    for (let p = 1; p <= photos; p++) front.push(`  - https://news.example.com/photos/${folder}/${id}-${p}.jpg`);
  }
  front.push('---');

  // Blank lines between blocks in a third of the articles, as some wire services send them.
  const separator = rng.chance(0.33) ? '\n\n' : '\n';
  const text = `${front.join('\n')}\n${body.join(separator)}\n`;
  return { name: id, text, expected: { paragraphs: paragraphs.length, photos, quotes, related, section } };
}

/** Articles 0..n-1, generated lazily. */
export function* generateArchive(n: number, seed: number = DEFAULT_SEED): Iterable<GeneratedArticle> {
  for (let i = 0; i < n; i++) yield generateArticle(i, seed);
}

/**
 * Writes `<name>.md` for articles 0..n-1 into dir (created if missing). Files go out in batches of synchronous
 * writes, yielding to the event loop between batches: for many small files this is several times faster
 * than as many concurrent promises (each costs three trips through libuv's thread pool).
 */
export async function writeArchive(dir: string, n: number, seed: number = DEFAULT_SEED): Promise<{ files: number; bytes: number }> {
  await mkdir(dir, { recursive: true });
  const BATCH = 1000;
  let files = 0;
  let bytes = 0;
  for (const article of generateArchive(n, seed)) {
    const data = Buffer.from(article.text, 'utf8');
    writeFileSync(join(dir, `${article.name}.md`), data);
    bytes += data.byteLength;
    files++;
    if (files % BATCH === 0) await new Promise((resolveBatch) => setImmediate(resolveBatch));
  }
  return { files, bytes };
}

async function main(argv: string[]): Promise<void> {
  const [dir, count, seedText] = argv;
  const n = Number(count);
  const seed = seedText === undefined ? DEFAULT_SEED : Number(seedText);
  if (!dir || !Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(seed)) {
    process.stderr.write('usage: npx tsx bench/generate.ts OUTDIR N [SEED]\n');
    process.exitCode = 2;
    return;
  }
  const started = performance.now();
  const { files, bytes } = await writeArchive(dir, n, seed);
  const seconds = (performance.now() - started) / 1000;
  const average = files > 0 ? Math.round(bytes / files) : 0;
  process.stdout.write(`wrote ${files} articles, ${bytes} bytes (average ${average} bytes) to ${resolve(dir)} in ${seconds.toFixed(2)} s (seed ${seed})\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
