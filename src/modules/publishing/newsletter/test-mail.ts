import { canAccess } from "../../access/index.ts";
import { findStaffUser } from "../../staff/index.ts";
import type { Db } from "../../../platform/db/index.ts";
import { isLocale, t } from "../../../platform/i18n/index.ts";
import { queueMail, registerMail } from "../../../platform/mail/index.ts";
import { getSiteSettings } from "../../../platform/settings.ts";
import { getPostForSending } from "../service.ts";
import { personalise, renderVariant } from "./render.ts";

/**
 * "Send me a test": the newsletter as the staff member will receive it. The
 * job carries the post, the staff member and the subject typed in the form;
 * the message is rendered when it is sent (jobs never hold a whole email).
 */
export async function queueTestNewsletter(
  db: Db,
  input: { postId: string; staffId: string; subject: string },
): Promise<void> {
  await queueMail(db, "newsletter.test", { postId: input.postId, staffId: input.staffId, subject: input.subject });
}

export function registerTestNewsletterMail(): void {
  registerMail("newsletter.test", async ({ db, publicUrl, secret }, p) => {
    const post = await getPostForSending(db, String(p.postId));
    const staff = await findStaffUser(db, String(p.staffId));
    if (!post || !staff) return null;
    const site = await getSiteSettings(db);
    const subject = String(p.subject);
    const full = await canAccess(
      db,
      { kind: "staff", staffId: staff.id },
      { kind: "post", id: post.id, audience: post.audience },
    );
    const locale = isLocale(staff.locale) ? staff.locale : site.locale;
    const v = renderVariant({
      post,
      subject,
      site,
      locale,
      full,
      publicUrl,
      secret,
      sendId: "test",
      tracking: false,
    });
    const body = personalise(v, `${publicUrl}/admin/newsletters`, "");
    return {
      to: staff.email,
      subject: `${t(locale, "newsletter.mail.testPrefix")} ${subject}`,
      html: body.html,
      text: body.text,
      replyTo: site.contactEmail || undefined,
      fromName: site.mailFromName || site.name,
    };
  });
}
