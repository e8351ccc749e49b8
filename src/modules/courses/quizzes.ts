import { z } from "zod";
import type { Db } from "../../platform/db/index.ts";
import { AppError, invalidInput } from "../../platform/http/errors.ts";
import type { FormData } from "../../platform/http/forms.ts";
import { field } from "../../platform/http/validation.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { recordCourseEvent } from "./events.ts";
import { completeCourseIfDone } from "./progress.ts";
import { bumpContent, inTransaction, type Enrolment } from "./queries.ts";
import type { CourseQuizzesTable, QuestionKind, QuizChoicesTable, QuizQuestionsTable } from "./tables.ts";

/**
 * Quizzes: one per lesson at most, shown under it. Questions are single
 * choice, multiple choice or short answer; a score (0–100) at or above the
 * pass mark passes. Attempts are numbered per student (a unique constraint,
 * so two concurrent submissions cannot both be "attempt 1" of a one-attempt
 * quiz). Explanations are shown with the result.
 */
export type Quiz = CourseQuizzesTable;
export interface Question extends QuizQuestionsTable {
  choices: QuizChoicesTable[];
}

export const quizInput = z.object({
  title: field.text(200),
  passPct: z.coerce
    .number({ error: "validation.course_number" })
    .int("validation.course_number")
    .min(0, "validation.course_pass_pct")
    .max(100, "validation.course_pass_pct"),
  maxAttempts: z.coerce
    .number({ error: "validation.course_number" })
    .int("validation.course_number")
    .min(0, "validation.course_attempts")
    .max(100, "validation.course_attempts"),
  required: field.checkbox(),
});

/** Choices are typed one per line; a line starting with "*" is a correct one. */
export const questionInput = z
  .object({
    kind: z.enum(["single", "multiple", "short"], { error: "validation.invalid" }),
    prompt: field.longText(2000),
    explanation: z.preprocess((v) => v ?? "", field.longText(4000, { optional: true })),
    choices: z.preprocess((v) => v ?? "", field.longText(4000, { optional: true })),
  })
  .transform((v, ctx) => {
    const lines = v.choices
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    const parsed = lines.map((l) => ({ correct: l.startsWith("*"), label: l.replace(/^\*\s*/, "").slice(0, 300) }));
    const correct = parsed.filter((p) => p.correct).length;
    if (v.kind === "short" && lines.length === 0)
      ctx.addIssue({ code: "custom", path: ["choices"], message: "validation.course_accepted" });
    if (v.kind !== "short" && (parsed.length < 2 || parsed.length > 12 || correct === 0))
      ctx.addIssue({ code: "custom", path: ["choices"], message: "validation.course_choices" });
    if (v.kind === "single" && correct > 1)
      ctx.addIssue({ code: "custom", path: ["choices"], message: "validation.course_single" });
    return { kind: v.kind as QuestionKind, prompt: v.prompt, explanation: v.explanation, choices: parsed };
  });

export async function quizOfLesson(db: Db, lessonId: string): Promise<{ quiz: Quiz; questions: Question[] } | null> {
  const quiz = await db.selectFrom("course_quizzes").selectAll().where("lesson_id", "=", lessonId).executeTakeFirst();
  if (!quiz) return null;
  const questions = await db
    .selectFrom("quiz_questions")
    .selectAll()
    .where("quiz_id", "=", quiz.id)
    .orderBy("position")
    .orderBy("id")
    .execute();
  const choices = questions.length
    ? await db
        .selectFrom("quiz_choices")
        .selectAll()
        .where(
          "question_id",
          "in",
          questions.map((q) => q.id),
        )
        .orderBy("position")
        .execute()
    : [];
  return { quiz, questions: questions.map((q) => ({ ...q, choices: choices.filter((c) => c.question_id === q.id) })) };
}

export async function saveQuiz(
  db: Db,
  lesson: { id: string; course_id: string },
  input: z.output<typeof quizInput>,
  at = nowIso(),
) {
  const values = {
    title: input.title,
    pass_pct: input.passPct,
    max_attempts: input.maxAttempts,
    required: input.required ? 1 : 0,
    updated_at: at,
  };
  await inTransaction(db, async (trx) => {
    const existing = await trx
      .selectFrom("course_quizzes")
      .select("id")
      .where("lesson_id", "=", lesson.id)
      .executeTakeFirst();
    if (existing) await trx.updateTable("course_quizzes").set(values).where("id", "=", existing.id).execute();
    else
      await trx
        .insertInto("course_quizzes")
        .values({ id: newId(), course_id: lesson.course_id, lesson_id: lesson.id, created_at: at, ...values })
        .execute();
    await bumpContent(trx, lesson.course_id);
  });
}

/** The quiz's course structure changed (questions are part of the outline's version). */
async function bumpQuizCourse(trx: Db, quizId: string): Promise<void> {
  const q = await trx.selectFrom("course_quizzes").select("course_id").where("id", "=", quizId).executeTakeFirst();
  if (q) await bumpContent(trx, q.course_id);
}

export async function addQuestion(db: Db, quizId: string, input: z.output<typeof questionInput>): Promise<void> {
  await inTransaction(db, async (trx) => {
    const count = await trx.selectFrom("quiz_questions").select("id").where("quiz_id", "=", quizId).execute();
    const id = newId();
    await trx
      .insertInto("quiz_questions")
      .values({
        id,
        quiz_id: quizId,
        kind: input.kind,
        prompt: input.prompt,
        explanation: input.explanation,
        accepted: JSON.stringify(input.kind === "short" ? input.choices.map((c) => c.label) : []),
        position: count.length,
      })
      .execute();
    if (input.kind !== "short")
      for (const [i, ch] of input.choices.entries())
        await trx
          .insertInto("quiz_choices")
          .values({ id: newId(), question_id: id, label: ch.label, correct: ch.correct ? 1 : 0, position: i })
          .execute();
    await bumpQuizCourse(trx, quizId);
  });
}

export async function deleteQuestion(db: Db, quizId: string, questionId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const r = await trx
      .deleteFrom("quiz_questions")
      .where("id", "=", questionId)
      .where("quiz_id", "=", quizId)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new AppError("not_found", 404);
    await bumpQuizCourse(trx, quizId);
  });
}

/** Case, accents, spaces and final punctuation do not matter in a short answer. */
export function normaliseAnswer(s: string): string {
  return s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\s.!?;:,'’"«»-]+/g, " ")
    .trim();
}

export type Answers = Record<string, string[]>;

/**
 * Reads a submitted quiz form (`q_<question id>` fields). An answer naming a
 * question of another quiz, or a choice of another question, is a 422 and
 * nothing is stored; an unanswered question counts as wrong.
 */
export function readAnswers(form: FormData, questions: Question[]): Answers {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const out: Answers = {};
  for (const [key, raw] of Object.entries(form)) {
    if (!key.startsWith("q_")) continue;
    const q = byId.get(key.slice(2));
    if (!q) throw invalidInput({ _form: { key: "validation.course_foreign_question" } });
    const values = [raw].flat().map((v) => v.normalize("NFC").trim().slice(0, 500));
    if (q.kind !== "short" && values.some((v) => !q.choices.some((c) => c.id === v)))
      throw invalidInput({ [key]: { key: "validation.course_foreign_choice" } });
    if (q.kind === "single" && values.length > 1) throw invalidInput({ [key]: { key: "validation.course_single" } });
    out[q.id] = values;
  }
  return out;
}

export function isCorrect(q: Question, given: string[] = []): boolean {
  if (q.kind === "short") {
    const accepted = (JSON.parse(q.accepted) as string[]).map(normaliseAnswer);
    return given.length === 1 && accepted.includes(normaliseAnswer(given[0]!));
  }
  const right = new Set(q.choices.filter((c) => c.correct).map((c) => c.id));
  return given.length === right.size && given.every((g) => right.has(g));
}

export interface AttemptResult {
  id: string;
  attemptNo: number;
  scorePct: number;
  passed: boolean;
  courseCompleted: boolean;
}

/** Grades and stores one attempt; refuses (409) when no attempt is left or the quiz is already passed. */
export async function submitAttempt(
  db: Db,
  enrolment: Enrolment,
  quiz: Quiz,
  questions: Question[],
  answers: Answers,
  at: string,
): Promise<AttemptResult> {
  if (questions.length === 0) throw new AppError("conflict", 409, "courses.quiz.empty");
  const right = questions.filter((q) => isCorrect(q, answers[q.id])).length;
  const scorePct = Math.round((right / questions.length) * 100);
  const passed = scorePct >= quiz.pass_pct;
  return inTransaction(db, async (trx) => {
    await trx.updateTable("course_enrolments").set({ last_progress_at: at }).where("id", "=", enrolment.id).execute();
    const previous = await trx
      .selectFrom("quiz_attempts")
      .select(["attempt_no", "passed"])
      .where("quiz_id", "=", quiz.id)
      .where("member_id", "=", enrolment.member_id)
      .execute();
    if (previous.some((p) => p.passed === 1)) throw new AppError("conflict", 409, "courses.quiz.already_passed");
    if (quiz.max_attempts > 0 && previous.length >= quiz.max_attempts)
      throw new AppError("conflict", 409, "courses.quiz.no_attempts_left");
    const id = newId();
    const attemptNo = previous.length + 1;
    await trx
      .insertInto("quiz_attempts")
      .values({
        id,
        quiz_id: quiz.id,
        course_id: quiz.course_id,
        member_id: enrolment.member_id,
        attempt_no: attemptNo,
        score_pct: scorePct,
        passed: passed ? 1 : 0,
        answers: JSON.stringify(answers),
        created_at: at,
      })
      .execute();
    await recordCourseEvent(
      trx,
      "quiz.attempted",
      enrolment.member_id,
      { courseId: quiz.course_id, quizId: quiz.id, scorePct, passed },
      at,
    );
    const done = passed ? await completeCourseIfDone(trx, enrolment, at) : { courseCompleted: false };
    return { id, attemptNo, scorePct, passed, courseCompleted: done.courseCompleted };
  });
}

export async function attemptsOf(db: Db, quizId: string, memberId: string) {
  return db
    .selectFrom("quiz_attempts")
    .selectAll()
    .where("quiz_id", "=", quizId)
    .where("member_id", "=", memberId)
    .orderBy("attempt_no", "desc")
    .execute();
}
