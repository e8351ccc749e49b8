import { Readable } from "node:stream";
import type { AppContext } from "../http/context.ts";
import { isObjectMissing } from "./driver.ts";
import { missingFile, type StoredFile } from "./files.ts";
import { parseRange } from "./range.ts";

export interface ServeOptions {
  /** Default `private, no-cache` (the browser revalidates with the ETag, so a revoked access shows at once). */
  cacheControl?: string;
  /** `attachment` with a file name for downloads; inline (no header) by default. */
  disposition?: { type: "attachment" | "inline"; filename?: string };
  /** Overrides the file row's type (e.g. the type an offer file was declared with). */
  contentType?: string;
  /**
   * Redirect to a short-lived presigned URL instead of streaming through the
   * node (S3 with STORAGE_PRESIGN_SECONDS set; ignored otherwise). Default true;
   * pass false for files that must go through the app.
   */
  allowRedirect?: boolean;
}

function contentDisposition(d: NonNullable<ServeOptions["disposition"]>): string {
  if (!d.filename) return d.type;
  // An ASCII fallback for old clients, and the exact name in UTF-8 (RFC 6266).
  const ascii = d.filename.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `${d.type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(d.filename)}`;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

/**
 * Answers GET or HEAD for a stored file: streamed (never whole in memory),
 * with byte ranges (206, 416), an ETag stable per file id (files never change)
 * and If-None-Match → 304. Call it only after the caller's access check said
 * yes. A file whose bytes are gone is the translated 404, never a 500.
 */
export async function serveStoredFile(
  c: AppContext,
  file: Pick<StoredFile, "id" | "path" | "mime" | "size">,
  opts: ServeOptions = {},
): Promise<Response> {
  const { storage, config } = c.var.services;
  const etag = `"${file.id}"`;
  const headers: Record<string, string> = {
    "Content-Type": opts.contentType ?? file.mime,
    "Cache-Control": opts.cacheControl ?? "private, no-cache",
    ETag: etag,
    "Accept-Ranges": "bytes",
    "X-Content-Type-Options": "nosniff",
  };
  if (opts.disposition) headers["Content-Disposition"] = contentDisposition(opts.disposition);
  if (etagMatches(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);

  // If-Range with another validator: the client's partial copy is stale, send it whole.
  const ifRange = c.req.header("if-range");
  const rangeHeader = ifRange && ifRange.trim() !== etag ? undefined : c.req.header("range");
  const range = parseRange(rangeHeader, file.size);
  if (range === "unsatisfiable") return c.body(null, 416, { ...headers, "Content-Range": `bytes */${file.size}` });

  const presignSeconds = config.storage.presignSeconds;
  if (opts.allowRedirect !== false && presignSeconds > 0 && storage.presignGet) {
    const url = await storage.presignGet(file.path, {
      expiresInSeconds: presignSeconds,
      contentType: headers["Content-Type"],
      contentDisposition: headers["Content-Disposition"],
    });
    return c.body(null, 302, { Location: url, "Cache-Control": "private, no-store" });
  }

  if (c.req.method === "HEAD") {
    const info = await storage.stat(file.path);
    if (!info) throw missingFile(file);
    const size = range ? range.end - range.start + 1 : info.size;
    if (range) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${info.size}`;
    return c.body(null, range ? 206 : 200, { ...headers, "Content-Length": String(size) });
  }

  let got;
  try {
    got = await storage.get(file.path, range);
  } catch (err) {
    if (isObjectMissing(err)) throw missingFile(file);
    throw err;
  }
  if (range) headers["Content-Range"] = `bytes ${range.start}-${range.start + got.size - 1}/${got.totalSize}`;
  headers["Content-Length"] = String(got.size);
  const body = Readable.toWeb(got.stream) as ReadableStream<Uint8Array>;
  return c.body(body, range ? 206 : 200, headers);
}
