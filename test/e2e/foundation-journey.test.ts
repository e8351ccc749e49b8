import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { startTestApp, type TestApp } from "../support/app.ts";
import { launchBrowser, newPage, screenshot } from "../support/browser.ts";
import { linkIn } from "../support/client.ts";

/*
 * The foundation journey in real Chromium, once per language:
 * setup wizard → a visitor joins → confirms through the emailed link →
 * sees their account → the owner finds them in the admin.
 * Console errors (CSP violations included) fail the journey.
 */

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

const copy = {
  fr: {
    site: "Les carnets de Lou",
    story: "J’enseigne l’aquarelle depuis quinze ans.",
    checkInbox: /boîte|e-mail/i,
    account: /compte/i,
    joined: /inscri/i,
  },
  en: {
    site: "Lou’s sketchbooks",
    story: "I have taught watercolour for fifteen years.",
    checkInbox: /inbox|email/i,
    account: /account/i,
    joined: /joined/i,
  },
} as const;

for (const locale of ["fr", "en"] as const) {
  test(`setup, join, confirm, account and admin lookup in ${locale}`, async () => {
    const app: TestApp = await startTestApp({ skipSetup: true });
    const owner = await newPage(browser, { locale });
    const visitor = await newPage(browser, { locale, width: 390, height: 844 });
    try {
      const c = copy[locale];
      // 1. Every page leads to the setup wizard until it is done.
      await owner.page.goto(`${app.url}/`);
      assert.match(new URL(owner.page.url()).pathname, /^\/setup/);
      await screenshot(owner.page, `journey-${locale}-setup`);
      await owner.page.fill("[name=ownerName]", "Lou");
      await owner.page.fill("[name=email]", `lou-${locale}@atelier.test`);
      await owner.page.fill("[name=password]", "aquarelle-2026!");
      await owner.page.fill("[name=passwordConfirm]", "aquarelle-2026!");
      await owner.page.fill("[name=siteName]", c.site);
      await owner.page.fill("[name=story]", `${c.story}\n\n**<script>alert(1)</script>**`);
      await owner.page.selectOption("[name=locale]", locale);
      await Promise.all([
        owner.page.waitForURL(/\/admin/),
        owner.page.click("form[action='/setup'] button[type=submit]"),
      ]);
      await screenshot(owner.page, `journey-${locale}-admin`);

      // 2. A visitor reads the story and joins from the home page.
      await visitor.page.goto(`${app.url}/`);
      assert.equal(
        await visitor.page
          .locator("h1")
          .first()
          .textContent()
          .then((s) => s?.includes(c.site) ?? false),
        true,
        "home shows the site name",
      );
      assert.ok((await visitor.page.content()).includes(c.story), "home opens with the story");
      assert.equal(await visitor.page.locator("script:not([src])").count(), 0, "the story's script was not kept");
      await screenshot(visitor.page, `journey-${locale}-home-phone`);
      const email = `reader-${locale}@example.org`;
      await visitor.page.fill("form[action='/join'] [name=email]", email);
      await visitor.page.fill("form[action='/join'] [name=name]", "Sam");
      await visitor.page.check("form[action='/join'] [name=newsletter]");
      await visitor.page.click("form[action='/join'] button[type=submit]");
      await visitor.page.waitForLoadState();
      assert.match((await visitor.page.textContent("main")) ?? "", c.checkInbox);

      // 3. The confirmation email arrives over SMTP, in the visitor's language.
      const mail = await app.mail.waitFor((m) => (m.to && JSON.stringify(m.to).includes(email)) === true);
      assert.ok(mail.text, "the email has a plain-text part");
      const confirmPath = linkIn(mail.text!, app.url, "/join/confirm");
      await visitor.page.goto(app.url + confirmPath);
      // Opening the link only shows a button (mail scanners open links).
      const pending = await app.db
        .selectFrom("members")
        .select("status")
        .where("email", "=", email)
        .executeTakeFirstOrThrow();
      assert.equal(pending.status, "pending");
      await Promise.all([visitor.page.waitForNavigation(), visitor.page.click("main form button[type=submit]")]);
      // Confirming logs the visitor in; they go back where they joined from, then open their account.
      await visitor.page.goto(`${app.url}/account`);
      assert.match((await visitor.page.textContent("main")) ?? "", new RegExp(email.replace(/[.]/g, "\\.")));
      assert.match(await visitor.page.title(), c.account);
      assert.match((await visitor.page.textContent("h1")) ?? "", /Sam/);
      await screenshot(visitor.page, `journey-${locale}-account-phone`);
      const active = await app.db
        .selectFrom("members")
        .select(["status", "email_opt_in"])
        .where("email", "=", email)
        .executeTakeFirstOrThrow();
      assert.deepEqual(active, { status: "active", email_opt_in: 1 });

      // 4. The owner finds the new member and sees their timeline.
      await owner.page.goto(`${app.url}/admin/members?q=${encodeURIComponent("reader-" + locale)}`);
      await screenshot(owner.page, `journey-${locale}-admin-list`);
      await Promise.all([
        owner.page.waitForURL(/\/admin\/members\/[0-9a-f-]{36}/),
        owner.page.click(`table a:has-text("Sam")`),
      ]);
      const memberPage = (await owner.page.textContent("main")) ?? "";
      assert.ok(memberPage.includes(email));
      assert.match(memberPage, c.joined);
      await screenshot(owner.page, `journey-${locale}-admin-member`);

      assert.deepEqual(owner.errors.messages, [], "no console errors for the owner");
      assert.deepEqual(visitor.errors.messages, [], "no console errors for the visitor");
    } finally {
      await owner.close();
      await visitor.close();
      await app.stop();
    }
  });
}
