/**
 * Benchmark "member-page": the members-only page (/members-area) for a
 * logged-in paying member — personal, never cached publicly, asking the
 * access policy — against a bare node:http server sending the same bytes
 * (method in support/page-bench.ts). The page opts in to the 2-second
 * per-session cache; the same page with a query string skips that cache, and
 * its figure is recorded too (what one full render costs).
 */
import { createSession } from "../src/platform/security/sessions.ts";
import { runPageBench } from "./support/page-bench.ts";

await runPageBench({
  name: "member-page",
  async prepare(db, seeded) {
    const payingMemberId = seeded.offers?.payingMemberId;
    if (!payingMemberId) throw new Error("the offers demo did not create a paying member");
    const session = await createSession(db, "member", payingMemberId);
    return {
      path: "/members-area",
      headers: { cookie: `atl_m=${session.token}` },
      details: { viewer: "logged-in member with an active monthly subscription" },
    };
  },
  check(body) {
    if (!body.includes("Bienvenue")) throw new Error("members page did not show the members-only content");
  },
  async extraLoads(url, run) {
    const uncached = await run(`${url}?uncached=1`);
    return {
      perSessionCache:
        "a member reloading the same personal page within 2 s gets it from a per-session cache (src/platform/http/page-cache.ts)",
      uncachedReqPerSec: Math.round(uncached.total / (Number(process.env.BENCH_DURATION_S ?? 10) / 2)),
    };
  },
  targets: { ratio: 0.5 },
});
