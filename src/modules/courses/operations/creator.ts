import { z } from "zod";
import { AppError } from "../../../platform/http/errors.ts";
import { field } from "../../../platform/http/validation.ts";
import { newId } from "../../../platform/ids.ts";
import { anyStaff, defineOperation } from "../../../platform/operations.ts";
import { invalidateAccessCache } from "../../access/index.ts";
import { listOffers, offerIncludes, setOfferIncludes } from "../../offers/index.ts";
import { courseSellingChanged } from "../events.ts";
import { bumpContent } from "../queries.ts";
import { cleanName } from "../uploads.ts";
import { lessonOf } from "./authoring.ts";
import { idField } from "./shared.ts";

/**
 * The creator's state changes that are not course structure: which offers
 * sell the course (the "Sell it" box) and a lesson's uploaded media. Each is
 * one transaction through runOperation, with its zod input.
 */

/** A repeated form field (checkboxes) as a list of ids: none, one, or several. */
const idList = () =>
  z.preprocess(
    (v) => (v === undefined || v === "" ? [] : [v].flat()),
    z.array(idField()).max(200, "validation.invalid"),
  );

/**
 * The offers that include this course: exactly the chosen ones (archived
 * offers are left as they are, never added). Writes each changed offer's
 * includes through the offers module, in this one transaction, and records
 * which offers now sell the course and which stopped.
 */
export const setCourseSelling = defineOperation({
  name: "courses.set_selling",
  input: z.object({ courseId: idField(), offers: idList() }),
  roles: anyStaff,
  async run({ trx, input, record, afterCommit }) {
    const course = await trx
      .selectFrom("courses")
      .select(["id", "title"])
      .where("id", "=", input.courseId)
      .executeTakeFirst();
    if (!course) throw new AppError("not_found", 404);
    const chosen = new Set(input.offers);
    const all = await listOffers(trx);
    if ([...chosen].some((id) => !all.some((o) => o.id === id))) throw new AppError("invalid_input", 422);
    const added: string[] = [];
    const removed: string[] = [];
    for (const offer of all) {
      const includes = await offerIncludes(trx, offer.id);
      const has = includes.some((i) => i.kind === "course" && i.id === course.id);
      const wants = chosen.has(offer.id) && offer.status !== "archived";
      if (has === wants || (offer.status === "archived" && has)) continue;
      const next = includes.filter((i) => !(i.kind === "course" && i.id === course.id));
      if (wants) next.push({ kind: "course", id: course.id });
      await setOfferIncludes(trx, offer.id, next);
      (wants ? added : removed).push(offer.name);
    }
    if (added.length + removed.length > 0)
      await record(
        courseSellingChanged,
        { courseId: course.id, courseTitle: course.title, added, removed },
        { memberId: null },
      );
    // Pages and feeds this process remembers per access state start afresh.
    afterCommit(() => invalidateAccessCache());
    return { added, removed };
  },
});

/**
 * A file already checked and stored (uploads.ts: by content and size) becomes
 * the lesson's video, its audio, or one more attachment. The route deletes
 * the stored file when this fails, so a refused upload leaves no file and no
 * row.
 */
export const attachLessonMedia = defineOperation({
  name: "courses.attach_media",
  input: z.object({
    courseId: idField(),
    lessonId: idField(),
    kind: z.enum(["video", "audio", "attachment"], { error: "validation.invalid" }),
    fileId: z.string().min(1).max(100),
    name: field.text(300),
    mime: z.string().min(1).max(100),
    size: z.number().int().positive(),
  }),
  roles: anyStaff,
  async run({ trx, input, clock }) {
    const lesson = await lessonOf(trx, input.courseId, input.lessonId);
    const at = clock.nowIso();
    if (input.kind === "attachment") {
      const count = await trx
        .selectFrom("course_attachments")
        .select("id")
        .where("lesson_id", "=", lesson.id)
        .execute();
      await trx
        .insertInto("course_attachments")
        .values({
          id: newId(),
          lesson_id: lesson.id,
          file_id: input.fileId,
          name: cleanName(input.name),
          mime: input.mime,
          size: input.size,
          position: count.length,
          created_at: at,
        })
        .execute();
    } else
      await trx
        .updateTable("course_lessons")
        .set(
          input.kind === "video"
            ? { video_file_id: input.fileId, updated_at: at }
            : { audio_file_id: input.fileId, updated_at: at },
        )
        .where("id", "=", lesson.id)
        .execute();
    await bumpContent(trx, lesson.course_id);
  },
});
