import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { launchBrowser, newPage, screenshot } from "../../../test/support/browser.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { seedDemo } from "../demo/index.ts";
import { canAccess } from "../access/index.ts";
import { seedOffersDemo } from "./demo.ts";
import { membersAreaResource } from "./members-area.tsx";

/** `npm run demo` data: seedDemo ends with the offers demo (tiers, PWYW download, tips, every order/subscription state). */
let app: TestApp;

before(async () => {
  app = await startTestApp({ skipSetup: true });
});
after(async () => {
  await app.stop();
});

test("seedDemo seeds offers, orders and subscriptions in every state, once", async () => {
  const seeded = await seedDemo(app.db, { members: 60, now: new Date() });
  assert.ok(seeded.offers, "offers result reported");
  assert.equal(seeded.offers.offers, 5);
  assert.ok(seeded.offers.payingMemberId);
  const offers = await app.db.selectFrom("offers").selectAll().execute();
  assert.deepEqual(new Set(offers.map((o) => o.kind)), new Set(["tier", "product", "tip"]));
  const prices = await app.db.selectFrom("prices").selectAll().execute();
  assert.ok(
    prices.some((p) => p.interval === "month") && prices.some((p) => p.interval === "year"),
    "monthly and yearly",
  );
  assert.ok(
    prices.some((p) => p.pay_what_you_want === 1 && p.min_amount > 0),
    "a pay-what-you-want price with a minimum",
  );
  const subs = await app.db.selectFrom("subscriptions").selectAll().execute();
  for (const status of ["active", "trialing", "past_due", "canceled"])
    assert.ok(
      subs.some((s) => s.status === status),
      `a ${status} subscription`,
    );
  assert.ok(
    subs.some((s) => s.cancel_at_period_end === 1 && s.status === "active"),
    "a cancelling subscription",
  );
  const orders = await app.db.selectFrom("orders").selectAll().execute();
  for (const kind of ["purchase", "gift", "subscription_invoice"])
    assert.ok(
      orders.some((o) => o.kind === kind),
      `a ${kind} order`,
    );
  assert.ok(
    orders.some((o) => o.status === "refunded"),
    "a refunded order",
  );
  const now = new Date().toISOString();
  assert.deepEqual(
    orders.filter((o) => (o.paid_at ?? "") > now),
    [],
    "no payment in the future",
  );
  assert.equal(
    await canAccess(app.db, { kind: "member", memberId: seeded.offers.payingMemberId }, membersAreaResource),
    true,
  );
  // Re-seeding adds nothing and still names a paying member (benchmarks rely on it).
  // (The demo's courses and coaching add their own offers beside the five of the offers demo.)
  const offersBefore = (await app.db.selectFrom("offers").select("id").execute()).length;
  assert.ok(offersBefore >= 5);
  const again = await seedOffersDemo(app.db);
  assert.equal(again.offers, 0);
  assert.ok(again.payingMemberId);
  assert.equal(await canAccess(app.db, { kind: "member", memberId: again.payingMemberId }, membersAreaResource), true);
  assert.equal((await app.db.selectFrom("offers").select("id").execute()).length, offersBefore);
});

test("the demo's pricing page and sales page render (screenshots at 390 and 1280 px)", async () => {
  const owner = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("role", "=", "owner")
    .executeTakeFirstOrThrow();
  const s = await createSession(app.db, "staff", owner.id);
  const browser = await launchBrowser();
  try {
    for (const width of [390, 1280]) {
      const p = await newPage(browser, { locale: "fr", width });
      try {
        await p.page.goto(`${app.url}/pricing`);
        const pricing = (await p.page.textContent("main")) ?? "";
        for (const name of ["Le cercle", "L’atelier+", "Carnet d’émaillage", "Un café pour l’atelier", "Prix libre"])
          assert.ok(pricing.includes(name), name);
        await screenshot(p.page, `offers-demo-pricing-${width}`);
        await p.page.context().addCookies([{ name: "atl_s", value: s.token, url: app.url }]);
        await p.page.goto(`${app.url}/admin/sales`);
        const sales = (await p.page.textContent("main")) ?? "";
        assert.match(sales, /€/);
        assert.match(sales, /Le cercle/);
        await screenshot(p.page, `offers-demo-sales-${width}`);
        assert.deepEqual(p.errors.messages, []);
      } finally {
        await p.close();
      }
    }
  } finally {
    await browser.close();
  }
});
