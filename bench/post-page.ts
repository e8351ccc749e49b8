/**
 * Benchmark "post-page": an anonymous visitor reading the public post of the
 * demo site with the most comments (tags, author box, OpenGraph tags), in
 * French, against a bare node:http server sending the same bytes (method in
 * support/page-bench.ts). Anonymous post pages are the same for every
 * anonymous visitor, so they go through the page cache.
 */
import { seedPublishingDemo } from "../src/modules/publishing/demo.ts";
import { runPageBench } from "./support/page-bench.ts";

await runPageBench({
  name: "post-page",
  async prepare(db) {
    const posts = await seedPublishingDemo(db);
    const target = await db
      .selectFrom("posts")
      .leftJoin("comments", "comments.post_id", "posts.id")
      .select(["posts.slug", (eb) => eb.fn.count("comments.id").as("n")])
      .where("posts.status", "=", "published")
      .where("posts.audience", "=", "public")
      .groupBy("posts.slug")
      .orderBy("n", "desc")
      .executeTakeFirstOrThrow();
    return { path: `/p/${target.slug}`, details: { comments: Number(target.n), posts: posts.posts } };
  },
  targets: { ratio: 0.8 },
});
