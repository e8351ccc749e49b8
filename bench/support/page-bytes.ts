// `npx node --import tsx bench/support/page-bytes.ts DIR`: renders a fixed set of pages (anonymous, as a paying
// member, in English; the course's pages as students at different points, a member without access and
// anonymous) of a seeded demo into DIR, one file per page, CSRF tokens and UUIDs masked; render twice (before
// and after a change to a view or the JSX runtime) and compare the directories.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
const out = process.argv[2]!;
fs.mkdirSync(out, { recursive: true });
const { migrateToLatest, openDatabase } = await import("../../src/platform/db/index.ts");
const { seedDemo } = await import("../../src/modules/demo/seed.ts");
const { createSession } = await import("../../src/platform/security/sessions.ts");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "snap-"));
const h = openDatabase({ dataDir });
await migrateToLatest(h.db);
const snapNow = new Date("2026-11-20T10:00:00Z");
const seeded = await seedDemo(h.db, { members: 300, now: snapNow });
const pm = seeded.offers!.payingMemberId!;
const cookie = `atl_m=${(await createSession(h.db, "member", pm)).token}`;
const posts = await h.db.selectFrom("posts").select("slug").where("status", "=", "published").orderBy("slug").execute();
const tags = await h.db.selectFrom("tags").select("slug").orderBy("slug").execute();
const courses = await import("../../src/modules/courses/index.ts");
const { grantEntitlement } = await import("../../src/modules/access/index.ts");
const course = (await courses.findCourseBySlug(h.db, "les-bases-de-la-peinture-a-la-chaux"))!;
const lessons = (await courses.outline(h.db, course)).lessons;
const courseOffer = await h.db
  .selectFrom("offers")
  .select("id")
  .where("slug", "=", "formation-peinture-a-la-chaux")
  .executeTakeFirstOrThrow();
const enrolled = await h.db
  .selectFrom("course_enrolments")
  .select("member_id")
  .where("course_id", "=", course.id)
  .execute();
const others = await h.db
  .selectFrom("members")
  .select("id")
  .where("status", "=", "active")
  .where("id", "not in", [pm, ...enrolled.map((e) => e.member_id)])
  .orderBy("created_at")
  .limit(3)
  .execute();
// A student of long standing (every section open, some lessons done), a new one (enrolled by their first
// visit: later sections wait for the drip) and a member without the course.
const [longId, newId, outsiderId] = others.map((m) => m.id) as [string, string, string];
await courses.addDemoStudents(h.db, course.id, [longId], snapNow.getTime());
for (const memberId of [longId, newId])
  await grantEntitlement(h.db, {
    memberId,
    resourceKind: "offer",
    resourceId: courseOffer.id,
    sourceKind: "complimentary",
    sourceId: "snap",
  });
const studentCookie = async (id: string) => `atl_m=${(await createSession(h.db, "member", id)).token}`;
const [longCookie, newCookie, outsiderCookie] = [
  await studentCookie(longId),
  await studentCookie(newId),
  await studentCookie(outsiderId),
];
await h.close();
const { loadConfig } = await import("../../src/platform/config.ts");
const { start } = await import("../../src/main.ts");
const { testClock } = await import("../../src/platform/time.ts");
const cfg = loadConfig({
  ...process.env,
  DATA_DIR: dataDir,
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "warn",
  SMTP_URL: "smtp://127.0.0.1:9",
  NODE_ENV: "production",
  PUBLIC_URL: "http://example.test",
});
// The course pages show dates relative to now (drip, "opens on"): the same clock on every run.
const app = await start(cfg, { role: "web", clock: testClock(new Date("2026-11-21T08:30:00Z")) });
const paths = [
  "/",
  "/blog",
  "/about",
  "/blog/page/2",
  "/pricing",
  "/join",
  "/login",
  ...tags.map((t) => `/tag/${t.slug}`),
  ...posts.map((p) => `/p/${p.slug}`),
];
const mpaths = ["/members-area", "/account", ...posts.map((p) => `/p/${p.slug}`), "/", "/about"];
const learn = `/learn/${course.slug}`;
const lessonPaths = lessons.map((l) => `${learn}/${l.id}`);
const norm = (s: string) =>
  s
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="X"')
    .replace(/data-csrf="[^"]*"/g, 'data-csrf="X"')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "UUID");
// Pages named by position (ids differ per seed); the new student's home first: it enrols them.
const named = (list: string[]) => list.map((p, i) => [p, `${i}`] as const);
const byPath = (list: string[]) => list.map((p) => [p, p.replace(/\//g, "_")] as const);
for (const [who, list, headers] of [
  ["anon", byPath(paths), { "accept-language": "fr" }],
  ["member", byPath(mpaths), { cookie, "accept-language": "fr" }],
  ["en", byPath(["/", "/blog", ...posts.slice(0, 5).map((p) => `/p/${p.slug}`)]), { "accept-language": "en" }],
  [
    "course-new",
    named([learn, ...lessonPaths, `${lessonPaths[0]}?quiz=done`]),
    { cookie: newCookie, "accept-language": "fr" },
  ],
  ["course-long", named([learn, ...lessonPaths]), { cookie: longCookie, "accept-language": "fr" }],
  [
    "course-long-en",
    named([learn, ...lessonPaths.slice(0, 3), lessonPaths[8]!]),
    { cookie: longCookie, "accept-language": "en" },
  ],
  ["course-outsider", named(lessonPaths.slice(0, 3)), { cookie: outsiderCookie, "accept-language": "fr" }],
  ["course-anon", named(["/courses", `/courses/${course.slug}`, ...lessonPaths]), { "accept-language": "fr" }],
] as const) {
  for (const [p, name] of list) {
    const r = await fetch(`${app.url}${p}${p.includes("?") ? "&" : "?"}snap=1`, {
      headers: headers as Record<string, string>,
      redirect: "manual",
    });
    const body = norm(await r.text());
    fs.writeFileSync(
      path.join(out, `${who}${name}.html`),
      `${r.status} ${norm(r.headers.get("location") ?? "")}\n${body}`,
    );
  }
}
await app.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
console.log("saved", fs.readdirSync(out).length);
