import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { waitFor } from "../../../test/support/raw-http.ts";
import { testClock } from "../../platform/time.ts";
import { anonymousClient, createTier, memberWithSession } from "../publishing/testing.ts";
import { feedIndexStats } from "./feed-index.ts";
import { feedPathIn, makeEpisode, makeShow, subscribe, unsubscribe } from "./testing.ts";

/*
 * The validator index (feed-index.ts): a revalidation poll answered before
 * Hono carries the same headers as the normal route's 304, and it never
 * outlives a change: a rotation written by another node, a revocation, a
 * scheduled episode coming out on the clock.
 */

let app: TestApp;
const clock = testClock(Date.now() - 5 * 60_000);
let show: { id: string; slug: string };
let tierId: string;
const UA = { "user-agent": "Overcast/3.0" };

before(async () => {
  app = await startTestApp({ clock });
  tierId = await createTier(app.db, "Cercle");
  show = await makeShow(app, "Les Voix de l’index");
  await makeEpisode(app, show.id, { title: "Ouvert" });
  await makeEpisode(app, show.id, { title: "Réservé", audience: "paid" });
});
after(async () => {
  await app?.stop();
});

async function memberFeed() {
  const m = await memberWithSession(app);
  const sourceId = await subscribe(app, m.id, tierId);
  const path = feedPathIn((await m.client.get(`/podcasts/${show.slug}/listen`)).text);
  return { m, sourceId, path, listener: anonymousClient(app) };
}

/** Polls with the ETag until the index answers (its first database stamp is read on the first polls). */
async function untilIndexed(listener: ReturnType<typeof anonymousClient>, path: string, etag: string) {
  let last: Awaited<ReturnType<typeof listener.get>> | undefined;
  await waitFor("the index answers the poll", async () => {
    const hits = feedIndexStats.hits;
    last = await listener.get(path, { ...UA, "if-none-match": etag });
    assert.equal(last.status, 304);
    return feedIndexStats.hits === hits + 1;
  });
  return last!;
}

function comparable(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    if (!["date", "connection", "keep-alive"].includes(k)) out[k] = v;
  });
  return out;
}

test("a poll answered from the index has the normal route's 304 headers, ETag and Last-Modified", async () => {
  const { path, listener } = await memberFeed();
  const full = await listener.get(path, UA);
  assert.equal(full.status, 200);
  const etag = full.headers.get("etag")!;
  // Validated by date alone: the index leaves that to the normal route.
  const normal = await listener.get(path, { ...UA, "if-modified-since": full.headers.get("last-modified")! });
  assert.equal(normal.status, 304);
  const raw = await untilIndexed(listener, path, etag);
  assert.deepEqual(comparable(raw.headers), comparable(normal.headers));
  assert.equal(raw.headers.get("etag"), etag);
  assert.equal(raw.headers.get("x-content-type-options"), "nosniff");
  assert.ok(raw.headers.get("content-security-policy"));
  assert.equal(raw.text, "");
});

test("a rotation written by another node (no call in this process) stops the old URL within the stamp bound", async () => {
  const { m, path, listener } = await memberFeed();
  const etag = (await listener.get(path, UA)).headers.get("etag")!;
  await untilIndexed(listener, path, etag);
  // What another node's rotation leaves in the shared database: a new generation and token hash, the counter moved.
  await app.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("podcast_feeds")
      .set((eb) => ({
        generation: eb("generation", "+", 1),
        token_hash: "rotated-elsewhere",
        rotated_at: clock.nowIso(),
      }))
      .where("member_id", "=", m.id)
      .execute();
    await trx
      .updateTable("podcast_changes")
      .set((eb) => ({ n: eb("n", "+", 1) }))
      .execute();
  });
  const started = Date.now();
  await waitFor(
    "the old URL stops",
    async () => (await listener.get(path, { ...UA, "if-none-match": etag })).status === 404,
    5_000,
  );
  assert.ok(Date.now() - started < 5_000);
});

test("a revocation moves the ETag at once; the next poll gets the feed without the paid episode", async () => {
  const { sourceId, path, listener } = await memberFeed();
  const full = await listener.get(path, UA);
  assert.ok(full.text.includes("Réservé"));
  const etag = full.headers.get("etag")!;
  await untilIndexed(listener, path, etag);
  await unsubscribe(app, sourceId, "refunded");
  const lapsed = await listener.get(path, { ...UA, "if-none-match": etag });
  assert.equal(lapsed.status, 200);
  assert.ok(!lapsed.text.includes("Réservé"));
});

test("a scheduled episode coming out on the clock moves the ETag (no write at all)", async () => {
  const at = DateTime.fromJSDate(clock.now(), { zone: "Europe/Paris" })
    .plus({ hours: 1 })
    .toFormat("yyyy-MM-dd'T'HH:mm");
  await makeEpisode(app, show.id, { title: "Programmé", publish: "at", publishAt: at });
  const { path, listener } = await memberFeed();
  const full = await listener.get(path, UA);
  assert.ok(!full.text.includes("Programmé"));
  const etag = full.headers.get("etag")!;
  await untilIndexed(listener, path, etag);
  clock.advance(2 * 60 * 60 * 1000);
  const out = await listener.get(path, { ...UA, "if-none-match": etag });
  assert.equal(out.status, 200);
  assert.ok(out.text.includes("Programmé"));
});

/**
 * What another node's access change leaves in the shared database: the row as
 * its entitlements code wrote it (updated_at from that node's clock) and the
 * change counter moved in the same transaction.
 */
async function writtenElsewhere(
  memberId: string,
  set: { revoked_at?: string; revoke_reason?: string; ends_at?: string; updated_at: string },
) {
  await app.db.transaction().execute(async (trx) => {
    await trx.updateTable("entitlements").set(set).where("member_id", "=", memberId).execute();
    await trx
      .updateTable("access_changes")
      .set((eb) => ({ n: eb("n", "+", 1) }))
      .execute();
  });
}

async function untilLapsed(listener: ReturnType<typeof anonymousClient>, path: string, etag: string) {
  let lapsed = "";
  await waitFor(
    "the paid episode leaves the feed",
    async () => {
      const res = await listener.get(path, { ...UA, "if-none-match": etag });
      lapsed = res.text;
      return res.status === 200;
    },
    5_000,
  );
  return lapsed;
}

test("a refund written by another node (no call in this process) moves the ETag within the stamp bound", async () => {
  const { m, path, listener } = await memberFeed();
  const full = await listener.get(path, UA);
  assert.ok(full.text.includes("Réservé"));
  const etag = full.headers.get("etag")!;
  await untilIndexed(listener, path, etag);
  const at = new Date().toISOString();
  await writtenElsewhere(m.id, { revoked_at: at, revoke_reason: "refunded", updated_at: at });
  const lapsed = await untilLapsed(listener, path, etag);
  assert.ok(lapsed.includes("Ouvert") && !lapsed.includes("Réservé"));
});

/** What the old, clock-based stamp read: it does not move for the write below. */
const clockSummary = () =>
  app.db
    .selectFrom("entitlements")
    .select((eb) => [eb.fn.countAll().as("n"), eb.fn.count("revoked_at").as("r"), eb.fn.max("updated_at").as("u")])
    .executeTakeFirstOrThrow();

test("an end set by a node whose clock is behind (updated_at in the past, no revocation) still drops the index", async () => {
  const { m, path, listener } = await memberFeed();
  const full = await listener.get(path, UA);
  assert.ok(full.text.includes("Réservé"));
  const etag = full.headers.get("etag")!;
  // Someone else's grant holds the newest updated_at, as on a busy site; a stamp read takes it in first.
  const other = await memberWithSession(app);
  const seen = feedIndexStats.drops;
  await subscribe(app, other.id, tierId);
  await waitFor("a stamp read has seen the other grant", async () => {
    await listener.get(path, { ...UA, "if-none-match": etag });
    return feedIndexStats.drops > seen;
  });
  await untilIndexed(listener, path, etag);
  // A lapse that sets an end rather than revoking, stamped an hour behind: neither the row count, nor the
  // revoked count, nor max(updated_at) moves; only the change counter does.
  const before = await clockSummary();
  const behind = new Date(Date.parse(String(before.u)) - 60 * 60_000).toISOString();
  const drops = feedIndexStats.drops;
  await writtenElsewhere(m.id, { ends_at: new Date(clock.nowMs() - 60_000).toISOString(), updated_at: behind });
  assert.deepEqual(await clockSummary(), before);
  const lapsed = await untilLapsed(listener, path, etag);
  assert.ok(lapsed.includes("Ouvert") && !lapsed.includes("Réservé"));
  assert.ok(feedIndexStats.drops > drops, "the stamp read dropped the index");
});
