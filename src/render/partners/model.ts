/**
 * What a partner profile adds to a feed file: elements in its namespaces, the content HTML it keeps, the
 * takedowns it needs to see. One small module per partner beside this one; the renderers (RSS, Atom)
 * apply them through the shared namespace model (../namespaces.ts). Pure.
 */
import type { Article } from '../../article.js';
import type { ProfileName } from '../../profiles.js';
import type { DeletedEntry, FeedSpec } from '../../select.js';
import type { SiteConfig } from '../../site.js';
import type { XmlNode } from '../namespaces.js';

export interface PartnerContext {
  spec: FeedSpec;
  site: SiteConfig;
  /** The feed's date (its newest change), never "now": the same input gives the same bytes. */
  updated: Date;
}

export interface PartnerRendering {
  name: ProfileName;
  /** Elements of the channel (RSS) or the feed (Atom). */
  channel?(context: PartnerContext): XmlNode[];
  /** Elements of each item (RSS) or entry (Atom). */
  item?(article: Article, context: PartnerContext): XmlNode[];
  /** media:title on each photo. */
  mediaTitles?: boolean;
  /** The content HTML as the partner keeps it. */
  content?(html: string): string;
  /** The channel description as the partner shows it. */
  description?(text: string): string;
  /** RSS: a channel pubDate (the feed's date). */
  channelPubDate?: boolean;
  /**
   * Takedowns the partner must be told of as items (removing an item tells MSN nothing): which of the
   * feed's takedowns to write, and the elements that mark each one expired.
   */
  expired?: {
    select(deleted: readonly DeletedEntry[], context: PartnerContext): DeletedEntry[];
    nodes(entry: DeletedEntry, context: PartnerContext): XmlNode[];
  };
}
