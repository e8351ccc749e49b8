import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { Db } from "../db/index.ts";
import { newId, nowIso } from "../ids.ts";
import { AppError } from "../http/errors.ts";
import { log } from "../log.ts";

/**
 * Files on local disk under DATA_DIR/files, one row each in `files`. The
 * type is decided from the content's first bytes, never from the name or the
 * browser's claim. SVG is refused (it can carry scripts).
 */
export const imageTypes = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
export type ImageType = (typeof imageTypes)[number];

export function sniffImageType(bytes: Uint8Array): ImageType | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (
    b.length >= 12 &&
    String.fromCharCode(...b.subarray(0, 4)) === "RIFF" &&
    String.fromCharCode(...b.subarray(8, 12)) === "WEBP"
  )
    return "image/webp";
  if (b.length >= 6 && String.fromCharCode(...b.subarray(0, 4)) === "GIF8") return "image/gif";
  return null;
}

export interface StoredFile {
  id: string;
  mime: string;
  size: number;
  path: string;
}

/** Saves an uploaded image after checking its real type and size. */
export async function saveImage(
  db: Db,
  filesDir: string,
  bytes: Uint8Array,
  purpose: string,
  maxBytes: number,
): Promise<StoredFile> {
  if (bytes.length === 0) throw new AppError("invalid_input", 422, "error.file_empty");
  if (bytes.length > maxBytes)
    throw new AppError(
      "payload_too_large",
      413,
      "error.file_too_large",
      {},
      { max: Math.round(maxBytes / 1024 / 1024) },
    );
  const mime = sniffImageType(bytes);
  if (!mime) throw new AppError("unsupported_media", 415, "error.file_type");
  const id = newId();
  const rel = path.join(id.slice(0, 8), id);
  const abs = path.join(filesDir, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  // Write to a temporary name first so a crash never leaves a half file under the final name.
  fs.writeFileSync(abs + ".tmp", bytes);
  fs.renameSync(abs + ".tmp", abs);
  await db
    .insertInto("files")
    .values({ id, purpose, path: rel, mime, size: bytes.length, created_at: nowIso() })
    .execute();
  return { id, mime, size: bytes.length, path: rel };
}

export async function findFile(db: Db, id: string): Promise<(StoredFile & { purpose: string }) | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  return db
    .selectFrom("files")
    .select(["id", "mime", "size", "path", "purpose"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/**
 * A stored file whose bytes are gone from disk (a restore without the files,
 * a disk mishap) is a 404 with a clear message, logged for the operator;
 * never an unhandled ENOENT and a 500.
 */
function missing(file: StoredFile, err: unknown): AppError {
  if ((err as NodeJS.ErrnoException)?.code !== "ENOENT") throw err;
  log.warn("stored file missing on disk", { fileId: file.id, path: file.path });
  return new AppError("file_missing", 404, "error.file_missing");
}

export function readStoredFile(filesDir: string, file: StoredFile): Buffer {
  try {
    return fs.readFileSync(path.join(filesDir, file.path));
  } catch (err) {
    throw missing(file, err);
  }
}

/** Opens a stored file for streaming (large downloads): its size and a web stream, or the 404 above. */
export function openStoredFile(
  filesDir: string,
  file: Pick<StoredFile, "id" | "path">,
): { size: number; stream: ReadableStream<Uint8Array> } {
  const abs = path.join(filesDir, file.path);
  let fd: number;
  try {
    fd = fs.openSync(abs, "r");
  } catch (err) {
    throw missing(file as StoredFile, err);
  }
  const size = fs.fstatSync(fd).size;
  const stream = Readable.toWeb(fs.createReadStream(abs, { fd })) as ReadableStream<Uint8Array>;
  return { size, stream };
}

export async function deleteFile(db: Db, filesDir: string, id: string): Promise<void> {
  const file = await findFile(db, id);
  if (!file) return;
  await db.deleteFrom("files").where("id", "=", id).execute();
  fs.rmSync(path.join(filesDir, file.path), { force: true });
}
