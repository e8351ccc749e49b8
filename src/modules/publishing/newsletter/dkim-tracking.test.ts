import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";

/* DKIM signing and opt-in tracking. The DKIM key is configuration (platform/config), validated at start. */
const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const dkimEnv = {
  DKIM_DOMAIN: "lettres.atelier.test",
  DKIM_SELECTOR: "atl2026",
  DKIM_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
};

const { startTestApp } = await import("../../../../test/support/app.ts");
const { recipients } = await import("../../../../test/support/smtp.ts");
const { loginOwner } = await import("../../staff/testing.ts");
const { newId, nowIso } = await import("../../../platform/ids.ts");
const { getSend } = await import("./engine.ts");
const { seedPaidPost } = await import("./testing/harness.ts");

let app: Awaited<ReturnType<typeof startTestApp>>;
let postId = "";

before(async () => {
  app = await startTestApp({ env: dkimEnv });
  const at = nowIso();
  await app.db
    .insertInto("members")
    .values({
      id: newId(),
      email: "reader@example.test",
      name: "Reader",
      locale: "fr",
      time_zone: "Europe/Paris",
      status: "active",
      email_opt_in: 1,
      note: "",
      source: "import",
      confirmed_at: at,
      last_seen_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  postId = await seedPaidPost(app.db, "Le tour à pied");
});
after(async () => {
  await app.stop();
});

async function sendAll(subject: string): Promise<void> {
  const owner = app.client();
  await loginOwner(owner);
  await owner.get(`/admin/newsletters/new?post=${postId}`);
  const res = await owner.post("/admin/newsletters", {
    post: postId,
    subject,
    segment: "all",
    when: "now",
    action: "send",
  });
  assert.equal(res.status, 303);
  const sendId = res.location!.split("/").pop()!;
  for (let i = 0; i < 20 && (await getSend(app.db, sendId))?.state !== "finished"; i++) await app.drainJobs();
  assert.equal((await getSend(app.db, sendId))?.state, "finished");
}

test("with a DKIM key configured, newsletters are signed for that domain and selector", async () => {
  await sendAll("Lettre signée");
  const m = await app.mail.waitFor(
    (x) => recipients(x).includes("reader@example.test") && x.subject === "Lettre signée",
  );
  const sig = m.headerLines.find((h) => h.key === "dkim-signature")?.line.replace(/\r?\n\s+/g, " ") ?? "";
  assert.match(sig, /\bd=lettres\.atelier\.test;/);
  assert.match(sig, /\bs=atl2026;/);
  assert.match(sig, /\bbh=[A-Za-z0-9+/=]+;/);
  assert.match(sig, /\bb=[A-Za-z0-9+/= ]{40,}/);
});

test("transactional mail is signed with the same key: a login link is DKIM-signed for that domain", async () => {
  const res = await app.client().post("/login", { email: "reader@example.test" });
  assert.ok(res.status < 400, `login answered ${res.status}`);
  await app.drainJobs();
  const m = await app.mail.waitFor(
    (x) => recipients(x).includes("reader@example.test") && /\/login\//.test(x.text ?? ""),
  );
  const sig = m.headerLines.find((h) => h.key === "dkim-signature")?.line.replace(/\r?\n\s+/g, " ") ?? "";
  assert.match(sig, /\bd=lettres\.atelier\.test;/);
  assert.match(sig, /\bs=atl2026;/);
  assert.match(sig, /\bb=[A-Za-z0-9+/= ]{40,}/);
});

test("tracking is off by default; once turned on, the open pixel and signed click links record events", async () => {
  const first = app.mail.messages.find((x) => x.subject === "Lettre signée")!;
  assert.doesNotMatch(String(first.html), /\/nl\/o\//, "no pixel while tracking is off");
  assert.doesNotMatch(String(first.html), /\/nl\/c\//, "no redirected links while tracking is off");

  const owner = app.client();
  await loginOwner(owner);
  await owner.get("/admin/newsletters");
  const on = await owner.post("/admin/newsletters/tracking", { tracking: "on" });
  assert.ok(on.status === 303 || on.status === 200, `tracking switch answered ${on.status}`);
  await sendAll("Lettre suivie");
  const m = await app.mail.waitFor(
    (x) => recipients(x).includes("reader@example.test") && x.subject === "Lettre suivie",
  );
  const html = String(m.html);
  const pixel = new RegExp(`${app.url.replace(/[.]/g, "\\.")}(/nl/o/[^"]+\\.gif)`).exec(html)?.[1];
  const click = new RegExp(`${app.url.replace(/[.]/g, "\\.")}(/nl/c/[^"]+)`).exec(html)?.[1]?.replace(/&amp;/g, "&");
  assert.ok(pixel, "the email has an open pixel");
  assert.ok(click, "the email's links go through the click redirect");
  const visitor = app.client();
  assert.equal((await visitor.get(pixel)).status, 200);
  const redirected = await visitor.get(click);
  assert.equal(redirected.status, 302);
  assert.match(redirected.location ?? "", /^https?:\/\//);
  const tampered = await visitor.get(click.replace(/s=[^&]+/, "s=forged"));
  assert.equal(tampered.status, 404, "a forged click link does not redirect");
  const kinds = (await app.db.selectFrom("newsletter_events").select("kind").execute()).map((r) => r.kind).sort();
  assert.deepEqual(kinds, ["click", "open"]);
});
