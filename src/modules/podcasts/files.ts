import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { Db } from "../../platform/db/index.ts";
import type { UploadedFile } from "../../platform/http/body.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId } from "../../platform/ids.ts";
import { saveImage, sniffImageType } from "../../platform/storage/index.ts";
import { isWav, probeAudio, sniffAudio, type AudioFacts, type AudioMime } from "./audio.ts";

/*
 * The module's files: episode audio, teaser clips and cover art. Everything
 * is checked (type from the bytes, duration read, cover size) before a byte
 * is kept, so a refused upload leaves nothing behind. This is the one file
 * that knows where audio is kept; it goes through platform/storage.
 */

export interface CheckedAudio {
  tmpPath: string;
  mime: AudioMime;
  size: number;
  facts: AudioFacts;
  keep(abs: string): void;
  /** Where keepAudio put it (to remove it when the transaction then fails). */
  keptAt?: string;
}

async function head(file: string, n = 16): Promise<Uint8Array> {
  const fd = await fs.promises.open(file, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fd.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
}

/** Checks an uploaded audio file (type, readable frames); refuses with a translated 4xx. */
export async function checkAudioUpload(upload: UploadedFile): Promise<CheckedAudio> {
  if (upload.size === 0) throw new AppError("invalid_input", 422, "error.file_empty");
  const first = await head(upload.tmpPath);
  if (isWav(first)) throw new AppError("unsupported_media", 415, "podcasts.error.audio_wav");
  const mime = sniffAudio(first);
  if (!mime) throw new AppError("unsupported_media", 415, "podcasts.error.audio_type");
  const facts = await probeAudio(upload.tmpPath, mime);
  return { tmpPath: upload.tmpPath, mime, size: upload.size, facts, keep: (abs) => upload.keepAt(abs) };
}

/** Checks audio held in memory (seeds, tests) the same way, through a temporary file. */
export async function checkAudioBytes(filesDir: string, bytes: Uint8Array): Promise<CheckedAudio> {
  const dir = path.join(filesDir, ".incoming");
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `${newId()}.part`);
  fs.writeFileSync(tmp, bytes);
  try {
    const first = bytes.subarray(0, 16);
    const mime = isWav(first) ? null : sniffAudio(first);
    if (!mime) throw new AppError("unsupported_media", 415, "podcasts.error.audio_type");
    const facts = await probeAudio(tmp, mime);
    return { tmpPath: tmp, mime, size: bytes.length, facts, keep: (abs) => fs.renameSync(tmp, abs) };
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Moves checked audio to its place and records it in `files`; returns the file id. */
export async function keepAudio(trx: Db, filesDir: string, audio: CheckedAudio, purpose: string): Promise<string> {
  const id = newId();
  const rel = path.join("podcasts", id.slice(0, 8), id);
  const abs = path.join(filesDir, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  audio.keep(abs);
  audio.keptAt = abs;
  await trx
    .insertInto("files")
    .values({ id, purpose, path: rel, mime: audio.mime, size: audio.size, created_at: new Date().toISOString() })
    .execute();
  return id;
}

/** Removes files kept by a transaction that then failed (nothing half-stored). */
export function discardKept(...audio: (CheckedAudio | undefined)[]): void {
  for (const a of audio) if (a?.keptAt) fs.rmSync(a.keptAt, { force: true });
}

export const COVER_MIN = 1400;
export const COVER_MAX = 3000;
export const COVER_MAX_BYTES = 8 * 1024 * 1024;

/** Cover art as Apple asks: JPEG or PNG, square, 1400 to 3000 pixels. */
export async function checkCover(bytes: Uint8Array): Promise<void> {
  const type = sniffImageType(bytes);
  if (type !== "image/jpeg" && type !== "image/png")
    throw new AppError("unsupported_media", 415, "podcasts.error.cover_type");
  let width = 0;
  let height = 0;
  try {
    const meta = await sharp(bytes).metadata();
    width = meta.width ?? 0;
    height = meta.height ?? 0;
  } catch {
    throw new AppError("invalid_input", 422, "podcasts.error.cover_type");
  }
  const params = { width, height, min: COVER_MIN, max: COVER_MAX };
  if (width !== height) throw new AppError("invalid_input", 422, "podcasts.error.cover_square", {}, params);
  if (width < COVER_MIN || width > COVER_MAX)
    throw new AppError("invalid_input", 422, "podcasts.error.cover_size", {}, params);
}

export async function keepCover(trx: Db, filesDir: string, bytes: Uint8Array): Promise<string> {
  return (await saveImage(trx, filesDir, bytes, "podcast_cover", COVER_MAX_BYTES)).id;
}
