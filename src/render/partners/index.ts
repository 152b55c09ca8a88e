/** Every partner profile's rendering, by name (what a feed's `profile` selects). */
import type { ProfileName } from '../../profiles.js';
import { feedly } from './feedly.js';
import { flipboard } from './flipboard.js';
import { googleNews } from './google-news.js';
import type { PartnerRendering } from './model.js';
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

/** What a feed of this profile adds; a plain feed adds nothing. */
export function partnerOf(profile: ProfileName | null | undefined): PartnerRendering | null {
  return profile ? PARTNERS[profile] : null;
}
