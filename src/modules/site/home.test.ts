import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { renderMarkdown } from "../../platform/markdown.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { updateSiteSettings } from "../../platform/settings.ts";
import { createMember } from "../members/index.ts";
import { opensOnAWord } from "./views/public.tsx";

const story = [
  "## Pourquoi je tourne",
  "",
  "J’ai appris la poterie chez ma grand-mère, à **Vallauris**.",
  "",
  "<script>alert('xss')</script>",
  "",
  "[un lien piégé](javascript:alert(1)) et [mon four](https://example.com/four)",
  "",
  '<a href="javascript:alert(2)">brut</a> <img src=x onerror="alert(3)">',
].join("\n");

let app: TestApp;
before(async () => {
  app = await startTestApp({
    site: {
      name: "Terre & Feu",
      tagline: "Céramique et transmission",
      storyMarkdown: story,
      storyHtml: renderMarkdown(story),
    },
  });
});
after(() => app.stop());

test("the home page opens with the creator's story, in a reading layout", async () => {
  const res = await app.client().get("/", { "accept-language": "fr" });
  assert.equal(res.status, 200);
  const html = res.text;
  assert.match(html, /<h1>Terre &amp; Feu<\/h1>/);
  assert.match(html, /class="tagline">Céramique et transmission</);
  assert.match(html, /<div class="prose story"><h2>Pourquoi je tourne<\/h2>/);
  assert.match(html, /<strong>Vallauris<\/strong>/);
  assert.match(html, /href="https:\/\/example.com\/four"/);
  assert.match(html, /<meta name="description" content="Céramique et transmission"/);
  // The story comes before the join box.
  assert.ok(html.indexOf("Pourquoi je tourne") < html.indexOf('action="/join"'));
});

test("story Markdown with <script> and javascript: links is sanitised on the home page", async () => {
  const html = (await app.client().get("/")).text;
  assert.doesNotMatch(html, /<script>alert/);
  assert.doesNotMatch(html, /href="javascript:/i);
  assert.doesNotMatch(html, /<img[^>]*onerror/i);
  // The page's only scripts are our own asset file.
  const scripts = html.match(/<script[^>]*>/g) ?? [];
  assert.ok(
    scripts.every((s) => /src="\/assets\//.test(s)),
    scripts.join(" "),
  );
});

test("the join box posts to /join with email, name and a translated consent (French)", async () => {
  const res = await app.client().get("/", { "accept-language": "fr" });
  const html = res.text;
  assert.match(html, /<form method="post" action="\/join"/);
  assert.match(html, /name="email" type="email" required/);
  assert.match(html, /name="name"/);
  assert.match(html, /type="checkbox" name="newsletter"/);
  assert.match(html, /de Terre &amp; Feu\. Je peux me désinscrire à tout moment\./);
  assert.match(html, /Restons en lien/);
});

test("the home page in English", async () => {
  const res = await app.client().get("/", { "accept-language": "en-US,en;q=0.9" });
  assert.match(res.text, /<html lang="en"/);
  assert.match(res.text, /Let’s stay in touch/);
  assert.match(res.text, /from Terre &amp; Feu[^<]*\. I can unsubscribe at any time\./);
});

test("anonymous pages are cacheable and carry no per-visitor token", async () => {
  for (const path of ["/", "/about"]) {
    const res = await app.client().get(path);
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /name="_csrf"/, path);
    assert.match(res.headers.get("cache-control") ?? "", /public/, path);
    assert.match(res.headers.get("vary") ?? "", /Accept-Language/, path);
    assert.equal(res.headers.get("set-cookie"), null, path);
  }
});

test("an anonymous join post needs no token (the members module takes it from there)", async () => {
  const res = await app.client().post("/join", { email: "lecteur@example.com", name: "", newsletter: "on" });
  assert.notEqual(res.status, 403);
  assert.ok(res.status < 500);
});

test("a logged-in member sees a friendly line and a link to the account instead of the form", async () => {
  const member = await createMember(
    app.db,
    { email: "marie@example.com", name: "Marie", locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  const { token } = await createSession(app.db, "member", member.id);
  const client = app.client();
  client.cookies.set("atl_m", token);
  const res = await client.get("/", { "accept-language": "fr" });
  assert.equal(res.status, 200);
  assert.match(res.text, /Vous faites partie des membres de Terre &amp; Feu/);
  assert.match(res.text, /href="\/account">Voir mon compte/);
  assert.doesNotMatch(res.text, /action="\/join"/);
  assert.match(res.headers.get("cache-control") ?? "", /private|no-store/);
});

test("/about shows the story while the about text is empty, then the about text", async () => {
  const first = await app.client().get("/about", { "accept-language": "en" });
  assert.equal(first.status, 200);
  assert.match(first.text, /<h1>About<\/h1>/);
  assert.match(first.text, /Pourquoi je tourne/);
  assert.match(first.text, /<meta name="description" content="Pourquoi je tourne J’ai appris/);
  await updateSiteSettings(app.db, {
    aboutMarkdown: "Installée à *Lyon* depuis 2012.",
    aboutHtml: renderMarkdown("Installée à *Lyon* depuis 2012."),
  });
  const second = await app.client().get("/about", { "accept-language": "fr" });
  assert.match(second.text, /<h1>À propos<\/h1>/);
  assert.match(second.text, /Installée à <em>Lyon<\/em> depuis 2012/);
  assert.doesNotMatch(second.text, /Pourquoi je tourne/);
  assert.match(second.text, /<meta name="description" content="Installée à Lyon depuis 2012\."/);
});

test("the home page renders about as fast as a bare health check", async () => {
  // Compared with /healthz (one tiny query) in the same run, so a busy machine slows both alike.
  const median = async (path: string) => {
    const times: number[] = [];
    for (let i = 0; i < 31; i++) {
      const started = performance.now();
      const res = await fetch(`${app.url}${path}`);
      await res.arrayBuffer();
      assert.equal(res.status, 200);
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[15]!;
  };
  await median("/");
  const home = await median("/");
  const health = await median("/healthz");
  assert.ok(home < health * 4 + 15, `home ${home.toFixed(1)} ms, healthz ${health.toFixed(1)} ms`);
});

test("the story's decorative first letter only on a plain opening word, never on « J’ai », a quote or a heading", () => {
  const opens = (md: string) => opensOnAWord(renderMarkdown(md));
  assert.equal(opens("Tout a commencé à Vallauris."), true);
  assert.equal(opens("Été 2019, j’ouvre l’atelier."), true);
  assert.equal(opens("J’ai appris à tourner."), false);
  assert.equal(opens("L'atelier ouvre."), false);
  assert.equal(opens("« Je tourne », dit-elle."), false);
  assert.equal(opens("**Ici**, je raconte tout."), false);
  assert.equal(opens("## Pourquoi\n\nTout a commencé."), false);
  assert.equal(opens("2019 : l’atelier."), false);
});
