import type { Db } from "../../platform/db/index.ts";
import { offerIncludes, type CheckoutAttempt, type CheckoutRefusal } from "../offers/index.ts";
import { coachingOffersSoldBy } from "./offers.ts";
import { mayBuy, questionsOf } from "./applications.ts";

/**
 * Offers' checkout asks this before any order exists: an offer that sells a
 * coaching offer with an application (its own link or an include) is bought
 * only by the signed-in member whose application was accepted and is still
 * valid. An anonymous buyer is refused whatever email they type (paying with
 * the accepted person's address must not buy it on their behalf, nor for
 * the payer), and such a package cannot be a gift: the acceptance is personal.
 */
export async function coachingCheckoutGuard(db: Db, a: CheckoutAttempt): Promise<CheckoutRefusal | null> {
  const included = (await offerIncludes(db, a.offerId)).filter((i) => i.kind === "coaching").map((i) => i.id);
  const gated = (await coachingOffersSoldBy(db, a.offerId, included)).filter((o) => questionsOf(o).length > 0);
  for (const offer of gated) {
    const apply = { href: `/coaching/${offer.slug}`, linkKey: "coaching.checkout.apply_link" };
    if (a.gift) return { status: 403, messageKey: "coaching.checkout.no_gift" };
    if (!a.memberId) return { status: 403, messageKey: "coaching.checkout.sign_in", ...apply };
    if (!(await mayBuy(db, a.memberId, offer, a.now)))
      return { status: 403, messageKey: "coaching.checkout.apply_first", ...apply };
  }
  return null;
}
