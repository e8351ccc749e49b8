import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { ownerEmail, ownerPassword, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { launchBrowser, newPage } from "../../../test/support/browser.ts";
import { sessionCookie } from "../../platform/security/sessions.ts";
import { findPostBySlug } from "./service.ts";
import { createTier, memberWithSession, pngBytes } from "./testing.ts";

/*
 * The owner writes a post with a paywall marker and an image in the real
 * editor (toolbar, upload, live preview), previews it as a free and as a
 * paying member, publishes; a paying member reads it all, a free member the
 * teaser and the call to upgrade. In French and in English.
 */

let app: TestApp;
let browser: Browser;
let tier: string;
before(async () => {
  app = await startTestApp();
  browser = await launchBrowser();
  tier = await createTier(app.db, "Cercle");
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

const words = {
  fr: {
    login: "Se connecter",
    paywall: "Réservé à partir d’ici",
    publish: "Publier",
    saveDraft: "Enregistrer le brouillon",
    published: "Article publié.",
    upsell: "La suite est réservée aux abonnés",
    free: "comme membre gratuit",
    paid: "comme abonné payant",
  },
  en: {
    login: "Log in",
    paywall: "Members only from here",
    publish: "Publish",
    saveDraft: "Save draft",
    published: "Post published.",
    upsell: "The rest is for subscribers",
    free: "as a free member",
    paid: "as a paying member",
  },
};

for (const locale of ["fr", "en"] as const) {
  test(`journey (${locale}): write with a paywall and an image, preview, publish; paying member reads all, free member the teaser`, async () => {
    const w = words[locale];
    const secret = `PAID-PART-${locale}-${Date.now().toString(36)}`;
    const title = locale === "fr" ? "Émaux d’hiver" : "Winter glazes";
    const { page, errors, close } = await newPage(browser, { locale });
    try {
      await page.goto(`${app.url}/lang/${locale}?next=/admin/login`);
      await page.fill("#f-email", ownerEmail);
      await page.fill("#f-password", ownerPassword);
      await page.getByRole("button", { name: w.login }).click();
      await page.waitForURL(/\/admin/);
      await page.goto(`${app.url}/admin/posts/new`);
      await page.fill("#f-title", title);
      assert.equal(
        await page.inputValue("#f-slug"),
        locale === "fr" ? "emaux-dhiver" : "winter-glazes",
        "slug follows the title",
      );
      await page.fill("#f-excerpt", locale === "fr" ? "Trois recettes d’émail." : "Three glaze recipes.");
      await page
        .locator("#f-body")
        .fill(locale === "fr" ? "Le début, pour tout le monde." : "The start, for everyone.");
      await page.locator("#f-body").press("End");
      await page.getByRole("button", { name: w.paywall }).click();
      await page.locator("#f-body").press("End");
      await page.locator("#f-body").pressSequentially(`${secret} **recette**`);
      // Image by the toolbar button (its hidden file input), inserted as Markdown.
      await page
        .locator("[data-image-input]")
        .setInputFiles({ name: "four.png", mimeType: "image/png", buffer: Buffer.from(await pngBytes(1200, 800)) });
      await page.waitForFunction(() =>
        /!\[four\]\(\/post-media\//.test((document.querySelector("#f-body") as HTMLTextAreaElement).value),
      );
      await page.check(`input[name=audience][value=offers]`);
      await page.check(`input[name=offers][value="${tier}"]`);
      await page.fill("#f-tags", locale === "fr" ? "émail, recettes" : "glaze, recipes");
      // Live preview shows both parts and where the paywall sits.
      await page.locator(".tool-preview").click();
      await page.waitForSelector(".md-preview .md-paywall-line");
      assert.match((await page.locator(".md-preview").innerHTML()) ?? "", /<strong>recette<\/strong>/);
      assert.equal(await page.locator(".md-preview img").count(), 1);
      await page.getByRole("button", { name: w.saveDraft }).click();
      await page.waitForURL(/saved=draft/);
      const draft = await findPostBySlug(app.db, locale === "fr" ? "emaux-dhiver" : "winter-glazes");
      assert.ok(draft);
      assert.equal(draft.status, "draft");
      // Previews, as a free and as a paying member.
      await page.getByRole("link", { name: w.free }).click();
      assert.equal(await page.getByText(secret).count(), 0);
      assert.ok(await page.getByText(w.upsell).count());
      await page.getByRole("link", { name: w.paid }).first().click();
      assert.ok(await page.getByText(secret).count());
      assert.equal(await page.locator(".post-body img").count(), 1);
      await page.goto(`${app.url}/admin/posts/${draft.id}`);
      await page.getByRole("button", { name: w.publish }).click();
      await page.waitForURL(/saved=published/);
      assert.ok(await page.getByText(w.published).count());
      assert.deepEqual(errors.messages, []);
    } finally {
      await close();
    }
    const post = (await findPostBySlug(app.db, locale === "fr" ? "emaux-dhiver" : "winter-glazes"))!;
    assert.equal(post.status, "published");
    // A paying member (tier granted directly) reads everything.
    const paying = await memberWithSession(app, { tierId: tier, locale });
    const free = await memberWithSession(app, { locale });
    for (const [who, cookie, sees] of [
      ["paying", paying.client.cookies.get(sessionCookie.member)!, true],
      ["free", free.client.cookies.get(sessionCookie.member)!, false],
    ] as const) {
      const p = await newPage(browser, { locale });
      try {
        await p.page.context().addCookies([{ name: sessionCookie.member, value: cookie, url: app.url }]);
        await p.page.goto(`${app.url}/lang/${locale}?next=/p/${post.slug}`);
        assert.equal(await p.page.locator("h1").textContent(), title);
        assert.ok(
          await p.page
            .getByText(locale === "fr" ? "Le début, pour tout le monde." : "The start, for everyone.")
            .count(),
        );
        assert.equal((await p.page.getByText(secret).count()) > 0, sees, `${who} member`);
        assert.equal((await p.page.getByText(w.upsell).count()) > 0, !sees, `${who} member upsell`);
        if (sees) assert.equal(await p.page.locator(".post-paid img").count(), 1);
        assert.deepEqual(p.errors.messages, []);
      } finally {
        await p.close();
      }
    }
  });
}
