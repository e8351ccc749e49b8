import type { Db } from "../../platform/db/index.ts";
import { AppError, invalidInput } from "../../platform/http/errors.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { renderMarkdown } from "../../platform/markdown.ts";
import type { CourseInput, LessonInput, SectionInput } from "./schemas.ts";
import type { CoursesTable } from "./tables.ts";
import { bumpContent, inTransaction } from "./queries.ts";

/**
 * The creator's side of a course: the course, its sections and lessons, and
 * their order. Each function is one transaction; positions are dense
 * (0, 1, 2...) within a course (sections) or a section (lessons).
 */

export type CourseRow = CoursesTable;

async function slugTaken(db: Db, slug: string, exceptId: string | null): Promise<boolean> {
  let q = db.selectFrom("courses").select("id").where("slug", "=", slug);
  if (exceptId) q = q.where("id", "!=", exceptId);
  return !!(await q.executeTakeFirst());
}

const slugConflict = () => invalidInput({ slug: { key: "validation.course_slug_taken" } });

export async function saveCourse(db: Db, id: string | null, input: CourseInput, at = nowIso()): Promise<CourseRow> {
  return inTransaction(db, async (trx) => {
    if (await slugTaken(trx, input.slug, id)) throw slugConflict();
    const values = {
      slug: input.slug,
      title: input.title,
      subtitle: input.subtitle,
      description_md: input.description,
      description_html: renderMarkdown(input.description),
      language: input.language,
      status: input.status,
      audience: input.audience,
      sequential: input.sequential ? 1 : 0,
      signer_name: input.signerName,
      stall_days: input.stallDays,
      updated_at: at,
    };
    if (id) {
      const r = await trx.updateTable("courses").set(values).where("id", "=", id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new AppError("not_found", 404);
      return trx.selectFrom("courses").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    }
    const row: CourseRow = {
      id: newId(),
      cover_file_id: null,
      signature_file_id: null,
      stall_enabled: 1,
      stall_subject: "",
      stall_body: "",
      stall_choices: "",
      content_version: 0,
      created_at: at,
      ...values,
    };
    await trx.insertInto("courses").values(row).execute();
    return row;
  });
}

export async function addSection(db: Db, courseId: string, input: SectionInput, at = nowIso()): Promise<string> {
  return inTransaction(db, async (trx) => {
    const course = await trx.selectFrom("courses").select("id").where("id", "=", courseId).executeTakeFirst();
    if (!course) throw new AppError("not_found", 404);
    const count = await trx.selectFrom("course_sections").select("id").where("course_id", "=", courseId).execute();
    const id = newId();
    await trx
      .insertInto("course_sections")
      .values({
        id,
        course_id: courseId,
        title: input.title,
        position: count.length,
        drip_kind: input.dripKind,
        drip_days: input.dripDays,
        drip_date: input.dripDate,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await bumpContent(trx, courseId);
    return id;
  });
}

export async function updateSection(
  db: Db,
  courseId: string,
  sectionId: string,
  input: SectionInput,
  at = nowIso(),
): Promise<void> {
  await inTransaction(db, (trx) => updateSectionIn(trx, courseId, sectionId, input, at));
}

async function updateSectionIn(trx: Db, courseId: string, sectionId: string, input: SectionInput, at: string) {
  const r = await trx
    .updateTable("course_sections")
    .set({
      title: input.title,
      drip_kind: input.dripKind,
      drip_days: input.dripDays,
      drip_date: input.dripDate,
      updated_at: at,
    })
    .where("id", "=", sectionId)
    .where("course_id", "=", courseId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new AppError("not_found", 404);
  await bumpContent(trx, courseId);
}

/** A section of this course, or a 422 on the section field (a lesson form naming another course's section). */
async function ownSection(trx: Db, courseId: string, sectionId: string): Promise<void> {
  const s = await trx
    .selectFrom("course_sections")
    .select("id")
    .where("id", "=", sectionId)
    .where("course_id", "=", courseId)
    .executeTakeFirst();
  if (!s) throw invalidInput({ sectionId: { key: "validation.invalid" } });
}

async function lastLessonPosition(trx: Db, sectionId: string): Promise<number> {
  const rows = await trx.selectFrom("course_lessons").select("id").where("section_id", "=", sectionId).execute();
  return rows.length;
}

export async function saveLesson(
  db: Db,
  courseId: string,
  lessonId: string | null,
  input: LessonInput,
  at = nowIso(),
): Promise<string> {
  return inTransaction(db, async (trx) => {
    await ownSection(trx, courseId, input.sectionId);
    const values = {
      title: input.title,
      body_md: input.body,
      body_html: renderMarkdown(input.body),
      video_url: input.videoUrl ?? "",
      free_preview: input.freePreview ? 1 : 0,
      required: input.required ? 1 : 0,
      updated_at: at,
    };
    if (lessonId) {
      const current = await trx
        .selectFrom("course_lessons")
        .select(["section_id"])
        .where("id", "=", lessonId)
        .where("course_id", "=", courseId)
        .executeTakeFirst();
      if (!current) throw new AppError("not_found", 404);
      const moved = current.section_id !== input.sectionId;
      await trx
        .updateTable("course_lessons")
        .set({
          ...values,
          ...(moved ? { section_id: input.sectionId, position: await lastLessonPosition(trx, input.sectionId) } : {}),
        })
        .where("id", "=", lessonId)
        .execute();
      if (moved) await renumberLessons(trx, current.section_id);
      await bumpContent(trx, courseId);
      return lessonId;
    }
    const id = newId();
    await trx
      .insertInto("course_lessons")
      .values({
        id,
        course_id: courseId,
        section_id: input.sectionId,
        video_file_id: null,
        audio_file_id: null,
        position: await lastLessonPosition(trx, input.sectionId),
        created_at: at,
        ...values,
      })
      .execute();
    await bumpContent(trx, courseId);
    return id;
  });
}

async function renumberLessons(trx: Db, sectionId: string): Promise<void> {
  const rows = await trx
    .selectFrom("course_lessons")
    .select("id")
    .where("section_id", "=", sectionId)
    .orderBy("position")
    .orderBy("id")
    .execute();
  for (const [i, r] of rows.entries())
    await trx.updateTable("course_lessons").set({ position: i }).where("id", "=", r.id).execute();
}

async function renumberSections(trx: Db, courseId: string): Promise<void> {
  const rows = await trx
    .selectFrom("course_sections")
    .select("id")
    .where("course_id", "=", courseId)
    .orderBy("position")
    .orderBy("id")
    .execute();
  for (const [i, r] of rows.entries())
    await trx.updateTable("course_sections").set({ position: i }).where("id", "=", r.id).execute();
}

function reorder(ids: string[], id: string, direction: "up" | "down"): string[] | null {
  const i = ids.indexOf(id);
  const j = direction === "up" ? i - 1 : i + 1;
  if (i < 0 || j < 0 || j >= ids.length) return null;
  const out = [...ids];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

/** Moves a section one place up or down (the keyboard-friendly buttons; drag and drop posts the same). */
export async function moveSection(db: Db, courseId: string, sectionId: string, direction: "up" | "down") {
  await inTransaction(db, async (trx) => {
    const rows = await trx
      .selectFrom("course_sections")
      .select("id")
      .where("course_id", "=", courseId)
      .orderBy("position")
      .orderBy("id")
      .execute();
    if (!rows.some((r) => r.id === sectionId)) throw new AppError("not_found", 404);
    const order = reorder(
      rows.map((r) => r.id),
      sectionId,
      direction,
    );
    if (!order) return;
    for (const [i, id] of order.entries())
      await trx.updateTable("course_sections").set({ position: i }).where("id", "=", id).execute();
    await bumpContent(trx, courseId);
  });
}

/** Moves a lesson one place up or down inside its section. */
export async function moveLesson(db: Db, courseId: string, lessonId: string, direction: "up" | "down") {
  await inTransaction(db, async (trx) => {
    const lesson = await trx
      .selectFrom("course_lessons")
      .select("section_id")
      .where("id", "=", lessonId)
      .where("course_id", "=", courseId)
      .executeTakeFirst();
    if (!lesson) throw new AppError("not_found", 404);
    const rows = await trx
      .selectFrom("course_lessons")
      .select("id")
      .where("section_id", "=", lesson.section_id)
      .orderBy("position")
      .orderBy("id")
      .execute();
    const order = reorder(
      rows.map((r) => r.id),
      lessonId,
      direction,
    );
    if (!order) return;
    for (const [i, id] of order.entries())
      await trx.updateTable("course_lessons").set({ position: i }).where("id", "=", id).execute();
    await bumpContent(trx, courseId);
  });
}

export async function deleteLesson(db: Db, courseId: string, lessonId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const lesson = await trx
      .selectFrom("course_lessons")
      .select("section_id")
      .where("id", "=", lessonId)
      .where("course_id", "=", courseId)
      .executeTakeFirst();
    if (!lesson) throw new AppError("not_found", 404);
    await trx.deleteFrom("course_lessons").where("id", "=", lessonId).execute();
    await renumberLessons(trx, lesson.section_id);
    await bumpContent(trx, courseId);
  });
}

/** Deletes an empty section (one with lessons is refused: lessons are never lost by a click). */
export async function deleteSection(db: Db, courseId: string, sectionId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const lessons = await trx
      .selectFrom("course_lessons")
      .select("id")
      .where("section_id", "=", sectionId)
      .limit(1)
      .execute();
    if (lessons.length > 0) throw new AppError("conflict", 409, "courses.error.section_not_empty");
    const r = await trx
      .deleteFrom("course_sections")
      .where("id", "=", sectionId)
      .where("course_id", "=", courseId)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new AppError("not_found", 404);
    await renumberSections(trx, courseId);
    await bumpContent(trx, courseId);
  });
}
