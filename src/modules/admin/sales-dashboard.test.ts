import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { ownerClient } from "../members/testing.ts";
import { salesFigures } from "../offers/index.ts";
import { buyThroughDev, memberClient, testOffer } from "../offers/testing.ts";

/** The dashboard's money: revenue this month, MRR, new paying members, cancellations, and the chart per month. */
let app: TestApp;

before(async () => {
  app = await startTestApp();
  const cercle = await testOffer(app, { slug: "cercle", name: "Le Cercle", kind: "tier", amount: 500 });
  const annual = await testOffer(app, {
    slug: "annuel",
    name: "Le Cercle à l’année",
    kind: "tier",
    amount: 6000,
    interval: "year",
  });
  const guide = await testOffer(app, { slug: "guide", name: "Guide", kind: "product", amount: 1200 });
  await buyThroughDev(app, app.client(), cercle, "nina@example.org");
  await buyThroughDev(app, app.client(), guide, "paul@example.org");
  const zoe = await buyThroughDev(app, app.client(), annual, "zoe@example.org");
  const sub = await app.db
    .selectFrom("subscriptions")
    .select("id")
    .where("member_id", "=", zoe)
    .executeTakeFirstOrThrow();
  const client = await memberClient(app, zoe);
  assert.equal((await client.post(`/account/subscriptions/${sub.id}/cancel`, { reason: "" })).status, 303);
  await app.drainJobs();
});
after(() => app.stop());

function stat(html: string, key: string): string {
  const m = new RegExp(`data-stat="${key}"><div class="value">([^<]*)<`).exec(html);
  return (m?.[1] ?? "").replace(/\s/g, " ");
}

test("the dashboard shows this month's revenue, MRR, new paying members and cancellations", async () => {
  const owner = await ownerClient(app, "fr");
  const res = await owner.get("/admin");
  assert.equal(res.status, 200);
  // 5 € + 12 € + 60 € received this month.
  assert.equal(stat(res.text, "revenue"), "77,00 €");
  // MRR: 5 € a month, and the yearly 60 € counted as 5 € a month (still live until its period ends).
  assert.equal(stat(res.text, "mrr"), "10,00 €");
  assert.equal(stat(res.text, "newPaying"), "3");
  assert.equal(stat(res.text, "cancellations"), "1");
  // The chart is an accessible image whose description lists every month, this one last with its amount.
  const chart = res.text.slice(res.text.indexOf('data-chart="revenue-chart"'));
  assert.match(chart, /role="img"/);
  assert.match(chart, /<desc id="revenue-chart-d">[^<]*: 77,00\s€<\/desc>/);
  assert.equal((chart.slice(0, chart.indexOf("</svg>")).match(/<rect class="bar/g) ?? []).length, 12);
});

test("months are the site's calendar months, in its time zone", async () => {
  // 30 November 23:30 UTC is already December in Paris, still November in New York.
  const at = new Date("2026-12-15T12:00:00Z");
  await app.db
    .updateTable("orders")
    .set({ paid_at: "2026-11-30T23:30:00.000Z" })
    .where("email", "=", "paul@example.org")
    .execute();
  const paris = await salesFigures(app.db, { now: at, timeZone: "Europe/Paris", currency: "EUR" });
  const ny = await salesFigures(app.db, { now: at, timeZone: "America/New_York", currency: "EUR" });
  assert.equal(paris.months.at(-1)!.start, "2026-12-01");
  assert.equal(paris.revenueThisMonth - ny.revenueThisMonth, 1200);
  assert.equal(ny.months.at(-2)!.amount - paris.months.at(-2)!.amount, 1200);
});

test("cancellations are counted exactly: once, in the site-zone month they were asked for, resumed ones not", async () => {
  const at = new Date();
  const now = await salesFigures(app.db, { now: at, timeZone: "Europe/Paris", currency: "EUR" });
  assert.equal(now.cancellationsThisMonth, 1);
  const sub = await app.db
    .selectFrom("subscriptions")
    .select(["id", "cancel_requested_at"])
    .where("cancel_at_period_end", "=", 1)
    .executeTakeFirstOrThrow();
  assert.ok(sub.cancel_requested_at, "the cancellation time is recorded");
  // A later change to the subscription (a renewal, a card update) does not move it into another month.
  await app.db
    .updateTable("subscriptions")
    .set({ updated_at: "2030-01-01T00:00:00.000Z" })
    .where("id", "=", sub.id)
    .execute();
  assert.equal(
    (await salesFigures(app.db, { now: at, timeZone: "Europe/Paris", currency: "EUR" })).cancellationsThisMonth,
    1,
  );
  // Asked for last month: not this month's.
  await app.db
    .updateTable("subscriptions")
    .set({ cancel_requested_at: new Date(at.getTime() - 40 * 86_400_000).toISOString() })
    .where("id", "=", sub.id)
    .execute();
  assert.equal(
    (await salesFigures(app.db, { now: at, timeZone: "Europe/Paris", currency: "EUR" })).cancellationsThisMonth,
    0,
  );
  await app.db
    .updateTable("subscriptions")
    .set({ cancel_requested_at: sub.cancel_requested_at })
    .where("id", "=", sub.id)
    .execute();
});
