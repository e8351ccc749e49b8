import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import MailComposer from "nodemailer/lib/mail-composer";
import { simpleParser, type ParsedMail } from "mailparser";
import { startTestApp } from "../../../../test/support/app.ts";
import { newId } from "../../../platform/ids.ts";
import type { Locale } from "../../../platform/i18n/index.ts";
import { getSiteSettings } from "../../../platform/settings.ts";
import { getPostForSending } from "../service.ts";
import { newsletterMail, type MessageFrame } from "./message.ts";
import { compileTemplate, fillTemplate, toHeaderLine } from "./prebuilt.ts";
import { renderVariant } from "./render.ts";
import { seedPaidPost } from "./testing/harness.ts";
import { trackingToken, unsubscribeToken } from "./tokens.ts";

/*
 * The email a send splices into its prebuilt template must be the one the slow path composes
 * with the same builder (newsletterMail), for the real post rendering in fr and en, teaser and
 * full, tracking on and off: every header but Date, and both bodies, read by mailparser.
 */

let app: Awaited<ReturnType<typeof startTestApp>>;
let postId = "";
before(async () => {
  app = await startTestApp();
  postId = await seedPaidPost(app.db, "Le tour à pied — « carnet »");
});
after(async () => {
  await app.stop();
});

function headers(m: ParsedMail): Record<string, string> {
  const out: Record<string, string> = {};
  // Date is the moment of composing; a MIME boundary is random each time.
  for (const h of m.headerLines)
    if (h.key !== "date") out[h.key] = h.line.replace(/\r?\n[ \t]+/g, " ").replace(/boundary="[^"]+"/, 'boundary="*"');
  return out;
}

test("spliced newsletter email equals the composed one, headers and bodies, in fr and en", async () => {
  const post = await getPostForSending(app.db, postId);
  assert.ok(post);
  const site = await getSiteSettings(app.db);
  const secret = "k".repeat(32);
  const sendId = newId();
  const publicUrl = "https://lettres.atelier.test";
  const frame: MessageFrame = {
    publicUrl,
    from: { name: "L’atelier de Camille", address: "hello@atelier.test" },
    replyTo: "camille@atelier.test",
    subject: "Lettre de novembre : « le geste juste »",
    siteName: "L’atelier de Camille",
    host: "lettres.atelier.test",
  };
  let compared = 0;
  for (const locale of ["fr", "en"] as Locale[])
    for (const full of [false, true])
      for (const tracking of [false, true]) {
        const variant = renderVariant({
          post,
          subject: frame.subject,
          site,
          locale,
          full,
          publicUrl,
          secret,
          sendId,
          tracking,
        });
        const memberId = newId();
        const unsubToken = unsubscribeToken(secret, memberId, sendId);
        const trackToken = tracking ? trackingToken(secret, sendId, memberId) : "";
        const build = (t: { unsubToken: string; trackToken: string }) => newsletterMail(frame, variant, t);
        const template = await compileTemplate(build, { unsub: unsubToken.length, track: trackToken.length });
        assert.ok(template, `template for ${locale} full=${full} tracking=${tracking}`);
        const to = { name: "Héloïse d’Anjou", address: "heloise@example.org" };
        const messageId = `<${sendId}.${memberId}@lettres.atelier.test>`;
        const spliced = fillTemplate(template, {
          toLine: toHeaderLine(to.name, to.address),
          messageId,
          unsubToken,
          trackToken,
        });
        assert.ok(spliced);
        const composed = await new MailComposer({ ...build({ unsubToken, trackToken }), to, messageId })
          .compile()
          .build();
        const [a, b] = await Promise.all([simpleParser(spliced), simpleParser(composed)]);
        const where = `${locale} full=${full} tracking=${tracking}`;
        assert.deepEqual(headers(a), headers(b), where);
        assert.equal(a.text, b.text, where);
        assert.equal(a.html, b.html, where);
        const h = headers(a);
        assert.equal(h["list-unsubscribe-post"], "List-Unsubscribe-Post: List-Unsubscribe=One-Click", where);
        assert.equal(h["list-unsubscribe"], `List-Unsubscribe: <${publicUrl}/unsubscribe?token=${unsubToken}>`, where);
        assert.ok(a.text!.includes(`/unsubscribe?token=${unsubToken}`), where);
        assert.ok(String(a.html).includes(`lang="${locale}"`), where);
        if (tracking) assert.ok(String(a.html).includes(`/nl/o/${trackToken}.gif`), where);
        compared++;
      }
  assert.equal(compared, 8);
});
