import type { Db } from "../../platform/db/index.ts";
import { recordEvent } from "../../platform/events.ts";

/**
 * The events this module writes to the member's event log, always inside the
 * transaction of the change they describe.
 */
export type CourseEventType =
  | "course.enrolled"
  | "lesson.completed"
  | "course.completed"
  | "quiz.attempted"
  | "certificate.issued"
  | "certificate.revoked";

export async function recordCourseEvent(
  trx: Db,
  type: CourseEventType,
  memberId: string,
  data: Record<string, unknown>,
  at: string,
  actor: "member" | "staff" | "system" = "member",
): Promise<void> {
  await recordEvent(trx, { memberId, type, actor, data, at });
}
