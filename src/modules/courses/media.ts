import type { Hono } from "hono";
import type { Db } from "../../platform/db/index.ts";
import type { AppEnv } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { safeEqual, sign } from "../../platform/security/tokens.ts";
import { findFile, serveStoredFile } from "../../platform/storage/index.ts";
import { canAccess, type Viewer } from "../access/index.ts";
import { lessonResource, type Course, type Lesson } from "./queries.ts";

/**
 * Lesson media (video, audio) and attachments are served only through
 * per-viewer signed URLs that expire (HMAC of file, viewer and expiry with the
 * app secret), and only after the access policy says yes again at request
 * time — so a refund closes a URL handed out before it. Byte ranges (206) let
 * players seek and resume without downloading the whole file.
 */
export const MEDIA_URL_TTL_MS = 6 * 60 * 60 * 1000;

/** Who a media URL was made for: a member id, "anon" (free previews) or "staff". */
export type MediaViewer = string;

export function mediaViewerOf(viewer: Viewer): MediaViewer {
  return viewer.kind === "member" ? viewer.memberId : viewer.kind === "staff" ? "staff" : "anon";
}

function signature(secret: string, fileId: string, who: string, exp: number): string {
  return sign(secret, `course-media:${fileId}:${who}:${exp}`);
}

export function mediaUrl(secret: string, fileId: string, who: MediaViewer, nowMs = Date.now()): string {
  const exp = Math.floor((nowMs + MEDIA_URL_TTL_MS) / 1000);
  return `/course-media/${fileId}?v=${encodeURIComponent(who)}&e=${exp}&s=${signature(secret, fileId, who, exp)}`;
}

/** The lesson (and course) a stored file belongs to, as video, audio or attachment. */
async function ownerOf(
  db: Db,
  fileId: string,
): Promise<{ lesson: Lesson; course: Course; name: string | null } | null> {
  const attachment = await db
    .selectFrom("course_attachments")
    .select(["lesson_id", "name"])
    .where("file_id", "=", fileId)
    .executeTakeFirst();
  const lesson = attachment
    ? await db.selectFrom("course_lessons").selectAll().where("id", "=", attachment.lesson_id).executeTakeFirst()
    : await db
        .selectFrom("course_lessons")
        .selectAll()
        .where((eb) => eb.or([eb("video_file_id", "=", fileId), eb("audio_file_id", "=", fileId)]))
        .executeTakeFirst();
  if (!lesson) return null;
  const course = await db.selectFrom("courses").selectAll().where("id", "=", lesson.course_id).executeTakeFirst();
  return course ? { lesson, course, name: attachment?.name ?? null } : null;
}

export function mediaRoutes(app: Hono<AppEnv>): void {
  app.get("/course-media/:id", async (c) => {
    const { db, secret, clock } = c.var.services;
    const id = c.req.param("id");
    const who = c.req.query("v") ?? "";
    const expRaw = c.req.query("e") ?? "";
    const sig = c.req.query("s") ?? "";
    if (!/^\d{1,12}$/.test(expRaw) || !who || who.length > 64 || !sig || sig.length > 100)
      throw new AppError("forbidden", 403, "courses.media.link_invalid");
    const exp = Number(expRaw);
    if (!safeEqual(signature(secret, id, who, exp), sig))
      throw new AppError("forbidden", 403, "courses.media.link_invalid");
    if (exp * 1000 < clock.nowMs()) throw new AppError("gone", 410, "courses.media.link_expired");
    const owner = await ownerOf(db, id);
    if (!owner || owner.course.status === "draft") throw new AppError("not_found", 404);
    const staff = c.var.staffSession && !c.var.staffSession.mfaPending;
    const viewer: Viewer =
      who === "staff"
        ? staff
          ? { kind: "staff", staffId: c.var.staffSession!.subjectId }
          : { kind: "anonymous" }
        : who === "anon"
          ? { kind: "anonymous" }
          : { kind: "member", memberId: who };
    if (!(await canAccess(db, viewer, lessonResource(owner.course, owner.lesson))))
      throw new AppError("forbidden", 403, "courses.lesson.no_access");
    const file = await findFile(db, id);
    if (!file) throw new AppError("not_found", 404);
    // Per-student URLs: no shared cache may keep a copy; ranges, 206/416 and HEAD by the shared server.
    return serveStoredFile(c, file, {
      cacheControl: "private, no-store",
      disposition: owner.name ? { type: "attachment", filename: owner.name } : { type: "inline" },
      allowRedirect: false,
    });
  });
}
