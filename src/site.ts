/** Site configuration: read and checked once, with defaults so no flag is required. */
import * as z from 'zod/mini';
import { isHttpUrl, LANGUAGE_TAG } from './article.js';
import { ConfigError } from './errors.js';
import { fieldPath, zodMessage } from './read/finalize.js';

const absoluteUrl = z.pipe(
  z.string().check(z.refine(isHttpUrl, 'must be an absolute http(s) URL')),
  z.transform((url: string) => (url.endsWith('/') ? url : `${url}/`)),
);
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));

export const SiteConfigSchema = z.strictObject({
  title: z._default(text(1, 200), 'Newsroom'),
  url: z._default(absoluteUrl, 'https://news.example.com/'),
  /** Where the feeds are served from; rss.xml and sections/<slug>/rss.xml hang off it. Defaults to url. */
  feedUrl: z.optional(absoluteUrl),
  description: z._default(text(0, 1000), 'Latest articles'),
  language: z._default(z.string().check(z.regex(LANGUAGE_TAG, 'must be a language tag such as en or en-GB')), 'en'),
  publisher: z._default(text(1, 200), 'Newsroom'),
  copyright: z.optional(text(0, 500)),
  limits: z.prefault(
    z.strictObject({
      /** Items in each feed. */
      items: z._default(z.int().check(z.gte(1), z.lte(1000)), 50),
    }),
    {},
  ),
});

export type SiteConfig = z.output<typeof SiteConfigSchema> & { feedUrl: string; copyright: string };

/** Checks a parsed config value and fills the defaults. */
export function parseSiteConfig(value: unknown, source: string): SiteConfig {
  const parsed = SiteConfigSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // An issue with the whole object (an unknown key) has no path: name the config, not "(article)".
    const field = issue?.path.length ? fieldPath(issue.path) : '(config)';
    throw new ConfigError(source, field, zodMessage(issue), { cause: parsed.error });
  }
  const site = parsed.data;
  return { ...site, feedUrl: site.feedUrl ?? site.url, copyright: site.copyright ?? `Copyright ${site.publisher}` };
}
