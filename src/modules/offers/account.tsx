/** @jsxImportSource #html-jsx */
import type { Hono } from "hono";
import type { AppEnv } from "../../platform/http/context.ts";
import { AppError, conflict, invalidInput } from "../../platform/http/errors.ts";
import { formValue, readForm } from "../../platform/http/forms.ts";
import { nowIso } from "../../platform/ids.ts";
import { record } from "../../platform/events/index.ts";
import { offerSnapshot, subscriptionCancelRequested } from "./events.ts";
import type { Db } from "../../platform/db/index.ts";
import {
  currentMember,
  registerAccountExport,
  registerAccountSection,
  registerEraseHook,
  type Member,
} from "../members/index.ts";
import { allMemberEntitlements } from "../access/index.ts";
import { requireProvider } from "./context.ts";
import { PurchasesSection } from "./purchases-section.tsx";

/**
 * The member's side: purchases, subscriptions, downloads and gifts on
 * /account (through the members module's extension point), "manage
 * billing" (the provider's portal), cancel with a reason, data export and
 * erasure (orders are kept for accounting, without personal data).
 */
async function exportPurchases(db: Db, member: Member) {
  const [orders, subscriptions, entitlements, gifts, discountRedemptions, providerCustomers] = await Promise.all([
    db
      .selectFrom("orders")
      .select([
        "id",
        "kind",
        "offer_id",
        "amount_paid",
        "amount_refunded",
        "currency",
        "status",
        "paid_at",
        "created_at",
      ])
      .where("member_id", "=", member.id)
      .execute(),
    db
      .selectFrom("subscriptions")
      .select([
        "id",
        "offer_id",
        "amount",
        "currency",
        "interval",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "cancel_reason",
        "created_at",
      ])
      .where("member_id", "=", member.id)
      .execute(),
    allMemberEntitlements(db, member.id),
    db
      .selectFrom("gifts")
      .select([
        "id",
        "offer_id",
        "purchaser_email",
        "recipient_email",
        "recipient_name",
        "message",
        "status",
        "claimed_at",
        "created_at",
      ])
      .where((eb) =>
        eb.or([
          eb("purchaser_member_id", "=", member.id),
          eb("claimed_by", "=", member.id),
          eb("recipient_email", "=", member.email),
        ]),
      )
      .execute(),
    db
      .selectFrom("discount_redemptions")
      .select(["code_id", "email", "amount_off", "status", "created_at"])
      .where((eb) => eb.or([eb("member_id", "=", member.id), eb("email", "=", member.email)]))
      .execute(),
    db
      .selectFrom("provider_customers")
      .select(["provider", "provider_customer_id", "created_at"])
      .where("member_id", "=", member.id)
      .execute(),
  ]);
  return { orders, subscriptions, entitlements, gifts, discountRedemptions, providerCustomers };
}

let registered = false;
export function registerAccountExtensions(): void {
  if (registered) return;
  registered = true;
  registerAccountSection((c, m) => <PurchasesSection c={c} member={m} />, { id: "offers-purchases", order: 20 });
  registerAccountExport("purchases", exportPurchases);
  // Accounting keeps orders (amount, date, offer); everything that names the person goes.
  registerEraseHook(async (trx, member) => {
    await trx
      .updateTable("orders")
      .set({ member_id: null, email: "", browser_token_hash: null, updated_at: nowIso() })
      .where("member_id", "=", member.id)
      .execute();
    await trx
      .updateTable("subscriptions")
      .set({ member_id: null, email: "", cancel_reason: null, browser_token_hash: null, updated_at: nowIso() })
      .where("member_id", "=", member.id)
      .execute();
    await trx
      .updateTable("gifts")
      .set({ recipient_email: "", recipient_name: "", message: "", purchaser_email: "" })
      .where((eb) =>
        eb.or([
          eb("purchaser_member_id", "=", member.id),
          eb("claimed_by", "=", member.id),
          eb("recipient_email", "=", member.email),
        ]),
      )
      .execute();
    await trx
      .updateTable("gifts")
      .set({ purchaser_member_id: null })
      .where("purchaser_member_id", "=", member.id)
      .execute();
    await trx.updateTable("gifts").set({ claimed_by: null }).where("claimed_by", "=", member.id).execute();
    await trx.deleteFrom("provider_customers").where("member_id", "=", member.id).execute();
    await trx
      .updateTable("discount_redemptions")
      .set({ member_id: null, email: "" })
      .where((eb) => eb.or([eb("member_id", "=", member.id), eb("email", "=", member.email)]))
      .execute();
    // The dev provider's stand-in for Stripe's records (test payments only).
    await trx
      .deleteFrom("dev_payment_objects")
      .where("data", "like", `%${JSON.stringify(member.email).slice(1, -1)}%`)
      .execute();
  });
}

export function accountRoutes(app: Hono<AppEnv>): void {
  app.post("/account/billing", async (c) => {
    const member = await currentMember(c);
    if (!member) throw new AppError("unauthenticated", 401);
    const provider = requireProvider(c);
    const db = c.var.services.db;
    const customer = await db
      .selectFrom("provider_customers")
      .select("provider_customer_id")
      .where("member_id", "=", member.id)
      .where("provider", "=", provider.name)
      .executeTakeFirst();
    if (!customer) throw new AppError("not_found", 404, "offers.error.no_billing");
    const url = await provider.customerPortalUrl(
      customer.provider_customer_id,
      `${c.var.services.config.publicUrl}/account`,
    );
    return c.redirect(url, 303);
  });

  app.post("/account/subscriptions/:id/cancel", async (c) => {
    const member = await currentMember(c);
    if (!member) throw new AppError("unauthenticated", 401);
    const db = c.var.services.db;
    // Someone else's subscription id is simply not found.
    const sub = await db
      .selectFrom("subscriptions")
      .selectAll()
      .where("id", "=", c.req.param("id"))
      .where("member_id", "=", member.id)
      .executeTakeFirst();
    if (!sub || !sub.provider_subscription_id) throw new AppError("not_found", 404);
    // A plan in instalments is a purchase being paid, not a subscription to stop: the creator decides.
    if (sub.instalments > 0) throw conflict("offers.plan.cannot_cancel");
    const reason = formValue(await readForm(c), "reason").trim();
    if (reason.length > 500) throw invalidInput({ reason: { key: "validation.too_long", params: { max: 500 } } });
    const provider = requireProvider(c);
    await db
      .updateTable("subscriptions")
      .set({ cancel_reason: reason || null, updated_at: nowIso() })
      .where("id", "=", sub.id)
      .execute();
    await record(
      db,
      subscriptionCancelRequested,
      {
        subscriptionId: sub.id,
        offerName: (await offerSnapshot(db, sub.offer_id)).offerName,
        ...(reason ? { reason } : {}),
      },
      { memberId: member.id, actor: "member" },
    );
    await provider.cancelSubscription(sub.provider_subscription_id, {
      atPeriodEnd: true,
      idempotencyKey: `cancel:${sub.id}:${sub.version}`,
    });
    return c.redirect("/account?canceled=1#purchases", 303);
  });
}
