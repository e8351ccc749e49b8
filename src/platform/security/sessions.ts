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

/** The session's own columns, as every lookup reads them. */
export interface SessionRow {
  id: string;
  subject_id: string;
  mfa_pending: number;
  expires_at: string;
  last_seen_at: string;
}

/**
 * A session lookup by token hash. The module that owns a kind of subject may
 * register one that also reads the subject's row in the same statement (the
 * members module: the member, whom most personal pages show): `subject` is
 * that row, or null when the subject is gone.
 */
export type SessionLookup = (
  db: Db,
  tokenHash: string,
) => Promise<{ session: SessionRow; subject: unknown } | undefined>;

/** Every personal request looks its session up: the SQL is built once per kind. */
const sessionQuery = (kind: SubjectKind) =>
  prepared((db, tokenHash) =>
    db
      .selectFrom("sessions")
      .select(["id", "subject_id", "mfa_pending", "expires_at", "last_seen_at"])
      .where("token_hash", "=", tokenHash)
      .where("subject_kind", "=", kind),
  );
const plainLookup = (kind: SubjectKind): SessionLookup => {
  const query = sessionQuery(kind);
  return async (db, tokenHash) => {
    const row = (await query(db, tokenHash))[0];
    return row && { session: row, subject: undefined };
  };
};
const lookups: Record<SubjectKind, SessionLookup> = { member: plainLookup("member"), staff: plainLookup("staff") };

export function registerSessionLookup(kind: SubjectKind, lookup: SessionLookup): void {
  lookups[kind] = lookup;
}

/** The subject row read with each session this process loaded, until the request first asks for it. */
const subjects = new WeakMap<SessionInfo, unknown>();

/**
 * The subject's row read with this session (see SessionLookup), once: later
 * calls get undefined and read it afresh, so a request that changed its
 * subject never sees the row as it was before.
 */
export function takeSessionSubject(session: SessionInfo): unknown {
  const row = subjects.get(session);
  subjects.delete(session);
  return row;
}

export async function loadSession(db: Db, kind: SubjectKind, token: string | undefined): Promise<SessionInfo | null> {
  if (!token || token.length > 100) return null;
  const tokenHash = hashToken(token);
  const found = await lookups[kind](db, tokenHash);
  if (!found) return null;
  const row = found.session;
  if (row.expires_at <= nowIso()) return null;
  // Touch at most every 5 minutes: keeps "last seen" useful without a write per request.
  if (Date.parse(row.last_seen_at) < Date.now() - 5 * 60_000) {
    await db.updateTable("sessions").set({ last_seen_at: nowIso() }).where("id", "=", row.id).execute();
  }
  const info: SessionInfo = {
    sessionId: row.id,
    tokenHash,
    subjectId: row.subject_id,
    mfaPending: row.mfa_pending === 1,
  };
  if (found.subject !== undefined) subjects.set(info, found.subject);
  return info;
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
