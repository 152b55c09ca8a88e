/**
 * SmartNews SmartFormat: the channel's logo (and dark-mode logo) as snf elements, a channel pubDate, a
 * description of at most 30 characters; 1 MB a file (the profile's budget, src/profiles.ts).
 */
import { PROFILES } from '../../profiles.js';
import type { XmlNode } from '../namespaces.js';
import type { PartnerRendering } from './model.js';

const MAX_DESCRIPTION = PROFILES.smartnews.maxFeedDescription ?? 30;

export const smartnews: PartnerRendering = {
  name: 'smartnews',
  channelPubDate: true,
  channel({ site }) {
    const nodes: XmlNode[] = [];
    const logo = site.logo ?? site.icon;
    if (logo) nodes.push({ name: 'snf:logo', children: [{ name: 'url', text: logo }] });
    if (site.darkModeLogo) nodes.push({ name: 'snf:darkModeLogo', children: [{ name: 'url', text: site.darkModeLogo }] });
    return nodes;
  },
  description(text) {
    if (text.length <= MAX_DESCRIPTION) return text;
    // Cut at a word where one ends late enough, with an ellipsis inside the limit.
    const cut = text.slice(0, MAX_DESCRIPTION - 1);
    const space = cut.lastIndexOf(' ');
    return `${(space > MAX_DESCRIPTION / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
  },
};
