/**
 * Benchmark "post-page": an anonymous visitor reading the demo's posts (every
 * published post, public and gated, in a skewed popularity order), in
 * French, against a bare node:http server sending the same bytes per path
 * (method in support/page-bench.ts). "post-page" is the uncached figure
 * (every request a full render); "post-page-cached" the same sequence that
 * the anonymous page cache may answer.
 */
import { runPageBench } from "./support/page-bench.ts";

await runPageBench({
  names: { uncached: "post-page", cached: "post-page-cached" },
  async prepare(db) {
    // Most-commented first: the popular posts are also the heaviest pages.
    const posts = await db
      .selectFrom("posts")
      .leftJoin("comments", "comments.post_id", "posts.id")
      .select(["posts.slug", (eb) => eb.fn.count("comments.id").as("n")])
      .where("posts.status", "=", "published")
      .groupBy("posts.slug")
      .orderBy("n", "desc")
      .orderBy("posts.slug")
      .execute();
    return {
      paths: posts.map((p) => `/p/${p.slug}`),
      details: { viewer: "anonymous", commentsOnMostPopular: Number(posts[0]?.n ?? 0) },
    };
  },
  targets: { uncached: { ratio: 0.1, goal: 0.25 }, cached: { ratio: 0.8 } },
});
