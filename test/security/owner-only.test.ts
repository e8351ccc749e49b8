import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, type TestApp } from "../support/app.ts";
import type { TestClient } from "../support/client.ts";
import { createSession } from "../../src/platform/security/sessions.ts";
import { createStaffUser } from "../../src/modules/staff/index.ts";
import { createMember } from "../../src/modules/members/index.ts";
import { createOffer, addPrice } from "../../src/modules/offers/index.ts";

/**
 * Only the owner refunds, cancels subscriptions, changes payment or mail
 * settings, exports members or erases one: an assistant gets a translated
 * 403 on each and nothing changes; the owner's same request goes through.
 */
let app: TestApp;
let owner: TestClient;
let assistant: TestClient;
const ownerOnlyFr = "Seule la personne propriétaire du site peut faire cela.";

async function staffClient(staffId: string): Promise<TestClient> {
  const s = await createSession(app.db, "staff", staffId);
  const client = app.client();
  client.cookies.set("atl_s", s.token);
  await client.get("/admin");
  return client;
}

before(async () => {
  app = await startTestApp();
  const o = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  owner = await staffClient(o.id);
  const a = await createStaffUser(app.db, {
    email: "assistant@atelier.test",
    password: "another horse battery",
    name: "Camille",
    locale: "fr",
    role: "assistant",
  });
  assistant = await staffClient(a.id);
});

after(async () => {
  await app.stop();
});

function assertOwnerOnly(res: { status: number; text: string }, what: string): void {
  const message = ownerOnlyFr;
  assert.equal(res.status, 403, `${what}: ${res.status}`);
  assert.ok(
    res.text.includes(message.replace(/’/g, "&#39;")) || res.text.includes(message),
    `${what}: translated message`,
  );
}

async function paidOrder(): Promise<{ orderId: string; memberId: string }> {
  const offer = await createOffer(app.db, {
    name: "Guide",
    slug: `guide-${Date.now()}`,
    kind: "product",
    status: "published",
  });
  const price = await addPrice(app.db, offer.id, { kind: "one_off", amount: 1200, currency: "EUR" });
  const buyer = app.client();
  await buyer.get(`/offers/${offer.slug}`);
  const start = await buyer.post("/checkout", {
    offer: offer.id,
    price: price.id,
    email: `buyer-${offer.id}@example.org`,
  });
  const co = new URL(start.location!).pathname;
  await buyer.get(co);
  await buyer.post(co, { action: "pay" });
  const order = await app.db
    .selectFrom("orders")
    .selectAll()
    .where("offer_id", "=", offer.id)
    .executeTakeFirstOrThrow();
  assert.equal(order.status, "paid");
  return { orderId: order.id, memberId: order.member_id! };
}

test("refund: an assistant gets 403 and the order stays paid; the owner refunds", async () => {
  const { orderId } = await paidOrder();
  await assistant.get("/admin/sales");
  assertOwnerOnly(await assistant.post(`/admin/orders/${orderId}/refund`, {}), "refund");
  const status = async () =>
    (await app.db.selectFrom("orders").select("status").where("id", "=", orderId).executeTakeFirstOrThrow()).status;
  assert.equal(await status(), "paid");
  await owner.get("/admin/sales");
  assert.equal((await owner.post(`/admin/orders/${orderId}/refund`, {})).status, 303);
  assert.equal(await status(), "refunded");
});

test("cancelling a subscription: owner only", async () => {
  const offer = await createOffer(app.db, { name: "Cercle", slug: "cercle-roles", kind: "tier", status: "published" });
  const price = await addPrice(app.db, offer.id, {
    kind: "recurring",
    interval: "month",
    amount: 500,
    currency: "EUR",
  });
  const buyer = app.client();
  await buyer.get("/offers/cercle-roles");
  const start = await buyer.post("/checkout", { offer: offer.id, price: price.id, email: "sub-roles@example.org" });
  const co = new URL(start.location!).pathname;
  await buyer.get(co);
  await buyer.post(co, { action: "pay" });
  const sub = await app.db
    .selectFrom("subscriptions")
    .selectAll()
    .where("offer_id", "=", offer.id)
    .executeTakeFirstOrThrow();
  await assistant.get("/admin/sales");
  assertOwnerOnly(await assistant.post(`/admin/subscriptions/${sub.id}/cancel`, { when: "now" }), "cancel");
  const after1 = await app.db
    .selectFrom("subscriptions")
    .selectAll()
    .where("id", "=", sub.id)
    .executeTakeFirstOrThrow();
  assert.equal(after1.status, sub.status);
  await owner.get("/admin/sales");
  assert.equal((await owner.post(`/admin/subscriptions/${sub.id}/cancel`, { when: "now" })).status, 303);
  const after2 = await app.db
    .selectFrom("subscriptions")
    .selectAll()
    .where("id", "=", sub.id)
    .executeTakeFirstOrThrow();
  assert.equal(after2.status, "canceled");
});

test("payment settings (Stripe Tax): owner only", async () => {
  await assistant.get("/admin/offers");
  assertOwnerOnly(await assistant.post("/admin/offer-settings", { automatic_tax: "on" }), "tax");
  const tax = await app.db.selectFrom("settings").select("value").where("key", "like", "%tax%").execute();
  assert.ok(
    tax.every((r) => r.value !== "true"),
    "not switched on",
  );
  await owner.get("/admin/offers");
  assert.equal((await owner.post("/admin/offer-settings", { automatic_tax: "on" })).status, 303);
});

test("mail settings (newsletter tracking) and site settings: owner only", async () => {
  await assistant.get("/admin/newsletters");
  assertOwnerOnly(await assistant.post("/admin/newsletters/tracking", { tracking: "on" }), "tracking");
  await owner.get("/admin/newsletters");
  assert.equal((await owner.post("/admin/newsletters/tracking", { tracking: "on" })).status, 303);
  await assistant.get("/admin/newsletters");
  const site = await assistant.post("/admin/settings", { title: "Pris" });
  assert.equal(site.status, 403);
});

test("exporting members and erasing one: owner only", async () => {
  const m = await createMember(
    app.db,
    { email: "erase-roles@example.org", locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  assertOwnerOnly(await assistant.get("/admin/members/export.csv"), "export");
  assertOwnerOnly(await assistant.get(`/admin/members/${m.id}/delete`), "delete page");
  await assistant.get(`/admin/members/${m.id}`);
  assertOwnerOnly(await assistant.post(`/admin/members/${m.id}/delete`, {}), "erase");
  assert.ok(await app.db.selectFrom("members").select("id").where("id", "=", m.id).executeTakeFirst(), "still there");
  const csv = await owner.get("/admin/members/export.csv");
  assert.equal(csv.status, 200);
  assert.match(csv.text, /erase-roles@example\.org/);
  await owner.get(`/admin/members/${m.id}/delete`);
  assert.equal((await owner.post(`/admin/members/${m.id}/delete`, {})).status, 303);
  assert.equal(await app.db.selectFrom("members").select("id").where("id", "=", m.id).executeTakeFirst(), undefined);
});

test("an assistant still does the daily work: creates an offer, gives access", async () => {
  await assistant.get("/admin/offers");
  const created = await assistant.post("/admin/offers", { name: "Atelier du jeudi", slug: "", kind: "tier" });
  assert.equal(created.status, 303);
  const offer = await app.db
    .selectFrom("offers")
    .selectAll()
    .where("slug", "=", "atelier-du-jeudi")
    .executeTakeFirstOrThrow();
  const m = await createMember(
    app.db,
    { email: "gift-roles@example.org", locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  await assistant.get(`/admin/members/${m.id}/access`);
  assert.equal((await assistant.post(`/admin/members/${m.id}/access`, { offer: offer.id })).status, 303);
});
