import type { ParsedMail } from "mailparser";
import { sql } from "kysely";
import type { TestApp } from "../../../test/support/app.ts";
import { TestClient, linkIn, type Response2 } from "../../../test/support/client.ts";
import { recipients } from "../../../test/support/smtp.ts";
import { toNumber } from "../../platform/db/index.ts";

/*
 * Helpers shared by the members tests. Each client gets its own client IP
 * (X-Forwarded-For), so the per-IP rate limit of one test does not spill
 * into the next.
 */

let ipCounter = 0;

export class IpClient extends TestClient {
  constructor(
    baseUrl: string,
    readonly ip: string,
  ) {
    super(baseUrl);
  }

  override request(
    method: string,
    path: string,
    init: { body?: BodyInit; headers?: Record<string, string> } = {},
  ): Promise<Response2> {
    return super.request(method, path, { ...init, headers: { "x-forwarded-for": this.ip, ...init.headers } });
  }
}

export function newClient(app: TestApp, ip?: string): IpClient {
  ipCounter += 1;
  return new IpClient(app.url, ip ?? `10.${Math.floor(ipCounter / 250)}.${ipCounter % 250}.7`);
}

let emailCounter = 0;
export function uniqueEmail(prefix = "m"): string {
  emailCounter += 1;
  return `${prefix}${emailCounter}-${Date.now().toString(36)}@example.org`;
}

/** Waits until no mail job is queued or running, so "nothing more was sent" can be asserted. */
export async function settleMail(app: TestApp): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    await app.drainJobs();
    const row = await app.db
      .selectFrom("jobs")
      .select(sql<number>`count(*)`.as("n"))
      .where("type", "=", "mail.send")
      .where("state", "in", ["queued", "running"])
      .executeTakeFirstOrThrow();
    if (toNumber(row.n) === 0) return;
    if (Date.now() > until) throw new Error("mail jobs did not settle");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The next email to `email` after the `seen` first ones. */
export function nextMailTo(app: TestApp, email: string, seen: number): Promise<ParsedMail> {
  return app.mail.waitFor((m) => recipients(m).includes(email) && app.mail.to(email).indexOf(m) >= seen);
}

export function mailText(m: ParsedMail): string {
  return typeof m.text === "string" ? m.text : "";
}

/** Asks for a login link and returns it (path with token). */
export async function requestLoginLink(app: TestApp, client: TestClient, email: string): Promise<string> {
  const seen = app.mail.to(email).length;
  const res = await client.post("/login", { email });
  if (res.status !== 200) throw new Error(`POST /login answered ${res.status}`);
  const mail = await nextMailTo(app, email, seen);
  return linkIn(mailText(mail), app.url, "/login/verify");
}

export function tokenOf(path: string): string {
  return new URL(path, "http://x").searchParams.get("token") ?? "";
}

/** Logs a client in as an existing member through the real magic-link flow. */
export async function logIn(app: TestApp, client: TestClient, email: string): Promise<void> {
  const link = await requestLoginLink(app, client, email);
  await client.get(link);
  const res = await client.post("/login/verify", { token: tokenOf(link) });
  if (res.status !== 303) throw new Error(`POST /login/verify answered ${res.status}: ${res.text.slice(0, 300)}`);
  // Like a browser, land on a page: it carries the CSRF token bound to the new session.
  await client.get(res.location ?? "/account");
}

export async function countWhere(
  app: TestApp,
  table: "members" | "member_consents" | "magic_links" | "events" | "sessions",
  column: string,
  value: string,
): Promise<number> {
  const row = await app.db
    .selectFrom(table)
    .select(sql<number>`count(*)`.as("n"))
    .where(sql.ref(column), "=", value)
    .executeTakeFirstOrThrow();
  return toNumber(row.n);
}

export async function eventTypes(app: TestApp, memberId: string): Promise<string[]> {
  const rows = await app.db
    .selectFrom("events")
    .select("type")
    .where("member_id", "=", memberId)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.type);
}

/** A client logged in as the owner (see ./admin/testing.ts), for other modules' admin tests. */
export { ownerClient } from "./admin/testing.ts";
export { parseCsv } from "./admin/csv.ts";
export { bulkInsertMembers, memberRow } from "./admin/testing.ts";
