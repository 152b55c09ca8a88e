/** Site configuration: read and checked once, with defaults so no flag is required. */
import { z } from 'zod';
import { isHttpUrl } from './article.js';
import { ConfigError } from './errors.js';
import { fieldPath, zodMessage } from './read/finalize.js';

const absoluteUrl = z
  .string()
  .refine(isHttpUrl, 'must be an absolute http(s) URL')
  .transform((url) => (url.endsWith('/') ? url : `${url}/`));

export const SiteConfigSchema = z
  .object({
    title: z.string().min(1).max(200).default('Newsroom'),
    url: absoluteUrl.default('https://news.example.com/'),
    /** Where the feeds are served from; rss.xml and sections/<slug>/rss.xml hang off it. Defaults to url. */
    feedUrl: absoluteUrl.optional(),
    description: z.string().max(1000).default('Latest articles'),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or en-GB')
      .default('en'),
    publisher: z.string().min(1).max(200).default('Newsroom'),
    copyright: z.string().max(500).optional(),
    limits: z
      .object({
        /** Items in each feed. */
        items: z.number().int().min(1).max(1000).default(50),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type SiteConfig = z.output<typeof SiteConfigSchema> & { feedUrl: string; copyright: string };

/** Checks a parsed config value and fills the defaults. */
export function parseSiteConfig(value: unknown, source: string): SiteConfig {
  const parsed = SiteConfigSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(source, fieldPath(issue?.path ?? []), zodMessage(issue), { cause: parsed.error });
  }
  const site = parsed.data;
  return { ...site, feedUrl: site.feedUrl ?? site.url, copyright: site.copyright ?? `Copyright ${site.publisher}` };
}
