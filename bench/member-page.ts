/**
 * Benchmark "member-page": a paying member's personal pages (the members'
 * area, their account, and the paid posts they may read), for 1,000 distinct
 * member sessions in rotation, against a bare node:http server sending the
 * same bytes per path (method in support/page-bench.ts). Personal pages are
 * never cached: every request asks the access policy and renders.
 */
import { grantEntitlement } from "../src/modules/access/index.ts";
import { createSession } from "../src/platform/security/sessions.ts";
import { runPageBench } from "./support/page-bench.ts";

const sessions = Number(process.env.BENCH_SESSIONS ?? 1000);

await runPageBench({
  names: { uncached: "member-page" },
  async prepare(db, seeded) {
    const payingMemberId = seeded.offers?.payingMemberId;
    if (!payingMemberId) throw new Error("the offers demo did not create a paying member");
    // The demo's paying member holds the monthly tier through a subscription; the others get the same tier.
    const held = await db
      .selectFrom("entitlements")
      .select(["resource_kind", "resource_id"])
      .where("member_id", "=", payingMemberId)
      .where("revoked_at", "is", null)
      .executeTakeFirstOrThrow();
    const others = await db
      .selectFrom("members")
      .select("id")
      .where("id", "!=", payingMemberId)
      .orderBy("id")
      .limit(sessions - 1)
      .execute();
    const cookies: string[] = [];
    for (const memberId of [payingMemberId, ...others.map((m) => m.id)]) {
      if (memberId !== payingMemberId)
        await grantEntitlement(db, {
          memberId,
          resourceKind: held.resource_kind,
          resourceId: held.resource_id,
          sourceKind: "complimentary",
          sourceId: "bench",
        });
      cookies.push(`atl_m=${(await createSession(db, "member", memberId)).token}`);
    }
    const paid = await db
      .selectFrom("posts")
      .select("slug")
      .where("status", "=", "published")
      .where("audience", "in", ["paid", "members"])
      .orderBy("published_at", "desc")
      .execute();
    return {
      paths: ["/members-area", "/account", ...paid.map((p) => `/p/${p.slug}`)],
      cookies,
      details: {
        viewer: `${cookies.length} logged-in members holding the monthly tier (the demo's subscriber, the others by a complimentary grant of the same tier)`,
      },
    };
  },
  check(path, body) {
    if (path === "/members-area" && !body.includes("Bienvenue"))
      throw new Error("members page did not show the members-only content");
    if (path.startsWith("/p/") && !body.includes("post-paid") && body.includes("post-paywall"))
      throw new Error(`${path} showed the paywall to a paying member`);
  },
  targets: { uncached: { ratio: 0.1, goal: 0.25, rssAfterLoadMb: 150 } },
});
