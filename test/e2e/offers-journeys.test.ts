import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startTestApp, type TestApp } from "../support/app.ts";
import { launchBrowser, newPage, screenshot, type PageErrors } from "../support/browser.ts";
import { linkIn } from "../support/client.ts";
import { recipients } from "../support/smtp.ts";
import { createSession } from "../../src/platform/security/sessions.ts";
import { createMember } from "../../src/modules/members/index.ts";
import { createOffer, saveOfferFile } from "../../src/modules/offers/index.ts";

/*
 * The offers journeys in real Chromium with the dev provider, once per language:
 * (a) a visitor buys the monthly tier from /pricing, signs in through the link of the email that
 *     follows (paying signs nobody in) and reads the members' area, which an anonymous visitor and
 *     a free member cannot read;
 * (b) a visitor buys a pay-what-you-want download (first below the minimum: translated error,
 *     nothing charged) and downloads the file through their personal signed link (same bytes);
 * (c) a gift bought for someone else's email: the claim email arrives, the gift page mails them a
 *     sign-in link (the claim is bound to that address), they claim it and read the members' area;
 * (d) the member from (a) cancels in the dev billing portal, keeps access until the period ends,
 *     then loses it.
 * Screenshots at 390 and 1280 px; console errors fail the journey (expected 403/422 answers aside).
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
    tier: "Le cercle",
    thanks: /Merci/,
    areaWelcome: "Bienvenue dans le cercle de l’atelier",
    areaBody: /Bienvenue dans le cercle de l’atelier/,
    locked: /réservée aux membres qui soutiennent/,
    belowMin: /au moins égal au minimum/,
    amountLow: "2",
    amount: "12,50",
    test: /Paiements? de test/i,
    giftPaid: /Votre cadeau/,
    giftMail: /cadeau/i,
    claimed: /Votre cadeau est ajouté/,
    endsOn: /Se termine le/,
    checkInbox: /boîte|e-mail/i,
  },
  en: {
    tier: "Le cercle",
    thanks: /Thank you/,
    areaWelcome: "Welcome to the studio circle",
    areaBody: /Welcome to the studio circle/,
    locked: /for members who support/,
    belowMin: /at least the minimum/,
    amountLow: "2",
    amount: "12.50",
    test: /Test payments?/i,
    giftPaid: /Your gift/,
    giftMail: /gift/i,
    claimed: /Your gift has been added/,
    endsOn: /Ends on/,
    checkInbox: /inbox|email/i,
  },
} as const;

/** Console errors minus the answers the journey provokes on purpose (paywall 403, below-minimum 422). */
function unexpected(errors: PageErrors, app: TestApp): string[] {
  const allowed = [`403 ${app.url}/members-area`, `422 ${app.url}/checkout`];
  return errors.messages.filter((m) => !allowed.includes(m));
}

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** Opens the sign-in link of the newest email to `email` and presses its button (the inbox step). */
async function signInFromMail(page: Page, app: TestApp, email: string): Promise<void> {
  const mail = await app.mail.waitFor(
    (m) => recipients(m).includes(email) && (m.text ?? "").includes(`${app.url}/login/verify`),
  );
  await page.goto(app.url + linkIn(mail.text!, app.url, "/login/verify"));
  await submit(page, "main form button[type=submit]");
}

async function mainText(page: Page): Promise<string> {
  return (await page.textContent("main")) ?? "";
}

const fileBytes = (() => {
  const b = Buffer.alloc(300 * 1024);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
})();

for (const locale of ["fr", "en"] as const) {
  test(`offers journeys in ${locale}: tier, pay-what-you-want download, gift, cancel at period end`, async () => {
    const c = copy[locale];
    // The members' area shows the creator's own welcome: only payers may read it.
    const app = await startTestApp({
      site: { locale, membersWelcomeMarkdown: c.areaWelcome, membersWelcomeHtml: `<p>${c.areaWelcome}</p>` },
    });
    const db = app.db;
    const tier = await createOffer(
      db,
      {
        slug: "cercle",
        kind: "tier",
        name: c.tier,
        summary: "Les coulisses, chaque mois",
        descriptionMd: "- Les coulisses\n- Les carnets",
        status: "published",
        highlight: true,
        position: 1,
      },
      [
        { kind: "recurring", interval: "month", amount: 500, currency: "EUR" },
        { kind: "recurring", interval: "year", amount: 5000, currency: "EUR" },
      ],
    );
    await createOffer(db, {
      slug: "amis",
      kind: "tier",
      name: "Les amis",
      summary: "Gratuit",
      status: "published",
      position: 0,
    });
    const guide = await createOffer(
      db,
      {
        slug: "guide",
        kind: "product",
        name: "Le guide des émaux",
        summary: "À prix libre",
        status: "published",
        position: 2,
      },
      [{ kind: "one_off", amount: 800, currency: "EUR", payWhatYouWant: true, minAmount: 500, suggestedAmount: 800 }],
    );
    await saveOfferFile(db, app.running.services.storage, guide.id, "guide-emaux.pdf", fileBytes, "application/pdf");
    const monthly = (
      await db
        .selectFrom("prices")
        .select("id")
        .where("offer_id", "=", tier.id)
        .where("interval", "=", "month")
        .executeTakeFirstOrThrow()
    ).id;

    const visitor = await newPage(browser, { locale, width: 390, height: 844 });
    const anon = await newPage(browser, { locale, width: 1280 });
    const free = await newPage(browser, { locale, width: 1280 });
    const buyer = await newPage(browser, { locale, width: 1280 });
    const giver = await newPage(browser, { locale, width: 390, height: 844 });
    const friend = await newPage(browser, { locale, width: 390, height: 844 });
    try {
      // (a) A visitor buys the monthly tier.
      const nina = `nina-${locale}@example.org`;
      await visitor.page.goto(`${app.url}/pricing`);
      assert.match(await mainText(visitor.page), c.test, "the pricing page says payments are test payments");
      await screenshot(visitor.page, `offers-${locale}-pricing-390`);
      await submit(visitor.page, "a.btn[href='/offers/cercle']");
      assert.equal(new URL(visitor.page.url()).pathname, "/offers/cercle");
      assert.equal(
        await visitor.page.isChecked(`input[name=price][value='${monthly}']`),
        true,
        "monthly chosen by default",
      );
      await visitor.page.fill("form[action='/checkout'] [name=email]", nina);
      await screenshot(visitor.page, `offers-${locale}-offer-390`);
      await submit(visitor.page, "form[action='/checkout'] button[type=submit]");
      assert.match(new URL(visitor.page.url()).pathname, /^\/dev-checkout\/devcs_/);
      assert.match(await mainText(visitor.page), c.test);
      await screenshot(visitor.page, `offers-${locale}-dev-checkout-390`);
      await submit(visitor.page, "button[name=action][value=pay]");
      assert.match(new URL(visitor.page.url()).pathname, /^\/checkout\/done\//);
      assert.match(await mainText(visitor.page), c.thanks);
      await screenshot(visitor.page, `offers-${locale}-done-390`);
      await signInFromMail(visitor.page, app, nina);
      await visitor.page.goto(`${app.url}/members-area`);
      assert.match(await mainText(visitor.page), c.areaBody, "the paying member reads the members' area");
      await screenshot(visitor.page, `offers-${locale}-members-area-390`);
      const sub = await db.selectFrom("subscriptions").selectAll().where("email", "=", nina).executeTakeFirstOrThrow();
      assert.equal(sub.status, "active");
      assert.equal(sub.price_id, monthly);
      await app.mail.waitFor((m) => recipients(m).includes(nina));

      // An anonymous visitor and a free member see the paywall, not the content.
      const anonRes = await anon.page.goto(`${app.url}/members-area`);
      assert.equal(anonRes?.status(), 403);
      assert.match(await mainText(anon.page), c.locked);
      assert.doesNotMatch(await mainText(anon.page), c.areaBody);
      await screenshot(anon.page, `offers-${locale}-paywall-1280`);
      const freeMember = await createMember(
        db,
        { email: `free-${locale}@example.org`, locale, status: "active", emailOptIn: false, source: "test" },
        "system",
      );
      const freeSession = await createSession(db, "member", freeMember.id);
      await free.page.context().addCookies([{ name: "atl_m", value: freeSession.token, url: app.url }]);
      const freeRes = await free.page.goto(`${app.url}/members-area`);
      assert.equal(freeRes?.status(), 403);
      assert.match(await mainText(free.page), c.locked);
      assert.doesNotMatch(await mainText(free.page), c.areaBody);

      // (b) Pay what you want: below the minimum first (nothing charged), then 12.50.
      const lea = `lea-${locale}@example.org`;
      await buyer.page.goto(`${app.url}/offers/guide`);
      await buyer.page.fill("form[action='/checkout'] [name=amount]", c.amountLow);
      await buyer.page.fill("form[action='/checkout'] [name=email]", lea);
      const checkoutsBefore = (await db.selectFrom("dev_payment_objects").select("id").execute()).length;
      await submit(buyer.page, "form[action='/checkout'] button[type=submit]");
      assert.match(await mainText(buyer.page), c.belowMin, "translated error");
      await screenshot(buyer.page, `offers-${locale}-pwyw-error-1280`);
      assert.equal(
        (await db.selectFrom("orders").select("id").where("email", "=", lea).execute()).length,
        0,
        "no order",
      );
      assert.equal(
        (await db.selectFrom("dev_payment_objects").select("id").execute()).length,
        checkoutsBefore,
        "no checkout opened",
      );
      assert.equal(
        await buyer.page.inputValue("form[action='/checkout'] [name=email]"),
        lea,
        "the form keeps what was typed",
      );
      await buyer.page.fill("form[action='/checkout'] [name=amount]", c.amount);
      await submit(buyer.page, "form[action='/checkout'] button[type=submit]");
      assert.match(await mainText(buyer.page), /12[,.]50/);
      await submit(buyer.page, "button[name=action][value=pay]");
      assert.match(await mainText(buyer.page), c.thanks);
      const order = await db.selectFrom("orders").selectAll().where("email", "=", lea).executeTakeFirstOrThrow();
      assert.equal(order.status, "paid");
      assert.equal(order.amount_paid, 1250);
      // The receipt's sign-in link leads to the purchases.
      await signInFromMail(buyer.page, app, lea);
      await buyer.page.goto(`${app.url}/account#purchases`);
      await screenshot(buyer.page, `offers-${locale}-account-downloads-1280`);
      const link = buyer.page.locator("a[href^='/downloads/']");
      assert.equal(await link.count(), 1);
      const href = (await link.getAttribute("href"))!;
      assert.match(href, /[?&]s=/, "a signed link");
      const [download] = await Promise.all([buyer.page.waitForEvent("download"), link.click()]);
      assert.equal(download.suggestedFilename(), "guide-emaux.pdf");
      const got = fs.readFileSync((await download.path())!);
      assert.equal(Buffer.compare(got, fileBytes), 0, "the same bytes");
      // Someone else's copy of the link with a changed signature gets nothing.
      const tampered = await anon.page.request.get(
        app.url + href.replace(/s=([^&])/, (_m, ch: string) => `s=${ch === "A" ? "B" : "A"}`),
      );
      assert.equal(tampered.status(), 403);

      // (c) A gift for someone else's email.
      const friendEmail = `ami-${locale}@example.org`;
      await giver.page.goto(`${app.url}/offers/cercle`);
      await giver.page.fill("form[action='/checkout'] [name=email]", `giver-${locale}@example.org`);
      await giver.page.click("details.gift-box summary");
      await giver.page.fill("[name=recipient_email]", friendEmail);
      await giver.page.fill("[name=recipient_name]", "Alex");
      await giver.page.fill("[name=message]", locale === "fr" ? "Bon anniversaire !" : "Happy birthday!");
      await screenshot(giver.page, `offers-${locale}-gift-form-390`);
      await submit(giver.page, "form[action='/checkout'] button[type=submit]");
      await submit(giver.page, "button[name=action][value=pay]");
      assert.match(await mainText(giver.page), c.giftPaid);
      const giftMail = await app.mail.waitFor((m) => recipients(m).includes(friendEmail));
      assert.match(giftMail.subject ?? "", c.giftMail);
      const claimPath = linkIn(giftMail.text!, app.url, "/gift/");
      await friend.page.goto(app.url + claimPath);
      await screenshot(friend.page, `offers-${locale}-gift-page-390`);
      // No account yet: the gift page mails a sign-in link to the gift's address, which leads back to it.
      await submit(friend.page, "main form[action$='/link'] button[type=submit]");
      assert.match(await mainText(friend.page), c.checkInbox);
      await signInFromMail(friend.page, app, friendEmail);
      if (!new URL(friend.page.url()).pathname.startsWith("/gift/")) await friend.page.goto(app.url + claimPath);
      await submit(friend.page, "main form button[type=submit]");
      assert.match(await mainText(friend.page), c.claimed);
      await screenshot(friend.page, `offers-${locale}-gift-claimed-390`);
      await friend.page.goto(`${app.url}/members-area`);
      assert.match(await mainText(friend.page), c.areaBody, "the gift opens the members' area");
      const gift = await db
        .selectFrom("gifts")
        .selectAll()
        .where("recipient_email", "=", friendEmail)
        .executeTakeFirstOrThrow();
      assert.equal(gift.status, "claimed");

      // (d) The member from (a) cancels in the billing portal, keeps access until the period ends.
      await visitor.page.goto(`${app.url}/account`);
      await submit(visitor.page, "form[action='/account/billing'] button[type=submit]");
      assert.match(new URL(visitor.page.url()).pathname, /^\/dev-portal\//);
      const portalUrl = visitor.page.url();
      await screenshot(visitor.page, `offers-${locale}-portal-390`);
      await submit(visitor.page, "button[name=action][value=cancel]");
      assert.match(await mainText(visitor.page), c.endsOn);
      const cancelling = await db
        .selectFrom("subscriptions")
        .selectAll()
        .where("id", "=", sub.id)
        .executeTakeFirstOrThrow();
      assert.equal(cancelling.cancel_at_period_end, 1);
      assert.equal(cancelling.status, "active");
      await visitor.page.goto(`${app.url}/members-area`);
      assert.match(await mainText(visitor.page), c.areaBody, "still readable until the period ends");
      await visitor.page.goto(portalUrl);
      await submit(visitor.page, "button[name=action][value=period_end]");
      await screenshot(visitor.page, `offers-${locale}-portal-ended-390`);
      const ended = await db.selectFrom("subscriptions").selectAll().where("id", "=", sub.id).executeTakeFirstOrThrow();
      assert.equal(ended.status, "canceled");
      const lapsed = await visitor.page.goto(`${app.url}/members-area`);
      assert.equal(lapsed?.status(), 403, "access ends with the period");
      assert.match(await mainText(visitor.page), c.locked);
      await screenshot(visitor.page, `offers-${locale}-lapsed-390`);

      for (const [who, p] of Object.entries({ visitor, anon, free, buyer, giver, friend }))
        assert.deepEqual(unexpected(p.errors, app), [], `no console errors for ${who}`);
    } finally {
      for (const p of [visitor, anon, free, buyer, giver, friend]) await p.close();
      await app.stop();
    }
  });
}
