import type { Db } from "../../platform/db/index.ts";
import { defineConsumer, type EventRow } from "../../platform/events/index.ts";
import { formatDate, t, toLocale, type Locale } from "../../platform/i18n/index.ts";
import { enqueue, registerJobHandler, registerRecurringJob } from "../../platform/jobs/index.ts";
import { queueMail, registerMail, type OutgoingMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { getSetting, getSiteSettings, putSetting } from "../../platform/settings.ts";
import { memberLoginUrl } from "../members/index.ts";
import { ownerEmail } from "../staff/index.ts";
import { orderPaid, subscriptionChanged } from "./events.ts";
import { money } from "./money.ts";
import { lastCompleteLocalDay, localDayWindow } from "./digest-day.ts";
import { tCount } from "../../platform/i18n/index.ts";

/*
 * The emails that follow a sale's life, driven by the event log (an outbox
 * consumer, so fulfilment stays as it is and a replayed event mails once):
 * - to the member: subscription cancelled (with the end date), payment failed
 *   with a link to update the card, on day 0, then reminders on days 3 and 7
 *   while the payment is still failing (the provider's own retries decide when
 *   the subscription finally ends);
 * - to the owner: each sale and cancellation, or one digest a day, or nothing
 *   (their choice, `offers.notifications`).
 * Jobs and mail rows carry ids only; every message is built when it is sent.
 */

export type OwnerNotice = "each" | "digest" | "none";
const SETTING = "offers.notifications";
export const DUNNING_JOB = "offers.dunning";
export const DIGEST_JOB = "offers.owner_digest";
/** Reminders after the first failure, in days (day 0 is the failure itself). */
export const DUNNING_DAYS = [3, 7] as const;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** A consumer that starts on an old log must not mail about last year's sales. */
const FRESH_MS = 2 * DAY_MS;

export async function ownerNotice(db: Db): Promise<OwnerNotice> {
  const v = await getSetting<{ mode?: string }>(db, SETTING);
  return v?.mode === "digest" || v?.mode === "none" ? v.mode : "each";
}

export async function setOwnerNotice(db: Db, mode: OwnerNotice): Promise<void> {
  await putSetting(db, SETTING, { mode });
}

const failing = new Set(["past_due", "unpaid"]);

async function handle(trx: Db, events: EventRow[], nowMs: number): Promise<void> {
  const mode = await ownerNotice(trx);
  for (const e of events) {
    if (nowMs - Date.parse(e.createdAt) > FRESH_MS) continue;
    const p = e.data as Record<string, unknown>;
    if (e.type === orderPaid.type) {
      if (mode === "each")
        await queueMail(trx, "offers.owner_sale", { orderId: String(p.orderId) }, `owner-sale:${e.id}`);
      continue;
    }
    const subscriptionId = String(p.subscriptionId);
    const from = String(p.from);
    const to = String(p.to);
    const cancelled =
      (to === "canceled" && from !== "canceled" && from !== "pending") ||
      (p.cancelAtPeriodEnd === true && !failing.has(to) && to !== "canceled" && from === to);
    if (cancelled) {
      await queueMail(trx, "offers.sub_cancelled", { subscriptionId }, `sub-cancelled:${subscriptionId}`);
      if (mode === "each")
        await queueMail(trx, "offers.owner_cancel", { subscriptionId }, `owner-cancel:${subscriptionId}`);
    }
    if (failing.has(to) && !failing.has(from)) {
      // One dunning run per failure: the event id keys it, a later failure starts a new one.
      await queueMail(trx, "offers.payment_failed", { subscriptionId, day: 0 }, `dunning:${e.id}:0`);
      for (const day of DUNNING_DAYS)
        await enqueue(
          trx,
          DUNNING_JOB,
          { subscriptionId, day, run: e.id },
          { dedupeKey: `dunning:${e.id}:${day}`, runAt: new Date(Date.parse(e.createdAt) + day * DAY_MS) },
        );
    }
  }
}

type Tr = (k: string, p?: Record<string, string | number>) => string;

function translator(locale: Locale): Tr {
  return (k, p) => t(locale, k, p);
}

async function subscriptionFor(db: Db, id: string) {
  const sub = await db.selectFrom("subscriptions").selectAll().where("id", "=", id).executeTakeFirst();
  if (!sub) return null;
  const offer = await db.selectFrom("offers").select("name").where("id", "=", sub.offer_id).executeTakeFirst();
  return { sub, offerName: offer?.name ?? "" };
}

async function mail(
  db: Db,
  to: string,
  locale: Locale,
  subject: string,
  heading: string,
  paragraphs: string[],
  button?: { label: string; url: string },
  note?: string,
): Promise<OutgoingMail> {
  const site = await getSiteSettings(db);
  const body = renderEmail({
    locale,
    siteName: site.name,
    accentColor: site.accentColor,
    heading,
    paragraphs,
    button,
    note,
  });
  return { to, subject, ...body, fromName: site.name };
}

export function registerNotificationJobs(): void {
  defineConsumer({
    name: "offers.notifications",
    events: [orderPaid, subscriptionChanged],
    handle: (events, { trx, clock }) => handle(trx, events, clock.nowMs()),
  });

  registerJobHandler(DUNNING_JOB, async (payload, { db }) => {
    const p = payload as { subscriptionId: string; day: number; run: string };
    await queueMail(
      db,
      "offers.payment_failed",
      { subscriptionId: p.subscriptionId, day: p.day },
      `dunning:${p.run}:${p.day}`,
    );
  });

  // Every hour, for the last day that has ended in the site's zone: the dedupe key sends each day's digest
  // once, within the hour after local midnight, whatever the zone.
  registerRecurringJob(DIGEST_JOB, HOUR_MS, async (_payload, { db, services }) => {
    if ((await ownerNotice(db)) !== "digest") return;
    const site = await getSiteSettings(db);
    const day = lastCompleteLocalDay(services.clock.nowMs(), site.timeZone);
    await queueMail(db, "offers.owner_digest", { day }, `owner-digest:${day}`);
  });

  registerMail("offers.sub_cancelled", async ({ db, publicUrl }, p) => {
    const found = await subscriptionFor(db, String(p.subscriptionId));
    if (!found || !found.sub.email) return null;
    const { sub, offerName } = found;
    const site = await getSiteSettings(db);
    const locale = toLocale(sub.locale);
    const tt = translator(locale);
    const ended = sub.status === "canceled";
    const date = formatDate(
      locale,
      ended ? (sub.canceled_at ?? sub.updated_at) : sub.current_period_end,
      site.timeZone,
    );
    return mail(
      db,
      sub.email,
      locale,
      tt("offers.mail.cancelled.subject", { offer: offerName }),
      tt("offers.mail.cancelled.heading"),
      [
        tt(ended ? "offers.mail.cancelled.ended" : "offers.mail.cancelled.until", { offer: offerName, date }),
        tt("offers.mail.cancelled.back"),
      ],
      {
        label: tt("offers.mail.receipt.button"),
        url:
          (sub.member_id && (await memberLoginUrl(db, sub.member_id, sub.email, publicUrl, "/account#purchases"))) ||
          `${publicUrl}/account`,
      },
      tt("offers.mail.receipt.link_note"),
    );
  });

  registerMail("offers.payment_failed", async ({ db, publicUrl }, p) => {
    const found = await subscriptionFor(db, String(p.subscriptionId));
    // A reminder whose payment went through (or whose subscription ended) sends nothing.
    if (!found || !found.sub.email || !found.sub.member_id || !failing.has(found.sub.status)) return null;
    const { sub, offerName } = found;
    const memberId = sub.member_id ?? "";
    const locale = toLocale(sub.locale);
    const tt = translator(locale);
    const day = Number(p.day) || 0;
    return mail(
      db,
      sub.email,
      locale,
      tt(day === 0 ? "offers.mail.failed.subject" : "offers.mail.failed.reminderSubject", { offer: offerName }),
      tt("offers.mail.failed.heading"),
      [
        tt("offers.mail.failed.line", { offer: offerName, amount: money(locale, sub.amount, sub.currency) }),
        tt("offers.mail.failed.update"),
        day === 0 ? tt("offers.mail.failed.retry") : tt("offers.mail.failed.reminder"),
      ],
      {
        label: tt("offers.mail.failed.button"),
        url: (await memberLoginUrl(db, memberId, sub.email, publicUrl, "/account#purchases")) ?? `${publicUrl}/account`,
      },
      tt("offers.mail.receipt.link_note"),
    );
  });

  registerMail("offers.owner_sale", async ({ db, publicUrl }, p) => {
    const to = await ownerEmail(db);
    const order = await db.selectFrom("orders").selectAll().where("id", "=", String(p.orderId)).executeTakeFirst();
    if (!to || !order) return null;
    const site = await getSiteSettings(db);
    const tt = translator(site.locale);
    const offer = await db.selectFrom("offers").select("name").where("id", "=", order.offer_id).executeTakeFirst();
    const amount = money(site.locale, order.amount_paid, order.currency);
    return mail(
      db,
      to,
      site.locale,
      tt("offers.mail.ownerSale.subject", { amount, offer: offer?.name ?? "" }),
      tt("offers.mail.ownerSale.heading"),
      [tt("offers.mail.ownerSale.line", { who: order.email, offer: offer?.name ?? "", amount })],
      { label: tt("offers.mail.owner.button"), url: `${publicUrl}/admin/orders/${order.id}` },
      tt("offers.mail.owner.note"),
    );
  });

  registerMail("offers.owner_cancel", async ({ db, publicUrl }, p) => {
    const to = await ownerEmail(db);
    const found = await subscriptionFor(db, String(p.subscriptionId));
    if (!to || !found) return null;
    const site = await getSiteSettings(db);
    const tt = translator(site.locale);
    const { sub, offerName } = found;
    const paragraphs = [
      tt("offers.mail.ownerCancel.line", {
        who: sub.email,
        offer: offerName,
        date: formatDate(site.locale, sub.current_period_end ?? sub.updated_at, site.timeZone),
      }),
    ];
    if (sub.cancel_reason) paragraphs.push(tt("offers.mail.ownerCancel.reason", { reason: sub.cancel_reason }));
    return mail(
      db,
      to,
      site.locale,
      tt("offers.mail.ownerCancel.subject", { offer: offerName }),
      tt("offers.mail.ownerCancel.heading"),
      paragraphs,
      sub.member_id
        ? { label: tt("offers.mail.owner.memberButton"), url: `${publicUrl}/admin/members/${sub.member_id}#money` }
        : undefined,
      tt("offers.mail.owner.note"),
    );
  });

  registerMail("offers.owner_digest", async ({ db, publicUrl }, p) => {
    const to = await ownerEmail(db);
    const day = String(p.day);
    if (!to || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
    const site = await getSiteSettings(db);
    const locale = site.locale;
    const tt = translator(locale);
    const { from, until } = localDayWindow(day, site.timeZone);
    const sales = await db
      .selectFrom("orders")
      .select(["currency", "amount_paid"])
      .where("status", "in", ["paid", "refunded"])
      .where("paid_at", ">=", from)
      .where("paid_at", "<", until)
      .execute();
    const cancels = await db
      .selectFrom("subscriptions")
      .select("id")
      .where("cancel_requested_at", ">=", from)
      .where("cancel_requested_at", "<", until)
      .execute();
    if (sales.length === 0 && cancels.length === 0) return null;
    const totals = new Map<string, number>();
    for (const s of sales) totals.set(s.currency, (totals.get(s.currency) ?? 0) + s.amount_paid);
    const amount = [...totals].map(([cur, v]) => money(locale, v, cur)).join(" + ") || money(locale, 0, site.currency);
    return mail(
      db,
      to,
      locale,
      tt("offers.mail.digest.subject", { date: formatDate(locale, from, site.timeZone) }),
      tt("offers.mail.digest.heading"),
      [
        tCount(locale, "offers.mail.digest.sales", sales.length, { amount }),
        tCount(locale, "offers.mail.digest.cancels", cancels.length),
      ],
      { label: tt("offers.mail.digest.button"), url: `${publicUrl}/admin` },
      tt("offers.mail.owner.note"),
    );
  });
}
