import type { Context } from "hono";
import type { Config } from "../config.ts";
import type { Db, DialectName } from "../db/index.ts";
import type { Mailer } from "../mail/index.ts";
import type { Locale, Params } from "../i18n/index.ts";
import { t } from "../i18n/index.ts";
import type { SiteSettings } from "../settings.ts";
import type { Clock } from "../time.ts";
import type { Storage } from "../storage/driver.ts";

/** What every request handler can reach: the process's long-lived services. */
export interface Services {
  db: Db;
  dialect: DialectName;
  dbDescription: string;
  config: Config;
  mailer: Mailer;
  /** Signs CSRF tokens and links; shared by every node through the database. */
  secret: string;
  /** The one source of "now" (a test clock in tests that move time). */
  clock: Clock;
  /** Where stored files' bytes live (local disk or S3), from STORAGE_URL; see platform/storage. */
  storage: Storage;
}

export interface SessionInfo {
  sessionId: string;
  tokenHash: string;
  subjectId: string;
  mfaPending: boolean;
}

export interface AppVariables {
  services: Services;
  locale: Locale;
  site: SiteSettings;
  memberSession: SessionInfo | null;
  staffSession: SessionInfo | null;
  /** Put in every form as _csrf (see csrf.ts). */
  csrfToken: string;
}

export type AppEnv = { Variables: AppVariables };
export type AppContext = Context<AppEnv>;

/**
 * Hono's `c.var` builds a new object from its variable map at every read
 * (Object.fromEntries), and a page reads it dozens of times: the request's
 * variables live in one plain object instead, which `c.var` is and which
 * `c.set` / `c.get` write and read. Installed first on every request (app.tsx).
 */
export function useFastVariables(c: Context): void {
  const vars: Record<string, unknown> = {};
  const writable = c as unknown as { set(key: string, value: unknown): void; get(key: string): unknown };
  writable.set = (key, value) => {
    vars[key] = value;
  };
  writable.get = (key) => vars[key];
  Object.defineProperty(c, "var", { value: vars, configurable: true });
}

/** The translator for this request's language. */
export function tr(c: AppContext): (key: string, params?: Params) => string {
  const locale = c.var.locale;
  return (key, params) => t(locale, key, params);
}

/**
 * The client's address, for rate limits and consent records. X-Forwarded-For
 * is believed only with TRUST_PROXY=1: otherwise anyone could pick their own
 * address and slip past per-IP limits.
 */
export function clientIp(c: AppContext): string {
  if (c.var.services?.config.trustProxy) {
    const hops = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    // The last hop was added by our own proxy; earlier ones are the client's claims.
    const last = hops.at(-1);
    if (last) return last;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "unknown";
}
