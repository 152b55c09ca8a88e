/**
 * The article as HTML for feed content (RSS content:encoded, Atom content, JSON content_html): body
 * paragraphs, pull quotes, photos with caption and credit, related stories, attribution. Every piece of
 * text is escaped here; the model holds plain text only, so no markup from an article reaches a feed.
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

/**
 * Full content HTML. Layout: lead photo, dateline and body with the pull quotes spread through it, the
 * other photos, related stories, then attribution and publisher.
 */
export function renderContentHtml(article: Article, fallbackPublisher: string): string {
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
    const dateline = i === 0 && article.dateline ? `<strong class="dateline">${escapeHtml(article.dateline)}</strong> — ` : '';
    out.push(`<p>${dateline}${escapeHtml(paragraph)}</p>`);
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
  const footer: string[] = [];
  if (article.authors.length > 0) footer.push(`By ${escapeHtml(article.authors.join(', '))}`);
  for (const attribution of article.attribution) footer.push(`(${escapeHtml(attribution)})`);
  footer.push(escapeHtml(article.publisher ?? fallbackPublisher));
  out.push(`<p class="attribution">${footer.join(' · ')}</p>`);
  return out.join('\n');
}
