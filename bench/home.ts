/**
 * Benchmark "home": the public home page, archive and tag pages of the demo
 * site, anonymous and in French (home most popular), against a bare
 * node:http server sending the same bytes per path (method in
 * support/page-bench.ts). "home" is uncached (full renders), "home-cached"
 * what the anonymous page cache answers. Also: RSS, and the time from spawn
 * to the first 200 on /healthz.
 */
import { runPageBench } from "./support/page-bench.ts";

await runPageBench({
  names: { uncached: "home", cached: "home-cached" },
  async prepare(db) {
    const tags = await db.selectFrom("tags").select("slug").orderBy("slug").execute();
    return { paths: ["/", "/blog", "/about", "/blog/page/2", ...tags.map((t) => `/tag/${t.slug}`)] };
  },
  targets: { uncached: { ratio: 0.1 }, cached: { ratio: 0.8, rssMb: 150, firstHealthzMs: 1500 } },
});
