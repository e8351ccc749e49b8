import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ownerEmail, ownerPassword, startTestApp, type TestApp } from "../support/app.ts";
import { launchBrowser, newPage } from "../support/browser.ts";
import { renderMarkdown } from "../../src/platform/markdown.ts";
import { demoImages } from "../../src/modules/demo/index.ts";
import { buildCourse } from "../../src/modules/courses/testing.ts";
import { testOffer } from "../../src/modules/offers/testing.ts";
import { makeShow } from "../../src/modules/podcasts/testing.ts";
import { makePost } from "../../src/modules/publishing/testing.ts";

/*
 * The home page in real Chromium, once per language: the creator signs in, sets a
 * portrait and a cover and moves the podcasts before the courses; a visitor then
 * reads the story, the featured offers, the latest posts (the paid one locked, its
 * body nowhere), the podcast and the course, and reaches the offers by a plain
 * "Offres"/"Pricing" link. Screenshots at 1280 and 390 px in /work/wt/shots/home.
 */

const shots = process.env.SHOTS_DIR ?? "/work/wt/shots/home";
const PAID = "PAID-BODY-NEVER-ON-HOME";

let browser: Browser;
let images: { cover: Uint8Array; portrait: Uint8Array };
before(async () => {
  browser = await launchBrowser();
  images = await demoImages();
});
after(async () => {
  await browser.close();
});

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

const words = {
  fr: {
    login: "Se connecter",
    save: "Enregistrer",
    saved: "C’est enregistré",
    offers: "Les offres",
    posts: "Derniers articles",
    courses: "Formations",
    podcasts: "Podcasts",
    nav: "Offres",
    pricing: "Offres",
    story: "J’ai appris à tourner",
    coverSave: "Enregistrer l’image",
  },
  en: {
    login: "Log in",
    save: "Save",
    saved: "Saved.",
    offers: "Offers",
    posts: "Latest posts",
    courses: "Courses",
    podcasts: "Podcasts",
    nav: "Pricing",
    pricing: "Pricing",
    story: "J’ai appris à tourner",
    coverSave: "Save the image",
  },
};

const story = [
  "J’ai appris à tourner chez un potier de Dieulefit, un hiver où je ne savais plus quoi faire de mes mains.",
  "",
  "Aujourd’hui je tourne, j’émaille et j’enfourne dans un ancien moulinage. **Ici, je raconte tout** : les cuissons réussies et les autres.",
].join("\n");

for (const locale of ["fr", "en"] as const) {
  test(`home journey (${locale}): the creator sets images and order; a visitor reads story, offers, posts, podcast, course`, async () => {
    const w = words[locale];
    const app: TestApp = await startTestApp({
      site: {
        locale,
        name: "L’atelier de Camille",
        tagline: "Céramique, tournage et transmission",
        storyMarkdown: story,
        storyHtml: renderMarkdown(story),
      },
    });
    try {
      const cercle = await testOffer(app, { slug: "cercle", name: "Le Cercle", kind: "tier", amount: 700 });
      await app.db
        .updateTable("offers")
        .set({
          highlight: 1,
          highlight_label: locale === "fr" ? "Le plus complet" : "Best value",
          summary: "Les coulisses, chaque semaine.",
        })
        .where("id", "=", cercle.id)
        .execute();
      const guide = await testOffer(app, { slug: "guide", name: "Guide de l’émail", kind: "product", amount: 1500 });
      await app.db
        .updateTable("offers")
        .set({ summary: "Quarante recettes testées." })
        .where("id", "=", guide.id)
        .execute();
      await makePost(app.db, {
        title: "Une fournée ratée, et tant mieux",
        excerpt: "Ce que le four m’a appris cette semaine.",
      });
      await makePost(
        app.db,
        {
          title: "Mes recettes d’émaux",
          excerpt: "Les dosages exacts, pour le Cercle.",
          body: `Début.\n\n<!-- paywall -->\n\n${PAID}`,
          audience: "paid",
        },
        "publish",
        [cercle.id],
      );
      const { course } = await buildCourse(app.db, { title: "Tourner son premier bol" });
      await makeShow(app, "La voix de l’atelier");

      const owner = await newPage(browser, { locale });
      try {
        const page = owner.page;
        await page.goto(`${app.url}/lang/${locale}?next=/admin/login`);
        await page.fill("#f-email", ownerEmail);
        await page.fill("#f-password", ownerPassword);
        await page.getByRole("button", { name: w.login }).click();
        await page.waitForURL(/\/admin/);
        await page.goto(`${app.url}/admin/settings/home`);
        await page.setInputFiles("#f-portrait", {
          name: "moi.jpg",
          mimeType: "image/jpeg",
          buffer: Buffer.from(images.portrait),
        });
        await page.setInputFiles("#f-cover", {
          name: "atelier.jpg",
          mimeType: "image/jpeg",
          buffer: Buffer.from(images.cover),
        });
        // Podcasts before courses: the podcast takes the courses' position, the rest follow.
        const coursesAt = await page.inputValue("#f-position-courses");
        await page.selectOption("#f-position-podcasts", coursesAt);
        await page.fill("#f-pricingIntro", "Trois façons de suivre l’atelier.");
        await page.getByRole("button", { name: w.save, exact: true }).click();
        await page.waitForURL(/saved=1/);
        assert.match((await page.textContent("[role=status]")) ?? "", new RegExp(w.saved));
        assert.equal(await page.locator(".home-image-current.portrait img").count(), 1);
        await shoot(page, `settings-${locale}-1280`);
        // The course's cover, from the course editor's own box.
        await page.goto(`${app.url}/admin/courses/${course.id}`);
        await page.setInputFiles("#f-course-cover", {
          name: "bol.jpg",
          mimeType: "image/jpeg",
          buffer: Buffer.from(images.cover),
        });
        await page.getByRole("button", { name: w.coverSave, exact: true }).click();
        await page.waitForURL(/saved=1/);
        assert.equal(await page.locator(".course-cover-current").count(), 1);
        assert.deepEqual(owner.errors.messages, []);
      } finally {
        await owner.close();
      }

      for (const width of [1280, 390]) {
        const visitor = await newPage(browser, { locale, width, height: 900 });
        try {
          const page = visitor.page;
          await page.goto(`${app.url}/`);
          const html = await page.content();
          assert.doesNotMatch(html, new RegExp(PAID));
          // Story first, then offers, posts, podcast (moved up by the creator), course.
          const tops = await page.evaluate(() =>
            Object.fromEntries(
              [".story", ...["offers", "posts", "podcasts", "courses"].map((k) => `[data-home-section=${k}]`)].map(
                (sel) => [sel, document.querySelector(sel)?.getBoundingClientRect().top ?? -1],
              ),
            ),
          );
          const order = Object.entries(tops)
            .sort((a, b) => a[1] - b[1])
            .map(([k]) => k);
          assert.deepEqual(order, [
            ".story",
            "[data-home-section=offers]",
            "[data-home-section=posts]",
            "[data-home-section=podcasts]",
            "[data-home-section=courses]",
          ]);
          assert.ok(Object.values(tops).every((t) => t > 0));
          assert.ok(html.includes(w.story));
          for (const h of [w.offers, w.posts, w.podcasts, w.courses])
            assert.equal(await page.getByRole("heading", { name: h, exact: true }).count(), 1, h);
          // The images really decode (the course card's is lazy: brought into view first).
          await page.locator(".home-card-cover img").scrollIntoViewIfNeeded();
          await page.waitForFunction(() => {
            const img = document.querySelector<HTMLImageElement>(".home-card-cover img");
            return !!img && img.complete && img.naturalWidth > 0;
          });
          for (const sel of [".home-cover img", ".home-portrait", ".home-card-cover img"])
            assert.ok((await page.$eval(sel, (img) => (img as HTMLImageElement).naturalWidth)) > 0, sel);
          // « J’ai… » opens the story: no decorative first letter there.
          assert.equal(await page.locator(".story.dropcap").count(), 0);
          await page.evaluate(() => window.scrollTo(0, 0));
          assert.match((await page.getAttribute('meta[property="og:image"]', "content")) ?? "", /^http.*\/media\//);
          assert.equal(
            await page.locator(".home-offer .offer-flag").first().textContent(),
            locale === "fr" ? "Le plus complet" : "Best value",
          );
          // No horizontal scroll on a phone.
          assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= width + 1);
          await shoot(page, `home-${locale}-${width}`);
          // A plain link to the offers, in the header.
          await page.locator("header nav").getByRole("link", { name: w.nav, exact: true }).click();
          await page.waitForURL(/\/pricing$/);
          assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), w.pricing);
          assert.match((await page.textContent(".pricing .lead")) ?? "", /Trois façons/);
          if (width === 1280) await shoot(page, `pricing-${locale}-${width}`);
          assert.deepEqual(visitor.errors.messages, []);
        } finally {
          await visitor.close();
        }
      }
    } finally {
      await app.stop();
    }
  });
}
