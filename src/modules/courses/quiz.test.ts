import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { ownerClient } from "../publishing/testing.ts";
import { queriesOf } from "../../../test/support/query-count.ts";
import { normaliseAnswer, quizOfLesson, type Question } from "./quizzes.ts";
import { buildCourse, student, type BuiltCourse } from "./testing.ts";

let app: TestApp;
let built: BuiltCourse;

before(async () => {
  app = await startTestApp();
  built = await buildCourse(app.db);
});
after(async () => app.stop());

const quizLesson = () => built.lessons[3]!;
const adminBase = () => `/admin/courses/${built.course.id}/lessons/${quizLesson()}`;
const lessonPath = () => `/learn/${built.course.slug}/${quizLesson()}`;

function rightAnswers(questions: Question[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const q of questions)
    out[`q_${q.id}`] = q.kind === "short" ? "Chaux  AÉRIENNE !" : q.choices.filter((c) => c.correct).map((c) => c.id);
  return out;
}

describe("quizzes", () => {
  it("the creator builds a quiz; bad input is refused with the typed text kept", async () => {
    const owner = await ownerClient(app);
    await owner.get(adminBase());
    let res = await owner.post(`${adminBase()}/quiz`, {
      title: "Vérifier ses acquis",
      passPct: "150",
      maxAttempts: "0",
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /entre 0 et 100/);
    assert.match(res.text, /value="Vérifier ses acquis"/);
    res = await owner.post(`${adminBase()}/quiz`, {
      title: "Vérifier ses acquis",
      passPct: "100",
      maxAttempts: "0",
      required: "on",
    });
    assert.equal(res.status, 303);
    res = await owner.post(`${adminBase()}/quiz/questions`, {
      kind: "single",
      prompt: "Quelle chaux pour un enduit intérieur ?",
      choices: "Chaux aérienne\nCiment",
    });
    assert.equal(res.status, 422, "no right answer marked");
    assert.match(res.text, /Quelle chaux pour un enduit intérieur \?/);
    const questions: Record<string, string>[] = [
      {
        kind: "single",
        prompt: "Quelle chaux pour un enduit intérieur ?",
        choices: "* Chaux aérienne\nCiment",
        explanation: "La chaux aérienne respire.",
      },
      { kind: "multiple", prompt: "Quels pigments sont naturels ?", choices: "* Ocre\n* Terre de Sienne\nAcrylique" },
      { kind: "short", prompt: "Nommez la chaux qui durcit à l’air.", choices: "chaux aérienne" },
    ];
    for (const q of questions) assert.equal((await owner.post(`${adminBase()}/quiz/questions`, q)).status, 303);
    const quiz = await quizOfLesson(app.db, quizLesson());
    assert.equal(quiz?.questions.length, 3);
  });

  it("a student fails, sees explanations, retries and passes; answers of another quiz are refused and nothing is stored", async () => {
    const s = await student(app, built.offerId, { name: "Éloïse Müller" });
    await s.client.get(`/learn/${built.course.slug}`);
    for (const [i] of built.lessons.entries())
      assert.equal((await s.client.post(`/learn/${built.course.slug}/${built.lessons[i]}/complete`)).status, 303);
    const noCert = await app.db.selectFrom("course_certificates").select("id").where("member_id", "=", s.id).execute();
    assert.equal(noCert.length, 0, "the required quiz is not passed yet");

    const { questions, quiz } = (await quizOfLesson(app.db, quizLesson()))!;
    let res = await s.client.get(lessonPath());
    assert.match(res.text, /Vérifier ses acquis/);
    const wrong = { ...rightAnswers(questions), [`q_${questions[2]!.id}`]: "ciment" };
    res = await s.client.post(`${lessonPath()}/quiz`, wrong);
    assert.equal(res.status, 303);
    res = await s.client.get(res.location!);
    assert.match(res.text, /Pas encore : 67 %/);
    assert.match(res.text, /La chaux aérienne respire\./);

    const before = await app.db.selectFrom("quiz_attempts").select("id").where("member_id", "=", s.id).execute();
    const otherQuestion = "01a23100-0000-7000-8000-000000000000";
    res = await s.client.post(`${lessonPath()}/quiz`, { ...rightAnswers(questions), [`q_${otherQuestion}`]: "x" });
    assert.equal(res.status, 422);
    assert.match(res.text, /ne correspondent pas à ce quiz/);
    res = await s.client.post(`${lessonPath()}/quiz`, {
      ...rightAnswers(questions),
      [`q_${questions[0]!.id}`]: questions[1]!.choices[0]!.id,
    });
    assert.equal(res.status, 422);
    const afterBad = await app.db.selectFrom("quiz_attempts").select("id").where("member_id", "=", s.id).execute();
    assert.equal(afterBad.length, before.length);

    res = await s.client.post(`${lessonPath()}/quiz`, rightAnswers(questions));
    assert.equal(res.status, 303);
    res = await s.client.get(res.location!);
    assert.match(res.text, /Réussi : 100 %/);
    const attempts = await app.db
      .selectFrom("quiz_attempts")
      .select(["attempt_no", "passed"])
      .where("quiz_id", "=", quiz.id)
      .where("member_id", "=", s.id)
      .orderBy("attempt_no")
      .execute();
    assert.deepEqual(attempts, [
      { attempt_no: 1, passed: 0 },
      { attempt_no: 2, passed: 1 },
    ]);
    const certs = await app.db
      .selectFrom("course_certificates")
      .select("student_name")
      .where("member_id", "=", s.id)
      .execute();
    assert.deepEqual(certs, [{ student_name: "Éloïse Müller" }], "passing the required quiz completed the course");
    res = await s.client.post(`${lessonPath()}/quiz`, rightAnswers(questions));
    assert.equal(res.status, 409);
    assert.match(res.text, /déjà réussi/);
  });

  it("a quiz lesson page reads the student's attempts alone: the quiz and its questions come with the outline", async () => {
    const s = await student(app, built.offerId);
    assert.equal((await s.client.get(lessonPath())).status, 200);
    let shown = "";
    const qs = await queriesOf(async () => {
      shown = (await s.client.get(lessonPath())).text;
    });
    assert.match(shown, /Quelle chaux pour un enduit intérieur \?/);
    assert.deepEqual(
      qs.filter((q) => /quiz/.test(q)).map((q) => q.split(" where ")[0]),
      ['select * from "quiz_attempts"'],
      qs.join("\n"),
    );
    // A question added by the creator (the course's version bumped) shows on the next page.
    const owner = await ownerClient(app);
    await owner.get(adminBase());
    const added = { kind: "short", prompt: "Combien de couches pour un badigeon ?", choices: "trois" };
    assert.equal((await owner.post(`${adminBase()}/quiz/questions`, added)).status, 303);
    assert.match((await s.client.get(lessonPath())).text, /Combien de couches pour un badigeon \?/);
    const { questions } = (await quizOfLesson(app.db, quizLesson()))!;
    const last = questions.at(-1)!;
    assert.equal(last.prompt, added.prompt);
    await owner.post(`${adminBase()}/quiz/questions/${last.id}/delete`);
    assert.doesNotMatch((await s.client.get(lessonPath())).text, /Combien de couches/);
  });

  it("one attempt allowed: concurrent submissions store one attempt, the rest get a translated 409", async () => {
    await app.db.updateTable("course_quizzes").set({ max_attempts: 1 }).where("lesson_id", "=", quizLesson()).execute();
    const s = await student(app, built.offerId);
    await s.client.get(lessonPath());
    const { questions } = (await quizOfLesson(app.db, quizLesson()))!;
    const wrong = { ...rightAnswers(questions), [`q_${questions[2]!.id}`]: "plâtre" };
    const results = await Promise.all(Array.from({ length: 6 }, () => s.client.post(`${lessonPath()}/quiz`, wrong)));
    assert.equal(results.filter((r) => r.status === 303).length, 1);
    assert.equal(results.filter((r) => r.status === 409).length, 5);
    const rows = await app.db.selectFrom("quiz_attempts").select("id").where("member_id", "=", s.id).execute();
    assert.equal(rows.length, 1);
  });

  it("short answers ignore case, accents, spaces and punctuation", () => {
    assert.equal(normaliseAnswer("  Chaux  AÉRIENNE ! "), "chaux aerienne");
  });
});
