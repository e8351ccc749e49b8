import os from "node:os";
import type { Config, NewsletterConfig } from "../../../platform/config.ts";
import type { Services } from "../../../platform/http/context.ts";
import { newId } from "../../../platform/ids.ts";
import { RawPool } from "./raw-pool.ts";
import { AcceptWindow } from "./window.ts";

/** This process, as the owner of the leases it takes. */
export const workerId = `${os.hostname()}:${process.pid}:${newId().slice(-8)}`;

/**
 * The services the engine needs, handed in by the caller (a job's ctx.services, a route's
 * c.var.services): the engine keeps no "services of the first request" of its own.
 */
export type SendServices = Pick<Services, "db" | "config" | "secret" | "clock">;

/*
 * The SMTP pool is a process resource (open connections), not remembered configuration: it is
 * keyed by what it was built from, so a different config gets its own.
 */
let pool: { key: string; pool: RawPool } | undefined;
let window: AcceptWindow | undefined;

/**
 * The process's acceptance window (window.ts): poolSize places, one per pooled connection, so a
 * kill -9 repeats at most poolSize messages, however loaded the machine is.
 */
export function acceptWindow(nl: NewsletterConfig): AcceptWindow {
  if (window?.size !== nl.poolSize) window = new AcceptWindow(nl.poolSize);
  return window;
}

/**
 * One pool of SMTP connections per process (configurable size and rate) for raw messages.
 * DKIM signing happens before the window gate, so a message being signed waits outside the window.
 */
export function smtpPool(smtpUrl: string, nl: NewsletterConfig): RawPool {
  const key = JSON.stringify([smtpUrl, nl.poolSize, nl.ratePerSecond, nl.dkim?.domainName, nl.dkim?.keySelector]);
  if (pool && pool.key === key) return pool.pool;
  pool?.pool.close();
  const p = new RawPool(smtpUrl, {
    size: nl.poolSize,
    ratePerSecond: nl.ratePerSecond,
    dkim: nl.dkim,
    window: acceptWindow(nl),
  });
  pool = { key, pool: p };
  return p;
}

export function closeSmtpPool(): void {
  pool?.pool.close();
  pool = undefined;
  window = undefined;
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
