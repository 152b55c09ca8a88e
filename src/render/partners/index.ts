/** Every partner profile's rendering, by name (what a feed's `profile` selects). */
import type { Article } from '../../article.js';
import type { ProfileName } from '../../profiles.js';
import { mediaNodes, type XmlNode } from '../namespaces.js';
import { feedly } from './feedly.js';
import { flipboard } from './flipboard.js';
import { googleNews } from './google-news.js';
import type { PartnerContext, PartnerRendering } from './model.js';
import { msn } from './msn.js';
import { smartnews } from './smartnews.js';

export type { PartnerContext, PartnerRendering } from './model.js';

export const PARTNERS: Readonly<Record<ProfileName, PartnerRendering>> = {
  msn,
  flipboard,
  smartnews,
  'google-news': googleNews,
  feedly,
};

/** An item's extension elements in RSS and Atom alike: its photos in Media RSS, then the partner's own. */
export function itemNodes(article: Article, partner: PartnerRendering | null, context: PartnerContext): XmlNode[] {
  return [...mediaNodes(article, { titles: partner?.mediaTitles === true }), ...(partner?.item?.(article, context) ?? [])];
}

/** What a feed of this profile adds; a plain feed adds nothing. */
export function partnerOf(profile: ProfileName | null | undefined): PartnerRendering | null {
  return profile ? PARTNERS[profile] : null;
}
