import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { TestApp } from "../../../../test/support/app.ts";
import { loginOwner } from "../../staff/testing.ts";
import { nowIso } from "../../../platform/ids.ts";
import { countSegment } from "./segments.ts";
import { setMemberTags } from "../../members/index.ts";
import { sendCount as countSends, startNewsletterWorld } from "./testing/world.ts";

let app: TestApp;
let postId: string;
let tierId: string;

before(async () => {
  ({ app, postId, tierId } = await startNewsletterWorld());
});

after(async () => {
  await app.stop();
});

const sendCount = () => countSends(app.db);

test("segment counts: opted-in active members, minus suppressions; free, paying, tiers", async () => {
  assert.equal(await countSegment(app.db, { kind: "all" }, nowIso()), 4);
  assert.equal(await countSegment(app.db, { kind: "free" }, nowIso()), 2);
  assert.equal(await countSegment(app.db, { kind: "paid" }, nowIso()), 2);
  assert.equal(await countSegment(app.db, { kind: "tiers", offers: [tierId] }, nowIso()), 2);
  assert.equal(await countSegment(app.db, { kind: "tiers", offers: ["empty-tier"] }, nowIso()), 0);
});

test("tag segment: members carrying any chosen tag; unknown or missing tags are a translated 422", async () => {
  const free1 = await app.db
    .selectFrom("members")
    .select("id")
    .where("email", "=", "free1@example.test")
    .executeTakeFirstOrThrow();
  const paying2 = await app.db
    .selectFrom("members")
    .select("id")
    .where("email", "=", "paying2@example.test")
    .executeTakeFirstOrThrow();
  const optedOut = await app.db
    .selectFrom("members")
    .select("id")
    .where("email", "=", "optedout@example.test")
    .executeTakeFirstOrThrow();
  await setMemberTags(app.db, free1.id, ["lyon", "stage-été"], "staff");
  await setMemberTags(app.db, paying2.id, ["lyon"], "staff");
  await setMemberTags(app.db, optedOut.id, ["lyon"], "staff");
  assert.equal(
    await countSegment(app.db, { kind: "tags", tags: ["lyon"] }, nowIso()),
    2,
    "opted-out members are never counted",
  );
  assert.equal(await countSegment(app.db, { kind: "tags", tags: ["stage-été"] }, nowIso()), 1);
  const owner = app.client();
  await loginOwner(owner);
  const page = await owner.get(`/admin/newsletters/new?post=${postId}`);
  assert.match(page.text, /name="tag" value="lyon"/);
  const recount = await owner.post("/admin/newsletters", {
    post: postId,
    subject: "S",
    segment: "tags",
    tag: "lyon",
    action: "count",
  });
  assert.match(recount.text, /data-nl-count="true">2 destinataires/);
  const none = await owner.post("/admin/newsletters", {
    post: postId,
    subject: "S",
    segment: "tags",
    action: "send",
    when: "now",
  });
  assert.equal(none.status, 422);
  assert.match(none.text, /Choisissez au moins une étiquette/);
  const unknown = await owner.post("/admin/newsletters", {
    post: postId,
    subject: "S",
    segment: "tags",
    tag: "paris",
    action: "send",
    when: "now",
  });
  assert.equal(unknown.status, 422);
  assert.match(unknown.text, /Cette étiquette n’existe pas/);
  for (const id of [free1.id, paying2.id, optedOut.id]) await setMemberTags(app.db, id, [], "staff");
});

test("compose page shows the recipient count; bad input is a translated 422 and creates nothing", async () => {
  const owner = app.client();
  await loginOwner(owner);
  const page = await owner.get(`/admin/newsletters/new?post=${postId}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /data-nl-count="true">4 destinataires/);
  const recount = await owner.post("/admin/newsletters", {
    post: postId,
    subject: "S",
    segment: "paid",
    action: "count",
  });
  assert.match(recount.text, /data-nl-count="true">2 destinataires/);
  const before = await sendCount();
  const base = { post: postId, subject: "Lettre", segment: "all", when: "now", action: "send" };
  const cases: [Record<string, string | string[]>, RegExp][] = [
    [{ ...base, segment: "bogus" }, /Choisissez à qui envoyer/],
    [{ ...base, segment: "tiers" }, /Cochez au moins une formule/],
    [{ ...base, segment: "tiers", tier: "nope" }, /Une des formules choisies n’existe pas/],
    [{ ...base, segment: "tiers", tier: "empty-tier" }, /Personne ne recevrait cet envoi/],
    [{ ...base, subject: "x".repeat(300) }, /Indiquez un objet/],
    [{ ...base, subject: "" }, /Indiquez un objet/],
    [{ ...base, when: "later", at: "2020-01-01T10:00" }, /Choisissez une date à venir/],
    [{ ...base, when: "later", at: "demain" }, /Indiquez une date et une heure valides/],
    [{ ...base, segment: "tiers", tier: Array.from({ length: 250 }, (_, i) => `t${i}`) }, /100 choix au plus/],
    [{ ...base, segment: "tags", tag: Array.from({ length: 101 }, (_, i) => `g${i}`) }, /100 choix au plus/],
  ];
  for (const [fields, message] of cases) {
    const res = await owner.post("/admin/newsletters", fields);
    assert.equal(res.status, 422, JSON.stringify(fields).slice(0, 80));
    assert.match(res.text, message);
  }
  // A body over the limit (own connection: the server closes it after the 413).
  const hugeBody = new URLSearchParams({ ...base, _csrf: owner.csrf, subject: "y".repeat(1_200_000) }).toString();
  const hugeStatus = await new Promise<number>((resolve, reject) => {
    const req = http.request(
      `${app.url}/admin/newsletters`,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(hugeBody);
  });
  assert.equal(hugeStatus, 413);
  const unknown = await owner.post("/admin/newsletters", { ...base, post: "missing" });
  assert.equal(unknown.status, 404);
  assert.equal(await sendCount(), before);
});
