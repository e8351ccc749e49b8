import type { Db } from "../../platform/db/index.ts";
import { registerJobHandler } from "../../platform/jobs/index.ts";
import { queueMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { formatDate, t, toLocale } from "../../platform/i18n/index.ts";
import { getSetting, getSiteSettings } from "../../platform/settings.ts";
import { loadConfig } from "../../platform/config.ts";
import { giftClaimToken } from "./checkout.ts";
import { money } from "./money.ts";
import { memberLoginUrl } from "../members/index.ts";

/**
 * Mails sent after fulfilment (receipt, gift claim link, subscription
 * started). Fulfilment only enqueues "offers.mail" in its transaction; this
 * job builds the message, so a replayed event never sends twice (dedupe key)
 * and a rolled-back one sends nothing.
 */
let publicBase: string | null = null;
let signingSecret: string | null = null;

/** Set from the first request (the web process knows its real public URL and secret). */
export function rememberServices(publicUrl: string, secret: string): void {
  publicBase = publicUrl;
  signingSecret = secret;
}

function baseUrl(): string {
  if (publicBase) return publicBase;
  try {
    return loadConfig().publicUrl;
  } catch {
    return "http://127.0.0.1:3000";
  }
}

async function secretOf(db: Db): Promise<string> {
  if (signingSecret) return signingSecret;
  return (await getSetting<string>(db, "app_secret")) ?? "";
}

type Payload =
  | { kind: "receipt"; orderId: string }
  | { kind: "gift"; giftId: string }
  | { kind: "subscription_started"; subscriptionId: string };

export function registerOfferMailJobs(): void {
  registerJobHandler("offers.mail", async (payload, { db }) => {
    const p = payload as Payload;
    const site = await getSiteSettings(db);
    const base = baseUrl();
    if (p.kind === "receipt") {
      const order = await db.selectFrom("orders").selectAll().where("id", "=", p.orderId).executeTakeFirst();
      if (!order || order.status !== "paid") return;
      const offer = await db
        .selectFrom("offers")
        .select(["name", "kind"])
        .where("id", "=", order.offer_id)
        .executeTakeFirst();
      const locale = toLocale(order.locale);
      const tt = (k: string, params?: Record<string, string | number>) => t(locale, k, params);
      const paragraphs = [
        tt("offers.mail.receipt.line", {
          offer: offer?.name ?? "",
          amount: money(locale, order.amount_paid, order.currency),
          date: formatDate(locale, order.paid_at, site.timeZone),
        }),
        tt("offers.mail.receipt.reference", { ref: order.id.slice(-12).toUpperCase() }),
        order.kind === "gift" ? tt("offers.mail.receipt.gift") : tt("offers.mail.receipt.access"),
      ];
      const mail = renderEmail({
        locale,
        siteName: site.name,
        accentColor: site.accentColor,
        heading: tt("offers.mail.receipt.heading"),
        paragraphs,
        // The buyer reaches the purchase through this one-time link, minted now for the order's own member.
        button: {
          label: tt("offers.mail.receipt.button"),
          url:
            (order.member_id && (await memberLoginUrl(db, order.member_id, order.email, base, "/account#purchases"))) ||
            `${base}/account`,
        },
        note: `${tt("offers.mail.receipt.link_note")} ${tt("offers.mail.receipt.note")}`,
      });
      await queueMail(
        db,
        {
          to: order.email,
          subject: tt("offers.mail.receipt.subject", { site: site.name }),
          ...mail,
          fromName: site.name,
        },
        `offers.receipt:${order.id}`,
      );
    } else if (p.kind === "gift") {
      const gift = await db.selectFrom("gifts").selectAll().where("id", "=", p.giftId).executeTakeFirst();
      if (!gift || gift.status !== "paid") return;
      const offer = await db.selectFrom("offers").select("name").where("id", "=", gift.offer_id).executeTakeFirst();
      const order = await db.selectFrom("orders").select("locale").where("id", "=", gift.order_id).executeTakeFirst();
      const locale = toLocale(order?.locale);
      const tt = (k: string, params?: Record<string, string | number>) => t(locale, k, params);
      const token = giftClaimToken(await secretOf(db), gift.id);
      const paragraphs = [
        tt("offers.mail.gift.line", { from: gift.purchaser_email, offer: offer?.name ?? "", site: site.name }),
      ];
      if (gift.message) paragraphs.push(`« ${gift.message} »`);
      const mail = renderEmail({
        locale,
        siteName: site.name,
        accentColor: site.accentColor,
        heading: tt("offers.mail.gift.heading"),
        paragraphs,
        button: { label: tt("offers.mail.gift.button"), url: `${base}/gift/${token}` },
        note: tt("offers.mail.gift.note"),
      });
      await queueMail(
        db,
        {
          to: gift.recipient_email,
          subject: tt("offers.mail.gift.subject", { site: site.name }),
          ...mail,
          fromName: site.name,
        },
        `offers.gift:${gift.id}`,
      );
    } else if (p.kind === "subscription_started") {
      const sub = await db
        .selectFrom("subscriptions")
        .selectAll()
        .where("id", "=", p.subscriptionId)
        .executeTakeFirst();
      if (!sub || !sub.member_id) return;
      const offer = await db.selectFrom("offers").select("name").where("id", "=", sub.offer_id).executeTakeFirst();
      const locale = toLocale(sub.locale);
      const tt = (k: string, params?: Record<string, string | number>) => t(locale, k, params);
      const interval = tt(sub.interval === "year" ? "offers.price.per_year" : "offers.price.per_month");
      const paragraphs = [
        tt("offers.mail.sub.line", {
          offer: offer?.name ?? "",
          amount: `${money(locale, sub.amount, sub.currency)} ${interval}`,
        }),
        sub.status === "trialing"
          ? tt("offers.mail.sub.trial", { date: formatDate(locale, sub.current_period_end, site.timeZone) })
          : tt("offers.mail.sub.renews", { date: formatDate(locale, sub.current_period_end, site.timeZone) }),
        tt("offers.mail.sub.manage"),
      ];
      const mail = renderEmail({
        locale,
        siteName: site.name,
        accentColor: site.accentColor,
        heading: tt("offers.mail.sub.heading"),
        paragraphs,
        button: {
          label: tt("offers.mail.receipt.button"),
          url: (await memberLoginUrl(db, sub.member_id, sub.email, base, "/account#purchases")) ?? `${base}/account`,
        },
        note: tt("offers.mail.receipt.link_note"),
      });
      await queueMail(
        db,
        { to: sub.email, subject: tt("offers.mail.sub.subject", { site: site.name }), ...mail, fromName: site.name },
        `offers.sub-start:${sub.id}`,
      );
    }
  });
}
