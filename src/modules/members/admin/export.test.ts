import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../../test/support/app.ts";
import type { TestClient } from "../../../../test/support/client.ts";
import { newId } from "../../../platform/ids.ts";
import { csvCell, csvRow, neutralise, parseCsv, utf8Bom } from "./csv.ts";
import { bulkInsertMembers, memberRow, ownerClient } from "./testing.ts";

let app: TestApp;
let owner: TestClient;

const nasty = [
  '=HYPERLINK("http://evil.example","click")',
  "+33 6 12 34 56 78",
  "-2+3",
  "@SUM(A1)",
  "\tTabbed",
  "\rReturn",
  'Quote "me", please',
  "Line\nbreak",
  "Zoë 👩🏽‍🎨; semi",
];

before(async () => {
  app = await startTestApp();
  owner = await ownerClient(app);
  const base = Date.parse("2026-03-01T10:00:00.000Z");
  const rows = nasty.map((name, i) =>
    memberRow({
      id: newId(),
      email: `n${i}@example.org`,
      name,
      note: i === 0 ? "=1+1" : "",
      source: "import",
      created_at: new Date(base + i * 1000).toISOString(),
    }),
  );
  // 2,500 ordinary members: more than two export chunks.
  for (let i = 0; i < 2500; i++)
    rows.push(
      memberRow({
        id: newId(),
        email: `plain${i}@example.org`,
        name: `Plain ${i}`,
        email_opt_in: i % 2,
        created_at: new Date(base + 100_000 + i * 1000).toISOString(),
      }),
    );
  await bulkInsertMembers(app.db, rows);
});
after(() => app.stop());

test("cells that a spreadsheet would run as formulas get a leading quote; quoting is RFC 4180", () => {
  for (const v of ["=1", "+1", "-1", "@a", "\tx", "\rx"])
    assert.equal(neutralise(v).startsWith("'"), true, JSON.stringify(v));
  assert.equal(neutralise("Alice"), "Alice");
  assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
  assert.equal(csvCell("a;b", ";"), '"a;b"');
  assert.equal(csvCell("a;b", ","), "a;b");
  assert.equal(csvCell(null), "");
  const line = csvRow(["=x", "multi\nline", "plain"]);
  assert.deepEqual(parseCsv(line), [["'=x", "multi\nline", "plain"]]);
});

test("the export streams every member of the filter, with a BOM, neutralised and parseable", async () => {
  const res = await fetch(`${app.url}/admin/members/export.csv?source=import`, {
    headers: { cookie: `atl_s=${owner.cookies.get("atl_s")}` },
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/csv; charset=utf-8/);
  assert.match(res.headers.get("content-disposition") ?? "", /attachment; filename="members-\d{4}-\d{2}-\d{2}\.csv"/);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  assert.ok(text.startsWith(utf8Bom));
  const rows = parseCsv(text);
  // Headers in the creator's language (the site's: French here), money columns from the offers module.
  assert.deepEqual(rows[0], [
    "Identifiant",
    "E-mail",
    "Nom",
    "Statut",
    "Lettre d’information",
    "Langue",
    "Fuseau horaire",
    "Origine",
    "Inscription",
    "Adresse confirmée",
    "Dernière visite",
    "Formule",
    "Paiement",
    "Total payé (EUR)",
    "Note",
  ]);
  const body = rows.slice(1);
  assert.equal(body.length, nasty.length);
  // Newest first (the list's default order): reverse of insertion.
  const names = body.map((r) => r[2]).reverse();
  assert.deepEqual(
    names,
    nasty.map((n) => neutralise(n)),
  );
  for (const r of body) {
    assert.equal(r.length, 15);
    for (const cell of r) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `unsafe cell ${JSON.stringify(cell)}`);
    assert.match(r[8]!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  }
  const first = body.find((r) => r[1] === "n0@example.org")!;
  assert.equal(first[14], "'=1+1");
  assert.deepEqual(first.slice(11, 14), ["", "Gratuit", "0.00"]);
});

test("a large export arrives in several chunks and matches the count; the semicolon variant parses too", async () => {
  const res = await fetch(`${app.url}/admin/members/export.csv?newsletter=yes&delimiter=semicolon`, {
    headers: { cookie: `atl_s=${owner.cookies.get("atl_s")}` },
  });
  assert.equal(res.status, 200);
  let chunks = 0;
  let text = "";
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  const reader = res.body!.getReader();
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    chunks++;
    text += decoder.decode(part.value, { stream: true });
  }
  text += decoder.decode();
  assert.ok(chunks >= 2, `streamed in ${chunks} chunk(s)`);
  const rows = parseCsv(text, ";");
  assert.equal(rows.length - 1, 1250);
  assert.ok(rows.slice(1).every((r) => r[4] === "Oui" && r.length === 15));
  assert.equal(new Set(rows.slice(1).map((r) => r[0])).size, 1250);
});
