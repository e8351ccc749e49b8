import assert from "node:assert/strict";
import type { TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { findMemberByEmail } from "../members/index.ts";
import { createOffer } from "./service.ts";
import type {
  CheckoutRequest,
  PaymentProvider,
  ProviderEvent,
  SubscriptionSnapshot,
} from "../../platform/payments/provider.ts";

/* Helpers shared by tests that need offers, prices and purchases (through the dev payment provider, as a buyer would). */

export interface TestOffer {
  id: string;
  slug: string;
  priceId: string;
}

/** A published offer with one price. */
export async function testOffer(
  app: TestApp,
  o: {
    slug: string;
    name: string;
    kind: "tier" | "product";
    amount: number;
    currency?: string;
    interval?: "month" | "year";
  },
): Promise<TestOffer> {
  const offer = await createOffer(app.db, { slug: o.slug, kind: o.kind, name: o.name, status: "published" }, [
    o.kind === "tier"
      ? { kind: "recurring", interval: o.interval ?? "month", amount: o.amount, currency: o.currency ?? "EUR" }
      : { kind: "one_off", amount: o.amount, currency: o.currency ?? "EUR" },
  ]);
  const price = await app.db
    .selectFrom("prices")
    .select("id")
    .where("offer_id", "=", offer.id)
    .executeTakeFirstOrThrow();
  return { id: offer.id, slug: o.slug, priceId: price.id };
}

/** Buys through the dev checkout page, as a visitor does; returns the buyer's member id. */
export async function buyThroughDev(
  app: TestApp,
  client: TestClient,
  offer: TestOffer,
  email: string,
): Promise<string> {
  await client.get(`/offers/${offer.slug}`);
  const start = await client.post("/checkout", { offer: offer.id, price: offer.priceId, email });
  assert.equal(start.status, 303, start.text.slice(0, 300));
  const checkoutPath = new URL(start.location!).pathname;
  await client.get(checkoutPath);
  const paid = await client.post(checkoutPath, { action: "pay" });
  assert.equal(paid.status, 303);
  const member = await findMemberByEmail(app.db, email);
  assert.ok(member, "the buyer became a member");
  return member.id;
}

/** A client with a member session (no login link needed). */
export async function memberClient(app: TestApp, memberId: string): Promise<TestClient> {
  const s = await createSession(app.db, "member", memberId);
  const client = app.client();
  client.cookies.set("atl_m", s.token);
  await client.get("/account"); // picks up the session's CSRF token
  return client;
}

/** Acts in the dev provider's portal as that member: "period_end", "period_fail", "cancel", "resume". */
export async function devPortal(member: TestClient, action: "period_end" | "period_fail" | "cancel" | "resume") {
  await member.get("/account");
  const portal = await member.post("/account/billing", {});
  assert.equal(portal.status, 303);
  const page = await member.get(new URL(portal.location!).pathname + "?return=/account");
  const path = /action="(\/dev-portal\/[^"]+)"/.exec(page.text)![1]!;
  assert.equal((await member.post(path, { action, return: "/account" })).status, 303);
}

/** A provider whose subscriptions are whatever the test says they are now. */
export class FakeProvider implements PaymentProvider {
  readonly name = "dev" as const;
  subs = new Map<string, SubscriptionSnapshot>();
  reads = 0;
  async createCheckout(req: CheckoutRequest) {
    return { id: `cs_${req.reference}`, url: `http://fake/${req.reference}` };
  }
  async parseWebhook(): Promise<ProviderEvent> {
    throw new Error("unused");
  }
  async retrieveSubscription(id: string) {
    this.reads++;
    const s = this.subs.get(id);
    if (!s) throw new Error("no such subscription");
    return structuredClone(s);
  }
  async refund() {}
  async cancelSubscription() {}
  async customerPortalUrl() {
    return "http://fake/portal";
  }
}

/** Starts a checkout with these form fields (and `slug`, the offer page's) and pays on the dev checkout page. */
export async function payThroughDev(
  client: TestClient,
  fields: Record<string, string>,
  action: "pay" | "delayed" = "pay",
) {
  await client.get(`/offers/${fields.slug}`);
  const { slug: _slug, ...rest } = fields;
  const start = await client.post("/checkout", rest);
  assert.equal(start.status, 303, start.text.slice(0, 400));
  const checkoutPath = new URL(start.location!).pathname;
  assert.match(checkoutPath, /^\/dev-checkout\/devcs_/);
  const page = await client.get(checkoutPath);
  assert.match(page.text, /Paiement de test|Test payment/);
  const paid = await client.post(checkoutPath, { action });
  assert.equal(paid.status, 303);
  const donePath = new URL(paid.location!).pathname;
  return { donePath, checkoutPath, done: await client.get(donePath) };
}
