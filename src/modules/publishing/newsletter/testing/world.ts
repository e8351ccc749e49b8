import type { TestApp } from "../../../../../test/support/app.ts";
import { startTestApp } from "../../../../../test/support/app.ts";
import type { Db } from "../../../../platform/db/index.ts";
import { newId, nowIso } from "../../../../platform/ids.ts";
import { grantRow, memberRow, seedPaidPost, tierRow } from "./harness.ts";

/*
 * The newsletter tests' shared world: an app with a webhook token, a tier "Cercle" and an empty one,
 * seven members (free, paying, pending, opted out, suppressed) and a paid post. Each test file
 * starts its own.
 */
export const HOOK = "hook-secret-123";

export interface NewsletterWorld {
  app: TestApp;
  postId: string;
  tierId: string;
}

export async function addMember(
  db: Db,
  tierId: string,
  email: string,
  opts: { optIn?: boolean; status?: "active" | "pending"; locale?: string; paying?: boolean } = {},
): Promise<string> {
  const id = newId();
  const at = nowIso();
  await db
    .insertInto("members")
    .values(memberRow(id, email, email.split("@")[0]!, at, opts))
    .execute();
  if (opts.paying)
    await db
      .insertInto("entitlements")
      .values(grantRow(id, tierId, "t", at))
      .execute();
  return id;
}

export async function startNewsletterWorld(): Promise<NewsletterWorld> {
  const app = await startTestApp({ env: { MAIL_WEBHOOK_TOKEN: HOOK } });
  const db = app.db;
  const at = nowIso();
  const tierId = newId();
  await db
    .insertInto("offers")
    .values([tierRow(tierId, "cercle", "Cercle", 0, at), tierRow("empty-tier", "vide", "Vide", 1, at)])
    .execute();
  await addMember(db, tierId, "free1@example.test");
  await addMember(db, tierId, "free2@example.test", { locale: "en" });
  await addMember(db, tierId, "paying1@example.test", { paying: true });
  await addMember(db, tierId, "paying2@example.test", { paying: true, locale: "en" });
  await addMember(db, tierId, "pending@example.test", { status: "pending" });
  await addMember(db, tierId, "optedout@example.test", { optIn: false });
  await addMember(db, tierId, "suppressed@example.test");
  await db
    .insertInto("newsletter_suppressions")
    .values({ email: "suppressed@example.test", reason: "hard_bounce", detail: "", created_at: at })
    .execute();
  const postId = await seedPaidPost(db, "Le four à bois");
  return { app, postId, tierId };
}

/** How many sends exist (a refused compose must not add one). */
export async function sendCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom("newsletter_sends")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirst();
  return Number(row?.n);
}
