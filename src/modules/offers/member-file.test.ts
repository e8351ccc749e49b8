import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { bulkInsertMembers, memberRow, ownerClient, parseCsv } from "../members/testing.ts";
import { newId } from "../../platform/ids.ts";
import { buyThroughDev, memberClient, testOffer, type TestOffer } from "./testing.ts";

/** The owner's member file and list: who pays what, from real purchases through the dev checkout. */
let app: TestApp;
let owner: TestClient;
let cercle: TestOffer;
let guide: TestOffer;
const ids = { nina: "", paul: "", zoe: "" };

before(async () => {
  app = await startTestApp();
  cercle = await testOffer(app, { slug: "cercle", name: "Le Cercle", kind: "tier", amount: 500 });
  guide = await testOffer(app, { slug: "guide", name: "Guide de l’émail", kind: "product", amount: 1200 });
  ids.nina = await buyThroughDev(app, app.client(), cercle, "nina@example.org");
  ids.paul = await buyThroughDev(app, app.client(), guide, "paul@example.org");
  // Paul buys a second time: his total is both purchases.
  await buyThroughDev(app, app.client(), guide, "paul@example.org");
  ids.zoe = await buyThroughDev(app, app.client(), cercle, "zoe@example.org");
  // Zoé cancels, with a reason (ends at the end of the period).
  const zoe = await memberClient(app, ids.zoe);
  const sub = await app.db
    .selectFrom("subscriptions")
    .select("id")
    .where("member_id", "=", ids.zoe)
    .executeTakeFirstOrThrow();
  const res = await zoe.post(`/account/subscriptions/${sub.id}/cancel`, { reason: "Trop cher en ce moment" });
  assert.equal(res.status, 303);
  await app.drainJobs();
  owner = await ownerClient(app, "fr");
});
after(() => app.stop());

test("a member's page shows subscriptions, purchases with links to each order, access with its source, and the total", async () => {
  const res = await owner.get(`/admin/members/${ids.nina}`);
  assert.equal(res.status, 200);
  const money = res.text.slice(res.text.indexOf('id="money"'), res.text.indexOf('id="timeline"'));
  assert.match(money, /Le Cercle/);
  assert.match(money, /5,00\s€\s\/ mois/);
  assert.match(money, /actif/);
  assert.match(money, /se renouvelle le/);
  assert.match(money, /data-revenue="true">5,00\s€</);
  assert.match(money, /Abonné·e/);
  // The access row names its source in words.
  assert.match(money, /data-entitlement="subscription"/);
  assert.match(money, />abonnement</);
  // The timeline reads in words, with the amount.
  assert.match(res.text, /A pris l’adhésion Le Cercle · 5,00\s€ \/ mois/);
  // Where she came from, in words (never "checkout").
  assert.match(res.text, /Achat sur le site/);
  assert.doesNotMatch(res.text, />checkout</);

  const paul = await owner.get(`/admin/members/${ids.paul}`);
  const orderLinks = [...paul.text.matchAll(/href="(\/admin\/orders\/[0-9a-f-]+)"/g)].map((m) => m[1]!);
  assert.equal(new Set(orderLinks).size, 2);
  assert.match(paul.text, /data-revenue="true">24,00\s€</);
  assert.match(paul.text, /A déjà payé/);
  const order = await owner.get(orderLinks[0]!);
  assert.equal(order.status, 200);
  assert.match(order.text, /Guide de l’émail/);
  assert.match(order.text, /data-paid="true">12,00\s€</);
  assert.match(order.text, /paul@example\.org/);
  assert.match(order.text, /Commande [0-9A-F-]{12}/);
});

test("a cancelled subscription shows its end date and the reason given", async () => {
  const res = await owner.get(`/admin/members/${ids.zoe}`);
  assert.match(res.text, /se termine le/);
  assert.match(res.text, /<q>Trop cher en ce moment<\/q>/);
  assert.match(res.text, /Résiliation demandée : Le Cercle · « Trop cher en ce moment »/);
});

test("an order page answers 404 for an unknown or malformed id, and only to staff", async () => {
  assert.equal((await owner.get("/admin/orders/0190a000-0000-7000-8000-000000000999")).status, 404);
  assert.equal((await owner.get("/admin/orders/nope")).status, 404);
  const paulOrder = await app.db
    .selectFrom("orders")
    .select("id")
    .where("member_id", "=", ids.paul)
    .executeTakeFirstOrThrow();
  const stranger = await memberClient(app, ids.nina);
  const res = await stranger.get(`/admin/orders/${paulOrder.id}`);
  assert.notEqual(res.status, 200);
  assert.doesNotMatch(res.text, /paul@example\.org/);
});

test("the list shows tier, paying status and total, filters on each and sorts by what members paid", async () => {
  const list = await owner.get("/admin/members");
  assert.equal(list.status, 200);
  assert.match(list.text, /Total payé/);
  const rowOf = (html: string, email: string) => {
    const i = html.indexOf(email);
    return html.slice(i, html.indexOf("</tr>", i));
  };
  assert.match(rowOf(list.text, "nina@example.org"), /data-tier="true">Le Cercle/);
  assert.match(rowOf(list.text, "nina@example.org"), /data-paying="paying"/);
  assert.match(rowOf(list.text, "paul@example.org"), /data-paying="customer"/);
  assert.match(rowOf(list.text, "paul@example.org"), /data-revenue="2400"/);

  const emails = (html: string) => [...html.matchAll(/class="m-email"[^>]*>([^<]+)</g)].map((m) => m[1]);
  const byTier = await owner.get(`/admin/members?tier=${cercle.id}`);
  assert.deepEqual(emails(byTier.text).sort(), ["nina@example.org", "zoe@example.org"]);
  const customers = await owner.get("/admin/members?paying=customer");
  assert.deepEqual(emails(customers.text), ["paul@example.org"]);
  const rich = await owner.get("/admin/members?revenue=10");
  assert.deepEqual(emails(rich.text), ["paul@example.org"]);
  const sorted = await owner.get("/admin/members?sort=revenue");
  assert.equal(emails(sorted.text)[0], "paul@example.org");
  // A bad amount or tier is reported beside its field, and ignored.
  const bad = await owner.get("/admin/members?revenue=douze&tier=xyz");
  assert.equal(bad.status, 200);
  assert.match(bad.text, /Montant non valide/);
  assert.equal(emails(bad.text).length, 3);
});

test("the CSV export carries tier, paying status and total, with headers in the creator's language", async () => {
  const res = await owner.get("/admin/members/export.csv?sort=revenue");
  assert.equal(res.status, 200);
  const rows = parseCsv(res.text);
  const header = rows[0]!;
  assert.ok(header.includes("Formule"));
  assert.ok(header.includes("Paiement"));
  assert.ok(header.includes("Total payé (EUR)"));
  assert.ok(header.includes("E-mail"));
  const col = (name: string) => header.indexOf(name);
  const paul = rows.find((r) => r[col("E-mail")] === "paul@example.org")!;
  assert.equal(paul[col("Total payé (EUR)")], "24.00");
  assert.equal(paul[col("Paiement")], "A déjà payé");
  const nina = rows.find((r) => r[col("E-mail")] === "nina@example.org")!;
  assert.equal(nina[col("Formule")], "Le Cercle");
  assert.equal(nina[col("Origine")], "Achat sur le site");
  // Sorted by what they paid: Paul first.
  assert.equal(rows[1]![col("E-mail")], "paul@example.org");
});

test("paging by revenue walks every member once", async () => {
  // 60 members who never paid: the list needs two pages, the ties at 0 page by id.
  await bulkInsertMembers(
    app.db,
    Array.from({ length: 60 }, (_, i) => memberRow({ id: newId(), email: `free${i}@example.org` })),
  );
  const seen: string[] = [];
  let path: string | null = "/admin/members?sort=revenue";
  // Members with equal totals page by id; the cursor carries the amount.
  for (let i = 0; path && i < 10; i++) {
    const res = await owner.get(path);
    seen.push(...[...res.text.matchAll(/class="m-email"[^>]*>([^<]+)</g)].map((m) => m[1]!));
    const next = /href="(\/admin\/members\?[^"]+)" rel="next"/.exec(res.text);
    path = next ? next[1]!.replace(/&amp;/g, "&") : null;
  }
  assert.equal(new Set(seen).size, seen.length);
  assert.equal(seen.length, 63);
  assert.deepEqual(seen.slice(0, 3).sort(), ["nina@example.org", "paul@example.org", "zoe@example.org"]);
  assert.equal(seen[0], "paul@example.org");
});
