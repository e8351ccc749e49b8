import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { ownerEmail, ownerPassword, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { launchBrowser, newPage, screenshot } from "../../../test/support/browser.ts";
import { seedDemo } from "../demo/index.ts";
import { ownerClient } from "../publishing/testing.ts";
import { seedCoursesDemo } from "./demo.ts";

/*
 * The demo course: a few hundred students with a visible drop, stalled
 * students and their answers, ratings and certificates — and how the
 * creator's funnel and follow-up pages look with them (Chromium, 390 and 1280 px).
 */

let app: TestApp;
let browser: Browser;
let courseId: string;
before(async () => {
  app = await startTestApp();
  const result = await seedDemo(app.db, { members: 320, now: new Date("2026-11-20T10:00:00Z") });
  courseId = result.courses!.courseId!;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test("the demo course has students at every point, stalls with answers, ratings and certificates", async () => {
  const db = app.db;
  const n = async (table: "course_enrolments" | "course_stalls" | "course_ratings" | "course_certificates") =>
    (await db.selectFrom(table).select("id").where("course_id", "=", courseId).execute()).length;
  assert.ok((await n("course_enrolments")) >= 250, "a few hundred students");
  assert.ok((await n("course_stalls")) > 50);
  assert.ok((await n("course_ratings")) > 5);
  assert.ok((await n("course_certificates")) > 5);
  assert.equal((await seedCoursesDemo(db)).courseId, null, "run twice, it adds nothing");
  const owner = await ownerClient(app);
  const funnel = await owner.get(`/admin/courses/${courseId}/funnel`);
  assert.equal(funnel.status, 200);
  assert.match(funnel.text, /s’arrêtent à « Les gestes de la brosse » — raison principale : C’est trop long/);
  assert.match(funnel.text, /Moyenne \d,\d\/5/);
});

test("the creator's funnel and follow-up pages with the demo data, phone and desktop", async () => {
  for (const width of [390, 1280]) {
    const { page, errors, close } = await newPage(browser, { locale: "fr", width, height: 900 });
    try {
      await page.goto(`${app.url}/lang/fr?next=/admin/login`);
      await page.fill("#f-email", ownerEmail);
      await page.fill("#f-password", ownerPassword);
      await page.getByRole("button", { name: "Se connecter" }).click();
      await page.waitForURL(/\/admin/);
      await page.goto(`${app.url}/admin/courses/${courseId}/funnel`);
      await page.getByRole("heading", { name: "Pourquoi ils s’arrêtent" }).waitFor();
      await screenshot(page, `courses-demo-funnel-fr-${width}`);
      await page.goto(`${app.url}/admin/courses/${courseId}/stalls`);
      await page.getByRole("heading", { name: "Aperçu du message" }).waitFor();
      await screenshot(page, `courses-demo-stalls-fr-${width}`);
      assert.deepEqual(errors.messages, []);
    } finally {
      await close();
    }
  }
});
