import assert from "node:assert/strict";
import type { TestApp } from "../../../test/support/app.ts";
import { TestClient } from "../../../test/support/client.ts";
import type { Db } from "../../platform/db/index.ts";
import { createSession } from "../../platform/security/sessions.ts";
import { sessionCookie } from "../../platform/security/sessions.ts";
import { createMember } from "../members/index.ts";
import { createOffer } from "../offers/index.ts";
import { grantEntitlement } from "../access/index.ts";
import { loginOwner } from "../staff/testing.ts";
import { savePost, type PostAction, type PostInput } from "./posts.ts";
import type { PostRow } from "./service.ts";

/* Helpers shared by the publishing tests. */

let counter = 0;
function unique(): string {
  counter += 1;
  return `${counter}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

let ipCounter = 0;
/** A client with its own address, so per-IP rate limits of one test do not spill into another. */
export class PubClient extends TestClient {
  constructor(
    baseUrl: string,
    readonly ip: string,
  ) {
    super(baseUrl);
  }
  override request(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}) {
    return super.request(method, path, { ...init, headers: { "x-forwarded-for": this.ip, ...init.headers } });
  }
}
export function anonymousClient(app: TestApp): PubClient {
  ipCounter += 1;
  return new PubClient(app.url, `10.77.${ipCounter % 250}.${Math.floor(ipCounter / 250) + 1}`);
}

export async function ownerClient(app: TestApp): Promise<PubClient> {
  const client = anonymousClient(app);
  await loginOwner(client);
  await client.get("/admin/posts/new");
  return client;
}

export interface TestMember {
  id: string;
  email: string;
  client: PubClient;
}

/** A confirmed member with a live session; `tierId` grants them that tier (a paying member). */
export async function memberWithSession(
  app: TestApp,
  opts: { tierId?: string; name?: string; locale?: "fr" | "en" } = {},
): Promise<TestMember> {
  const email = `reader-${unique()}@example.org`;
  const m = await createMember(
    app.db,
    {
      email,
      name: opts.name ?? "Lectrice",
      locale: opts.locale ?? "fr",
      status: "active",
      emailOptIn: true,
      source: "test",
      confirmedAt: new Date().toISOString(),
    },
    "system",
  );
  if (opts.tierId)
    await grantEntitlement(app.db, {
      memberId: m.id,
      resourceKind: "offer",
      resourceId: opts.tierId,
      sourceKind: "manual",
      sourceId: `test-${unique()}`,
    });
  const session = await createSession(app.db, "member", m.id);
  const client = anonymousClient(app);
  client.cookies.set(sessionCookie.member, session.token);
  return { id: m.id, email, client };
}

export async function createTier(db: Db, name = "Cercle"): Promise<string> {
  const offer = await createOffer(db, { slug: `tier-${unique()}`, kind: "tier", name, status: "published" }, [
    { kind: "recurring", interval: "month", amount: 500, currency: "EUR" },
  ]);
  return offer.id;
}

export function postInput(p: Partial<PostInput> = {}): PostInput {
  return {
    title: `Article ${unique()}`,
    slug: "",
    excerpt: "",
    body: "Un texte.",
    tags: "",
    audience: "public",
    offers: [],
    publishAt: "",
    commentsEnabled: true,
    ...p,
  };
}

export async function makePost(
  db: Db,
  p: Partial<PostInput> = {},
  action: PostAction = "publish",
  tierIds: string[] = [],
): Promise<PostRow> {
  return savePost(db, null, postInput(p), action, { timeZone: "Europe/Paris", staffId: null, tierIds });
}

/** Multipart body for the editor form (fields plus optional files). */
export function multipart(
  fields: Record<string, string | string[]>,
  files: Record<string, { name: string; type: string; bytes: Uint8Array }> = {},
): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) fd.append(k, one);
  for (const [k, f] of Object.entries(files))
    fd.append(k, new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  return fd;
}

/** Posts the editor form as the browser does (multipart) with the client's CSRF token. */
export async function submitEditor(
  client: TestClient,
  fields: Record<string, string | string[]>,
  files: Record<string, { name: string; type: string; bytes: Uint8Array }> = {},
) {
  assert.ok(client.csrf, "no CSRF token yet");
  return client.request("POST", "/admin/posts/save", { body: multipart({ _csrf: client.csrf, ...fields }, files) });
}

export async function countRows(db: Db, table: "posts" | "tags" | "post_tags" | "comments" | "files"): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A tiny valid PNG (made with sharp so it really decodes). */
export async function pngBytes(width = 64, height = 48): Promise<Uint8Array> {
  const sharp = (await import("sharp")).default;
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: "#c8643c" } })
      .png()
      .toBuffer(),
  );
}

/* For tests outside the module (the two-node test): the newsletter engine's state and the process harness. */
export { createSend, getSend } from "./newsletter/engine.ts";
export { figures } from "./newsletter/figures.ts";
export {
  PAID_MARKER,
  root,
  seedMembers,
  seedPaidPost,
  startSinkProcess,
  stopProcess,
  type Sink,
} from "./newsletter/testing/harness.ts";
