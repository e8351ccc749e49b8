import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { transaction } from "../../platform/db/index.ts";
import type { AppContext } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { safeEqual } from "../../platform/security/tokens.ts";
import type { Lesson } from "./queries.ts";

/**
 * Lesson media and attachments, streamed to disk with busboy (memory stays
 * flat whatever the size) into a temporary file, then checked by content
 * (the first bytes, never the name or the browser's claim), then renamed and
 * recorded in one transaction. A refused or broken upload leaves no file and
 * no row.
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

/** Same-origin and CSRF checks made here: the middleware would have to buffer the body to read `_csrf`. */
function checkOrigin(c: AppContext): void {
  const fetchSite = c.req.header("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") throw new AppError("csrf", 403);
  const origin = c.req.header("origin");
  if (!origin) return;
  let host = "";
  try {
    host = new URL(origin).host;
  } catch {
    throw new AppError("csrf", 403);
  }
  if (host !== c.req.header("host") && host !== new URL(c.var.services.config.publicUrl).host)
    throw new AppError("csrf", 403);
}

interface Received {
  abs: string;
  rel: string;
  fileId: string;
  name: string;
  size: number;
  head: Uint8Array;
}

/** Streams the one `file` part of a multipart body (after its `_csrf` field) to a temporary file. */
async function receive(c: AppContext, kind: UploadKind): Promise<Received> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) throw new AppError("unsupported_media", 415);
  checkOrigin(c);
  const body = c.req.raw.body;
  if (!body) throw new AppError("invalid_input", 422, "error.file_empty");
  const max = uploadLimits[kind];
  const state: { csrf: string; failure: AppError | null; got: Received | null; truncated: boolean } = {
    csrf: "",
    failure: null,
    got: null,
    truncated: false,
  };
  const writes: Promise<void>[] = [];
  const bb = busboy({
    headers: { "content-type": type },
    defParamCharset: "utf8",
    limits: { files: 1, fields: 10, fieldSize: 8192, fileSize: max },
  });
  bb.on("field", (name, value) => {
    if (name === "_csrf") state.csrf = value;
  });
  bb.on("file", (name, stream, info) => {
    if (name !== "file" || state.got || state.failure) return void stream.resume();
    if (!state.csrf || !safeEqual(state.csrf, c.var.csrfToken)) {
      state.failure = new AppError("csrf", 403);
      return void stream.resume();
    }
    const fileId = newId();
    const rel = path.join("courses", fileId.slice(0, 8), fileId);
    const abs = path.join(c.var.services.config.filesDir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const got: Received = { abs, rel, fileId, name: cleanName(info.filename || ""), size: 0, head: new Uint8Array(0) };
    state.got = got;
    stream.on("limit", () => (state.truncated = true));
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (got.head.length < 4096) got.head = Buffer.concat([got.head, chunk]).subarray(0, 4096);
        got.size += chunk.length;
        done(null, chunk);
      },
    });
    writes.push(pipeline(stream, count, fs.createWriteStream(abs + ".tmp")));
  });
  try {
    await pipeline(Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>), bb);
    await Promise.all(writes);
  } catch {
    if (state.got) fs.rmSync(state.got.abs + ".tmp", { force: true });
    throw new AppError("invalid_input", 422, "error.file_empty");
  }
  const got = state.got;
  const fail = (err: AppError) => {
    if (got) fs.rmSync(got.abs + ".tmp", { force: true });
    return err;
  };
  if (state.failure) throw fail(state.failure);
  if (!got || got.size === 0) throw fail(new AppError("invalid_input", 422, "error.file_empty"));
  if (state.truncated) throw fail(tooLarge(kind));
  return got;
}

/** Receives an upload for a lesson: its video, its audio, or one more attachment. */
export async function receiveLessonUpload(c: AppContext, lesson: Lesson, kind: UploadKind): Promise<void> {
  const got = await receive(c, kind);
  const mime = sniffMedia(got.head, kind);
  if (!mime) {
    fs.rmSync(got.abs + ".tmp", { force: true });
    throw new AppError("unsupported_media", 415, `courses.upload.type_${kind}`);
  }
  const db = c.var.services.db;
  const at = nowIso();
  try {
    fs.renameSync(got.abs + ".tmp", got.abs);
    await transaction(db, async (trx) => {
      await trx
        .insertInto("files")
        .values({ id: got.fileId, purpose: `course-${kind}`, path: got.rel, mime, size: got.size, created_at: at })
        .execute();
      if (kind === "attachment") {
        const count = await trx
          .selectFrom("course_attachments")
          .select("id")
          .where("lesson_id", "=", lesson.id)
          .execute();
        await trx
          .insertInto("course_attachments")
          .values({
            id: newId(),
            lesson_id: lesson.id,
            file_id: got.fileId,
            name: got.name,
            mime,
            size: got.size,
            position: count.length,
            created_at: at,
          })
          .execute();
      } else {
        await trx
          .updateTable("course_lessons")
          .set(
            kind === "video"
              ? { video_file_id: got.fileId, updated_at: at }
              : { audio_file_id: got.fileId, updated_at: at },
          )
          .where("id", "=", lesson.id)
          .execute();
      }
    });
  } catch (err) {
    fs.rmSync(got.abs, { force: true });
    throw err;
  }
}
