import type { Hono } from "hono";
import { z } from "zod";
import { allowLargeBody, readBody } from "../../platform/http/body.ts";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formValue } from "../../platform/http/forms.ts";
import { anyStaff, defineOperation, runOperation } from "../../platform/operations.ts";
import {
  deleteFile,
  findFile,
  serveStoredFile,
  sniffImageType,
  storeBytes,
  type StoredFile,
} from "../../platform/storage/index.ts";
import { adminPage } from "../../platform/views/admin-layout.tsx";
import { CsrfField } from "../../platform/views/components.tsx";
import { requireStaff, staffActorOf } from "../staff/index.ts";
import { findCourse, type Course } from "./queries.ts";

/**
 * A course's cover: the image on its card (home page, /courses) and at the
 * top of its page. Served publicly only while the course is published — a
 * draft's cover is as private as the draft (404). The address names the file,
 * so a replaced cover is a new address; a short cache lifetime lets an
 * unpublished course's cover go away soon from shared caches too.
 */
export const COVER_MAX_BYTES = 5 * 1024 * 1024;
/** One fixed address (the course in the query), as allowLargeBody names exact paths. */
const COVER_UPLOAD_PATH = "/admin/course-cover";

/** The public address of a course's cover, or null without one. */
export function courseCoverUrl(course: Pick<Course, "cover_file_id">): string | null {
  return course.cover_file_id ? `/course-covers/${course.cover_file_id}` : null;
}

export const setCourseCover = defineOperation({
  name: "courses.set_cover",
  input: z.object({ courseId: z.string().min(1).max(64), fileId: z.string().min(1).max(64).nullable() }),
  roles: anyStaff,
  async run({ trx, input, clock, services, afterCommit }) {
    const course = await trx
      .selectFrom("courses")
      .select(["cover_file_id"])
      .where("id", "=", input.courseId)
      .executeTakeFirst();
    if (!course) throw new AppError("not_found", 404);
    await trx
      .updateTable("courses")
      .set({ cover_file_id: input.fileId, updated_at: clock.nowIso() })
      .where("id", "=", input.courseId)
      .execute();
    const previous = course.cover_file_id;
    // The old image goes only once the new one is committed: a failed save keeps the course as it was.
    if (previous && previous !== input.fileId) afterCommit(() => deleteFile(services.db, services.storage, previous));
    return { coverFileId: input.fileId };
  },
});

/** The cover box of the course editor: the current image, a way to remove it, and the upload. */
export function CoverBox({ c, course, error }: { c: AppContext; course: Course; error?: string }) {
  const t = tr(c);
  const url = courseCoverUrl(course);
  return (
    <section class="admin-section card course-cover-box" aria-labelledby="course-cover">
      <h2 id="course-cover">{t("courses.cover.title")}</h2>
      {url && <img class="course-cover-current" src={url} alt="" />}
      <form
        method="post"
        action={`${COVER_UPLOAD_PATH}?course=${course.id}`}
        enctype="multipart/form-data"
        class="stack"
      >
        <CsrfField c={c} />
        <div class="field">
          <label for="f-course-cover">{t("courses.cover.label")}</label>
          <p class="hint" id="f-course-cover-hint">
            {t("courses.cover.hint")}
          </p>
          <input
            id="f-course-cover"
            name="cover"
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif"
            aria-invalid={error ? "true" : undefined}
            aria-describedby={error ? "f-course-cover-hint f-course-cover-error" : "f-course-cover-hint"}
          />
          {error && (
            <p class="error" id="f-course-cover-error" role="alert">
              {error}
            </p>
          )}
        </div>
        {url && (
          <label class="check">
            <input type="checkbox" name="remove" /> {t("courses.cover.remove")}
          </label>
        )}
        <p>
          <button type="submit" class="secondary">
            {t("courses.cover.save")}
          </button>
        </p>
      </form>
    </section>
  );
}

/** What is wrong with an uploaded cover, in the staff member's language; null when it is fine. */
function coverProblem(c: AppContext, file: { size: number } | undefined, bytes?: Uint8Array): string | null {
  const t = tr(c);
  if (!file) return null;
  if (file.size === 0) return t("error.file_empty");
  if (file.size > COVER_MAX_BYTES) return t("error.file_too_large", { max: COVER_MAX_BYTES / 1024 / 1024 });
  if (bytes && !sniffImageType(bytes)) return t("error.file_type");
  return null;
}

/** A refused cover: the box again with its error, 422, and the way back to the course. */
function refusedPage(c: AppContext, course: Course, error: string) {
  const t = tr(c);
  return adminPage(
    c,
    course.title,
    <div class="narrow-admin">
      <p class="eyebrow">
        <a href={`/admin/courses/${course.id}`}>{course.title}</a>
      </p>
      <CoverBox c={c} course={course} error={error} />
      <p>
        <a href={`/admin/courses/${course.id}`}>{t("courses.cover.back")}</a>
      </p>
    </div>,
    422,
  );
}

export function coverRoutes(app: Hono<AppEnv>): void {
  app.get("/course-covers/:id", async (c) => {
    const db = c.var.services.db;
    const id = c.req.param("id");
    const course =
      id.length <= 64
        ? await db.selectFrom("courses").select(["status"]).where("cover_file_id", "=", id).executeTakeFirst()
        : undefined;
    const staff = c.var.staffSession && !c.var.staffSession.mfaPending;
    if (!course || (course.status !== "published" && !staff)) throw new AppError("not_found", 404);
    const file = await findFile(db, id);
    if (!file) throw new AppError("not_found", 404);
    return serveStoredFile(c, file, {
      cacheControl: course.status === "published" ? "public, max-age=300" : "private, no-store",
    });
  });

  // Room for a phone photo: a file over the limit is read but not kept, and gets the box's own error.
  allowLargeBody(COVER_UPLOAD_PATH, 48 * 1024 * 1024, { cover: COVER_MAX_BYTES });
  app.post(COVER_UPLOAD_PATH, requireStaff(), async (c) => {
    const courseId = c.req.query("course") ?? "";
    const course = courseId.length <= 64 ? await findCourse(c.var.services.db, courseId) : undefined;
    if (!course) throw new AppError("not_found", 404);
    const body = await readBody(c);
    const upload = body.files.find((f) => f.field === "cover");
    const early = coverProblem(c, upload);
    if (early) return refusedPage(c, course, early);
    let stored: StoredFile | null = null;
    if (upload) {
      const bytes = await upload.bytes();
      const problem = coverProblem(c, upload, bytes);
      if (problem) return refusedPage(c, course, problem);
      stored = await storeBytes(c.var.services.db, c.var.services.storage, {
        bytes,
        mime: sniffImageType(bytes)!,
        purpose: "course_cover",
      });
    } else if (formValue(body.fields, "remove") !== "on") {
      return c.redirect(`/admin/courses/${course.id}`, 303);
    }
    try {
      await runOperation(c.var.services, setCourseCover, await staffActorOf(c), {
        courseId: course.id,
        fileId: stored?.id ?? null,
      });
    } catch (err) {
      if (stored) await deleteFile(c.var.services.db, c.var.services.storage, stored.id);
      throw err;
    }
    return c.redirect(`/admin/courses/${course.id}?saved=1`, 303);
  });
}
