import nodemailer, { type Transporter } from "nodemailer";
import type { Db } from "../db/index.ts";
import { newId, nowIso } from "../ids.ts";
import { enqueue, registerJobHandler } from "../jobs/index.ts";

/**
 * Outgoing mail. With SMTP_URL set, messages go over SMTP (nodemailer);
 * otherwise they land in the dev mailbox table, which the owner reads in the
 * admin. Every message is sent from a job (`mail.send`), so a slow or broken
 * SMTP server never blocks a request and failures are retried.
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
    const transport: Transporter = nodemailer.createTransport(cfg.smtpUrl);
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

let activeMailer: Mailer | undefined;

/** Wires the `mail.send` job to a mailer; called once at boot. */
export function useMailer(mailer: Mailer): void {
  activeMailer = mailer;
  registerJobHandler("mail.send", async (payload) => {
    if (!activeMailer) throw new Error("mail.send: no mailer configured");
    await activeMailer.send(payload as OutgoingMail);
  });
}

/**
 * Queues an email. `dedupeKey` makes a retried request send it once
 * (for example "confirm:<memberId>:<linkId>").
 */
export async function queueMail(db: Db, mail: OutgoingMail, dedupeKey?: string): Promise<void> {
  await enqueue(db, "mail.send", mail, { dedupeKey: dedupeKey ? `mail:${dedupeKey}` : undefined, maxAttempts: 8 });
}
