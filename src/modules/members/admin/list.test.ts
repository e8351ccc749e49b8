import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../../../../test/support/app.ts";
import type { TestClient } from "../../../../test/support/client.ts";
import type { MembersTable } from "../tables.ts";
import { newId } from "../../../platform/ids.ts";
import { bulkInsertMembers, memberRow, ownerClient } from "./testing.ts";

/*
 * The list at 100,000 members: search + filter + keyset paging must give
 * exactly the rows a plain in-memory filter gives. Times are printed, not asserted.
 */

const N = 100_000;
const base = Date.parse("2026-01-01T00:00:00.000Z");
let app: TestApp;
let owner: TestClient;
const rows: MembersTable[] = [];

before(async () => {
  app = await startTestApp();
  for (let i = 0; i < N; i++) {
    const created = new Date(base + i * 60_000).toISOString();
    // Every 997th member is a "needle", with mixed case to prove the search ignores case.
    const name = i % 997 === 0 ? `NeEdle Héloïse ${i}` : i % 5 === 0 ? "" : `Member ${String(i).padStart(6, "0")}`;
    rows.push(
      memberRow({
        id: newId(),
        email: `m${i}@example.org`,
        name,
        status: i % 3 === 0 ? "pending" : "active",
        email_opt_in: i % 2,
        source: i % 10 === 0 ? "import" : "signup",
        created_at: created,
        updated_at: created,
        last_seen_at: i % 4 === 0 ? created : null,
      }),
    );
  }
  const t0 = performance.now();
  await bulkInsertMembers(app.db, rows);
  console.log(`inserted ${N} members in ${Math.round(performance.now() - t0)} ms`);
  owner = await ownerClient(app);
});
after(() => app.stop());

function unescape(s: string): string {
  return s
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
}

interface Parsed {
  ids: string[];
  total: number;
  page: number | null;
  pages: number | null;
  next: string | null;
  previous: string | null;
  last: string | null;
}

function parse(html: string): Parsed {
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  const ids = [...tbody.matchAll(/href="\/admin\/members\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);
  const link = (rel: string) => {
    const m = new RegExp(`<a href="(/admin/members[^"]*)" rel="${rel}"`).exec(html);
    return m ? unescape(m[1]!) : null;
  };
  const lastLink = /<a href="(\/admin\/members[^"]*last=1[^"]*)"/.exec(html);
  return {
    ids,
    total: Number(/data-total="(\d+)"/.exec(html)?.[1] ?? NaN),
    page: /data-page="(\d+)"/.exec(html) ? Number(/data-page="(\d+)"/.exec(html)![1]) : null,
    pages: /data-pages="(\d+)"/.exec(html) ? Number(/data-pages="(\d+)"/.exec(html)![1]) : null,
    next: link("next"),
    previous: link("prev"),
    last: lastLink ? unescape(lastLink[1]!) : null,
  };
}

async function timed(path: string): Promise<Parsed> {
  const t0 = performance.now();
  const res = await owner.get(path);
  const ms = Math.round(performance.now() - t0);
  console.log(`GET ${path.slice(0, 90)} -> ${res.status} in ${ms} ms`);
  assert.equal(res.status, 200, res.text.slice(0, 300));
  return parse(res.text);
}

const newestFirst = (a: MembersTable, b: MembersTable) =>
  a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0;

test("search (case-insensitive, name or email) plus a status filter answers exactly", async () => {
  const expected = rows
    .filter((r) => r.name.toLowerCase().includes("needle") && r.status === "active")
    .sort(newestFirst);
  assert.ok(expected.length > 50, "enough needles for two pages");
  const first = await timed("/admin/members?q=needle&status=active");
  assert.equal(first.total, expected.length);
  assert.deepEqual(
    first.ids,
    expected.slice(0, 50).map((r) => r.id),
  );
  assert.equal(first.page, 1);
  assert.equal(first.pages, Math.ceil(expected.length / 50));
  // Search by part of an email, with a newsletter filter.
  const one = rows[12345]!;
  const byEmail = await timed(`/admin/members?q=M12345%40EXAMPLE&newsletter=${one.email_opt_in ? "yes" : "no"}`);
  assert.deepEqual(byEmail.ids, [one.id]);
  const none = await timed(`/admin/members?q=m12345%40example&newsletter=${one.email_opt_in ? "no" : "yes"}`);
  assert.equal(none.total, 0);
});

test("keyset paging walks every row once, forwards and backwards, with page X of Y", async () => {
  const expected = rows
    .filter((r) => r.source === "import" && r.email_opt_in === 0 && r.status === "pending")
    .sort(newestFirst);
  const pages = Math.ceil(expected.length / 50);
  assert.ok(pages >= 3);
  const seen: string[] = [];
  let path: string | null = "/admin/members?source=import&newsletter=no&status=pending";
  let n = 0;
  const visited: string[] = [];
  // Walk the first three pages forwards, then jump to the last one.
  while (path && n < 3) {
    const p = await timed(path);
    n++;
    assert.equal(p.page, n);
    assert.equal(p.pages, pages);
    assert.equal(p.total, expected.length);
    seen.push(...p.ids);
    visited.push(path);
    path = p.next;
  }
  assert.deepEqual(
    seen,
    expected.slice(0, 150).map((r) => r.id),
  );
  // Back from page 3 to page 2 gives page 2 again.
  const third = await timed(visited[2]!);
  const second = await timed(third.previous!);
  assert.equal(second.page, 2);
  assert.deepEqual(
    second.ids,
    expected.slice(50, 100).map((r) => r.id),
  );
  const last = await timed(third.last!);
  assert.equal(last.page, pages);
  assert.deepEqual(
    last.ids,
    expected.slice((pages - 1) * 50).map((r) => r.id),
  );
  assert.equal(last.next, null);
  const beforeLast = await timed(last.previous!);
  assert.equal(beforeLast.page, pages - 1);
  assert.deepEqual(
    beforeLast.ids,
    expected.slice((pages - 2) * 50, (pages - 1) * 50).map((r) => r.id),
  );
});

test("sort by name and oldest first, and joined-date filters in the site's time zone", async () => {
  const byName = [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
  // Only non-empty names under a filter, to compare with a plain JS sort on ASCII names.
  const named = byName.filter((r) => r.name.startsWith("Member 0000"));
  const p = await timed("/admin/members?q=Member%200000&sort=name");
  assert.deepEqual(
    p.ids,
    named.slice(0, 50).map((r) => r.id),
  );
  const oldest = await timed("/admin/members?sort=oldest");
  assert.deepEqual(
    oldest.ids,
    rows.slice(0, 50).map((r) => r.id),
  );
  assert.equal(oldest.total, N);
  // 2026-01-02 in Paris is 2026-01-01T23:00Z .. 2026-01-02T23:00Z.
  const from = Date.parse("2026-01-01T23:00:00.000Z");
  const until = Date.parse("2026-01-02T23:00:00.000Z");
  const day = rows.filter((r) => Date.parse(r.created_at) >= from && Date.parse(r.created_at) < until);
  const d = await timed("/admin/members?from=2026-01-02&until=2026-01-02&sort=oldest");
  assert.equal(d.total, day.length);
  assert.equal(d.total, 1440);
  assert.deepEqual(
    d.ids,
    day.slice(0, 50).map((r) => r.id),
  );
});

test("the search ignores the case of accented letters too (SQLite's LIKE folds ASCII only)", async () => {
  const needles = rows.filter((r) => r.name.startsWith("NeEdle"));
  const upper = await timed(`/admin/members?q=${encodeURIComponent("HÉLOÏSE")}`);
  assert.equal(upper.total, needles.length);
  const lower = await timed(`/admin/members?q=${encodeURIComponent("héloïse 997")}`);
  assert.equal(lower.total, needles.filter((r) => r.name.toLowerCase().includes("héloïse 997")).length);
  assert.ok(lower.total >= 1);
});

test("LIKE wildcards in the search are literal, and bad filters are ignored with a message", async () => {
  assert.equal((await timed("/admin/members?q=%25")).total, 0);
  assert.equal((await timed("/admin/members?q=_")).total, 0);
  const res = await owner.get("/admin/members?from=2026-02-31&status=weird&sort=nope&after=garbage");
  assert.equal(res.status, 200);
  assert.match(res.text, /Invalid date: this filter is ignored/);
  assert.equal(parse(res.text).total, N);
});
