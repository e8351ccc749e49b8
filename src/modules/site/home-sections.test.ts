import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { ownerEmail, startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { getSetting, type SiteSettings } from "../../platform/settings.ts";
import { buildCourse } from "../courses/testing.ts";
import { buyThroughDev, memberClient, testOffer } from "../offers/testing.ts";
import { makeShow } from "../podcasts/testing.ts";
import { createTier, makePost, pngBytes } from "../publishing/testing.ts";
import { filesOnDisk, multipart, svgLogo, type Upload } from "./testing.ts";

let app: TestApp;
let owner: TestClient;
const PAID_BODY = "CORPS-PAYANT-JAMAIS-SUR-L-ACCUEIL";

before(async () => {
  app = await startTestApp();
  const row = await app.db
    .selectFrom("staff_users")
    .select("id")
    .where("email", "=", ownerEmail)
    .executeTakeFirstOrThrow();
  const { token } = await createSession(app.db, "staff", row.id);
  owner = app.client();
  owner.cookies.set("atl_s", token);
});
after(() => app.stop());

const site = async () => (await getSetting<SiteSettings>(app.db, "site"))!;

async function postHome(fields: Record<string, string>, files: Record<string, Upload> = {}, lang = "fr") {
  await owner.get("/admin/settings/home");
  return owner.request("POST", "/admin/settings/home", {
    body: multipart({ _csrf: owner.csrf, ...fields }, files),
    headers: { "accept-language": lang },
  });
}

/** The form as the browser sends it with the current order, every section shown. */
async function currentFields(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const html = (await owner.get("/admin/settings/home")).text;
  const fields: Record<string, string> = { membersWelcome: "", pricingIntro: "" };
  for (const m of html.matchAll(/<select id="f-(position-[a-z]+)" name="[^"]+"[^>]*>([\s\S]*?)<\/select>/g))
    fields[m[1]!] = /<option value="(\d+)" selected/.exec(m[2]!)?.[1] ?? "";
  for (const m of html.matchAll(/name="(show-[a-z]+)"/g)) fields[m[1]!] = "on";
  return { ...fields, ...extra };
}

test("the home page: story first, then offers, posts, courses and podcasts; a paid post's body never on /", async () => {
  const tier = await createTier(app.db, "Le Cercle");
  await app.db
    .updateTable("offers")
    .set({ highlight: 1, highlight_label: "Le plus complet", summary: "Tout l’atelier" })
    .where("id", "=", tier)
    .execute();
  await testOffer(app, { slug: "carnet", name: "Carnet d’émaux", kind: "product", amount: 1200 });
  await makePost(app.db, { title: "Billet public", body: "Un texte ouvert." });
  await makePost(
    app.db,
    {
      title: "Billet pour les abonnés",
      excerpt: "Ce que je prépare.",
      body: `Le début.\n\n${PAID_BODY}`,
      audience: "paid",
    },
    "publish",
    [tier],
  );
  await buildCourse(app.db, { title: "Émailler chez soi" });
  await makeShow(app, "La voix de l’atelier");

  const res = await app.client().get("/", { "accept-language": "fr" });
  assert.equal(res.status, 200);
  const html = res.text;
  const at = (s: string) => html.indexOf(s);
  assert.ok(at('class="prose story') > 0, "story");
  for (const key of ["offers", "posts", "courses", "podcasts"]) assert.ok(at(`data-home-section="${key}"`) > 0, key);
  assert.ok(at('class="prose story') < at('data-home-section="offers"'));
  assert.ok(at('data-home-section="offers"') < at('data-home-section="posts"'));
  assert.ok(at('data-home-section="posts"') < at('data-home-section="courses"'));
  assert.ok(at('data-home-section="courses"') < at('data-home-section="podcasts"'));
  // Offer cards: badge in the creator's word, price, link to the offer page.
  assert.match(html, /class="offer-flag">Le plus complet</);
  assert.match(html, /5,00\s€/);
  assert.match(html, /href="\/offers\/carnet"/);
  assert.match(html, /href="\/pricing">Toutes les offres/);
  // The paid post: its title and public summary with a lock badge, never its body.
  assert.match(html, /Billet pour les abonnés/);
  assert.match(html, /Ce que je prépare\./);
  assert.doesNotMatch(html, new RegExp(PAID_BODY));
  assert.match(html, /Émailler chez soi/);
  assert.match(html, /La voix de l’atelier/);
  // Navigation: a plain "Offres" link, not "Soutenir".
  assert.match(html, /<a href="\/pricing">Offres<\/a>/);
  assert.doesNotMatch(html, />Soutenir</);
  const en = await app.client().get("/", { "accept-language": "en" });
  assert.match(en.text, /<a href="\/pricing">Pricing<\/a>/);
  assert.match(en.text, /Latest posts/);
  assert.doesNotMatch(en.text, new RegExp(PAID_BODY));
});

test("the creator hides and reorders sections; the home page follows", async () => {
  const fields = await currentFields({ "position-podcasts": "1", "position-offers": "2" });
  delete fields["show-posts"];
  const res = await postHome(fields);
  assert.equal(res.status, 303);
  const order = (await site()).homeSections.map((s) => s.key);
  assert.equal(order[0], "podcasts");
  assert.equal((await site()).homeSections.find((s) => s.key === "posts")?.shown, false);
  const html = (await app.client().get("/")).text;
  assert.ok(html.indexOf('data-home-section="podcasts"') < html.indexOf('data-home-section="offers"'));
  assert.doesNotMatch(html, /data-home-section="posts"/);
  // Posts shown again for the tests after.
  assert.equal((await postHome(await currentFields({ "show-posts": "on" }))).status, 303);
});

test("latest posts: all (paid ones locked, summary only) by default, or only public ones by the creator's choice", async () => {
  assert.equal((await site()).homePosts ?? "all", "all");
  let html = (await app.client().get("/?p=1")).text;
  assert.match(html, /Billet pour les abonnés/);
  assert.match(html, /class="home-lock"/);
  assert.doesNotMatch(html, new RegExp(PAID_BODY));
  const form = (await owner.get("/admin/settings/home")).text;
  assert.match(form, /name="homePosts" value="all" checked/);
  assert.match(form, /Seulement les articles publics/);
  // Something else than the two choices: 422, the rest of the form kept, nothing stored.
  const bad = await postHome(await currentFields({ homePosts: "members", pricingIntro: "Mon intro gardée" }), {}, "en");
  assert.equal(bad.status, 422);
  assert.match(bad.text, /Mon intro gardée/);
  assert.match(bad.text, /Only public posts/);
  assert.equal((await site()).homePosts ?? "all", "all");
  assert.equal((await postHome(await currentFields({ homePosts: "public" }))).status, 303);
  assert.equal((await site()).homePosts, "public");
  html = (await app.client().get("/?p=2")).text;
  assert.match(html, /Billet public/);
  assert.doesNotMatch(html, /Billet pour les abonnés/);
  assert.match((await owner.get("/admin/settings/home")).text, /name="homePosts" value="public" checked/);
  assert.equal((await postHome(await currentFields({ homePosts: "all" }))).status, 303);
  assert.match((await app.client().get("/?p=3")).text, /Billet pour les abonnés/);
});

test("bad input on the home settings: 422 in the user's language, what was typed kept, nothing stored", async () => {
  const before = await site();
  const files = (await app.db.selectFrom("files").select("id").execute()).length;
  const typed = "Bienvenue dans le cercle : ici, les **coulisses**.";
  const res = await postHome(
    await currentFields({ "position-offers": "0", pricingIntro: "x".repeat(500), membersWelcome: typed }),
    { portrait: { bytes: svgLogo, name: "moi.png", type: "image/png" } },
    "en",
  );
  assert.equal(res.status, 422);
  assert.match(res.text, /id="f-position-offers-error"/);
  assert.match(res.text, /Choose a position from 1 to \d/);
  assert.match(res.text, /id="f-pricingIntro-error"/);
  assert.match(res.text, /id="f-portrait-error"/);
  assert.match(res.text, /Bienvenue dans le cercle : ici, les \*\*coulisses\*\*\./);
  const control = await postHome(await currentFields({ pricingIntro: "Bonjour\u0007" }));
  assert.equal(control.status, 422);
  assert.deepEqual(await site(), before);
  assert.equal((await app.db.selectFrom("files").select("id").execute()).length, files);
});

test("portrait and cover: upload, shown on / and as og:image, too big and wrong type refused, remove", async () => {
  const png = await pngBytes(80, 60);
  const res = await postHome(await currentFields({ membersWelcome: "Merci d’être là." }), {
    portrait: { bytes: png, name: "moi.png", type: "image/png" },
    cover: { bytes: png, name: "couverture.png", type: "image/png" },
  });
  assert.equal(res.status, 303);
  const s = await site();
  assert.ok(s.portraitFileId && s.coverFileId);
  const home = (await app.client().get("/")).text;
  assert.match(home, new RegExp(`class="home-cover"><img src="/media/${s.coverFileId}"`));
  assert.match(home, new RegExp(`class="home-portrait" src="/media/${s.portraitFileId}"`));
  assert.match(home, new RegExp(`<meta property="og:image" content="http[^"]+/media/${s.coverFileId}"`));
  assert.equal((await fetch(`${app.url}/media/${s.coverFileId}`)).headers.get("content-type"), "image/png");

  // Too big: 6 MB, over the cover's 5 MB; the page answers with the field's error and keeps the text.
  const big = new Uint8Array(6 * 1024 * 1024);
  big.set(png);
  const tooBig = await postHome(await currentFields({ membersWelcome: "Texte gardé" }), {
    cover: { bytes: big, name: "grande.png", type: "image/png" },
  });
  assert.equal(tooBig.status, 422);
  assert.match(tooBig.text, /id="f-cover-error"[^>]*>[^<]*5/);
  assert.match(tooBig.text, /Texte gardé/);
  const wrong = await postHome(await currentFields(), {
    cover: { bytes: new TextEncoder().encode("GIF? non"), name: "c.gif", type: "image/gif" },
  });
  assert.equal(wrong.status, 422);
  assert.equal((await site()).coverFileId, s.coverFileId);

  const removed = await postHome(await currentFields({ removeCover: "on" }));
  assert.equal(removed.status, 303);
  assert.equal((await site()).coverFileId, null);
  assert.equal((await site()).portraitFileId, s.portraitFileId);
  assert.equal((await fetch(`${app.url}/media/${s.coverFileId}`)).status, 404);
  const onDisk = filesOnDisk(app.running.services.config.filesDir).length;
  assert.equal(onDisk, (await app.db.selectFrom("files").select("id").execute()).length);
});

test("an aborted upload stores nothing and the site keeps answering", async () => {
  const before = await site();
  const files = (await app.db.selectFrom("files").select("id").execute()).length;
  await owner.get("/admin/settings/home");
  const boundary = "----atelier-abort";
  const head = Buffer.from(
    `--${boundary}\r\ncontent-disposition: form-data; name="_csrf"\r\n\r\n${owner.csrf}\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="cover"; filename="c.png"\r\ncontent-type: image/png\r\n\r\n`,
  );
  await new Promise<void>((resolve) => {
    const req = http.request(`${app.url}/admin/settings/home`, {
      method: "POST",
      agent: false,
      headers: {
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": String(head.length + 2 * 1024 * 1024),
        cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      },
    });
    req.on("error", () => resolve());
    req.on("close", () => resolve());
    req.write(head);
    req.write(Buffer.alloc(64 * 1024));
    // The browser goes away half-way through the file.
    setImmediate(() => req.destroy());
  });
  assert.equal((await app.client().get("/")).status, 200);
  assert.deepEqual(await site(), before);
  assert.equal((await app.db.selectFrom("files").select("id").execute()).length, files);
});

test("the members' area shows the creator's welcome; pricing shows the creator's introduction", async () => {
  await postHome(
    await currentFields({
      membersWelcome: "Ici, **les coulisses** du four.",
      pricingIntro: "Trois façons de me suivre.",
    }),
  );
  const pricing = (await app.client().get("/pricing")).text;
  assert.match(pricing, /<p class="lead">Trois façons de me suivre\.<\/p>/);
  assert.doesNotMatch(pricing, /Chaque soutien compte/);
  const tier = await testOffer(app, { slug: "cercle-area", name: "Cercle", kind: "tier", amount: 700 });
  const memberId = await buyThroughDev(app, app.client(), tier, "eloise@example.test");
  const area = await (await memberClient(app, memberId)).get("/members-area");
  assert.equal(area.status, 200);
  assert.match(area.text, /Ici, <strong>les coulisses<\/strong> du four\./);
  assert.doesNotMatch(area.text, /carnets de travail|work notebooks/);
  // The welcome is Markdown sanitised on save, like the story.
  await postHome(await currentFields({ membersWelcome: "Salut <script>alert(1)</script> [x](javascript:alert(2))" }));
  const hostile = await (await memberClient(app, memberId)).get("/members-area");
  assert.doesNotMatch(hostile.text, /<script>alert|href="javascript:/);
  await postHome(await currentFields({ membersWelcome: "" }));
  const neutral = await (await memberClient(app, memberId)).get("/members-area", { "accept-language": "en" });
  assert.match(neutral.text, /Welcome to the members’ area of/);
});

test("the home settings page needs the owner", async () => {
  const res = await app.client().get("/admin/settings/home");
  assert.equal(res.status, 303);
  const page = await owner.get("/admin/settings/home", { "accept-language": "en" });
  assert.equal(page.status, 200);
  assert.match(page.text, /Home page sections/);
  assert.match(page.text, /Featured offers/);
});
