import { after, before } from "node:test";
import assert from "node:assert/strict";
import { StripeProvider } from "./stripe.ts";
import type { CheckoutRequest, ProviderEvent } from "./provider.ts";
import { startStripeStub, type StripeStub, type StubEvent } from "../../../test/support/stripe-stub.ts";

/** Test helpers of the Stripe provider's tests: one stub per test file, and the provider pointed at it. */
export interface StripeTest {
  stub: StripeStub;
  provider: StripeProvider;
}

/** Starts a Stripe stub before the file's tests and stops it after; the returned object is filled in `before`. */
export function useStripeStub(): StripeTest {
  const t = {} as StripeTest;
  before(async () => {
    t.stub = await startStripeStub();
    t.provider = new StripeProvider({
      secretKey: t.stub.secretKey,
      webhookSecret: t.stub.webhookSecret,
      apiBase: t.stub.url,
    });
  });
  after(async () => {
    await t.stub.stop();
  });
  return t;
}

export function checkoutRequest(over: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    reference: "ord_1",
    mode: "payment",
    line: {
      offerId: "off_1",
      priceId: "pri_1",
      name: "Carnet de glaçures",
      amount: 1850,
      currency: "EUR",
      interval: null,
    },
    customerEmail: "lea@example.test",
    successUrl: "http://atelier.test/merci",
    cancelUrl: "http://atelier.test/offres",
    metadata: { member_id: "mem_1" },
    idempotencyKey: `checkout:${Math.random()}`,
    ...over,
  };
}

/** Signs a stub event as Stripe would and parses it through the provider. */
export async function parse(t: StripeTest, event: StubEvent): Promise<ProviderEvent> {
  const d = t.stub.sign(event);
  return t.provider.parseWebhook(d.body, d.headers);
}

export function lastOf(events: StubEvent[], type: string): StubEvent {
  const e = events.filter((x) => x.type === type).at(-1);
  assert.ok(e, `no ${type} among ${events.map((x) => x.type).join(", ")}`);
  return e;
}

/** Every write (POST, DELETE) the provider sent carried an Idempotency-Key, and none was refused for its key. */
export function assertEveryWriteIdempotent(stub: StripeStub, atLeast: number): void {
  const posts = stub.requests.filter((r) => r.method === "POST" || r.method === "DELETE");
  assert.ok(posts.length >= atLeast, `only ${posts.length} writes`);
  assert.deepEqual(
    posts.filter((r) => !r.idempotencyKey).map((r) => `${r.method} ${r.path}`),
    [],
  );
  assert.ok(stub.requests.every((r) => r.status !== 401));
}
