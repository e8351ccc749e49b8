import type { Db } from "../../platform/db/index.ts";
import type { StaffUsersTable as StaffUserRow } from "./tables.ts";
import { AppError, invalidInput } from "../../platform/http/errors.ts";
import { normalizeEmail, parseEmail } from "../../platform/email.ts";
import { newId, nowIso } from "../../platform/ids.ts";
import type { Locale } from "../../platform/i18n/index.ts";
import { hashPassword, verifyPassword } from "../../platform/security/passwords.ts";

export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: "owner" | "assistant";
  locale: Locale;
  totpEnabled: boolean;
}

type Row = {
  id: string;
  email: string;
  name: string;
  role: "owner" | "assistant";
  locale: string;
  totp_enabled: number;
};

function present(row: Row): StaffUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    locale: row.locale === "en" ? "en" : "fr",
    totpEnabled: row.totp_enabled === 1,
  };
}

export async function hasOwner(db: Db): Promise<boolean> {
  const row = await db.selectFrom("staff_users").select("id").where("role", "=", "owner").limit(1).executeTakeFirst();
  return !!row;
}

/** The owner's address (reply-to of emails when the site sets no contact address). */
export async function ownerEmail(db: Db): Promise<string | undefined> {
  const row = await db
    .selectFrom("staff_users")
    .select("email")
    .where("role", "=", "owner")
    .limit(1)
    .executeTakeFirst();
  return row?.email;
}

/** The owner's address and language (emails to the creator are written in it). */
export async function ownerContact(db: Db): Promise<{ email: string; locale: string } | undefined> {
  return db
    .selectFrom("staff_users")
    .select(["email", "locale"])
    .where("role", "=", "owner")
    .limit(1)
    .executeTakeFirst();
}

/** Writes an account exactly as given (the demo's owner, with its past dates). */
export async function importStaffUser(db: Db, row: StaffUserRow): Promise<void> {
  await db.insertInto("staff_users").values(row).execute();
}

/** Creates a staff account; a second account with the same email is a 409 `staff_exists`. */
export async function createStaffUser(
  db: Db,
  input: { email: string; password: string; name: string; locale: Locale; role?: "owner" | "assistant" },
): Promise<StaffUser> {
  const email = parseEmail(input.email);
  if (!email) throw invalidInput({ email: { key: "validation.email" } }, "validation.email");
  const existing = await db.selectFrom("staff_users").select("id").where("email", "=", email).executeTakeFirst();
  if (existing) throw new AppError("staff_exists", 409, "staff.error.exists");
  const at = nowIso();
  const row = {
    id: newId(),
    email,
    name: input.name,
    password_hash: await hashPassword(input.password),
    role: input.role ?? "owner",
    locale: input.locale,
    totp_secret: null,
    totp_enabled: 0,
    created_at: at,
    updated_at: at,
  } as const;
  await db.insertInto("staff_users").values(row).execute();
  return present(row);
}

export async function findStaffUser(db: Db, id: string): Promise<StaffUser | undefined> {
  const row = await db
    .selectFrom("staff_users")
    .select(["id", "email", "name", "role", "locale", "totp_enabled"])
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? present(row) : undefined;
}

/** Checks an email and password; the same error whether the email is unknown or the password wrong. */
export async function verifyStaffPassword(db: Db, email: string, password: string): Promise<StaffUser> {
  const row = await db
    .selectFrom("staff_users")
    .selectAll()
    .where("email", "=", normalizeEmail(email))
    .executeTakeFirst();
  // Hash anyway when the email is unknown, so timing does not reveal which emails exist.
  const ok = row ? await verifyPassword(password, row.password_hash) : (await hashPassword(password), false);
  if (!row || !ok) throw new AppError("bad_credentials", 401, "staff.error.credentials");
  return present(row);
}

export async function setStaffPassword(db: Db, id: string, password: string): Promise<void> {
  await db
    .updateTable("staff_users")
    .set({ password_hash: await hashPassword(password), updated_at: nowIso() })
    .where("id", "=", id)
    .execute();
}

/** Checks the password of a known staff user (security page); no rate limit here, callers add theirs. */
export async function checkStaffPassword(db: Db, id: string, password: string): Promise<boolean> {
  const row = await db.selectFrom("staff_users").select("password_hash").where("id", "=", id).executeTakeFirst();
  return row ? verifyPassword(password, row.password_hash) : false;
}

/** Logs a staff user out everywhere except the current session (after a password change). */
export async function destroyOtherStaffSessions(db: Db, id: string, keepSessionId: string): Promise<void> {
  await db
    .deleteFrom("sessions")
    .where("subject_kind", "=", "staff")
    .where("subject_id", "=", id)
    .where("id", "!=", keepSessionId)
    .execute();
}
