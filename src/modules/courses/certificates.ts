import { randomBytes } from "node:crypto";
import type { Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId } from "../../platform/ids.ts";
import { recordCourseEvent } from "./events.ts";
import type { CourseCertificatesTable } from "./tables.ts";

/**
 * Certificates: issued exactly once per (course, member) — a unique
 * constraint, inserted with ON CONFLICT DO NOTHING, so concurrent completions
 * produce one row and one `certificate.issued` event. The verification code
 * is random (60 bits), readable aloud (Crockford base 32, no I/L/O/U) and
 * printed in groups: `K7QM-3XTP-9HBD`.
 */
export type Certificate = CourseCertificatesTable;

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function newCertificateCode(): string {
  const bytes = randomBytes(12);
  let s = "";
  for (let i = 0; i < 12; i++) s += alphabet[bytes[i]! % 32];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

export const codePattern = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/** Issues the certificate inside the caller's transaction; returns the code (the existing one if already issued). */
export async function issueCertificateIn(
  trx: Db,
  courseId: string,
  member: { id: string; name: string; email: string },
  at: string,
): Promise<string> {
  const course = await trx
    .selectFrom("courses")
    .select(["title", "signer_name"])
    .where("id", "=", courseId)
    .executeTakeFirst();
  if (!course) throw new AppError("not_found", 404);
  const code = newCertificateCode();
  const r = await trx
    .insertInto("course_certificates")
    .values({
      id: newId(),
      code,
      course_id: courseId,
      member_id: member.id,
      student_name: member.name.trim() || member.email,
      course_title: course.title,
      signer_name: course.signer_name,
      completed_at: at,
      issued_at: at,
      revoked_at: null,
    })
    .onConflict((oc) => oc.columns(["course_id", "member_id"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (r !== undefined) {
    await recordCourseEvent(trx, "certificate.issued", member.id, { courseId, code }, at, "system");
    return code;
  }
  const existing = await certificateOf(trx, courseId, member.id);
  return existing!.code;
}

export async function certificateOf(db: Db, courseId: string, memberId: string): Promise<Certificate | undefined> {
  return db
    .selectFrom("course_certificates")
    .selectAll()
    .where("course_id", "=", courseId)
    .where("member_id", "=", memberId)
    .executeTakeFirst();
}

export async function certificateByCode(db: Db, code: string): Promise<Certificate | undefined> {
  const c = code.trim().toUpperCase();
  if (!codePattern.test(c)) return undefined;
  return db.selectFrom("course_certificates").selectAll().where("code", "=", c).executeTakeFirst();
}

/** The creator revokes (or restores) a certificate; the verification page then says it is no longer valid. */
export async function setCertificateRevoked(db: Db, id: string, revoked: boolean, at: string): Promise<void> {
  const cert = await db.selectFrom("course_certificates").selectAll().where("id", "=", id).executeTakeFirst();
  if (!cert) throw new AppError("not_found", 404);
  await db
    .updateTable("course_certificates")
    .set({ revoked_at: revoked ? at : null })
    .where("id", "=", id)
    .execute();
  if (revoked && !cert.revoked_at)
    await recordCourseEvent(
      db,
      "certificate.revoked",
      cert.member_id,
      { courseId: cert.course_id, code: cert.code },
      at,
      "staff",
    );
}
