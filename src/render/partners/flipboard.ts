/**
 * Flipboard: full content, Media RSS with sizes, at least 30 items (the feed's default, src/profiles.ts)
 * and a WebSub hub link (from the site's hubs): all written by every RSS feed already, so this profile
 * adds no element of its own.
 */
import type { PartnerRendering } from './model.js';

export const flipboard: PartnerRendering = { name: 'flipboard' };
