import type { Db } from "../../platform/db/index.ts";
import { t, toLocale, type Locale } from "../../platform/i18n/index.ts";
import { nowIso } from "../../platform/ids.ts";
import { queueMail, registerMail } from "../../platform/mail/index.ts";
import { renderEmail } from "../../platform/mail/template.ts";
import { hashToken, randomToken } from "../../platform/security/tokens.ts";
import { getSiteSettings } from "../../platform/settings.ts";

/*
 * The three emails of the join/login flow, each in the member's language with
 * a plain-text part. The job carries the link's id only: its token is minted
 * when the job runs (only its hash is stored), so neither the jobs table nor a
 * backup ever holds a working link. A dedupe key per link means a retried
 * request never sends the same link twice.
 */

export type MemberMailKind = "confirm" | "login" | "already";
const kinds: readonly string[] = ["confirm", "login", "already"];

/**
 * Queues the email for a link made by createLink. Only `kind` and `linkId`
 * are used; the address, name, language and URL are read from the link and
 * member rows when the job runs (the other fields are accepted, and ignored,
 * so that callers written for the earlier signature keep working).
 */
export async function sendLinkMail(
  db: Db,
  m: { kind: MemberMailKind; linkId: string; to?: string; name?: string; locale?: Locale; url?: string },
): Promise<void> {
  await queueMail(db, "members.link", { variant: m.kind, linkId: m.linkId }, `members:${m.kind}:${m.linkId}`);
}

/** Gives an unused link a fresh token (the one made at request time never left the process); null when it is used. */
async function mintToken(db: Db, linkId: string): Promise<string | null> {
  const token = randomToken();
  const res = await db
    .updateTable("magic_links")
    .set({ token_hash: hashToken(token) })
    .where("id", "=", linkId)
    .where("used_at", "is", null)
    .where("expires_at", ">", nowIso())
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1 ? token : null;
}

export function registerMemberMails(): void {
  registerMail("members.link", async ({ db, publicUrl }, p) => {
    const kind = String(p.variant);
    if (!kinds.includes(kind)) throw new Error(`members.link: unknown variant ${kind}`);
    const link = await db.selectFrom("magic_links").selectAll().where("id", "=", String(p.linkId)).executeTakeFirst();
    if (!link?.member_id) return null;
    const member = await db
      .selectFrom("members")
      .select(["name", "locale"])
      .where("id", "=", link.member_id)
      .executeTakeFirst();
    if (!member) return null;
    const token = await mintToken(db, link.id);
    if (!token) return null;
    const url = `${publicUrl}${link.purpose === "confirm" ? "/join/confirm" : "/login/verify"}?token=${token}`;
    const locale = toLocale(member.locale);
    const site = await getSiteSettings(db);
    const k = (key: string) => t(locale, `members.mail.${kind}.${key}`, { site: site.name });
    const greeting = member.name
      ? t(locale, "members.mail.hello_name", { name: member.name })
      : t(locale, "members.mail.hello");
    const { html, text } = renderEmail({
      locale,
      siteName: site.name,
      accentColor: site.accentColor,
      heading: k("heading"),
      paragraphs: [greeting, k("body")],
      button: { label: k("button"), url },
      note: k("note"),
    });
    return {
      to: link.email,
      subject: k("subject"),
      html,
      text,
      fromName: site.mailFromName || site.name,
      ...(site.contactEmail ? { replyTo: site.contactEmail } : {}),
      // Transactional: tell auto-responders to stay quiet.
      headers: { "Auto-Submitted": "auto-generated", "Content-Language": locale },
    };
  });
}
