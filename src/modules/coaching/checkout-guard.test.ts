import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { testClock } from "../../platform/time.ts";
import { runOperation } from "../../platform/operations.ts";
import { memberActor, systemActor } from "../../platform/actor.ts";
import { logIn, newClient } from "../members/testing.ts";
import { createOffer, getOffer, setOfferIncludes } from "../offers/index.ts";
import { makeCoachingOffer, makeMember, setupAvailability } from "./testing.ts";
import { applyForCoaching, decideApplication, saveQuestions } from "./applications.ts";
import type { CoachingOffer } from "./offers.ts";

/*
 * Buying a package sold by application goes through offers' checkout guard:
 * only the signed-in member whose application was accepted (and is still
 * valid) may start a checkout. Everyone else (anonymous with any email, the
 * accepted person's email typed by someone else, pending, declined, expired,
 * a gift) gets a translated 403 and nothing is written: no order, no code
 * reserved, no payment session.
 */
const clock = testClock("2026-03-20T08:00:00.000Z");
let app: TestApp;
let pack: CoachingOffer;
let slug = "";
let priceId = "";

before(async () => {
  app = await startTestApp({ clock });
  await setupAvailability(app);
  pack = await makeCoachingOffer(app, { kind: "package", sessions: 5, validityDays: 180 });
  await runOperation(app.running.services, saveQuestions, systemActor("test"), {
    coachingOfferId: pack.id,
    questions: "short* | Votre projet ?",
    fitThreshold: 0,
    acceptDays: 7,
  });
  slug = (await getOffer(app.db, pack.offer_id!))!.slug;
  priceId = (
    await app.db.selectFrom("prices").select("id").where("offer_id", "=", pack.offer_id!).executeTakeFirstOrThrow()
  ).id;
});
after(async () => {
  await app?.stop();
});

async function applicant(decision: "accept" | "decline" | null, locale: "fr" | "en" = "fr") {
  const m = await makeMember(app, locale);
  const client = newClient(app);
  await logIn(app, client, m.email);
  if (decision) {
    const { id } = await runOperation(app.running.services, applyForCoaching, memberActor(m.id), {
      coachingOfferId: pack.id,
      answers: { q0: "Vendre mes céramiques" },
    });
    await runOperation(app.running.services, decideApplication, systemActor("test"), {
      applicationId: id,
      decision,
      message: decision === "accept" ? "Avec plaisir." : "Pas cette fois.",
    });
  }
  return { ...m, client };
}

async function written() {
  const count = async (t: "orders" | "dev_payment_objects" | "subscriptions") =>
    Number(
      (
        await app.db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { orders: await count("orders"), sessions: await count("dev_payment_objects") };
}

const buy = (c: ReturnType<typeof newClient>, extra: Record<string, string> = {}, offerId = pack.offer_id!) =>
  c.post("/checkout", { offer: offerId, price: priceId, ...extra });

test("anonymous, not applied, pending, declined, expired, someone else's email, a gift: 403, nothing written", async () => {
  const accepted = await applicant("accept");
  const declined = await applicant("decline");
  const none = await applicant(null, "en");
  const pending = await applicant(null);
  await runOperation(app.running.services, applyForCoaching, memberActor(pending.id), {
    coachingOfferId: pack.id,
    answers: { q0: "Je me lance" },
  });
  const start = await written();

  // The offer page shows "apply first" instead of the form, to anyone not accepted.
  const anon = newClient(app);
  const page = await anon.get(`/offers/${slug}`);
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes('action="/checkout"'), "no buy form for an anonymous visitor");
  assert.ok(page.text.includes("connectez-vous avec le compte qui a candidaté"), page.text.slice(0, 2000));
  assert.ok(page.text.includes(`href="/coaching/${pack.slug}"`), "a link to apply");
  const enPage = await none.client.get(`/offers/${slug}`);
  assert.ok(enPage.text.includes("This coaching is by application: send yours first"));
  assert.ok(!enPage.text.includes('action="/checkout"'));

  // Anonymous with the accepted person's address (the attack), or any address.
  const a1 = await buy(anon, { email: accepted.email });
  assert.equal(a1.status, 403, a1.text.slice(0, 300));
  assert.ok(a1.text.includes("connectez-vous avec le compte qui a candidaté"));
  assert.equal((await buy(anon, { email: "someone@example.org" })).status, 403);
  // Signed in but not accepted, even typing the accepted person's email (ignored: the member's own is used).
  for (const who of [none, pending, declined]) {
    const r = await buy(who.client, { email: accepted.email });
    assert.equal(r.status, 403, `${who.email}: ${r.status}`);
  }
  assert.ok((await buy(none.client)).text.includes("This coaching is by application: send yours first"));
  // The accepted member cannot make it a gift (the acceptance is theirs).
  const gift = await buy(accepted.client, { recipient_email: none.email });
  assert.equal(gift.status, 403);
  assert.ok(gift.text.includes("il ne peut pas être offert"));
  // JSON callers get the same refusal.
  const api = await anon.post(
    "/checkout",
    { offer: pack.offer_id!, price: priceId, email: accepted.email },
    {
      accept: "application/json",
    },
  );
  assert.equal(api.status, 403);

  assert.deepEqual(await written(), start, "no order, no payment session");
});

test("the accepted member buys; once the acceptance has expired, the checkout is refused again", async () => {
  const accepted = await applicant("accept", "en");
  const coaching = await accepted.client.get(`/coaching/${pack.slug}`);
  assert.ok(coaching.text.includes(`href="/offers/${slug}"`), "the coaching page shows where to pay");
  assert.ok(coaching.text.includes("please pay for the package first"));
  const page = await accepted.client.get(`/offers/${slug}`);
  assert.ok(page.text.includes('action="/checkout"'), "the buy form is there for the accepted member");
  const start = await written();
  const ok = await buy(accepted.client);
  assert.equal(ok.status, 303, ok.text.slice(0, 300));
  const after1 = await written();
  assert.equal(after1.orders, start.orders + 1);
  const order = await app.db
    .selectFrom("orders")
    .select(["member_id", "email"])
    .orderBy("created_at", "desc")
    .executeTakeFirstOrThrow();
  assert.equal(order.member_id, accepted.id);
  clock.advance(8 * 86_400_000); // accepted for 7 days
  try {
    assert.equal((await buy(accepted.client)).status, 403, "expired acceptance");
    assert.deepEqual(await written(), after1);
  } finally {
    clock.advance(-8 * 86_400_000);
  }
});

test("an offer that includes the package (not its own link) is guarded the same way", async () => {
  const tier = await createOffer(
    app.db,
    { slug: `bundle-${Date.now().toString(36)}`, kind: "product", name: "Tout compris", status: "published" },
    [{ kind: "one_off", amount: 50000, currency: "EUR" }],
  );
  await setOfferIncludes(app.db, tier.id, [{ kind: "coaching", id: pack.id }]);
  const tierPrice = (
    await app.db.selectFrom("prices").select("id").where("offer_id", "=", tier.id).executeTakeFirstOrThrow()
  ).id;
  const stranger = await applicant(null);
  const start = await written();
  const r = await stranger.client.post("/checkout", { offer: tier.id, price: tierPrice });
  assert.equal(r.status, 403);
  assert.deepEqual(await written(), start);
  // An offer without application is not affected.
  const free = await makeCoachingOffer(app, { kind: "single" });
  const plainPrice = (
    await app.db.selectFrom("prices").select("id").where("offer_id", "=", free.offer_id!).executeTakeFirstOrThrow()
  ).id;
  assert.equal((await stranger.client.post("/checkout", { offer: free.offer_id!, price: plainPrice })).status, 303);
});
