import { open } from "node:fs/promises";
import { fileIn, readBody, type FileRules } from "../../platform/http/body.ts";
import type { AppContext } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { runOperation } from "../../platform/operations.ts";
import { staffActorOf } from "../staff/index.ts";
import { attachLessonMedia } from "./operations/creator.ts";
import { deleteFile, storeUpload } from "../../platform/storage/index.ts";
import type { Lesson } from "./queries.ts";

/**
 * Lesson media and attachments: the platform's body reader streams the file
 * to a temporary place (memory flat whatever the size, CSRF checked on the
 * `_csrf` field before the file); here it is checked by content (the first
 * bytes, never the name or the browser's claim) and size, put in the shared
 * storage (local disk or S3) and recorded. A refused or broken upload leaves
 * no file and no row (the request's cleanup removes the temporary file).
 */
export type UploadKind = "video" | "audio" | "attachment";
export const COURSE_UPLOAD_PATH = "/admin/course-upload";
const UPLOAD_OVERHEAD = 64 * 1024;

export const uploadLimits: Record<UploadKind, number> = {
  video: 2 * 1024 * 1024 * 1024,
  audio: 300 * 1024 * 1024,
  attachment: 100 * 1024 * 1024,
};

/** The largest body the upload path accepts (the app's body limit for that path). */
export function uploadBodyLimit(): number {
  return Math.max(...Object.values(uploadLimits)) + UPLOAD_OVERHEAD;
}

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** The real type of a file from its first bytes, or null when it is not one we take. */
export function sniffMedia(b: Uint8Array, kind: UploadKind): string | null {
  const isoMedia = b.length >= 12 && ascii(b, 4, 8) === "ftyp";
  if (kind === "video") {
    if (isoMedia) return "video/mp4";
    if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return "video/webm";
    return null;
  }
  if (kind === "audio") {
    if (b.length >= 3 && ascii(b, 0, 3) === "ID3") return "audio/mpeg";
    if (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0) return "audio/mpeg";
    if (isoMedia) return "audio/mp4";
    if (b.length >= 4 && ascii(b, 0, 4) === "OggS") return "audio/ogg";
    return null;
  }
  if (b.length >= 4 && ascii(b, 0, 4) === "%PDF") return "application/pdf";
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return "application/zip";
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 4) === "PNG") return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  // Plain text (UTF-8 without NUL bytes in the first block): notes, transcripts, CSV.
  if (b.length > 0 && !b.includes(0)) {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(0, Math.min(b.length, 4096 - 4)));
      return "text/plain";
    } catch {
      return null;
    }
  }
  return null;
}

export function cleanName(name: string): string {
  return name.replace(/[^\p{L}\p{N} ._()-]/gu, "_").slice(0, 120) || "fichier";
}

const tooLarge = (kind: UploadKind) =>
  new AppError("payload_too_large", 413, "error.file_too_large", {}, { max: Math.floor(uploadLimits[kind] / 2 ** 20) });

async function firstBytes(path: string): Promise<Uint8Array> {
  const fh = await open(path, "r");
  try {
    const buf = new Uint8Array(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * What the upload path takes, per kind (?kind=): checked by the body reader
 * while the file streams in, so a wrong type is refused on its first bytes and
 * a file stops at its kind's limit, not at the path's (the video's) limit.
 */
export function courseUploadRules(kind: string | undefined): FileRules | undefined {
  if (kind !== "video" && kind !== "audio" && kind !== "attachment") return undefined;
  return {
    file: {
      maxBytes: uploadLimits[kind],
      sniffBytes: 4096,
      check: (head) => {
        if (!sniffMedia(head.subarray(0, 4096), kind))
          throw new AppError("unsupported_media", 415, `courses.upload.type_${kind}`);
      },
    },
  };
}

/**
 * Receives an upload for a lesson (its video, its audio, or one more
 * attachment): the file is checked and stored here, then recorded by the
 * attachLessonMedia operation (operations/creator.ts); when that fails, the
 * stored file is deleted.
 */
export async function receiveLessonUpload(c: AppContext, lesson: Lesson, kind: UploadKind): Promise<void> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) throw new AppError("unsupported_media", 415);
  const file = fileIn(await readBody(c), "file");
  if (!file || file.size === 0) throw new AppError("invalid_input", 422, "error.file_empty");
  if (file.size > uploadLimits[kind]) throw tooLarge(kind);
  const mime = sniffMedia(await firstBytes(file.tmpPath), kind);
  if (!mime) throw new AppError("unsupported_media", 415, `courses.upload.type_${kind}`);
  const { db, storage } = c.var.services;
  const stored = await storeUpload(db, storage, {
    tempPath: file.tmpPath,
    mime,
    size: file.size,
    purpose: `course-${kind}`,
    keyPrefix: "courses",
  });
  try {
    await runOperation(c.var.services, attachLessonMedia, await staffActorOf(c), {
      courseId: lesson.course_id,
      lessonId: lesson.id,
      kind,
      fileId: stored.id,
      name: cleanName(file.name),
      mime,
      size: file.size,
    });
  } catch (err) {
    await deleteFile(db, storage, stored.id);
    throw err;
  }
}
