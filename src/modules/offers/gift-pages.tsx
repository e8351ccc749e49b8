import type { Hono } from "hono";
import type { AppEnv } from "../../platform/http/context.ts";
import { clientIp, tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { readForm } from "../../platform/http/forms.ts";
import { hitRateLimit } from "../../platform/security/rate-limit.ts";
import { page } from "../../platform/views/layout.tsx";
import { CsrfField } from "../../platform/views/components.tsx";
import { currentMember, requestGiftLink } from "../members/index.ts";
import { claimGift, findGiftByToken, isGiftRecipient } from "./gifts.ts";

/** Gift pages: the recipient sees the gift, claims it, or asks for a login link to the address it was sent to. */
export function giftRoutes(app: Hono<AppEnv>): void {
  app.get("/gift/:token", async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const gift = await findGiftByToken(db, c.req.param("token"));
    if (!gift) throw new AppError("not_found", 404, "offers.error.gift_unknown");
    const offer = await db.selectFrom("offers").select(["name"]).where("id", "=", gift.offer_id).executeTakeFirst();
    const member = await currentMember(c);
    const path = c.req.path;
    const sent = c.req.query("sent") === "1";
    c.header("Cache-Control", "no-store");
    // Someone else's session (a shared computer, a forwarded link): refuse clearly, offer the recipient's link.
    const mismatch = !!member && !isGiftRecipient(gift, member);
    return page(
      c,
      { title: t("offers.gift.title"), noindex: true },
      <div class="narrow gift-page">
        <h1>{t("offers.gift.title")}</h1>
        <p class="lead">{t("offers.gift.lead", { offer: offer?.name ?? "" })}</p>
        {gift.message && <blockquote class="prose">{gift.message}</blockquote>}
        {gift.status === "claimed" && <p class="notice warn">{t("offers.error.gift_claimed")}</p>}
        {(gift.status === "pending" || gift.status === "refunded") && (
          <p class="notice warn">{t("offers.error.gift_unavailable")}</p>
        )}
        {gift.status === "paid" && sent && <p class="notice">{t("offers.gift.link_sent")}</p>}
        {gift.status === "paid" && member && !mismatch && (
          <form method="post" action={path} class="stack">
            <CsrfField c={c} />
            <p>{t("offers.gift.claim_as", { email: member.email })}</p>
            <p>
              <button type="submit">{t("offers.gift.claim")}</button>
            </p>
          </form>
        )}
        {gift.status === "paid" && mismatch && (
          <p class="notice warn" data-error-code="gift_not_yours">
            {t("offers.error.gift_not_yours")}
          </p>
        )}
        {gift.status === "paid" && (!member || mismatch) && !sent && (
          <form method="post" action={`${path}/link`} class="stack">
            <CsrfField c={c} />
            <p>{t("offers.gift.login_first")}</p>
            <p>
              <button type="submit">{t("offers.gift.send_link")}</button>
            </p>
          </form>
        )}
      </div>,
    );
  });

  app.post("/gift/:token", async (c) => {
    await readForm(c);
    const member = await currentMember(c);
    if (!member) throw new AppError("unauthenticated", 401);
    await hitRateLimit(c.var.services.db, `gift:${clientIp(c)}`, 20, 10 * 60_000);
    await claimGift(c.var.services.db, c.req.param("token"), member);
    return c.redirect("/account?gift=claimed#purchases", 303);
  });

  // The anonymous (or wrong-address) visitor proves the recipient's mailbox with a login link sent there.
  app.post("/gift/:token/link", async (c) => {
    await readForm(c);
    const { db, config } = c.var.services;
    await hitRateLimit(db, `gift-link:${clientIp(c)}`, 20, 10 * 60_000);
    const token = c.req.param("token");
    const gift = await findGiftByToken(db, token);
    if (!gift) throw new AppError("not_found", 404, "offers.error.gift_unknown");
    const path = `/gift/${token}`;
    if (gift.status === "paid") {
      await hitRateLimit(db, `gift-link:gift:${gift.id}`, 5, 15 * 60_000);
      await requestGiftLink(db, {
        recipientEmail: gift.recipient_email,
        locale: c.var.locale,
        giftPath: path,
        publicUrl: config.publicUrl,
      });
    }
    return c.redirect(`${path}?sent=1`, 303);
  });
}
