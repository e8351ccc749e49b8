import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { ownerEmail, ownerPassword, startTestApp, type TestApp } from "../support/app.ts";
import { launchBrowser, newPage, screenshot } from "../support/browser.ts";
import { buyThroughDev, memberClient, testOffer } from "../../src/modules/offers/testing.ts";

/*
 * The member file in real Chromium, once per language: members buy through the test
 * checkout; the owner filters the list to subscribers, opens one, reads what they pay
 * (subscription, renewal, purchases, access and its source, total), follows the link
 * to an order; the dashboard shows the month's money. Screenshots at 1280 and 390 px.
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
    nav: "Membres",
    filter: "Filtrer",
    money: "Achats, abonnements et accès",
    renews: "se renouvelle le",
    source: "abonnement",
    order: "Commande",
    total: "Total payé",
    subscriber: "Abonné·e",
    ends: "se termine le",
    revenue: "Encaissé ce mois-ci",
  },
  en: {
    login: "Log in",
    nav: "Members",
    filter: "Filter",
    money: "Purchases, subscriptions and access",
    renews: "renews on",
    source: "subscription",
    order: "Order",
    total: "Total paid",
    subscriber: "Subscriber",
    ends: "ends on",
    revenue: "Received this month",
  },
};

for (const locale of ["fr", "en"] as const) {
  test(`member file journey (${locale}): filter subscribers, read who pays what, open an order`, async () => {
    const w = words[locale];
    const app: TestApp = await startTestApp({ site: { locale } });
    const cercle = await testOffer(app, { slug: "cercle", name: "Le Cercle", kind: "tier", amount: 700 });
    const guide = await testOffer(app, { slug: "guide", name: "Guide de l’émail", kind: "product", amount: 1500 });
    const nina = await buyThroughDev(app, app.client(), cercle, "nina@example.org");
    await buyThroughDev(app, app.client(), guide, "nina@example.org");
    await buyThroughDev(app, app.client(), guide, "paul@example.org");
    const zoe = await buyThroughDev(app, app.client(), cercle, "zoe@example.org");
    const sub = await app.db
      .selectFrom("subscriptions")
      .select("id")
      .where("member_id", "=", zoe)
      .executeTakeFirstOrThrow();
    await (await memberClient(app, zoe)).post(`/account/subscriptions/${sub.id}/cancel`, { reason: "Je déménage" });
    await app.drainJobs();
    const { page, errors, close } = await newPage(browser, { locale });
    try {
      await page.goto(`${app.url}/lang/${locale}?next=/admin/login`);
      await page.fill("#f-email", ownerEmail);
      await page.fill("#f-password", ownerPassword);
      await page.getByRole("button", { name: w.login }).click();
      await page.waitForURL(/\/admin/);
      assert.match((await page.textContent("[data-stat=revenue]")) ?? "", /44[,.]00/);
      assert.match((await page.textContent("[data-stat=revenue]")) ?? "", new RegExp(w.revenue));
      await screenshot(page, `dashboard-${locale}-1280`);
      await page.getByRole("link", { name: w.nav, exact: true }).click();
      await page.selectOption("#f-paying", "paying");
      await Promise.all([page.waitForURL(/paying=paying/), page.getByRole("button", { name: w.filter }).click()]);
      const emails = await page.locator(".m-email").allTextContents();
      assert.deepEqual(emails.sort(), ["nina@example.org", "zoe@example.org"]);
      await screenshot(page, `members-list-${locale}-1280`);
      await page.locator("tr", { hasText: "nina@example.org" }).locator(".m-name a").click();
      await page.waitForURL(new RegExp(`/admin/members/${nina}$`));
      const money = (await page.textContent("#money")) ?? "";
      assert.match(money, new RegExp(w.money));
      assert.match(money, /Le Cercle/);
      assert.match(money, new RegExp(w.renews));
      assert.match(money, /Guide de l’émail/);
      assert.match(money, new RegExp(w.source));
      assert.match((await page.textContent("#money [data-revenue]")) ?? "", /22[,.]00/);
      await screenshot(page, `member-file-${locale}-1280`);
      await page.locator("#money table.member-orders a").first().click();
      await page.waitForURL(/\/admin\/orders\/[0-9a-f-]{36}$/);
      assert.match((await page.textContent("h1")) ?? "", new RegExp(`${w.order} [0-9A-F]{12}`));

      // On a phone.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${app.url}/admin/members/${zoe}`);
      const zoeMoney = (await page.textContent("#money")) ?? "";
      assert.match(zoeMoney, new RegExp(w.ends));
      assert.match(zoeMoney, /Je déménage/);
      await screenshot(page, `member-file-${locale}-390`);
      await page.goto(`${app.url}/admin/members`);
      await screenshot(page, `members-list-${locale}-390`);
      await page.goto(`${app.url}/admin`);
      await screenshot(page, `dashboard-${locale}-390`);
      assert.deepEqual(errors.messages, []);
    } finally {
      await close();
      await app.stop();
    }
  });
}
