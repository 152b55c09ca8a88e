/** Feedly's webfeeds elements: icon, logo, cover and accent colour from the site's branding. */
import type { XmlNode } from '../namespaces.js';
import type { PartnerRendering } from './model.js';

export const feedly: PartnerRendering = {
  name: 'feedly',
  channel({ site }) {
    const nodes: XmlNode[] = [];
    if (site.icon) nodes.push({ name: 'webfeeds:icon', text: site.icon });
    if (site.logo) nodes.push({ name: 'webfeeds:logo', text: site.logo });
    if (site.cover) nodes.push({ name: 'webfeeds:cover', attributes: { image: site.cover } });
    if (site.accentColor) nodes.push({ name: 'webfeeds:accentColor', text: site.accentColor });
    // Items read as cards with their lead photo.
    nodes.push({ name: 'webfeeds:related', attributes: { layout: 'card', target: 'browser' } });
    return nodes;
  },
};
