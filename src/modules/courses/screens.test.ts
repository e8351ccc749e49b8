import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { ownerEmail, ownerPassword, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { launchBrowser, newPage, screenshot } from "../../../test/support/browser.ts";
import { sessionCookie } from "../../platform/security/sessions.ts";
import { buildCourse, student, type BuiltCourse } from "./testing.ts";

/*
 * In Chromium, in French and English, on a phone (390 px) and a desktop
 * (1280 px): the creator's course admin, and a student who opens a lesson
 * and marks it complete with the button. No console error, no CSP violation.
 */

let app: TestApp;
let browser: Browser;
let built: BuiltCourse;
before(async () => {
  app = await startTestApp();
  browser = await launchBrowser();
  built = await buildCourse(app.db, { drip: { days: 1 } });
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

const words = {
  fr: { login: "Se connecter", complete: "J’ai terminé cette leçon", done: "1 sur 4 leçons", outline: "Programme" },
  en: { login: "Log in", complete: "I have finished this lesson", done: "1 of 4 lessons", outline: "Outline" },
};

for (const locale of ["fr", "en"] as const) {
  test(`course admin and lesson page in Chromium (${locale}), phone and desktop`, async () => {
    const w = words[locale];
    for (const width of [390, 1280]) {
      const owner = await newPage(browser, { locale, width, height: 900 });
      try {
        const { page } = owner;
        await page.goto(`${app.url}/lang/${locale}?next=/admin/login`);
        await page.fill("#f-email", ownerEmail);
        await page.fill("#f-password", ownerPassword);
        await page.getByRole("button", { name: w.login }).click();
        await page.waitForURL(/\/admin/);
        await page.goto(`${app.url}/admin/courses/${built.course.id}`);
        await page.getByRole("heading", { name: w.outline }).waitFor();
        await screenshot(page, `courses-admin-${locale}-${width}`);
        await page.goto(`${app.url}/admin/courses/${built.course.id}/funnel`);
        await page.locator("h1").waitFor();
        await screenshot(page, `courses-funnel-${locale}-${width}`);
        assert.deepEqual(owner.errors.messages, []);
      } finally {
        await owner.close();
      }

      const s = await student(app, built.offerId, { locale, name: "Éloïse Müller" });
      const reader = await newPage(browser, { locale, width, height: 900 });
      try {
        const { page } = reader;
        await page.context().addCookies([
          { name: sessionCookie.member, value: s.client.cookies.get(sessionCookie.member)!, url: app.url },
          { name: "atl_lang", value: locale, url: app.url },
        ]);
        await page.goto(`${app.url}/learn/${built.course.slug}/${built.lessons[1]}`);
        await screenshot(page, `courses-lesson-${locale}-${width}`);
        await page.getByRole("button", { name: w.complete }).click();
        // The next lesson is in the section that opens a day later: back to the course home.
        await page.waitForURL(new RegExp(`/learn/${built.course.slug}$`));
        await page.getByText(w.done).first().waitFor();
        await screenshot(page, `courses-home-${locale}-${width}`);
        // The page fits the phone: nothing wider than the viewport.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `page overflows by ${overflow}px`);
        assert.deepEqual(reader.errors.messages, []);
      } finally {
        await reader.close();
      }
    }
  });
}
