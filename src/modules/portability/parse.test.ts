import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { AppError } from "../../platform/http/errors.ts";
import { mapMemberFile } from "./parse.ts";
import { detectSource } from "./sources/platforms.ts";
import { parseDate } from "./sources/fields.ts";
import type { MemberSource } from "./sources/types.ts";
import { previewCsv } from "./csv.ts";

const fixtures = path.join(import.meta.dirname, "fixtures");
const now = "2026-12-01T09:00:00.000Z";

async function mapFixture(file: string, source: MemberSource, mapping = {}) {
  const out = [];
  for await (const item of mapMemberFile(fs.readFileSync(path.join(fixtures, file)), source, { now, mapping }))
    out.push(item.row);
  return out;
}

/** Each row as "line:email:verdict" so a test reads like the file. */
function verdicts(rows: Awaited<ReturnType<typeof mapFixture>>) {
  return rows.map((r) =>
    r.ok
      ? `${r.member.line}:${r.member.email}:${r.member.paid ? `paid ${r.member.paid.tier}` : "free"}`
      : `${r.line}:${r.reason}`,
  );
}

test("Substack subscribers: BOM, paid plan until expiry, lapsed plan free, email_disabled is no consent, bad rows", async () => {
  const rows = await mapFixture("substack-subscribers.csv", "substack");
  assert.deepEqual(verdicts(rows), [
    "2:camille.free@example.com:free",
    "3:paul.monthly@example.com:paid monthly",
    "4:ines.yearly@example.com:paid yearly",
    "5:lapsed@example.com:free",
    "6:duplicate",
    "7:email_invalid",
    "8:date_invalid",
    "9:email_missing",
  ]);
  const [camille, paul, ines] = rows;
  assert.ok(camille?.ok && paul?.ok && ines?.ok);
  assert.deepEqual(camille.member.consent, { granted: true, at: "2023-04-02T09:15:00.000Z" });
  assert.equal(camille.member.joinedAt, "2023-04-02T09:15:00.000Z");
  assert.equal(paul.member.paid?.until, "2030-01-31T00:00:00.000Z");
  assert.equal(ines.member.consent.granted, false, "email_disabled=true");
  const dup = rows[4]!;
  assert.ok(!dup.ok);
  assert.deepEqual(dup.params, { line: 2 });
});

test("Ghost members: quoted commas and newlines, labels, comped and Stripe tiers, deleted members skipped", async () => {
  const rows = await mapFixture("ghost-members.csv", "ghost");
  assert.deepEqual(verdicts(rows), [
    "2:anna.free@example.org:free",
    "4:bob.paid@example.org:paid Gold",
    "5:chloe.comp@example.org:paid Silver",
    "6:deleted",
    "7:duplicate",
    "8:email_invalid",
  ]);
  const [anna, bob, chloe] = rows;
  assert.ok(anna?.ok && bob?.ok && chloe?.ok);
  assert.equal(anna.member.name, "Lefèvre, Anna");
  assert.equal(anna.member.note, "Met at the Lyon fair, 2023\nasked about workshops");
  assert.deepEqual(anna.member.tags, ["lyon", "newsletter"]);
  assert.equal(anna.member.sourceId, "6571b0a1c3e1f2000123abcd");
  assert.equal(bob.member.stripeCustomerId, "cus_Pq1Rs2Tu3Vw4Xy");
  assert.equal(bob.member.paid?.until, null);
  assert.equal(chloe.member.consent.granted, false);
  assert.deepEqual(chloe.member.tags, ["friends", "press"]);
});

test("Patreon members: active patrons paid until Access Expiration or Next Charge Date, former and declined free", async () => {
  const rows = await mapFixture("patreon-members.csv", "patreon");
  assert.deepEqual(verdicts(rows), [
    "2:jeanne@example.net:paid Supporter",
    "3:john@example.net:free",
    "5:maria@example.net:free",
    "6:annual@example.net:paid Patron annuel",
    "7:email_missing",
  ]);
  const [jeanne, john] = rows;
  assert.ok(jeanne?.ok && john?.ok);
  assert.equal(jeanne.member.paid?.until, "2030-12-05T14:22:11.000Z");
  assert.equal(jeanne.member.joinedAt, "2023-03-05T14:22:10.000Z");
  assert.equal(jeanne.member.consent.granted, false, "Patreon gives no newsletter consent");
  assert.equal(john.member.name, "Doe, John");
  assert.equal(john.member.note, "Wants the zine, not the stickers");
  assert.equal(john.member.sourceId, "81234568");
});

test("Kit subscribers: active state is consent, tags split, escaped quotes, mixed-case duplicate, bad date", async () => {
  const rows = await mapFixture("kit-subscribers.csv", "kit");
  assert.deepEqual(verdicts(rows), [
    "2:lea@example.com:free",
    "3:marc@example.com:free",
    "4:theo@example.com:free",
    "5:duplicate",
    "6:bounced@example.com:free",
    "7:date_invalid",
  ]);
  const [lea, marc, theo] = rows;
  assert.ok(lea?.ok && marc?.ok && theo?.ok);
  assert.deepEqual(lea.member.tags, ["lyon", "workshop 2023"]);
  assert.deepEqual(lea.member.consent, { granted: true, at: "2023-08-01T12:00:00.000Z" });
  assert.equal(marc.member.consent.granted, false);
  assert.equal(theo.member.name, 'Théo "the maker"');
});

test("Gumroad sales: a live subscription is paid, a one-off buyer free, a refund free; Do not contact? is no consent", async () => {
  const rows = await mapFixture("gumroad-sales.csv", "gumroad");
  assert.deepEqual(verdicts(rows), [
    "2:sam@example.com:paid Monthly Sketchbook",
    "3:alex@example.com:free",
    "4:refund@example.com:free",
  ]);
  const [sam, alex] = rows;
  assert.ok(sam?.ok && alex?.ok);
  assert.equal(sam.member.paid?.until, "2030-04-01T00:00:00.000Z");
  assert.equal(alex.member.consent.granted, false);
  assert.deepEqual(alex.member.tags, ["brushes", "vol. 2"]);
});

test("a generic CSV maps French headers by synonyms; the mapping can be overridden", async () => {
  const rows = await mapFixture("generic.csv", "csv");
  assert.deepEqual(verdicts(rows), ["2:zoe@example.fr:free", "3:date_invalid"]);
  const zoe = rows[0]!;
  assert.ok(zoe.ok);
  assert.equal(zoe.member.name, "Zoé Martin");
  assert.deepEqual(zoe.member.tags, ["atelier", "été"]);
  assert.equal(zoe.member.consent.granted, true);
  const remapped = await mapFixture("generic.csv", "csv", { joined_at: "", consent: "" });
  assert.deepEqual(verdicts(remapped), ["2:zoe@example.fr:free", "3:hugo@example.fr:free"]);
  assert.ok(remapped[1]?.ok && remapped[1].member.consent.granted === false);
});

test("a file for another platform is refused before any row, naming the missing headers", async () => {
  await assert.rejects(
    () => mapFixture("kit-subscribers.csv", "ghost"),
    (err: unknown) =>
      err instanceof AppError &&
      err.code === "import_headers" &&
      /subscribed_to_emails/.test(String(err.params?.missing)),
  );
  await assert.rejects(() => mapFixture("kit-subscribers.csv", "csv", { email: "" }), AppError);
});

test("the platform is recognised from its headers", async () => {
  const expected: Record<string, string> = {
    "substack-subscribers.csv": "substack",
    "ghost-members.csv": "ghost",
    "patreon-members.csv": "patreon",
    "kit-subscribers.csv": "kit",
    "gumroad-sales.csv": "gumroad",
    "generic.csv": "csv",
  };
  for (const [file, source] of Object.entries(expected)) {
    const { headers } = await previewCsv(fs.readFileSync(path.join(fixtures, file)), 3);
    assert.equal(detectSource(headers).id, source, file);
  }
});

test("a malformed record (stray quote) is one bad row with its line; the next rows still come", async () => {
  const file = 'email,name\r\na@example.com,"A, B"\r\nb@example.com,"bad"quote"\r\nc@example.com,C\r\n';
  const rows = [];
  for await (const item of mapMemberFile(file, "csv", { now })) rows.push(item.row);
  assert.deepEqual(verdicts(rows), ["2:a@example.com:free", "3:malformed", "4:c@example.com:free"]);
});

test("dates: ISO, space-separated with zone, month names; impossible dates are invalid", () => {
  assert.equal(parseDate("2024-02-29"), "2024-02-29T00:00:00.000Z");
  assert.equal(parseDate("2023-02-29"), "invalid");
  assert.equal(parseDate("2024-01-15 10:30:00 +0100"), "2024-01-15T09:30:00.000Z");
  assert.equal(parseDate("Jan 5, 2023"), "2023-01-05T00:00:00.000Z");
  assert.equal(parseDate(""), null);
  assert.equal(parseDate("soon"), "invalid");
});
