import { webhookRoutes } from "./webhook.ts";
import type { Hono } from "hono";
import { updateMember } from "../../members/index.ts";
import type { Db } from "../../../platform/db/index.ts";
import type { AppContext, AppEnv } from "../../../platform/http/context.ts";
import { clientIp, tr } from "../../../platform/http/context.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { readForm, type FormData } from "../../../platform/http/forms.ts";
import { exemptFromCsrf } from "../../../platform/http/middleware.ts";
import { isLocale, t, type Locale } from "../../../platform/i18n/index.ts";
import { newId } from "../../../platform/ids.ts";
import { safeEqual } from "../../../platform/security/tokens.ts";
import { page } from "../../../platform/views/layout.tsx";
import { memberContacts } from "../../members/index.ts";
import { linkSignature, readTrackingToken, readUnsubscribeToken } from "./tokens.ts";

/* ---------------- unsubscribe (public, one click) ---------------- */

export async function unsubscribeTarget(c: AppContext, token: string | undefined) {
  const db = c.var.services.db;
  const parsed = readUnsubscribeToken(c.var.services.secret, token);
  if (!parsed) return null;
  const member = (await memberContacts(db, [parsed.memberId])).get(parsed.memberId);
  return member ? { member, sendId: parsed.sendId } : null;
}

export function invalidUnsubscribe(c: AppContext) {
  const tt = tr(c);
  return page(
    c,
    { title: tt("newsletter.unsub.title"), noindex: true },
    <div class="narrow">
      <h1>{tt("newsletter.unsub.title")}</h1>
      <p>{tt("newsletter.unsub.invalid")}</p>
    </div>,
    400,
  );
}

const gif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

/** The routes a reader reaches from an email: unsubscribe (RFC 8058), the bounce webhook, open and click tracking. */
export function publicRoutes(app: Hono<AppEnv>): void {
  exemptFromCsrf("/unsubscribe");
  // RFC 8058: the GET only shows a confirmation (mail scanners open links); the POST unsubscribes.
  app.get("/unsubscribe", async (c) => {
    const token = c.req.query("token");
    const target = await unsubscribeTarget(c, token);
    if (!target) return invalidUnsubscribe(c);
    const tt = tr(c);
    const site = c.var.site;
    return page(
      c,
      { title: tt("newsletter.unsub.title"), noindex: true },
      <div class="narrow">
        <h1>{tt("newsletter.unsub.title")}</h1>
        <p>{tt("newsletter.unsub.confirm", { site: site.name, email: target.member.email })}</p>
        <form method="post" action={`/unsubscribe?token=${encodeURIComponent(token!)}`}>
          <button type="submit" class="btn">
            {tt("newsletter.unsub.button")}
          </button>
        </form>
      </div>,
    );
  });

  app.post("/unsubscribe", async (c) => {
    let token = c.req.query("token");
    if (!token) {
      // RFC 8058 one-click posts carry no token in the body; a form may. Any other body is no token.
      const fields = await readForm(c).catch(() => ({}) as FormData);
      token = typeof fields.token === "string" ? fields.token : undefined;
    }
    const target = await unsubscribeTarget(c, token);
    if (!target) return invalidUnsubscribe(c);
    const db = c.var.services.db;
    const site = c.var.site;
    const { member, sendId } = target;
    if (member.email_opt_in === 1) {
      const locale: Locale = isLocale(member.locale) ? member.locale : site.locale;
      // updateMember writes the consent row and consent.withdrawn in one transaction.
      await updateMember(
        db,
        member.id,
        {
          emailOptIn: false,
          consentWording: t(locale, "newsletter.unsub.wording", { site: site.name }),
          consentLocale: locale,
          ip: clientIp(c),
        },
        "member",
      );
    }
    if (sendId)
      await db
        .updateTable("newsletter_deliveries")
        .set({ unsubscribed_at: c.var.services.clock.nowIso() })
        .where("send_id", "=", sendId)
        .where("member_id", "=", member.id)
        .where("unsubscribed_at", "is", null)
        .execute();
    const tt = tr(c);
    return page(
      c,
      { title: tt("newsletter.unsub.title"), noindex: true },
      <div class="narrow">
        <h1>{tt("newsletter.unsub.title")}</h1>
        <p data-unsubscribed>{tt("newsletter.unsub.done", { site: site.name })}</p>
      </div>,
    );
  });

  webhookRoutes(app);

  // Tracking (only links in emails sent while the creator had it on point here).
  app.get("/nl/o/:file", async (c) => {
    const token = c.req.param("file").replace(/\.gif$/, "");
    const p = readTrackingToken(c.var.services.secret, token);
    if (p) await recordTracking(c.var.services.db, c.var.services.clock.nowIso(), p.sendId, p.memberId, "open", null);
    return c.body(new Uint8Array(gif), 200, { "Content-Type": "image/gif", "Cache-Control": "no-store" });
  });
  app.get("/nl/c/:token", async (c) => {
    const token = c.req.param("token");
    const url = c.req.query("u") ?? "";
    const secret = c.var.services.secret;
    const p = readTrackingToken(secret, token);
    if (!p || !/^https?:\/\//.test(url) || !safeEqual(c.req.query("s") ?? "", linkSignature(secret, p.sendId, url)))
      throw new AppError("not_found", 404);
    await recordTracking(c.var.services.db, c.var.services.clock.nowIso(), p.sendId, p.memberId, "click", url);
    return c.redirect(url, 302);
  });
}

async function recordTracking(
  db: Db,
  at: string,
  sendId: string,
  memberId: string,
  kind: "open" | "click",
  url: string | null,
): Promise<void> {
  const row = await db
    .selectFrom("newsletter_deliveries")
    .select(["opened_at", "clicked_at"])
    .where("send_id", "=", sendId)
    .where("member_id", "=", memberId)
    .executeTakeFirst();
  if (!row) return;
  await db
    .insertInto("newsletter_events")
    .values({ id: newId(), send_id: sendId, member_id: memberId, kind, url, created_at: at })
    .execute();
  const col = kind === "open" ? "opened_at" : "clicked_at";
  // A click proves an open too.
  const patch =
    kind === "click" && !row.opened_at
      ? { clicked_at: row.clicked_at ?? at, opened_at: at }
      : { [col]: row[col] ?? at };
  await db
    .updateTable("newsletter_deliveries")
    .set(patch)
    .where("send_id", "=", sendId)
    .where("member_id", "=", memberId)
    .execute();
}
