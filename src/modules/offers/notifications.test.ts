import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DateTime } from "luxon";
import type { ParsedMail } from "mailparser";
import { ownerEmail, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { recipients } from "../../../test/support/smtp.ts";
import { waitFor } from "../../../test/support/raw-http.ts";
import { dispatchOutbox } from "../../platform/events/index.ts";
import { queueMail } from "../../platform/mail/index.ts";
import { getSiteSettings, updateSiteSettings } from "../../platform/settings.ts";
import { DUNNING_JOB, setOwnerNotice } from "./notifications.ts";
import { setAutomaticTax } from "./stripe-sync.ts";
import { buyThroughDev, devPortal, memberClient, testOffer, type TestOffer } from "./testing.ts";

/** The emails after a sale (parsed with mailparser from the SMTP sink): both parts, both languages. */
let app: TestApp;
let cercle: TestOffer;
let guide: TestOffer;

before(async () => {
  app = await startTestApp();
  cercle = await testOffer(app, { slug: "cercle", name: "Le Cercle", kind: "tier", amount: 500 });
  guide = await testOffer(app, { slug: "guide", name: "Guide de l’émail", kind: "product", amount: 1200 });
});
after(() => app.stop());

/** Runs the event consumers, then every due job (mail sends included). */
async function settle(): Promise<void> {
  await app.drainJobs();
  await dispatchOutbox(app.db);
  await app.drainJobs();
}

/**
 * Settles until the mail has arrived: on PostgreSQL the outbox reads a transaction's events only
 * once every older transaction in the cluster has ended, so one pass may not see them yet.
 */
async function arrives(match: (m: ParsedMail) => boolean): Promise<ParsedMail> {
  await waitFor(
    "the mail",
    async () => {
      await settle();
      return app.mail.messages.some(match);
    },
    30_000,
  );
  return app.mail.messages.find(match)!;
}

const to = (email: string, subject: RegExp) => (m: ParsedMail) =>
  recipients(m).includes(email) && subject.test(m.subject ?? "");

function parts(m: ParsedMail): { text: string; html: string } {
  assert.ok(m.text && m.text.length > 20, "a plain-text part");
  assert.ok(typeof m.html === "string" && m.html.includes("<"), "an HTML part");
  return { text: m.text, html: m.html as string };
}

test("the owner hears of each sale, with a link to the order", async () => {
  await buyThroughDev(app, app.client(), guide, "paul@example.org");
  await settle();
  const m = await arrives(to(ownerEmail, /Nouvelle vente/));
  const { text } = parts(m);
  assert.match(m.subject ?? "", /Guide de l’émail \(12,00\s€\)/);
  assert.match(text, /paul@example\.org vient d’acheter « Guide de l’émail » pour 12,00\s€/);
  assert.match(text, /\/admin\/orders\/[0-9a-f-]{36}/);
});

test("a cancellation mails the member with the end date, and the owner with the reason", async () => {
  const nina = await buyThroughDev(app, app.client(), cercle, "nina@example.org");
  await app.db.updateTable("members").set({ locale: "en" }).where("id", "=", nina).execute();
  await app.db.updateTable("subscriptions").set({ locale: "en" }).where("member_id", "=", nina).execute();
  const sub = await app.db
    .selectFrom("subscriptions")
    .selectAll()
    .where("member_id", "=", nina)
    .executeTakeFirstOrThrow();
  const client = await memberClient(app, nina);
  await client.post(`/account/subscriptions/${sub.id}/cancel`, { reason: "Moving abroad" });
  await settle();
  const m = await arrives(to("nina@example.org", /cancelled/));
  const { text } = parts(m);
  assert.match(
    text,
    /Your “Le Cercle” subscription is cancelled: nothing more will be charged, and your access stays open until \d+ \w+ \d{4}/,
  );
  assert.match(text, /\/login\/verify\?token=/);
  const owner = await arrives(to(ownerEmail, /Résiliation : Le Cercle/));
  assert.match(parts(owner).text, /Sa raison : « Moving abroad »/);
  // Replaying the log mails nobody twice.
  const before = app.mail.messages.length;
  await app.db.updateTable("event_cursors").set({ last_tx: 0, last_id: "" }).execute();
  await settle();
  assert.equal(app.mail.messages.length, before);
});

test("a failed renewal mails a card-update link on day 0, then on days 3 and 7 while it still fails", async () => {
  const zoe = await buyThroughDev(app, app.client(), cercle, "zoe@example.org");
  const client = await memberClient(app, zoe);
  await devPortal(client, "period_fail");
  await settle();
  const first = await arrives(to("zoe@example.org", /n’est pas passé/));
  const { text, html } = parts(first);
  assert.match(text, /Le renouvellement de votre abonnement « Le Cercle » \(5,00\s€\) a été refusé/);
  assert.match(html, /Mettre à jour ma carte/);
  assert.match(text, /\/login\/verify\?token=[^\s]+/);
  // The reminders wait for day 3 and day 7 of the failure.
  const jobs = await app.db.selectFrom("jobs").selectAll().where("type", "=", DUNNING_JOB).execute();
  const sub = await app.db
    .selectFrom("subscriptions")
    .select("id")
    .where("member_id", "=", zoe)
    .executeTakeFirstOrThrow();
  const mine = jobs.filter((j) => JSON.parse(j.payload).subscriptionId === sub.id);
  assert.deepEqual(mine.map((j) => JSON.parse(j.payload).day).sort(), [3, 7]);
  const days = mine.map((j) => Math.round((Date.parse(j.run_at) - Date.parse(first.date!.toISOString())) / 86_400_000));
  assert.deepEqual(days.sort(), [3, 7]);
  // Day 3 comes (moved to now): a reminder.
  const day3 = mine.find((j) => JSON.parse(j.payload).day === 3)!;
  await app.db.updateTable("jobs").set({ run_at: new Date().toISOString() }).where("id", "=", day3.id).execute();
  await settle();
  await arrives(to("zoe@example.org", /Rappel/));
  // She pays; day 7 comes: nothing more is sent.
  await devPortal(client, "period_end");
  await settle();
  const count = app.mail.to("zoe@example.org").length;
  const day7 = mine.find((j) => JSON.parse(j.payload).day === 7)!;
  await app.db.updateTable("jobs").set({ run_at: new Date().toISOString() }).where("id", "=", day7.id).execute();
  await settle();
  assert.equal(app.mail.to("zoe@example.org").length, count);
});

test("a digest once a day instead, with real plurals; and nothing per sale", async () => {
  await setOwnerNotice(app.db, "digest");
  const before = app.mail.to(ownerEmail).length;
  await buyThroughDev(app, app.client(), guide, "lea@example.org");
  await settle();
  assert.equal(app.mail.to(ownerEmail).length, before, "no mail per sale in digest mode");
  // The site's day, not UTC's: between 23:00 and 24:00 UTC it is already tomorrow in Paris.
  const today = DateTime.now()
    .setZone((await getSiteSettings(app.db)).timeZone)
    .toISODate()!;
  await queueMail(app.db, "offers.owner_digest", { day: today }, `test-digest:${today}`);
  await settle();
  const digest = await arrives(to(ownerEmail, /Vos ventes du/));
  const { text } = parts(digest);
  assert.match(text, /\d+ ventes, pour [\d,\s]+€/);
  assert.match(text, /1 résiliation\./);
  await updateSiteSettings(app.db, { locale: "en" });
  await queueMail(app.db, "offers.owner_digest", { day: today }, `test-digest-en:${today}`);
  await settle();
  const en = await arrives(to(ownerEmail, /Your sales of/));
  assert.match(parts(en).text, /\d+ sales, for €[\d.]+/);
  assert.match(parts(en).text, /1 cancellation\./);
  await updateSiteSettings(app.db, { locale: "fr" });
});

test("the receipt says VAT is included when Stripe Tax is on", async () => {
  await setAutomaticTax(app.db, true);
  const order = await app.db
    .selectFrom("orders")
    .select("id")
    .where("email", "=", "paul@example.org")
    .executeTakeFirstOrThrow();
  await app.db.updateTable("orders").set({ provider: "stripe" }).where("id", "=", order.id).execute();
  await queueMail(app.db, "offers.receipt", { orderId: order.id }, `test-receipt:${order.id}`);
  await settle();
  const receipts = app.mail.to("paul@example.org").filter((m) => /reçu/.test(m.subject ?? ""));
  const last = receipts.at(-1)!;
  const { text } = parts(last);
  assert.match(text, /Guide de l’émail : 12,00\s€, payé le/);
  assert.match(text, /Référence : [0-9A-F]{12}/);
  assert.match(text, /la TVA est comprise/);
  assert.doesNotMatch(parts(receipts[0]!).text, /TVA/, "the first receipt (dev payment, no tax) says nothing of VAT");
  // With the VAT amount Stripe reported stored on the order, the receipt gives it.
  await app.db.updateTable("orders").set({ tax_amount: 200 }).where("id", "=", order.id).execute();
  await queueMail(app.db, "offers.receipt", { orderId: order.id }, `test-receipt-tax:${order.id}`);
  await settle();
  const withTax = app.mail
    .to("paul@example.org")
    .filter((m) => /reçu/.test(m.subject ?? ""))
    .at(-1)!;
  assert.match(parts(withTax).text, /Dont TVA : 2,00\s€/);
  await setAutomaticTax(app.db, false);
});

test("the notification choice is the owner's, in settings", async () => {
  const { ownerClient } = await import("../members/testing.ts");
  const owner = await ownerClient(app, "fr");
  const page = await owner.get("/admin/settings/notifications");
  assert.equal(page.status, 200);
  assert.match(page.text, /Un résumé par jour/);
  assert.equal((await owner.post("/admin/settings/notifications", { mode: "none" })).status, 303);
  assert.match((await owner.get("/admin/settings/notifications")).text, /value="none" checked/);
  assert.equal((await owner.post("/admin/settings/notifications", { mode: "everything" })).status, 422);
  assert.match((await owner.get("/admin/settings")).text, /href="\/admin\/settings\/notifications"/);
});
