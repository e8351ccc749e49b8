import { test, before, after } from "node:test";
import { waitFor } from "../../../test/support/raw-http.ts";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { startStripeStub, type StripeStub } from "../../../test/support/stripe-stub.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { nowIso } from "../../platform/ids.ts";
import { STRIPE_SYNC_JOB } from "./stripe-sync.ts";

/**
 * Stripe price sync through the job queue, against the real SDK and the local Stripe stub:
 * saving/publishing enqueues (deduplicated), the job stores the product and price ids, checkout
 * of a fixed price uses the synced price, an outage never blocks the admin and shows on the jobs
 * page, and the Stripe Tax switch reaches Checkout as automatic_tax[enabled]=true.
 */
let app: TestApp;
let stub: StripeStub;
let owner: TestClient;
let offerId = "";

before(async () => {
  stub = await startStripeStub();
  app = await startTestApp({ env: stub.env() });
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
  await stub.stop();
});

const syncJobs = () =>
  app.db.selectFrom("jobs").selectAll().where("type", "=", STRIPE_SYNC_JOB).orderBy("created_at").execute();
const postsTo = (path: string) => stub.requests.filter((r) => r.method === "POST" && r.path.startsWith(path));

test("publishing an offer with prices syncs its product and prices to Stripe through a job", async () => {
  await owner.get("/admin/offers");
  const created = await owner.post("/admin/offers", { name: "Le cercle", slug: "cercle", kind: "tier" });
  assert.equal(created.status, 303);
  offerId = created.location!.split("/").pop()!;
  assert.equal((await syncJobs()).length, 0, "a draft without prices has nothing to sync");
  await owner.get(`/admin/offers/${offerId}`);
  assert.equal(
    (
      await owner.post(`/admin/offers/${offerId}/prices`, {
        kind: "month",
        amount: "7,50",
        currency: "EUR",
        trial_days: "0",
      })
    ).status,
    303,
  );
  assert.equal(
    (
      await owner.post(`/admin/offers/${offerId}/prices`, {
        kind: "year",
        amount: "75",
        currency: "EUR",
        trial_days: "0",
      })
    ).status,
    303,
  );
  // Pay-what-you-want prices are never synced (the amount is chosen at checkout).
  assert.equal(
    (
      await owner.post(`/admin/offers/${offerId}/prices`, {
        kind: "one_off",
        amount: "5",
        currency: "EUR",
        trial_days: "0",
        pwyw: "on",
        min_amount: "2",
        suggested_amount: "5",
      })
    ).status,
    303,
  );
  assert.equal((await owner.post(`/admin/offers/${offerId}/status`, { status: "published" })).status, 303);
  assert.ok((await syncJobs()).length >= 1, "a sync job was enqueued");
  await app.drainJobs();

  const offer = await app.db.selectFrom("offers").selectAll().where("id", "=", offerId).executeTakeFirstOrThrow();
  assert.equal(offer.provider_product_id, `atelier_${offerId}`);
  const product = stub.products.get(offer.provider_product_id!)!;
  assert.equal(product.name, "Le cercle");
  assert.equal(product.active, true);
  const prices = await app.db.selectFrom("prices").selectAll().where("offer_id", "=", offerId).execute();
  for (const p of prices.filter((x) => !x.pay_what_you_want)) {
    assert.ok(p.provider_price_id, `price ${p.amount} synced`);
    const sp = stub.prices.get(p.provider_price_id!)!;
    assert.equal(sp.unit_amount, p.amount);
    assert.equal((sp.recurring as { interval: string }).interval, p.interval);
    assert.equal((sp.metadata as Record<string, string>).atelier_price_id, p.id);
  }
  assert.equal(prices.find((x) => x.pay_what_you_want)!.provider_price_id, null);
  for (const r of stub.requests.filter((x) => x.method === "POST"))
    assert.ok(r.idempotencyKey, `Idempotency-Key on ${r.path}`);
  assert.ok((await syncJobs()).every((j) => j.state === "done"));

  // Saving again with nothing changed enqueues nothing new (same dedupe key).
  const before = (await syncJobs()).length;
  await owner.get(`/admin/offers/${offerId}`);
  await owner.post(`/admin/offers/${offerId}/status`, { status: "published" });
  assert.equal((await syncJobs()).length, before);
  const page = await owner.get(`/admin/offers/${offerId}`);
  assert.match(page.text, /synchronisés avec Stripe/);

  // Disabling a price deactivates it in Stripe; enabling it again reactivates the same price.
  const yearly = await app.db
    .selectFrom("prices")
    .selectAll()
    .where("offer_id", "=", offerId)
    .where("interval", "=", "year")
    .executeTakeFirstOrThrow();
  await owner.post(`/admin/offers/${offerId}/prices/${yearly.id}/toggle`, {});
  await app.drainJobs();
  assert.equal(stub.prices.get(yearly.provider_price_id!)!.active, false, "disabled price inactive in Stripe");
  await owner.post(`/admin/offers/${offerId}/prices/${yearly.id}/toggle`, {});
  await app.drainJobs();
  assert.equal(stub.prices.get(yearly.provider_price_id!)!.active, true, "enabled again");
  const again = await app.db
    .selectFrom("prices")
    .select("provider_price_id")
    .where("id", "=", yearly.id)
    .executeTakeFirstOrThrow();
  assert.equal(again.provider_price_id, yearly.provider_price_id);
});

test("checkout of a fixed price uses the synced Stripe price; the Stripe Tax switch sends automatic_tax", async () => {
  const monthly = await app.db
    .selectFrom("prices")
    .selectAll()
    .where("offer_id", "=", offerId)
    .where("interval", "=", "month")
    .executeTakeFirstOrThrow();
  const buyer = app.client();
  await buyer.get("/offers/cercle");
  const start = await buyer.post("/checkout", { offer: offerId, price: monthly.id, email: "lea@example.org" });
  assert.equal(start.status, 303, start.text.slice(0, 300));
  const create = postsTo("/v1/checkout/sessions").at(-1)!;
  const item = (create.params.line_items as Array<Record<string, unknown>>)[0]!;
  assert.equal(item.price, monthly.provider_price_id, "the synced price, not inline price_data");
  assert.equal(item.price_data, undefined);
  assert.equal(
    (create.params.automatic_tax as Record<string, string> | undefined)?.enabled,
    undefined,
    "tax off by default",
  );

  await owner.get("/admin/offers");
  assert.equal((await owner.post("/admin/offer-settings", { automatic_tax: "on" })).status, 303);
  const list = await owner.get("/admin/offers");
  assert.match(list.text, /name="automatic_tax" checked/);
  await buyer.get("/offers/cercle");
  await buyer.post("/checkout", { offer: offerId, price: monthly.id, email: "tom@example.org" });
  const taxed = postsTo("/v1/checkout/sessions").at(-1)!;
  assert.equal((taxed.params.automatic_tax as Record<string, string>).enabled, "true");
  assert.equal(taxed.params.billing_address_collection, "required");
  assert.equal(
    (stub.sessions.get([...stub.sessions.keys()].at(-1)!)!.automatic_tax as { enabled: boolean }).enabled,
    true,
  );

  await owner.get("/admin/offers");
  await owner.post("/admin/offer-settings", {});
  await buyer.get("/offers/cercle");
  await buyer.post("/checkout", { offer: offerId, price: monthly.id, email: "zoe@example.org" });
  assert.equal(
    (postsTo("/v1/checkout/sessions").at(-1)!.params.automatic_tax as Record<string, string> | undefined)?.enabled,
    undefined,
    "switched off again",
  );
});

test("a Stripe outage never blocks the admin: the job fails visibly, then catches up", async () => {
  await stub.stop();
  const t0 = Date.now();
  await owner.get(`/admin/offers/${offerId}`);
  const saved = await owner.post(`/admin/offers/${offerId}`, {
    name: "Le cercle des amis",
    slug: "cercle",
    kind: "tier",
    summary: "",
    description: "",
    position: "0",
  });
  assert.equal(saved.status, 303, "saved at once");
  assert.ok(Date.now() - t0 < 3000, "the admin did not wait for Stripe");
  await owner.get(`/admin/offers/${offerId}`);
  assert.equal(
    (
      await owner.post(`/admin/offers/${offerId}/prices`, {
        kind: "month",
        amount: "9",
        currency: "EUR",
        trial_days: "0",
      })
    ).status,
    303,
  );
  await app.drainJobs();
  const failed = (await syncJobs()).filter((j) => j.state !== "done");
  assert.ok(failed.length >= 1, "a sync is still to do");
  assert.ok(
    failed.every((j) => j.last_error && j.attempts >= 1),
    "its error is stored",
  );
  const jobsPage = await owner.get("/admin/jobs");
  assert.match(jobsPage.text, new RegExp(STRIPE_SYNC_JOB.replace(".", "\\.")));
  assert.ok(
    jobsPage.text.includes(
      failed[0]!
        .last_error!.slice(0, 40)
        .replace(/&/g, "&amp;")
        .replace(/'/g, "&#39;")
        .replace(/"/g, "&quot;")
        .replace(/</g, "&lt;"),
    ),
    "the error shows on /admin/jobs",
  );
  const offerPage = await owner.get(`/admin/offers/${offerId}`);
  assert.match(offerPage.text, /La synchronisation avec Stripe a échoué/);
  // Checkout still works meanwhile? Stripe is down, so it answers a translated 502 and keeps nothing pending.
  const monthly = await app.db
    .selectFrom("prices")
    .selectAll()
    .where("offer_id", "=", offerId)
    .where("amount", "=", 750)
    .executeTakeFirstOrThrow();
  const buyer = app.client();
  await buyer.get("/offers/cercle");
  const down = await buyer.post("/checkout", { offer: offerId, price: monthly.id, email: "down@example.org" });
  assert.equal(down.status, 502);
  const pending = await app.db
    .selectFrom("subscriptions")
    .select("status")
    .where("email", "=", "down@example.org")
    .executeTakeFirstOrThrow();
  assert.equal(pending.status, "expired");

  // Stripe is back (on a new port): the retry syncs the new name and the new price.
  await stub.start();
  assert.notEqual(stub.url, "");
  app.running.services.config.stripeApiBase = stub.url;
  // The background worker may be mid-attempt against the old address: bring retries forward until all are done.
  // Waits by the jobs' state, never a fixed sleep.
  await waitFor(
    "every sync job done",
    async () => {
      await app.db
        .updateTable("jobs")
        .set({ run_at: nowIso() })
        .where("type", "=", STRIPE_SYNC_JOB)
        .where("state", "=", "queued")
        .execute();
      await app.drainJobs();
      return (await syncJobs()).every((j) => j.state === "done");
    },
    20_000,
  );
  const after = await syncJobs();
  assert.ok(
    after.every((j) => j.state === "done"),
    `all sync jobs done: ${JSON.stringify(after.map((j) => [j.state, j.attempts, j.last_error, j.run_at]))}`,
  );
  assert.equal(stub.products.get(`atelier_${offerId}`)!.name, "Le cercle des amis");
  const nine = await app.db
    .selectFrom("prices")
    .selectAll()
    .where("offer_id", "=", offerId)
    .where("amount", "=", 900)
    .executeTakeFirstOrThrow();
  assert.ok(nine.provider_price_id && stub.prices.has(nine.provider_price_id));
  assert.match((await owner.get(`/admin/offers/${offerId}`)).text, /synchronisés avec Stripe/);
});
