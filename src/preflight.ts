/**
 * The pre-flight check (`syndicate check`): what each partner would refuse (reject) or downgrade (warn)
 * in an article or a feed file, before anything is published. Pure: articles, the site config and the
 * time in; findings out. The partners' rules are data in src/profiles.ts.
 */
import { type Article, DAY_MS, type ReadWarning } from './article.js';
import { isFeedFile, type OutputFile } from './build.js';
import { renderContentHtml } from './render/content.js';
import { type Profile, PROFILES, type ProfileName } from './profiles.js';
import type { SiteConfig } from './site.js';

export type Severity = 'reject' | 'warn';

export interface Finding {
  /** The article's file, a feed file's path, or `(config)`. */
  file: string;
  id: string | null;
  profile: ProfileName;
  rule: string;
  severity: Severity;
  message: string;
}

export interface ReadArticle {
  file: string;
  article: Article;
  warnings: readonly ReadWarning[];
}


/** The profiles to check: one by name, or all of them. */
export function profilesFor(name?: ProfileName): Profile[] {
  return name ? [PROFILES[name]] : Object.values(PROFILES);
}

/** Elements used in a content HTML we rendered ourselves (lower-case names, no attributes needed). */
function tagsOf(html: string): Set<string> {
  const tags = new Set<string>();
  for (const match of html.matchAll(/<([a-z][a-z0-9]*)[\s>/]/g)) tags.add(match[1] as string);
  return tags;
}

/** One article against each profile. */
export function checkArticle({ file, article, warnings }: ReadArticle, profiles: readonly Profile[], site: SiteConfig, now: Date): Finding[] {
  const findings: Finding[] = [];
  const html = renderContentHtml(article, site.publisher);
  const body = article.paragraphs.reduce((n, p) => n + p.length, 0) + Math.max(0, article.paragraphs.length - 1);
  const photos = article.photos.filter((p) => p.url !== null);
  const sized = photos.filter((p) => p.width !== null && p.height !== null);
  const bestSide = sized.reduce((best, p) => Math.max(best, Math.min(p.width as number, p.height as number)), 0);
  const published = Date.parse(article.published);
  const titleDerived = warnings.some((w) => w.field === 'title');
  for (const profile of profiles) {
    const add = (rule: string, severity: Severity, message: string) => findings.push({ file, id: article.id, profile: profile.name, rule, severity, message });
    const { title } = profile;
    if (title && (article.title.length < title.min || article.title.length > title.max)) {
      add('title-length', 'reject', `title of ${article.title.length} characters; ${profile.name} takes ${title.min} to ${title.max}`);
    }
    if (titleDerived) add('title-derived', 'warn', 'title derived from the lead paragraph: give one in front matter');
    if (profile.body && body < profile.body.min) add('body-length', 'reject', `body of ${body} characters; ${profile.name} takes at least ${profile.body.min}`);
    if (profile.body && body > profile.body.max) add('body-length', 'warn', `body of ${body} characters; cut at a paragraph to ${profile.body.max} in the feed`);
    if (profile.maxAgeDays !== undefined) {
      if (published > now.getTime()) add('published-future', 'reject', `published ${article.published}, in the future`);
      else if (now.getTime() - published > profile.maxAgeDays * DAY_MS) add('published-age', 'reject', `published ${article.published}, more than ${profile.maxAgeDays} days ago`);
    }
    if (profile.wantsPhoto && photos.length === 0) add('photo', 'warn', 'no photo with a URL: the partner shows (or promotes) articles with one');
    if (profile.minPhotoSide !== undefined && photos.length > 0) {
      if (sized.length === 0) add('photo-size-unknown', 'warn', `no photo's dimensions are known: cannot tell whether one reaches ${profile.minPhotoSide} px`);
      else if (bestSide < profile.minPhotoSide) add('photo-size', 'warn', `the largest photo's smallest side is ${bestSide} px; ${profile.name} wants ${profile.minPhotoSide} px`);
    }
    if (profile.minSummary !== undefined && article.summary.length < profile.minSummary) {
      add('summary-length', 'warn', `summary of ${article.summary.length} characters; ${profile.name} wants ${profile.minSummary} or more`);
    }
    if (article.authors.length === 0) add('byline', 'warn', 'no byline');
    if (profile.articleBytes !== undefined && Buffer.byteLength(html) > profile.articleBytes) {
      add('article-bytes', 'reject', `content of ${Buffer.byteLength(html)} bytes; ${profile.name} takes at most ${profile.articleBytes}`);
    }
    if (profile.allowedTags) {
      const disallowed = [...tagsOf(html)].filter((tag) => !profile.allowedTags?.has(tag)).sort();
      if (disallowed.length > 0) add('html', 'warn', `content uses ${disallowed.map((t) => `<${t}>`).join(', ')}, which ${profile.name} may strip with their content`);
    }
  }
  return findings;
}

/** An article that could not be read is refused by every partner: it would not be published at all. */
export function checkUnreadable(file: string, message: string, profiles: readonly Profile[]): Finding[] {
  return profiles.map((profile) => ({ file, id: null, profile: profile.name, rule: 'read', severity: 'reject' as const, message }));
}

/**
 * The site's feed files (as rendered, within their budgets) and its configuration against each profile:
 * files over the partner's bytes, the channel description, branding, a partner feed's item count. A
 * feed declared for a partner is checked against that partner only; pages are not feeds.
 */
export function checkFeeds(files: readonly OutputFile[], profiles: readonly Profile[], site: SiteConfig): Finding[] {
  const findings: Finding[] = [];
  const declared = new Map(site.feeds.map((feed) => [feed.file, feed]));
  const sizes = files.filter((file) => isFeedFile(file.path)).map((file) => ({ path: file.path, bytes: Buffer.byteLength(file.body), profile: declared.get(file.path)?.profile ?? null }));
  site.feeds.forEach((feed, i) => {
    const profile = profiles.find((p) => p.name === feed.profile);
    if (profile?.minItems !== undefined && feed.items < profile.minItems) {
      findings.push({ file: '(config)', id: null, profile: profile.name, rule: 'feed-items', severity: 'warn', message: `feeds[${i}] (${feed.file}) shows ${feed.items} items; ${profile.name} wants ${profile.minItems}` });
    }
  });
  for (const profile of profiles) {
    const add = (file: string, rule: string, message: string) => findings.push({ file, id: null, profile: profile.name, rule, severity: 'warn', message });
    // A feed shaped for the partner cuts its own description (src/render/partners/smartnews.ts).
    const shaped = site.feeds.some((feed) => feed.profile === profile.name);
    if (!shaped && profile.maxFeedDescription !== undefined && site.description.length > profile.maxFeedDescription) {
      add('(config)', 'feed-description', `site description of ${site.description.length} characters; ${profile.name} shows at most ${profile.maxFeedDescription}`);
    }
    if (profile.wantsBranding && !site.logo && !site.icon) add('(config)', 'branding', `no logo or icon in the site config; ${profile.name} shows one`);
    const { feedBytes } = profile;
    if (feedBytes === undefined) continue;
    for (const { path, bytes, profile: own } of sizes) {
      if (own !== null && own !== profile.name) continue;
      if (bytes > feedBytes) add(path, 'feed-bytes', `${bytes} bytes, over ${profile.name}'s ${feedBytes}: lower the feed's byte budget (limits.feeds) for it`);
    }
  }
  return findings;
}

/** Rejects first, then by file, profile and rule: the order a person reads a report in. */
export function sortFindings(findings: Finding[]): Finding[] {
  const key = (f: Finding) => `${f.severity === 'reject' ? 0 : 1}\u0000${f.file}\u0000${f.profile}\u0000${f.rule}`;
  return findings.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Findings counted by profile and severity as they come, for the one line `build` and `publish` print. */
export class FindingTally {
  private readonly counts = new Map<string, { reject: number; warn: number }>();

  add(findings: readonly Finding[]): void {
    for (const f of findings) {
      const counts = this.counts.get(f.profile) ?? { reject: 0, warn: 0 };
      counts[f.severity] += 1;
      this.counts.set(f.profile, counts);
    }
  }

  summary(): string {
    if (this.counts.size === 0) return 'pre-flight: nothing any partner would refuse or downgrade';
    const parts = [...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([profile, c]) => `${profile} ${c.reject} reject, ${c.warn} warn`);
    return `pre-flight: ${parts.join('; ')} (\`syndicate check\` lists them)`;
  }
}
