import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { startTestApp, type TestApp } from "../support/app.ts";
import { launchBrowser, newPage, screenshot } from "../support/browser.ts";

/*
 * The setup page's time zone, chosen by city with a search box, in real Chromium and in both
 * languages: typing part of a city's name (any case, without its accents) keeps only the matching
 * cities and selects the first; a name that matches nothing says so; the chosen zone is what the
 * form sends.
 */

let browser: Browser;
let app: TestApp;
before(async () => {
  browser = await launchBrowser();
  app = await startTestApp({ skipSetup: true });
});
after(async () => {
  await browser.close();
  await app.stop();
});

const cases = {
  fr: { typed: "abid", zone: "Africa/Abidjan", city: "Abidjan", typed2: "new york", zone2: "America/New_York" },
  en: {
    typed: "SAO PA",
    zone: "America/Sao_Paulo",
    city: "Sao Paulo",
    typed2: "kolk",
    zone2: "Asia/Calcutta" /* ICU's id, shown as Kolkata */,
  },
};

for (const locale of ["fr", "en"] as const) {
  test(`setup (${locale}): the time zone is found by typing part of a city's name`, async () => {
    const k = cases[locale];
    const { page, errors, close } = await newPage(browser, { locale, width: 390 });
    await page.goto(`${app.url}/setup`);
    const search = page.locator("#f-timeZone-search");
    await search.waitFor({ state: "visible" });
    await search.fill(k.typed);
    assert.equal(await page.locator("#f-timeZone").inputValue(), k.zone);
    const visible = await page
      .locator("#f-timeZone option")
      .evaluateAll((os) => os.filter((o) => !(o as HTMLOptionElement).hidden).map((o) => o.textContent ?? ""));
    assert.ok(visible.length >= 1 && visible.length < 10, `${visible.length} cities left: ${visible.join(", ")}`);
    assert.ok(
      visible.every((label) =>
        label
          .normalize("NFD")
          .replace(/[\u0300-\u036f]/g, "")
          .toLowerCase()
          .includes(k.typed.toLowerCase().split(" ")[0]!),
      ),
      visible.join(", "),
    );
    assert.ok(
      visible.some((label) =>
        label
          .normalize("NFD")
          .replace(/[\u0300-\u036f]/g, "")
          .startsWith(k.city),
      ),
    );
    await search.fill(k.typed2);
    assert.equal(await page.locator("#f-timeZone").inputValue(), k.zone2);
    await search.fill("zzqx");
    assert.equal(await page.locator("#f-timeZone-search-none").isVisible(), true);
    // What the form sends is the zone that stays selected, never the typed words (the box has no name).
    assert.equal(await search.getAttribute("name"), null);
    await search.fill("");
    assert.equal(await page.locator("#f-timeZone-search-none").isVisible(), false);
    await screenshot(page, `timezone-search-${locale}-390`);
    assert.deepEqual(errors.messages, []);
    await close();
  });
}
