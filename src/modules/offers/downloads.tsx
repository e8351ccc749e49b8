import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import type { Hono } from "hono";
import type { Db } from "../../platform/db/index.ts";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { allowLargeBody } from "../../platform/http/app.tsx";
import { safeEqual as safeEq } from "../../platform/security/tokens.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { safeEqual, sign } from "../../platform/security/tokens.ts";
import { findFile, openStoredFile } from "../../platform/storage/index.ts";
import { canAccess, type Resource } from "../access/index.ts";

/**
 * Downloads: files attached to an offer, served only through personal,
 * signed, expiring links (HMAC of file, member and expiry with the app
 * secret). The policy is asked again at download time, so a refund closes a
 * link that was handed out before it.
 */
export const DOWNLOAD_LINK_TTL_MS = 24 * 60 * 60 * 1000;

export function fileResource(offerFile: { id: string; offer_id: string }): Resource {
  return { kind: "offer_file", id: offerFile.id, audience: { offers: [offerFile.offer_id] } };
}

function signature(secret: string, fileId: string, memberId: string, exp: number): string {
  return sign(secret, `dl:${fileId}:${memberId}:${exp}`);
}

export function downloadLink(secret: string, fileId: string, memberId: string, now = Date.now()): string {
  const exp = Math.floor((now + DOWNLOAD_LINK_TTL_MS) / 1000);
  return `/downloads/${fileId}?m=${encodeURIComponent(memberId)}&e=${exp}&s=${signature(secret, fileId, memberId, exp)}`;
}

/** Where the admin's upload form posts (a fixed path, so it can have its own body limit). */
export const OFFER_UPLOAD_PATH = "/admin/offer-upload";
/** Multipart overhead allowed on top of the file itself. */
const UPLOAD_OVERHEAD = 64 * 1024;
/** Downloads can be big (videos, sample packs): 200 MB by default, streamed to disk, never held in memory. */
export const offerUpload = { maxBytes: 200 * 1024 * 1024 };

/** Changes the upload limit (tests; a future setting). */
export function setOfferUploadLimit(maxBytes: number): void {
  offerUpload.maxBytes = maxBytes;
  allowLargeBody(OFFER_UPLOAD_PATH, maxBytes + UPLOAD_OVERHEAD);
}

const tooLarge = () =>
  new AppError(
    "payload_too_large",
    413,
    "error.file_too_large",
    {},
    { max: Math.floor(offerUpload.maxBytes / (1024 * 1024)) },
  );

function cleanName(name: string): string {
  return name.replace(/[^\p{L}\p{N} ._()-]/gu, "_").slice(0, 120) || "download";
}

async function recordOfferFile(
  db: Db,
  offerId: string,
  fileId: string,
  rel: string,
  name: string,
  declaredType: string,
  size: number,
): Promise<string> {
  const mime = /^[a-z]+\/[a-z0-9.+-]+$/i.test(declaredType) ? declaredType : "application/octet-stream";
  const at = nowIso();
  const id = newId();
  await db
    .insertInto("files")
    .values({ id: fileId, purpose: "download", path: rel, mime, size, created_at: at })
    .execute();
  const pos = await db.selectFrom("offer_files").select("id").where("offer_id", "=", offerId).execute();
  await db
    .insertInto("offer_files")
    .values({
      id,
      offer_id: offerId,
      file_id: fileId,
      name: cleanName(name),
      mime,
      size,
      position: pos.length,
      created_at: at,
    })
    .execute();
  return id;
}

function newFilePath(filesDir: string): { fileId: string; rel: string; abs: string } {
  const fileId = newId();
  const rel = path.join("downloads", fileId.slice(0, 8), fileId);
  const abs = path.join(filesDir, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  return { fileId, rel, abs };
}

/** Saves a download held in memory (seeds, tests); uploads from the admin are streamed by receiveOfferUpload. */
export async function saveOfferFile(
  db: Db,
  filesDir: string,
  offerId: string,
  name: string,
  bytes: Uint8Array,
  declaredType: string,
): Promise<string> {
  if (bytes.length === 0) throw new AppError("invalid_input", 422, "error.file_empty");
  if (bytes.length > offerUpload.maxBytes) throw tooLarge();
  const { fileId, rel, abs } = newFilePath(filesDir);
  fs.writeFileSync(abs + ".tmp", bytes);
  fs.renameSync(abs + ".tmp", abs);
  return recordOfferFile(db, offerId, fileId, rel, name, declaredType, bytes.length);
}

/**
 * Streams a multipart upload (fields `_csrf` then `file`) straight to disk with busboy: memory
 * stays flat whatever the size. The CSRF middleware is skipped for this path (it would buffer
 * the body to read `_csrf`), so the same checks are made here: same-origin request, and the
 * form's `_csrf` field, which comes before the file in our form, checked before a byte is kept.
 */
export async function receiveOfferUpload(c: AppContext, offerId: string): Promise<string> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) throw new AppError("unsupported_media_type", 415);
  const fetchSite = c.req.header("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") throw new AppError("csrf", 403);
  const origin = c.req.header("origin");
  if (origin) {
    let host = "";
    try {
      host = new URL(origin).host;
    } catch {
      throw new AppError("csrf", 403);
    }
    if (host !== c.req.header("host") && host !== new URL(c.var.services.config.publicUrl).host)
      throw new AppError("csrf", 403);
  }
  const body = c.req.raw.body;
  if (!body) throw new AppError("invalid_input", 422, "error.file_empty");
  const { filesDir } = c.var.services.config;
  const max = offerUpload.maxBytes;

  type Saved = { fileId: string; rel: string; abs: string; name: string; mime: string; size: number };
  // An object, not lets: the busboy callbacks assign it, and TypeScript does not track closures.
  const state: { csrf: string; failure: AppError | null; saved: Saved | null } = {
    csrf: "",
    failure: null,
    saved: null,
  };
  const writes: Promise<void>[] = [];
  const bb = busboy({
    headers: { "content-type": type },
    limits: { files: 1, fields: 20, fieldSize: 8 * 1024, fileSize: max },
  });
  bb.on("field", (name, value) => {
    if (name === "_csrf") state.csrf = value;
  });
  bb.on("file", (name, stream, info) => {
    if (name !== "file" || state.saved || state.failure) return void stream.resume();
    if (!state.csrf || !safeEq(state.csrf, c.var.csrfToken)) {
      state.failure = new AppError("csrf", 403);
      return void stream.resume();
    }
    const target = newFilePath(filesDir);
    const entry: Saved = { ...target, name: info.filename || "download", mime: info.mimeType, size: 0 };
    state.saved = entry;
    let truncated = false;
    stream.on("limit", () => (truncated = true));
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        entry.size += chunk.length;
        done(null, chunk);
      },
    });
    writes.push(
      pipeline(stream, count, fs.createWriteStream(target.abs + ".tmp")).then(() => {
        if (truncated) throw tooLarge();
        if (entry.size === 0) throw new AppError("invalid_input", 422, "error.file_empty");
        fs.renameSync(target.abs + ".tmp", target.abs);
      }),
    );
  });
  try {
    await pipeline(Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>), bb);
    await Promise.all(writes);
  } catch (err) {
    if (state.saved) fs.rmSync(state.saved.abs + ".tmp", { force: true });
    if (err instanceof AppError) throw err;
    throw new AppError("invalid_input", 422, "error.file_empty");
  }
  if (state.failure) throw state.failure;
  const done = state.saved;
  if (!done) throw new AppError("invalid_input", 422, "error.file_empty");
  return recordOfferFile(c.var.services.db, offerId, done.fileId, done.rel, done.name, done.mime, done.size);
}

export function downloadRoutes(app: Hono<AppEnv>): void {
  app.get("/downloads/:id", async (c) => {
    const { db, secret, config } = c.var.services;
    const id = c.req.param("id");
    const memberId = c.req.query("m") ?? "";
    const expRaw = c.req.query("e") ?? "";
    const sig = c.req.query("s") ?? "";
    if (!/^\d{1,12}$/.test(expRaw) || !memberId || memberId.length > 64 || !sig || sig.length > 100)
      throw new AppError("forbidden", 403, "offers.error.link_invalid");
    const exp = Number(expRaw);
    if (!safeEqual(signature(secret, id, memberId, exp), sig))
      throw new AppError("forbidden", 403, "offers.error.link_invalid");
    if (exp * 1000 < Date.now()) throw new AppError("gone", 410, "offers.error.link_expired");
    const of = await db.selectFrom("offer_files").selectAll().where("id", "=", id).executeTakeFirst();
    if (!of) throw new AppError("not_found", 404);
    if (!(await canAccess(db, { kind: "member", memberId }, fileResource(of))))
      throw new AppError("forbidden", 403, "offers.error.no_access");
    const file = await findFile(db, of.file_id);
    if (!file) throw new AppError("not_found", 404);
    // Streamed from disk: a 200 MB download never sits in memory (a file gone from disk is a 404).
    const { size, stream } = openStoredFile(config.filesDir, file);
    return c.body(stream, 200, {
      "Content-Type": of.mime,
      "Content-Length": String(size),
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(of.name)}`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    });
  });
}
