import { registerJobHandler } from "../../platform/jobs/index.ts";
import { queueMail, registerMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { formatDate, t, toLocale } from "../../platform/i18n/index.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { giftClaimToken } from "./checkout.ts";
import { money } from "./money.ts";
import { automaticTaxEnabled } from "./stripe-sync.ts";
import { memberLoginUrl } from "../members/index.ts";

/**
 * Mails sent after fulfilment (receipt, gift claim link, subscription
 * started). Fulfilment only enqueues "offers.mail" in its transaction; that
 * job queues the mail by kind and id, and the message (with the gift's claim
 * link and the addresses) is built only when it is sent: no job row holds a
 * link, an address or a name. A replayed event never sends twice (dedupe key)
 * and a rolled-back one sends nothing.
 */

type Payload =
  | { kind: "receipt"; orderId: string }
  | { kind: "gift"; giftId: string }
  | { kind: "subscription_started"; subscriptionId: string };

function dedupeKey(p: Payload): string {
  if (p.kind === "receipt") return `offers.receipt:${p.orderId}`;
  if (p.kind === "gift") return `offers.gift:${p.giftId}`;
  return `offers.sub-start:${p.subscriptionId}`;
}

export function registerOfferMailJobs(): void {
  registerJobHandler("offers.mail", async (payload, { db }) => {
    const p = payload as Payload;
    if (!["receipt", "gift", "subscription_started"].includes(p.kind))
      throw new Error(`offers.mail: unknown kind ${String(p.kind)}`);
    const { kind, ...ids } = p;
    await queueMail(db, `offers.${kind}`, ids, dedupeKey(p));
  });

  registerMail("offers.receipt", async ({ db, publicUrl }, p) => {
    const order = await db.selectFrom("orders").selectAll().where("id", "=", String(p.orderId)).executeTakeFirst();
    if (!order || order.status !== "paid" || !order.email) return null;
    const site = await getSiteSettings(db);
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
      // Stripe Tax computes VAT into the amount paid: the receipt gives the amount Stripe reported, else says it is included.
      ...(order.tax_amount
        ? [tt("offers.mail.receipt.vat_amount", { amount: money(locale, order.tax_amount, order.currency) })]
        : order.provider === "stripe" && (await automaticTaxEnabled(db))
          ? [tt("offers.mail.receipt.vat")]
          : []),
      order.kind === "gift" ? tt("offers.mail.receipt.gift") : tt("offers.mail.receipt.access"),
    ];
    const mail = renderEmail({
      locale,
      siteName: site.name,
      accentColor: site.accentColor,
      heading: tt("offers.mail.receipt.heading"),
      paragraphs,
      // The buyer reaches the purchase through this one-time link, minted now (at send time) for the order's own member.
      button: {
        label: tt("offers.mail.receipt.button"),
        url:
          (order.member_id &&
            (await memberLoginUrl(db, order.member_id, order.email, publicUrl, "/account#purchases"))) ||
          `${publicUrl}/account`,
      },
      note: `${tt("offers.mail.receipt.link_note")} ${tt("offers.mail.receipt.note")}`,
    });
    return {
      to: order.email,
      subject: tt("offers.mail.receipt.subject", { site: site.name }),
      ...mail,
      fromName: site.name,
    };
  });

  registerMail("offers.gift", async ({ db, publicUrl, secret }, p) => {
    const gift = await db.selectFrom("gifts").selectAll().where("id", "=", String(p.giftId)).executeTakeFirst();
    if (!gift || gift.status !== "paid" || !gift.recipient_email) return null;
    const site = await getSiteSettings(db);
    const offer = await db.selectFrom("offers").select("name").where("id", "=", gift.offer_id).executeTakeFirst();
    const order = await db.selectFrom("orders").select("locale").where("id", "=", gift.order_id).executeTakeFirst();
    const locale = toLocale(order?.locale);
    const tt = (k: string, params?: Record<string, string | number>) => t(locale, k, params);
    const token = giftClaimToken(secret, gift.id);
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
      button: { label: tt("offers.mail.gift.button"), url: `${publicUrl}/gift/${token}` },
      note: tt("offers.mail.gift.note"),
    });
    return {
      to: gift.recipient_email,
      subject: tt("offers.mail.gift.subject", { site: site.name }),
      ...mail,
      fromName: site.name,
    };
  });

  registerMail("offers.subscription_started", async ({ db, publicUrl }, p) => {
    const sub = await db
      .selectFrom("subscriptions")
      .selectAll()
      .where("id", "=", String(p.subscriptionId))
      .executeTakeFirst();
    if (!sub || !sub.member_id || !sub.email) return null;
    const site = await getSiteSettings(db);
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
        url:
          (await memberLoginUrl(db, sub.member_id, sub.email, publicUrl, "/account#purchases")) ??
          `${publicUrl}/account`,
      },
      note: tt("offers.mail.receipt.link_note"),
    });
    return { to: sub.email, subject: tt("offers.mail.sub.subject", { site: site.name }), ...mail, fromName: site.name };
  });
}
