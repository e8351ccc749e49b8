import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { ownerEmail, ownerPassword, startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { createOffer } from "../offers/index.ts";

/* Admin → Import over real HTTP: upload, preview, bad input on every form, run, progress, report. */

let app: TestApp;
let owner: TestClient;
let tierId: string;
const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "fixtures", name));

before(async () => {
  app = await startTestApp({ site: { locale: "en" } });
  tierId = (await createOffer(app.db, { slug: "gold", kind: "tier", name: "Gold", status: "published" })).id;
  await createOffer(app.db, { slug: "silver", kind: "tier", name: "Silver", status: "published" });
  owner = app.client();
  await owner.get("/admin/login");
  const res = await owner.post("/admin/login", { email: ownerEmail, password: ownerPassword });
  assert.equal(res.status, 303);
});
after(() => app.stop());

async function upload(source: string, bytes: Buffer | null, name = "export.csv", csrf = owner.csrf) {
  const form = new FormData();
  form.append("_csrf", csrf);
  form.append("source", source);
  if (bytes) form.append("file", new Blob([new Uint8Array(bytes)], { type: "text/csv" }), name);
  return owner.request("POST", "/admin/import", { body: form, headers: { "accept-language": "en" } });
}

async function waitForState(id: string, state: string) {
  for (let i = 0; i < 400; i++) {
    await app.drainJobs();
    const row = await app.db.selectFrom("imports").select("state").where("id", "=", id).executeTakeFirstOrThrow();
    if (row.state === state) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`import ${id} never reached ${state}`);
}

test("upload → preview with the mapping and verdicts → run → progress JSON → per-row report", async () => {
  const page = await owner.get("/admin/import");
  assert.equal(page.status, 200);
  const res = await upload("ghost", fixture("ghost-members.csv"));
  assert.equal(res.status, 303, res.text.slice(0, 300));
  const id = res.location!.split("/").pop()!;
  const preview = await owner.get(`/admin/import/${id}`);
  assert.equal(preview.status, 200);
  assert.match(preview.text, /Import preview/);
  assert.match(preview.text, /subscribed_to_emails/);
  assert.match(preview.text, /Lefèvre, Anna/);
  assert.match(preview.text, /member deleted on the original platform/);
  assert.match(preview.text, /same address as line 4/);
  assert.match(preview.text, /Gold \(1 row\)/);
  assert.match(preview.text, /Silver \(1 row\)/);
  const ran = await owner.post(`/admin/import/${id}/start`, {
    "tierName.0": "Gold",
    "tier.0": tierId,
    "tierName.1": "Silver",
    "tier.1": tierId,
    action: "run",
  });
  assert.equal(ran.status, 303);
  await waitForState(id, "done");
  const json = JSON.parse((await owner.get(`/admin/import/${id}/progress.json`, { accept: "application/json" })).text);
  assert.equal(json.state, "done");
  assert.equal(json.cursor, 6);
  assert.equal(json.counts.created, "3 members created");
  assert.equal(json.counts.failed, "1 row refused");
  const report = await owner.get(`/admin/import/${id}`);
  assert.match(report.text, /Row-by-row report/);
  assert.match(report.text, /<td>8<\/td><td>broken@<\/td><td>refused<\/td><td>invalid email address<\/td>/);
  const all = await owner.get(`/admin/import/${id}?all=1`);
  assert.match(all.text, /anna\.free@example\.org<\/td><td>created/);
  // Starting twice does nothing more.
  assert.equal((await owner.post(`/admin/import/${id}/start`, { action: "run" })).status, 303);
  assert.equal(
    await app.db
      .selectFrom("members")
      .select("id")
      .where("source", "=", "import:ghost")
      .execute()
      .then((r) => r.length),
    3,
  );
});

test("bad input on the upload form: no file, unknown platform, the wrong platform's file, not a CSV, no CSRF", async () => {
  const before = (await app.db.selectFrom("imports").select("id").execute()).length;
  await owner.get("/admin/import");
  const noFile = await upload("ghost", null);
  assert.equal(noFile.status, 422);
  assert.match(noFile.text, /empty|file/i);
  const badSource = await upload("myspace", fixture("ghost-members.csv"));
  assert.equal(badSource.status, 422);
  assert.match(badSource.text, /Choose the platform you are leaving/);
  const wrong = await upload("patreon", fixture("kit-subscribers.csv"));
  assert.equal(wrong.status, 422);
  assert.match(wrong.text, /does not look like a Patreon export: Name, Email, Patron Status, Tier is missing/);
  const binary = await upload("csv", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), "x.png");
  assert.equal(binary.status, 415);
  assert.match(binary.text, /not a \(text\) CSV/);
  const forged = await upload("ghost", fixture("ghost-members.csv"), "x.csv", "forged");
  assert.equal(forged.status, 403);
  assert.equal((await app.db.selectFrom("imports").select("id").execute()).length, before);
});

test("bad input on the preview form: a column not in the file, an unknown offer, a missing email column", async () => {
  const res = await upload("csv", fixture("generic.csv"));
  const id = res.location!.split("/").pop()!;
  const preview = await owner.get(`/admin/import/${id}`);
  assert.match(preview.text, /<option value="Courriel" selected="">Courriel<\/option>/);
  const badColumn = await owner.post(`/admin/import/${id}/start`, {
    "col.email": "Courriel",
    "col.name": "Nope",
    action: "run",
  });
  assert.equal(badColumn.status, 422);
  assert.match(badColumn.text, /This column is not in the file/);
  const noEmail = await owner.post(`/admin/import/${id}/start`, { "col.email": "", action: "run" });
  assert.equal(noEmail.status, 422);
  const badOffer = await owner.post(`/admin/import/${id}/start`, {
    "col.email": "Courriel",
    "tierName.0": "gold",
    "tier.0": "00000000-0000-7000-8000-000000000000",
    action: "save",
  });
  assert.equal(badOffer.status, 422);
  assert.match(badOffer.text, /This offer does not exist/);
  const row = await app.db.selectFrom("imports").select("state").where("id", "=", id).executeTakeFirstOrThrow();
  assert.equal(row.state, "ready", "nothing started after a refused form");
  assert.equal((await owner.get(`/admin/import/not-an-id`)).status, 404);
});
