import type { Db } from "../../platform/db/index.ts";
import { registerMail, type OutgoingMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { formatMoney, t, tCount, toLocale } from "../../platform/i18n/index.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { getMember } from "../members/index.ts";
import { ownerContact } from "../staff/index.ts";

/**
 * The client's email after a refund took sessions back (refunds.ts): how much came back, how
 * many sessions went, how many of that purchase are left, and (full refund) how many upcoming
 * sessions were cancelled (each also gets its own calendar cancellation). In the client's language.
 */
export function registerRefundMail(): void {
  registerMail("coaching.credits_revoked", ({ db, publicUrl }, p) => refundMail(db, publicUrl, p));
  registerMail("coaching.credits_revoked_creator", ({ db, publicUrl }, p) => refundCreatorMail(db, publicUrl, p));
}

/**
 * The creator's short note when a refund took unused sessions back: whose, how many, what is left
 * (or that it was a full refund, and how many upcoming sessions went). In the owner's language
 * (their account's), else the site's. Queued beside the client's email with its own dedupe key
 * (refunds.ts), so each revocation sends it once.
 */
export async function refundCreatorMail(
  db: Db,
  publicUrl: string,
  p: Record<string, unknown>,
): Promise<OutgoingMail | null> {
  const site = await getSiteSettings(db);
  const owner = await ownerContact(db);
  const to = owner?.email ?? site.contactEmail;
  if (!to) return null;
  const member = await getMember(db, String(p.memberId ?? ""));
  const locale = toLocale(owner?.locale ?? site.locale);
  const count = Number(p.count ?? 0);
  const cancelled = Number(p.cancelled ?? 0);
  const params = {
    client: member?.name || member?.email || "—",
    title: String(p.title ?? ""),
    amount: formatMoney(locale, Number(p.amount ?? 0), String(p.currency ?? "EUR")),
  };
  const paragraphs = [
    tCount(locale, "coaching.mail.refund_creator.body", count, params),
    p.full === true
      ? t(locale, "coaching.mail.refund_creator.full")
      : tCount(locale, "coaching.mail.refund_creator.left", Number(p.left ?? 0)),
  ];
  if (cancelled > 0) paragraphs.push(tCount(locale, "coaching.mail.refund_creator.cancelled", cancelled));
  const body = renderEmail({
    locale,
    siteName: site.name,
    accentColor: site.accentColor,
    heading: t(locale, "coaching.mail.refund_creator.heading"),
    paragraphs,
    button: { label: t(locale, "coaching.mail.refund_creator.button"), url: `${publicUrl}/admin/coaching` },
  });
  return {
    to,
    subject: tCount(locale, "coaching.mail.refund_creator.subject", count, params),
    ...body,
    fromName: site.name,
  };
}

export async function refundMail(db: Db, publicUrl: string, p: Record<string, unknown>): Promise<OutgoingMail | null> {
  const member = await getMember(db, String(p.memberId ?? ""));
  if (!member) return null;
  const site = await getSiteSettings(db);
  const locale = toLocale(member.locale);
  const title = String(p.title ?? "");
  const count = Number(p.count ?? 0);
  const cancelled = Number(p.cancelled ?? 0);
  const amount = formatMoney(locale, Number(p.amount ?? 0), String(p.currency ?? "EUR"));
  const full = p.full === true;
  const paragraphs = full
    ? [t(locale, "coaching.mail.refund.full", { title, amount })]
    : [
        t(locale, "coaching.mail.refund.partial", { title, amount }),
        tCount(locale, "coaching.mail.refund.removed", count),
        tCount(locale, "coaching.mail.refund.left", Number(p.left ?? 0)),
      ];
  if (full && count > 0) paragraphs.push(tCount(locale, "coaching.mail.refund.removed", count));
  if (cancelled > 0) paragraphs.push(tCount(locale, "coaching.mail.refund.cancelled", cancelled));
  const body = renderEmail({
    locale,
    siteName: site.name,
    accentColor: site.accentColor,
    heading: t(locale, "coaching.mail.refund.heading", { title }),
    paragraphs,
    button: { label: t(locale, "coaching.mail.button"), url: `${publicUrl}/account/coaching` },
  });
  return {
    to: member.email,
    subject: t(locale, "coaching.mail.refund.subject", { title, site: site.name }),
    ...body,
    fromName: site.name,
  };
}
