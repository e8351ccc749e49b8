import type { Selectable } from "kysely";
import { jsonObjectFrom as pgJsonObject } from "kysely/helpers/postgres";
import { jsonObjectFrom as sqliteJsonObject } from "kysely/helpers/sqlite";
import { isPostgres, isUniqueViolation, transaction, type Db } from "../../platform/db/index.ts";
import { prepared } from "../../platform/db/prepared.ts";
import type { MembersTable } from "./tables.ts";
import { record } from "../../platform/events/index.ts";
import {
  consentGranted,
  consentWithdrawn,
  memberDeleted,
  memberJoined,
  memberPreferencesChanged,
  memberUpdated,
} from "./events.ts";
import type { AppContext } from "../../platform/http/context.ts";
import { AppError, invalidInput } from "../../platform/http/errors.ts";
import { t, toLocale, type Locale } from "../../platform/i18n/index.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { getSiteSettings } from "../../platform/settings.ts";
import { normalizeEmail, parseEmail } from "../../platform/email.ts";
import { rateLimitKey } from "../../platform/security/rate-limit.ts";
import { registerSessionLookup, takeSessionSubject } from "../../platform/security/sessions.ts";

/** Who caused a change, as written in the event log. */
export type Actor = "member" | "staff" | "system";
export type MemberStatus = "pending" | "active";

/** A member as the rest of the code sees it (camelCase presenter of the `members` row). */
export interface Member {
  id: string;
  email: string;
  name: string;
  locale: Locale;
  timeZone: string;
  status: MemberStatus;
  emailOptIn: boolean;
  note: string;
  source: string;
  confirmedAt: string | null;
  lastSeenAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type MemberRow = Selectable<MembersTable>;

export function toMember(row: MemberRow): Member {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    locale: toLocale(row.locale),
    timeZone: row.time_zone,
    status: row.status === "active" ? "active" : "pending",
    emailOptIn: row.email_opt_in === 1,
    note: row.note,
    source: row.source,
    confirmedAt: row.confirmed_at,
    lastSeenAt: row.last_seen_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export { normalizeEmail };

/** Runs fn in a transaction, or inside the caller's one when db already is a transaction. */
async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : transaction(db, fn);
}

const badEmail = () => invalidInput({ email: { key: "validation.email" } }, "validation.email");
const memberExists = () => new AppError("member_exists", 409, "members.error.exists");

// Every personal page reads its member: the SQL is built once.
const memberRow = prepared((db, id) => db.selectFrom("members").selectAll().where("id", "=", id));

/*
 * A member's session and their row in one statement (the sessions table is
 * the platform's): most personal pages show the member, and on PostgreSQL
 * each statement is a round trip. The row comes as a JSON object from a
 * scalar subquery: on SQLite a join of the two tables cost ten times the
 * lookup (measured ~100 µs against ~10). A session whose member is gone
 * still loads (member null), so the pages can end it.
 */
const memberColumns = [
  "members.id",
  "members.email",
  "members.name",
  "members.locale",
  "members.time_zone",
  "members.status",
  "members.email_opt_in",
  "members.note",
  "members.source",
  "members.confirmed_at",
  "members.last_seen_at",
  "members.created_at",
  "members.updated_at",
] as const satisfies readonly `members.${keyof MembersTable}`[];
const sessionWithMember = prepared((db, tokenHash) => {
  const jsonObject = isPostgres(db) ? pgJsonObject : sqliteJsonObject;
  return db
    .selectFrom("sessions")
    .select((eb) => [
      "sessions.id",
      "sessions.subject_id",
      "sessions.mfa_pending",
      "sessions.expires_at",
      "sessions.last_seen_at",
      jsonObject(eb.selectFrom("members").select(memberColumns).whereRef("members.id", "=", "sessions.subject_id")).as(
        "member",
      ),
    ])
    .where("sessions.token_hash", "=", tokenHash)
    .where("sessions.subject_kind", "=", "member");
});

registerSessionLookup("member", async (db, tokenHash) => {
  const row = (await sessionWithMember(db, tokenHash))[0];
  if (!row) return undefined;
  const { member, ...session } = row;
  // PostgreSQL's driver parses json columns; SQLite returns the text.
  return { session, subject: typeof member === "string" ? (JSON.parse(member) as MemberRow) : (member ?? null) };
});

export async function getMember(db: Db, id: string): Promise<Member | undefined> {
  const row = (await memberRow(db, id))[0];
  return row ? toMember(row) : undefined;
}

export async function findMemberByEmail(db: Db, email: string): Promise<Member | undefined> {
  const row = await db.selectFrom("members").selectAll().where("email", "=", normalizeEmail(email)).executeTakeFirst();
  return row ? toMember(row) : undefined;
}

/** The default consent wording shown beside the newsletter checkbox, in `locale`. */
export async function consentWordingFor(db: Db, locale: Locale): Promise<string> {
  const site = await getSiteSettings(db);
  return t(locale, "members.consent.newsletter", { site: site.name });
}

/** Appends one provable consent record (what was shown, in which language, when, from where). */
export async function recordConsent(
  db: Db,
  memberId: string,
  c: { granted: boolean; wording: string; locale: Locale; ip?: string | null; kind?: string; at?: string },
): Promise<void> {
  await db
    .insertInto("member_consents")
    .values({
      id: newId(),
      member_id: memberId,
      kind: c.kind ?? "newsletter",
      granted: c.granted ? 1 : 0,
      wording: c.wording,
      locale: c.locale,
      ip: c.ip ?? null,
      created_at: c.at ?? nowIso(),
    })
    .execute();
}

export interface CreateMemberInput {
  email: string;
  name?: string;
  locale: Locale;
  timeZone?: string;
  status: MemberStatus;
  emailOptIn: boolean;
  /** Where the member came from: "signup", "staff", "import", "checkout"... */
  source: string;
  /** The exact consent text the person agreed to (defaults to the standard wording in `locale`). */
  consentWording?: string;
  ip?: string | null;
  note?: string;
  /** Set when the address is already proven (e.g. added by the owner with consent on file). */
  confirmedAt?: string | null;
}

/**
 * Creates a member with, in one transaction, the consent record (when they
 * opted in) and the member.joined event. A known email is a 409 `member_exists`.
 */
export async function createMember(db: Db, input: CreateMemberInput, actor: Actor): Promise<Member> {
  const email = parseEmail(input.email);
  if (!email) throw badEmail();
  const wording = input.emailOptIn ? (input.consentWording ?? (await consentWordingFor(db, input.locale))) : "";
  try {
    return await inTransaction(db, async (trx) => {
      const existing = await trx.selectFrom("members").select("id").where("email", "=", email).executeTakeFirst();
      if (existing) throw memberExists();
      const at = nowIso();
      const row: MemberRow = {
        id: newId(),
        email,
        name: input.name ?? "",
        locale: input.locale,
        time_zone: input.timeZone ?? (await getSiteSettings(trx)).timeZone,
        status: input.status,
        email_opt_in: input.emailOptIn ? 1 : 0,
        note: input.note ?? "",
        source: input.source,
        confirmed_at: input.confirmedAt ?? (input.status === "active" ? at : null),
        last_seen_at: null,
        created_at: at,
        updated_at: at,
      };
      await trx.insertInto("members").values(row).execute();
      if (input.emailOptIn)
        await recordConsent(trx, row.id, { granted: true, wording, locale: input.locale, ip: input.ip, at });
      await record(
        trx,
        memberJoined,
        { source: input.source, status: input.status, emailOptIn: input.emailOptIn, locale: input.locale },
        { memberId: row.id, actor, at },
      );
      if (input.emailOptIn) await record(trx, consentGranted, { kind: "newsletter" }, { memberId: row.id, actor, at });
      return toMember(row);
    });
  } catch (err) {
    // Two simultaneous sign-ups with one address: the unique index decides.
    if (isUniqueViolation(err)) throw memberExists();
    throw err;
  }
}

export interface MemberPatch {
  email?: string;
  name?: string;
  locale?: Locale;
  timeZone?: string;
  status?: MemberStatus;
  emailOptIn?: boolean;
  note?: string;
  confirmedAt?: string | null;
  lastSeenAt?: string | null;
  /** Consent text shown when emailOptIn changes (defaults to the standard wording). */
  consentWording?: string;
  /** Language of consentWording (defaults to the member's language). */
  consentLocale?: Locale;
  ip?: string | null;
  /**
   * Event written for the other changed fields; defaults to
   * member.preferences_changed when the member acts, member.updated otherwise.
   */
  eventType?: "member.updated";
}

const columnOf = {
  email: "email",
  name: "name",
  locale: "locale",
  timeZone: "time_zone",
  status: "status",
  emailOptIn: "email_opt_in",
  note: "note",
  confirmedAt: "confirmed_at",
  lastSeenAt: "last_seen_at",
} as const;

/**
 * Applies a patch in one transaction. A newsletter change writes a consent
 * row and consent.granted / consent.withdrawn; other changes write one event
 * naming the changed fields (not their values). Returns the updated member;
 * an unknown id is a 404, an email taken by someone else a 409.
 */
export async function updateMember(db: Db, id: string, patch: MemberPatch, actor: Actor): Promise<Member> {
  try {
    return await inTransaction(db, async (trx) => {
      const before = await getMember(trx, id);
      if (!before) throw new AppError("not_found", 404);
      const at = nowIso();
      const set: Partial<MemberRow> = {};
      const changed: string[] = [];
      if (patch.email !== undefined) {
        const email = parseEmail(patch.email);
        if (!email) throw badEmail();
        patch = { ...patch, email };
      }
      for (const key of Object.keys(columnOf) as (keyof typeof columnOf)[]) {
        const value = patch[key];
        if (value === undefined || value === before[key]) continue;
        changed.push(key);
        const column = columnOf[key];
        (set as Record<string, unknown>)[column] = key === "emailOptIn" ? (value ? 1 : 0) : value;
      }
      if (!changed.length) return before;
      if (set.email) {
        const taken = await trx
          .selectFrom("members")
          .select("id")
          .where("email", "=", set.email)
          .where("id", "!=", id)
          .executeTakeFirst();
        if (taken) throw memberExists();
      }
      await trx
        .updateTable("members")
        .set({ ...set, updated_at: at })
        .where("id", "=", id)
        .execute();
      const locale = patch.locale ?? before.locale;
      if (changed.includes("emailOptIn")) {
        const granted = patch.emailOptIn === true;
        const consentLocale = patch.consentWording && patch.consentLocale ? patch.consentLocale : locale;
        const wording = patch.consentWording ?? (await consentWordingFor(trx, consentLocale));
        await recordConsent(trx, id, { granted, wording, locale: consentLocale, ip: patch.ip, at });
        await record(
          trx,
          granted ? consentGranted : consentWithdrawn,
          { kind: "newsletter" },
          { memberId: id, actor, at },
        );
      }
      // Bookkeeping columns (last seen) are not worth an event.
      const others = changed.filter((k) => k !== "emailOptIn" && k !== "lastSeenAt");
      if (others.length) {
        const event =
          patch.eventType === "member.updated" || actor !== "member" ? memberUpdated : memberPreferencesChanged;
        await record(trx, event, { fields: others }, { memberId: id, actor, at });
      }
      const after = await getMember(trx, id);
      if (!after) throw new AppError("not_found", 404);
      return after;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw memberExists();
    throw err;
  }
}

/**
 * Later modules (purchases, comments...) register here what to erase with a
 * member; hooks run inside the erasure transaction, before the member row goes.
 */
type EraseHook = (trx: Db, member: Member) => Promise<void>;
const eraseHooks: EraseHook[] = [];
export function registerEraseHook(hook: EraseHook): void {
  if (!eraseHooks.includes(hook)) eraseHooks.push(hook);
}

/**
 * Deletes a member and everything personal about them (sessions, links,
 * consents, events) in one transaction, then records an anonymous
 * member.deleted event (member_id null, no personal data).
 */
export async function eraseMember(db: Db, id: string, actor: Actor): Promise<void> {
  await inTransaction(db, async (trx) => {
    const member = await getMember(trx, id);
    if (!member) throw new AppError("not_found", 404);
    for (const hook of eraseHooks) await hook(trx, member);
    await trx.deleteFrom("sessions").where("subject_kind", "=", "member").where("subject_id", "=", id).execute();
    await trx
      .deleteFrom("magic_links")
      .where((eb) => eb.or([eb("member_id", "=", id), eb("email", "=", member.email)]))
      .execute();
    await trx.deleteFrom("member_consents").where("member_id", "=", id).execute();
    await trx.deleteFrom("events").where("member_id", "=", id).execute();
    // What platform tables may still say about the address (see personal-data.ts).
    await trx.deleteFrom("dev_mailbox").where("to_address", "=", member.email.toLowerCase()).execute();
    await trx
      .deleteFrom("rate_limits")
      .where("key", "=", rateLimitKey(`members:addr:${member.email}`))
      .execute();
    await trx.updateTable("jobs").set({ last_error: null }).where("last_error", "like", `%${member.email}%`).execute();
    await trx.deleteFrom("members").where("id", "=", id).execute();
    await record(trx, memberDeleted, { source: member.source, status: member.status }, { memberId: null, actor });
  });
}

/** The logged-in member for this request, or null. */
export async function currentMember(c: AppContext): Promise<Member | null> {
  const session = c.var.memberSession;
  if (!session) return null;
  // The row read with the session (the request's first look at its member), else afresh.
  const row = takeSessionSubject(session) as MemberRow | null | undefined;
  if (row !== undefined) return row && toMember(row);
  return (await getMember(c.var.services.db, session.subjectId)) ?? null;
}
