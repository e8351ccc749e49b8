import type { Db } from "../../platform/db/index.ts";
import type { Locale } from "../../platform/i18n/index.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import { normalizeEmail, type Actor, type MemberRow } from "./service.ts";

/**
 * Many members at once, for imports: the same rows createMember writes (the
 * member, the consent record when they opted in, member.joined and
 * consent.granted events, tags) in a few multi-row statements instead of a
 * handful per person. The caller passes addresses it has just checked are
 * new, inside its transaction; a duplicate still fails on the unique index.
 */
export interface BulkMemberInput {
  email: string;
  name: string;
  locale: Locale;
  timeZone: string;
  source: string;
  note: string;
  createdAt: string;
  confirmedAt: string;
  consent: { wording: string; at: string } | null;
  tags: string[];
  /** Extra fields for the member.joined event (e.g. the import and line it came from). */
  joinedData?: Record<string, unknown>;
}

const ROWS_PER_STATEMENT = 100;

async function insertMany<T>(rows: T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await insert(rows.slice(i, i + ROWS_PER_STATEMENT));
}

/** Existing members among these addresses, by normalised e-mail. */
export async function membersByEmail(db: Db, emails: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const wanted = [...new Set(emails.map(normalizeEmail))];
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = await db
      .selectFrom("members")
      .select(["id", "email"])
      .where("email", "in", wanted.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.email, r.id);
  }
  return out;
}

/** Tags of many members at once (member id → sorted tags). */
export async function tagsOfMembers(db: Db, memberIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < memberIds.length; i += 500) {
    const rows = await db
      .selectFrom("member_tags")
      .select(["member_id", "tag"])
      .where("member_id", "in", memberIds.slice(i, i + 500))
      .orderBy("tag")
      .execute();
    for (const r of rows) out.set(r.member_id, [...(out.get(r.member_id) ?? []), r.tag]);
  }
  return out;
}

/** Creates the members; returns their ids by normalised e-mail. */
export async function createMembersBulk(db: Db, inputs: BulkMemberInput[], actor: Actor): Promise<Map<string, string>> {
  const at = nowIso();
  const ids = new Map<string, string>();
  const members: MemberRow[] = [];
  const consents: {
    id: string;
    member_id: string;
    kind: string;
    granted: number;
    wording: string;
    locale: string;
    ip: null;
    created_at: string;
  }[] = [];
  const events: { id: string; member_id: string; type: string; actor: Actor; data: string; created_at: string }[] = [];
  const tags: { member_id: string; tag: string; created_at: string }[] = [];
  for (const input of inputs) {
    const id = newId();
    const email = normalizeEmail(input.email);
    ids.set(email, id);
    members.push({
      id,
      email,
      name: input.name,
      locale: input.locale,
      time_zone: input.timeZone,
      status: "active",
      email_opt_in: input.consent ? 1 : 0,
      note: input.note,
      source: input.source,
      confirmed_at: input.confirmedAt,
      last_seen_at: null,
      created_at: input.createdAt,
      updated_at: at,
    });
    const data = { source: input.source, status: "active", emailOptIn: !!input.consent, locale: input.locale };
    events.push({
      id: newId(),
      member_id: id,
      type: "member.joined",
      actor,
      data: JSON.stringify({ ...data, ...input.joinedData }),
      created_at: at,
    });
    if (input.consent) {
      consents.push({
        id: newId(),
        member_id: id,
        kind: "newsletter",
        granted: 1,
        wording: input.consent.wording,
        locale: input.locale,
        ip: null,
        created_at: input.consent.at,
      });
      events.push({
        id: newId(),
        member_id: id,
        type: "consent.granted",
        actor,
        data: '{"kind":"newsletter"}',
        created_at: at,
      });
    }
    for (const tag of input.tags) tags.push({ member_id: id, tag, created_at: at });
  }
  await insertMany(members, (b) => db.insertInto("members").values(b).execute());
  await insertMany(consents, (b) => db.insertInto("member_consents").values(b).execute());
  await insertMany(tags, (b) => db.insertInto("member_tags").values(b).execute());
  await insertMany(events, (b) => db.insertInto("events").values(b).execute());
  return ids;
}
