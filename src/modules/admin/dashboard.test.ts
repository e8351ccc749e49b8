import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import type { TestClient } from "../../../test/support/client.ts";
import { record } from "../../platform/events/index.ts";
import { memberJoined } from "../members/index.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { t } from "../../platform/i18n/index.ts";
import { loginOwner } from "../staff/testing.ts";
import { memberStats, newMembersPerWeek, weekStart } from "../members/index.ts";
import { createMember } from "../members/index.ts";
import { daysAgo, insertMember } from "./testing.ts";

let app: TestApp;
let owner: TestClient;

before(async () => {
  app = await startTestApp();
  owner = app.client();
  await loginOwner(owner);
});
after(async () => {
  await app.stop();
});

function statValue(html: string, key: string): string {
  const m = new RegExp(`data-stat="${key}"><div class="value">([^<]*)</div>`).exec(html);
  assert.ok(m, `stat ${key} on the page`);
  return m[1]!;
}

test("an empty site shows zeros, the first-steps checklist and no activity", async () => {
  const res = await owner.get("/admin");
  assert.equal(res.status, 200);
  assert.match(res.text, /Bonjour Camille/);
  assert.equal(statValue(res.text, "total"), "0");
  assert.match(res.text, /class="card first-steps"/);
  assert.match(res.text, /href="\/admin\/settings"/);
  assert.match(
    res.text,
    /<li class="done" data-step="story">[\s\S]*?href="\/admin\/settings"/,
    "the story written at setup counts as done",
  );
  // The steps go to a first offer and end on sharing the page.
  const steps = [...res.text.matchAll(/data-step="(\w+)"/g)].map((m) => m[1]);
  assert.ok(steps.includes("offer"));
  assert.equal(steps.at(-1), "share");
  assert.match(res.text, /Créez votre première offre/);
  assert.doesNotMatch(res.text, /SMTP_URL|newsletter\.tick/);
  assert.match(res.text, new RegExp(t("fr", "admin.dash.events.none").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
});

test("stat cards, weekly chart, events and jobs match the data", async () => {
  const db = app.db;
  for (let i = 0; i < 3; i++) await insertMember(db, { createdAt: daysAgo(0), optIn: true });
  for (let i = 0; i < 2; i++) await insertMember(db, { createdAt: daysAgo(10) });
  for (let i = 0; i < 4; i++) await insertMember(db, { createdAt: daysAgo(20), status: "pending", optIn: true });
  for (let i = 0; i < 5; i++) await insertMember(db, { createdAt: daysAgo(60), optIn: true });
  const lea = await insertMember(db, { createdAt: daysAgo(200), name: "Léa <b>Martin</b>" });

  await record(
    db,
    memberJoined,
    { source: "signup", status: "active", emailOptIn: false, locale: "fr" },
    { memberId: lea, actor: "member" },
  );
  // A row of a type this version no longer declares (written by hand: record() refuses it).
  await db
    .insertInto("events")
    .values({
      id: newId(),
      member_id: null,
      type: "custom.something_new",
      actor: "system",
      data: "{}",
      created_at: nowIso(),
    })
    .execute();
  await db
    .insertInto("jobs")
    .values({
      id: "0190aaaa-0000-7000-8000-000000000001",
      type: "mail.send",
      payload: "{}",
      state: "dead",
      run_at: daysAgo(0),
      attempts: 8,
      max_attempts: 8,
      last_error: "SMTP down",
      dedupe_key: null,
      locked_by: null,
      locked_at: null,
      created_at: daysAgo(0),
      updated_at: daysAgo(0),
      finished_at: daysAgo(0),
    })
    .execute();

  const res = await owner.get("/admin");
  assert.equal(res.status, 200);
  assert.equal(statValue(res.text, "total"), "15");
  assert.equal(statValue(res.text, "active"), "11");
  assert.equal(statValue(res.text, "pending"), "4");
  assert.equal(statValue(res.text, "subscribers"), "8", "active and opted in; pending ones are not subscribers yet");
  assert.equal(statValue(res.text, "new30"), "9");

  // Chart: 12 bars, 14 members inside the 12 weeks (the 200-day-old one is outside).
  const membersChart = res.text.slice(res.text.indexOf('data-chart="members-chart"'));
  assert.equal((membersChart.slice(0, membersChart.indexOf("</svg>")).match(/<rect class="bar/g) ?? []).length, 12);
  assert.match(res.text, /<title id="members-chart-t">[^<]*\(14\)<\/title>/);

  // Events: the catalogue's French line, fallback to the raw type, names escaped.
  assert.ok(res.text.includes("A rejoint le site"));
  assert.ok(res.text.includes("custom.something_new"));
  assert.ok(res.text.includes(`href="/admin/members/${lea}"`));
  assert.ok(res.text.includes("Léa &lt;b&gt;Martin&lt;/b&gt;"));
  assert.ok(!res.text.includes("<b>Martin</b>"));

  // Jobs summary links to the failed ones.
  assert.match(res.text, /<a class="badge danger" href="\/admin\/jobs\?state=dead">1<\/a>/);

  // CSP: no inline style or script.
  assert.doesNotMatch(res.text, /style="/);
  assert.doesNotMatch(res.text, /<script>/);
  assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
});

test("the English dashboard is translated", async () => {
  const en = app.client();
  await loginOwner(en);
  await en.get("/lang/en?next=/admin");
  const page = await en.get("/admin");
  assert.match(page.text, /Hello Camille/);
  assert.match(page.text, /New members per week/);
});

test("weeks start on Monday in the site's time zone and members fold into the right week", async () => {
  assert.equal(weekStart(new Date("2026-11-25T10:00:00Z")).toISOString(), "2026-11-23T00:00:00.000Z");
  assert.equal(weekStart(new Date("2026-11-23T00:00:00Z")).toISOString(), "2026-11-23T00:00:00.000Z");
  assert.equal(weekStart(new Date("2026-11-22T23:59:59Z")).toISOString(), "2026-11-16T00:00:00.000Z");
  // Monday 00:30 in Paris is still Sunday in UTC.
  assert.equal(weekStart(new Date("2026-11-22T23:30:00Z"), "Europe/Paris").toISOString(), "2026-11-22T23:00:00.000Z");
  const now = new Date();
  const weeks = await newMembersPerWeek(app.db, 12, now);
  assert.equal(weeks.length, 12);
  assert.equal(weeks[11]!.start, weekStart(now).toISOString().slice(0, 10));
  assert.equal(
    weeks.reduce((s, w) => s + w.count, 0),
    14,
  );
  const thisWeek = weeks[11]!.count;
  assert.ok(thisWeek >= 3, "today's three members are in the current week");

  // A member who joined on Monday 00:30 in Paris (Sunday 23:30 UTC) counts in Paris's new week.
  const at = "2026-11-22T23:30:00.000Z";
  await createMember(
    app.db,
    { email: "minuit@example.org", locale: "fr", status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  await app.db.updateTable("members").set({ created_at: at }).where("email", "=", "minuit@example.org").execute();
  const monday = new Date("2026-11-25T12:00:00Z");
  const paris = await newMembersPerWeek(app.db, 2, monday, "Europe/Paris");
  const utc = await newMembersPerWeek(app.db, 2, monday, "UTC");
  assert.deepEqual(
    paris.map((w) => w.start),
    ["2026-11-16", "2026-11-23"],
  );
  const minuit = (weeks: { count: number }[]) => weeks.map((w) => w.count);
  await app.db.deleteFrom("members").where("email", "=", "minuit@example.org").execute();
  const parisWithout = await newMembersPerWeek(app.db, 2, monday, "Europe/Paris");
  const utcWithout = await newMembersPerWeek(app.db, 2, monday, "UTC");
  assert.deepEqual(minuit(paris), [parisWithout[0]!.count, parisWithout[1]!.count + 1]);
  assert.deepEqual(minuit(utc), [utcWithout[0]!.count + 1, utcWithout[1]!.count]);
});

test("member stats count with one aggregate query", async () => {
  const stats = await memberStats(app.db);
  assert.deepEqual(stats, { total: 15, active: 11, pending: 4, subscribers: 8, newLast30Days: 9 });
});

test("with SMTP configured, the mailbox page says mail goes out for real", async () => {
  const res = await owner.get("/admin/mailbox");
  assert.equal(res.status, 200);
  assert.match(res.text, /service d’envoi/);
  assert.doesNotMatch(res.text, /SMTP_URL/);
  assert.match(res.text, /notice warn/);
});
