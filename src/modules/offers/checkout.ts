import { sql } from "kysely";
import { transaction, type Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import type { Locale } from "../../platform/i18n/index.ts";
import type { PaymentProvider } from "../../platform/payments/provider.ts";
import { hashToken, randomToken, sign } from "../../platform/security/tokens.ts";
import { getMember } from "../members/index.ts";
import { parseEmail } from "../../platform/email.ts";
import { applyProviderEvent } from "./fulfilment.ts";
import { automaticTaxEnabled } from "./stripe-sync.ts";
import { checkoutRefusal, refusalError } from "./checkout-guards.ts";

/**
 * Starting a checkout: validates the choice (price, amount, currency, code,
 * gift), writes OUR pending order or subscription first, then asks the
 * provider for a hosted checkout whose every event carries that row's id
 * (`reference`). Nothing is granted here: only verified events grant.
 */

/** Upper bound for any amount typed by a buyer (minor units): 100,000.00. */
export const MAX_AMOUNT = 10_000_000;

export interface CheckoutInput {
  offerId: string;
  priceId: string;
  /** Pay-what-you-want: the amount chosen (minor units). Ignored for fixed prices. */
  amount?: number | null;
  /** When given, must be the price's currency. */
  currency?: string | null;
  /** The buyer's email (ignored when memberId is set: the member's own address is used). */
  email: string;
  memberId?: string | null;
  locale: Locale;
  discountCode?: string | null;
  gift?: { recipientEmail: string; recipientName?: string; message?: string } | null;
  publicUrl: string;
  secret: string;
  automaticTax?: boolean;
  /** Now (the services clock), for the checkout guards; the system clock when absent. */
  now?: string;
}

export interface CheckoutStarted {
  reference: string;
  kind: "order" | "subscription";
  url: string;
  /** Set as a cookie so only this browser may be signed in after paying for a brand-new account. */
  browserToken: string;
}

const fieldError = (field: string, key: string, params?: Record<string, string | number>) =>
  new AppError("invalid_input", 422, key, { [field]: { key, params } });

export function giftClaimToken(secret: string, giftId: string): string {
  return sign(secret, `gift:${giftId}`);
}

export interface DiscountQuote {
  codeId: string;
  code: string;
  amountOff: number;
}

/** Checks a code for an offer/currency/amount; throws a translated 422 when it cannot be used. */
export async function quoteDiscount(
  db: Db,
  rawCode: string,
  offerId: string,
  currency: string,
  amount: number,
  at = nowIso(),
): Promise<DiscountQuote> {
  const code = rawCode.trim().toUpperCase();
  if (!code || code.length > 40) throw fieldError("code", "offers.error.code_unknown");
  const row = await db.selectFrom("discount_codes").selectAll().where("code", "=", code).executeTakeFirst();
  if (!row || row.active !== 1) throw fieldError("code", "offers.error.code_unknown");
  if (row.starts_at && row.starts_at > at) throw fieldError("code", "offers.error.code_not_yet");
  if (row.ends_at && row.ends_at <= at) throw fieldError("code", "offers.error.code_expired");
  if (row.max_redemptions !== null && row.redemptions_count >= row.max_redemptions)
    throw fieldError("code", "offers.error.code_exhausted");
  const offers = JSON.parse(row.offer_ids) as string[];
  if (offers.length > 0 && !offers.includes(offerId)) throw fieldError("code", "offers.error.code_not_for_offer");
  if (row.kind === "amount" && row.currency && row.currency !== currency)
    throw fieldError("code", "offers.error.code_currency");
  const off =
    row.kind === "percent"
      ? Math.floor((amount * Math.min(100, Math.max(0, row.value))) / 100)
      : Math.min(amount, row.value);
  return { codeId: row.id, code: row.code, amountOff: off };
}

export async function startCheckout(db: Db, provider: PaymentProvider, input: CheckoutInput): Promise<CheckoutStarted> {
  const offer = await db.selectFrom("offers").selectAll().where("id", "=", input.offerId).executeTakeFirst();
  if (!offer || offer.status !== "published") throw new AppError("not_found", 404, "offers.error.not_available");
  const price = await db
    .selectFrom("prices")
    .selectAll()
    .where("id", "=", input.priceId)
    .where("offer_id", "=", offer.id)
    .executeTakeFirst();
  if (!price || price.active !== 1) throw fieldError("price", "offers.error.price_unavailable");
  if (input.currency && input.currency.trim().toUpperCase() !== price.currency)
    throw fieldError("amount", "offers.error.currency", { currency: price.currency });

  let amount = price.amount;
  if (price.pay_what_you_want === 1) {
    const a = input.amount;
    if (a === null || a === undefined || !Number.isSafeInteger(a))
      throw fieldError("amount", "offers.error.amount_invalid");
    if (a < 0) throw fieldError("amount", "offers.error.amount_invalid");
    if (a < price.min_amount) throw fieldError("amount", "offers.error.amount_min", { min: price.min_amount });
    if (a > MAX_AMOUNT) throw fieldError("amount", "offers.error.amount_max", { max: MAX_AMOUNT });
    amount = a;
  }

  // The buyer: a logged-in member buys as themselves; otherwise the email is only a lookup key at payment time.
  let email: string;
  let memberId: string | null = null;
  if (input.memberId) {
    const m = await getMember(db, input.memberId);
    if (!m) throw new AppError("unauthenticated", 401);
    memberId = m.id;
    email = m.email;
  } else {
    const parsed = parseEmail(input.email);
    if (!parsed) throw fieldError("email", "validation.email");
    email = parsed;
  }

  const gift = input.gift ?? null;
  let recipientEmail = "";
  if (gift) {
    const parsed = parseEmail(gift.recipientEmail);
    if (!parsed) throw fieldError("recipient_email", "validation.email");
    recipientEmail = parsed;
  }
  // Instalments are the buyer's own way to pay, not something to give: a gift is paid at once.
  if (gift && price.instalments > 0) throw fieldError("recipient_email", "offers.error.gift_instalments");
  const recurring = price.kind === "recurring" && !gift;

  // Other modules' say (an accepted application...), before anything is reserved or written.
  const refusal = await checkoutRefusal(db, { offerId: offer.id, memberId, gift: !!gift, now: input.now ?? nowIso() });
  if (refusal) throw refusalError(refusal);

  if (recurring && memberId) {
    const live = await db
      .selectFrom("subscriptions")
      .select("id")
      .where("member_id", "=", memberId)
      .where("offer_id", "=", offer.id)
      .where("status", "in", ["active", "trialing", "past_due"])
      .executeTakeFirst();
    if (live) throw new AppError("conflict", 409, "offers.error.already_subscribed");
  }

  const reference = newId();
  const browserToken = randomToken();
  const at = nowIso();

  // Reserve the code and write the pending row in one transaction: the use count can never overshoot.
  const discount = await transaction(db, async (trx) => {
    let quote: DiscountQuote | null = null;
    if (input.discountCode && input.discountCode.trim()) {
      quote = await quoteDiscount(trx, input.discountCode, offer.id, price.currency, amount);
      const r = await trx
        .updateTable("discount_codes")
        .set({ redemptions_count: sql`redemptions_count + 1`, updated_at: at })
        .where("id", "=", quote.codeId)
        .where((eb) =>
          eb.or([eb("max_redemptions", "is", null), eb("redemptions_count", "<", eb.ref("max_redemptions"))]),
        )
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw fieldError("code", "offers.error.code_exhausted");
      await trx
        .insertInto("discount_redemptions")
        .values({
          id: newId(),
          code_id: quote.codeId,
          reference,
          member_id: memberId,
          email,
          amount_off: quote.amountOff,
          status: "reserved",
          created_at: at,
        })
        .execute();
    }
    const off = quote?.amountOff ?? 0;
    if (recurring) {
      await trx
        .insertInto("subscriptions")
        .values({
          id: reference,
          member_id: memberId,
          email,
          offer_id: offer.id,
          price_id: price.id,
          amount: amount - off,
          currency: price.currency,
          interval: price.interval ?? "month",
          instalments: price.instalments,
          status: "pending",
          provider: provider.name,
          provider_subscription_id: null,
          provider_checkout_id: null,
          provider_customer_id: null,
          provider_price_id: price.provider_price_id,
          current_period_end: null,
          cancel_at_period_end: 0,
          canceled_at: null,
          cancel_reason: null,
          discount_amount: off,
          discount_code_id: quote?.codeId ?? null,
          created_member: 0,
          browser_token_hash: hashToken(browserToken),
          locale: input.locale,
          version: 0,
          created_at: at,
          updated_at: at,
        })
        .execute();
    } else {
      const giftId = gift ? newId() : null;
      await trx
        .insertInto("orders")
        .values({
          id: reference,
          kind: gift ? "gift" : "purchase",
          member_id: memberId,
          email,
          offer_id: offer.id,
          price_id: price.id,
          subscription_id: null,
          gift_id: giftId,
          amount,
          discount_amount: off,
          discount_code_id: quote?.codeId ?? null,
          amount_paid: 0,
          amount_refunded: 0,
          currency: price.currency,
          status: "pending",
          provider: provider.name,
          provider_checkout_id: null,
          provider_payment_id: null,
          provider_invoice_id: null,
          provider_customer_id: null,
          created_member: 0,
          browser_token_hash: hashToken(browserToken),
          locale: input.locale,
          paid_at: null,
          refunded_at: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      if (gift && giftId) {
        const days = price.kind === "recurring" ? (price.interval === "year" ? 365 : 30) : null;
        await trx
          .insertInto("gifts")
          .values({
            id: giftId,
            order_id: reference,
            offer_id: offer.id,
            price_id: price.id,
            purchaser_member_id: memberId,
            purchaser_email: email,
            recipient_email: recipientEmail,
            recipient_name: (gift.recipientName ?? "").trim().slice(0, 120),
            message: (gift.message ?? "").trim().slice(0, 1000),
            duration_days: days,
            claim_token_hash: hashToken(giftClaimToken(input.secret, giftId)),
            status: "pending",
            claimed_by: null,
            claimed_at: null,
            created_at: at,
            updated_at: at,
          })
          .execute();
      }
    }
    return off;
  });

  const total = amount - discount;
  const kind = recurring ? "subscription" : "order";

  // Nothing to pay (free pay-what-you-want, 100 % code on a one-off): fulfil through the same event path.
  if (total === 0 && !recurring) {
    await applyProviderEvent(db, provider, {
      id: `free_${reference}`,
      type: "checkout.completed",
      created: Math.floor(Date.now() / 1000),
      checkoutId: `free_${reference}`,
      reference,
      mode: "payment",
      paid: true,
      amountTotal: 0,
      currency: price.currency,
      providerCustomerId: null,
      providerPaymentId: null,
      providerSubscriptionId: null,
      customerEmail: email,
      metadata: { reference },
    });
    return { reference, kind, url: `${input.publicUrl}/checkout/done/${reference}`, browserToken };
  }

  const customer = memberId
    ? await db
        .selectFrom("provider_customers")
        .select("provider_customer_id")
        .where("member_id", "=", memberId)
        .where("provider", "=", provider.name)
        .executeTakeFirst()
    : undefined;
  try {
    const session = await provider.createCheckout({
      reference,
      mode: recurring ? "subscription" : "payment",
      line: {
        offerId: offer.id,
        priceId: price.id,
        name: offer.name,
        amount: total,
        currency: price.currency,
        interval: recurring ? price.interval : null,
        trialDays: recurring && price.trial_days > 0 ? price.trial_days : undefined,
        // A synced price only fits when the buyer pays exactly it.
        providerPriceId:
          price.provider_price_id && total === price.amount && price.pay_what_you_want === 0
            ? price.provider_price_id
            : undefined,
      },
      customerEmail: email,
      providerCustomerId: customer?.provider_customer_id,
      successUrl: `${input.publicUrl}/checkout/done/${reference}`,
      cancelUrl: `${input.publicUrl}/offers/${offer.slug}`,
      metadata: { reference, ...(memberId ? { member_id: memberId } : {}), ...(gift ? { gift: "1" } : {}) },
      idempotencyKey: `checkout:${reference}`,
      // The creator's Stripe Tax switch (offers admin) unless the caller decided.
      automaticTax: input.automaticTax ?? (await automaticTaxEnabled(db)),
    });
    const table = recurring ? "subscriptions" : "orders";
    await db
      .updateTable(table)
      .set({ provider_checkout_id: session.id, updated_at: nowIso() })
      .where("id", "=", reference)
      .execute();
    return { reference, kind, url: session.url, browserToken };
  } catch (err) {
    if (err instanceof AppError) throw err;
    // The provider did not answer: free the code and close the pending row, nothing was charged.
    await transaction(db, async (trx) => {
      if (recurring)
        await trx
          .updateTable("subscriptions")
          .set({ status: "expired", updated_at: nowIso() })
          .where("id", "=", reference)
          .execute();
      else
        await trx
          .updateTable("orders")
          .set({ status: "failed", updated_at: nowIso() })
          .where("id", "=", reference)
          .execute();
      const red = await trx
        .selectFrom("discount_redemptions")
        .selectAll()
        .where("reference", "=", reference)
        .executeTakeFirst();
      if (red) {
        await trx.updateTable("discount_redemptions").set({ status: "released" }).where("id", "=", red.id).execute();
        await trx
          .updateTable("discount_codes")
          .set({ redemptions_count: sql`redemptions_count - 1` })
          .where("id", "=", red.code_id)
          .execute();
      }
    });
    throw new AppError("provider_unavailable", 502, "offers.error.provider_unavailable");
  }
}
