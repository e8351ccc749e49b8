import type { Hono } from "hono";
import type { Db } from "../../platform/db/index.ts";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { allowLargeBody, fileIn, readBody } from "../../platform/http/body.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { safeEqual, sign } from "../../platform/security/tokens.ts";
import {
  discardStoredFile,
  findFile,
  newFileKey,
  serveStoredFile,
  type Storage,
} from "../../platform/storage/index.ts";
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

/** Saves a download held in memory (seeds, tests); uploads from the admin are streamed by receiveOfferUpload. */
export async function saveOfferFile(
  db: Db,
  storage: Storage,
  offerId: string,
  name: string,
  bytes: Uint8Array,
  declaredType: string,
): Promise<string> {
  if (bytes.length === 0) throw new AppError("invalid_input", 422, "error.file_empty");
  if (bytes.length > offerUpload.maxBytes) throw tooLarge();
  const { id: fileId, key } = newFileKey("downloads");
  await storage.put(key, { bytes }, { mime: declaredType });
  try {
    return await recordOfferFile(db, offerId, fileId, key, name, declaredType, bytes.length);
  } catch (err) {
    await discardStoredFile(storage, { path: key });
    throw err;
  }
}

/**
 * Keeps the file of an upload form (field `file`). The body was streamed to a temporary file by
 * the platform's body reader (memory stays flat whatever the size), after the CSRF check saw the
 * form's `_csrf`, which comes before the file; here it is checked and put in the storage (moved on
 * local disk, a multipart upload to S3).
 */
export async function receiveOfferUpload(c: AppContext, offerId: string): Promise<string> {
  const body = await readBody(c);
  const file = fileIn(body, "file");
  if (!file || file.size === 0) throw new AppError("invalid_input", 422, "error.file_empty");
  if (file.size > offerUpload.maxBytes) throw tooLarge();
  const { storage, db } = c.var.services;
  const { id: fileId, key } = newFileKey("downloads");
  await storage.put(key, { path: file.tmpPath, size: file.size, move: true }, { mime: file.type });
  try {
    return await recordOfferFile(db, offerId, fileId, key, file.name || "download", file.type, file.size);
  } catch (err) {
    await discardStoredFile(storage, { path: key });
    throw err;
  }
}

export function downloadRoutes(app: Hono<AppEnv>): void {
  app.get("/downloads/:id", async (c) => {
    const { db, secret } = c.var.services;
    const id = c.req.param("id");
    const memberId = c.req.query("m") ?? "";
    const expRaw = c.req.query("e") ?? "";
    const sig = c.req.query("s") ?? "";
    if (!/^\d{1,12}$/.test(expRaw) || !memberId || memberId.length > 64 || !sig || sig.length > 100)
      throw new AppError("forbidden", 403, "offers.error.link_invalid");
    const exp = Number(expRaw);
    if (!safeEqual(signature(secret, id, memberId, exp), sig))
      throw new AppError("forbidden", 403, "offers.error.link_invalid");
    if (exp * 1000 < c.var.services.clock.nowMs()) throw new AppError("gone", 410, "offers.error.link_expired");
    const of = await db.selectFrom("offer_files").selectAll().where("id", "=", id).executeTakeFirst();
    if (!of) throw new AppError("not_found", 404);
    if (!(await canAccess(db, { kind: "member", memberId }, fileResource(of))))
      throw new AppError("forbidden", 403, "offers.error.no_access");
    const file = await findFile(db, of.file_id);
    if (!file) throw new AppError("not_found", 404);
    // Streamed (a 200 MB download never sits in memory), with ranges for resumed downloads; gone bytes are a 404.
    return serveStoredFile(c, file, {
      contentType: of.mime,
      disposition: { type: "attachment", filename: of.name },
      cacheControl: "private, no-store",
    });
  });
}
