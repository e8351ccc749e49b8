import type { Db } from "../db/index.ts";
import { prepared } from "../db/prepared.ts";
import { newId, nowIso, isoIn } from "../ids.ts";
import { hashToken, randomToken } from "./tokens.ts";
import type { SessionInfo } from "../http/context.ts";

/**
 * Sessions live in the database; the browser holds only a random token in an
 * HttpOnly cookie and we keep only its hash. Members and staff have separate
 * cookies, so the owner can also be logged in as a member.
 */
export type SubjectKind = "member" | "staff";

export const sessionCookie: Record<SubjectKind, string> = { member: "atl_m", staff: "atl_s" };
export const sessionLifetimeMs: Record<SubjectKind, number> = { member: 30 * 86400_000, staff: 7 * 86400_000 };

export async function createSession(
  db: Db,
  kind: SubjectKind,
  subjectId: string,
  meta: { ip?: string; userAgent?: string; mfaPending?: boolean } = {},
): Promise<{ token: string; id: string }> {
  const token = randomToken();
  const id = newId();
  const at = nowIso();
  await db
    .insertInto("sessions")
    .values({
      id,
      token_hash: hashToken(token),
      subject_kind: kind,
      subject_id: subjectId,
      mfa_pending: meta.mfaPending ? 1 : 0,
      ip: meta.ip ?? null,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
      created_at: at,
      // A session waiting for its second factor lives 10 minutes at most.
      expires_at: isoIn(meta.mfaPending ? 10 * 60_000 : sessionLifetimeMs[kind]),
      last_seen_at: at,
    })
    .execute();
  return { token, id };
}

/** Every personal request looks its session up: the SQL is built once per kind. */
const sessionQuery = (kind: SubjectKind) =>
  prepared((db, tokenHash) =>
    db
      .selectFrom("sessions")
      .select(["id", "subject_id", "mfa_pending", "expires_at", "last_seen_at"])
      .where("token_hash", "=", tokenHash)
      .where("subject_kind", "=", kind),
  );
const sessionByHash: Record<SubjectKind, ReturnType<typeof sessionQuery>> = {
  member: sessionQuery("member"),
  staff: sessionQuery("staff"),
};

export async function loadSession(db: Db, kind: SubjectKind, token: string | undefined): Promise<SessionInfo | null> {
  if (!token || token.length > 100) return null;
  const tokenHash = hashToken(token);
  const row = (await sessionByHash[kind](db, tokenHash))[0];
  if (!row || row.expires_at <= nowIso()) return null;
  // Touch at most every 5 minutes: keeps "last seen" useful without a write per request.
  if (Date.parse(row.last_seen_at) < Date.now() - 5 * 60_000) {
    await db.updateTable("sessions").set({ last_seen_at: nowIso() }).where("id", "=", row.id).execute();
  }
  return { sessionId: row.id, tokenHash, subjectId: row.subject_id, mfaPending: row.mfa_pending === 1 };
}

/** Completes a staff login after the TOTP code was checked. */
export async function clearMfaPending(db: Db, sessionId: string, kind: SubjectKind): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ mfa_pending: 0, expires_at: isoIn(sessionLifetimeMs[kind]) })
    .where("id", "=", sessionId)
    .execute();
}

export async function destroySession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", sessionId).execute();
}

export async function destroySubjectSessions(db: Db, kind: SubjectKind, subjectId: string): Promise<void> {
  await db.deleteFrom("sessions").where("subject_kind", "=", kind).where("subject_id", "=", subjectId).execute();
}

export async function pruneSessions(db: Db): Promise<void> {
  await db.deleteFrom("sessions").where("expires_at", "<", nowIso()).execute();
}
