import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { createMember } from "../members/index.ts";
import { canAccess } from "../access/index.ts";

/** The creator's admin: offers, prices, publish, files, codes, complimentary access, refund through the provider. */
let app: TestApp;
let owner: TestClient;

before(async () => {
  app = await startTestApp();
  const staff = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  const s = await createSession(app.db, "staff", staff.id);
  owner = app.client();
  owner.cookies.set("atl_s", s.token);
});

after(async () => {
  await app.stop();
});

test("the owner creates an offer, adds prices, uploads a file and publishes it", async () => {
  await owner.get("/admin/offers");
  const bad = await owner.post("/admin/offers", { name: "X", slug: "Pas Bon!", kind: "tier" });
  assert.equal(bad.status, 422);
  const created = await owner.post("/admin/offers", { name: "Le grand cercle", slug: "grand-cercle", kind: "tier" });
  assert.equal(created.status, 303);
  const path = created.location!;
  await owner.get(path);
  assert.equal(
    (await owner.post(`${path}/prices`, { kind: "month", amount: "7,50", currency: "EUR", trial_days: "7" })).status,
    303,
  );
  assert.equal(
    (await owner.post(`${path}/prices`, { kind: "one_off", amount: "-3", currency: "EUR", trial_days: "0" })).status,
    422,
  );
  assert.equal(
    (await owner.post(`${path}/prices`, { kind: "one_off", amount: "5", currency: "ZZZ", trial_days: "0" })).status,
    422,
  );
  const id = path.split("/").pop()!;
  const prices = await app.db.selectFrom("prices").selectAll().where("offer_id", "=", id).execute();
  assert.equal(prices.length, 1);
  assert.equal(prices[0]!.amount, 750);
  assert.equal(prices[0]!.trial_days, 7);
  // File upload (multipart, with the CSRF field).
  const form = new FormData();
  form.append("_csrf", owner.csrf);
  form.append("file", new Blob([new TextEncoder().encode("hello")], { type: "text/plain" }), "notes.txt");
  const up = await owner.request("POST", `/admin/offer-upload?offer=${id}`, { body: form });
  assert.equal(up.status, 303, up.text.slice(0, 300));
  assert.equal(
    (await app.db.selectFrom("offer_files").select("name").where("offer_id", "=", id).execute())[0]?.name,
    "notes.txt",
  );
  assert.equal((await app.client().get("/offers/grand-cercle")).status, 404, "a draft is not public");
  await owner.get(path);
  assert.equal((await owner.post(`${path}/status`, { status: "published" })).status, 303);
  const pub = await app.client().get("/offers/grand-cercle");
  assert.equal(pub.status, 200);
  assert.match(pub.text, /7,50/);
});

test("complimentary access from the admin, revocable; discount codes validated", async () => {
  const m = await createMember(
    app.db,
    { email: "comp@example.org", locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  const offer = await app.db
    .selectFrom("offers")
    .select("id")
    .where("slug", "=", "grand-cercle")
    .executeTakeFirstOrThrow();
  await owner.get(`/admin/members/${m.id}/access`);
  assert.equal(
    (await owner.post(`/admin/members/${m.id}/access`, { offer: offer.id, ends: "", note: "Partenaire" })).status,
    303,
  );
  const viewer = { kind: "member" as const, memberId: m.id };
  assert.equal(await canAccess(app.db, viewer, { kind: "page", id: "p", audience: "paid" }), true);
  const ent = await app.db
    .selectFrom("entitlements")
    .select("id")
    .where("member_id", "=", m.id)
    .executeTakeFirstOrThrow();
  await owner.get(`/admin/members/${m.id}/access`);
  assert.equal((await owner.post(`/admin/members/${m.id}/access/${ent.id}/revoke`, {})).status, 303);
  assert.equal(await canAccess(app.db, viewer, { kind: "page", id: "p", audience: "paid" }), false);
  await owner.get("/admin/discounts");
  assert.equal(
    (await owner.post("/admin/discounts", { code: "PRINTEMPS", kind: "percent", value: "150", currency: "EUR" }))
      .status,
    422,
  );
  assert.equal(
    (
      await owner.post("/admin/discounts", {
        code: "PRINTEMPS",
        kind: "percent",
        value: "15",
        currency: "EUR",
        max: "10",
        ends: "2099-01-01",
      })
    ).status,
    303,
  );
  const code = await app.db
    .selectFrom("discount_codes")
    .selectAll()
    .where("code", "=", "PRINTEMPS")
    .executeTakeFirstOrThrow();
  assert.equal(code.max_redemptions, 10);
});

test("refund from the admin goes through the provider and closes access", async () => {
  const buyer = app.client();
  await buyer.get("/offers/grand-cercle");
  const offer = await app.db
    .selectFrom("offers")
    .select("id")
    .where("slug", "=", "grand-cercle")
    .executeTakeFirstOrThrow();
  await owner.get(`/admin/offers/${offer.id}`);
  await owner.post(`/admin/offers/${offer.id}/prices`, {
    kind: "one_off",
    amount: "40",
    currency: "EUR",
    trial_days: "0",
  });
  const price = await app.db
    .selectFrom("prices")
    .select("id")
    .where("offer_id", "=", offer.id)
    .where("kind", "=", "one_off")
    .executeTakeFirstOrThrow();
  const start = await buyer.post("/checkout", { offer: offer.id, price: price.id, email: "refund@example.org" });
  const co = new URL(start.location!).pathname;
  await buyer.get(co);
  await buyer.post(co, { action: "pay" });
  const order = await app.db
    .selectFrom("orders")
    .selectAll()
    .where("email", "=", "refund@example.org")
    .executeTakeFirstOrThrow();
  assert.equal(order.status, "paid");
  const sales = await owner.get("/admin/sales");
  assert.match(sales.text, /refund@example.org/);
  assert.equal((await owner.post(`/admin/orders/${order.id}/refund`, {})).status, 303);
  assert.equal(
    (await app.db.selectFrom("orders").select("status").where("id", "=", order.id).executeTakeFirstOrThrow()).status,
    "refunded",
  );
  assert.equal(
    await canAccess(
      app.db,
      { kind: "member", memberId: order.member_id! },
      { kind: "page", id: "p", audience: { offers: [offer.id] } },
    ),
    false,
  );
});
