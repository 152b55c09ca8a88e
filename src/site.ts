/** Site configuration: read and checked once, with defaults so no flag is required. */
import * as z from 'zod/mini';
import { isHttpUrl, LANGUAGE_TAG, normaliseUrl } from './article.js';
import { ConfigError } from './errors.js';
import { fieldPath, zodMessage } from './read/finalize.js';

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
  /** WebSub hubs: every feed advertises them, and each is told of every feed file that changes. */
  hubs: z._default(z.array(imageUrl).check(z.maxLength(10, 'holds more than 10 hubs')), []),
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

export type SiteConfig = z.output<typeof SiteConfigSchema> & { feedUrl: string; copyright: string };

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
    // Every item must be able to fit its feed twice over, or a long story would empty the feed.
    if (itemChars * 2 > feedBytes) {
      const field = name === '' ? 'limits.itemChars' : `limits.feeds.${name}.itemChars`;
      throw new ConfigError(source, field, `${itemChars} characters per item do not fit twice in a feed of ${feedBytes} bytes; lower itemChars or raise feedBytes`);
    }
  }
  return { ...site, feedUrl: site.feedUrl ?? site.url, copyright: site.copyright ?? `Copyright ${site.publisher}` };
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
