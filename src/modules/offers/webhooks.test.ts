import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { startStripeStub, type StripeStub, type StubEvent } from "../../../test/support/stripe-stub.ts";
import { toNumber } from "../../platform/db/index.ts";

let app: TestApp;
let stub: StripeStub;
let endpoint: string;

before(async () => {
  stub = await startStripeStub();
  app = await startTestApp({ env: stub.env() });
  endpoint = `${app.url}/webhooks/stripe`;
});
after(async () => {
  await app.stop();
  await stub.stop();
});

async function eventRows(): Promise<number> {
  const r = await app.db
    .selectFrom("provider_events")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  return toNumber(r.n);
}

function foreignEvent(): StubEvent {
  const events = stub.foreignActivity(`stranger-${Math.random().toString(36).slice(2)}@example.test`);
  return events.find((e) => e.type === "customer.created")!;
}

test("forged, stale, wrongly keyed or unsigned deliveries: 400, nothing written", async () => {
  const event = foreignEvent();
  const good = stub.sign(event);
  const attempts: Array<{ name: string; body: string; headers: Record<string, string> }> = [
    // One character of the id changed (to another one: an id already ending in "0" stayed the same before).
    {
      name: "tampered body",
      body: good.body.replace(event.id, event.id.slice(0, -1) + (event.id.endsWith("0") ? "1" : "0")),
      headers: good.headers,
    },
    { name: "stale (301 s)", ...stub.sign(event, { timestamp: Math.floor(Date.now() / 1000) - 301 }) },
    { name: "other secret", ...stub.sign(event, { secret: "whsec_not_ours" }) },
    { name: "no signature", body: good.body, headers: { "content-type": "application/json" } },
    {
      name: "garbage signature",
      body: good.body,
      headers: { "content-type": "application/json", "stripe-signature": "t=abc,v1=zz" },
    },
    {
      name: "not JSON",
      body: "hello",
      headers: { "content-type": "text/plain", "stripe-signature": stub.signature("hello") },
    },
  ];
  for (const a of attempts) {
    const res = await fetch(endpoint, { method: "POST", headers: a.headers, body: a.body });
    const text = await res.text();
    assert.equal(res.status, 400, `${a.name}: ${res.status} ${text}`);
    assert.doesNotMatch(text, /at .*\.ts|Error:|stack/i, a.name);
  }
  assert.equal(await eventRows(), 0, "nothing stored");
  const members = await app.db.selectFrom("members").select("id").execute();
  assert.equal(members.length, 0);
});

test("a genuine delivery is stored once: 200 applied/ignored, then 200 duplicate", async () => {
  const event = foreignEvent();
  const first = await stub.deliver(endpoint, event);
  assert.equal(first.status, 200, first.text);
  assert.equal(JSON.parse(first.text).result, "ignored");
  const again = await stub.deliver(endpoint, event);
  assert.equal(again.status, 200);
  assert.equal(JSON.parse(again.text).result, "duplicate");
  const rows = await app.db.selectFrom("provider_events").selectAll().where("id", "=", event.id).execute();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.type, "ignored");
});

test("a failure while applying answers 500 without details and stores nothing, so Stripe's retry applies it", async () => {
  const events = stub.foreignActivity("later@example.test");
  const created = events.find((e) => e.type === "customer.subscription.created")!;
  const subId = (created.data.object as { id: string }).id;
  // Stripe cannot be reached for the re-read: fulfilment fails.
  const saved = stub.subscriptions.get(subId)!;
  stub.subscriptions.delete(subId);
  const before = await eventRows();
  const failed = await stub.deliver(endpoint, created);
  assert.equal(failed.status, 500);
  assert.deepEqual(JSON.parse(failed.text), { error: "not_applied", retry: true });
  assert.equal(await eventRows(), before);
  // Stripe retries later; this time it works (and the foreign subscription is ignored).
  stub.subscriptions.set(subId, saved);
  const retried = await stub.deliver(endpoint, created);
  assert.equal(retried.status, 200, retried.text);
  assert.equal(JSON.parse(retried.text).result, "ignored");
  assert.equal(await eventRows(), before + 1);
});
