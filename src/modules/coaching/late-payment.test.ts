import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { recipients } from "../../../test/support/smtp.ts";
import { waitFor } from "../../../test/support/raw-http.ts";
import { testClock } from "../../platform/time.ts";
import { transaction } from "../../platform/db/index.ts";
import { dispatchOutbox, type EventRow } from "../../platform/events/index.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { createStaffUser } from "../staff/index.ts";
import { logIn, newClient } from "../members/testing.ts";
import { getOffer } from "../offers/index.ts";
import { makeCoachingOffer, makeMember, setupAvailability } from "./testing.ts";
import { computeSlots } from "./availability.ts";
import { loadRules } from "./settings.ts";
import { releaseExpiredHolds } from "./jobs.ts";
import { memberCredits } from "./credits.ts";
import { applyPaidOrder } from "./payments.ts";
import { lateCreatorMail } from "./late-mail.ts";
import { updateSiteSettings } from "../../platform/settings.ts";
import type { CoachingOffer } from "./offers.ts";

/*
 * A payment that arrives after its 15-minute hold, through the real checkout
 * (dev provider): the time is booked again if still free; if it was taken,
 * the client keeps a credit and gets an email (fr/en) with both ways out,
 * the creator sees it among late payments and refunds it in one click
 * (owner only: an assistant gets a 403), which revokes the credit and
 * refunds the order once. A replayed payment changes nothing.
 */
const clock = testClock(new Date().toISOString()); // the dev provider's own timestamps are the system's
let app: TestApp;
let offer: CoachingOffer;
let slots: string[] = [];
let owner: TestClient;
let assistant: TestClient;

async function staffClient(staffId: string): Promise<TestClient> {
  const s = await createSession(app.db, "staff", staffId);
  const client = app.client();
  client.cookies.set("atl_s", s.token);
  await client.get("/admin");
  return client;
}

before(async () => {
  app = await startTestApp({ clock });
  await setupAvailability(app, { max_per_day: 0 });
  offer = await makeCoachingOffer(app, { kind: "single" });
  // Slots at least three days ahead, each on its own day (no buffers: an hour apart is enough).
  const all = computeSlots(await loadRules(app.db), { durationMin: 60, now: clock.nowMs() + 3 * 86_400_000, busy: [] });
  const byDay = new Map<string, string>();
  for (const s of all) if (!byDay.has(s.slice(0, 10))) byDay.set(s.slice(0, 10), s);
  slots = [...byDay.values()];
  const o = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  owner = await staffClient(o.id);
  const a = await createStaffUser(app.db, {
    email: `assistant-${Date.now().toString(36)}@atelier.test`,
    password: "another horse battery",
    name: "Camille",
    locale: "fr",
    role: "assistant",
  });
  assistant = await staffClient(a.id);
});
after(async () => {
  await app?.stop();
});

async function client(locale: "fr" | "en") {
  const m = await makeMember(app, locale);
  const c = newClient(app);
  await logIn(app, c, m.email);
  return { ...m, c };
}

/** Books the slot (held, pending payment) and opens the checkout; returns the dev checkout's path. */
async function holdAndCheckout(who: Awaited<ReturnType<typeof client>>, slot: string): Promise<string> {
  await who.c.get(`/coaching/${offer.slug}`);
  const booked = await who.c.post(`/coaching/${offer.slug}/book`, { startsAt: slot, timeZone: "America/New_York" });
  assert.equal(booked.status, 303, booked.text.slice(0, 400));
  const slug = (await getOffer(app.db, offer.offer_id!))!.slug;
  assert.equal(booked.location, `/offers/${slug}`);
  await who.c.get(booked.location!);
  const price = await app.db
    .selectFrom("prices")
    .select("id")
    .where("offer_id", "=", offer.offer_id!)
    .executeTakeFirstOrThrow();
  const start = await who.c.post("/checkout", { offer: offer.offer_id!, price: price.id });
  assert.equal(start.status, 303, start.text.slice(0, 400));
  return new URL(start.location!).pathname;
}

async function pay(who: Awaited<ReturnType<typeof client>>, checkoutPath: string): Promise<void> {
  await who.c.get(checkoutPath);
  assert.equal((await who.c.post(checkoutPath, { action: "pay" })).status, 303);
  await waitFor("coaching saw the payment", async () => {
    await dispatchOutbox(app.db, clock);
    const credit = await app.db
      .selectFrom("coaching_credits")
      .select("id")
      .where("member_id", "=", who.id)
      .executeTakeFirst();
    return !!credit;
  });
}

const statusOf = async (memberId: string, slot: string) =>
  (
    await app.db
      .selectFrom("coaching_bookings")
      .select("status")
      .where("member_id", "=", memberId)
      .where("starts_at", "=", slot)
      .executeTakeFirstOrThrow()
  ).status;

test("late payment, slot still free: the session is booked again", async () => {
  const slot = slots[0]!;
  const late = await client("fr");
  const path = await holdAndCheckout(late, slot);
  clock.advance(16 * 60_000);
  assert.equal(await releaseExpiredHolds(app.db, clock.nowMs()), 1);
  assert.equal(await statusOf(late.id, slot), "expired");
  await pay(late, path);
  assert.equal(await statusOf(late.id, slot), "confirmed");
  assert.equal((await memberCredits(app.db, late.id, clock.nowIso()))[0]!.left, 0, "the credit went to the booking");
});

test("late payment, slot taken: credit kept, email with both options, one-click refund (owner only), replay-safe", async () => {
  const slot = slots[1]!;
  const slow = await client("en");
  const fast = await client("fr");
  const slowPath = await holdAndCheckout(slow, slot);
  clock.advance(16 * 60_000);
  await releaseExpiredHolds(app.db, clock.nowMs());
  await pay(fast, await holdAndCheckout(fast, slot));
  assert.equal(await statusOf(fast.id, slot), "confirmed");
  await pay(slow, slowPath); // the webhook that comes too late
  assert.equal(await statusOf(slow.id, slot), "expired");
  assert.equal((await memberCredits(app.db, slow.id, clock.nowIso()))[0]!.left, 1, "the late payer keeps a session");

  const mail = await app.mail.waitFor(
    (m) => recipients(m).includes(slow.email) && /your choice/i.test(m.subject ?? ""),
  );
  assert.match(mail.text!, /Keep the session/);
  assert.match(mail.text!, /Get your money back/);
  assert.ok(mail.text!.includes(`/coaching/${offer.slug}`), "a link to book another time");
  // The creator is told in the site's language (French here), with the link to the late payments page.
  const creatorMail = await app.mail.waitFor(
    (m) => recipients(m).includes(ownerEmail) && /Paiement arrivé trop tard/.test(m.subject ?? ""),
  );
  const slowName = (
    await app.db.selectFrom("members").select("name").where("id", "=", slow.id).executeTakeFirstOrThrow()
  ).name;
  assert.ok(slowName && creatorMail.subject!.includes(`${slowName} garde une séance en crédit`), creatorMail.subject);
  assert.match(creatorMail.text!, /réservation provisoire/);
  assert.match(creatorMail.text!, /en un clic/);
  assert.ok(creatorMail.text!.includes("/admin/coaching/late-payments"), "a link to the late payments page");

  // The creator sees it; the assistant may look but not refund.
  const list = await owner.get("/admin/coaching/late-payments");
  assert.equal(list.status, 200);
  assert.ok(list.text.includes("séance gardée en crédit"));
  const booking = await app.db
    .selectFrom("coaching_bookings")
    .select(["id", "order_id"])
    .where("member_id", "=", slow.id)
    .executeTakeFirstOrThrow();
  assert.ok(list.text.includes(`/admin/coaching/late-payments/${booking.id}/refund`));
  const overview = await owner.get("/admin/coaching");
  assert.ok(overview.text.includes("1 paiement arrivé trop tard attend votre décision"));
  const aPage = await assistant.get("/admin/coaching/late-payments");
  assert.ok(!aPage.text.includes(`/late-payments/${booking.id}/refund`), "no refund button for an assistant");
  const refused = await assistant.post(`/admin/coaching/late-payments/${booking.id}/refund`);
  assert.equal(refused.status, 403);
  assert.equal((await memberCredits(app.db, slow.id, clock.nowIso()))[0]!.left, 1, "nothing changed");

  const done = await owner.post(`/admin/coaching/late-payments/${booking.id}/refund`);
  assert.equal(done.status, 303, done.text.slice(0, 400));
  await waitFor("the order is refunded", async () => {
    await dispatchOutbox(app.db, clock);
    const o = await app.db
      .selectFrom("orders")
      .select("status")
      .where("id", "=", booking.order_id!)
      .executeTakeFirstOrThrow();
    return o.status === "refunded";
  });
  assert.deepEqual(await memberCredits(app.db, slow.id, clock.nowIso()), [], "the credit is no longer bookable");
  const again = await owner.post(`/admin/coaching/late-payments/${booking.id}/refund`);
  assert.equal(again.status, 409, "a second click refunds nothing");
  assert.ok(again.text.includes("le remboursement est déjà demandé"));
  const refunds = await app.db
    .selectFrom("events")
    .select("id")
    .where("type", "=", "order.refund_requested")
    .where("member_id", "=", slow.id)
    .execute();
  assert.equal(refunds.length, 1);

  // The payment event replayed (a webhook seen twice, an outbox run again): no credit, no mail, no booking change.
  const paid = await app.db
    .selectFrom("events")
    .selectAll()
    .where("type", "=", "order.paid")
    .where("member_id", "=", slow.id)
    .executeTakeFirstOrThrow();
  const row: EventRow = {
    id: paid.id,
    type: paid.type,
    version: 1,
    actor: paid.actor,
    memberId: paid.member_id,
    createdAt: paid.created_at,
    data: JSON.parse(paid.data) as Record<string, unknown>,
  };
  await transaction(app.db, (trx) => applyPaidOrder(trx, row));
  const credits = await app.db.selectFrom("coaching_credits").select("id").where("member_id", "=", slow.id).execute();
  assert.equal(credits.length, 1);
  assert.deepEqual(await memberCredits(app.db, slow.id, clock.nowIso()), []);
  const lost = await app.db
    .selectFrom("jobs")
    .select("id")
    .where("dedupe_key", "=", `mail:coaching:lost:${booking.id}`)
    .execute();
  assert.equal(lost.length, 1);
  const creatorJobs = await app.db
    .selectFrom("jobs")
    .select("id")
    .where("dedupe_key", "=", `mail:coaching:lost-creator:${booking.id}`)
    .execute();
  assert.equal(creatorJobs.length, 1, "the creator's email is queued once");
  const toCreator = app.mail.messages.filter(
    (m) => recipients(m).includes(ownerEmail) && /Paiement arrivé trop tard/.test(m.subject ?? ""),
  );
  assert.equal(toCreator.length, 1, "and sent once");
  // On an English site the same email is in English.
  await updateSiteSettings(app.db, { locale: "en" });
  try {
    const en = await lateCreatorMail(app.db, "https://atelier.example", booking.id);
    assert.match(en!.subject, /A payment came too late: .+ keeps a session as a credit/);
    assert.match(en!.text!, /temporary hold ended/);
    assert.ok(en!.text!.includes("https://atelier.example/admin/coaching/late-payments"));
  } finally {
    await updateSiteSettings(app.db, { locale: "fr" });
  }
  assert.equal(await statusOf(slow.id, slot), "expired");
  assert.ok((await owner.get("/admin/coaching/late-payments")).text.includes("remboursement demandé"));
});
