/**
 * The page beside each feed's files (`index.html`): what a person sees who clicks a feed link, now that
 * browsers no longer apply XSLT to feeds. The feed's title, logo and description, its three addresses to
 * subscribe with (each also in a read-only field to copy from), autodiscovery links, and the newest items
 * with lead photo, caption, credit, byline and date. Static (no JavaScript), one inline stylesheet, every
 * value escaped as in the feeds; written as XHTML-compatible HTML so the output check can parse it.
 */
import type { Article } from '../article.js';
import type { FeedSpec } from '../select.js';
import type { SiteConfig } from '../site.js';
import { escapeAttr as attr, escapeHtml as text, isoSeconds, stripXmlForbidden } from '../text.js';
import { creditLine, photosWithUrl } from './content.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "25 April 2019": the date in UTC, the same on every machine (no locale, no clock). */
function humanDate(iso: string): string {
  const date = new Date(iso);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

const STYLE = [
  'body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;max-width:46rem;margin:0 auto;padding:1rem}',
  'a{color:#0a4f9e}',
  'header{border-bottom:1px solid #ccc;margin-bottom:1rem}',
  '.logo{max-height:3rem;width:auto}',
  '.subscribe ul{list-style:none;padding:0}',
  '.subscribe li{margin:.25rem 0}',
  '.subscribe input{width:100%;box-sizing:border-box;font:inherit;padding:.25rem;border:1px solid #767676}',
  'article{border-bottom:1px solid #e0e0e0;padding:.5rem 0 1rem}',
  'article img{max-width:100%;height:auto}',
  '.meta,figcaption{color:#4a4a4a;font-size:.9rem}',
].join('');

function item(article: Article): string {
  const lead = photosWithUrl(article)[0];
  const heading = article.url ? `<a href="${attr(article.url)}">${text(article.title)}</a>` : text(article.title);
  const byline = article.authors.length > 0 ? `By ${text(article.authors.join(', '))} · ` : '';
  const meta = `<p class="meta">${byline}<time datetime="${isoSeconds(new Date(article.published))}">${humanDate(article.published)}</time></p>`;
  let figure = '';
  if (lead) {
    const size = lead.width && lead.height ? ` width="${lead.width}" height="${lead.height}"` : '';
    const credit = creditLine(lead);
    const caption = [lead.caption ? text(lead.caption) : '', credit ? `<small>${text(credit)}</small>` : ''].filter(Boolean).join(' ');
    figure = `<figure><img src="${attr(lead.url)}" alt="${attr(lead.caption ?? article.title)}"${size} loading="lazy" />${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`;
  }
  return `<article><h3>${heading}</h3>${meta}${figure}${article.summary ? `<p>${text(article.summary)}</p>` : ''}</article>`;
}

export function renderPage(feed: FeedSpec, articles: readonly Article[], site: SiteConfig): string {
  const formats = [
    { name: 'RSS', type: 'application/rss+xml', file: 'rss.xml', url: feed.selfUrls.rss },
    { name: 'Atom', type: 'application/atom+xml', file: 'atom.xml', url: feed.selfUrls.atom },
    { name: 'JSON Feed', type: 'application/feed+json', file: 'feed.json', url: feed.selfUrls.json },
  ];
  const alternates = formats.map((f) => `<link rel="alternate" type="${f.type}" title="${attr(`${feed.title} (${f.name})`)}" href="${f.file}" />`).join('\n');
  const subscribe = formats
    .map((f) => `<li><a href="${f.file}" type="${f.type}">${f.name}</a><input type="text" readonly="readonly" value="${attr(f.url)}" aria-label="${attr(`${f.name} address to copy`)}" /></li>`)
    .join('');
  const logo = site.logo ?? site.icon;
  const items = articles.length > 0 ? articles.map(item).join('\n') : '<p>No stories yet.</p>';
  // Belt and braces, as in the feeds: characters XML forbids never reach the page.
  return stripXmlForbidden(`<!DOCTYPE html>
<html lang="${attr(site.language)}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${text(feed.title)}</title>
<meta name="description" content="${attr(feed.description)}" />
${alternates}
<style>${STYLE}</style>
</head>
<body>
<header>
${logo ? `<img class="logo" src="${attr(logo)}" alt="${attr(site.publisher)}" />\n` : ''}<h1>${text(feed.title)}</h1>
<p>${text(feed.description)}</p>
<section class="subscribe" aria-labelledby="subscribe"><h2 id="subscribe">Subscribe</h2><p>Open one of these in your feed reader, or copy its address into it.</p><ul>${subscribe}</ul></section>
</header>
<main>
<h2>Latest stories</h2>
${items}
</main>
<footer><p>${text(site.copyright)}</p></footer>
</body>
</html>
`);
}
