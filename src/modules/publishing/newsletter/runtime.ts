import os from "node:os";
import nodemailer, { type Transporter } from "nodemailer";
import DKIM from "nodemailer/lib/dkim";
import type { Config, NewsletterConfig } from "../../../platform/config.ts";
import type { Services } from "../../../platform/http/context.ts";
import { newId } from "../../../platform/ids.ts";
import { AcceptWindow, gatedStream, type WindowPass } from "./window.ts";

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
let window: AcceptWindow | undefined;

/**
 * The process's acceptance window (window.ts): poolSize places, one per pooled connection, so a
 * kill -9 repeats at most poolSize messages, however loaded the machine is.
 */
export function acceptWindow(nl: NewsletterConfig): AcceptWindow {
  if (window?.size !== nl.poolSize) window = new AcceptWindow(nl.poolSize);
  return window;
}

/** What deliver puts on a message it sends through the pool: its place in the window. */
export interface WindowedMail {
  atelierWindowPass?: WindowPass;
}

/**
 * One pooled SMTP transport per process (configurable size and rate). DKIM signing is the
 * pool's last step before the window gate, so a signed message also waits outside the window.
 */
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
  } as Parameters<typeof nodemailer.createTransport>[0]);
  const dkim = nl.dkim ? new DKIM(nl.dkim) : undefined;
  const win = acceptWindow(nl);
  transport.use("stream", (mail, done) => {
    if (dkim) mail.message.processFunc((input) => dkim.sign(input));
    const pass = (mail.data as WindowedMail).atelierWindowPass;
    if (pass) mail.message.processFunc((input) => gatedStream(input, win, pass));
    done();
  });
  pool = { key, transport };
  return transport;
}

export function closeSmtpPool(): void {
  pool?.transport.close();
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
