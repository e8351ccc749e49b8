import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { Db } from "../../platform/db/index.ts";
import { incomingDir, type FileRule, type UploadedFile } from "../../platform/http/body.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId } from "../../platform/ids.ts";
import {
  discardStoredFile,
  saveImage,
  sniffImageType,
  storeUpload,
  type Storage,
  type StoredFile,
} from "../../platform/storage/index.ts";
import { isWav, MAX_AUDIO_BYTES, probeAudio, sniffAudio, type AudioFacts, type AudioMime } from "./audio.ts";

/*
 * The module's files: episode audio, teaser clips and cover art. Everything
 * is checked (type from the bytes, duration read, cover size) before a byte
 * is kept, so a refused upload leaves nothing behind. This is the one file
 * that stores them; it goes through platform/storage (local disk or S3).
 */

export interface CheckedAudio {
  tmpPath: string;
  mime: AudioMime;
  size: number;
  facts: AudioFacts;
  /** What keepAudio stored (to remove it when the transaction then fails). */
  stored?: StoredFile;
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

/** The type of an audio file from its first bytes; refuses with a translated 415. */
function checkAudioHead(first: Uint8Array): AudioMime {
  if (isWav(first)) throw new AppError("unsupported_media", 415, "podcasts.error.audio_wav");
  const mime = sniffAudio(first);
  if (!mime) throw new AppError("unsupported_media", 415, "podcasts.error.audio_type");
  return mime;
}

/** Episode audio and teasers as the body reader checks them while they stream in. */
export const audioRule: FileRule = { maxBytes: MAX_AUDIO_BYTES, sniffBytes: 16, check: checkAudioHead };

/** Checks audio in a temporary file (type, readable frames); refuses with a translated 4xx. */
export async function checkAudioFile(tmpPath: string, size: number): Promise<CheckedAudio> {
  if (size === 0) throw new AppError("invalid_input", 422, "error.file_empty");
  const mime = checkAudioHead(await head(tmpPath));
  const facts = await probeAudio(tmpPath, mime);
  return { tmpPath, mime, size, facts };
}

export const checkAudioUpload = (upload: UploadedFile) => checkAudioFile(upload.tmpPath, upload.size);

/** Checks audio held in memory (seeds, tests) the same way, through a temporary file under DATA_DIR. */
export async function checkAudioBytes(filesDir: string, bytes: Uint8Array): Promise<CheckedAudio> {
  const dir = incomingDir(filesDir);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `${newId()}.part`);
  fs.writeFileSync(tmp, bytes);
  try {
    return await checkAudioFile(tmp, bytes.length);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Stores checked audio and records it in `files`; returns the file id. */
export async function keepAudio(trx: Db, storage: Storage, audio: CheckedAudio, purpose: string): Promise<string> {
  audio.stored = await storeUpload(trx, storage, {
    tempPath: audio.tmpPath,
    mime: audio.mime,
    size: audio.size,
    purpose,
    keyPrefix: "podcasts",
  });
  return audio.stored.id;
}

/** Removes the bytes of files kept by a transaction that then failed (nothing half-stored). */
export async function discardKept(storage: Storage, ...audio: (CheckedAudio | undefined)[]): Promise<void> {
  for (const a of audio) if (a?.stored) await discardStoredFile(storage, a.stored);
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

/** Cover art as the body reader checks it while it streams in (the pixels are checked once it is in). */
export const coverRule: FileRule = {
  maxBytes: COVER_MAX_BYTES,
  sniffBytes: 16,
  check: (first) => {
    const type = sniffImageType(first);
    if (type !== "image/jpeg" && type !== "image/png")
      throw new AppError("unsupported_media", 415, "podcasts.error.cover_type");
  },
};

export async function keepCover(trx: Db, storage: Storage, bytes: Uint8Array): Promise<string> {
  return (await saveImage(trx, storage, bytes, "podcast_cover", COVER_MAX_BYTES)).id;
}
