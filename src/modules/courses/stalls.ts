import { sql } from "kysely";
import { transaction, type Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { t, toLocale } from "../../platform/i18n/index.ts";
import { newId } from "../../platform/ids.ts";
import { queueMail } from "../../platform/mail/index.ts";
import { safeEqual, sign } from "../../platform/security/tokens.ts";
import { membersWithAccess } from "../access/index.ts";
import { recordStallAnswered, recordStalled } from "./events.ts";
import { courseResource, type Course } from "./queries.ts";

/**
 * The stalled-student loop. A student is stalled when they have not finished
 * and their last progress (or their enrolment) is older than the course's
 * delay. Each stall is one row, unique on (enrolment, since): the detection
 * run inserts a batch of rows, their declared events and their mail jobs in
 * one transaction, so a run killed at any point has either done a student
 * completely or not at all, and the next run (or a retry) picks up exactly
 * those not done — nobody missed, nobody mailed twice. The mail job carries
 * only the stall's id (and a dedupe key on it).
 */

export const DAY_MS = 86_400_000;
export const STALL_BATCH = 200;
const defaultChoiceKeys = ["too_long", "too_hard", "no_time", "not_expected"] as const;

/** The answers offered: the creator's lines, or the default ones in the course's language. */
export function stallChoices(course: Pick<Course, "stall_choices" | "language">): string[] {
  const own = course.stall_choices
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
  if (own.length) return own.slice(0, 12);
  const locale = toLocale(course.language);
  return defaultChoiceKeys.map((k) => t(locale, `courses.stall.choice.${k}`));
}

export function stallSignature(secret: string, stallId: string): string {
  return sign(secret, `course-stall:${stallId}`);
}

/** The answer page's address (signed: it opens without a login, for that stall only). */
export function stallAnswerPath(secret: string, stallId: string, choice?: number): string {
  const r = choice === undefined ? "" : `&r=${choice}`;
  return `/course-feedback/${stallId}?s=${stallSignature(secret, stallId)}${r}`;
}

export function checkStallSignature(secret: string, stallId: string, s: string | undefined): boolean {
  return !!s && s.length < 200 && safeEqual(s, stallSignature(secret, stallId));
}

/** Lesson ids of a course in reading order (sections, then lessons). */
async function lessonOrder(db: Db, courseId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("course_lessons")
    .innerJoin("course_sections", "course_sections.id", "course_lessons.section_id")
    .select("course_lessons.id")
    .where("course_lessons.course_id", "=", courseId)
    .orderBy("course_sections.position")
    .orderBy("course_lessons.position")
    .orderBy("course_lessons.id")
    .execute();
  return rows.map((r) => r.id);
}

export interface DetectOptions {
  batchSize?: number;
  /** Called after each committed batch (the kill test slows the run down with it). */
  afterBatch?: (detected: number) => Promise<void>;
}

/** Finds the students stalled at `nowMs` in every course whose loop is on, and queues their email. Returns how many. */
export async function detectStalls(db: Db, nowMs: number, opts: DetectOptions = {}): Promise<number> {
  const courses = await db
    .selectFrom("courses")
    .selectAll()
    .where("stall_enabled", "=", 1)
    .where("status", "!=", "draft")
    .orderBy("id")
    .execute();
  let total = 0;
  for (const course of courses) total += await detectInCourse(db, course, nowMs, opts, total);
  return total;
}

async function detectInCourse(db: Db, course: Course, nowMs: number, opts: DetectOptions, before: number) {
  const cutoff = new Date(nowMs - course.stall_days * DAY_MS).toISOString();
  const at = new Date(nowMs).toISOString();
  const order = await lessonOrder(db, course.id);
  const batchSize = opts.batchSize ?? STALL_BATCH;
  let cursor = "";
  let detected = 0;
  for (;;) {
    const since = sql<string>`coalesce(course_enrolments.last_progress_at, course_enrolments.enrolled_at)`;
    const batch = await db
      .selectFrom("course_enrolments")
      .select(["course_enrolments.id", "course_enrolments.member_id", since.as("since")])
      .where("course_enrolments.course_id", "=", course.id)
      .where("course_enrolments.completed_at", "is", null)
      .where("course_enrolments.id", ">", cursor)
      .where(since, "<=", cutoff)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("course_stalls")
              .select("course_stalls.id")
              .whereRef("course_stalls.enrolment_id", "=", "course_enrolments.id")
              .where("course_stalls.since", "=", since),
          ),
        ),
      )
      .orderBy("course_enrolments.id")
      .limit(batchSize)
      .execute();
    if (batch.length === 0) return detected;
    cursor = batch[batch.length - 1]!.id;
    // A refund or lapse ends the course for them: no email about a course they no longer have.
    const holders = await membersWithAccess(
      db,
      batch.map((b) => b.member_id),
      courseResource(course),
      at,
    );
    const students = batch.filter((b) => holders.has(b.member_id));
    if (students.length === 0) continue;
    const done = await db
      .selectFrom("lesson_progress")
      .select(["member_id", "lesson_id"])
      .where("course_id", "=", course.id)
      .where(
        "member_id",
        "in",
        students.map((s) => s.member_id),
      )
      .where("completed_at", "is not", null)
      .execute();
    const completed = new Set(done.map((d) => `${d.member_id}:${d.lesson_id}`));
    await transaction(db, async (trx) => {
      for (const s of students) {
        const lessonId = order.find((l) => !completed.has(`${s.member_id}:${l}`)) ?? null;
        const id = newId();
        const r = await trx
          .insertInto("course_stalls")
          .values({
            id,
            course_id: course.id,
            enrolment_id: s.id,
            member_id: s.member_id,
            lesson_id: lessonId,
            since: s.since,
            detected_at: at,
            reason: null,
            comment: "",
            answered_at: null,
          })
          .onConflict((oc) => oc.columns(["enrolment_id", "since"]).doNothing())
          .executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) continue;
        await recordStalled(trx, s.member_id, course.id, lessonId, at);
        await queueMail(trx, "courses.stall", { stallId: id }, `courses:stall:${id}`);
        detected += 1;
      }
    });
    await opts.afterBatch?.(before + detected);
  }
}

export interface StallRow {
  id: string;
  course_id: string;
  member_id: string;
  lesson_id: string | null;
  reason: string | null;
  comment: string;
  answered_at: string | null;
}

export async function findStall(db: Db, id: string): Promise<StallRow | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  return db
    .selectFrom("course_stalls")
    .select(["id", "course_id", "member_id", "lesson_id", "reason", "comment", "answered_at"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** Stores the one answer of a stall (a second one is refused with 409) and puts it on the member's timeline. */
export async function answerStall(
  db: Db,
  stall: StallRow,
  answer: { reason: string; comment: string },
  at: string,
): Promise<void> {
  await transaction(db, async (trx) => {
    const r = await trx
      .updateTable("course_stalls")
      .set({ reason: answer.reason, comment: answer.comment, answered_at: at })
      .where("id", "=", stall.id)
      .where("answered_at", "is", null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AppError("conflict", 409, "courses.stall.already_answered");
    await recordStallAnswered(trx, stall.member_id, stall.course_id, stall.lesson_id, answer, at);
  });
}

export interface StallRollup {
  lessonId: string | null;
  stalls: number;
  answered: number;
  /** Reasons by count, most given first ("" = free text only). */
  reasons: { reason: string; count: number }[];
  comments: string[];
}

/** Stalls and their answers per lesson, for the funnel page. */
export async function stallRollup(db: Db, courseId: string): Promise<Map<string | null, StallRollup>> {
  const rows = await db
    .selectFrom("course_stalls")
    .select(["lesson_id", "reason", "comment", "answered_at"])
    .where("course_id", "=", courseId)
    .orderBy("answered_at", "desc")
    .execute();
  const out = new Map<string | null, StallRollup>();
  for (const r of rows) {
    let g = out.get(r.lesson_id);
    if (!g) out.set(r.lesson_id, (g = { lessonId: r.lesson_id, stalls: 0, answered: 0, reasons: [], comments: [] }));
    g.stalls += 1;
    if (!r.answered_at) continue;
    g.answered += 1;
    const reason = r.reason ?? "";
    const found = g.reasons.find((x) => x.reason === reason);
    if (found) found.count += 1;
    else g.reasons.push({ reason, count: 1 });
    if (r.comment && g.comments.length < 5) g.comments.push(r.comment);
  }
  for (const g of out.values()) g.reasons.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return out;
}

export interface StallSettings {
  enabled: boolean;
  days: number;
  subject: string;
  body: string;
  choices: string;
}

export async function saveStallSettings(db: Db, courseId: string, s: StallSettings, at: string): Promise<void> {
  const r = await db
    .updateTable("courses")
    .set({
      stall_enabled: s.enabled ? 1 : 0,
      stall_days: s.days,
      stall_subject: s.subject,
      stall_body: s.body,
      stall_choices: s.choices,
      updated_at: at,
    })
    .where("id", "=", courseId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new AppError("not_found", 404);
}
