/** Site configuration: read and checked once, with defaults so no flag is required. */
import * as z from 'zod/mini';
import { isHttpUrl, LANGUAGE_TAG, normaliseUrl } from './article.js';
import { ConfigError } from './errors.js';
import { ARCHIVE_FOLDER, FEED_FILE_NAMES, FEED_FORMATS, type FeedFormat, NEWS_SITEMAP_FILE, PAGE_FILE } from './formats.js';
import { PROFILE_NAMES, PROFILES, type ProfileName } from './profiles.js';
import { fieldPath, zodMessage } from './read/finalize.js';
import { type DeclaredScopes, isDefaultScope, nameSlug, type Scope, scopePath } from './scopes.js';

const absoluteUrl = z.pipe(
  z.string().check(z.refine(isHttpUrl, 'must be an absolute http(s) URL')),
  z.transform((url: string) => (url.endsWith('/') ? url : `${url}/`)),
);
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
/** An absolute URL (an image's, a hub's), normalised as article URLs are (no trailing slash added). */
const imageUrl = z.pipe(z.string().check(z.maxLength(2048), z.refine(isHttpUrl, 'must be an absolute http(s) URL')), z.transform(normaliseUrl));

export const DEFAULT_FEED_BYTES = 2_000_000;
export const DEFAULT_ITEM_CHARS = 500_000;
const feedBytes = z.int().check(z.gte(10_000), z.lte(100_000_000));
const itemChars = z.int().check(z.gte(1_000), z.lte(50_000_000));
const FEED_NAME = /^(site|sections\/[a-z0-9-]+)\/?$/;

/** A folder under the feed prefix: folder names of letters, digits and `. _ ~ -`, none empty or starting with `.`. */
const feedFolder = z.pipe(
  z.string().check(z.maxLength(200), z.regex(/^([A-Za-z0-9_~-][A-Za-z0-9._~-]*\/)*[A-Za-z0-9_~-][A-Za-z0-9._~-]*\/?$/, 'must be a relative folder such as partners/msn/ (letters, digits and . _ ~ -)')),
  z.transform((path: string) => (path.endsWith('/') ? path : `${path}/`)),
);
const scopeName = z.string().check(z.minLength(1), z.maxLength(200));

/** A feed declared in the configuration: one format, one scope, optionally shaped for a partner. */
const DeclaredFeedSchema = z.strictObject({
  /** Its folder under the feed prefix; the file is rss.xml, atom.xml or feed.json in it. */
  path: feedFolder,
  format: z.enum(FEED_FORMATS),
  scope: z._default(z.union([z.literal('site'), z.strictObject({ section: scopeName }), z.strictObject({ tag: scopeName }), z.strictObject({ author: scopeName })]), 'site'),
  profile: z.optional(z.enum(PROFILE_NAMES)),
  /** Items shown (default: the site's, at least what the profile asks for). */
  items: z.optional(z.int().check(z.gte(1), z.lte(1000))),
  feedBytes: z.optional(feedBytes),
  itemChars: z.optional(itemChars),
  title: z.optional(text(1, 200)),
  description: z.optional(text(0, 1000)),
  /** MSN: days a takedown stays in the feed as an expired item (a removed item never reaches MSN). */
  takedownDays: z.optional(z.int().check(z.gte(1), z.lte(90))),
});

export const SiteConfigSchema = z.strictObject({
  title: z._default(text(1, 200), 'Newsroom'),
  url: z._default(absoluteUrl, 'https://news.example.com/'),
  /** Where the feeds are served from; rss.xml and sections/<slug>/rss.xml hang off it. Defaults to url. */
  feedUrl: z.optional(absoluteUrl),
  description: z._default(text(0, 1000), 'Latest articles'),
  language: z._default(z.string().check(z.regex(LANGUAGE_TAG, 'must be a language tag such as en or en-GB')), 'en'),
  publisher: z._default(text(1, 200), 'Newsroom'),
  copyright: z.optional(text(0, 500)),
  /** Branding, where each format has a place for it: a wide logo (RSS <image>, Atom <logo>), a square icon
   * (Atom <icon>, JSON Feed icon and favicon), a cover image and an accent colour (partner profiles). */
  logo: z.optional(imageUrl),
  icon: z.optional(imageUrl),
  cover: z.optional(imageUrl),
  accentColor: z.optional(z.pipe(z.string().check(z.regex(/^#?[0-9A-Fa-f]{6}$/, 'must be a hex colour such as #0A66C2')), z.transform((value: string) => value.replace(/^#/, '').toLowerCase()))),
  /** SmartNews shows this logo on dark backgrounds (snf:darkModeLogo); the logo otherwise. */
  darkModeLogo: z.optional(imageUrl),
  /** WebSub hubs: every feed advertises them, and each is told of every feed file that changes. */
  hubs: z._default(z.array(imageUrl).check(z.maxLength(10, 'holds more than 10 hubs')), []),
  /** Feeds beyond the site's and its sections' three files: partner feeds, tag and author feeds. */
  feeds: z._default(z.array(DeclaredFeedSchema).check(z.maxLength(50, 'declares more than 50 feeds')), []),
  /**
   * The Google News sitemap (news-sitemap.xml beside the site's feeds): the publication's name and
   * language (default: the publisher and the site's language), how many days back from the newest
   * article (Google: 2) and how many entries at most (Google: 1,000). Absent or `false`: none (`{}`
   * writes one with the defaults).
   */
  newsSitemap: z._default(
    z.union([
      // null too: how a resolved configuration says "none" (a store's config/site.json written so).
      z.literal(false),
      z.null(),
      z.strictObject({
        name: z.optional(text(1, 200)),
        language: z.optional(z.string().check(z.regex(LANGUAGE_TAG, 'must be a language tag such as en or zh-CN'))),
        days: z.optional(z.int().check(z.gte(1), z.lte(2))),
        maxItems: z.optional(z.int().check(z.gte(1), z.lte(1000))),
      }),
    ]),
    false,
  ),
  /**
   * RFC 5005 archives: the articles older than each site and section feed's current document in monthly
   * archive documents (archive/<YYYY-MM>/), linked from it (src/archive.ts). Off by default.
   */
  archives: z._default(z.boolean(), false),
  /** Articles an archive document holds at most: a busier month takes more documents (src/archive.ts). */
  archivePageItems: z._default(z.int().check(z.gte(1), z.lte(5000)), 500),
  limits: z.prefault(
    z.strictObject({
      /** Items in each feed. */
      items: z._default(z.int().check(z.gte(1), z.lte(1000)), 50),
      /** Bytes per feed file (Google News reads 2 MB per feed): the oldest items are left out to fit. */
      feedBytes: z._default(feedBytes, DEFAULT_FEED_BYTES),
      /** Characters of content HTML per item (MSN's 500,000): a longer story is cut at a paragraph. */
      itemChars: z._default(itemChars, DEFAULT_ITEM_CHARS),
      /** Budgets of one feed, by its folder: `site` or `sections/<slug>`. */
      feeds: z._default(z.record(z.string().check(z.regex(FEED_NAME, 'must be "site" or "sections/<slug>"')), z.strictObject({ feedBytes: z.optional(feedBytes), itemChars: z.optional(itemChars) })), {}),
    }),
    {},
  ),
});

type DeclaredFeedInput = z.output<typeof DeclaredFeedSchema>;

/** A declared feed with everything it needs resolved: its scope's folder, its file, its budgets. */
export interface DeclaredFeed extends Omit<DeclaredFeedInput, 'scope' | 'items' | 'feedBytes' | 'itemChars' | 'profile' | 'takedownDays'> {
  scope: Scope;
  /** The scope's folder ('' for the site, sections/…, tags/…, authors/…). */
  scopePath: string;
  /** The file, relative to the feed prefix. */
  file: string;
  profile: ProfileName | null;
  items: number;
  feedBytes: number;
  itemChars: number;
  takedownDays: number;
}

/** The news sitemap resolved: every field filled. */
export interface NewsSitemap {
  name: string;
  /** As Google spells it: ISO 639 (en, fr), but zh-cn and zh-tw. */
  language: string;
  days: number;
  maxItems: number;
}

export type SiteConfig = Omit<z.output<typeof SiteConfigSchema>, 'feeds' | 'newsSitemap'> & { feedUrl: string; copyright: string; feeds: DeclaredFeed[]; newsSitemap: NewsSitemap | null };

/** A language tag as Google News reads it: the language alone, but Chinese keeps its script's region. */
export function newsLanguage(tag: string): string {
  const [language = 'en', ...rest] = tag.toLowerCase().split('-');
  if (language !== 'zh') return language;
  return rest.some((part) => part === 'tw' || part === 'hk' || part === 'mo' || part === 'hant') ? 'zh-tw' : 'zh-cn';
}

/** The files the site writes at the top of its feeds' folder (the page, the news sitemap, the three feeds). */
const SITE_FILES = [...Object.values(FEED_FILE_NAMES), PAGE_FILE, NEWS_SITEMAP_FILE];

/** Days an MSN takedown stays in its feed as an expired item, unless the feed says otherwise. */
export const DEFAULT_TAKEDOWN_DAYS = 7;

/** Checks a parsed config value and fills the defaults. */
export function parseSiteConfig(value: unknown, source: string): SiteConfig {
  const parsed = SiteConfigSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // An issue with the whole object (an unknown key) has no path: name the config, not "(article)".
    const field = issue?.path.length ? fieldPath(issue.path) : '(config)';
    throw new ConfigError(source, field, zodMessage(issue), { cause: parsed.error });
  }
  const site = parsed.data;
  for (const name of ['', ...Object.keys(site.limits.feeds)]) {
    const { feedBytes, itemChars } = feedBudget(site, name === '' ? '' : feedPathOf(name));
    checkFitsTwice(itemChars, feedBytes, source, name === '' ? 'limits.itemChars' : `limits.feeds.${name}.itemChars`);
  }
  const feeds = site.feeds.map((feed, i) => resolveFeed(feed, site.limits, source, `feeds[${i}]`));
  const files = new Map<string, number>();
  feeds.forEach((feed, i) => {
    const first = files.get(feed.file);
    if (first !== undefined) throw new ConfigError(source, `feeds[${i}].path`, `writes ${feed.file}, as feeds[${first}] does`);
    files.set(feed.file, i);
  });
  // A folder of a declared feed may not be a file something else writes (the site's own files at the top,
  // or another declared feed's file): a build would meet a file where it needs a folder.
  const written = new Set<string>([...SITE_FILES, ...files.keys()]);
  feeds.forEach((feed, i) => {
    const folders = feed.path.split('/').slice(0, -1);
    for (let depth = 1; depth <= folders.length; depth++) {
      const folder = folders.slice(0, depth).join('/');
      if (written.has(folder)) throw new ConfigError(source, `feeds[${i}].path`, `${JSON.stringify(feed.path)} would make a folder of ${folder}, a file this site writes`);
    }
  });
  const newsSitemap: NewsSitemap | null =
    site.newsSitemap === false || site.newsSitemap === null
      ? null
      : { name: site.newsSitemap.name ?? site.publisher, language: site.newsSitemap.language ? newsLanguage(site.newsSitemap.language) : newsLanguage(site.language), days: site.newsSitemap.days ?? 2, maxItems: site.newsSitemap.maxItems ?? 1000 };
  return { ...site, feeds, newsSitemap, feedUrl: site.feedUrl ?? site.url, copyright: site.copyright ?? `Copyright ${site.publisher}` };
}

/** Every item must be able to fit its feed twice over, or a long story would empty the feed. */
function checkFitsTwice(itemChars: number, feedBytes: number, source: string, field: string): void {
  if (itemChars * 2 > feedBytes) throw new ConfigError(source, field, `${itemChars} characters per item do not fit twice in a feed of ${feedBytes} bytes; lower itemChars or raise feedBytes`);
}

function resolveFeed(feed: DeclaredFeedInput, limits: SiteConfig['limits'], source: string, field: string): DeclaredFeed {
  const top = feed.path.split('/')[0];
  // The site's and its sections' own files live at the top and under sections/.
  if (top === 'sections') throw new ConfigError(source, `${field}.path`, `${JSON.stringify(feed.path)} is under sections/, where the sections' own feeds go`);
  if (`${top}/` === ARCHIVE_FOLDER) throw new ConfigError(source, `${field}.path`, `${JSON.stringify(feed.path)} is under ${ARCHIVE_FOLDER}, where the site's archive documents go`);
  const profile = feed.profile ? PROFILES[feed.profile] : null;
  const feedBytes = feed.feedBytes ?? Math.min(limits.feedBytes, profile?.feedBytes ?? Number.POSITIVE_INFINITY);
  const itemChars = feed.itemChars ?? Math.min(limits.itemChars, profile?.itemChars ?? Number.POSITIVE_INFINITY, Math.floor(feedBytes / 2));
  checkFitsTwice(itemChars, feedBytes, source, `${field}.itemChars`);
  const scope = feed.scope as Scope;
  return {
    ...feed,
    scope,
    scopePath: scopePath(scope),
    file: feed.path + FEED_FILE_NAMES[feed.format],
    profile: feed.profile ?? null,
    items: feed.items ?? Math.max(limits.items, profile?.minItems ?? 0),
    feedBytes,
    itemChars,
    takedownDays: feed.takedownDays ?? DEFAULT_TAKEDOWN_DAYS,
  };
}

/**
 * The configuration as a site.json would give it (what the store remembers, config/site.json): declared
 * feeds without what parsing derives (their scope's folder, their file), so it reads back the same.
 */
export function siteConfigInput(site: SiteConfig): Record<string, unknown> {
  const feeds = site.feeds.map(({ scopePath: _scope, file: _file, profile, ...feed }) => (profile === null ? feed : { ...feed, profile }));
  return { ...site, feeds, newsSitemap: site.newsSitemap ?? false };
}

/** The tag and author scopes the site's declared feeds read: the only ones an article is indexed under. */
export function declaredScopes(site: Pick<SiteConfig, 'feeds'>): DeclaredScopes {
  const tags = new Set<string>();
  const authors = new Set<string>();
  for (const { scope } of site.feeds) {
    if (scope === 'site' || 'section' in scope) continue;
    if ('tag' in scope) tags.add(nameSlug(scope.tag));
    else authors.add(nameSlug(scope.author));
  }
  return { tags, authors };
}

/** One file a scope is rendered into: the default three of the site and each section, and declared feeds. */
export interface FeedOutput {
  /** Relative to the feed prefix. */
  file: string;
  format: FeedFormat;
  profile: ProfileName | null;
  items: number;
  feedBytes: number;
  itemChars: number;
  /** The declared feed's own title and description, else the scope's. */
  title?: string;
  description?: string;
  takedownDays: number;
}

/** Every file rendered from the scope at `path`: its own three (site and sections), then declared feeds. */
export function outputsOf(site: SiteConfig, path: string): FeedOutput[] {
  const outputs: FeedOutput[] = [];
  if (isDefaultScope(path)) {
    const budget = feedBudget(site, path);
    for (const format of FEED_FORMATS) outputs.push({ file: path + FEED_FILE_NAMES[format], format, profile: null, items: site.limits.items, ...budget, takedownDays: DEFAULT_TAKEDOWN_DAYS });
  }
  for (const feed of site.feeds) {
    if (feed.scopePath !== path) continue;
    const { file, format, profile, items, feedBytes, itemChars, title, description, takedownDays } = feed;
    outputs.push({ file, format, profile, items, feedBytes, itemChars, takedownDays, ...(title ? { title } : {}), ...(description !== undefined ? { description } : {}) });
  }
  return outputs;
}

/** What a scope's state must hold for all its outputs: the most items, the largest budgets. */
export function scopeBudget(site: SiteConfig, path: string): FeedBudget & { items: number } {
  const outputs = outputsOf(site, path);
  if (outputs.length === 0) return { items: site.limits.items, ...feedBudget(site, path) };
  return {
    items: Math.max(...outputs.map((o) => o.items)),
    feedBytes: Math.max(...outputs.map((o) => o.feedBytes)),
    itemChars: Math.max(...outputs.map((o) => o.itemChars)),
  };
}

/** `site` -> '', `sections/world` -> 'sections/world/': the feed's folder as FeedSpec.path spells it. */
function feedPathOf(name: string): string {
  const trimmed = name.replace(/\/$/, '');
  return trimmed === 'site' ? '' : `${trimmed}/`;
}

export interface FeedBudget {
  /** Bytes per file of this feed. */
  feedBytes: number;
  /** Characters of content HTML per item. */
  itemChars: number;
}

/** A feed's budgets (by FeedSpec.path): its own where the config gives them, else the site's. */
export function feedBudget(site: Pick<SiteConfig, 'limits'>, path: string): FeedBudget {
  const { limits } = site;
  let own: { feedBytes?: number; itemChars?: number } | undefined;
  for (const [name, budget] of Object.entries(limits.feeds)) if (feedPathOf(name) === path) own = budget;
  return { feedBytes: own?.feedBytes ?? limits.feedBytes, itemChars: own?.itemChars ?? limits.itemChars };
}
