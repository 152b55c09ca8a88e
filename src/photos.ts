/**
 * Photo metadata (length, type, dimensions) for photos that live in our own bucket: a HEAD for the length
 * and type, a ranged GET of the first bytes for the dimensions. Photos elsewhere are never fetched.
 */
import { imageSize } from 'image-size';
import type { Photo } from './article.js';
import type { ObjectStore } from './storage/object-store.js';

/** Where photos live: URLs under urlPrefix are objects under keyPrefix in the bucket. */
export interface PhotoLocation {
  urlPrefix: string;
  keyPrefix: string;
}

/** Bytes read for dimensions: enough for JPEG (SOF after EXIF), PNG, GIF and WebP headers. */
export const DIMENSION_BYTES = 128 * 1024;

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

/**
 * Fills in bytes, type, width and height from the bucket where they are unknown. A photo whose URL is in
 * the bucket's photo prefix but whose object does not exist loses its URL (so it gets no enclosure).
 */
export async function describePhotos(photos: readonly Photo[], store: ObjectStore, location: PhotoLocation | undefined, known: readonly Photo[] = []): Promise<Photo[]> {
  return Promise.all(
    photos.map(async (photo) => {
      if (!photo.url) return photo;
      const previous = known.find((k) => k.url === photo.url);
      const merged: Photo = previous
        ? { ...photo, type: photo.type ?? previous.type, bytes: photo.bytes ?? previous.bytes, width: photo.width ?? previous.width, height: photo.height ?? previous.height }
        : photo;
      if (merged.bytes !== null && merged.type !== null && merged.width !== null && merged.height !== null) return merged;
      const key = photoKey(photo.url, location);
      if (!key) return merged;
      const head = await store.head(key);
      // A photo of ours that is not in the bucket: no feed may point at it. Caption and credit stay.
      if (!head) return { ...merged, url: null };
      let { width, height } = merged;
      if (width === null || height === null) {
        const start = await store.get(key, { start: 0, end: DIMENSION_BYTES - 1 });
        try {
          const size = start ? imageSize(new Uint8Array(start.body)) : undefined;
          width ??= size?.width ?? null;
          height ??= size?.height ?? null;
        } catch {
          // Not an image we can measure: leave the dimensions unknown.
        }
      }
      const type = merged.type ?? (head.contentType?.startsWith('image/') ? head.contentType.split(';')[0]?.trim() ?? null : null);
      return { ...merged, bytes: merged.bytes ?? head.size, type, width, height };
    }),
  );
}
