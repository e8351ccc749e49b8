import type { Db } from "../../platform/db/index.ts";
import { registerMail, type OutgoingMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { formatDateTime, t, toLocale } from "../../platform/i18n/index.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { getMember } from "../members/index.ts";
import { ownerEmail } from "../staff/index.ts";
import { getSettings } from "./settings.ts";

/**
 * The creator's email when a late payment left a client with a credit instead of the slot: in the
 * site's language, the time in the creator's zone, a button to the late-payments page where the
 * refund is one click. Queued beside the client's email with its own dedupe key, and only when
 * the credit is granted (a replayed payment grants none), so it is sent once.
 */
export function registerLateMail(): void {
  registerMail("coaching.late_creator", ({ db, publicUrl }, p) => lateCreatorMail(db, publicUrl, String(p.bookingId)));
}

export async function lateCreatorMail(db: Db, publicUrl: string, bookingId: string): Promise<OutgoingMail | null> {
  const b = await db
    .selectFrom("coaching_bookings")
    .innerJoin("coaching_offers", "coaching_offers.id", "coaching_bookings.coaching_offer_id")
    .select(["coaching_bookings.member_id", "coaching_bookings.starts_at", "coaching_offers.title"])
    .where("coaching_bookings.id", "=", bookingId)
    .executeTakeFirst();
  if (!b) return null;
  const site = await getSiteSettings(db);
  const to = (await ownerEmail(db)) ?? site.contactEmail;
  if (!to) return null;
  const member = await getMember(db, b.member_id);
  const locale = toLocale(site.locale);
  const zone = (await getSettings(db)).time_zone;
  const params = {
    client: member?.name || member?.email || "—",
    title: b.title,
    when: formatDateTime(locale, b.starts_at, zone),
  };
  const body = renderEmail({
    locale,
    siteName: site.name,
    accentColor: site.accentColor,
    heading: t(locale, "coaching.mail.late_creator.heading"),
    paragraphs: [t(locale, "coaching.mail.late_creator.body", params), t(locale, "coaching.mail.late_creator.choice")],
    button: {
      label: t(locale, "coaching.mail.late_creator.button"),
      url: `${publicUrl}/admin/coaching/late-payments`,
    },
  });
  return {
    to,
    subject: t(locale, "coaching.mail.late_creator.subject", params),
    ...body,
    fromName: site.name,
  };
}
