import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { TestClient, linkIn } from "../../../test/support/client.ts";
import { recipients } from "../../../test/support/smtp.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { sign } from "../../platform/security/tokens.ts";
import { createMember, findMemberByEmail } from "../members/index.ts";
import { createOffer } from "./service.ts";
import { saveOfferFile } from "./downloads.tsx";
import { startCheckout } from "./checkout.ts";
import { providerOf } from "./context.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { payThroughDev } from "./testing.ts";

/** The dev provider's journeys over HTTP: buy, pay, read, download, cancel, gift, and bad input. */
let app: TestApp;
const ids = { tier: "", monthly: "", yearly: "", guide: "", guidePrice: "", file: "" };
/** The members' area shows the creator's own welcome: only payers may read it. */
const secretMarker = "Bienvenue dans le cercle du four";

before(async () => {
  app = await startTestApp({
    site: { membersWelcomeMarkdown: secretMarker, membersWelcomeHtml: `<p>${secretMarker}</p>` },
  });
  const db = app.db;
  const tier = await createOffer(
    db,
    { slug: "cercle", kind: "tier", name: "Le cercle", status: "published", descriptionMd: "- Les coulisses" },
    [
      { kind: "recurring", interval: "month", amount: 500, currency: "EUR" },
      { kind: "recurring", interval: "year", amount: 5000, currency: "EUR" },
    ],
  );
  ids.tier = tier.id;
  const prices = await db.selectFrom("prices").select(["id", "interval"]).where("offer_id", "=", tier.id).execute();
  ids.monthly = prices.find((p) => p.interval === "month")!.id;
  ids.yearly = prices.find((p) => p.interval === "year")!.id;
  const guide = await createOffer(db, { slug: "guide", kind: "product", name: "Le guide", status: "published" }, [
    { kind: "one_off", amount: 800, currency: "EUR", payWhatYouWant: true, minAmount: 500 },
  ]);
  ids.guide = guide.id;
  ids.guidePrice = (
    await db.selectFrom("prices").select("id").where("offer_id", "=", guide.id).executeTakeFirstOrThrow()
  ).id;
  ids.file = await saveOfferFile(
    db,
    app.running.services.storage,
    guide.id,
    "guide.pdf",
    new TextEncoder().encode("%PDF-1.4 the guide"),
    "application/pdf",
  );
  const at = nowIso();
  await db
    .insertInto("discount_codes")
    .values([
      {
        id: newId(),
        code: "OLD",
        kind: "percent",
        value: 50,
        currency: null,
        offer_ids: "[]",
        starts_at: null,
        ends_at: "2020-01-01T00:00:00.000Z",
        max_redemptions: null,
        redemptions_count: 0,
        active: 1,
        created_at: at,
        updated_at: at,
      },
      {
        id: newId(),
        code: "USEDUP",
        kind: "percent",
        value: 50,
        currency: null,
        offer_ids: "[]",
        starts_at: null,
        ends_at: null,
        max_redemptions: 1,
        redemptions_count: 1,
        active: 1,
        created_at: at,
        updated_at: at,
      },
      {
        id: newId(),
        code: "HALF",
        kind: "percent",
        value: 50,
        currency: null,
        offer_ids: "[]",
        starts_at: null,
        ends_at: null,
        max_redemptions: 5,
        redemptions_count: 0,
        active: 1,
        created_at: at,
        updated_at: at,
      },
    ])
    .execute();
});

after(async () => {
  await app.stop();
});

async function loggedIn(email: string): Promise<TestClient> {
  const m =
    (await findMemberByEmail(app.db, email)) ??
    (await createMember(
      app.db,
      { email, locale: "fr", status: "active", emailOptIn: false, source: "test" },
      "system",
    ));
  const s = await createSession(app.db, "member", m.id);
  const client = app.client();
  client.cookies.set("atl_m", s.token);
  return client;
}

test("a visitor buys a tier with the dev provider and reads the members-only page", async () => {
  const visitor = app.client();
  const locked = await visitor.get("/members-area");
  assert.equal(locked.status, 403);
  assert.doesNotMatch(locked.text, new RegExp(secretMarker));
  const pricing = await visitor.get("/pricing");
  assert.equal(pricing.status, 200);
  assert.match(pricing.text, /Le cercle/);
  assert.match(pricing.text, /Paiements de test/);
  const { done, donePath } = await payThroughDev(visitor, {
    slug: "cercle",
    offer: ids.tier,
    price: ids.monthly,
    email: "nina@example.org",
  });
  assert.equal(done.status, 200);
  assert.match(done.text, /Merci/);
  // Paying signs nobody in: the access goes through the link mailed to the address.
  assert.equal(visitor.cookies.has("atl_m"), false);
  assert.match(done.text, /envoyé un e-mail pour accéder à votre achat/);
  // Receipt (subscription started) mail, in French, with a one-time login link.
  await app.drainJobs();
  const mail = await app.mail.waitFor(
    (m) => recipients(m).includes("nina@example.org") && /Bienvenue/.test(m.subject ?? ""),
  );
  assert.match(mail.text ?? "", /Le cercle/);
  const link = linkIn(mail.text ?? "", app.url, "/login/verify");
  await visitor.get(link);
  const verified = await visitor.post("/login/verify", { token: new URL(link, app.url).searchParams.get("token")! });
  assert.equal(verified.status, 303);
  const area = await visitor.get("/members-area");
  assert.equal(area.status, 200);
  assert.match(area.text, new RegExp(secretMarker));
  const account = await visitor.get("/account");
  assert.match(account.text, /Le cercle/);
  assert.match(account.text, /Gérer le paiement/);
  // Another browser knowing the reference sees nothing.
  const stranger = app.client();
  assert.equal((await stranger.get(donePath)).status, 404);
});

test("an existing member's email used by someone else is not signed in and not changed", async () => {
  const owner = await createMember(
    app.db,
    {
      email: "camille.reader@example.org",
      name: "Camille R",
      locale: "en",
      status: "active",
      emailOptIn: false,
      source: "signup",
    },
    "member",
  );
  const other = app.client();
  const { done } = await payThroughDev(other, {
    slug: "guide",
    offer: ids.guide,
    price: ids.guidePrice,
    amount: "6",
    email: "camille.reader@example.org",
  });
  assert.equal(done.status, 200);
  assert.equal(other.cookies.has("atl_m"), false);
  assert.match(done.text, /envoyé un e-mail pour accéder à votre achat/);
  const after = (await findMemberByEmail(app.db, owner.email))!;
  assert.equal(after.name, "Camille R");
  assert.equal(after.locale, "en");
});

test("pay-what-you-want above the minimum, then a personal signed download link", async () => {
  const buyer = await loggedIn("lea@example.org");
  const { done } = await payThroughDev(buyer, {
    slug: "guide",
    offer: ids.guide,
    price: ids.guidePrice,
    amount: "12,50",
  });
  assert.equal(done.status, 200);
  const order = await app.db
    .selectFrom("orders")
    .selectAll()
    .where("email", "=", "lea@example.org")
    .executeTakeFirstOrThrow();
  assert.equal(order.amount_paid, 1250);
  const account = await buyer.get("/account");
  const link = /href="(\/downloads\/[^"]+)"/.exec(account.text)?.[1]?.replace(/&amp;/g, "&");
  assert.ok(link, "download link on the account page");
  const file = await buyer.get(link);
  assert.equal(file.status, 200);
  assert.equal(file.text, "%PDF-1.4 the guide");
  assert.match(file.headers.get("content-disposition") ?? "", /attachment/);
  // Tampered: 403 translated; expired (validly signed): 410; someone else's member id: 403.
  const tampered = await app.client().get(link.replace(/s=[^&]+/, "s=AAAA"));
  assert.equal(tampered.status, 403);
  assert.match(tampered.text, /lien de téléchargement n’est pas valable/);
  const secret = app.running.services.secret;
  const member = (await findMemberByEmail(app.db, "lea@example.org"))!;
  const exp = Math.floor(Date.now() / 1000) - 10;
  const expired = await app
    .client()
    .get(`/downloads/${ids.file}?m=${member.id}&e=${exp}&s=${sign(secret, `dl:${ids.file}:${member.id}:${exp}`)}`);
  assert.equal(expired.status, 410);
  const free = await loggedIn("free@example.org");
  const freeId = (await findMemberByEmail(app.db, "free@example.org"))!.id;
  const swapped = await free.get(link.replace(/m=[^&]+/, `m=${freeId}`));
  assert.equal(swapped.status, 403);
  // A validly signed link for a member who did not pay: the policy says no.
  const exp2 = Math.floor(Date.now() / 1000) + 600;
  const notPaid = await free.get(
    `/downloads/${ids.file}?m=${freeId}&e=${exp2}&s=${sign(secret, `dl:${ids.file}:${freeId}:${exp2}`)}`,
  );
  assert.equal(notPaid.status, 403);
});

test("bad input: below minimum, negative, huge, nonsense, wrong currency, expired or exhausted codes — translated, nothing granted", async () => {
  const client = app.client();
  await client.get("/offers/guide");
  const before = await app.db.selectFrom("orders").select("id").execute();
  for (const [amount, msg] of [
    ["4,99", /au moins égal au minimum/],
    ["-5", /montant valide/],
    ["99999999", /trop élevé/],
    ["abc", /montant valide/],
    ["1e3", /montant valide/],
  ] as const) {
    const r = await client.post("/checkout", {
      offer: ids.guide,
      price: ids.guidePrice,
      amount,
      email: "bad@example.org",
    });
    assert.equal(r.status, 422, amount);
    assert.match(r.text, msg);
  }
  for (const [code, msg] of [
    ["OLD", /a expiré/],
    ["USEDUP", /le nombre de fois prévu/],
    ["NOPE", /n’existe pas/],
  ] as const) {
    const r = await client.post("/checkout", {
      offer: ids.guide,
      price: ids.guidePrice,
      amount: "8",
      email: "bad@example.org",
      code,
    });
    assert.equal(r.status, 422, code);
    assert.match(r.text, msg);
  }
  const badEmail = await client.post("/checkout", { offer: ids.tier, price: ids.monthly, email: "not-an-email" });
  assert.equal(badEmail.status, 422);
  const en = app.client();
  en.cookies.set("atl_lang", "en");
  await en.get("/offers/guide");
  const r = await en.post("/checkout", {
    offer: ids.guide,
    price: ids.guidePrice,
    amount: "1",
    email: "bad@example.org",
  });
  assert.equal(r.status, 422);
  assert.match(r.text, /at least the minimum/);
  const provider = providerOf({ var: { services: app.running.services } } as never)!;
  await assert.rejects(
    startCheckout(app.db, provider, {
      offerId: ids.guide,
      priceId: ids.guidePrice,
      amount: 800,
      currency: "USD",
      email: "bad@example.org",
      locale: "fr",
      publicUrl: app.url,
      secret: "x",
    }),
    (e: { status?: number }) => e.status === 422,
  );
  const after = await app.db.selectFrom("orders").select("id").execute();
  assert.equal(after.length, before.length);
  assert.equal(
    (
      await app.db
        .selectFrom("entitlements")
        .selectAll()
        .innerJoin("members", "members.id", "entitlements.member_id")
        .where("members.email", "=", "bad@example.org")
        .execute()
    ).length,
    0,
  );
});

test("a delayed (SEPA) payment opens access only once the bank confirms", async () => {
  const buyer = await loggedIn("sepa@example.org");
  const { done, donePath } = await payThroughDev(
    buyer,
    { slug: "guide", offer: ids.guide, price: ids.guidePrice, amount: "9" },
    "delayed",
  );
  assert.match(done.text, /Paiement en cours/);
  assert.doesNotMatch((await buyer.get("/account")).text, /\/downloads\//);
  const settle = /action="(\/dev-checkout\/[^"]+\/settle)"/.exec(done.text)![1]!;
  assert.equal((await buyer.post(settle, { ok: "1" })).status, 303);
  assert.match((await buyer.get(donePath)).text, /Merci/);
  assert.match((await buyer.get("/account")).text, /\/downloads\//);
});

test("a member cancels (with a reason) and loses access at the end of the period", async () => {
  const member = await loggedIn("hugo@example.org");
  await payThroughDev(member, { slug: "cercle", offer: ids.tier, price: ids.yearly });
  assert.equal((await member.get("/members-area")).status, 200);
  const account = await member.get("/account");
  const cancelPath = /action="(\/account\/subscriptions\/[^"]+\/cancel)"/.exec(account.text)![1]!;
  // Another member cannot cancel it.
  const intruder = await loggedIn("intruder@example.org");
  await intruder.get("/account");
  assert.equal((await intruder.post(cancelPath, { reason: "x" })).status, 404);
  assert.equal((await member.post(cancelPath, { reason: "Trop cher pour moi" })).status, 303);
  const sub = await app.db
    .selectFrom("subscriptions")
    .selectAll()
    .where("email", "=", "hugo@example.org")
    .executeTakeFirstOrThrow();
  assert.equal(sub.cancel_reason, "Trop cher pour moi");
  assert.equal(sub.cancel_at_period_end, 1);
  assert.equal((await member.get("/members-area")).status, 200, "access continues until the period ends");
  // The portal simulates the end of the period.
  await member.get("/account");
  const portal = await member.post("/account/billing", {});
  assert.equal(portal.status, 303);
  const portalPath = new URL(portal.location!).pathname;
  const portalPage = await member.get(portalPath + "?return=/account");
  const action = /action="(\/dev-portal\/[^"]+)"/.exec(portalPage.text)![1]!;
  assert.equal((await member.post(action, { action: "period_end", return: "/account" })).status, 303);
  assert.equal((await member.get("/members-area")).status, 403);
});

test("a gift is bought for an email and claimed through the link", async () => {
  const giver = app.client();
  const { done } = await payThroughDev(giver, {
    slug: "guide",
    offer: ids.guide,
    price: ids.guidePrice,
    amount: "10",
    email: "giver@example.org",
    recipient_email: "friend@example.org",
    recipient_name: "Sam",
    message: "Pour toi",
  });
  assert.match(done.text, /cadeau/);
  await app.drainJobs();
  const mail = await app.mail.waitFor((m) => recipients(m).includes("friend@example.org"));
  const claimPath = /\/gift\/[A-Za-z0-9_-]+/.exec(mail.text ?? "")![0];
  const anon = await app.client().get(claimPath);
  assert.match(anon.text, /lien de connexion/);
  const friend = await loggedIn("friend@example.org");
  await friend.get(claimPath);
  assert.equal((await friend.post(claimPath, {})).status, 303);
  assert.match((await friend.get("/account")).text, /\/downloads\//);
  // Single use: another member gets a translated 410.
  const other = await loggedIn("other@example.org");
  await other.get(claimPath);
  const again = await other.post(claimPath, {});
  assert.equal(again.status, 410);
  assert.match(again.text, /déjà été récupéré/);
});
