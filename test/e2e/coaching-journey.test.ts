import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import ICAL from "ical.js";
import type { Browser, Page } from "playwright-core";
import { ownerEmail, ownerPassword, startTestApp, type TestApp } from "../support/app.ts";
import { launchBrowser, newPage, screenshot, type PageErrors } from "../support/browser.ts";
import { linkIn } from "../support/client.ts";
import { recipients } from "../support/smtp.ts";
import { waitFor } from "../support/raw-http.ts";
import { dispatchOutbox } from "../../src/platform/events/index.ts";
import { createOffer } from "../../src/modules/offers/index.ts";
import { createMember } from "../../src/modules/members/index.ts";
import { logIn, newClient } from "../../src/modules/members/testing.ts";

/*
 * The coaching journey in Chromium, in French and English: the creator sets
 * availability and a 5-session package with an application; a client
 * applies, is accepted, pays (test payments), books from New York time,
 * reschedules and gets the updated invitation; the creator writes notes and
 * a shared summary; a second applicant is declined and gets the kind message.
 */
let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

const copy = {
  fr: { save: /Enregistré/, slotTaken: /pris/, summaryTitle: /Compte rendu/, moved: /déplacée/ },
  en: { save: /Saved/, slotTaken: /taken/, summaryTitle: /Summary/, moved: /moved/ },
} as const;

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

const isCalendar = (type: string) => type.startsWith("text/calendar") || type === "application/ics";

function clean(errors: PageErrors): string[] {
  return errors.messages;
}

for (const locale of ["fr", "en"] as const) {
  test(`coaching journey in ${locale}`, async () => {
    const c = copy[locale];
    const app: TestApp = await startTestApp({ site: { locale } });
    const owner = await newPage(browser, { locale, width: 1280 });
    const client = await newPage(browser, { locale, width: 390, height: 844 });
    try {
      const db = app.db;
      await createOffer(db, { slug: "parcours", kind: "product", name: "Parcours 5", status: "published" }, [
        { kind: "one_off", amount: 45000, currency: "EUR" },
      ]);
      // 1. The creator: availability, a package, its questions.
      await owner.page.goto(`${app.url}/admin/login`);
      await owner.page.fill("[name=email]", ownerEmail);
      await owner.page.fill("[name=password]", ownerPassword);
      await submit(owner.page, "form button[type=submit]");
      await owner.page.goto(`${app.url}/admin/coaching/availability`);
      for (const d of ["mon", "tue", "wed", "thu", "fri"])
        await owner.page.fill(`[name=${d}]`, "09:00-12:00, 14:00-18:00");
      await owner.page.fill("[name=minNoticeHours]", "0");
      await owner.page.fill(
        "[name=forWhom]",
        locale === "fr" ? "Céramistes qui veulent vendre." : "Potters who want to sell.",
      );
      await submit(owner.page, "form.admin-form button[type=submit]");
      assert.match((await owner.page.textContent("main")) ?? "", c.save);
      await screenshot(owner.page, `coaching-${locale}-availability-1280`);
      await owner.page.goto(`${app.url}/admin/coaching/offers`);
      await owner.page.fill("[name=title]", locale === "fr" ? "Parcours 5 séances" : "5-session path");
      await owner.page.fill("[name=slug]", "parcours-5");
      await owner.page.selectOption("[name=kind]", "package");
      await owner.page.fill("[name=sessions]", "5");
      await owner.page.fill("[name=validityDays]", "180");
      await owner.page.selectOption("[name=offerId]", { label: "Parcours 5" });
      await submit(owner.page, "form.admin-form button[type=submit]");
      await submit(owner.page, "a[href$='/questions']");
      await owner.page.fill(
        "[name=questions]",
        "single* | Où en êtes-vous ? | Je découvre=0; J’ai des clients=3\nlong* | Votre projet",
      );
      await owner.page.fill("[name=fitThreshold]", "50");
      await submit(owner.page, "form.admin-form button[type=submit]");

      // 2. A client applies (390 px).
      const email = `lea-${locale}@example.org`;
      await createMember(
        db,
        { email, name: "Léa", locale, status: "active", emailOptIn: false, source: "test" },
        "system",
      );
      await client.page.goto(`${app.url}/login`);
      await client.page.fill("[name=email]", email);
      await submit(client.page, "main form button[type=submit]");
      const loginMail = await app.mail.waitFor(
        (m) => recipients(m).includes(email) && (m.text ?? "").includes("/login/verify"),
      );
      await client.page.goto(app.url + linkIn(loginMail.text!, app.url, "/login/verify"));
      await submit(client.page, "main form button[type=submit]");
      await client.page.goto(`${app.url}/coaching`);
      await screenshot(client.page, `coaching-${locale}-public-390`);
      await submit(client.page, "a.btn[href='/coaching/parcours-5']");
      await client.page.check("input[name=q0][value='1']");
      await client.page.fill("[name=q1]", locale === "fr" ? "Ouvrir mon atelier." : "Open my studio.");
      await screenshot(client.page, `coaching-${locale}-apply-390`);
      await submit(client.page, "form.coaching-apply button[type=submit]");

      // A second applicant, sent over HTTP, will be declined.
      const other = `tom-${locale}@example.org`;
      await createMember(
        db,
        { email: other, name: "Tom", locale, status: "active", emailOptIn: false, source: "test" },
        "system",
      );
      const tom = newClient(app);
      await logIn(app, tom, other);
      assert.equal((await tom.post("/coaching/parcours-5/apply", { q0: "0", q1: "Vite" })).status, 303);

      // 3. The creator's queue: accept Léa, decline Tom kindly.
      await owner.page.goto(`${app.url}/admin/coaching/applications`);
      await screenshot(owner.page, `coaching-${locale}-queue-1280`);
      const rows = await db.selectFrom("coaching_applications").select(["id", "score"]).orderBy("created_at").execute();
      await owner.page.goto(`${app.url}/admin/coaching/applications/${rows[0]!.id}`);
      await owner.page.fill(
        "form:has(input[value=accept]) [name=message]",
        locale === "fr" ? "Bienvenue Léa !" : "Welcome, Léa!",
      );
      await submit(owner.page, "form:has(input[value=accept]) button[type=submit]");
      await owner.page.goto(`${app.url}/admin/coaching/applications/${rows[1]!.id}`);
      const kind =
        locale === "fr" ? "Merci Tom, ce n’est pas le bon moment." : "Thank you Tom, it is not the right time.";
      await owner.page.fill("form:has(input[value=decline]) [name=message]", kind);
      await owner.page.fill("form:has(input[value=decline]) [name=resources]", "https://example.org/guide");
      await submit(owner.page, "form:has(input[value=decline]) button[type=submit]");
      const declined = await app.mail.waitFor((m) => recipients(m).includes(other) && (m.text ?? "").includes(kind));
      assert.ok(declined.text!.includes("https://example.org/guide"));

      // 4. Léa pays with test payments, then books from New York time and reschedules.
      await app.mail.waitFor(
        (m) => recipients(m).includes(email) && (m.text ?? "").includes(locale === "fr" ? "Bienvenue" : "Welcome"),
      );
      await client.page.goto(`${app.url}/offers/parcours`);
      await submit(client.page, "form[action='/checkout'] button[type=submit]");
      await submit(client.page, "button[name=action][value=pay]");
      await waitFor("credits granted", async () => {
        await dispatchOutbox(db);
        return !!(await db.selectFrom("coaching_credits").select("id").executeTakeFirst());
      });
      await client.page.goto(`${app.url}/coaching/parcours-5?tz=America%2FNew_York`);
      await screenshot(client.page, `coaching-${locale}-picker-ny-390`);
      // A slot three days ahead or more, so it can still be moved under the 24-hour policy.
      const slots = await client.page.$$eval("button.coaching-time", (bs) =>
        bs.map((b) => b.getAttribute("data-slot") ?? ""),
      );
      const first = slots.find((s) => Date.parse(s) > Date.now() + 3 * 86_400_000)!;
      await submit(client.page, `button.coaching-time[data-slot='${first}']`);
      assert.equal(new URL(client.page.url()).pathname, "/account/coaching");
      await screenshot(client.page, `coaching-${locale}-sessions-390`);
      const invite = await app.mail.waitFor(
        (m) => recipients(m).includes(email) && m.attachments.some((a) => isCalendar(a.contentType)),
      );
      assert.match(invite.text!, /America\/New_York/);
      await submit(client.page, "a[href$='/reschedule']");
      await submit(client.page, `button.coaching-time:not([data-slot='${first}'])`);
      const updated = await app.mail.waitFor(
        (m) =>
          recipients(m).includes(email) &&
          c.moved.test(m.subject ?? "") &&
          m.attachments.some((a) => isCalendar(a.contentType)),
      );
      const cal = new ICAL.Component(
        ICAL.parse(updated.attachments.find((a) => isCalendar(a.contentType))!.content.toString()),
      );
      assert.equal(cal.getFirstPropertyValue("method"), "REQUEST");
      assert.equal(cal.getFirstSubcomponent("vevent")!.getFirstPropertyValue("sequence"), 1);

      // 5. The creator's notes (private) and summary (shared).
      const booking = await db
        .selectFrom("coaching_bookings")
        .select("id")
        .where("status", "=", "confirmed")
        .executeTakeFirstOrThrow();
      await owner.page.goto(`${app.url}/admin/coaching/sessions/${booking.id}`);
      await owner.page.fill("[name=privateNotes]", "NOTE-PRIVEE");
      await owner.page.fill("[name=sharedSummary]", locale === "fr" ? "Trois bols tests." : "Three test bowls.");
      await submit(owner.page, "form.admin-form button[type=submit]");
      await screenshot(owner.page, `coaching-${locale}-session-1280`);
      await client.page.goto(`${app.url}/account/coaching`);
      const mine = (await client.page.textContent("main")) ?? "";
      assert.ok(!mine.includes("NOTE-PRIVEE"));
      assert.deepEqual(clean(owner.errors), []);
      assert.deepEqual(clean(client.errors), []);
    } finally {
      await owner.close();
      await client.close();
      await app.stop();
    }
  });
}
