import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { TestClient, linkIn } from "../../../test/support/client.ts";
import { recipients } from "../../../test/support/smtp.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { DevProvider } from "../../platform/payments/dev.ts";
import { paymentProviderFor } from "../../platform/payments/index.ts";
import { createMember, findMemberByEmail } from "../members/index.ts";
import { applyProviderEvent } from "./fulfilment.ts";
import { createOffer } from "./service.ts";

/*
 * Issue 7 (identity): paying with an email never signs in as that email, a
 * gift is claimed only by its recipient's address, the dev provider's pages
 * neither show the buyer's email nor live forever, and /checkout refuses
 * malformed addresses.
 */
let app: TestApp;
const ids = { tip: "", tipPrice: "" };

before(async () => {
  app = await startTestApp();
  const tip = await createOffer(app.db, { slug: "cafe", kind: "tip", name: "Un café", status: "published" }, [
    { kind: "one_off", amount: 300, currency: "EUR", payWhatYouWant: true, minAmount: 100 },
  ]);
  ids.tip = tip.id;
  ids.tipPrice = (
    await app.db.selectFrom("prices").select("id").where("offer_id", "=", tip.id).executeTakeFirstOrThrow()
  ).id;
});
after(() => app.stop());

let ipSeq = 0;
function client(): TestClient {
  ipSeq += 1;
  const c = app.client();
  const request = c.request.bind(c);
  c.request = (method, path, init = {}) =>
    request(method, path, { ...init, headers: { "x-forwarded-for": `10.77.0.${ipSeq}`, ...init.headers } });
  return c;
}

async function payTip(c: TestClient, fields: Record<string, string>) {
  await c.get("/offers/cafe");
  const start = await c.post("/checkout", { offer: ids.tip, price: ids.tipPrice, amount: "3", ...fields });
  assert.equal(start.status, 303, start.text.slice(0, 300));
  const checkoutPath = new URL(start.location!).pathname;
  const checkout = await c.get(checkoutPath);
  const paid = await c.post(checkoutPath, { action: "pay" });
  assert.equal(paid.status, 303);
  return { checkout, checkoutPath, done: await c.get(new URL(paid.location!).pathname) };
}

async function verifyLink(c: TestClient, path: string) {
  await c.get(path);
  return c.post("/login/verify", { token: new URL(path, app.url).searchParams.get("token")! });
}

test("pre-hijack: paying with a stranger's email signs nobody in; the owner who joins later is alone in the account", async () => {
  const victim = "victim-prehijack@example.org";
  const payer = client();
  const { done } = await payTip(payer, { email: victim });
  assert.equal(done.status, 200);
  assert.equal(payer.cookies.has("atl_m"), false, "no member session for an email typed at checkout");
  assert.match(done.text, /envoyé un e-mail pour accéder à votre achat/);
  assert.equal((await payer.get("/account")).status, 303, "the payer is not in anyone's account");
  const pending = await findMemberByEmail(app.db, victim);
  assert.equal(pending?.status, "pending");

  // The receipt goes to the address, with a login link minted for that address's member.
  await app.drainJobs();
  const receipt = await app.mail.waitFor((m) => recipients(m).includes(victim) && /reçu/i.test(m.subject ?? ""));
  const link = linkIn(receipt.text ?? "", app.url, "/login/verify");

  // The real owner joins and confirms: their session is the only one.
  const owner = client();
  await owner.post("/join", { email: victim });
  await app.drainJobs();
  const confirm = await app.mail.waitFor(
    (m) => recipients(m).includes(victim) && (m.text ?? "").includes("/join/confirm"),
  );
  const token = new URL(linkIn(confirm.text ?? "", app.url, "/join/confirm"), app.url).searchParams.get("token")!;
  assert.equal((await owner.post("/join/confirm", { token })).status, 303);
  const sessions = await app.db.selectFrom("sessions").select("id").where("subject_id", "=", pending!.id).execute();
  assert.equal(sessions.length, 1);
  assert.equal((await payer.get("/account")).status, 303);
  // The receipt's link works for whoever reads that mailbox, and leads to the purchase.
  const viaReceipt = client();
  const res = await verifyLink(viaReceipt, link);
  assert.equal(res.status, 303);
  assert.equal(res.location, "/account#purchases");
  assert.match((await viaReceipt.get("/account")).text, /Un café/);
});

test("an existing member's session is kept and sees the purchase; another browser's payment for them signs nobody in", async () => {
  const email = "reader-session@example.org";
  const m = await createMember(
    app.db,
    { email, locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  const s = await createSession(app.db, "member", m.id);
  const member = client();
  member.cookies.set("atl_m", s.token);
  const { done } = await payTip(member, {});
  assert.match(done.text, /Voir mes achats/);
  const stranger = client();
  const other = await payTip(stranger, { email });
  assert.equal(stranger.cookies.has("atl_m"), false);
  assert.doesNotMatch(other.done.text, /Voir mes achats/);
});

test("/checkout refuses malformed emails and stores no order or gift", async () => {
  const before = await app.db.selectFrom("orders").select("id").execute();
  const beforeGifts = await app.db.selectFrom("gifts").select("id").execute();
  const c = client();
  await c.get("/offers/cafe");
  for (const bad of ["<script>@x.y", "a@b..c", "<script>@x.org", "a@b", "a b@c.org", "x@-y.org"]) {
    const res = await c.post("/checkout", { offer: ids.tip, price: ids.tipPrice, amount: "3", email: bad });
    assert.equal(res.status, 422, bad);
    assert.match(res.text, /adresse e-mail valide/);
    assert.ok(!res.text.includes("<script>@"), "not echoed as markup");
    const gift = await c.post("/checkout", {
      offer: ids.tip,
      price: ids.tipPrice,
      amount: "3",
      email: "giver-ok@example.org",
      recipient_email: bad,
    });
    assert.equal(gift.status, 422, `recipient ${bad}`);
  }
  assert.equal((await app.db.selectFrom("orders").select("id").execute()).length, before.length);
  assert.equal((await app.db.selectFrom("gifts").select("id").execute()).length, beforeGifts.length);
});

test("a gift is claimed only with the recipient's address: another member is refused, an anonymous visitor gets a link", async () => {
  const recipient = "gift-recipient@example.org";
  const giver = client();
  await payTip(giver, { email: "gift-giver@example.org", recipient_email: recipient });
  await app.drainJobs();
  const giftMail = await app.mail.waitFor((m) => recipients(m).includes(recipient));
  const claimPath = linkIn(giftMail.text ?? "", app.url, "/gift/");

  // A member with another address: a clear refusal, the gift stays unclaimed.
  const otherMember = await createMember(
    app.db,
    { email: "not-the-recipient@example.org", locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  const other = client();
  other.cookies.set("atl_m", (await createSession(app.db, "member", otherMember.id)).token);
  const page = await other.get(claimPath);
  assert.match(page.text, /envoyé à une autre adresse/);
  assert.doesNotMatch(page.text, /Récupérer mon cadeau/);
  const refused = await other.post(claimPath, {});
  assert.equal(refused.status, 403);
  assert.match(refused.text, /envoyé à une autre adresse/);
  const gift = await app.db
    .selectFrom("gifts")
    .selectAll()
    .where("recipient_email", "=", recipient)
    .executeTakeFirstOrThrow();
  assert.equal(gift.status, "paid");

  // Anonymous: no claim without a session; the page mails a login link to the recipient.
  const anon = client();
  assert.equal((await anon.post(claimPath, {})).status, 401);
  await anon.get(claimPath);
  const sent = await anon.post(`${claimPath}/link`, {});
  assert.equal(sent.status, 303);
  assert.equal(anon.cookies.has("atl_m"), false);
  await app.drainJobs();
  const loginMail = await app.mail.waitFor(
    (m) => recipients(m).includes(recipient) && (m.text ?? "").includes("/login/verify"),
  );
  const verified = await verifyLink(anon, linkIn(loginMail.text ?? "", app.url, "/login/verify"));
  assert.equal(verified.status, 303);
  assert.equal(verified.location, claimPath);
  await anon.get(claimPath);
  assert.equal((await anon.post(claimPath, {})).status, 303);
  const claimed = await app.db.selectFrom("gifts").selectAll().where("id", "=", gift.id).executeTakeFirstOrThrow();
  assert.equal(claimed.status, "claimed");
  assert.equal(claimed.claimed_by, (await findMemberByEmail(app.db, recipient))!.id);
});

function devProvider(): DevProvider {
  const services = app.running.services;
  const p = paymentProviderFor(services, (prov, e) => applyProviderEvent(services.db, prov, e));
  assert.ok(p instanceof DevProvider);
  return p;
}

test("the dev checkout page does not show the buyer's email, and an open checkout expires like Stripe's", async () => {
  const email = "private-buyer@example.org";
  const c = client();
  await c.get("/offers/cafe");
  const start = await c.post("/checkout", { offer: ids.tip, price: ids.tipPrice, amount: "3", email });
  const checkoutPath = new URL(start.location!).pathname;
  const page = await c.get(checkoutPath);
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes(email), "no email on the dev checkout page");
  assert.ok(!page.text.includes("private-buyer"), "not even its local part");

  // A day later the link no longer pays.
  const id = checkoutPath.split("/").pop()!;
  const row = await app.db
    .selectFrom("dev_payment_objects")
    .select("data")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  const data = JSON.parse(row.data) as { expiresAt?: string };
  assert.ok(data.expiresAt && Date.parse(data.expiresAt) - Date.now() > 23 * 3600_000, "expires in 24 hours");
  await app.db
    .updateTable("dev_payment_objects")
    .set({ data: JSON.stringify({ ...data, expiresAt: new Date(Date.now() - 1000).toISOString() }) })
    .where("id", "=", id)
    .execute();
  const late = await c.get(checkoutPath);
  assert.doesNotMatch(late.text, /value="pay"/);
  await c.post(checkoutPath, { action: "pay" });
  const order = await app.db.selectFrom("orders").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
  assert.equal(order.status, "expired");
});

test("dev billing-portal links expire; a tampered one is refused", async () => {
  const dev = devProvider();
  const fresh = new URL(await dev.customerPortalUrl("devcus_someone", `${app.url}/account`));
  const c = client();
  assert.equal((await c.get(fresh.pathname + fresh.search)).status, 200);
  const [, , customer, sig] = fresh.pathname.split("/");
  const exp = Number(sig!.split(".")[0]);
  assert.ok(exp * 1000 - Date.now() <= 3600_000 + 1000, "lives one hour at most");
  const old = dev.portalSignature(customer!, Math.floor(Date.now() / 1000) - 1);
  const expired = await c.get(`/dev-portal/${customer}/${old}`);
  assert.equal(expired.status, 410);
  assert.match(expired.text, /expiré/);
  const forged = `${exp + 3600}.${sig!.split(".")[1]}`;
  assert.equal((await c.get(`/dev-portal/${customer}/${forged}`)).status, 403);
  // The old form of link (no expiry) no longer works.
  assert.equal((await c.get(`/dev-portal/${customer}/${sig!.split(".")[1]}`)).status, 403);
});
