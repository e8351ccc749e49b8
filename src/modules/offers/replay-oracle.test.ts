/**
 * The replay oracle (RELIABILITY.md, Payments): many customer lifecycles driven through the Stripe
 * stub, every resulting event delivered to POST /webhooks/stripe over real HTTP three times in a
 * shuffled order plus bursts of 20 concurrent duplicates; the final state must equal a model
 * computed from the script alone (not from the implementation): 0 double grants, 0 missing grants.
 *
 * ORACLE_SEED and ORACLE_LIFECYCLES override the defaults (a failure prints the seed).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { startStripeStub, type StripeStub, type StubEvent } from "../../../test/support/stripe-stub.ts";
import { StripeProvider, handledStripeEventTypes } from "../../platform/payments/stripe.ts";
import { nowIso } from "../../platform/ids.ts";
import { createMember, findMemberByEmail } from "../members/index.ts";
import { isLive } from "../access/index.ts";
import { giftClaimToken } from "./checkout.ts";
import { claimGift } from "./gifts.ts";
import { kinds, pool, prng, type Buyer, type Kind } from "./testing/replay-model.ts";
import { createReplayOracle } from "./testing/replay-oracle.ts";

const SEED = Number(process.env.ORACLE_SEED ?? 20261123);
const LIFECYCLES = Number(process.env.ORACLE_LIFECYCLES ?? 200);
const COPIES = 3;
const BURSTS = 20;
const BURST_SIZE = 20;
const CONCURRENCY = Number(process.env.ORACLE_CONCURRENCY ?? 8);

const rnd = prng(SEED);

let app: TestApp;
let stub: StripeStub;
let provider: StripeProvider;
let endpoint: string;

// The model, the fixtures and the lifecycle drivers live in testing/replay-model.ts and testing/replay-oracle.ts.
const oracle = createReplayOracle(rnd);
const {
  insertOffer,
  runLifecycle,
  deliver,
  offer,
  existing,
  expectedOrders,
  expectedSubs,
  kindsRun,
  foreignEmails,
  foreignSubscriptionIds,
  overrideEmails,
  tally,
  failedDeliveries,
  timing,
} = oracle;

// ---------------------------------------------------------------------------

let lifecycleMs = 0;
let deliveryMs = 0;

before(async () => {
  stub = await startStripeStub();
  app = await startTestApp({ env: stub.env() });
  endpoint = `${app.url}/webhooks/stripe`;
  provider = new StripeProvider({ secretKey: stub.secretKey, webhookSecret: stub.webhookSecret, apiBase: stub.url });
  oracle.attach({ app, stub, provider, endpoint });

  await insertOffer("cercle", "tier", "Le cercle", [
    { key: "cercle_m", amount: 500, interval: "month" },
    { key: "cercle_y", amount: 5000, interval: "year" },
    { key: "cercle_trial", amount: 500, interval: "month", trialDays: 14 },
  ]);
  await insertOffer("mecene", "tier", "Les mécènes", [{ key: "mecene_m", amount: 1500, interval: "month" }]);
  await insertOffer("carnet", "product", "Carnet de glaçures", [
    { key: "carnet_fixed", amount: 2400, interval: null },
    { key: "carnet_pwyw", amount: 1200, interval: null, pwyw: true, min: 500 },
  ]);
  await insertOffer("coffret", "product", "Coffret cadeau", [{ key: "coffret", amount: 3000, interval: null }]);
  await insertOffer("pourboire", "tip", "Un pourboire", [
    { key: "tip", amount: 300, interval: null, pwyw: true, min: 100 },
  ]);

  for (let k = 0; k < 25; k++) {
    const m = await createMember(
      app.db,
      {
        email: `member-${k}@oracle.test`,
        name: `Membre ${k}`,
        locale: k % 2 ? "en" : "fr",
        status: "active",
        emailOptIn: k % 3 === 0,
        source: "import",
      },
      "system",
    );
    existing.push({ id: m.id, email: m.email });
  }
});

after(async () => {
  await app.stop();
  await stub.stop();
});

test(`replay oracle: ${Math.max(LIFECYCLES, kinds.length * 5)} lifecycles (seed ${SEED}), every event ×${COPIES} shuffled + ${BURSTS} bursts of ${BURST_SIZE} concurrent duplicates`, async () => {
  const membersBefore = await app.db.selectFrom("members").selectAll().orderBy("id").execute();

  let t0 = Date.now();
  // Every kind at least 5 times, the rest at random.
  const plan: Kind[] = [];
  for (const k of kinds) for (let n = 0; n < 5; n++) plan.push(k);
  while (plan.length < LIFECYCLES) plan.push(rnd.pick(kinds));
  rnd.shuffle(plan);
  for (let i = 0; i < plan.length; i++) await runLifecycle(i, plan[i]!);
  // Someone else's business in the same Stripe account: never ours, never a member.
  for (let k = 0; k < 5; k++) {
    const email = k === 0 ? existing[0]!.email : `stranger-${k}@elsewhere.test`;
    if (k > 0) foreignEmails.push(email);
    const events = stub.foreignActivity(email);
    foreignSubscriptionIds.push(
      ...events
        .filter((e) => e.type === "customer.subscription.created")
        .map((e) => (e.data.object as { id: string }).id),
    );
  }
  lifecycleMs = Date.now() - t0;
  // A Stripe endpoint is subscribed to the types it handles; a fifth of the others are sent anyway
  // (an endpoint set to "all events") to prove they are acknowledged and ignored.
  const handled = new Set<string>(handledStripeEventTypes);
  const events = stub.events.filter((e) => handled.has(e.type) || rnd.next() < 0.2);
  assert.ok(events.length >= LIFECYCLES * 3, `only ${events.length} events`);

  t0 = Date.now();
  // 1) Bursts: 20 events nobody has seen yet, each delivered 20 times at once — exactly one applies.
  const firsts = rnd
    .shuffle(
      events.filter((e) =>
        [
          "checkout.session.completed",
          "invoice.paid",
          "charge.refunded",
          "customer.subscription.created",
          "checkout.session.async_payment_succeeded",
        ].includes(e.type),
      ),
    )
    .slice(0, BURSTS);
  for (const e of firsts) {
    const results = await Promise.all(Array.from({ length: BURST_SIZE }, () => deliver(e)));
    const winners = results.filter((r) => r === "applied" || r === "ignored").length;
    assert.ok(winners <= 1, `${e.type} ${e.id} applied ${winners} times in one burst: ${results.join(",")}`);
  }
  // 2) Every event three times, shuffled, several in flight at once.
  const stream = rnd.shuffle(events.flatMap((e) => Array.from({ length: COPIES }, () => e)));
  await pool(stream, CONCURRENCY, deliver);
  // 3) Stripe retries what failed (500) until it is acknowledged.
  for (let round = 0; failedDeliveries.length && round < 5; round++) {
    const again = failedDeliveries.splice(0);
    await pool(again, CONCURRENCY, deliver);
  }
  deliveryMs = Date.now() - t0;
  console.log(
    `[replay-oracle] lifecycles ${lifecycleMs} ms, delivery ${deliveryMs} ms`,
    JSON.stringify(Object.fromEntries([...timing].map(([k, [n, ms]]) => [k, `${n}× ${Math.round(ms / n)}ms`]))),
  );
  assert.equal(failedDeliveries.length, 0, "deliveries still failing after 5 retry rounds");

  // 4) Gift recipients claim what was paid for; a refunded gift can no longer be claimed.
  const claimedGifts = new Map<string, string>();
  const recipientEmails: string[] = [];
  for (const exp of expectedOrders.values()) {
    if (!exp.gift || !exp.giftId) continue;
    const token = giftClaimToken(app.running.services.secret, exp.giftId);
    // A gift is claimed by the member who owns the address it was sent to.
    const gift = await app.db
      .selectFrom("gifts")
      .select("recipient_email")
      .where("id", "=", exp.giftId)
      .executeTakeFirstOrThrow();
    const known = await findMemberByEmail(app.db, gift.recipient_email);
    const recipient =
      known ??
      (await createMember(
        app.db,
        { email: gift.recipient_email, locale: "fr", status: "active", emailOptIn: false, source: "gift" },
        "system",
      ));
    if (!known) recipientEmails.push(recipient.email);
    if (exp.status === "refunded") {
      await assert.rejects(
        claimGift(app.db, token, recipient),
        (err: unknown) => (err as { status?: number }).status === 410,
      );
    } else if (rnd.next() < 0.7) {
      await claimGift(app.db, token, recipient);
      claimedGifts.set(exp.giftId, recipient.id);
    }
  }

  const db = app.db;
  const now = nowIso();

  // --- the event ledger: each event id exactly once
  const stored = await db.selectFrom("provider_events").select(["id"]).execute();
  assert.equal(stored.length, new Set(events.map((e) => e.id)).size, "every event stored exactly once");

  // --- members: resolve the expected owner of each purchase
  const members = await db.selectFrom("members").selectAll().execute();
  const byEmail = new Map(members.map((m) => [m.email, m]));
  const ownerOf = (b: Buyer) => b.memberId ?? byEmail.get(b.email)?.id;

  // --- orders
  const orders = await db.selectFrom("orders").selectAll().execute();
  const ordersById = new Map(orders.map((o) => [o.id, o]));
  const orderMismatches: string[] = [];
  for (const [id, exp] of expectedOrders) {
    const o = ordersById.get(id);
    if (!o || o.status !== exp.status) orderMismatches.push(`${id}: ${o?.status} ≠ ${exp.status}`);
    else if (
      exp.status !== "pending" &&
      exp.status !== "expired" &&
      exp.status !== "failed" &&
      o.member_id !== ownerOf(exp.buyer)
    )
      orderMismatches.push(`${id}: member ${o.member_id} ≠ ${ownerOf(exp.buyer)}`);
  }
  assert.deepEqual(orderMismatches, [], "order statuses");
  const gifts = await db.selectFrom("gifts").selectAll().execute();
  for (const g of gifts) {
    const exp = [...expectedOrders.values()].find((e) => e.giftId === g.id)!;
    assert.equal(
      g.status,
      exp.status === "refunded" ? "refunded" : claimedGifts.has(g.id) ? "claimed" : "paid",
      `gift ${g.id}`,
    );
  }

  // --- subscriptions (state copied from Stripe's truth, whatever the order of arrival)
  const subs = await db.selectFrom("subscriptions").selectAll().execute();
  const subsById = new Map(subs.map((s) => [s.id, s]));
  const subMismatches: string[] = [];
  for (const [id, exp] of expectedSubs) {
    const s = subsById.get(id);
    const got = s && {
      status: s.status,
      offerId: s.offer_id,
      priceId: s.price_id,
      cancelAtPeriodEnd: s.cancel_at_period_end === 1,
      member: s.member_id,
    };
    const want = {
      status: exp.status,
      offerId: exp.offerId,
      priceId: exp.priceId,
      cancelAtPeriodEnd: exp.cancelAtPeriodEnd,
      member: ownerOf(exp.buyer),
    };
    if (JSON.stringify(got) !== JSON.stringify(want))
      subMismatches.push(`${id}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
    const invoiceOrders = orders.filter((o) => o.kind === "subscription_invoice" && o.subscription_id === id);
    const invoices = invoiceOrders.length;
    const refunded = invoiceOrders.filter((o) => o.status === "refunded").length;
    if (refunded !== exp.refundedInvoices) {
      const pis = invoiceOrders.map((o) => o.provider_payment_id);
      const ledger = await db
        .selectFrom("provider_events")
        .select(["type", "object_id", "result"])
        .where("type", "=", "charge.refunded")
        .where("object_id", "in", pis.filter((x): x is string => !!x).concat("-"))
        .execute();
      subMismatches.push(
        `${id} (${exp.kind}): ${refunded} refunded invoice orders ≠ ${exp.refundedInvoices}; invoice orders ${JSON.stringify(invoiceOrders.map((o) => [o.provider_invoice_id, o.provider_payment_id, o.status]))}; refunds ${JSON.stringify(ledger)}`,
      );
    }
    if (invoices !== exp.paidInvoices) {
      const paid = [...stub.invoices.values()]
        .filter(
          (inv) =>
            (inv.parent as { subscription_details: { subscription: string } }).subscription_details.subscription ===
              s?.provider_subscription_id && inv.status === "paid",
        )
        .map((inv) => inv.id as string);
      const ledger = await db
        .selectFrom("provider_events")
        .select(["type", "object_id", "result"])
        .where("object_id", "in", paid.length ? paid : ["-"])
        .execute();
      subMismatches.push(
        `${id} (${exp.kind}): ${invoices} invoice orders ≠ ${exp.paidInvoices}; stub paid invoices ${paid.join(",")}; ledger ${JSON.stringify(ledger)}`,
      );
    }
  }
  assert.deepEqual(subMismatches, [], "subscriptions");

  // --- entitlements: the live set equals the model exactly
  const expectedLive = new Set<string>();
  for (const [id, exp] of expectedOrders)
    if (exp.status === "paid" && !exp.gift) expectedLive.add(`${ownerOf(exp.buyer)}|${exp.offerId}|order|${id}`);
  for (const [id, exp] of expectedSubs)
    if (exp.status === "active" || exp.status === "trialing")
      expectedLive.add(`${ownerOf(exp.buyer)}|${exp.offerId}|subscription|${id}`);
  for (const [giftId, memberId] of claimedGifts) expectedLive.add(`${memberId}|${offer.coffret}|gift|${giftId}`);
  const ents = await db.selectFrom("entitlements").selectAll().execute();
  const live = ents.filter((e) => isLive(e, now));
  const liveKeys = live.map((e) => `${e.member_id}|${e.resource_id}|${e.source_kind}|${e.source_id}`);
  const liveSet = new Set(liveKeys);
  const missing = [...expectedLive].filter((k) => !liveSet.has(k));
  const extra = [...liveSet].filter((k) => !expectedLive.has(k));
  const perSource = new Map<string, number>();
  for (const e of live)
    perSource.set(`${e.source_kind}|${e.source_id}`, (perSource.get(`${e.source_kind}|${e.source_id}`) ?? 0) + 1);
  const doubleGrants = [...perSource.values()].filter((n) => n > 1).length + (liveKeys.length - liveSet.size);
  assert.equal(doubleGrants, 0, "double grants");
  assert.deepEqual(missing, [], "missing grants");
  assert.deepEqual(extra, [], "grants that should not exist");

  // --- side effects happened once: one order.paid event per paid order
  const paidEvents = await db.selectFrom("events").select(["data"]).where("type", "=", "order.paid").execute();
  const paidCount = new Map<string, number>();
  for (const e of paidEvents) {
    const id = (JSON.parse(e.data) as { orderId: string }).orderId;
    paidCount.set(id, (paidCount.get(id) ?? 0) + 1);
  }
  for (const [id, exp] of expectedOrders) {
    const wasPaid = exp.status === "paid" || exp.status === "refunded";
    assert.equal(paidCount.get(id) ?? 0, wasPaid ? 1 : 0, `order.paid events for ${id}`);
  }

  // --- members: nobody's data overwritten, no stranger turned into a member
  const after = new Map(members.map((m) => [m.id, m]));
  for (const m of membersBefore) {
    const now2 = after.get(m.id);
    assert.ok(now2, `member ${m.email} still exists`);
    assert.deepEqual(
      { email: now2.email, name: now2.name, locale: now2.locale, status: now2.status, email_opt_in: now2.email_opt_in },
      { email: m.email, name: m.name, locale: m.locale, status: m.status, email_opt_in: m.email_opt_in },
      `member ${m.email} untouched`,
    );
  }
  for (const email of foreignEmails) assert.equal(byEmail.has(email), false, `${email} (not ours) became a member`);
  assert.equal(
    subs.filter((s) => s.provider_subscription_id && foreignSubscriptionIds.includes(s.provider_subscription_id))
      .length,
    0,
  );
  const expectedNewEmails = new Set<string>();
  for (const exp of expectedOrders.values())
    if (
      !exp.buyer.memberId &&
      !existing.some((m) => m.email === exp.buyer.email) &&
      (exp.status === "paid" || exp.status === "refunded")
    )
      expectedNewEmails.add(exp.buyer.email);
  for (const exp of expectedSubs.values())
    if (!exp.buyer.memberId && !existing.some((m) => m.email === exp.buyer.email))
      expectedNewEmails.add(exp.buyer.email);
  for (const e of recipientEmails) expectedNewEmails.add(e);
  const newEmails = members.map((m) => m.email).filter((e) => !membersBefore.some((b) => b.email === e));
  assert.deepEqual(
    newEmails.sort(),
    [...expectedNewEmails].sort(),
    "members created = the buyers of our own paid checkouts",
  );
  for (const email of overrideEmails) assert.ok(!newEmails.includes(email));

  console.log(
    `[replay-oracle] seed=${SEED} lifecycles=${plan.length} kinds=${kindsRun.size} events=${events.length} deliveries=${tally.requests} ` +
      `(applied ${tally.applied}, ignored ${tally.ignored}, duplicate ${tally.duplicate}, 500→retried ${tally.errors}) ` +
      `orders=${expectedOrders.size} subscriptions=${expectedSubs.size} gifts claimed=${claimedGifts.size} live grants=${live.length} ` +
      `lifecycles ${lifecycleMs} ms, delivery ${deliveryMs} ms`,
  );
  assert.equal(kindsRun.size, kinds.length, "every lifecycle kind ran");
});

test("forged, stale and unsigned deliveries of real-looking events are refused with 400 and change nothing", async () => {
  const count = async () => (await app.db.selectFrom("provider_events").select("id").execute()).length;
  const before = await count();
  const snapshot = async () =>
    JSON.stringify(await app.db.selectFrom("orders").select(["id", "status"]).orderBy("id").execute()) +
    JSON.stringify(
      await app.db.selectFrom("entitlements").select(["id", "revoked_at", "ends_at"]).orderBy("id").execute(),
    );
  const stateBefore = await snapshot();
  // An abandoned checkout, "completed" by a forger: the order must stay expired.
  const [abandonedId] = [...expectedOrders].find(([, e]) => e.status === "expired")!;
  const session = [...stub.sessions.values()].find(
    (s) => s.client_reference_id === abandonedId || (s.metadata as Record<string, string>).reference === abandonedId,
  )!;
  const forged: StubEvent = {
    ...stub.events[0]!,
    id: "evt_forged_0001",
    type: "checkout.session.completed",
    data: { object: { ...session, status: "complete", payment_status: "paid", payment_intent: "pi_forged" } },
  };
  const fresh = Math.floor(Date.now() / 1000);
  const attempts = [
    { name: "signed with another secret", ...stub.sign(forged, { secret: "whsec_attacker" }) },
    {
      name: "genuine signature, body changed",
      body: stub.sign(forged).body.replace('"payment_status": "paid"', '"payment_status": "paid" '),
      headers: stub.sign(forged).headers,
    },
    { name: "stale (10 minutes)", ...stub.sign(forged, { timestamp: fresh - 600 }) },
    { name: "replayed old delivery of a real event", ...stub.sign(stub.events[1]!, { timestamp: fresh - 3600 }) },
    { name: "no signature", body: JSON.stringify(forged), headers: { "content-type": "application/json" } },
  ];
  for (const a of attempts) {
    const res = await fetch(endpoint, { method: "POST", headers: a.headers, body: a.body });
    assert.equal(res.status, 400, a.name);
  }
  assert.equal(await count(), before, "no provider_events row written");
  assert.equal(await snapshot(), stateBefore, "no order or entitlement changed");
  assert.equal(
    (await app.db.selectFrom("orders").select("status").where("id", "=", abandonedId).executeTakeFirstOrThrow()).status,
    "expired",
  );
});
