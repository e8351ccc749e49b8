import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { testClock } from "../../platform/time.ts";
import { AppError } from "../../platform/http/errors.ts";
import { loginOwner } from "../staff/testing.ts";
import { logIn, newClient, settleMail } from "../members/testing.ts";
import { makeCoachingOffer, makeMember, setupAvailability } from "./testing.ts";
import { parseQuestions, scoreAnswers } from "./applications.ts";

/* Applications before purchase: questions with weights → fit score; the creator decides; only the accepted may book. */
const clock = testClock("2026-03-20T08:00:00.000Z");
let app: TestApp;
let owner: TestClient;
const questions = [
  "single* | Où en est votre activité ? | Une idée=0; Premiers clients=2; Elle tourne=3",
  "multiple | Ce que vous attendez | Des outils=1; Un regard extérieur=2; Une recette miracle=-3",
  "scale* | Votre disponibilité | 1",
  "long* | Votre projet en quelques lignes",
].join("\n");

before(async () => {
  app = await startTestApp({ clock });
  await setupAvailability(app);
  owner = newClient(app);
  await loginOwner(owner);
  await owner.get("/admin/coaching"); // the CSRF token of the new session
});
after(async () => {
  await app?.stop();
});

test("questions are parsed from plain lines and scored with their weights", () => {
  const qs = parseQuestions(questions)!;
  assert.equal(qs.length, 4);
  const good = scoreAnswers(qs, { q0: "2", q1: ["0", "1"], q2: "5", q3: "Je lance un atelier de reliure." });
  assert.deepEqual([good.score, good.max], [11, 11]);
  const weak = scoreAnswers(qs, { q0: "0", q1: ["2"], q2: "1", q3: "Vite." });
  assert.equal(weak.score, 0, "a negative total counts as 0");
  assert.throws(
    () => scoreAnswers(qs, { q0: "9", q3: "x".repeat(4001) }),
    (e: unknown) => e instanceof AppError && e.status === 422 && Object.keys(e.fields).sort().join() === "q0,q2,q3",
  );
  assert.equal(parseQuestions("single | Sans choix"), null);
  assert.equal(parseQuestions("essay | Inconnu"), null);
});

test("apply, creator's queue with score and history, accept → may book; a second applicant is declined kindly", async () => {
  const offer = await makeCoachingOffer(app, { kind: "package", sessions: 5, validityDays: 180 });
  const saved = await owner.post(`/admin/coaching/offers/${offer.id}/questions`, {
    questions,
    fitThreshold: "50",
    acceptDays: "7",
  });
  assert.equal(saved.status, 303, saved.text.slice(0, 300));

  const a = await makeMember(app);
  const ca = newClient(app);
  await logIn(app, ca, a.email);
  const pageA = await ca.get(`/coaching/${offer.slug}`);
  assert.ok(pageA.text.includes("Votre candidature") && !pageA.text.includes('name="startsAt"'), "the form, no slots");
  const direct = await ca.post(`/coaching/${offer.slug}/book`, {
    startsAt: "2026-03-23T08:00:00.000Z",
    timeZone: "Europe/Paris",
  });
  assert.equal(direct.status, 403, "no booking before acceptance");
  const missing = await ca.post(`/coaching/${offer.slug}/apply`, { q0: "2", q3: "" });
  assert.equal(missing.status, 422);
  assert.ok(missing.text.includes("Ce champ est obligatoire"));
  assert.equal(
    (await app.db.selectFrom("coaching_applications").select("id").execute()).length,
    0,
    "nothing half-stored",
  );
  const sent = await ca.post(`/coaching/${offer.slug}/apply`, {
    q0: "2",
    q1: ["0", "1"],
    q2: "4",
    q3: "Je lance un atelier de reliure.",
  });
  assert.equal(sent.status, 303);
  assert.equal((await ca.post(`/coaching/${offer.slug}/apply`, { q0: "2", q2: "4", q3: "Encore" })).status, 409);

  const b = await makeMember(app);
  const cb = newClient(app);
  await logIn(app, cb, b.email);
  assert.equal(
    (await cb.post(`/coaching/${offer.slug}/apply`, { q0: "0", q1: ["2"], q2: "1", q3: "Vite." })).status,
    303,
  );

  const queue = await owner.get("/admin/coaching/applications");
  assert.ok(queue.text.includes("adéquation 91 %"), "10/11");
  assert.ok(queue.text.includes("adéquation 0 %") && queue.text.includes("probablement pas le bon profil"));
  const [appA, appB] = await Promise.all(
    [a.id, b.id].map((id) =>
      app.db.selectFrom("coaching_applications").select("id").where("member_id", "=", id).executeTakeFirstOrThrow(),
    ),
  );
  const detail = await owner.get(`/admin/coaching/applications/${appA!.id}`);
  assert.ok(
    detail.text.includes("Elle tourne"),
    detail.text.slice(detail.text.indexOf("<dl"), detail.text.indexOf("<dl") + 1500),
  );
  assert.ok(
    detail.text.includes("A envoyé une candidature"),
    detail.text.slice(detail.text.indexOf("<main"), detail.text.indexOf("<main") + 3000),
  );
  // Another member cannot read or decide an application.
  assert.equal((await cb.get(`/admin/coaching/applications/${appA!.id}`)).status, 303);

  const accept = await owner.post(`/admin/coaching/applications/${appA!.id}`, {
    decision: "accept",
    message: "Avec plaisir, Léa : on commence quand vous voulez.",
  });
  assert.equal(accept.status, 303);
  const decline = await owner.post(`/admin/coaching/applications/${appB!.id}`, {
    decision: "decline",
    message: "Merci pour votre confiance. Ce n’est pas le bon moment pour cet accompagnement.",
    resources: "Le guide gratuit : /guide",
  });
  assert.equal(decline.status, 303);
  await settleMail(app);
  const okMail = app.mail.to(a.email).find((m) => m.subject?.startsWith("Candidature acceptée"));
  assert.ok(
    okMail?.text?.includes("Avec plaisir, Léa") && /\/login\/verify\?token=/.test(okMail.text),
    "message and private link",
  );
  const noMail = app.mail.to(b.email).find((m) => m.subject?.startsWith("Réponse à votre candidature"));
  assert.ok(noMail?.text?.includes("Ce n’est pas le bon moment") && noMail.text.includes("Le guide gratuit"));

  // Accepted: the slots appear (booking then needs a paid credit); declined: still not.
  assert.ok((await ca.get(`/coaching/${offer.slug}`)).text.includes('name="startsAt"'));
  const stillNo = await cb.post(`/coaching/${offer.slug}/book`, {
    startsAt: "2026-03-23T08:00:00.000Z",
    timeZone: "Europe/Paris",
  });
  assert.equal(stillNo.status, 403);
  const noCredit = await ca.post(`/coaching/${offer.slug}/book`, {
    startsAt: "2026-03-23T08:00:00.000Z",
    timeZone: "Europe/Paris",
  });
  assert.equal(noCredit.status, 409, "accepted, but the package is not paid yet");
  // Past the validity, the acceptance lapses.
  clock.advance(8 * 86_400_000);
  assert.ok(!(await ca.get(`/coaching/${offer.slug}`)).text.includes('name="startsAt"'));
});
