import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { freshDatabase, type FreshDatabase } from "../../../test/support/db.ts";
import { migrateToLatest, openDatabase, type DbHandle, type Db } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { createMember } from "../members/index.ts";
import { createOffer, setOfferIncludes } from "../offers/index.ts";
import { grantEntitlement, revokeSource } from "./index.ts";
import { canAccess, filterAccessible, membersWithAccess, type Resource, type Viewer } from "./index.ts";

/**
 * The access matrix: every kind of viewer × every kind of resource → exactly
 * the expected answer, then an id sweep by the wrong member.
 */
let database: FreshDatabase;
let handle: DbHandle;
let db: Db;
const viewers: Record<string, Viewer> = {};
const resources: Record<string, Resource> = {};

const past = new Date(Date.now() - 86400_000).toISOString();
const future = new Date(Date.now() + 30 * 86400_000).toISOString();

before(async () => {
  database = await freshDatabase();
  handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  db = handle.db;
  await migrateToLatest(db);
  const tierX = await createOffer(db, { slug: "x", kind: "tier", name: "X", status: "published" });
  const tierY = await createOffer(db, { slug: "y", kind: "tier", name: "Y", status: "archived" });
  const product = await createOffer(db, { slug: "p", kind: "product", name: "P", status: "published" });
  await setOfferIncludes(db, tierX.id, [
    { kind: "course", id: "c1" },
    { kind: "podcast_feed", id: "*" },
    { kind: "post", id: "*" },
  ]);
  // An offer that is not a tier but includes every post: its buyers read "paid" posts, nothing more.
  await setOfferIncludes(db, product.id, [{ kind: "post", id: "*" }]);
  const m = async (email: string) =>
    (await createMember(db, { email, locale: "fr", status: "active", emailOptIn: false, source: "test" }, "system")).id;
  const ids = {
    free: await m("free@x.org"),
    payingX: await m("px@x.org"),
    payingY: await m("py@x.org"),
    lapsed: await m("lapsed@x.org"),
    refunded: await m("refunded@x.org"),
    gift: await m("gift@x.org"),
    comp: await m("comp@x.org"),
    compExpired: await m("compold@x.org"),
    buyer: await m("buyer@x.org"),
  };
  const sub = (member: string, offer: string, endsAt: string | null = future) =>
    grantEntitlement(db, {
      memberId: member,
      resourceKind: "offer",
      resourceId: offer,
      sourceKind: "subscription",
      sourceId: newId(),
      endsAt,
    });
  await sub(ids.payingX, tierX.id);
  await sub(ids.payingY, tierY.id); // archived offers keep their buyers' access
  await sub(ids.lapsed, tierX.id, past);
  const refundOrder = newId();
  await grantEntitlement(db, {
    memberId: ids.refunded,
    resourceKind: "offer",
    resourceId: product.id,
    sourceKind: "order",
    sourceId: refundOrder,
  });
  await revokeSource(db, "order", refundOrder, "refunded");
  await grantEntitlement(db, {
    memberId: ids.gift,
    resourceKind: "offer",
    resourceId: tierX.id,
    sourceKind: "gift",
    sourceId: newId(),
    endsAt: future,
  });
  await grantEntitlement(db, {
    memberId: ids.comp,
    resourceKind: "offer",
    resourceId: tierX.id,
    sourceKind: "complimentary",
    sourceId: newId(),
  });
  await grantEntitlement(db, {
    memberId: ids.compExpired,
    resourceKind: "offer",
    resourceId: tierX.id,
    sourceKind: "complimentary",
    sourceId: newId(),
    endsAt: past,
  });
  await grantEntitlement(db, {
    memberId: ids.buyer,
    resourceKind: "offer",
    resourceId: product.id,
    sourceKind: "order",
    sourceId: newId(),
  });

  viewers.anonymous = { kind: "anonymous" };
  for (const [k, v] of Object.entries(ids)) viewers[k] = { kind: "member", memberId: v };
  viewers.ghost = { kind: "member", memberId: newId() }; // a session for a member that no longer exists
  viewers.owner = { kind: "staff", staffId: newId() };

  resources.publicPost = { kind: "post", id: "p1", audience: "public" };
  resources.membersPost = { kind: "post", id: "p2", audience: "members" };
  resources.paidPost = { kind: "post", id: "p3", audience: "paid" };
  resources.tierXPage = { kind: "page", id: "members-area", audience: { offers: [tierX.id] } };
  resources.download = { kind: "offer_file", id: "f1", audience: { offers: [product.id] } };
  resources.course = { kind: "course", id: "c1", audience: "nobody" };
  resources.otherCourse = { kind: "course", id: "c2", audience: "nobody" };
  resources.feed = { kind: "podcast_feed", id: "main", audience: "nobody" };
  // A post's audience is the rule: "post:*" in tier X's includes opens neither of these.
  resources.chosenYPost = { kind: "post", id: "p4", audience: { offers: [tierY.id] } };
  resources.closedPost = { kind: "post", id: "p5", audience: "nobody" };
});

after(async () => {
  await handle.close();
  await database.cleanup();
});

// Rows: viewers; columns: publicPost membersPost paidPost tierXPage download course otherCourse feed chosenYPost closedPost
const expected: Record<string, string> = {
  anonymous: "1000000000",
  ghost: "1000000000",
  free: "1100000000",
  payingX: "1111010100",
  payingY: "1110000010",
  lapsed: "1100000000",
  refunded: "1100000000",
  gift: "1111010100",
  comp: "1111010100",
  compExpired: "1100000000",
  buyer: "1110100000",
  owner: "1111111111",
};
const columns = [
  "publicPost",
  "membersPost",
  "paidPost",
  "tierXPage",
  "download",
  "course",
  "otherCourse",
  "feed",
  "chosenYPost",
  "closedPost",
];

test("access matrix: every viewer × every resource gives exactly the expected answer", async () => {
  const wrong: string[] = [];
  for (const [viewer, row] of Object.entries(expected)) {
    for (const [i, col] of columns.entries()) {
      const got = await canAccess(db, viewers[viewer]!, resources[col]!);
      if (got !== (row[i] === "1")) wrong.push(`${viewer} × ${col}: got ${got}`);
    }
    // The batch form agrees with the single one.
    const batch = await filterAccessible(
      db,
      viewers[viewer]!,
      columns.map((c) => resources[c]!),
    );
    assert.deepEqual(
      batch.map((r) => `${r.kind}:${r.id}`),
      columns.filter((_, i) => row[i] === "1").map((c) => `${resources[c]!.kind}:${resources[c]!.id}`),
      viewer,
    );
  }
  assert.deepEqual(wrong, []);
});

test("access matrix, many members at once (the newsletter's paywall) gives the same answers", async () => {
  const members = Object.entries(viewers).filter(([, v]) => v.kind === "member") as [
    string,
    { kind: "member"; memberId: string },
  ][];
  for (const [i, col] of columns.entries()) {
    const allowed = await membersWithAccess(
      db,
      members.map(([, v]) => v.memberId),
      resources[col]!,
    );
    const got = members
      .filter(([, v]) => allowed.has(v.memberId))
      .map(([k]) => k)
      .sort();
    const want = members
      .filter(([k]) => expected[k]![i] === "1")
      .map(([k]) => k)
      .sort();
    assert.deepEqual(got, want, col);
  }
});

test("ids guessed by the wrong member: 0 successes", async () => {
  let successes = 0;
  for (const viewer of ["free", "lapsed", "refunded", "payingY"]) {
    for (let i = 0; i < 50; i++) {
      const guesses: Resource[] = [
        { kind: "offer_file", id: newId(), audience: { offers: [newId()] } },
        { kind: "course", id: `c${i + 2}`, audience: "nobody" },
        { kind: "invoice", id: newId(), audience: "nobody" },
        { kind: "lesson", id: newId(), audience: { offers: [] } },
      ];
      for (const r of guesses) if (await canAccess(db, viewers[viewer]!, r)) successes++;
    }
  }
  assert.equal(successes, 0);
});
