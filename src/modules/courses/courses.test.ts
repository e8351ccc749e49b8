import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PDFParse } from "pdf-parse";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { anonymousClient, memberWithSession, ownerClient } from "../publishing/testing.ts";
import { buildCourse, countEvents, student, type BuiltCourse } from "./testing.ts";

let app: TestApp;
let built: BuiltCourse;

before(async () => {
  app = await startTestApp();
  built = await buildCourse(app.db);
});
after(async () => app.stop());

const learn = (b: BuiltCourse, i?: number) =>
  i === undefined ? `/learn/${b.course.slug}` : `/learn/${b.course.slug}/${b.lessons[i]}`;

describe("the creator builds a course in the admin", () => {
  it("creates a course, refuses bad input with the typed text kept, adds sections and lessons, reorders them", async () => {
    const owner = await ownerClient(app);
    let res = await owner.get("/admin/courses/new");
    assert.equal(res.status, 200);
    const fields = {
      title: "Les bases de la peinture à la chaux",
      subtitle: "Douze leçons pour oser",
      slug: "Pas une adresse!",
      description: "Texte **long** que je ne veux pas perdre.",
      language: "fr",
      status: "published",
      audience: "offers",
      signerName: "Camille",
      stallDays: "0",
    };
    res = await owner.post("/admin/courses", fields);
    assert.equal(res.status, 422);
    assert.match(res.text, /Utilisez des lettres minuscules/);
    assert.match(res.text, /entre 1 et 365/);
    assert.match(
      res.text,
      /Texte \*\*long\*\* que je ne veux pas perdre\./,
      "the description typed is still in the form",
    );
    assert.match(res.text, /value="Douze leçons pour oser"/);
    const before = await app.db.selectFrom("courses").select("id").execute();
    res = await owner.post("/admin/courses", { ...fields, slug: "", stallDays: "14" });
    assert.equal(res.status, 303);
    const courseId = /\/admin\/courses\/([0-9a-f-]{36})/.exec(res.location ?? "")![1]!;
    assert.equal((await app.db.selectFrom("courses").select("id").execute()).length, before.length + 1);
    const course = await app.db.selectFrom("courses").selectAll().where("id", "=", courseId).executeTakeFirstOrThrow();
    assert.equal(course.slug, "les-bases-de-la-peinture-a-la-chaux");

    // A section with a bad drip keeps its title; nothing is stored.
    res = await owner.post(`/admin/courses/${courseId}/sections`, {
      title: "Préparer le mur",
      dripKind: "after_days",
      dripDays: "x",
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /value="Préparer le mur"/);
    assert.equal(
      (await app.db.selectFrom("course_sections").select("id").where("course_id", "=", courseId).execute()).length,
      0,
    );
    for (const [title, dripKind, dripDays] of [
      ["Préparer le mur", "immediate", ""],
      ["Les premiers gestes", "after_days", "1"],
    ] as const)
      assert.equal(
        (await owner.post(`/admin/courses/${courseId}/sections`, { title, dripKind, dripDays })).status,
        303,
      );
    const sections = await app.db
      .selectFrom("course_sections")
      .selectAll()
      .where("course_id", "=", courseId)
      .orderBy("position")
      .execute();
    assert.deepEqual(
      sections.map((s) => [s.title, s.drip_kind, s.drip_days]),
      [
        ["Préparer le mur", "immediate", null],
        ["Les premiers gestes", "after_days", 1],
      ],
    );
    const s1 = sections[0]!.id;
    for (const title of ["Le matériel", "La chaux", "Les pigments"]) {
      res = await owner.post(`/admin/courses/${courseId}/lessons`, {
        title,
        sectionId: s1,
        body: `# ${title}\n\nTexte.`,
        required: "on",
      });
      assert.equal(res.status, 303, title);
    }
    // A lesson naming another course's section is refused (422), its text kept.
    res = await owner.post(`/admin/courses/${courseId}/lessons`, {
      title: "Égarée",
      sectionId: built.sections[0]!,
      body: "Mon texte",
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /Mon texte/);
    const order = async () =>
      (
        await app.db
          .selectFrom("course_lessons")
          .select("title")
          .where("section_id", "=", s1)
          .orderBy("position")
          .execute()
      ).map((l) => l.title);
    assert.deepEqual(await order(), ["Le matériel", "La chaux", "Les pigments"]);
    const third = await app.db
      .selectFrom("course_lessons")
      .select("id")
      .where("title", "=", "Les pigments")
      .executeTakeFirstOrThrow();
    assert.equal(
      (await owner.post(`/admin/courses/${courseId}/lessons/${third.id}/move`, { direction: "up" })).status,
      303,
    );
    assert.deepEqual(await order(), ["Le matériel", "Les pigments", "La chaux"]);
    assert.equal(
      (await owner.post(`/admin/courses/${courseId}/sections/${sections[1]!.id}/move`, { direction: "up" })).status,
      303,
    );
    const after = await app.db
      .selectFrom("course_sections")
      .select("title")
      .where("course_id", "=", courseId)
      .orderBy("position")
      .execute();
    assert.deepEqual(
      after.map((s) => s.title),
      ["Les premiers gestes", "Préparer le mur"],
    );
    // The English admin is translated too.
    res = await owner.get(`/admin/courses/${courseId}`, { "accept-language": "en" });
    assert.equal(res.status, 200);
  });
});

describe("public course page and free previews", () => {
  it("shows the outline's titles and links the free preview, never a paid lesson's body", async () => {
    const anon = anonymousClient(app);
    const res = await anon.get(`/courses/${built.course.slug}`);
    assert.equal(res.status, 200);
    assert.match(res.text, /Leçon 2\.2/);
    assert.match(res.text, new RegExp(`href="${learn(built, 0)}"`));
    assert.ok(!res.text.includes(built.marker));
    const preview = await anon.get(learn(built, 0));
    assert.equal(preview.status, 200);
    assert.match(preview.text, /Bienvenue dans cet aperçu/);
    assert.match(preview.headers.get("cache-control") ?? "", /public/);
  });
});

describe("IDOR sweep: every lesson and certificate as the wrong person", () => {
  it("another course's student, a free member and an anonymous visitor get 0 successes", async () => {
    const other = await buildCourse(app.db);
    const outsider = await student(app, other.offerId);
    const free = await memberWithSession(app);
    const anon = anonymousClient(app);
    const owner = await student(app, built.offerId, { name: "Titulaire" });
    await Promise.all(built.lessons.map((_, i) => owner.client.post(`${learn(built, i)}/complete`)));
    const paid = built.lessons.slice(1);
    let successes = 0;
    let tries = 0;
    for (const who of [outsider.client, free.client, anon]) {
      await who.get("/");
      for (const [i] of paid.entries()) {
        const res = await who.get(learn(built, i + 1));
        tries++;
        if (res.status === 200 || res.text.includes(built.marker)) successes++;
        const done = await who.post(`${learn(built, i + 1)}/complete`);
        tries++;
        if (done.status < 400) successes++;
      }
      for (const path of [learn(built), `${learn(built)}/certificate.pdf`]) {
        const res = await who.get(path);
        tries++;
        if (res.status === 200) successes++;
      }
    }
    assert.ok(tries >= 24);
    assert.equal(successes, 0);
    const progress = await app.db
      .selectFrom("lesson_progress")
      .select("id")
      .where("course_id", "=", built.course.id)
      .where("member_id", "in", [outsider.id, free.id])
      .execute();
    assert.equal(progress.length, 0, "nothing was written for the wrong people");
  });
});

describe("a student follows the course", () => {
  it("sees the course home with progress and opens a lesson; 20 concurrent 'complete' posts make one completion and one event", async () => {
    const s = await student(app, built.offerId);
    let res = await s.client.get(learn(built));
    assert.equal(res.status, 200);
    assert.match(res.text, /0 sur 4 leçons/);
    res = await s.client.get(learn(built, 1));
    assert.equal(res.status, 200);
    assert.ok(res.text.includes(built.marker));
    const posts = await Promise.all(Array.from({ length: 20 }, () => s.client.post(`${learn(built, 1)}/complete`)));
    assert.deepEqual(new Set(posts.map((p) => p.status)), new Set([303]));
    const rows = await app.db
      .selectFrom("lesson_progress")
      .selectAll()
      .where("member_id", "=", s.id)
      .where("lesson_id", "=", built.lessons[1]!)
      .execute();
    assert.equal(rows.length, 1);
    assert.ok(rows[0]!.completed_at);
    assert.equal(await countEvents(app.db, "lesson.completed", s.id), 1);
    res = await s.client.get(learn(built));
    assert.match(res.text, /1 sur 4 leçons/);
    assert.match(res.text, /Reprendre/);
  });

  it("completing every required lesson issues one certificate under concurrent completions; the PDF and the public page confirm it", async () => {
    const s = await student(app, built.offerId, { name: "Éloïse Müller" });
    await s.client.get(learn(built));
    await Promise.all(built.lessons.map((_, i) => s.client.post(`${learn(built, i)}/complete`)));
    // The same last completions again, concurrently: still one certificate.
    await Promise.all(built.lessons.map((_, i) => s.client.post(`${learn(built, i)}/complete`)));
    const certs = await app.db.selectFrom("course_certificates").selectAll().where("member_id", "=", s.id).execute();
    assert.equal(certs.length, 1);
    assert.equal(await countEvents(app.db, "certificate.issued", s.id), 1);
    assert.equal(await countEvents(app.db, "course.completed", s.id), 1);
    const code = certs[0]!.code;
    assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    const pdf = await fetch(`${app.url}${learn(built)}/certificate.pdf`, {
      headers: { cookie: [...s.client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get("content-type"), "application/pdf");
    const pdfBytes = new Uint8Array(await pdf.arrayBuffer());

    const page = await anonymousClient(app).get(`/certificates/${code}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Éloïse Müller/);
    assert.ok(!page.text.includes(s.email), "the verification page shows no email");
    assert.equal((await anonymousClient(app).get("/certificates/AAAA-BBBB-CCCC")).status, 404);

    const owner = await ownerClient(app);
    await owner.get(`/admin/courses/${built.course.id}`);
    assert.equal((await owner.post(`/admin/certificates/${certs[0]!.id}/revoke`, { revoked: "1" })).status, 303);
    assert.match((await anonymousClient(app).get(`/certificates/${code}`)).text, /révoqué/);

    // Parsed last: while a pdf.js parser is alive, the next pooled HTTP connection of this process is reset.
    const parser = new PDFParse({ data: pdfBytes });
    const text = (await parser.getText()).text;
    await parser.destroy();
    assert.ok(text.includes("Éloïse Müller"), text);
    assert.ok(text.includes(code), text);
    assert.ok(text.includes(built.course.title), text);
  });
});
