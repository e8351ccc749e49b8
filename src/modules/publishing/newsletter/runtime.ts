import fs from "node:fs";
import os from "node:os";
import nodemailer, { type Transporter } from "nodemailer";
import pLimit, { type LimitFunction } from "p-limit";
import { loadConfig, type Config } from "../../../platform/config.ts";
import type { Db } from "../../../platform/db/index.ts";
import type { Services } from "../../../platform/http/context.ts";
import { newId } from "../../../platform/ids.ts";
import { appSecret } from "../../../platform/settings.ts";
import { randomToken } from "../../../platform/security/tokens.ts";

/**
 * The newsletter engine's own settings, read from the environment (additive to
 * the platform Config, which stays untouched):
 *   NEWSLETTER_SMTP_POOL        SMTP connections kept open (default 5)
 *   NEWSLETTER_RATE_PER_SECOND  messages per second across the pool (default 0 = no limit)
 *   NEWSLETTER_BATCH_SIZE       recipients per batch job (default 200)
 *   NEWSLETTER_LEASE_MS         how long a claimed row stays reserved without renewal (default 60000)
 *   NEWSLETTER_WATCH_MS         how often a running send's watchdog looks for stalled work (default 5000)
 *   MAIL_WEBHOOK_TOKEN          secret for POST /webhooks/mail/postmark (unset = endpoint disabled)
 *   DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE   DKIM signing
 */
export interface NewsletterSettings {
  poolSize: number;
  ratePerSecond: number;
  batchSize: number;
  leaseMs: number;
  watchMs: number;
  webhookToken: string | undefined;
  dkim: { domainName: string; keySelector: string; privateKey: string } | undefined;
}

function int(v: string | undefined, fallback: number, min: number, max: number): number {
  const n = Number(v);
  return v !== undefined && v !== "" && Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

export function newsletterSettings(env: NodeJS.ProcessEnv = process.env): NewsletterSettings {
  const key =
    env.DKIM_PRIVATE_KEY || (env.DKIM_PRIVATE_KEY_FILE ? fs.readFileSync(env.DKIM_PRIVATE_KEY_FILE, "utf8") : "");
  return {
    poolSize: int(env.NEWSLETTER_SMTP_POOL, 5, 1, 100),
    ratePerSecond: int(env.NEWSLETTER_RATE_PER_SECOND, 0, 0, 100_000),
    batchSize: int(env.NEWSLETTER_BATCH_SIZE, 200, 1, 5000),
    leaseMs: int(env.NEWSLETTER_LEASE_MS, 60_000, 500, 3_600_000),
    watchMs: int(env.NEWSLETTER_WATCH_MS, 5_000, 100, 600_000),
    webhookToken: env.MAIL_WEBHOOK_TOKEN || undefined,
    dkim:
      env.DKIM_DOMAIN && env.DKIM_SELECTOR && key
        ? { domainName: env.DKIM_DOMAIN, keySelector: env.DKIM_SELECTOR, privateKey: key }
        : undefined,
  };
}

export const settings = newsletterSettings();

/** This process, as the owner of the leases it takes. */
export const workerId = `${os.hostname()}:${process.pid}:${newId().slice(-8)}`;

export interface Runtime {
  config: Config;
  secret: string;
}

let remembered: Services | undefined;
let fallback: Runtime | undefined;

/** Called by a route middleware: the web process knows its services (tests change publicUrl after boot). */
export function rememberServices(s: Services): void {
  remembered = s;
}

/**
 * Config and secret for job handlers. A worker-only process has no routes, so
 * it reads the same environment the server would (loadConfig) and the shared
 * secret from the database.
 */
export async function runtime(db: Db): Promise<Runtime> {
  if (remembered) return { config: remembered.config, secret: remembered.secret };
  if (!fallback) fallback = { config: loadConfig(), secret: await appSecret(db, () => randomToken(32)) };
  return fallback;
}

let pool: { url: string; transport: Transporter } | undefined;
let sendSlot: LimitFunction | undefined;

/**
 * One slot per pooled connection, held by a newsletter message from its SMTP
 * transaction until its outcome is recorded: it bounds what a crash can send
 * twice to poolSize messages (see deliver in engine.ts).
 */
export function smtpSendSlot(): LimitFunction {
  if (sendSlot?.concurrency !== settings.poolSize) sendSlot = pLimit(settings.poolSize);
  return sendSlot;
}

/** One pooled SMTP transport per process (configurable size and rate). */
export function smtpPool(smtpUrl: string): Transporter {
  if (pool && pool.url === smtpUrl) return pool.transport;
  pool?.transport.close();
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: settings.poolSize,
    maxMessages: Infinity,
    ...(settings.ratePerSecond > 0 ? { rateDelta: 1000, rateLimit: settings.ratePerSecond } : {}),
    ...(settings.dkim ? { dkim: settings.dkim } : {}),
  } as Parameters<typeof nodemailer.createTransport>[0]);
  pool = { url: smtpUrl, transport };
  return transport;
}

export function closeSmtpPool(): void {
  pool?.transport.close();
  pool = undefined;
  sendSlot = undefined;
}

/** The host of PUBLIC_URL, used for Message-ID and List-Id. */
export function publicHost(publicUrl: string): string {
  return new URL(publicUrl).hostname || "atelier.localhost";
}

export function fromAddress(cfg: Config): string {
  if (cfg.mailFrom) {
    const m = /<([^>]+)>/.exec(cfg.mailFrom);
    return m ? m[1]! : cfg.mailFrom;
  }
  const host = publicHost(cfg.publicUrl);
  return `no-reply@${host.includes(".") ? host : "atelier.localhost"}`;
}
