import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Services } from "./context.ts";
import { contentSecurityPolicy } from "./middleware.ts";
import { errorFields, log } from "../log.ts";

/*
 * Raw routes: GETs that apps poll at high rates (a podcast feed revalidated
 * every few minutes by every listener) answered at the node:http level,
 * before Hono builds a Request, a context and its middleware chain. A raw
 * handler answers only what it can answer cheaply and completely (a 304 from
 * validators it already trusts) and returns false for everything else,
 * which then takes the normal route with all its checks. The platform knows
 * no domain: modules register their handlers (through their index.ts).
 */

/** Answers the request and returns true, or returns false (having written nothing) to let the app answer. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse, services: Services) => boolean;

const handlers = new Map<string, RawHandler>();

/** A handler for GET and HEAD requests whose path starts with `prefix` (registered once per prefix). */
export function registerRawRoute(prefix: string, handler: RawHandler): void {
  handlers.set(prefix, handler);
}

/** Wraps the node:http listener: registered raw routes first, the app for what they leave. */
export function withRawRoutes(services: Services, listener: RequestListener): RequestListener {
  return (req, res) => {
    if ((req.method === "GET" || req.method === "HEAD") && handlers.size > 0) {
      const url = req.url ?? "/";
      for (const [prefix, handler] of handlers) {
        if (!url.startsWith(prefix)) continue;
        const started = performance.now();
        try {
          if (handler(req, res, services)) {
            log.info("request", {
              method: req.method,
              path: url.split("?")[0],
              status: res.statusCode,
              ms: Math.round((performance.now() - started) * 10) / 10,
            });
            return;
          }
        } catch (err) {
          // A raw handler is an optimisation: if it fails, the normal route answers (and reports).
          log.warn("raw route failed", { prefix, ...errorFields(err) });
          if (res.headersSent) return void res.destroy();
        }
        break;
      }
    }
    listener(req, res);
  };
}

/** The headers securityHeaders() adds to every answer of the app, for raw answers to carry them too. */
export function securityHeaderValues(publicUrl: string): Record<string, string> {
  return {
    ...(publicUrl.startsWith("https://") ? { "Strict-Transport-Security": "max-age=31536000" } : {}),
    "Content-Security-Policy": contentSecurityPolicy,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
  };
}

/** The client's address as clientIp() reads it, from the node request (X-Forwarded-For only behind our proxy). */
export function rawClientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const raw = req.headers["x-forwarded-for"];
    const hops = (Array.isArray(raw) ? raw.join(",") : (raw ?? ""))
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const last = hops.at(-1);
    if (last) return last;
  }
  return req.socket?.remoteAddress ?? "unknown";
}
