import sharp from "sharp";
import type { Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { saveImage, sniffImageType, type Storage, type StoredFile } from "../../platform/storage/index.ts";

export const maxUploadBytes = 10 * 1024 * 1024;
/** Widest image a post needs (a 2× cover on a wide screen). */
const maxWidth = { "post-image": 1600, "post-cover": 2000 } as const;

/**
 * Checks the real type first (SVG and unknown types are refused before any
 * decoder sees them), then resizes down to the width a post needs, turns the
 * image upright and drops its metadata (EXIF can carry a home's GPS
 * position). Animated GIFs are kept as they are.
 */
export async function savePostImage(
  db: Db,
  storage: Storage,
  bytes: Uint8Array,
  purpose: "post-image" | "post-cover",
): Promise<StoredFile> {
  if (bytes.length === 0) throw new AppError("invalid_input", 422, "error.file_empty");
  if (bytes.length > maxUploadBytes)
    throw new AppError("payload_too_large", 413, "error.file_too_large", {}, { max: maxUploadBytes / 1024 / 1024 });
  const type = sniffImageType(bytes);
  if (!type) throw new AppError("unsupported_media", 415, "error.file_type");
  let out: Uint8Array = bytes;
  if (type !== "image/gif") {
    try {
      const img = sharp(bytes, { limitInputPixels: 60_000_000, failOn: "error" })
        .rotate()
        .resize({ width: maxWidth[purpose], withoutEnlargement: true });
      const buf =
        type === "image/png"
          ? await img.png({ compressionLevel: 9 }).toBuffer()
          : type === "image/webp"
            ? await img.webp({ quality: 82 }).toBuffer()
            : await img.jpeg({ quality: 82, mozjpeg: true }).toBuffer();
      out = new Uint8Array(buf);
    } catch {
      // A file that looks like an image but does not decode is refused, not stored.
      throw new AppError("unsupported_media", 415, "error.file_type");
    }
  }
  return saveImage(db, storage, out, purpose, maxUploadBytes);
}

/** The Markdown line that shows an uploaded image. */
export function imageMarkdown(fileId: string, alt: string): string {
  const clean = alt
    .replace(/\.[a-z0-9]{2,5}$/i, "")
    .replace(/[[\]\\\n\r]/g, " ")
    .trim()
    .slice(0, 120);
  return `![${clean}](/post-media/${fileId})`;
}
