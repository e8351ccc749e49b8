import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { migrateToLatest, openDatabase, type DbHandle, type Db } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { createMember, findMemberByEmail } from "../members/index.ts";
import { canAccess } from "../access/index.ts";
import { applyProviderEvent } from "./fulfilment.ts";
import { memberEntitlements } from "../access/index.ts";
import { createOffer } from "./service.ts";
import { startCheckout } from "./checkout.ts";
import { FakeProvider } from "./testing.ts";
import type { ProviderEvent, SubscriptionSnapshot } from "../../platform/payments/provider.ts";

let database: FreshDatabase;
let handle: DbHandle;
let db: Db;
const provider = new FakeProvider();
let tier: { id: string; monthly: string; yearly: string };
let premium: { id: string; monthly: string };
let ebook: { id: string; price: string };
const publicUrl = "http://127.0.0.1:1";
const secret = "test-secret";
let evn = 0;
const ev = () => `evt_${++evn}_${newId()}`;
const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  database = await freshDatabase();
  handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  db = handle.db;
  await migrateToLatest(db);
  const t = await createOffer(db, { slug: "cercle", kind: "tier", name: "Cercle", status: "published" }, [
    { kind: "recurring", interval: "month", amount: 500, currency: "EUR" },
    { kind: "recurring", interval: "year", amount: 5000, currency: "EUR" },
  ]);
  const tp = await db.selectFrom("prices").select(["id", "interval"]).where("offer_id", "=", t.id).execute();
  tier = {
    id: t.id,
    monthly: tp.find((p) => p.interval === "month")!.id,
    yearly: tp.find((p) => p.interval === "year")!.id,
  };
  const p = await createOffer(db, { slug: "atelier-plus", kind: "tier", name: "Atelier+", status: "published" }, [
    { kind: "recurring", interval: "month", amount: 1500, currency: "EUR" },
  ]);
  premium = {
    id: p.id,
    monthly: (await db.selectFrom("prices").select("id").where("offer_id", "=", p.id).executeTakeFirstOrThrow()).id,
  };
  const e = await createOffer(db, { slug: "guide", kind: "product", name: "Guide", status: "published" }, [
    { kind: "one_off", amount: 800, currency: "EUR", payWhatYouWant: true, minAmount: 500 },
  ]);
  ebook = {
    id: e.id,
    price: (await db.selectFrom("prices").select("id").where("offer_id", "=", e.id).executeTakeFirstOrThrow()).id,
  };
});

after(async () => {
  await handle.close();
  await database.cleanup();
});

function completed(
  reference: string,
  o: {
    paid?: boolean;
    payment?: string;
    customer?: string;
    mode?: "payment" | "subscription";
    sub?: string;
    amount?: number;
  } = {},
): ProviderEvent {
  return {
    id: ev(),
    type: "checkout.completed",
    created: now(),
    checkoutId: `cs_${reference}`,
    reference,
    mode: o.mode ?? "payment",
    paid: o.paid ?? true,
    amountTotal: o.amount ?? 800,
    currency: "eur",
    providerCustomerId: o.customer ?? null,
    providerPaymentId: o.payment ?? null,
    providerSubscriptionId: o.sub ?? null,
    customerEmail: null,
    metadata: { reference },
  };
}

async function buyEbook(email: string, amount = 800) {
  const r = await startCheckout(db, provider, {
    offerId: ebook.id,
    priceId: ebook.price,
    amount,
    email,
    locale: "fr",
    publicUrl,
    secret,
  });
  return r.reference;
}

async function offerAccess(email: string, offerId: string): Promise<boolean> {
  const m = await findMemberByEmail(db, email);
  if (!m) return false;
  return canAccess(db, { kind: "member", memberId: m.id }, { kind: "page", id: "x", audience: { offers: [offerId] } });
}

async function grants(memberId: string, sourceId?: string) {
  let q = db.selectFrom("entitlements").selectAll().where("member_id", "=", memberId);
  if (sourceId) q = q.where("source_id", "=", sourceId);
  return q.execute();
}

test("a paid one-off checkout grants once; duplicates (even 20 at once) change nothing", async () => {
  const ref = await buyEbook("ana@example.org");
  const e = completed(ref, { payment: "pi_ana", customer: "cus_ana" });
  assert.equal(await applyProviderEvent(db, provider, e), "applied");
  const results = await Promise.all(Array.from({ length: 20 }, () => applyProviderEvent(db, provider, e)));
  assert.ok(results.every((r) => r === "duplicate"));
  const m = (await findMemberByEmail(db, "ana@example.org"))!;
  assert.equal((await grants(m.id)).length, 1);
  assert.equal(await offerAccess("ana@example.org", ebook.id), true);
  const order = await db.selectFrom("orders").selectAll().where("id", "=", ref).executeTakeFirstOrThrow();
  assert.equal(order.status, "paid");
  assert.equal(order.member_id, m.id);
  assert.equal(order.created_member, 1);
  const jobs = await db
    .selectFrom("jobs")
    .select("dedupe_key")
    .where("dedupe_key", "=", `offers.receipt:${ref}`)
    .execute();
  assert.equal(jobs.length, 1);
});

test("the VAT Stripe Tax computed is stored on the order; without tax it stays empty", async () => {
  const ref = await buyEbook("tva@example.org");
  const e = { ...completed(ref, { payment: "pi_tva", amount: 960 }), amountTax: 160 } as ProviderEvent;
  assert.equal(await applyProviderEvent(db, provider, e), "applied");
  const order = await db.selectFrom("orders").selectAll().where("id", "=", ref).executeTakeFirstOrThrow();
  assert.equal(order.amount_paid, 960);
  assert.equal(order.tax_amount, 160);
  const plain = await buyEbook("sans-tva@example.org");
  await applyProviderEvent(db, provider, completed(plain, { payment: "pi_plain" }));
  const untaxed = await db.selectFrom("orders").selectAll().where("id", "=", plain).executeTakeFirstOrThrow();
  assert.equal(untaxed.tax_amount, null);
});

test("SEPA: unpaid completion grants nothing; the later success grants; late or repeated events do not undo it", async () => {
  const ref = await buyEbook("sepa@example.org");
  const done = completed(ref, { paid: false, payment: "pi_sepa" });
  const ok: ProviderEvent = {
    id: ev(),
    type: "checkout.async_payment_succeeded",
    created: now(),
    checkoutId: `cs_${ref}`,
    reference: ref,
    providerPaymentId: "pi_sepa",
  };
  assert.equal(await applyProviderEvent(db, provider, done), "applied");
  assert.equal(await offerAccess("sepa@example.org", ebook.id), false);
  assert.equal(await applyProviderEvent(db, provider, ok), "applied");
  assert.equal(await offerAccess("sepa@example.org", ebook.id), true);
  // Out of order on another purchase: success first, then the unpaid completion.
  const ref2 = await buyEbook("sepa2@example.org");
  await applyProviderEvent(db, provider, {
    id: ev(),
    type: "checkout.async_payment_succeeded",
    created: now(),
    checkoutId: `cs_${ref2}`,
    reference: ref2,
    providerPaymentId: "pi_sepa2",
  });
  await applyProviderEvent(db, provider, completed(ref2, { paid: false, payment: "pi_sepa2" }));
  assert.equal(await offerAccess("sepa2@example.org", ebook.id), true);
  assert.equal(
    (await db.selectFrom("orders").select("status").where("id", "=", ref2).executeTakeFirstOrThrow()).status,
    "paid",
  );
});

test("a refund that arrives before its payment is applied when the payment lands", async () => {
  const ref = await buyEbook("early@example.org");
  const refund: ProviderEvent = {
    id: ev(),
    type: "charge.refunded",
    created: now(),
    providerPaymentId: "pi_early",
    amountRefunded: 800,
    fullyRefunded: true,
  };
  assert.equal(await applyProviderEvent(db, provider, refund), "applied");
  await applyProviderEvent(db, provider, completed(ref, { payment: "pi_early" }));
  assert.equal(await offerAccess("early@example.org", ebook.id), false);
  assert.equal(
    (await db.selectFrom("orders").select("status").where("id", "=", ref).executeTakeFirstOrThrow()).status,
    "refunded",
  );
  // And the normal order: payment then refund.
  const ref2 = await buyEbook("late@example.org");
  await applyProviderEvent(db, provider, completed(ref2, { payment: "pi_late" }));
  assert.equal(await offerAccess("late@example.org", ebook.id), true);
  await applyProviderEvent(db, provider, {
    id: ev(),
    type: "charge.refunded",
    created: now(),
    providerPaymentId: "pi_late",
    amountRefunded: 800,
    fullyRefunded: true,
  });
  assert.equal(await offerAccess("late@example.org", ebook.id), false);
});

test("a checkout with an existing member's email never changes that member", async () => {
  const m = await createMember(
    db,
    {
      email: "known@example.org",
      name: "Known Name",
      locale: "en",
      status: "active",
      emailOptIn: true,
      source: "signup",
    },
    "member",
  );
  const ref = await buyEbook("KNOWN@example.org");
  await applyProviderEvent(db, provider, completed(ref, { payment: "pi_known", customer: "cus_other" }));
  const after = (await findMemberByEmail(db, "known@example.org"))!;
  assert.equal(after.name, "Known Name");
  assert.equal(after.locale, "en");
  assert.equal(after.updatedAt, m.updatedAt);
  const order = await db.selectFrom("orders").selectAll().where("id", "=", ref).executeTakeFirstOrThrow();
  assert.equal(order.member_id, m.id);
  assert.equal(order.created_member, 0);
});

test("subscriptions follow the provider's snapshot whatever the arrival order", async () => {
  const r = await startCheckout(db, provider, {
    offerId: tier.id,
    priceId: tier.monthly,
    email: "sub@example.org",
    locale: "fr",
    publicUrl,
    secret,
  });
  const sid = "sub_1";
  const base: SubscriptionSnapshot = {
    providerSubscriptionId: sid,
    providerCustomerId: "cus_sub",
    status: "active",
    providerPriceId: null,
    priceId: tier.monthly,
    currentPeriodEnd: new Date(Date.now() + 30 * 86400_000).toISOString(),
    cancelAtPeriodEnd: false,
    canceledAt: null,
    metadata: { reference: r.reference },
  };
  // The subscription's whole life happened; its events arrive shuffled and repeated.
  provider.subs.set(sid, { ...base, status: "canceled", canceledAt: new Date().toISOString() });
  const events: ProviderEvent[] = [
    completed(r.reference, { mode: "subscription", sub: sid, customer: "cus_sub" }),
    { id: ev(), type: "subscription.changed", created: now(), providerSubscriptionId: sid },
    {
      id: ev(),
      type: "invoice.paid",
      created: now(),
      providerSubscriptionId: sid,
      amountPaid: 500,
      currency: "eur",
      invoiceId: "in_1",
    },
    {
      id: ev(),
      type: "invoice.payment_failed",
      created: now(),
      providerSubscriptionId: sid,
      amountPaid: 0,
      currency: "eur",
      invoiceId: "in_2",
    },
    { id: ev(), type: "subscription.changed", created: now(), providerSubscriptionId: sid },
  ];
  const deliveries = [...events, ...events, ...events].sort(() => Math.random() - 0.5);
  await Promise.all(deliveries.map((e) => applyProviderEvent(db, provider, e)));
  const m = (await findMemberByEmail(db, "sub@example.org"))!;
  assert.equal(await offerAccess("sub@example.org", tier.id), false);
  const row = await db.selectFrom("subscriptions").selectAll().where("id", "=", r.reference).executeTakeFirstOrThrow();
  assert.equal(row.status, "canceled");
  assert.equal(row.member_id, m.id);
  // Every re-read saw "canceled": access was never granted, not even for a moment.
  assert.equal((await grants(m.id, r.reference)).length, 0);
  assert.equal(
    (await db.selectFrom("orders").select("id").where("provider_invoice_id", "=", "in_1").execute()).length,
    1,
  );

  // Recovered, then upgraded to another tier: access moves to the new offer only.
  provider.subs.set(sid, { ...base, providerPriceId: null, priceId: premium.monthly });
  await applyProviderEvent(db, provider, {
    id: ev(),
    type: "subscription.changed",
    created: now(),
    providerSubscriptionId: sid,
  });
  assert.equal(await offerAccess("sub@example.org", premium.id), true);
  assert.equal(await offerAccess("sub@example.org", tier.id), false);
  const live = await memberEntitlements(db, m.id);
  assert.equal(live.length, 1);
  assert.equal(live[0]!.resourceId, premium.id);
});

test("a provider subscription that is not ours never becomes a member", async () => {
  provider.subs.set("sub_foreign", {
    providerSubscriptionId: "sub_foreign",
    providerCustomerId: "cus_foreign",
    status: "active",
    providerPriceId: null,
    priceId: null,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    canceledAt: null,
    metadata: {},
  });
  const before = await db.selectFrom("members").select("id").execute();
  assert.equal(
    await applyProviderEvent(db, provider, {
      id: ev(),
      type: "subscription.changed",
      created: now(),
      providerSubscriptionId: "sub_foreign",
    }),
    "ignored",
  );
  const stray = completed(newId(), { payment: "pi_stray", customer: "cus_stray" });
  assert.equal(await applyProviderEvent(db, provider, stray), "ignored");
  const afterRows = await db.selectFrom("members").select("id").execute();
  assert.equal(afterRows.length, before.length);
  assert.equal(
    (
      await db
        .selectFrom("provider_customers")
        .select("member_id")
        .where("provider_customer_id", "in", ["cus_foreign", "cus_stray"])
        .execute()
    ).length,
    0,
  );
});

test("a failed event leaves nothing behind and its retry applies cleanly", async () => {
  const r = await startCheckout(db, provider, {
    offerId: tier.id,
    priceId: tier.yearly,
    email: "crash@example.org",
    locale: "fr",
    publicUrl,
    secret,
  });
  const e = completed(r.reference, { mode: "subscription", sub: "sub_crash" });
  // The provider cannot be read: the event is not stored.
  await assert.rejects(applyProviderEvent(db, provider, e));
  assert.equal((await db.selectFrom("provider_events").select("id").where("id", "=", e.id).execute()).length, 0);
  provider.subs.set("sub_crash", {
    providerSubscriptionId: "sub_crash",
    providerCustomerId: "cus_c",
    status: "trialing",
    providerPriceId: null,
    priceId: tier.yearly,
    currentPeriodEnd: new Date(Date.now() + 86400_000).toISOString(),
    cancelAtPeriodEnd: false,
    canceledAt: null,
    metadata: { reference: r.reference },
  });
  assert.equal(await applyProviderEvent(db, provider, e), "applied");
  assert.equal(await offerAccess("crash@example.org", tier.id), true);
});
