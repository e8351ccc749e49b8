import type { Hono } from "hono";
import { updateMember } from "../../members/index.ts";
import { transaction, type Db } from "../../../platform/db/index.ts";
import type { AppContext, AppEnv } from "../../../platform/http/context.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { isLocale, type Locale } from "../../../platform/i18n/index.ts";
import { safeEqual } from "../../../platform/security/tokens.ts";
import { record as recordEvent } from "../../../platform/events/index.ts";
import { emailBounced, emailComplained } from "../events.ts";
import { memberContactByEmail } from "../../members/index.ts";

/* ---------------- bounce & complaint intake (Postmark) ---------------- */

export const hardBounceTypes = new Set([
  "HardBounce",
  "BadEmailAddress",
  "ManuallyDeactivated",
  "Blocked",
  "SpamNotification",
  "Inactive",
]);

export function webhookAuthorised(c: AppContext): boolean {
  const expected = c.var.services.config.newsletter.webhookToken;
  if (!expected) return false;
  const q = c.req.query("token");
  if (q && safeEqual(q, expected)) return true;
  const auth = c.req.header("authorization") ?? "";
  if (auth.startsWith("Basic ")) {
    const decoded = Buffer.from(auth.slice(6), "base64").toString("utf8");
    const password = decoded.slice(decoded.indexOf(":") + 1);
    return safeEqual(password, expected);
  }
  return false;
}

export async function suppress(
  db: Db,
  email: string,
  reason: "hard_bounce" | "complaint" | "manual",
  detail: string,
  at: string,
): Promise<void> {
  await transaction(db, async (trx) => {
    await trx
      .insertInto("newsletter_suppressions")
      .values({ email, reason, detail: detail.slice(0, 500), created_at: at })
      .onConflict((oc) => oc.column("email").doNothing())
      .execute();
    const last = await trx
      .selectFrom("newsletter_deliveries")
      .select(["send_id", "member_id"])
      .where("email", "=", email)
      .where("state", "=", "accepted")
      .orderBy("accepted_at", "desc")
      .limit(1)
      .executeTakeFirst();
    if (last)
      await trx
        .updateTable("newsletter_deliveries")
        .set({ state: "bounced", reason: `${reason}: ${detail}`.slice(0, 500), updated_at: at })
        .where("send_id", "=", last.send_id)
        .where("member_id", "=", last.member_id)
        .execute();
  });
}

/** POST /webhooks/mail/postmark: hard bounces and complaints suppress the address (MAIL_WEBHOOK_TOKEN). */
export function webhookRoutes(app: Hono<AppEnv>): void {
  app.post("/webhooks/mail/postmark", async (c) => {
    if (!webhookAuthorised(c)) throw new AppError("not_found", 404);
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      throw new AppError("invalid_input", 400);
    }
    const email = typeof body.Email === "string" ? body.Email.trim().toLowerCase() : "";
    if (!email || email.length > 320 || !email.includes("@")) throw new AppError("invalid_input", 400);
    const { db, clock } = c.var.services;
    const at = clock.nowIso();
    const record = String(body.RecordType ?? "");
    const type = String(body.Type ?? "");
    if (record === "SpamComplaint") {
      await suppress(db, email, "complaint", type || "SpamComplaint", at);
      const member = await memberContactByEmail(db, email);
      if (member)
        await recordEvent(db, emailComplained, { provider: "postmark" }, { memberId: member.id, actor: "system", at });
      if (member?.email_opt_in === 1) {
        const locale: Locale = isLocale(member.locale) ? member.locale : c.var.site.locale;
        await updateMember(
          db,
          member.id,
          { emailOptIn: false, consentWording: "spam complaint reported by the mail provider", consentLocale: locale },
          "system",
        );
      }
      return c.json({ ok: true, suppressed: true });
    }
    if (record === "Bounce" && hardBounceTypes.has(type)) {
      await suppress(db, email, "hard_bounce", `${type} ${String(body.Description ?? "")}`.trim(), at);
      const member = await memberContactByEmail(db, email);
      // The owner sees on the member's timeline why their emails stopped.
      if (member)
        await recordEvent(
          db,
          emailBounced,
          { provider: "postmark", type },
          { memberId: member.id, actor: "system", at },
        );
      return c.json({ ok: true, suppressed: true });
    }
    return c.json({ ok: true, suppressed: false });
  });
}
