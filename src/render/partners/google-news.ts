/**
 * Google News: any valid RSS or Atom within 2 MB a feed and 1 MB an article (the profile's budgets,
 * src/profiles.ts); a guid that is not a URL says isPermaLink="false" (every RSS feed does). No element
 * of its own.
 */
import type { PartnerRendering } from './model.js';

export const googleNews: PartnerRendering = { name: 'google-news' };
