import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { waitFor } from "../../../test/support/raw-http.ts";
import { createOffer } from "./service.ts";
import { buyThroughDev, devPortal, memberClient, type TestOffer } from "./testing.ts";
import { salesFigures } from "./figures.ts";
import { revenueFigures } from "./admin-sales.tsx";

/*
 * A one-off 600 € paid in 3 monthly instalments through the dev (test-mode) provider, as a
 * buyer would: the account page reads "payment k of 3, next on …" then "paid in full"; the
 * creator's figures never count it as recurring revenue, show what is still due, and its
 * normal end is not a cancellation; the dev provider stops after the third payment as Stripe does.
 */
let app: TestApp;
let offer: TestOffer;

before(async () => {
  app = await startTestApp();
  const slug = `cours-3x-${Date.now().toString(36)}`;
  const o = await createOffer(app.db, { slug, kind: "product", name: "Cours en 3 fois", status: "published" }, [
    { kind: "recurring", interval: "month", amount: 20000, currency: "EUR", instalments: 3 },
  ]);
  const price = await app.db.selectFrom("prices").select("id").where("offer_id", "=", o.id).executeTakeFirstOrThrow();
  offer = { id: o.id, slug, priceId: price.id };
});
after(async () => {
  await app?.stop();
});

const plainText = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;|\u202f|\u00a0/g, " ")
    .replace(/\s+/g, " ");

test("an instalment plan: progress on the account page, not MRR, due shown, stopped after the last, no cancellation", async () => {
  const buyer = `plan-${Date.now().toString(36)}@example.test`;
  const memberId = await buyThroughDev(app, app.client(), offer, buyer);
  const member = await memberClient(app, memberId);
  const paidOrders = async () =>
    (
      await app.db
        .selectFrom("orders")
        .select("id")
        .where("member_id", "=", memberId)
        .where("kind", "=", "subscription_invoice")
        .where("amount_paid", ">", 0)
        .execute()
    ).length;
  await waitFor("the first instalment is recorded", async () => (await paidOrders()) === 1);

  let fr = plainText((await member.get("/account", { "accept-language": "fr" })).text);
  assert.match(fr, /3 × 200,00 € \(600,00 € au total\)/);
  assert.match(fr, /Paiement 1 sur 3, prochain le \d{1,2} \S+ \d{4}\./);
  assert.doesNotMatch(fr, /par mois/, "not shown as a monthly subscription");
  assert.match(fr, /Paiements en plusieurs fois/, "listed as a plan, not under subscriptions");
  assert.doesNotMatch(fr, /Abonnements/);
  assert.match(fr, /Cours[^<]* en plusieurs fois jusqu/, "the access badge says how it is paid");
  const page = (await member.get("/account", { "accept-language": "fr" })).text;
  assert.doesNotMatch(page, /\/account\/subscriptions\/[^"]+\/cancel/, "no cancel form for a plan");
  const plan = await app.db
    .selectFrom("subscriptions")
    .select("id")
    .where("member_id", "=", memberId)
    .executeTakeFirstOrThrow();
  const refused = await member.post(`/account/subscriptions/${plan.id}/cancel`, { reason: "" });
  assert.equal(refused.status, 409, "a forged cancel of a plan is refused");
  const inEnglish = async () => {
    member.cookies.set("atl_lang", "en");
    const text = plainText((await member.get("/account")).text);
    member.cookies.delete("atl_lang");
    return text;
  };
  const en = await inEnglish();
  assert.match(en, /Payment 1 of 3, next on /);

  const now = new Date();
  const site = { now, timeZone: "Europe/Paris", currency: "EUR" };
  let figures = await salesFigures(app.db, site);
  assert.equal(figures.mrr, 0, "an instalment plan is not recurring revenue");
  assert.ok(figures.revenueThisMonth >= 20000, "the instalment collected is revenue of the month");
  let sales = await revenueFigures(app.db, now);
  assert.equal(sales.mrr.get("EUR") ?? 0, 0);
  assert.equal(sales.instalmentsDue.get("EUR"), 40000, "two instalments still due");

  await devPortal(member, "period_end");
  await waitFor("the second instalment", async () => (await paidOrders()) === 2);
  fr = plainText((await member.get("/account", { "accept-language": "fr" })).text);
  assert.match(fr, /Paiement 2 sur 3, prochain le /);

  await devPortal(member, "period_end");
  await waitFor("the dev provider is told to stop after the third payment", async () => {
    await app.drainJobs();
    const row = await app.db
      .selectFrom("subscriptions")
      .select("cancel_at_period_end")
      .where("member_id", "=", memberId)
      .executeTakeFirstOrThrow();
    return (await paidOrders()) === 3 && row.cancel_at_period_end === 1;
  });
  fr = plainText((await member.get("/account", { "accept-language": "fr" })).text);
  assert.match(fr, /Payé en totalité \(600,00 €, en 3 fois\)\./);
  assert.doesNotMatch(fr, /Paiement 3 sur 3, prochain/);
  sales = await revenueFigures(app.db, now);
  assert.equal(sales.instalmentsDue.size, 0, "nothing left to collect");

  // The end of the third period: the dev provider ends it, as Stripe does, and charges nothing more.
  await devPortal(member, "period_end");
  await waitFor("the plan ended", async () => {
    const row = await app.db
      .selectFrom("subscriptions")
      .select("status")
      .where("member_id", "=", memberId)
      .executeTakeFirstOrThrow();
    return row.status === "canceled";
  });
  assert.equal(await paidOrders(), 3, "no fourth payment");
  figures = await salesFigures(app.db, site);
  assert.equal(figures.cancellationsThisMonth, 0, "a plan paid in full is not a cancellation");
  assert.equal(figures.mrr, 0);
  const access = await inEnglish();
  assert.match(access, /Paid in full \(€600\.00, in 3 payments\)\./);
  assert.match(access, /Cours en 3 fois/);
});
