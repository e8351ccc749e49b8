import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, type TestApp } from "../../../test/support/app.ts";
import { staffActor, type Actor } from "../../platform/actor.ts";
import { describeEvent, timelineFormat } from "../../platform/events/index.ts";
import { runOperation } from "../../platform/operations.ts";
import { createDiscount, createOffer, saveOffer, setOfferStatus, toggleDiscount } from "./operations/index.ts";

/**
 * Staff edits to the catalogue are declared events with no member (the audit trail), saying
 * what changed: a save that changes the name and adds a price reads so, in French and English.
 */
let app: TestApp;
let owner: Actor;

before(async () => {
  app = await startTestApp();
  const staff = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  owner = staffActor(staff.id, "owner");
});

after(async () => {
  await app.stop();
});

async function lastEvent(type: string) {
  const row = await app.db
    .selectFrom("events")
    .select(["type", "version", "data", "member_id", "actor"])
    .where("type", "=", type)
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  return { ...row, data: JSON.parse(row.data) as Record<string, unknown>, version: Number(row.version) };
}

const read = (e: { type: string; version: number; data: unknown }, locale: "fr" | "en") =>
  describeEvent(e, timelineFormat(locale)).text.replace(/[\u00a0\u202f]/g, " ");

test("creating and editing an offer records offer.saved with what changed, readable in fr and en", async () => {
  const s = app.running.services;
  const { id } = await runOperation(s, createOffer, owner, { name: "Le Cercle", slug: "", kind: "tier" });
  const created = await lastEvent("offer.saved");
  assert.equal(created.member_id, null);
  assert.equal(created.actor, "staff");
  assert.equal(read(created, "fr"), "Offre « Le Cercle » créée");

  await runOperation(s, saveOffer, owner, {
    id,
    name: "Le Grand Cercle",
    slug: "le-cercle",
    kind: "tier",
    position: "0",
    summary: "",
    description: "",
    highlight_label: "",
    price_kind: "month",
    price_amount: "19",
    price_currency: "EUR",
    price_trial_days: "0",
    action: "add_price",
  });
  const edited = await lastEvent("offer.saved");
  assert.deepEqual(edited.data.changes, ["name", "price_added"]);
  assert.equal(read(edited, "fr"), "Offre « Le Grand Cercle » modifiée : nom et prix ajouté (19,00 € / mois)");
  assert.equal(read(edited, "en"), "Offer “Le Grand Cercle” edited: name and price added (€19.00 / month)");

  await runOperation(s, setOfferStatus, owner, { id, status: "published" });
  const published = await lastEvent("offer.saved");
  assert.deepEqual(published.data.changes, ["status"]);
  assert.equal(read(published, "fr"), "Offre « Le Grand Cercle » modifiée : statut → publiée");
});

test("a discount code created and switched off is on the audit trail", async () => {
  const s = app.running.services;
  await runOperation(s, createDiscount, owner, { code: "printemps", kind: "percent", value: "10", max: "" });
  const created = await lastEvent("discount.saved");
  assert.equal(read(created, "fr"), "Code de réduction PRINTEMPS créé");
  const row = await app.db
    .selectFrom("discount_codes")
    .select("id")
    .where("code", "=", "PRINTEMPS")
    .executeTakeFirstOrThrow();
  await runOperation(s, toggleDiscount, owner, { id: row.id });
  assert.equal(read(await lastEvent("discount.saved"), "en"), "Discount code PRINTEMPS switched off");
});
