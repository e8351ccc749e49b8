import type { Db } from "../../platform/db/index.ts";
import { t, type Locale } from "../../platform/i18n/index.ts";
import { queueMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { getSiteSettings } from "../../platform/settings.ts";

/*
 * The three emails of the join/login flow, each in the member's language with
 * a plain-text part. They go through the job queue with a dedupe key per
 * link, so a retried request never sends the same link twice.
 */

export type MemberMailKind = "confirm" | "login" | "already";

export async function sendLinkMail(
  db: Db,
  m: { kind: MemberMailKind; to: string; name: string; locale: Locale; url: string; linkId: string },
): Promise<void> {
  const site = await getSiteSettings(db);
  const k = (key: string) => t(m.locale, `members.mail.${m.kind}.${key}`, { site: site.name });
  const greeting = m.name
    ? t(m.locale, "members.mail.hello_name", { name: m.name })
    : t(m.locale, "members.mail.hello");
  const { html, text } = renderEmail({
    locale: m.locale,
    siteName: site.name,
    accentColor: site.accentColor,
    heading: k("heading"),
    paragraphs: [greeting, k("body")],
    button: { label: k("button"), url: m.url },
    note: k("note"),
  });
  await queueMail(
    db,
    {
      to: m.to,
      subject: k("subject"),
      html,
      text,
      fromName: site.mailFromName || site.name,
      ...(site.contactEmail ? { replyTo: site.contactEmail } : {}),
      // Transactional: tell auto-responders to stay quiet.
      headers: { "Auto-Submitted": "auto-generated", "Content-Language": m.locale },
    },
    `members:${m.kind}:${m.linkId}`,
  );
}
