/**
 * Photo metadata (length, type, dimensions) for photos that live in our own bucket: a HEAD for the length
 * and type, a ranged GET of the first bytes for the dimensions. Photos elsewhere are never fetched.
 *
 * Everything read from the bucket is untrusted: it is validated here so that every photo returned passes
 * PhotoSchema (a bad value becomes null, never a poisoned record). Measurements are cached by the object's
 * ETag (PhotoProbe), so a replaced photo is measured again and a deleted one is noticed.
 */
import { imageSize } from 'image-size';
import mime from 'mime/lite';
import * as z from 'zod/mini';
import { type Photo, PhotoSchema } from './article.js';
import type { ObjectHead, ObjectStore } from './storage/object-store.js';

/** Where photos live: URLs under urlPrefix are objects under keyPrefix in the bucket. */
export interface PhotoLocation {
  urlPrefix: string;
  keyPrefix: string;
}

/**
 * What was measured for one bucket photo, and the ETag of the object it was measured on. The caller stores
 * these and passes them back: a probe whose ETag still matches saves the ranged GET.
 */
export interface PhotoProbe {
  url: string;
  etag: string;
  bytes: number | null;
  type: string | null;
  width: number | null;
  height: number | null;
}

/** Bytes read for dimensions: enough for JPEG (SOF after EXIF), PNG, GIF and WebP headers. */
export const DIMENSION_BYTES = 128 * 1024;

/** The largest width or height believed: no real photo is larger, and a bigger value is a broken header. */
export const MAX_DIMENSION = 100_000;

/** RFC 6838 caps a subtype name at 127 characters; a longer header is junk, not a type. */
const MAX_SUBTYPE = 127;

export function photoKey(url: string, location: PhotoLocation | undefined): string | null {
  if (!location || !url.startsWith(location.urlPrefix)) return null;
  let rest: string;
  try {
    rest = decodeURIComponent(new URL(url).pathname.slice(new URL(location.urlPrefix).pathname.length));
  } catch {
    return null; // malformed percent-encoding: no object of ours can have that name
  }
  if (rest === '' || rest.split('/').some((p) => p === '..' || p === '.') || rest.includes('\0')) return null;
  return location.keyPrefix + rest;
}

/** The article schema's own type check, so what is accepted here can never fail it later. */
function isImageType(value: string): boolean {
  return value.startsWith('image/') && value.length <= 'image/'.length + MAX_SUBTYPE && z.safeParse(PhotoSchema.shape.type, value).success;
}

/**
 * The photo's type: the Content-Type lower-cased without parameters if it is an image type the schema
 * accepts; else the URL's extension (mime/lite) if that names an image type; else null.
 */
function validType(contentType: unknown, url: string): string | null {
  if (typeof contentType === 'string') {
    const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
    if (isImageType(essence)) return essence;
  }
  let fromExtension: string | null;
  try {
    fromExtension = mime.getType(new URL(url).pathname);
  } catch {
    return null;
  }
  return fromExtension && isImageType(fromExtension) ? fromExtension : null;
}

/** A length in bytes: a non-negative safe integer, else null. */
function validBytes(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** A width or height: a positive safe integer no larger than MAX_DIMENSION, else null. */
function validSide(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= MAX_DIMENSION ? value : null;
}

/** Dimensions come as a pair: one side alone says nothing about the picture. */
function validDimensions(width: unknown, height: unknown): { width: number | null; height: number | null } {
  const w = validSide(width);
  const h = validSide(height);
  return w !== null && h !== null ? { width: w, height: h } : { width: null, height: null };
}

/** Dimensions from the first bytes of an image; null for anything image-size cannot read (never throws). */
function measureDimensions(start: Uint8Array): { width: number | null; height: number | null } {
  try {
    const size = imageSize(start);
    return validDimensions(size.width, size.height);
  } catch {
    return { width: null, height: null };
  }
}

/** What the bucket says about one photo object: null when it does not exist. */
async function probe(url: string, key: string, store: ObjectStore, known: readonly PhotoProbe[], needDimensions: boolean): Promise<PhotoProbe | null> {
  // Cost: one HEAD, every time. It is what tells a deleted or replaced photo from an unchanged one.
  const head: ObjectHead | null = await store.head(key);
  if (!head) return null;
  const etag = typeof head.etag === 'string' ? head.etag : '';
  // Length and type come with the HEAD, so they are always current (a metadata-only copy keeps the ETag).
  const bytes = validBytes(head.size);
  const type = validType(head.contentType, url);
  // An empty ETag proves nothing about the body, so it never matches a cached probe.
  const cached = etag === '' ? undefined : known.find((k) => k.url === url && k.etag === etag);
  let dimensions = cached ? validDimensions(cached.width, cached.height) : { width: null, height: null };
  // A cached probe without dimensions may never have been measured (the article gave them then), so
  // measure when they are needed now. Cost: one ranged GET of at most DIMENSION_BYTES, only when the
  // article lacks a dimension and the ETag is new, or the cached probe has none; never for an empty object.
  if (needDimensions && dimensions.width === null && bytes !== 0) {
    const start = await store.get(key, { start: 0, end: DIMENSION_BYTES - 1 });
    // A body that changed since the HEAD would be measured against the wrong ETag: leave it unmeasured.
    if (start && (start.etag === '' || start.etag === etag)) dimensions = measureDimensions(new Uint8Array(start.body));
  }
  return { url, etag, bytes, type, ...dimensions };
}

/**
 * Fills in bytes, type, width and height from the bucket where the article does not give them (what the
 * article gives always wins). A photo whose URL is in the bucket's photo prefix but whose object does not
 * exist loses its URL (so it gets no enclosure; caption and credit stay). `probes` holds what was measured
 * for every bucket photo found, to be stored and passed back as `known` next time.
 *
 * Requests: none for photos outside the bucket prefix; one HEAD per distinct bucket photo; one ranged GET
 * (at most DIMENSION_BYTES) per bucket photo whose dimensions the article lacks and no probe for its
 * current ETag holds. Given values are the article's, already checked by ArticleSchema.
 */
export async function describePhotos(
  photos: readonly Photo[],
  store: ObjectStore,
  location: PhotoLocation | undefined,
  known: readonly PhotoProbe[] = [],
): Promise<{ photos: Photo[]; probes: PhotoProbe[] }> {
  // One probe per object, however many times the article shows it.
  const pending = new Map<string, Promise<PhotoProbe | null>>();
  const keys = photos.map((photo) => (photo.url ? photoKey(photo.url, location) : null));
  photos.forEach((photo, i) => {
    const key = keys[i];
    if (!photo.url || !key || pending.has(key)) return;
    const needDimensions = photos.some((p, j) => keys[j] === key && (p.width === null || p.height === null));
    pending.set(key, probe(photo.url, key, store, known, needDimensions));
  });
  const probed = new Map<string, PhotoProbe | null>();
  await Promise.all([...pending].map(async ([key, result]) => probed.set(key, await result)));
  const described = photos.map((photo, i): Photo => {
    const key = keys[i];
    if (!key) return photo;
    const found = probed.get(key);
    // A photo of ours that is not in the bucket: no feed may point at it. Caption and credit stay.
    if (!found) return { ...photo, url: null };
    return {
      ...photo,
      type: photo.type ?? found.type,
      bytes: photo.bytes ?? found.bytes,
      width: photo.width ?? found.width,
      height: photo.height ?? found.height,
    };
  });
  const probes = [...probed.values()].filter((p): p is PhotoProbe => p !== null);
  return { photos: described, probes };
}
