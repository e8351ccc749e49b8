import os from "node:os";
import nodemailer, { type Transporter } from "nodemailer";
import pLimit, { type LimitFunction } from "p-limit";
import type { Config, NewsletterConfig } from "../../../platform/config.ts";
import type { Services } from "../../../platform/http/context.ts";
import { newId } from "../../../platform/ids.ts";

/** This process, as the owner of the leases it takes. */
export const workerId = `${os.hostname()}:${process.pid}:${newId().slice(-8)}`;

/**
 * The services the engine needs, handed in by the caller (a job's ctx.services, a route's
 * c.var.services): the engine keeps no "services of the first request" of its own.
 */
export type SendServices = Pick<Services, "db" | "config" | "secret" | "clock">;

/*
 * The pooled SMTP transport is a process resource (open connections), not remembered
 * configuration: it is keyed by what it was built from, so a different config gets its own.
 */
let pool: { key: string; transport: Transporter } | undefined;
let sendSlot: LimitFunction | undefined;

/**
 * One slot per pooled connection, held by a newsletter message from its SMTP
 * transaction until its outcome is recorded: it bounds what a crash can send
 * twice to poolSize messages (see deliver in engine.ts).
 */
export function smtpSendSlot(nl: NewsletterConfig): LimitFunction {
  if (sendSlot?.concurrency !== nl.poolSize) sendSlot = pLimit(nl.poolSize);
  return sendSlot;
}

/** One pooled SMTP transport per process (configurable size and rate). */
export function smtpPool(smtpUrl: string, nl: NewsletterConfig): Transporter {
  const key = JSON.stringify([smtpUrl, nl.poolSize, nl.ratePerSecond, nl.dkim?.domainName, nl.dkim?.keySelector]);
  if (pool && pool.key === key) return pool.transport;
  pool?.transport.close();
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: nl.poolSize,
    maxMessages: Infinity,
    ...(nl.ratePerSecond > 0 ? { rateDelta: 1000, rateLimit: nl.ratePerSecond } : {}),
    ...(nl.dkim ? { dkim: nl.dkim } : {}),
  } as Parameters<typeof nodemailer.createTransport>[0]);
  pool = { key, transport };
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
