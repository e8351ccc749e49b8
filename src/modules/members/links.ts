import type { Selectable } from "kysely";
import type { Db } from "../../platform/db/index.ts";
import type { MagicLinksTable } from "./tables.ts";
import { AppError } from "../../platform/http/errors.ts";
import { storedRedirectPath } from "../../platform/http/forms.ts";
import { isoIn, newId, nowIso } from "../../platform/ids.ts";
import { hashToken, randomToken } from "../../platform/security/tokens.ts";
import { normalizeEmail } from "../../platform/email.ts";

/*
 * Magic links (login) and confirmation links (double opt-in). The email
 * carries a random token; we keep only its SHA-256, so a database leak gives
 * no working link. A link works once: the consuming UPDATE only matches an
 * unused, unexpired row, and its affected-row count decides who wins when two
 * requests race.
 */

export type LinkPurpose = "login" | "confirm";

export const linkLifetimeMs: Record<LinkPurpose, number> = {
  login: 15 * 60_000,
  // Confirming an address is not a login; people often read that mail later.
  confirm: 48 * 3600_000,
};

export interface JoinIntent {
  newsletter: boolean;
  /** The consent text shown beside the checkbox, in the page language. */
  wording: string;
  locale: string;
}

export type LinkRow = Selectable<MagicLinksTable>;

export async function createLink(
  db: Db,
  input: {
    email: string;
    memberId: string;
    purpose: LinkPurpose;
    redirectTo?: string | null;
    data?: JoinIntent;
    /** Longer than the purpose's default (a receipt is read later than a login mail). */
    lifetimeMs?: number;
  },
): Promise<{ token: string; id: string }> {
  const token = randomToken();
  const id = newId();
  const created = new Date();
  await db
    .insertInto("magic_links")
    .values({
      id,
      token_hash: hashToken(token),
      email: input.email,
      member_id: input.memberId,
      purpose: input.purpose,
      // Only a same-site path is ever stored (the routes have already refused a bad one with a 400).
      redirect_to: storedRedirectPath(input.redirectTo, "") || null,
      // One instant for both, so a link lives exactly its lifetime.
      expires_at: isoIn(input.lifetimeMs ?? linkLifetimeMs[input.purpose], created),
      used_at: null,
      created_at: created.toISOString(),
      data: input.data ? JSON.stringify(input.data) : null,
    })
    .execute();
  return { token, id };
}

/** How long the login link in a receipt or gift mail works: such mails are read hours later. */
export const accessLinkLifetimeMs = 24 * 3600_000;

/**
 * A one-time login link for a member, minted when the mail that carries it is
 * built (inside the mail job). Null unless `to` (where the mail goes) is the
 * member's current address: a link only ever reaches the account's own mailbox.
 */
export async function memberLoginUrl(
  db: Db,
  memberId: string,
  to: string,
  publicUrl: string,
  redirectTo: string,
): Promise<string | null> {
  const member = await db.selectFrom("members").select(["id", "email"]).where("id", "=", memberId).executeTakeFirst();
  if (!member || member.email !== normalizeEmail(to)) return null;
  const link = await createLink(db, {
    email: member.email,
    memberId: member.id,
    purpose: "login",
    redirectTo,
    lifetimeMs: accessLinkLifetimeMs,
  });
  return `${publicUrl}/login/verify?token=${link.token}`;
}

/** Tokens we hand out are 43 base64url characters; anything else is not ours. */
function plausible(token: unknown): token is string {
  return typeof token === "string" && /^[A-Za-z0-9_-]{20,100}$/.test(token);
}

export type LinkState = "ok" | "unknown" | "expired" | "used";

/** The error page for a link that cannot be used: 400 when unknown, 410 when expired or used. */
export function linkError(state: Exclude<LinkState, "ok">, purpose: LinkPurpose): AppError {
  const status = state === "unknown" ? 400 : 410;
  return new AppError(`link_${state}`, status as 400, `members.link.${purpose}.${state}`);
}

/** Looks at a link without touching it (the GET page that shows the confirm button). */
export async function peekLink(
  db: Db,
  token: unknown,
  purpose: LinkPurpose,
): Promise<{ state: LinkState; row?: LinkRow }> {
  if (!plausible(token)) return { state: "unknown" };
  const row = await db
    .selectFrom("magic_links")
    .selectAll()
    .where("token_hash", "=", hashToken(token))
    .where("purpose", "=", purpose)
    .executeTakeFirst();
  if (!row) return { state: "unknown" };
  if (row.used_at) return { state: "used", row };
  if (row.expires_at <= nowIso()) return { state: "expired", row };
  return { state: "ok", row };
}

/**
 * Marks the link used, atomically; throws the right 400/410 AppError when it
 * cannot be used (including when a concurrent request used it first).
 */
export async function consumeLink(db: Db, token: unknown, purpose: LinkPurpose): Promise<LinkRow> {
  if (!plausible(token)) throw linkError("unknown", purpose);
  const tokenHash = hashToken(token);
  const now = nowIso();
  const result = await db
    .updateTable("magic_links")
    .set({ used_at: now })
    .where("token_hash", "=", tokenHash)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    const { state } = await peekLink(db, token, purpose);
    throw linkError(state === "ok" ? "used" : state, purpose);
  }
  const row = await db
    .selectFrom("magic_links")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .executeTakeFirstOrThrow();
  return row;
}

export function intentOf(row: LinkRow): JoinIntent | null {
  if (!row.data) return null;
  try {
    const v = JSON.parse(row.data) as Partial<JoinIntent>;
    return { newsletter: v.newsletter === true, wording: String(v.wording ?? ""), locale: String(v.locale ?? "fr") };
  } catch {
    return null;
  }
}

/** Expired links are useless after a day (kept that long to tell "expired" from "unknown"). */
export async function pruneLinks(db: Db): Promise<void> {
  await db.deleteFrom("magic_links").where("expires_at", "<", isoIn(-86400_000)).execute();
}
