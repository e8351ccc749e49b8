/** Screenshots of the send pages and of the email itself (npx tsx .../testing/shots.ts). */
import fs from "node:fs";
import { chromium } from "playwright-core";
import { startTestApp } from "../../../../../test/support/app.ts";
import { loginOwner } from "../../../staff/testing.ts";
import { createSend } from "../engine.ts";
import { renderVariant, personalise } from "../render.ts";
import { getPostForSending } from "../../service.ts";
import { getSiteSettings } from "../../../../platform/settings.ts";
import { seedMembers, seedPaidPost } from "./harness.ts";

const out = "/work/helpers/shots";
fs.mkdirSync(out, { recursive: true });
const app = await startTestApp();
await seedMembers(app.db, 1234, { payingEvery: 5 });
const postId = await seedPaidPost(app.db, "Le four à bois, un hiver");
const owner = app.client();
await loginOwner(owner);
const finished = await createSend(app.running.services, {
  postId,
  subject: "Lettre d’octobre",
  segment: { kind: "paid" },
  scheduledAt: null,
  createdBy: null,
});
for (let i = 0; i < 30; i++) await app.drainJobs();
await app.db
  .updateTable("newsletter_deliveries")
  .set({ state: "bounced" })
  .where("send_id", "=", finished)
  .where("email", "in", ["m5@example.test", "m10@example.test"])
  .execute();
await app.db
  .updateTable("newsletter_deliveries")
  .set({ unsubscribed_at: new Date().toISOString() })
  .where("send_id", "=", finished)
  .where("email", "in", ["m15@example.test"])
  .execute();
await app.running.worker!.stop();
const sending = await createSend(app.running.services, {
  postId,
  subject: "Lettre de novembre",
  segment: { kind: "all" },
  scheduledAt: null,
  createdBy: null,
});
const ids = (
  await app.db
    .selectFrom("newsletter_deliveries")
    .select("member_id")
    .where("send_id", "=", sending)
    .limit(700)
    .execute()
).map((r) => r.member_id);
await app.db
  .updateTable("newsletter_deliveries")
  .set({ state: "accepted" })
  .where("send_id", "=", sending)
  .where("member_id", "in", ids)
  .execute();

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const cookies = [...owner.cookies].map(([name, value]) => ({ name, value, url: app.url }));
for (const width of [390, 1280]) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 } });
  await ctx.addCookies(cookies);
  const page = await ctx.newPage();
  const shot = async (path: string, name: string) => {
    await page.goto(app.url + path);
    await page.screenshot({ path: `${out}/newsletter-${name}-${width}.png`, fullPage: true });
  };
  await shot("/admin/newsletters", "list");
  await shot(`/admin/newsletters/new?post=${postId}`, "compose");
  await shot(`/admin/newsletters/${sending}`, "progress");
  await shot(`/admin/newsletters/${finished}`, "finished");
  const post = (await getPostForSending(app.db, postId))!;
  const site = await getSiteSettings(app.db);
  for (const full of [false, true]) {
    const v = personalise(
      renderVariant({
        post,
        subject: "Lettre",
        site,
        locale: "fr",
        full,
        publicUrl: app.url,
        secret: "x",
        sendId: "s",
        tracking: false,
      }),
      `${app.url}/unsubscribe?token=x`,
      "",
    );
    // A blank page of its own: the app's CSP (no inline styles) must not apply to the email.
    const mail = await browser.newPage({ viewport: { width, height: 900 } });
    await mail.setContent(v.html);
    await mail.screenshot({ path: `${out}/newsletter-email-${full ? "paying" : "free"}-${width}.png`, fullPage: true });
    await mail.close();
  }
  await ctx.close();
}
await browser.close();
await app.stop();
console.log("shots written");
process.exit(0);
