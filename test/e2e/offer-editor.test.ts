import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ownerEmail, startTestApp } from "../support/app.ts";
import { launchBrowser, newPage, screenshot } from "../support/browser.ts";
import { createSession } from "../../src/platform/security/sessions.ts";

/*
 * The offer editor's error paths in real Chromium, once per language: the
 * address follows the name (accents folded) and is checked live; a refused
 * trial and a taken address come back with everything typed and the message
 * beside the field; adding a price keeps (and saves) the description typed
 * with it. Screenshots at 390 and 1280 px.
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
    trial: /de 0 à 365/,
    taken: /déjà utilisée/,
    free: /Adresse libre/,
    add: "Ajouter un tarif",
    save: "Enregistrer",
  },
  en: {
    trial: /from 0 to 365/,
    taken: /already used|already taken/,
    free: /Address available/,
    add: "Add a price",
    save: "Save",
  },
} as const;

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

for (const locale of ["fr", "en"] as const) {
  test(`offer editor in ${locale}: nothing typed is ever lost`, async () => {
    const c = copy[locale];
    const app = await startTestApp({ site: { locale } });
    try {
      const staff = await app.db
        .selectFrom("staff_users")
        .select("id")
        .where("email", "=", ownerEmail)
        .executeTakeFirstOrThrow();
      const session = await createSession(app.db, "staff", staff.id);
      for (const width of [1280, 390]) {
        const { page, errors, close } = await newPage(browser, { locale, width, height: 900 });
        await page.context().addCookies([{ name: "atl_s", value: session.token, url: app.url }]);
        const name = width === 1280 ? "Le Cercle des Éditions" : "Atelier d’été";
        const slug = width === 1280 ? "le-cercle-des-editions" : "atelier-d-ete";

        await page.goto(`${app.url}/admin/offers`);
        await page.fill("#f-name", name);
        assert.equal(await page.inputValue("#f-slug"), slug, "the address follows the name, accents folded");
        await page.waitForFunction(() => document.getElementById("f-slug-status")?.textContent !== "");
        assert.match((await page.textContent("#f-slug-status")) ?? "", c.free);
        assert.equal(await page.getAttribute("#f-slug", "pattern"), null, "no pattern attribute");
        await submit(page, "form[action='/admin/offers'] button[type=submit]");
        assert.match(page.url(), /\/admin\/offers\/[0-9a-f-]{36}$/);
        assert.equal(await page.inputValue("#f-price_kind"), "month", "a tier is paid monthly by default");

        // A refused trial: everything typed comes back, the message beside the field.
        const description =
          locale === "fr" ? "Des rencontres chaque mois, « en vrai »." : "Meetings every month, for real.";
        await page.fill("#f-description", description);
        await page.fill("#f-summary", locale === "fr" ? "Le cercle, pour de bon" : "The circle, for good");
        await page.fill("#f-price_amount", "9");
        await page.fill("#f-price_trial_days", "-7");
        await submit(page, `button[value=add_price]`);
        assert.match((await page.textContent("#f-price_trial_days-error")) ?? "", c.trial);
        assert.equal(await page.inputValue("#f-description"), description);
        assert.equal(await page.inputValue("#f-price_amount"), "9");
        assert.equal(await page.inputValue("#f-price_trial_days"), "-7");
        assert.equal(await page.inputValue("#f-name"), name);
        await screenshot(page, `offer-editor-422-${locale}-${width}`);

        // Fixed: the price is added and the description saved with it.
        await page.fill("#f-price_trial_days", "7");
        await submit(page, `button[value=add_price]`);
        assert.equal(await page.inputValue("#f-description"), description, "saved with the price");
        assert.equal(await page.inputValue("#f-price_amount"), "", "the new-price row is empty again");
        assert.match((await page.content()) ?? "", /9,00|9\.00/);

        // A taken address: said beside the field, the rest kept.
        const other = width === 1280 ? "atelier-d-ete" : "le-cercle-des-editions";
        if (width === 390) {
          await page.fill("#f-slug", other);
          await page.waitForFunction(() => /error/.test(document.getElementById("f-slug-status")?.className ?? ""));
          assert.match((await page.textContent("#f-slug-status")) ?? "", c.taken);
          await page.fill("#f-description", `${description} +`);
          await submit(page, "button[value=save]");
          assert.match((await page.textContent("#f-slug-error")) ?? "", c.taken);
          assert.equal(await page.inputValue("#f-description"), `${description} +`);
          assert.equal(await page.inputValue("#f-slug"), other);
          await screenshot(page, `offer-editor-slug-${locale}-${width}`);
        }
        const unexpected = errors.messages.filter((m) => !/^(422|409) /.test(m));
        assert.deepEqual(unexpected, []);
        await close();
      }
    } finally {
      await app.stop();
    }
  });
}
