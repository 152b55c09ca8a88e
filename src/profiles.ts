/**
 * Partner profiles: what each partner that ingests the feeds asks of an article and of a feed file, as
 * data (facts and sources: ../shared/partners.md, summarised in docs/decisions.md). The pre-flight check
 * (src/preflight.ts) reads these; partner feeds (issue 10) add their elements beside the renderers.
 */

export const PROFILE_NAMES = ['msn', 'flipboard', 'smartnews', 'google-news', 'feedly'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface Profile {
  name: ProfileName;
  /** Title length in characters, inclusive; outside it the partner refuses the item. */
  title?: { min: number; max: number };
  /** Body text in characters: under `min` refused; over `max` cut (the item budget). */
  body?: { min: number; max: number };
  /** Published within this many days and not in the future, or refused. */
  maxAgeDays?: number;
  /** The smallest side an article's best photo needs, in pixels (below: downgraded, e.g. not featured). */
  minPhotoSide?: number;
  /** Without any photo the article is downgraded (MSN does not auto-publish it; Flipboard does not feature it). */
  wantsPhoto: boolean;
  /** Summary (description) of at least this many characters. */
  minSummary?: number;
  /** Bytes of one article (Google News: 1 MB). */
  articleBytes?: number;
  /** Bytes of one feed file (a partner feed's default budget, when lower than the site's). */
  feedBytes?: number;
  /** Characters of content HTML per item (a partner feed's default item budget, when lower). */
  itemChars?: number;
  /** Items a partner feed carries at least, when the archive has them (Flipboard features feeds of 30). */
  minItems?: number;
  /** Channel description of at most this many characters (SmartNews). */
  maxFeedDescription?: number;
  /** The site's logo or icon is shown by this partner. */
  wantsBranding: boolean;
  /** HTML elements the partner keeps; any other in the content may be stripped with its content. */
  allowedTags?: ReadonlySet<string>;
}

const MSN_TAGS = ['b', 'i', 'em', 'strong', 'sub', 'sup', 'small', 'h1', 'h2', 'h3', 'h4', 'h5', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'ul', 'ol', 'li', 'p', 'div', 'span', 'br', 'figure', 'figcaption'];

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  msn: {
    name: 'msn',
    title: { min: 21, max: 150 },
    body: { min: 450, max: 500_000 },
    maxAgeDays: 365,
    minPhotoSide: 720,
    wantsPhoto: true,
    feedBytes: 10_000_000,
    wantsBranding: false,
    allowedTags: new Set(MSN_TAGS),
  },
  flipboard: { name: 'flipboard', minPhotoSide: 400, wantsPhoto: true, minSummary: 300, wantsBranding: false, minItems: 30 },
  smartnews: { name: 'smartnews', wantsPhoto: true, feedBytes: 1_000_000, maxFeedDescription: 30, wantsBranding: true },
  // 1 MB per article: a UTF-16 unit is at most 3 bytes of UTF-8, so 333,000 characters always fit.
  'google-news': { name: 'google-news', articleBytes: 1_000_000, feedBytes: 2_000_000, itemChars: 333_000, wantsPhoto: false, wantsBranding: false },
  feedly: { name: 'feedly', wantsPhoto: true, wantsBranding: true },
};

export function isProfileName(value: string): value is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(value);
}
