import { transaction, type Db } from "../../platform/db/index.ts";
import { record } from "../../platform/events/index.ts";
import { giftClaimed, offerSnapshot } from "./events.ts";
import { AppError } from "../../platform/http/errors.ts";
import { nowIso } from "../../platform/ids.ts";
import { hashToken } from "../../platform/security/tokens.ts";
import { normalizeEmail } from "../../platform/email.ts";
import { grantEntitlement } from "../access/index.ts";

/**
 * Gifts: paid by one person, claimed by the member who owns the recipient's
 * address. The link sent to the recipient finds the gift; the claim itself is
 * bound to that email, so a forwarded or leaked link does not let another
 * member take it (anonymous visitors are sent a login link to the recipient).
 */
export async function findGiftByToken(db: Db, token: string) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  return db.selectFrom("gifts").selectAll().where("claim_token_hash", "=", hashToken(token)).executeTakeFirst();
}

/** True when this member's address is the one the gift was sent to. */
export function isGiftRecipient(gift: { recipient_email: string }, member: { email: string }): boolean {
  return normalizeEmail(member.email) === normalizeEmail(gift.recipient_email);
}

/**
 * Claims a paid gift for a member; the same member claiming twice is a no-op,
 * a member with another address gets 403 `gift_not_yours`, anyone after the
 * claim 410.
 */
export async function claimGift(
  db: Db,
  token: string,
  member: { id: string; email: string },
): Promise<{ offerId: string }> {
  const memberId = member.id;
  return transaction(db, async (trx) => {
    const gift = await findGiftByToken(trx, token);
    if (!gift) throw new AppError("not_found", 404, "offers.error.gift_unknown");
    if (gift.status === "claimed") {
      if (gift.claimed_by === memberId) return { offerId: gift.offer_id };
      throw new AppError("gone", 410, "offers.error.gift_claimed");
    }
    if (!isGiftRecipient(gift, member)) throw new AppError("gift_not_yours", 403, "offers.error.gift_not_yours");
    if (gift.status !== "paid") throw new AppError("gone", 410, "offers.error.gift_unavailable");
    const at = nowIso();
    const r = await trx
      .updateTable("gifts")
      .set({ status: "claimed", claimed_by: memberId, claimed_at: at, updated_at: at })
      .where("id", "=", gift.id)
      .where("status", "=", "paid")
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AppError("gone", 410, "offers.error.gift_claimed");
    const endsAt = gift.duration_days ? new Date(Date.now() + gift.duration_days * 86_400_000).toISOString() : null;
    await grantEntitlement(trx, {
      memberId,
      resourceKind: "offer",
      resourceId: gift.offer_id,
      sourceKind: "gift",
      sourceId: gift.id,
      endsAt,
    });
    await record(
      trx,
      giftClaimed,
      { giftId: gift.id, offerId: gift.offer_id, offerName: (await offerSnapshot(trx, gift.offer_id)).offerName },
      { memberId, actor: "member" },
    );
    return { offerId: gift.offer_id };
  });
}
