import { sql } from "kysely";
import type Mail from "nodemailer/lib/mailer";
import MailComposer from "nodemailer/lib/mail-composer";
import { membersWithAccess } from "../../access/index.ts";
import { memberContacts } from "../../members/index.ts";
import type { NewsletterConfig } from "../../../platform/config.ts";
import type { Db } from "../../../platform/db/index.ts";
import { newId } from "../../../platform/ids.ts";
import { isLocale, type Locale } from "../../../platform/i18n/index.ts";
import type { Clock } from "../../../platform/time.ts";
import { tryFinish } from "./engine.ts";
import { beginWork, endWork, markerFor, type Outcome } from "./outcomes.ts";
import { fillTemplate, toHeaderLine, type TemplateTokens } from "./prebuilt.ts";
import { listIdHeader, newsletterMail, type MessageFrame } from "./message.ts";
import { acceptWindow, fromAddress, publicHost, smtpPool, workerId, type SendServices } from "./runtime.ts";
import { sendContext, templateFor, variantFor, type SendContext } from "./send-context.ts";
import { trackingToken, unsubscribeToken } from "./tokens.ts";
import { newPass, settlePass } from "./window.ts";

/*
 * A batch job: claim the batch's rows (lease), re-check consent and suppressions, render per
 * recipient with the paywall the access policy decides, send through the SMTP pool and record
 * each outcome (group commit, outcomes.ts). See engine.ts for the whole send's life.
 */

const MAX_ROW_ATTEMPTS = 5;

interface Claimed {
  member_id: string;
  email: string;
  attempts: number;
}

async function claimBatch(
  db: Db,
  nl: NewsletterConfig,
  clock: Clock,
  sendId: string,
  batch: number,
): Promise<Claimed[]> {
  const now = clock.nowIso();
  const until = new Date(clock.nowMs() + nl.leaseMs).toISOString();
  const r =
    await sql<Claimed>`UPDATE newsletter_deliveries SET state = 'sending', lease_owner = ${workerId}, lease_until = ${until}, attempts = attempts + 1, updated_at = ${now}
    WHERE send_id = ${sendId} AND batch_no = ${batch} AND (state = 'queued' OR (state = 'sending' AND lease_until < ${now} AND lease_owner <> ${workerId}))
    RETURNING member_id, email, attempts`.execute(db);
  return r.rows;
}

function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === "number" && code >= 500 && code < 600;
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/** Sends the claimed rows; returns how many must be tried again later. */
async function deliver(db: Db, clock: Clock, ctx: SendContext, rows: Claimed[]): Promise<number> {
  const marker = markerFor(db, clock);
  const sendId = ctx.send.id;
  if (!ctx.post || !ctx.resource) {
    await Promise.all(rows.map((r) => marker.mark(sendId, r.member_id, { state: "failed", reason: "post deleted" })));
    return 0;
  }
  const ids = rows.map((r) => r.member_id);
  const members = await memberContacts(db, ids);
  const suppressed = new Set<string>();
  const emails = [...new Set([...rows.map((r) => r.email), ...[...members.values()].map((m) => m.email)])];
  for (let i = 0; i < emails.length; i += 500) {
    for (const s of await db
      .selectFrom("newsletter_suppressions")
      .select("email")
      .where("email", "in", emails.slice(i, i + 500))
      .execute())
      suppressed.add(s.email);
  }
  const { config, secret } = ctx;
  const nl = config.newsletter;
  const host = publicHost(config.publicUrl);
  const transport = config.smtpUrl ? smtpPool(config.smtpUrl, nl) : undefined;
  const from = { name: ctx.site.mailFromName || ctx.site.name, address: fromAddress(config) };
  const frame: MessageFrame = {
    publicUrl: config.publicUrl,
    from,
    replyTo: ctx.replyTo,
    subject: ctx.send.subject,
    siteName: ctx.site.name,
    host,
  };
  const listId = listIdHeader(ctx.site.name, host);
  let retries = 0;

  // The paywall, per recipient, decided by the one access policy — asked for the whole batch
  // before sending, so that while messages flow the database only sees the `accepted` marks
  // (a mark stuck behind access queries would widen the window in which a crash repeats a message).
  const full = await membersWithAccess(db, [...members.keys()], ctx.resource);

  const window = transport ? acceptWindow(nl) : undefined;
  // Lanes render ahead (CPU) and queue in the pool, so a connection always has its next message.
  await mapLimit(rows, nl.poolSize * 4, async (row) => {
    const m = members.get(row.member_id);
    if (!m) return marker.mark(sendId, row.member_id, { state: "skipped", reason: "erased" });
    if (m.status !== "active" || m.email_opt_in !== 1)
      return marker.mark(sendId, row.member_id, { state: "skipped", reason: "unsubscribed" });
    if (suppressed.has(m.email) || suppressed.has(row.email))
      return marker.mark(sendId, row.member_id, { state: "skipped", reason: "suppressed" });
    // A message that cannot be rendered is a failed (or retried) row, like one the server refused.
    const failure = (err: unknown): Outcome => {
      const reason = err instanceof Error ? err.message : String(err);
      if (isPermanent(err) || row.attempts >= MAX_ROW_ATTEMPTS) return { state: "failed", reason };
      retries++;
      return { state: "retry", reason };
    };
    const messageId = `<${sendId}.${m.id}@${host}>`;
    let tokens: TemplateTokens;
    let mail: (t: TemplateTokens) => Mail.Options;
    let raw: Buffer | null;
    try {
      const locale: Locale = isLocale(m.locale) ? m.locale : ctx.site.locale;
      const variant = variantFor(ctx, locale, full.has(m.id));
      tokens = {
        unsubToken: unsubscribeToken(secret, m.id, sendId),
        trackToken: ctx.tracking ? trackingToken(secret, sendId, m.id) : "",
      };
      mail = (t) => newsletterMail(frame, variant, t);
      // The variant compiled once (see prebuilt.ts); null means "compose this one as usual".
      const template = transport
        ? await templateFor(ctx, locale, full.has(m.id), mail, {
            unsub: tokens.unsubToken.length,
            track: tokens.trackToken.length,
          })
        : null;
      raw = template ? fillTemplate(template, { toLine: toHeaderLine(m.name, m.email), messageId, ...tokens }) : null;
    } catch (err) {
      return marker.mark(sendId, row.member_id, failure(err));
    }
    const pass = newPass();
    const send = async (): Promise<Outcome> => {
      try {
        if (transport && raw) await transport.send({ from: from.address, to: [m.email], raw, pass });
        else if (transport) {
          // A message the template could not serve (e.g. an IDN address) is composed in full;
          // nodemailer's envelope has the address converted as the server needs it.
          const node = new MailComposer({
            ...mail(tokens),
            to: m.name ? { name: m.name, address: m.email } : m.email,
            messageId,
          }).compile();
          const envelope = node.getEnvelope();
          await transport.send({ from: envelope.from || from.address, to: envelope.to, raw: await node.build(), pass });
        } else {
          const { html, text, headers } = mail(tokens) as {
            html: string;
            text: string;
            headers: Record<string, string>;
          };
          await db
            .insertInto("dev_mailbox")
            .values({
              id: newId(),
              to_address: m.email,
              from_address: `${from.name} <${from.address}>`,
              subject: ctx.send.subject,
              text,
              html,
              headers: JSON.stringify({
                ...headers,
                "List-Id": listId.value,
                "Message-ID": messageId,
                ...(ctx.replyTo ? { "Reply-To": ctx.replyTo } : {}),
              }),
              created_at: clock.nowIso(),
            })
            .execute();
        }
        return { state: "accepted" };
      } catch (err) {
        return failure(err);
      }
    };
    /*
     * A crash can only repeat a message the server accepted and we had not yet recorded. Its bytes
     * only flow once it holds a place in the acceptance window (window.ts), given back when its
     * outcome is committed (group commit keeps that short): at most `poolSize` messages are ever
     * in that state, so a kill -9 duplicates at most poolSize messages, however loaded the machine is.
     */
    try {
      await marker.mark(sendId, row.member_id, await send());
    } finally {
      if (window) settlePass(window, pass);
    }
  });
  return retries;
}

/** Job: one batch of one send. Idempotent: it only takes rows nobody holds. */
export async function runBatch(s: SendServices, payload: { sendId: string; batch: number }): Promise<void> {
  const { db, clock } = s;
  const nl = s.config.newsletter;
  const ctx = await sendContext(s, payload.sendId);
  if (!ctx) return;
  const state = (
    await db.selectFrom("newsletter_sends").select("state").where("id", "=", payload.sendId).executeTakeFirst()
  )?.state;
  if (state !== "sending") return;
  beginWork(db, nl, clock, payload.sendId);
  try {
    const rows = await claimBatch(db, nl, clock, payload.sendId, payload.batch);
    if (rows.length === 0) return;
    await db
      .updateTable("newsletter_sends")
      .set({ heartbeat_at: clock.nowIso() })
      .where("id", "=", payload.sendId)
      .execute();
    let retries: number;
    try {
      retries = await deliver(db, clock, ctx, rows);
    } catch (err) {
      // Hand back what this run claimed and did not settle (claims skip rows this process holds).
      await db
        .updateTable("newsletter_deliveries")
        .set({ state: "queued", lease_owner: null, lease_until: null })
        .where("send_id", "=", payload.sendId)
        .where("batch_no", "=", payload.batch)
        .where("state", "=", "sending")
        .where("lease_owner", "=", workerId)
        .execute()
        .catch(() => undefined);
      throw err;
    }
    if (retries > 0) throw new Error(`${retries} messages refused for now; retrying later`);
  } finally {
    endWork(payload.sendId);
    await tryFinish(db, clock, payload.sendId);
  }
}
