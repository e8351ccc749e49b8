/**
 * Benchmark "home": the public home page of the demo site, anonymous and in
 * French, against a bare node:http server sending the same bytes (method in
 * support/page-bench.ts). Also: idle RSS and the time from spawn to the first 200.
 */
import { runPageBench } from "./support/page-bench.ts";

await runPageBench({
  name: "home",
  prepare: async () => ({ path: "/" }),
  targets: { ratio: 0.8, rssMb: 150, firstResponseMs: 1500 },
});
