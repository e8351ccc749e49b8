import type { Db } from "../../platform/db/index.ts";
import { registerMail, type OutgoingMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { formatDateTime, t, toLocale, type Locale } from "../../platform/i18n/index.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { getMember, memberLoginUrl } from "../members/index.ts";
import { formatDate } from "../../platform/i18n/index.ts";
import { ownerEmail } from "../staff/index.ts";
import { calendar, type IcsEvent } from "./ics.ts";
import type { Booking } from "./booking.ts";
import { manageLinkPath } from "./manage-link.ts";

/**
 * The client's emails: invitation (new or moved: METHOD:REQUEST, same UID,
 * SEQUENCE growing), cancellation (METHOD:CANCEL), reminders and "your slot
 * was taken, the session is kept as a credit". Rendered when sent, from the
 * booking as it is then; private notes are never read here.
 */

export const bookingUid = (b: Pick<Booking, "id">, host: string) => `coaching-${b.id}@${host}`;

async function load(db: Db, bookingId: string) {
  const b = await db
    .selectFrom("coaching_bookings")
    .innerJoin("coaching_offers", "coaching_offers.id", "coaching_bookings.coaching_offer_id")
    .select([
      "coaching_bookings.id",
      "coaching_bookings.member_id",
      "coaching_bookings.starts_at",
      "coaching_bookings.ends_at",
      "coaching_bookings.status",
      "coaching_bookings.sequence",
      "coaching_bookings.video_url",
      "coaching_bookings.client_time_zone",
      "coaching_bookings.locale",
      "coaching_bookings.updated_at",
      "coaching_offers.title",
      "coaching_offers.slug",
    ])
    .where("coaching_bookings.id", "=", bookingId)
    .executeTakeFirst();
  if (!b) return null;
  const member = await getMember(db, b.member_id);
  if (!member) return null;
  const site = await getSiteSettings(db);
  const organizer = (await ownerEmail(db)) ?? site.contactEmail ?? "";
  return { b, member, site, organizer, locale: toLocale(member.locale ?? b.locale) };
}

type Loaded = NonNullable<Awaited<ReturnType<typeof load>>>;

export function icsFor(l: Loaded, publicUrl: string, method: "REQUEST" | "CANCEL"): string {
  const host = new URL(publicUrl).hostname || "atelier.localhost";
  const ev: IcsEvent = {
    uid: bookingUid(l.b, host),
    sequence: l.b.sequence,
    start: l.b.starts_at,
    end: l.b.ends_at,
    stamp: l.b.updated_at,
    summary: `${l.b.title} · ${l.site.name}`,
    description: `${t(l.locale, "coaching.mail.video")} ${l.b.video_url}`,
    location: l.b.video_url,
    url: l.b.video_url,
    organizer: { name: l.site.name, email: l.organizer },
    attendee: { name: l.member.name || l.member.email, email: l.member.email },
    cancelled: method === "CANCEL",
  };
  return calendar([ev], { method });
}

function mail(
  l: Loaded,
  locale: Locale,
  key: string,
  paragraphs: string[],
  url: string,
  ical?: OutgoingMail["icalEvent"],
  manageUrl?: string,
): OutgoingMail {
  const body = renderEmail({
    locale,
    siteName: l.site.name,
    accentColor: l.site.accentColor,
    heading: t(locale, `coaching.mail.${key}.heading`, { title: l.b.title }),
    paragraphs,
    button: { label: t(locale, "coaching.mail.button"), url },
    ...(manageUrl
      ? {
          links: {
            title: t(locale, "coaching.mail.manage.title"),
            items: [{ label: t(locale, "coaching.mail.manage.link"), url: manageUrl }],
          },
        }
      : {}),
  });
  return {
    to: l.member.email,
    subject: t(locale, `coaching.mail.${key}.subject`, { title: l.b.title, site: l.site.name }),
    ...body,
    fromName: l.site.name,
    ...(ical ? { icalEvent: ical } : {}),
  };
}

const when = (l: Loaded) => formatDateTime(l.locale, l.b.starts_at, l.b.client_time_zone);

async function decisionMail(
  db: Db,
  publicUrl: string,
  applicationId: string,
  accepted: boolean,
): Promise<OutgoingMail | null> {
  const a = await db
    .selectFrom("coaching_applications")
    .innerJoin("coaching_offers", "coaching_offers.id", "coaching_applications.coaching_offer_id")
    .select(["coaching_applications.member_id", "status", "message", "resources", "valid_until", "title", "slug"])
    .where("coaching_applications.id", "=", applicationId)
    .executeTakeFirst();
  if (!a || a.status !== (accepted ? "accepted" : "declined")) return null;
  const member = await getMember(db, a.member_id);
  if (!member) return null;
  const site = await getSiteSettings(db);
  const locale = toLocale(member.locale);
  const key = accepted ? "accepted" : "declined";
  const paragraphs = [a.message];
  if (accepted && a.valid_until)
    paragraphs.push(
      t(locale, "coaching.mail.accepted.valid", { date: formatDate(locale, a.valid_until, member.timeZone) }),
    );
  if (!accepted && a.resources) paragraphs.push(t(locale, "coaching.mail.declined.resources"), a.resources);
  // The private link signs the applicant in and opens the offer's booking page (minted now, at send time).
  const url = accepted
    ? ((await memberLoginUrl(db, member.id, member.email, publicUrl, `/coaching/${a.slug}`)) ??
      `${publicUrl}/coaching/${a.slug}`)
    : `${publicUrl}/`;
  const body = renderEmail({
    locale,
    siteName: site.name,
    accentColor: site.accentColor,
    heading: t(locale, `coaching.mail.${key}.heading`, { title: a.title }),
    paragraphs,
    button: { label: t(locale, `coaching.mail.${key}.button`), url },
  });
  return {
    to: member.email,
    subject: t(locale, `coaching.mail.${key}.subject`, { title: a.title }),
    ...body,
    fromName: site.name,
  };
}

export function registerCoachingMails(): void {
  registerMail("coaching.accepted", ({ db, publicUrl }, p) =>
    decisionMail(db, publicUrl, String(p.applicationId), true),
  );
  registerMail("coaching.declined", ({ db, publicUrl }, p) =>
    decisionMail(db, publicUrl, String(p.applicationId), false),
  );
  registerMail("coaching.invitation", async ({ db, publicUrl, secret }, p) => {
    const l = await load(db, String(p.bookingId));
    if (!l || l.b.status !== "confirmed") return null;
    const moved = l.b.sequence > 0;
    return mail(
      l,
      l.locale,
      moved ? "moved" : "confirmed",
      [
        t(l.locale, "coaching.mail.when", { when: when(l), zone: l.b.client_time_zone }),
        `${t(l.locale, "coaching.mail.video")} ${l.b.video_url}`,
        t(l.locale, "coaching.mail.calendar"),
      ],
      `${publicUrl}/account/coaching`,
      { method: "REQUEST", content: icsFor(l, publicUrl, "REQUEST"), filename: "invitation.ics" },
      publicUrl + manageLinkPath(secret, l.b),
    );
  });
  registerMail("coaching.cancel", async ({ db, publicUrl }, p) => {
    const l = await load(db, String(p.bookingId));
    if (!l || l.b.status !== "cancelled") return null;
    return mail(
      l,
      l.locale,
      "cancelled",
      [t(l.locale, "coaching.mail.when", { when: when(l), zone: l.b.client_time_zone })],
      `${publicUrl}/account/coaching`,
      {
        method: "CANCEL",
        content: icsFor(l, publicUrl, "CANCEL"),
        filename: "cancel.ics",
      },
    );
  });
  registerMail("coaching.reminder", async ({ db, publicUrl, secret }, p) => {
    const l = await load(db, String(p.bookingId));
    // A reminder of a session cancelled or moved since it was queued is not sent.
    if (!l || l.b.status !== "confirmed" || l.b.starts_at !== p.startsAt) return null;
    const key = p.hours === 1 ? "reminder1" : "reminder24";
    return mail(
      l,
      l.locale,
      key,
      [
        t(l.locale, "coaching.mail.when", { when: when(l), zone: l.b.client_time_zone }),
        `${t(l.locale, "coaching.mail.video")} ${l.b.video_url}`,
      ],
      `${publicUrl}/account/coaching`,
      undefined,
      publicUrl + manageLinkPath(secret, l.b),
    );
  });
  registerMail("coaching.slot_lost", async ({ db, publicUrl }, p) => {
    const l = await load(db, String(p.bookingId));
    if (!l) return null;
    // Both ways out, in the client's words: keep the session (book another time) or get the money back.
    const contact = l.organizer || l.site.name;
    const m = mail(
      l,
      l.locale,
      "lost",
      [
        t(l.locale, "coaching.mail.lost.body", { when: when(l) }),
        t(l.locale, "coaching.mail.lost.keep"),
        t(l.locale, "coaching.mail.lost.refund", { contact }),
      ],
      `${publicUrl}/coaching/${l.b.slug}`,
    );
    return l.organizer ? { ...m, replyTo: l.organizer } : m;
  });
}
