import { test } from "node:test";
import assert from "node:assert/strict";
import type Mail from "nodemailer/lib/mailer";
import MailComposer from "nodemailer/lib/mail-composer";
import { simpleParser } from "mailparser";
import { newId } from "../../../platform/ids.ts";
import { compileTemplate, fillTemplate, toHeaderLine } from "./prebuilt.ts";
import { trackingToken, unsubscribeToken } from "./tokens.ts";

/**
 * The prebuilt template must give, for every recipient, the email nodemailer
 * would have composed: compared after parsing both with mailparser (an
 * independent parser), including tokens that quoted-printable wrapped.
 */
const sendId = newId();
const secret = "s".repeat(32);
const publicUrl = "https://lettres.atelier.test";

function build(tokens: { unsubToken: string; trackToken: string }): Mail.Options {
  const unsub = `${publicUrl}/unsubscribe?token=${tokens.unsubToken}`;
  // Lines of every length before the links, so that QP soft breaks fall inside the tokens at many offsets.
  const filler = Array.from({ length: 80 }, (_v, i) => `${"é".repeat(i % 3)}${"x".repeat(i)} ${unsub}`).join("\n");
  return {
    from: { name: "L’atelier de Camille", address: "hello@atelier.test" },
    replyTo: "camille@atelier.test",
    subject: "Lettre de novembre : « le geste juste »",
    html: `<p>Bonjour à toutes et à tous,</p>${Array.from({ length: 40 }, (_v, i) => `<p>${"y".repeat(i)}<a href="${publicUrl}/nl/c/${tokens.trackToken}?u=x&amp;s=1">lien</a> <a href="${unsub}">désinscription</a></p>`).join("\n")}<img src="${publicUrl}/nl/o/${tokens.trackToken}.gif">`,
    text: `Bonjour à toutes et à tous,\n${filler}\n`,
    headers: {
      "List-Unsubscribe": `<${unsub}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "List-Id": { prepared: true, value: `"L'atelier de Camille" <newsletter.lettres.atelier.test>` },
    },
  };
}

test("a prebuilt newsletter email equals the one nodemailer composes, for every kind of recipient", async () => {
  const sample = { unsub: unsubscribeToken(secret, newId(), sendId), track: trackingToken(secret, sendId, newId()) };
  const template = await compileTemplate(build, { unsub: sample.unsub.length, track: sample.track.length });
  assert.ok(template, "template compiled");
  const wrapped = template.parts.filter((p) => typeof p !== "string" && "breaks" in p && p.breaks.length > 0).length;
  assert.ok(wrapped > 10, `tokens wrapped by quoted-printable are covered (${wrapped})`);

  const recipients = [
    { name: "", email: "ana@example.org" },
    { name: "Ana Lima", email: "ana.lima@example.org" },
    { name: "Héloïse d’Anjou-Lefèvre de la Tour du Pin", email: "heloise@example.org" },
    { name: 'Jo "the cook", Paris', email: "jo@example.org" },
  ];
  for (const r of recipients) {
    const memberId = newId();
    const unsubToken = unsubscribeToken(secret, memberId, sendId);
    const trackToken = trackingToken(secret, sendId, memberId);
    const messageId = `<${sendId}.${memberId}@lettres.atelier.test>`;
    const fast = fillTemplate(template, { toLine: toHeaderLine(r.name, r.email), messageId, unsubToken, trackToken });
    assert.ok(fast, `prebuilt for ${r.email}`);
    // Body lines keep quoted-printable's limit; headers the SMTP one (a long URL cannot be folded).
    const [head, ...body] = fast.toString("latin1").split("\r\n\r\n");
    for (const line of body.join("\n").split(/\r?\n/)) assert.ok(line.length <= 78, `body line too long: ${line}`);
    for (const line of head!.split("\r\n")) assert.ok(line.length <= 998, `header line too long: ${line}`);
    const usual = await new MailComposer({
      ...build({ unsubToken, trackToken }),
      to: r.name ? { name: r.name, address: r.email } : r.email,
      messageId,
      textEncoding: "quoted-printable",
    })
      .compile()
      .build();
    const [a, b] = await Promise.all([simpleParser(fast), simpleParser(usual)]);
    assert.deepEqual(a.to, b.to, r.email);
    assert.equal(a.messageId, b.messageId);
    assert.equal(a.subject, b.subject);
    assert.equal(a.text, b.text);
    assert.equal(a.html, b.html);
    assert.ok(a.text!.includes(`token=${unsubToken}`));
    assert.equal(
      a.headers.get("list-unsubscribe") && JSON.stringify(a.headers.get("list-unsubscribe")),
      JSON.stringify(b.headers.get("list-unsubscribe")),
    );
    assert.equal(
      String(a.headers.get("list-id") && JSON.stringify(a.headers.get("list-id"))),
      String(JSON.stringify(b.headers.get("list-id"))),
    );
    assert.deepEqual(a.replyTo, b.replyTo);
  }
});

test("anything unusual falls back to composing the message: other token length, IDN address, odd Message-ID", async () => {
  const sample = unsubscribeToken(secret, newId(), sendId);
  const template = await compileTemplate(build, { unsub: sample.length, track: 0 });
  assert.ok(template);
  const ok = { toLine: toHeaderLine("", "a@example.org"), messageId: "<a@b>", unsubToken: sample, trackToken: "" };
  assert.ok(fillTemplate(template, ok));
  assert.equal(fillTemplate(template, { ...ok, unsubToken: sample + "x" }), null);
  assert.equal(fillTemplate(template, { ...ok, unsubToken: sample.slice(1) + "=" }), null);
  assert.equal(toHeaderLine("", "léa@exemple.fr"), null);
  assert.equal(toHeaderLine("", "a@bücher.de"), null);
  assert.equal(fillTemplate(template, { ...ok, toLine: null }), null);
  assert.equal(fillTemplate(template, { ...ok, messageId: "<a b@c>" }), null);
  // Placeholders the email does not carry where expected: no template.
  assert.equal(
    await compileTemplate(() => ({ from: "a@b.c", subject: "x", text: "no tokens here" }), { unsub: 40, track: 0 }),
    null,
  );
});
