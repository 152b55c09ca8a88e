/**
 * The article as HTML for feed content (RSS content:encoded, Atom content, JSON content_html): body
 * paragraphs, pull quotes, photos with caption and credit, related stories, attribution. Every piece of
 * text is escaped here. The one markup from an article is a paragraph's `html` (Markdown, content_html),
 * written by the readers through the allowlist of src/read/html.ts: well-formed, escaped, http(s) links.
 */
import mime from 'mime/lite';
import type { Article, Photo } from '../article.js';
import { escapeAttr, escapeHtml } from '../text.js';

/** The photo's MIME type: the one recorded, else from its URL's extension (image/jpeg, not image/jpg). */
export function photoType(photo: Pick<Photo, 'url' | 'type'>): string {
  if (photo.type) return photo.type;
  if (!photo.url) return 'application/octet-stream';
  const type = mime.getType(new URL(photo.url).pathname);
  return type ?? 'application/octet-stream';
}

/** Photos that can be enclosed: those with a URL. */
export function photosWithUrl(article: Article): (Photo & { url: string })[] {
  return article.photos.filter((p): p is Photo & { url: string } => p.url !== null);
}

/** Credits and agency as one visible line: "Photo: A / B" style, kept as the wire wrote them. */
export function creditLine(photo: Photo): string | null {
  return photo.credit ? `Photo: ${photo.credit}` : null;
}

function figure(photo: Photo): string {
  const caption = photo.caption ? escapeHtml(photo.caption) : '';
  const credit = creditLine(photo);
  const captionHtml = [caption, credit ? `<small class="credit">${escapeHtml(credit)}</small>` : ''].filter(Boolean).join(' ');
  const size = photo.width && photo.height ? ` width="${photo.width}" height="${photo.height}"` : '';
  const img = photo.url ? `<img src="${escapeAttr(photo.url)}" alt="${escapeAttr(photo.caption ?? '')}"${size}>` : '';
  return `<figure>${img}${captionHtml ? `<figcaption>${captionHtml}</figcaption>` : ''}</figure>`;
}

function blockquote(quote: Article['quotes'][number]): string {
  const who = quote.speaker
    ? `<footer>— <cite>${escapeHtml(quote.speaker)}</cite>${quote.role ? `, ${escapeHtml(quote.role)}` : ''}</footer>`
    : '';
  return `<blockquote><p>${escapeHtml(quote.text)}</p>${who}</blockquote>`;
}

/** An article cut to its feed's item budget: its first paragraphs, then a link to the whole story. */
export type ShortenedArticle = Article & { shortened: { lead: boolean } };

export function isShortened(article: Article): article is ShortenedArticle {
  return (article as Partial<ShortenedArticle>).shortened !== undefined;
}

function paragraphHtml(article: Article, paragraph: string, i: number, rich = article.html?.[i] ?? ''): string {
  const dateline = i === 0 && article.dateline ? `<strong class="dateline">${escapeHtml(article.dateline)}</strong> — ` : '';
  if (rich !== '') {
    // The dateline opens the lead's paragraph, or stands before a lead that is a list, heading or table.
    if (dateline === '') return rich;
    return rich.startsWith('<p>') ? `<p>${dateline}${rich.slice(3)}` : `<p>${dateline.slice(0, -3)}</p>\n${rich}`;
  }
  return `<p>${dateline}${escapeHtml(paragraph)}</p>`;
}

function readMore(article: Article): string {
  return article.url
    ? `<p class="read-more"><a href="${escapeAttr(article.url)}">Read the full story</a></p>`
    : '<p class="read-more">This story continues beyond what this feed carries.</p>';
}

function attributionHtml(article: Article, fallbackPublisher: string): string {
  const footer: string[] = [];
  if (article.authors.length > 0) footer.push(`By ${escapeHtml(article.authors.join(', '))}`);
  for (const attribution of article.attribution) footer.push(`(${escapeHtml(attribution)})`);
  footer.push(escapeHtml(article.publisher ?? fallbackPublisher));
  return `<p class="attribution">${footer.join(' · ')}</p>`;
}

// Content HTML is rendered once per article and publisher, whichever formats ask for it.
const rendered = new WeakMap<Article, { publisher: string; html: string }>();

/**
 * Full content HTML. Layout: lead photo, dateline and body with the pull quotes spread through it, the
 * other photos, related stories, then attribution and publisher. A shortened article: lead photo, the
 * paragraphs it kept, a link to the whole story, attribution.
 */
export function renderContentHtml(article: Article, fallbackPublisher: string): string {
  const memo = rendered.get(article);
  if (memo?.publisher === fallbackPublisher) return memo.html;
  const html = isShortened(article) ? shortenedHtml(article, fallbackPublisher) : fullHtml(article, fallbackPublisher);
  rendered.set(article, { publisher: fallbackPublisher, html });
  return html;
}

function shortenedHtml(article: ShortenedArticle, fallbackPublisher: string): string {
  const lead = article.shortened.lead && article.photos[0] ? [figure(article.photos[0])] : [];
  const paragraphs = article.paragraphs.map((p, i) => paragraphHtml(article, p, i));
  return [...lead, ...paragraphs, readMore(article), attributionHtml(article, fallbackPublisher)].join('\n');
}

function fullHtml(article: Article, fallbackPublisher: string): string {
  const out: string[] = [];
  const [lead, ...otherPhotos] = article.photos;
  if (lead) out.push(figure(lead));
  const n = article.paragraphs.length;
  const q = article.quotes.length;
  // Quote j goes after paragraph ceil((j+1)·n/(q+1)): spread evenly, never before the lead.
  const quotesAfter = new Map<number, Article['quotes']>();
  article.quotes.forEach((quote, j) => {
    const after = Math.max(1, Math.ceil(((j + 1) * n) / (q + 1)));
    quotesAfter.set(after, [...(quotesAfter.get(after) ?? []), quote]);
  });
  article.paragraphs.forEach((paragraph, i) => {
    out.push(paragraphHtml(article, paragraph, i));
    for (const quote of quotesAfter.get(i + 1) ?? []) out.push(blockquote(quote));
  });
  for (const photo of otherPhotos) out.push(figure(photo));
  if (article.related.length > 0) {
    const items = article.related.map((r) => {
      const title = r.url ? `<a href="${escapeAttr(r.url)}">${escapeHtml(r.title)}</a>` : escapeHtml(r.title);
      return `<li>${escapeHtml(r.label)}: ${title}</li>`;
    });
    out.push(`<aside class="related"><ul>${items.join('')}</ul></aside>`);
  }
  out.push(attributionHtml(article, fallbackPublisher));
  return out.join('\n');
}

/**
 * The article as a feed item within `itemChars` characters of content HTML: itself when it fits, else
 * shortened at a paragraph (pull quotes, other photos' figures and related stories left to the page; the
 * photos stay as enclosures). When not even the first paragraph fits, it is cut at a space with "…".
 * Linear in the article's size; cutting an article already cut to a larger budget gives the same result
 * as cutting the original.
 */
export function fitToBudget(article: Article, fallbackPublisher: string, itemChars: number): Article {
  if (renderContentHtml(article, fallbackPublisher).length <= itemChars) return article;
  const tail = readMore(article).length + 1 + attributionHtml(article, fallbackPublisher).length;
  const leadFigure = article.photos[0] ? figure(article.photos[0]) : '';
  // The lead photo's figure stays unless it would take more than a quarter of the budget.
  const lead = leadFigure !== '' && leadFigure.length <= itemChars / 4;
  let used = tail + (lead ? leadFigure.length + 1 : 0);
  const kept: string[] = [];
  const keptHtml: string[] = [];
  for (const [i, paragraph] of article.paragraphs.entries()) {
    const size = paragraphHtml(article, paragraph, i).length + 1;
    if (used + size > itemChars) break;
    kept.push(paragraph);
    keptHtml.push(article.html?.[i] ?? '');
    used += size;
  }
  if (kept.length === 0) {
    // Cut as plain text: markup is not cut through.
    kept.push(cutParagraph(article, itemChars - used));
    keptHtml.push('');
  }
  const { html: _html, ...rest } = article;
  const html = keptHtml.some((h) => h !== '') ? { html: keptHtml } : {};
  return { ...rest, ...html, paragraphs: kept, quotes: [], related: [], shortened: { lead } } as ShortenedArticle;
}

/** The first paragraph's longest opening that fits `room` characters of HTML, cut at a space, with "…". */
function cutParagraph(article: Article, room: number): string {
  // A paragraph already cut ends in its ellipsis: cut again, it keeps one.
  const opening = article.paragraphs[0] ?? '';
  const first = isShortened(article) && opening.endsWith('…') ? opening.slice(0, -1) : opening;
  let low = 0;
  let high = first.length;
  // Escaped length grows with the prefix: the longest prefix that fits, by bisection.
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (paragraphHtml(article, `${first.slice(0, mid)}…`, 0, '').length + 1 <= room) low = mid;
    else high = mid - 1;
  }
  const prefix = first.slice(0, low);
  const space = prefix.lastIndexOf(' ');
  const cut = space > low / 2 ? prefix.slice(0, space) : prefix;
  // Never split a surrogate pair.
  const whole = /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
  return `${whole.trimEnd()}…`;
}
