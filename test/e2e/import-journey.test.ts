import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { ownerEmail, ownerPassword, startTestApp, type TestApp } from "../support/app.ts";
import { launchBrowser, newPage, screenshot } from "../support/browser.ts";
import { createOffer } from "../../src/modules/offers/index.ts";

/*
 * The import from the admin in real Chromium, once per language: the owner uploads a
 * Substack export, reads the preview (first rows, the column mapping, the verdict of each
 * row), maps the paid plans to a tier, runs it, watches the progress bar reach the end
 * (the page's own script polls, no inline script), then reads the per-row report.
 */

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

const words = {
  fr: {
    login: "Se connecter",
    nav: "Importer",
    preview: "Voir l’aperçu",
    previewTitle: "Aperçu de l’import",
    run: "Lancer l’import",
    report: "Rapport ligne par ligne",
    created: "4 membres créés",
    refused: "3 lignes refusées",
    invalid: "adresse e-mail invalide",
    duplicate: "même adresse qu’à la ligne 2",
  },
  en: {
    login: "Log in",
    nav: "Import",
    preview: "Preview",
    previewTitle: "Import preview",
    run: "Run the import",
    report: "Row-by-row report",
    created: "4 members created",
    refused: "3 rows refused",
    invalid: "invalid email address",
    duplicate: "same address as line 2",
  },
};

const fixture = path.resolve(import.meta.dirname, "../../src/modules/portability/fixtures/substack-subscribers.csv");

for (const locale of ["fr", "en"] as const) {
  test(`import journey (${locale}): upload a Substack export, preview and map, run with progress, read the report`, async () => {
    const w = words[locale];
    const app: TestApp = await startTestApp({ site: { locale } });
    await createOffer(app.db, { slug: "cercle", kind: "tier", name: "Le cercle", status: "published" });
    const { page, errors, close } = await newPage(browser, { locale });
    try {
      await page.goto(`${app.url}/lang/${locale}?next=/admin/login`);
      await page.fill("#f-email", ownerEmail);
      await page.fill("#f-password", ownerPassword);
      await page.getByRole("button", { name: w.login }).click();
      await page.waitForURL(/\/admin/);
      await page.getByRole("link", { name: w.nav, exact: true }).click();
      await page.selectOption("#f-source", "substack");
      await page.setInputFiles("#f-file", fixture);
      await Promise.all([
        page.waitForURL(/\/admin\/import\/[0-9a-f-]{36}$/),
        page.getByRole("button", { name: w.preview }).click(),
      ]);
      assert.equal(await page.textContent("h1"), w.previewTitle);
      const preview = (await page.textContent("[data-import-preview]")) ?? "";
      assert.match(preview, /paul\.monthly@example\.com/);
      assert.match(preview, new RegExp(w.invalid));
      assert.match(preview, new RegExp(w.duplicate));
      assert.match((await page.textContent("[data-import-mapping]")) ?? "", /email_disabled/);
      await screenshot(page, `import-preview-${locale}`);
      // Both paid plans of the file go to the one tier on sale (preselected), then run.
      assert.equal(await page.locator("select[name='tier.0'] option:checked").textContent(), "Le cercle");
      await page.getByRole("button", { name: w.run }).click();
      await page.waitForSelector(`text=${w.report}`, { timeout: 60_000 });
      const counts = (await page.textContent("[data-import-counts]")) ?? "";
      assert.match(counts, new RegExp(w.created));
      assert.match(counts, new RegExp(w.refused));
      const bar = page.locator("[data-import-bar]");
      assert.equal(await bar.getAttribute("value"), await bar.getAttribute("max"));
      const report = (await page.textContent("[data-import-report]")) ?? "";
      assert.match(report, /not-an-email/);
      await screenshot(page, `import-report-${locale}`);
      assert.deepEqual(errors.messages, []);
    } finally {
      await close();
      await app.stop();
    }
  });
}
