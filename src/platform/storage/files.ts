import type { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import type { Db } from "../db/index.ts";
import { newId, nowIso } from "../ids.ts";
import { AppError } from "../http/errors.ts";
import { log } from "../log.ts";
import { isObjectMissing, type ByteRange, type Storage } from "./driver.ts";
import { sniffImageType } from "./images.ts";

/**
 * Stored files: one row each in `files` (id, purpose, mime, size, and `path`,
 * the object's key in the storage), the bytes in the configured Storage
 * (local disk or S3). Files never change once stored: a new version is a new id.
 */
export interface StoredFile {
  id: string;
  mime: string;
  size: number;
  /** The object's key in the storage. */
  path: string;
}

/** A fresh key for a new file: `<prefix>/<first 8 of id>/<id>` (no prefix: `<8>/<id>`, as before). */
export function newFileKey(prefix?: string): { id: string; key: string } {
  const id = newId();
  const key = [prefix, id.slice(0, 8), id].filter(Boolean).join("/");
  return { id, key };
}

export async function findFile(db: Db, id: string): Promise<(StoredFile & { purpose: string }) | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  return db
    .selectFrom("files")
    .select(["id", "mime", "size", "path", "purpose"])
    .where("id", "=", id)
    .executeTakeFirst();
}

function tooLarge(maxBytes: number): AppError {
  return new AppError(
    "payload_too_large",
    413,
    "error.file_too_large",
    {},
    { max: Math.round(maxBytes / 1024 / 1024) },
  );
}

async function record(db: Db, storage: Storage, file: StoredFile, purpose: string): Promise<StoredFile> {
  try {
    await db
      .insertInto("files")
      .values({ id: file.id, purpose, path: file.path, mime: file.mime, size: file.size, created_at: nowIso() })
      .execute();
  } catch (err) {
    await storage.delete(file.path).catch(() => undefined);
    throw err;
  }
  return file;
}

/** Saves an uploaded image (bytes in memory: logos, post images) after checking its real type and size. */
export async function saveImage(
  db: Db,
  storage: Storage,
  bytes: Uint8Array,
  purpose: string,
  maxBytes: number,
): Promise<StoredFile> {
  if (bytes.length === 0) throw new AppError("invalid_input", 422, "error.file_empty");
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  const mime = sniffImageType(bytes);
  if (!mime) throw new AppError("unsupported_media", 415, "error.file_type");
  return storeBytes(db, storage, { bytes, mime, purpose });
}

/** Stores bytes already checked by the caller (generated images, seeds, tests). */
export async function storeBytes(
  db: Db,
  storage: Storage,
  opts: { bytes: Uint8Array; mime: string; purpose: string; keyPrefix?: string },
): Promise<StoredFile> {
  const { id, key } = newFileKey(opts.keyPrefix);
  await storage.put(key, { bytes: opts.bytes }, { mime: opts.mime });
  return record(db, storage, { id, mime: opts.mime, size: opts.bytes.length, path: key }, opts.purpose);
}

/**
 * Stores a streamed upload (the temporary file `fileIn(body, field).tmpPath`
 * written by the body reader): moved on local disk, streamed (multipart) to
 * S3. The caller checks type and size first. The temp file is left for the
 * request's cleanup on S3, and is gone after a local move.
 */
export async function storeUpload(
  db: Db,
  storage: Storage,
  opts: { tempPath: string; mime: string; size: number; purpose: string; keyPrefix?: string },
): Promise<StoredFile> {
  if (opts.size === 0) throw new AppError("invalid_input", 422, "error.file_empty");
  const { id, key } = newFileKey(opts.keyPrefix);
  await storage.put(key, { path: opts.tempPath, size: opts.size, move: true }, { mime: opts.mime });
  return record(db, storage, { id, mime: opts.mime, size: opts.size, path: key }, opts.purpose);
}

/**
 * A stored file whose bytes are gone (a restore without the files, a bucket
 * emptied by hand) is a 404 with a clear message, logged for the operator;
 * never an unhandled error and a 500.
 */
export function missingFile(file: Pick<StoredFile, "id" | "path">): AppError {
  log.warn("stored file missing", { fileId: file.id, path: file.path });
  return new AppError("file_missing", 404, "error.file_missing");
}

/** Opens a stored file (or a byte range of it) as a Node stream; the 404 above when its bytes are gone. */
export async function openStoredFile(
  storage: Storage,
  file: Pick<StoredFile, "id" | "path">,
  range?: ByteRange,
): Promise<{ size: number; totalSize: number; stream: Readable }> {
  try {
    return await storage.get(file.path, range);
  } catch (err) {
    if (isObjectMissing(err)) throw missingFile(file);
    throw err;
  }
}

/** The whole file in memory (small files only: images, imports' previews). */
export async function readStoredFile(storage: Storage, file: Pick<StoredFile, "id" | "path">): Promise<Buffer> {
  const { stream } = await openStoredFile(storage, file);
  return buffer(stream);
}

/** Removes a file's bytes only (a file stored by a transaction that then rolled back). */
export async function discardStoredFile(storage: Storage, file: Pick<StoredFile, "path"> | null): Promise<void> {
  if (file)
    await storage
      .delete(file.path)
      .catch((err: unknown) => log.warn("could not remove stored file", { path: file.path, error: String(err) }));
}

/** Removes a file: its row, then its bytes. */
export async function deleteFile(db: Db, storage: Storage, id: string): Promise<void> {
  const file = await findFile(db, id);
  if (!file) return;
  await db.deleteFrom("files").where("id", "=", id).execute();
  await discardStoredFile(storage, file);
}
