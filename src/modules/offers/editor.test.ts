import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, ownerEmail, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { makePost } from "../publishing/testing.ts";
import { slugify } from "./operations/index.ts";

/**
 * The offer editor: one form saved together, nothing typed lost on a 422,
 * the address filled from the name, monthly by default, trials and names
 * checked with their limits, includes chosen in plain words, the badge in
 * the creator's word.
 */
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

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

function fields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    name: "Le Cercle",
    slug: "le-cercle",
    kind: "tier",
    position: "0",
    summary: "",
    description: "",
    highlight_label: "",
    price_kind: "month",
    price_amount: "",
    price_currency: "EUR",
    price_trial_days: "0",
    action: "save",
    ...overrides,
  };
}

test("slugify folds accents and keeps only letters, digits and dashes", () => {
  assert.equal(slugify("« Le Cercle »"), "le-cercle");
  assert.equal(slugify("Éloïse & l’Été — Œuvres"), "eloise-l-ete-oeuvres");
  assert.equal(slugify("  Straße  "), "strasse");
  assert.equal(slugify("!!!"), "");
  assert.ok(slugify("a".repeat(100)).length <= 64);
});

let offerPath = "";

test("creating: the address comes from the name; a refused name keeps what was typed, beside the field", async () => {
  await owner.get("/admin/offers");
  const long = "N".repeat(121);
  const bad = await owner.post("/admin/offers", { name: long, slug: "", kind: "product" });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /120 caractères au maximum/);
  assert.ok(bad.text.includes(`value="${long}"`), "the typed name is still in the field");
  assert.match(bad.text, /<option value="product" selected/);
  assert.doesNotMatch(bad.text, /pattern=/, "no pattern attribute (invalid under Chrome's v flag)");
  const created = await owner.post("/admin/offers", { name: "« Le Cercle »", slug: "", kind: "tier" });
  assert.equal(created.status, 303);
  offerPath = created.location!;
  const row = await app.db.selectFrom("offers").selectAll().where("slug", "=", "le-cercle").executeTakeFirstOrThrow();
  assert.equal(row.name, "« Le Cercle »");
  // The same name again: the address is taken, said beside the field, the name kept.
  await owner.get("/admin/offers");
  const again = await owner.post("/admin/offers", { name: "Le Cercle", slug: "", kind: "tier" });
  assert.equal(again.status, 409);
  assert.match(again.text, /f-slug-error/);
  assert.ok(again.text.includes('value="Le Cercle"'));
});

test("the live address check says free, taken or not valid", async () => {
  const j = async (q: string) => JSON.parse((await owner.get(`/admin/offers/slug-check?${q}`)).text);
  assert.deepEqual(await j("name=Le%20Cercle"), {
    slug: "le-cercle",
    ok: false,
    message: "Cette adresse est déjà utilisée par une autre offre.",
  });
  assert.equal((await j("slug=Pas%20Bon!")).ok, false);
  const free = await j("name=%C3%89t%C3%A9%20chez%20nous");
  assert.equal(free.slug, "ete-chez-nous");
  assert.equal(free.ok, true);
  const id = offerPath.split("/").pop()!;
  assert.equal((await j(`slug=le-cercle&offer=${id}`)).ok, true, "its own address is free for the offer itself");
});

test("a tier's new price defaults to monthly; adding a price saves the description typed with it", async () => {
  const page = await owner.get(offerPath);
  assert.match(page.text, /<option value="month" selected/);
  assert.doesNotMatch(page.text, /pattern=/);
  const res = await owner.post(
    offerPath,
    fields({
      description: "Un **cercle** de lecture.",
      price_amount: "7,50",
      price_trial_days: "7",
      action: "add_price",
    }),
  );
  assert.equal(res.status, 303);
  const id = offerPath.split("/").pop()!;
  const offer = await app.db.selectFrom("offers").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  assert.equal(offer.description_md, "Un **cercle** de lecture.");
  const prices = await app.db.selectFrom("prices").selectAll().where("offer_id", "=", id).execute();
  assert.equal(prices.length, 1);
  assert.equal(prices[0]!.interval, "month");
  assert.equal(prices[0]!.amount, 750);
  assert.equal(prices[0]!.trial_days, 7);
});

test("negative, absurd or fractional trials are refused (422 naming the range); everything typed comes back", async () => {
  const id = offerPath.split("/").pop()!;
  for (const trial of ["-7", "100000", "2.5", "sept"]) {
    await owner.get(offerPath);
    const description = `Texte tapé avant l’erreur (${trial}) — « à garder ».`;
    const res = await owner.post(
      offerPath,
      fields({
        description,
        summary: "Accroche tapée",
        price_amount: "12",
        price_trial_days: trial,
        action: "add_price",
      }),
    );
    assert.equal(res.status, 422, `trial ${trial}`);
    assert.match(res.text, /de 0 à 365/);
    assert.match(res.text, /id="f-price_trial_days-error"/);
    assert.ok(res.text.includes(esc(description)), "the description typed is still there");
    assert.ok(res.text.includes('value="Accroche tapée"'));
    assert.ok(res.text.includes(`value="${esc(trial)}"`), "the trial typed is shown to correct");
    assert.ok(res.text.includes('value="12"'), "the amount typed is kept");
  }
  const prices = await app.db.selectFrom("prices").selectAll().where("offer_id", "=", id).execute();
  assert.equal(prices.length, 1, "no price added");
  const offer = await app.db.selectFrom("offers").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  assert.equal(offer.summary, "", "nothing half-saved");
});

test("names and summaries too long get a 422 naming the limit, never a silent cut", async () => {
  await owner.get(offerPath);
  const res = await owner.post(offerPath, fields({ name: "x".repeat(121), summary: "s".repeat(201) }));
  assert.equal(res.status, 422);
  assert.match(res.text, /120 caractères au maximum/);
  assert.match(res.text, /200 caractères au maximum/);
  const id = offerPath.split("/").pop()!;
  assert.equal(
    (await app.db.selectFrom("offers").select("name").where("id", "=", id).executeTakeFirstOrThrow()).name,
    "Le Cercle",
  );
});

test("what the offer gives is chosen in plain words: all posts, chosen posts, downloads", async () => {
  const post = await makePost(app.db, { title: "Carnet d’octobre", audience: "paid" });
  const page = await owner.get(offerPath);
  assert.match(page.text, /Tous les articles réservés aux abonnés payants/);
  assert.match(page.text, /Carnet d’octobre/);
  assert.match(page.text, /Fichiers à télécharger/);
  assert.doesNotMatch(page.text, /course:identifiant|post:\*<\/textarea>/);
  const postId = post.id;
  const res = await owner.post(offerPath, fields({ includes: ["post:*", `post:${postId}`] }));
  assert.equal(res.status, 303);
  const id = offerPath.split("/").pop()!;
  const rows = await app.db.selectFrom("offer_includes").selectAll().where("offer_id", "=", id).execute();
  assert.deepEqual(rows.map((r) => `${r.resource_kind}:${r.resource_id}`).sort(), ["post:*", `post:${postId}`].sort());
  const again = await owner.get(offerPath);
  assert.match(again.text, /value="post:\*" checked/);
  const bad = await owner.post(offerPath, fields({ includes: ["<script>"] }));
  assert.equal(bad.status, 422);
});

test("the highlight badge says the creator's word, or « Recommandé » — never « Le plus choisi »", async () => {
  await owner.get(offerPath);
  assert.equal(
    (await owner.post(offerPath, fields({ highlight: "on", highlight_label: "", action: "publish" }))).status,
    303,
  );
  let pricing = await app.client().get("/pricing");
  assert.match(pricing.text, /class="offer-flag">Recommandé</);
  assert.doesNotMatch(pricing.text, /Le plus choisi/);
  await owner.get(offerPath);
  await owner.post(offerPath, fields({ highlight: "on", highlight_label: "Le plus complet" }));
  pricing = await app.client().get("/pricing?v=2");
  assert.match(pricing.text, /class="offer-flag">Le plus complet</);
  await owner.get(offerPath);
  const long = await owner.post(offerPath, fields({ highlight: "on", highlight_label: "m".repeat(41) }));
  assert.equal(long.status, 422);
  assert.match(long.text, /40 caractères au maximum/);
});

test("checkout refuses a too-long field with a 422 naming the limit (no silent cut)", async () => {
  const id = offerPath.split("/").pop()!;
  const price = await app.db.selectFrom("prices").select("id").where("offer_id", "=", id).executeTakeFirstOrThrow();
  const buyer = app.client();
  await buyer.get("/offers/le-cercle");
  const res = await buyer.post("/checkout", {
    offer: id,
    price: price.id,
    email: "a@example.org",
    code: "C".repeat(41),
  });
  assert.equal(res.status, 422);
  assert.match(res.text, /40 caractères au maximum/);
  assert.equal((await app.db.selectFrom("orders").select("id").execute()).length, 0);
});

test("prices take every Stripe currency with its own minor units: JPY and XOF have none, BHD three", async () => {
  const page = await owner.get(offerPath);
  for (const cur of ["XOF", "JPY", "MAD", "BHD"]) assert.match(page.text, new RegExp(`<option value="${cur}"`));
  const id = offerPath.split("/").pop()!;
  const cases: [string, string, number][] = [
    ["JPY", "1200", 1200],
    ["XOF", "5 000", 5000],
    ["BHD", "1.250", 1250],
  ];
  for (const [currency, typed, minor] of cases) {
    const res = await owner.post(
      offerPath,
      fields({ price_amount: typed, price_currency: currency, action: "add_price" }),
    );
    assert.equal(res.status, 303, `${currency} ${typed}`);
    const price = await app.db
      .selectFrom("prices")
      .selectAll()
      .where("offer_id", "=", id)
      .where("currency", "=", currency)
      .executeTakeFirstOrThrow();
    assert.equal(price.amount, minor, currency);
  }
  // Cents on a currency that has none are refused, with the typed amount kept.
  const bad = await owner.post(
    offerPath,
    fields({ price_amount: "12,50", price_currency: "JPY", action: "add_price" }),
  );
  assert.equal(bad.status, 422);
  assert.ok(bad.text.includes('value="12,50"'));
  assert.match(bad.text, /<option value="JPY" selected/);
});

test("« Montrer sur la page d'accueil »: the ticked offers, in the creator's order; none ticked = the highlighted one first", async () => {
  const homeCards = async (n: number) => {
    const home = await app.client().get(`/?v=${n}`);
    return [...home.text.matchAll(/<h3 id="ho-[^"]+">([^<]+)<\/h3>/g)].map((m) => m[1]);
  };
  const evening = { name: "Atelier du soir", slug: "atelier-du-soir", kind: "product", position: "3" };
  const notebook = { name: "Carnet", slug: "carnet", kind: "product", position: "5", highlight: "on" };
  const save = async (path: string, values: Record<string, string>) => {
    await owner.get(path);
    return owner.post(path, fields(values));
  };
  const paths: string[] = [];
  for (const o of [evening, notebook]) {
    await owner.get("/admin/offers");
    const created = await owner.post("/admin/offers", { name: o.name, slug: "", kind: "product" });
    assert.equal(created.status, 303);
    paths.push(created.location!);
    assert.equal((await save(created.location!, { ...o, action: "publish" })).status, 303);
  }
  const [eveningPath, notebookPath] = paths as [string, string];
  // Nothing ticked: today's rule, the highlighted one first, then the creator's order.
  const byDefault = await homeCards(1);
  assert.deepEqual(byDefault, ["Carnet", "Le Cercle", "Atelier du soir"]);
  // A refused save keeps the tick (one form, nothing lost) and stores nothing.
  const bad = await save(notebookPath, { ...notebook, featured_home: "on", highlight_label: "m".repeat(41) });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /name="featured_home" checked/);
  const stored = await app.db
    .selectFrom("offers")
    .select("featured_home")
    .where("slug", "=", "carnet")
    .executeTakeFirstOrThrow();
  assert.equal(stored.featured_home, 0);
  // Ticked: exactly those, in the creator's order (3 before 5) — the highlight no longer jumps ahead.
  assert.equal((await save(notebookPath, { ...notebook, featured_home: "on" })).status, 303);
  assert.equal((await save(eveningPath, { ...evening, featured_home: "on" })).status, 303);
  assert.deepEqual(await homeCards(2), ["Atelier du soir", "Carnet"]);
  const page = await owner.get(eveningPath);
  assert.match(page.text, /name="featured_home" checked/);
  assert.match(page.text, /Montrer sur la page d’accueil/);
  // Unticking both brings the default back.
  await save(notebookPath, notebook);
  await save(eveningPath, evening);
  assert.deepEqual(await homeCards(3), byDefault);
});
