import { createHash } from "node:crypto";
import type { Context } from "hono";

/**
 * Conditional GET (RFC 9110 §13): a client that already holds the current
 * version of a resource (same ETag, or not modified since) gets a 304 without
 * the body. Feed readers and crawlers poll, so this saves them and us the
 * transfer. Used by routes and by the page cache on its hits.
 */

/** An ETag derived from the bytes (the same on every node) and Last-Modified from an ISO instant. */
export function validatorsOf(body: string, lastModifiedIso: string | null | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    ETag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
  };
  const at = lastModifiedIso ? new Date(lastModifiedIso) : null;
  if (at && !Number.isNaN(at.getTime())) headers["Last-Modified"] = at.toUTCString();
  return headers;
}

const opaque = (tag: string) => tag.trim().replace(/^W\//, "");

/**
 * Whether the client's copy is current. If-None-Match wins over
 * If-Modified-Since when both are sent; tags compare weakly; a date the
 * client made up in the future or could not write is ignored.
 */
export function notModified(
  ifNoneMatch: string | null | undefined,
  ifModifiedSince: string | null | undefined,
  etag: string | null | undefined,
  lastModified: string | null | undefined,
): boolean {
  if (ifNoneMatch) {
    if (!etag) return false;
    const mine = opaque(etag);
    return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === mine);
  }
  if (!ifModifiedSince || !lastModified) return false;
  const since = Date.parse(ifModifiedSince);
  const modified = Date.parse(lastModified);
  if (Number.isNaN(since) || Number.isNaN(modified) || since > Date.now()) return false;
  return modified <= since;
}

/** The body with its headers, or a 304 with the same validators when the request's copy is current. */
export function conditionalResponse(c: Context, body: string, headers: Record<string, string>): Response {
  if (
    notModified(
      c.req.header("if-none-match"),
      c.req.header("if-modified-since"),
      headers.ETag,
      headers["Last-Modified"],
    )
  ) {
    const kept = { ...headers };
    delete kept["Content-Type"];
    return c.body(null, 304, kept);
  }
  return c.body(body, 200, headers);
}
