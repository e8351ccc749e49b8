import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { parseFeed } from "podcast-partytime";
import Parser from "rss-parser";
import { ownerEmail, ownerPassword, startTestApp } from "../../../test/support/app.ts";
import { launchBrowser, newPage, screenshot } from "../../../test/support/browser.ts";
import { linkIn } from "../../../test/support/client.ts";
import { recipients } from "../../../test/support/smtp.ts";
import { createOffer } from "../offers/index.ts";
import { silentMp3 } from "./audio.ts";
import { coverBytes } from "./testing.ts";

/*
 * The podcast journey in Chromium, once per language: the creator publishes a
 * show with a public and a paid episode through the admin forms; a visitor
 * buys the tier with the dev provider, opens "Listen in your app", and the
 * private feed URL parses with the paid episode in it; the member cancels and
 * the paid episode leaves their feed. Screenshots at 390 and 1280 px.
 */

let browser: Browser;
let dir: string;
before(async () => {
  browser = await launchBrowser();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "podcast-journey-"));
  fs.writeFileSync(path.join(dir, "cover.png"), await coverBytes(1400));
  fs.writeFileSync(path.join(dir, "public.mp3"), silentMp3(3));
  fs.writeFileSync(path.join(dir, "paid.mp3"), silentMp3(4));
});
after(async () => {
  await browser.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

const copy = {
  fr: { listen: /Écouter dans votre appli/, locked: /Épisode réservé aux membres/ },
  en: { listen: /Listen in your app/, locked: /Members-only episode/ },
} as const;

for (const locale of ["fr", "en"] as const) {
  test(`podcast journey in ${locale}: publish, buy, listen in an app, cancel`, async () => {
    const app = await startTestApp({ site: { locale } });
    await createOffer(
      app.db,
      { slug: "cercle", kind: "tier", name: "Le cercle", summary: "Les coulisses", status: "published", position: 1 },
      [{ kind: "recurring", interval: "month", amount: 500, currency: "EUR" }],
    );
    const creator = await newPage(browser, { locale, width: 1280 });
    const visitor = await newPage(browser, { locale, width: 390, height: 844 });
    const anon = await newPage(browser, { locale, width: 1280 });
    try {
      // The creator publishes the show and two episodes.
      const p = creator.page;
      await p.goto(`${app.url}/admin/login`);
      await p.fill("[name=email]", ownerEmail);
      await p.fill("[name=password]", ownerPassword);
      await submit(p, "main form button[type=submit]");
      await p.goto(`${app.url}/admin/podcasts/new`);
      await p.fill("[name=title]", "Les Voix de l’atelier");
      await p.fill("[name=description]", "La terre, les émaux, les ratés et les fiertés.");
      await p.fill("[name=author]", "Camille");
      await p.fill("[name=ownerEmail]", "podcast@atelier.test");
      await p.selectOption("[name=categories]", ["Arts", "Leisure > Crafts"]);
      await p.setInputFiles("[name=cover]", path.join(dir, "cover.png"));
      await screenshot(p, `podcasts-${locale}-admin-show-1280`);
      await submit(p, "form[action='/admin/podcasts/show-save'] button[type=submit]");
      const show = await app.db.selectFrom("podcast_shows").selectAll().executeTakeFirstOrThrow();
      assert.equal(new URL(p.url()).pathname, `/admin/podcasts/${show.id}`);
      for (const [title, file, audience] of [
        ["Centrer la terre", "public.mp3", "public"],
        ["Les secrets du four", "paid.mp3", "paid"],
      ] as const) {
        await p.goto(`${app.url}/admin/podcasts/${show.id}/episodes/new`);
        await p.fill("[name=title]", title);
        await p.setInputFiles("[name=audio]", path.join(dir, file));
        await p.fill("[name=notes]", `Notes : **${title}**`);
        await p.selectOption("[name=audience]", audience);
        if (audience === "paid") await screenshot(p, `podcasts-${locale}-admin-episode-1280`);
        await submit(p, "form[action='/admin/podcasts/episode-save'] button[type=submit]");
        assert.equal(new URL(p.url()).pathname, `/admin/podcasts/${show.id}`);
      }
      await screenshot(p, `podcasts-${locale}-admin-list-1280`);

      // A visitor sees the public episode and the locked one.
      await anon.page.goto(`${app.url}/podcasts/${show.slug}`);
      const showText = (await anon.page.textContent("main")) ?? "";
      assert.ok(showText.includes("Centrer la terre") && !showText.includes("Les secrets du four"));
      assert.match(showText, copy[locale].locked);
      await screenshot(anon.page, `podcasts-${locale}-show-1280`);

      // The visitor buys the tier with the dev provider and signs in from the email.
      const v = visitor.page;
      const nina = `nina-${locale}@example.org`;
      await v.goto(`${app.url}/offers/cercle`);
      await v.fill("form[action='/checkout'] [name=email]", nina);
      await submit(v, "form[action='/checkout'] button[type=submit]");
      await submit(v, "button[name=action][value=pay]");
      const mail = await app.mail.waitFor(
        (m) => recipients(m).includes(nina) && (m.text ?? "").includes(`${app.url}/login/verify`),
      );
      await v.goto(app.url + linkIn(mail.text!, app.url, "/login/verify"));
      await submit(v, "main form button[type=submit]");

      // "Listen in your app": the private URL parses, with the paid episode.
      await v.goto(`${app.url}/podcasts/${show.slug}/listen`);
      assert.match((await v.textContent("main")) ?? "", copy[locale].listen);
      await screenshot(v, `podcasts-${locale}-listen-390`);
      const feedUrl = await v.inputValue("#private-feed");
      const feed = await v.request.get(feedUrl, { headers: { "user-agent": "Overcast/3.0" } });
      const xml = await feed.text();
      const parsed = parseFeed(xml)!;
      assert.deepEqual(parsed.items.map((i) => i.title).sort(), ["Centrer la terre", "Les secrets du four"]);
      assert.equal((await new Parser().parseString(xml)).items.length, 2);
      const paidSlug = (
        await app.db
          .selectFrom("podcast_episodes")
          .select("slug")
          .where("audience", "=", "paid")
          .executeTakeFirstOrThrow()
      ).slug;
      await v.goto(`${app.url}/podcasts/${show.slug}/${paidSlug}`);
      assert.ok(((await v.textContent("main")) ?? "").includes("Les secrets du four"));
      await screenshot(v, `podcasts-${locale}-episode-390`);

      // The member cancels; at the period's end the paid episode leaves their feed (same URL).
      await v.goto(`${app.url}/account`);
      await submit(v, "form[action='/account/billing'] button[type=submit]");
      await submit(v, "button[name=action][value=cancel]");
      await v.goto(v.url());
      const portal = v.url();
      await v.goto(portal);
      await submit(v, "button[name=action][value=period_end]");
      const after = await (await v.request.get(feedUrl)).text();
      const titles = parseFeed(after)!.items.map((i) => i.title);
      assert.ok(!titles.includes("Les secrets du four"), "the paid episode is gone");
      assert.ok(titles.includes("Centrer la terre"));
      assert.equal(titles.length, 2, "plus one item saying how to renew");
      for (const [who, pg] of Object.entries({ creator, visitor, anon }))
        assert.deepEqual(pg.errors.messages, [], `no console errors for ${who}`);
    } finally {
      await creator.close();
      await visitor.close();
      await anon.close();
      await app.stop();
    }
  });
}
