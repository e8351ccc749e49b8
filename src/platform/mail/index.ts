import nodemailer, { type Transporter } from "nodemailer";
import type { Db } from "../db/index.ts";
import { newId, nowIso } from "../ids.ts";
import { enqueue, registerJobHandler } from "../jobs/index.ts";

/**
 * Outgoing mail. With SMTP_URL set, messages go over SMTP (nodemailer);
 * otherwise they land in the dev mailbox table, which the owner reads in the
 * admin (never in production: the config refuses NODE_ENV=production without
 * SMTP_URL). Every message is sent from a job (`mail.send`), so a slow or
 * broken SMTP server never blocks a request and failures are retried.
 *
 * A job carries a mail kind and ids, never the message: the text of a login
 * or confirmation email holds a working token, and job rows are kept for days
 * and copied into backups. The kind's renderer (registerMail) reads the rows
 * and mints any token when the job runs.
 */
export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  replyTo?: string;
  headers?: Record<string, string>;
  /** Display name for the From header (the site's name). */
  fromName?: string;
  /** An iCalendar invitation (text/calendar alternative + attachment), e.g. METHOD:REQUEST or CANCEL. */
  icalEvent?: { method: string; content: string; filename?: string };
}

export interface Mailer {
  kind: "smtp" | "dev-mailbox";
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface MailConfig {
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
  publicUrl: string;
  /** The same DKIM key as bulk mail: a login link or a receipt is signed like a newsletter. */
  dkim?: { domainName: string; keySelector: string; privateKey: string } | undefined;
}

function fromAddress(cfg: MailConfig): string {
  if (cfg.mailFrom) return cfg.mailFrom;
  const host = new URL(cfg.publicUrl).hostname;
  return `no-reply@${host.includes(".") ? host : "atelier.localhost"}`;
}

function fromHeader(cfg: MailConfig, name: string | undefined): string | { name: string; address: string } {
  const address = fromAddress(cfg);
  // MAIL_FROM may already carry a display name ("Name <a@b>"): keep it as is.
  if (!name || address.includes("<")) return address;
  return { name, address };
}

export function createMailer(db: Db, cfg: MailConfig): Mailer {
  if (cfg.smtpUrl) {
    const transport: Transporter = nodemailer.createTransport({
      url: cfg.smtpUrl,
      ...(cfg.dkim ? { dkim: cfg.dkim } : {}),
    } as Parameters<typeof nodemailer.createTransport>[0]);
    return {
      kind: "smtp",
      async send(mail) {
        await transport.sendMail({
          from: fromHeader(cfg, mail.fromName),
          to: mail.to,
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          replyTo: mail.replyTo,
          headers: mail.headers,
          ...(mail.icalEvent ? { icalEvent: mail.icalEvent } : {}),
        });
      },
      close: () => transport.close(),
    };
  }
  return {
    kind: "dev-mailbox",
    async send(mail) {
      const from = fromHeader(cfg, mail.fromName);
      await db
        .insertInto("dev_mailbox")
        .values({
          id: newId(),
          to_address: mail.to.toLowerCase(),
          from_address: typeof from === "string" ? from : `${from.name} <${from.address}>`,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: JSON.stringify({ ...(mail.headers ?? {}), ...(mail.replyTo ? { "Reply-To": mail.replyTo } : {}) }),
          created_at: nowIso(),
        })
        .execute();
    },
    close: () => undefined,
  };
}

/** What a renderer may use: the database and the site's public URL and signing secret (read when the job runs). */
export interface MailContext {
  db: Db;
  publicUrl: string;
  secret: string;
}

/** Ids and small flags only: no addresses, names, texts or tokens. */
export type MailParams = Record<string, string | number | boolean | null>;

/** Builds the message when the job runs; null when there is nothing to send any more (erased member, used link). */
export type MailRenderer = (ctx: MailContext, params: MailParams) => Promise<OutgoingMail | null>;

const renderers = new Map<string, MailRenderer>();

/** Declares a kind of email (e.g. "members.link"); modules register theirs at boot. */
export function registerMail(kind: string, render: MailRenderer): void {
  renderers.set(kind, render);
}

/** A `mail.send` row queued by a version that stored whole messages (sent once after an upgrade, then blanked). */
function isStoredMessage(p: unknown): p is OutgoingMail {
  const m = p as Partial<OutgoingMail> | null;
  return !!m && typeof m.to === "string" && typeof m.html === "string" && !("kind" in m);
}

/**
 * Registers the `mail.send` job; called once at boot. It sends with the job's own services
 * (ctx.services.mailer, its public URL and secret, read at send time): no mailer is kept in
 * module state.
 */
export function registerMailJob(): void {
  registerJobHandler("mail.send", async (payload, { db, jobId, services }) => {
    const { mailer } = services;
    if (isStoredMessage(payload)) {
      await mailer.send(payload);
      await db.updateTable("jobs").set({ payload: "{}" }).where("id", "=", jobId).execute();
      return;
    }
    const { kind, ...params } = payload as { kind?: unknown } & MailParams;
    const render = typeof kind === "string" ? renderers.get(kind) : undefined;
    if (!render) throw new Error(`mail.send: unknown mail kind ${JSON.stringify(kind)}`);
    const ctx = { db, publicUrl: services.config.publicUrl, secret: services.secret };
    const mail = await render(ctx, params);
    if (mail) await mailer.send(mail);
  });
}

/**
 * Queues an email of a registered kind, with the ids its renderer needs.
 * `dedupeKey` makes a retried request send it once (for example "members:confirm:<linkId>").
 */
export async function queueMail(db: Db, kind: string, params: MailParams, dedupeKey?: string): Promise<void> {
  await enqueue(
    db,
    "mail.send",
    { ...params, kind },
    { dedupeKey: dedupeKey ? `mail:${dedupeKey}` : undefined, maxAttempts: 8 },
  );
}
