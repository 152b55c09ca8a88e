/**
 * Feed scopes: which articles a feed shows. Each scope has one folder (its path), which names its state,
 * its markers in the index and, for the site and its sections, its three files:
 *
 *   ''                 the whole site           (always)
 *   sections/<slug>/   one section              (always, one per section an article names)
 *   tags/<slug>/       one tag                  (only when a declared feed asks for it)
 *   authors/<slug>/    one author (byline)      (only when a declared feed asks for it)
 *
 * Tag and author scopes exist only when declared (src/site.ts `feeds`): an article with ten tags does not
 * cost ten feed updates unless someone reads those feeds. Pure.
 */
import { createHash } from 'node:crypto';
import { slugify } from './text.js';

export type ScopeKind = 'site' | 'section' | 'tag' | 'author';

/** A scope as the configuration names it. */
export type Scope = 'site' | { section: string } | { tag: string } | { author: string };

const ROOTS = { section: 'sections/', tag: 'tags/', author: 'authors/' } as const;

/** A scope path that is not the site: a root and one slug (letters of any script, digits, hyphens). */
export const SCOPE_PATH = /^((sections|tags|authors)\/[^/]+\/)?$/;

export function sectionSlug(name: string): string {
  return slugify(name, 60) || 'section';
}

const SLUG_LENGTH = 60;
const hash8 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * A tag's or an author's slug: as a section's, but two names never share one unless their slugs are
 * the same whole: a name that slugs to nothing (emoji, punctuation) is `~` and a hash of the name, and
 * a slug cut to its 60 characters ends in `~` and a hash of the whole (`~` never occurs in a slug).
 * Sections keep their rule: their folders are public addresses already.
 */
export function nameSlug(name: string): string {
  const whole = slugify(name, Number.MAX_SAFE_INTEGER);
  if (whole === '') return `~${hash8(name.normalize('NFC').trim())}`;
  if (whole.length <= SLUG_LENGTH) return whole;
  return `${slugify(name, SLUG_LENGTH - 9)}~${hash8(whole)}`;
}

/** The slug of a scope's name: sections as ever, tags and authors by nameSlug. */
const slugOf = (kind: 'section' | 'tag' | 'author', name: string) => (kind === 'section' ? sectionSlug(name) : nameSlug(name));

export function scopePath(scope: Scope): string {
  if (scope === 'site') return '';
  if ('section' in scope) return `${ROOTS.section}${sectionSlug(scope.section)}/`;
  if ('tag' in scope) return `${ROOTS.tag}${nameSlug(scope.tag)}/`;
  return `${ROOTS.author}${nameSlug(scope.author)}/`;
}

export function scopeKind(path: string): ScopeKind {
  if (path === '') return 'site';
  if (path.startsWith(ROOTS.section)) return 'section';
  if (path.startsWith(ROOTS.tag)) return 'tag';
  return 'author';
}

/** The slug a scope's folder names (`sections/world/` -> `world`); '' for the site. */
export const scopeSlug = (path: string) => path.slice(path.indexOf('/') + 1, -1);

/** The site and its sections: the scopes that always have their three files and a page. */
export const isDefaultScope = (path: string) => path === '' || path.startsWith(ROOTS.section);

/** The tag and author scopes the configuration declares, by slug. */
export interface DeclaredScopes {
  tags: ReadonlySet<string>;
  authors: ReadonlySet<string>;
}

export const NO_DECLARED_SCOPES: DeclaredScopes = { tags: new Set(), authors: new Set() };

/** What decides an article's scopes (an unreadable record may still name these). */
export interface Scoped {
  section: string | null;
  tags?: readonly string[];
  authors?: readonly string[];
}

/**
 * The scopes an article belongs to: the site, its section's, and each declared tag and author scope it
 * names. Sorted and without repeats (two tags with one slug are one scope).
 */
export function feedPathsOf(article: Scoped, declared: DeclaredScopes = NO_DECLARED_SCOPES): string[] {
  const paths = new Set<string>(['']);
  if (article.section) paths.add(`${ROOTS.section}${sectionSlug(article.section)}/`);
  // (Names are slugged only when some tag or author scope is declared: most sites declare none.)
  if (declared.tags.size > 0) for (const tag of article.tags ?? []) {
    const slug = nameSlug(tag);
    if (declared.tags.has(slug)) paths.add(`${ROOTS.tag}${slug}/`);
  }
  if (declared.authors.size > 0) for (const author of article.authors ?? []) {
    const slug = nameSlug(author);
    if (declared.authors.has(slug)) paths.add(`${ROOTS.author}${slug}/`);
  }
  return [...paths].sort();
}

/** Whether an article belongs to the scope at `path` (declared or not). */
export function inScope(article: Scoped, path: string): boolean {
  const kind = scopeKind(path);
  if (kind === 'site') return true;
  const slug = scopeSlug(path);
  if (kind === 'section') return article.section !== null && sectionSlug(article.section) === slug;
  const names = kind === 'tag' ? article.tags : article.authors;
  return (names ?? []).some((name) => slugOf(kind, name) === slug);
}

/**
 * The scope's name as its newest article spells it (feed titles): the section, or the tag or author whose
 * slug the path names. Null for the site.
 */
export function scopeName(article: Scoped, path: string): string | null {
  const kind = scopeKind(path);
  if (kind === 'site') return null;
  if (kind === 'section') return article.section;
  const slug = scopeSlug(path);
  return (kind === 'tag' ? article.tags : article.authors)?.find((name) => slugOf(kind, name) === slug) ?? null;
}
