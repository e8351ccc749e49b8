/**
 * Benchmark "feeds": /rss.xml and /sitemap.xml polled anonymously (the RSS
 * more often), against a bare node:http server sending the same bytes
 * (method in support/page-bench.ts). "feeds-cached" is what readers get from
 * the page cache; "feeds" every request a full build of both documents.
 */
import { runPageBench } from "./support/page-bench.ts";

await runPageBench({
  names: { uncached: "feeds", cached: "feeds-cached" },
  prepare: async () => ({ paths: ["/rss.xml", "/sitemap.xml"] }),
  contentType: /^application\/(rss\+)?xml/,
  targets: { cached: { ratio: 0.8 } },
});
