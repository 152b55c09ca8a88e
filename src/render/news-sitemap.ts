/**
 * The Google News sitemap (news-sitemap.xml beside the site's feeds): the articles published within the
 * configured days (2) of the newest one, at most 1,000, newest first, each with its URL, the publication's
 * name and language, its original publication time and its title. Counted from the newest article's date,
 * never from "now", so the same articles give the same bytes. Articles without a URL have no place in it.
 */
import { type Article, recentCount } from '../article.js';
import type { NewsSitemap } from '../site.js';
import { escapeAttr, escapeHtml as text, isoSeconds, stripXmlForbidden } from '../text.js';

export { NEWS_SITEMAP_FILE } from '../formats.js';
export const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
export const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';

/** `articles`: the site's live articles, newest first (at least all those within the sitemap's days). */
export function renderNewsSitemap(articles: readonly Pick<Article, 'url' | 'title' | 'published'>[], sitemap: NewsSitemap): string {
  const recent = articles.slice(0, recentCount(articles, { days: sitemap.days, cap: Number.POSITIVE_INFINITY }));
  let out = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${SITEMAP_NS}" xmlns:news="${NEWS_NS}">\n`;
  let entries = 0;
  for (const article of recent) {
    if (article.url === null || entries >= sitemap.maxItems) continue;
    entries += 1;
    out += '  <url>\n';
    out += `    <loc>${text(article.url)}</loc>\n`;
    out += '    <news:news>\n';
    out += `      <news:publication>\n        <news:name>${text(sitemap.name)}</news:name>\n        <news:language>${escapeAttr(sitemap.language)}</news:language>\n      </news:publication>\n`;
    out += `      <news:publication_date>${isoSeconds(new Date(article.published))}</news:publication_date>\n`;
    out += `      <news:title>${text(article.title)}</news:title>\n`;
    out += '    </news:news>\n  </url>\n';
  }
  return stripXmlForbidden(`${out}</urlset>\n`);
}
